//! `check --fix` and `check --diff`: lint, choose the fixes that do not conflict, apply them
//! in memory, verify the result, and lint again until nothing is left to fix
//! (`specs/autofix.md` §2.3–2.5). Nothing is written here: [`write`] writes the changed
//! files once the loop has ended, and `--diff` prints them instead.

use super::{Error, Linted, Session};
use crate::engine::fix::{self, Candidate, FixPolicy, FixSummary, NotApplied};
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
type Key = (&'static str, FileId, u32, String, crate::engine::Text);

fn key(f: &Finding, fix: &crate::engine::Fix) -> Key {
    (
        f.rule.as_str(),
        fix.file,
        fix.doc,
        fix.prefix.to_string(),
        fix.title.clone(),
    )
}

/// Where fixes may write: the enclosing git work tree, else the working directory.
pub fn workspace(cwd: &Path) -> PathBuf {
    let root = crate::discover::work_tree(cwd);
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
        // Passes after the first check only the files the previous pass edited.
        if self.incremental.is_none() {
            self.keep_outputs();
        }
        let mut linted = self.lint()?;
        first_masks.extend(linted.outcome.masks.iter().map(|(k, v)| (*k, v.clone())));
        for pass in 1..=max_passes + 1 {
            let files = &linted.files;
            // Each file is read and split into documents once per pass.
            let mut lowering = fix::Lowering::default();
            let mut cands: Vec<Cand> = Vec::new();
            for (i, f) in linted.outcome.findings.iter().enumerate() {
                let Some(a) = policy.applicability(f) else { continue };
                if !policy.applies(a) {
                    continue;
                }
                let Some(fx) = f.fix.as_deref() else { continue };
                let k = key(f, fx);
                if blocked.contains(&k) {
                    continue;
                }
                let refusal = if applied.contains(&k) && !fx.via_render {
                    // Applied in an earlier pass, and its finding is back: something (an
                    // overriding patch, another rule's fix) undoes it. (A fix moved from a
                    // kustomize render is judged at the next run: renders are not made
                    // again between passes.)
                    blocked.insert(k.clone());
                    Some("applied, but the finding remained; fix it by hand".to_string())
                } else {
                    let cx = PassCx {
                        files,
                        masks: &linted.outcome.masks,
                        policy,
                        workspace: &workspace,
                        stdin,
                        stdin_ok,
                    };
                    match cx.candidate(&mut lowering, fx, a) {
                        Ok(Some((edits, a))) => {
                            cands.push(Cand {
                                file: fx.file,
                                edits,
                                members: vec![Member {
                                    finding: i,
                                    applicability: a,
                                    key: k.clone(),
                                }],
                            });
                            None
                        }
                        Ok(None) => None,
                        Err(why) => Some(why),
                    }
                };
                if let Some(reason) = refusal {
                    let loc = f.loc();
                    not_applied.insert(
                        k,
                        NotApplied {
                            path: files.display(loc.file).to_string(),
                            line: loc.span.start.line,
                            rule: f.rule.as_str(),
                            reason,
                        },
                    );
                }
            }
            if cands.is_empty() {
                break;
            }
            if pass > max_passes {
                summary.did_not_converge = true;
                break;
            }
            let cands = combine(cands, &linted, &mut lowering, policy);
            let (accepted, new_texts, failed) = choose(&cands, &linted, &mut lowering)?;
            let mut progressed = false;
            for (c, ok) in cands.into_iter().zip(accepted) {
                if !ok {
                    continue;
                }
                for m in c.members {
                    let f = &linted.outcome.findings[m.finding];
                    if let Some(why) = failed.get(&c.file) {
                        blocked.insert(m.key.clone());
                        not_applied.insert(
                            m.key,
                            NotApplied {
                                path: files.display(f.loc().file).to_string(),
                                line: f.loc().span.start.line,
                                rule: f.rule.as_str(),
                                reason: format!("{why}; please report this"),
                            },
                        );
                        continue;
                    }
                    progressed = true;
                    rerender |= f.fix.as_deref().is_some_and(|x| x.via_render);
                    not_applied.remove(&m.key);
                    applied.insert(m.key);
                    *summary.applied.entry(f.rule.as_str()).or_default() += 1;
                    match m.applicability {
                        Applicability::Safe => summary.safe += 1,
                        _ => summary.unsafe_ += 1,
                    }
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
            let masked = masked_lines(first_masks.get(&file).map_or(&[][..], Vec::as_slice));
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

/// A fix a pass may apply: its edits in one file, and the findings it fixes (one, or
/// several fixes of one object lowered together).
struct Cand {
    file: FileId,
    edits: Vec<edit::Edit>,
    members: Vec<Member>,
}

struct Member {
    finding: usize,
    applicability: Applicability,
    key: Key,
}

/// What deciding whether a fix can be applied this pass needs.
struct PassCx<'a> {
    files: &'a crate::engine::Files,
    masks: &'a crate::engine::Masks,
    policy: &'a FixPolicy,
    workspace: &'a Path,
    stdin: Option<FileId>,
    stdin_ok: bool,
}

impl PassCx<'_> {
    /// A fix lowered against the current text, with its applicability (a fix that deletes
    /// a comment is at most unsafe); `Ok(None)` when it has nothing left to do; `Err` with
    /// why it cannot be applied.
    fn candidate(
        &self,
        lowering: &mut fix::Lowering,
        fx: &crate::engine::Fix,
        a: Applicability,
    ) -> Result<Option<(Vec<edit::Edit>, Applicability)>, String> {
        editable(self.files, fx.file, self.stdin, self.stdin_ok, self.workspace)?;
        if let Some(why) = lowering.refusal(self.files, fx.file)? {
            return Err(format!("not fixable: {why}"));
        }
        let lowered = lowering.lower(self.files, fx).map_err(|e| e.0)?;
        if lowered.edits.is_empty() {
            // Already done (a fix moved from a render that an earlier pass applied).
            return Ok(None);
        }
        let a = if lowered.deletes_comments {
            a.min(Applicability::Unsafe)
        } else {
            a
        };
        if !self.policy.applies(a) {
            return Err("the fix deletes a comment, so it is unsafe: `--unsafe-fixes` applies it".into());
        }
        let masks = self.masks.get(&fx.file).map_or(&[][..], Vec::as_slice);
        let touches_mask = lowered.edits.iter().any(|e| {
            masks.iter().any(|m| {
                (m.start.byte as usize) < e.range.end.max(e.range.start + 1) && e.range.start < m.end.byte as usize
            })
        });
        if touches_mask {
            return Err("the fix would edit a value that may be secret".into());
        }
        Ok(Some((lowered.edits, a)))
    }
}

/// Lowers the fixes of one object together, when it has several: rules that each create
/// `securityContext:` in one container then make one block, in one pass, instead of
/// waiting for each other pass after pass. When the ops do not lower together (they
/// conflict), the fixes stay apart.
fn combine(cands: Vec<Cand>, linted: &Linted, lowering: &mut fix::Lowering, policy: &FixPolicy) -> Vec<Cand> {
    let files = &linted.files;
    let fix_of = |c: &Cand| linted.outcome.findings[c.members[0].finding].fix.as_deref();
    let object = |c: &Cand| fix_of(c).map(|f| (f.file, f.doc, f.prefix.clone()));
    let mut groups: Vec<Vec<Cand>> = Vec::new();
    let mut at: std::collections::HashMap<(FileId, u32, crate::source::Route), usize> =
        std::collections::HashMap::new();
    for c in cands {
        match object(&c) {
            Some(o) => match at.get(&o) {
                Some(g) => groups[*g].push(c),
                None => {
                    at.insert(o, groups.len());
                    groups.push(vec![c]);
                }
            },
            None => groups.push(vec![c]),
        }
    }
    let mut out = Vec::new();
    for group in groups {
        if group.len() < 2 {
            out.extend(group);
            continue;
        }
        let Some(first) = fix_of(&group[0]) else {
            out.extend(group);
            continue;
        };
        let mut together = first.clone();
        together.ops = group
            .iter()
            .filter_map(fix_of)
            .flat_map(|f| f.ops.iter().cloned())
            .collect();
        match lowering.lower(files, &together) {
            Ok(l) if !l.edits.is_empty() && (!l.deletes_comments || policy.unsafe_fixes) => {
                let deletes = l.deletes_comments;
                out.push(Cand {
                    file: first.file,
                    edits: l.edits,
                    members: group
                        .into_iter()
                        .flat_map(|c| c.members)
                        .map(|mut m| {
                            if deletes {
                                m.applicability = m.applicability.min(Applicability::Unsafe);
                            }
                            m
                        })
                        .collect(),
                });
            }
            _ => out.extend(group),
        }
    }
    out
}

/// The fixes of this pass that do not overlap (fix::plan), each file's result verified as
/// a whole: it reads back as the old text with every chosen fix's ops applied. A file that
/// fails is planned again without merged insertions; if that fails too, its fixes are
/// dropped (the third value says why). Returns which candidates were chosen and each
/// changed file's (old, new) text.
#[allow(clippy::type_complexity)]
fn choose(
    cands: &[Cand],
    linted: &Linted,
    lowering: &mut fix::Lowering,
) -> Result<(Vec<bool>, Vec<(FileId, Arc<str>, String)>, BTreeMap<FileId, String>), Error> {
    let files = &linted.files;
    let mut order: Vec<usize> = (0..cands.len()).collect();
    // Deterministic at any thread count: file, first edit, rule, finding order.
    order.sort_by(|a, b| {
        let (ca, cb) = (&cands[*a], &cands[*b]);
        let (fa, fb) = (
            &linted.outcome.findings[ca.members[0].finding],
            &linted.outcome.findings[cb.members[0].finding],
        );
        files
            .display(ca.file)
            .cmp(files.display(cb.file))
            .then(first(&ca.edits).cmp(&first(&cb.edits)))
            .then(fa.rule.cmp(&fb.rule))
            .then(ca.members[0].finding.cmp(&cb.members[0].finding))
    });
    let plain: Vec<Candidate> = order
        .iter()
        .map(|i| Candidate {
            file: cands[*i].file,
            edits: cands[*i].edits.clone(),
        })
        .collect();
    // The texts of the files with candidates, and their documents' ranges.
    let mut texts: BTreeMap<FileId, (Arc<str>, Vec<std::ops::Range<usize>>)> = BTreeMap::new();
    for c in cands {
        if let std::collections::btree_map::Entry::Vacant(v) = texts.entry(c.file) {
            let (text, docs) = lowering.documents(files, c.file)?;
            v.insert((text, docs.ranges()));
        }
    }
    // Two insertions at one point are applied together when the result is sound: whole
    // lines, the deeper first (a container's mapping and its pod's end at one point: the
    // container's new keys go before the pod's), it parses, and no mapping gains a
    // duplicate key (two rules each creating `securityContext:`); checked on the document
    // alone, so that merges cost as much as the document.
    let merge = |file: FileId, joined: &edit::Edit| -> bool {
        let Some((text, docs)) = texts.get(&file) else {
            return false;
        };
        if !line_insertion(text, joined) {
            return false;
        }
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
    let (in_order, by_file) = fix::plan(&plain, merge);
    let mut accepted = vec![false; cands.len()];
    for (pos, ok) in order.iter().zip(in_order) {
        accepted[*pos] = ok;
    }
    let mut failed: BTreeMap<FileId, String> = BTreeMap::new();
    let mut new_texts = Vec::new();
    for (file, edits) in &by_file {
        let file = *file;
        let Some((text, _)) = texts.get(&file) else { continue };
        let verify = |accepted: &[bool], edits: &[edit::Edit]| {
            let new = edit::apply(text, edits);
            let applied: Vec<edit::Applied<'_>> = cands
                .iter()
                .zip(accepted)
                .filter(|(c, ok)| **ok && c.file == file)
                .flat_map(|(c, _)| c.members.iter())
                .filter_map(|m| linted.outcome.findings[m.finding].fix.as_deref())
                .map(|fx| edit::Applied {
                    doc: fx.doc as usize,
                    prefix: &fx.prefix,
                    ops: &fx.ops,
                })
                .collect();
            edit::verify_pass(text, &new, &applied)?;
            // Fixes that each hold on their own may create one key twice together (a
            // rename to `securityContext` and a new `securityContext:` beside it).
            if duplicate_keys(&new) > duplicate_keys(text) {
                return Err(edit::NotFixable("the fixes together would repeat a key".into()));
            }
            Ok(new)
        };
        match verify(&accepted, edits) {
            Ok(new) => new_texts.push((file, text.clone(), new)),
            Err(_) => {
                let mine: Vec<usize> = order.iter().copied().filter(|i| cands[*i].file == file).collect();
                let alone: Vec<Candidate> = mine
                    .iter()
                    .map(|i| Candidate {
                        file,
                        edits: cands[*i].edits.clone(),
                    })
                    .collect();
                let (again, edits) = fix::plan(&alone, |_, _| false);
                for (i, ok) in mine.iter().zip(&again) {
                    accepted[*i] = *ok;
                }
                let edits = edits.into_iter().next().map(|(_, e)| e).unwrap_or_default();
                match verify(&accepted, &edits) {
                    Ok(new) => new_texts.push((file, text.clone(), new)),
                    // Then the first fix alone: the others come back in the next pass.
                    Err(why) => {
                        let only = mine.iter().copied().find(|i| accepted[*i]);
                        for i in &mine {
                            accepted[*i] = Some(*i) == only;
                        }
                        let alone = only.map(|i| cands[i].edits.clone()).unwrap_or_default();
                        match only.map(|_| verify(&accepted, &alone)) {
                            Some(Ok(new)) => new_texts.push((file, text.clone(), new)),
                            _ => {
                                for i in &mine {
                                    accepted[*i] = false;
                                }
                                failed.insert(file, why.0);
                            }
                        }
                    }
                }
            }
        }
    }
    Ok((accepted, new_texts, failed))
}

/// The start of a candidate's first edit.
fn first(edits: &[edit::Edit]) -> usize {
    edits.first().map_or(0, |e| e.range.start)
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
            if let Some(key) = tree.key_str(k)
                && !seen.insert(key)
            {
                n += 1;
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

/// The 0-based lines that masked spans touch.
fn masked_lines(masks: &[Span]) -> BTreeSet<usize> {
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
