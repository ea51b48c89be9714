//! `check --fix` and `check --diff`: lint, choose the fixes that do not conflict, apply them
//! in memory, verify the result, and lint again until nothing is left to fix
//! (`specs/autofix.md` §2.3–2.5). Nothing is written here: [`write`] writes the changed
//! files once the loop has ended, and `--diff` prints them instead.

use super::{Error, Linted, Session};
use crate::engine::fix::{self, Candidate, FixPolicy, FixSummary, NotApplied, refuse_file};
use crate::engine::{Applicability, Finding, Source};
use crate::source::{FileId, Limits, Span, edit};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Passes before the loop gives up and keeps the last verified state.
pub const MAX_PASSES: usize = 10;

/// What the fix loop did.
pub struct Fixed {
    /// The last lint: the findings that remain.
    pub linted: Linted,
    pub summary: FixSummary,
    /// The files whose text changed, sorted by path.
    pub changes: Vec<Change>,
    /// A fix moved from a kustomize render was applied: the renders must be made again
    /// to report what remains.
    pub rerender: bool,
}

/// One changed file.
pub struct Change {
    pub file: FileId,
    /// Where to write it (`None`: standard input, which is never written).
    pub path: Option<PathBuf>,
    /// The path a patch names: relative to the workspace (the git work tree, else the
    /// working directory), or the `--stdin-filename`.
    pub relative: String,
    pub original: Arc<str>,
    pub text: Arc<str>,
    /// 0-based lines of the original that hold masked text (values that may be secret).
    pub masked: BTreeSet<usize>,
}

/// What identifies a fix from one pass to the next: rule, object and title.
type Key = (&'static str, FileId, u32, String, String);

fn key(f: &Finding, fix: &crate::engine::Fix) -> Key {
    (f.rule, fix.file, fix.doc, fix.prefix.to_string(), fix.title.clone())
}

/// Where fixes may write: the enclosing git work tree, else the working directory.
pub fn workspace(cwd: &Path) -> PathBuf {
    let root = cwd.ancestors().find(|d| d.join(".git").exists()).unwrap_or(cwd);
    std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf())
}

impl Session {
    /// Runs the fix loop: at most `max_passes` passes, each a full lint (cross-object rules
    /// included) followed by the fixes that apply and do not overlap. `stdin_ok`: fixes to
    /// standard input are wanted (`--diff`).
    pub fn fix(&mut self, policy: &FixPolicy, max_passes: usize, stdin_ok: bool) -> Result<Fixed, Error> {
        let workspace = workspace(&self.cwd);
        let stdin = self.stdin_file();
        let mut originals: BTreeMap<FileId, Arc<str>> = BTreeMap::new();
        let mut first_masks: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
        let mut not_applied: BTreeMap<Key, NotApplied> = BTreeMap::new();
        let mut applied: HashSet<Key> = HashSet::new();
        let mut blocked: HashSet<Key> = HashSet::new();
        let mut summary = FixSummary::default();
        let mut rerender = false;
        let mut linted = self.lint()?;
        first_masks.extend(linted.outcome.masks.iter().map(|(k, v)| (*k, v.clone())));
        for pass in 1..=max_passes + 1 {
            let files = &linted.files;
            // Each file is read and split into documents once per pass.
            let mut lowering = fix::Lowering::default();
            let mut cands: Vec<(Candidate, usize, Applicability, Key)> = Vec::new();
            for (i, f) in linted.outcome.findings.iter().enumerate() {
                let Some(a) = policy.applicability(f) else { continue };
                if !policy.applies(a) {
                    continue;
                }
                let Some(fx) = f.fix.as_deref() else { continue };
                let k = key(f, fx);
                let mut refuse = |reason: String| {
                    let loc = f.loc();
                    not_applied.insert(
                        k.clone(),
                        NotApplied {
                            path: files.display(loc.file).to_string(),
                            line: loc.span.start.line,
                            rule: f.rule,
                            reason,
                        },
                    );
                };
                if blocked.contains(&k) {
                    continue;
                }
                // A fix moved from a kustomize render is judged again at the next run: the
                // render is not made again between passes.
                if applied.contains(&k) && !fx.via_render {
                    // Applied in an earlier pass, and its finding is back: something
                    // (an overriding patch, another rule's fix) undoes it.
                    blocked.insert(k.clone());
                    refuse("applied, but the finding remained; fix it by hand".into());
                    continue;
                }
                if let Err(why) = editable(files, fx.file, stdin, stdin_ok, &workspace) {
                    refuse(why);
                    continue;
                }
                let text = match lowering.text(files, fx.file) {
                    Ok(t) => t,
                    Err(e) => {
                        refuse(e);
                        continue;
                    }
                };
                let display = files.display(fx.file);
                if let Some(why) = refuse_file(display, &text) {
                    refuse(format!("not fixable: {why}"));
                    continue;
                }
                let lowered = match lowering.lower(files, fx) {
                    Ok(l) => l,
                    Err(e) => {
                        refuse(e.0);
                        continue;
                    }
                };
                if lowered.edits.is_empty() {
                    // Already done (a fix moved from a render that a pass applied).
                    continue;
                }
                // A fix that deletes a comment is at most unsafe.
                let a = if lowered.deletes_comments {
                    a.min(Applicability::Unsafe)
                } else {
                    a
                };
                if !policy.applies(a) {
                    refuse("the fix deletes a comment, so it is unsafe: `--unsafe-fixes` applies it".into());
                    continue;
                }
                let masks = linted.outcome.masks.get(&fx.file).map_or(&[][..], Vec::as_slice);
                let touches_mask = lowered.edits.iter().any(|e| {
                    masks.iter().any(|m| {
                        (m.start.byte as usize) < e.range.end.max(e.range.start + 1)
                            && e.range.start < m.end.byte as usize
                    })
                });
                if touches_mask {
                    refuse("the fix would edit a value that may be secret".into());
                    continue;
                }
                cands.push((
                    Candidate {
                        file: fx.file,
                        edits: lowered.edits,
                    },
                    i,
                    a,
                    k,
                ));
            }
            if cands.is_empty() {
                break;
            }
            if pass > max_passes {
                summary.did_not_converge = true;
                break;
            }
            // Deterministic at any thread count: file, first edit, rule, finding order.
            cands.sort_by(|a, b| {
                let fa = &linted.outcome.findings[a.1];
                let fb = &linted.outcome.findings[b.1];
                files
                    .display(a.0.file)
                    .cmp(files.display(b.0.file))
                    .then(first(&a.0).cmp(&first(&b.0)))
                    .then(fa.rule.cmp(fb.rule))
                    .then(a.1.cmp(&b.1))
            });
            let plain: Vec<Candidate> = cands
                .iter()
                .map(|(c, ..)| Candidate {
                    file: c.file,
                    edits: c.edits.clone(),
                })
                .collect();
            // Two insertions at one point are applied together when the result is sound:
            // whole lines, the deeper first (a container's mapping and its pod's end at one
            // point: the container's new keys go before the pod's), it parses, and no
            // mapping gains a duplicate key (two rules each creating `securityContext:`).
            // The pass is verified as a whole below; a file whose merged pass fails is
            // planned again without merges.
            // The texts of the files with candidates, and their documents' ranges.
            let mut texts: BTreeMap<FileId, (Arc<str>, Vec<std::ops::Range<usize>>)> = BTreeMap::new();
            for (c, ..) in &cands {
                if let std::collections::btree_map::Entry::Vacant(v) = texts.entry(c.file) {
                    if let Ok((text, docs)) = lowering.documents(files, c.file) {
                        v.insert((text, docs.ranges()));
                    }
                }
            }
            let merge = |file: FileId, joined: &edit::Edit| -> bool {
                let Some((text, docs)) = texts.get(&file) else {
                    return false;
                };
                if !line_insertion(text, joined) {
                    return false;
                }
                // Checked on the document alone: merges cost as much as the document.
                let at = joined.range.start;
                let Some(doc) = docs.iter().find(|r| r.start <= at && at <= r.end).cloned() else {
                    return false;
                };
                let old = &text[doc.clone()];
                let local = edit::Edit {
                    range: joined.range.start - doc.start..joined.range.end - doc.start,
                    content: joined.content.clone(),
                };
                let new = edit::apply(old, std::slice::from_ref(&local));
                reparses(old, &new).is_ok() && duplicate_keys(&new) == duplicate_keys(old)
            };
            let (accepted, by_file) = fix::plan(&plain, merge);
            // Verify each file's pass as a whole: the text reads back as the old one with
            // every accepted fix's ops applied. A file that fails is planned again without
            // merged insertions; if that fails too, its fixes are dropped and reported.
            let mut accepted = accepted;
            let mut failed: BTreeMap<FileId, String> = BTreeMap::new();
            let mut new_texts = Vec::new();
            for (file, edits) in &by_file {
                let file = *file;
                let text = match texts.get(&file) {
                    Some((t, _)) => t.clone(),
                    None => lowering.text(files, file)?,
                };
                let verify = |accepted: &[bool], edits: &[edit::Edit]| {
                    let new = edit::apply(&text, edits);
                    let applied: Vec<edit::Applied<'_>> = cands
                        .iter()
                        .zip(accepted)
                        .filter(|((c, ..), ok)| **ok && c.file == file)
                        .filter_map(|((_, i, ..), _)| linted.outcome.findings[*i].fix.as_deref())
                        .map(|fx| edit::Applied {
                            doc: fx.doc as usize,
                            prefix: &fx.prefix,
                            ops: &fx.ops,
                        })
                        .collect();
                    edit::verify_pass(&text, &new, &applied).map(|()| new)
                };
                match verify(&accepted, edits) {
                    Ok(new) => new_texts.push((file, text.clone(), new)),
                    Err(_) => {
                        let mine: Vec<usize> = (0..cands.len()).filter(|i| cands[*i].0.file == file).collect();
                        let alone: Vec<Candidate> = mine
                            .iter()
                            .map(|i| Candidate {
                                file,
                                edits: cands[*i].0.edits.clone(),
                            })
                            .collect();
                        let (again, edits) = fix::plan(&alone, |_, _| false);
                        for (i, ok) in mine.iter().zip(&again) {
                            accepted[*i] = *ok;
                        }
                        let edits = edits.into_iter().next().map(|(_, e)| e).unwrap_or_default();
                        match verify(&accepted, &edits) {
                            Ok(new) => new_texts.push((file, text.clone(), new)),
                            Err(why) => {
                                failed.insert(file, why.0);
                            }
                        }
                    }
                }
            }
            let mut progressed = false;
            for ((c, i, a, k), ok) in cands.into_iter().zip(accepted) {
                if !ok {
                    continue;
                }
                let f = &linted.outcome.findings[i];
                if let Some(why) = failed.get(&c.file) {
                    blocked.insert(k.clone());
                    not_applied.insert(
                        k,
                        NotApplied {
                            path: files.display(f.loc().file).to_string(),
                            line: f.loc().span.start.line,
                            rule: f.rule,
                            reason: format!("{why}; please report this"),
                        },
                    );
                    continue;
                }
                progressed = true;
                rerender |= f.fix.as_deref().is_some_and(|x| x.via_render);
                not_applied.remove(&k);
                applied.insert(k);
                *summary.applied.entry(f.rule).or_default() += 1;
                match a {
                    Applicability::Safe => summary.safe += 1,
                    _ => summary.unsafe_ += 1,
                }
            }
            if !progressed {
                break;
            }
            for (file, old, new) in new_texts {
                originals.entry(file).or_insert(old);
                self.set_text(file, Arc::from(new));
            }
            summary.passes = pass;
            summary
                .per_pass
                .push(summary.safe + summary.unsafe_ - summary.per_pass.iter().sum::<usize>());
            linted = self.lint()?;
        }
        // What is still deferred after the last pass was not applied either.
        let remaining: BTreeSet<Key> = linted
            .outcome
            .findings
            .iter()
            .filter_map(|f| f.fix.as_deref().map(|fx| key(f, fx)))
            .collect();
        not_applied.retain(|k, _| remaining.contains(k));
        summary.not_applied = not_applied.into_values().collect();
        summary.not_applied.sort();

        let mut changes = Vec::new();
        for (file, original) in originals {
            let text = linted.files.read(file).map_err(|e| e.to_string())?;
            if text == original {
                continue;
            }
            let entry = linted.files.get(file);
            let (path, relative) = match &entry.source {
                Source::Path(p) => {
                    let canonical = std::fs::canonicalize(p)?;
                    let relative = canonical
                        .strip_prefix(&workspace)
                        .map(|r| r.to_string_lossy().replace('\\', "/"))
                        .unwrap_or_else(|_| entry.display.clone());
                    (Some(canonical), relative)
                }
                _ => (None, entry.display.clone()),
            };
            let masked = masked_lines(&original, first_masks.get(&file).map_or(&[][..], Vec::as_slice));
            changes.push(Change {
                file,
                path,
                relative,
                original,
                text,
                masked,
            });
        }
        changes.sort_by(|a, b| a.relative.cmp(&b.relative));
        summary.files_changed = changes.iter().map(|c| c.relative.clone()).collect();
        Ok(Fixed {
            linted,
            summary,
            changes,
            rerender,
        })
    }
}

/// The start of a candidate's first edit.
fn first(c: &Candidate) -> usize {
    c.edits.first().map_or(0, |e| e.range.start)
}

/// Whether a fix may edit its file: a file on disk inside the workspace, or standard input
/// for `--diff` (a fix still stated on a kustomize render could not be moved to the render's
/// sources).
fn editable(
    files: &crate::engine::Files,
    file: FileId,
    stdin: Option<FileId>,
    stdin_ok: bool,
    workspace: &Path,
) -> Result<(), String> {
    match &files.get(file).source {
        Source::Path(p) => {
            let canonical = std::fs::canonicalize(p).map_err(|e| e.to_string())?;
            if !canonical.starts_with(workspace) {
                return Err(format!(
                    "outside the workspace ({}): not edited",
                    crate::discover::display(workspace)
                ));
            }
            Ok(())
        }
        Source::Text(_) if Some(file) == stdin => {
            if stdin_ok {
                Ok(())
            } else {
                Err("standard input cannot be written back; use `--diff`".into())
            }
        }
        Source::Text(_) => Err("rendered output, not a file of the repository".into()),
        Source::Unreadable(e) => Err(e.to_string()),
    }
}

/// Whether an edit inserts whole lines: at the start of a line, ending with a line break;
/// or at the end of a file without a final newline, starting with one.
fn line_insertion(text: &str, e: &edit::Edit) -> bool {
    let at = e.range.start;
    let line_start = at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n');
    (line_start && e.content.ends_with('\n'))
        || (at == text.len()
            && !text.ends_with('\n')
            && e.content.starts_with(['\n', '\r'])
            && !e.content.ends_with('\n'))
}

/// How many mapping entries repeat a key of their mapping.
fn duplicate_keys(text: &str) -> usize {
    let (tree, _, err) = crate::source::parse(text, &Limits::default());
    if err.is_some() {
        return usize::MAX;
    }
    let mut n = 0;
    for i in 0..tree.len() {
        let id = crate::source::NodeId::from_index(i);
        if !matches!(tree.node(id).kind, crate::source::NodeKind::Map { .. }) {
            continue;
        }
        let mut seen = std::collections::HashSet::new();
        for (k, _) in tree.entries(id) {
            if let Some(key) = tree.key_str(k) {
                if !seen.insert(key) {
                    n += 1;
                }
            }
        }
    }
    n
}

/// The edited text parses, into as many documents as before.
fn reparses(old: &str, new: &str) -> Result<(), String> {
    let limits = Limits::default();
    let (_, old_docs, old_err) = crate::source::parse(old, &limits);
    let (_, new_docs, new_err) = crate::source::parse(new, &limits);
    if new_err.is_some() && old_err.is_none() {
        return Err("parse error".into());
    }
    if old_docs.len() != new_docs.len() {
        return Err("document count".into());
    }
    Ok(())
}

/// The unified diff of the changes, which `git apply` accepts.
pub fn diff(changes: &[Change]) -> String {
    let files: Vec<crate::report::diff::FileDiff<'_>> = changes
        .iter()
        .map(|c| crate::report::diff::FileDiff {
            path: &c.relative,
            old: Some(&c.original),
            new: &c.text,
            masked: c.masked.clone(),
        })
        .collect();
    crate::report::diff::unified(&files)
}

/// The 0-based lines of `text` that masked spans touch.
fn masked_lines(text: &str, masks: &[Span]) -> BTreeSet<usize> {
    let _ = text;
    masks
        .iter()
        .flat_map(|m| (m.start.line.saturating_sub(1) as usize)..(m.end.line as usize))
        .collect()
}

/// Writes the changed files: each only if it is still what was read (else it is skipped),
/// through a temporary file in the same directory that is synced and renamed over it,
/// keeping its permissions and a UTF-8 byte-order mark it had. Returns the files written;
/// the first failure ends the writing, with the files written before it.
pub fn write(changes: &[Change]) -> Result<Vec<String>, (Vec<String>, String)> {
    use std::io::Write as _;
    let mut written = Vec::new();
    for c in changes {
        let Some(path) = &c.path else { continue };
        let fail = |written: &Vec<String>, e: String| (written.clone(), format!("{}: {e}", c.relative));
        let bytes = std::fs::read(path).map_err(|e| fail(&written, e.to_string()))?;
        let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
        let on_disk = crate::source::decode(bytes).map_err(|e| fail(&written, e.to_string()))?;
        if on_disk != *c.original {
            return Err(fail(&written, "changed on disk during the run; not written".into()));
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&written, e.to_string()))?;
        if bom {
            tmp.write_all(&[0xEF, 0xBB, 0xBF])
                .map_err(|e| fail(&written, e.to_string()))?;
        }
        tmp.write_all(c.text.as_bytes())
            .map_err(|e| fail(&written, e.to_string()))?;
        tmp.as_file().sync_all().map_err(|e| fail(&written, e.to_string()))?;
        if let Ok(meta) = std::fs::metadata(path) {
            let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
        }
        tmp.persist(path).map_err(|e| fail(&written, e.error.to_string()))?;
        written.push(c.relative.clone());
    }
    Ok(written)
}
