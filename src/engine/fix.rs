//! Fixes: what a rule proposes to change, stated as ops on routes of the object a finding is
//! about (`specs/autofix.md` §2). Rules never write offsets: [`crate::source::edit`] lowers
//! the ops against the current text, and the fix loop (`session::fix`) chooses, applies and
//! verifies them pass after pass.

use super::finding::Finding;
use crate::source::edit::{self, Edit, Lowered, NotFixable, Op, Value};
use crate::source::{FileId, Route};

/// How far a fix may be trusted (§2.2). Ordered: `DisplayOnly < Unsafe < Safe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown, never applied: two plausible readings, or an opt-in fix not opted in.
    DisplayOnly,
    /// May change behaviour or remove something the user wrote: `--unsafe-fixes`.
    Unsafe,
    /// Meaning-preserving, admission-only or hardening-only: `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// A fix of one finding: all or nothing.
#[derive(Clone, Debug)]
pub struct Fix {
    /// Imperative and concrete: "set allowPrivilegeEscalation: false on container `app`".
    pub title: super::finding::Text,
    pub applicability: Applicability,
    /// The object the ops' routes start from: its file, document, and route from the
    /// document root (`items[3]` in a `kind: List`).
    pub file: FileId,
    pub doc: u32,
    pub prefix: Route,
    /// Most fixes have one op: it is held here, not in a list of its own (a run holds the
    /// fixes of all its findings).
    pub ops: smallvec::SmallVec<[Op; 1]>,
    /// Creates objects (a default-deny NetworkPolicy): applied only when its rule is listed
    /// in `fix.opt_in`, display-only otherwise.
    pub opt_in: bool,
    /// Moved from a kustomize render to the file that defines the object: the render is
    /// not made again between passes, so its finding stays until the next run.
    pub via_render: bool,
}

impl Fix {
    /// A fix of the object at `prefix` in document `doc` of `file`, with no ops yet.
    pub fn new(file: FileId, doc: u32, prefix: Route, applicability: Applicability, title: impl Into<String>) -> Fix {
        Fix {
            title: super::finding::shared(&super::printable(title.into())),
            applicability,
            file,
            doc,
            prefix: prefix.shared(),
            ops: smallvec::SmallVec::new(),
            opt_in: false,
            via_render: false,
        }
    }

    /// A fix of an object of the index (cross-object rules), when its place in its file can
    /// be named: a document's root, or an item of a `kind: List`.
    pub fn for_object(
        obj: &crate::model::ObjectRef,
        applicability: Applicability,
        title: impl Into<String>,
    ) -> Option<Fix> {
        let prefix = match obj.prefix.as_ref() {
            "" => Route::root(),
            p => {
                let i = p.strip_prefix("items[")?.strip_suffix(']')?.parse().ok()?;
                Route::root().key("items").index(i)
            }
        };
        Some(Fix::new(obj.file, obj.doc, prefix, applicability, title))
    }

    /// Ensures the field at `route` has `value` (missing parents are created).
    #[must_use]
    pub fn set(self, route: Route, value: Value) -> Fix {
        self.op(Op::Set { route, value })
    }

    /// Removes the entry or item at `route`, and the parents it leaves empty when `prune`.
    #[must_use]
    pub fn remove(self, route: Route, prune: bool) -> Fix {
        self.op(Op::Remove { route, prune })
    }

    /// Ensures `value` is an item of the sequence at `seq`.
    #[must_use]
    pub fn ensure_item(self, seq: Route, value: Value) -> Fix {
        self.op(Op::Append {
            seq,
            value,
            if_absent: true,
        })
    }

    /// Renames the key of the entry at `route`.
    #[must_use]
    pub fn rename(self, route: Route, new_key: impl Into<String>) -> Fix {
        self.op(Op::RenameKey {
            route,
            new_key: new_key.into(),
        })
    }

    /// Replaces the node at `route` by `value`.
    #[must_use]
    pub fn replace(self, route: Route, value: Value) -> Fix {
        self.op(Op::ReplaceSubtree { route, value })
    }

    /// Adds an op. Most fixes have one or two, and a run holds the fixes of all its
    /// findings: a short list grows one op at a time, a long one as usual.
    fn op(mut self, mut op: Op) -> Fix {
        let route = match &mut op {
            Op::Set { route, .. }
            | Op::Remove { route, .. }
            | Op::RenameKey { route, .. }
            | Op::ReplaceSubtree { route, .. }
            | Op::Append { seq: route, .. } => route,
        };
        *route = std::mem::take(route).shared();
        self.ops.push(op);
        self
    }

    /// Takes in another fix of the same object (findings merged into one): its ops and
    /// title when it is as applicable, its place when it is more applicable.
    pub fn absorb(&mut self, other: Fix) {
        if other.file != self.file || other.doc != self.doc || other.prefix != self.prefix {
            return;
        }
        // Parts of different applicability are not mixed: the more applicable ones come
        // first, and the others are offered again, on their own, in the next pass.
        match other.applicability.cmp(&self.applicability) {
            std::cmp::Ordering::Greater => *self = other,
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => {
                for op in other.ops {
                    if !self.ops.contains(&op) {
                        self.ops.push(op);
                    }
                }
                if !self.title.contains(&*other.title) {
                    let both = super::printable(format!("{}; {}", self.title, other.title));
                    self.title = super::finding::shared(&both);
                }
            }
        }
    }
}

/// Which fixes a run applies: the flags and the `fix:` section of the configuration.
#[derive(Clone, Debug, Default)]
pub struct FixPolicy {
    /// `--unsafe-fixes` or `fix.unsafe`.
    pub unsafe_fixes: bool,
    /// Rules (ids, families, keywords) whose findings are reported but never fixed.
    pub unfixable: Vec<String>,
    /// Rules whose unsafe fixes count as safe.
    pub extend_safe: Vec<String>,
    /// Rules whose safe fixes count as unsafe.
    pub extend_unsafe: Vec<String>,
    /// Rules whose object-creating fixes are wanted.
    pub opt_in: Vec<String>,
}

/// Whether a rule is named by one of `selectors`.
fn named(selectors: &[String], rule: &str) -> bool {
    selectors.iter().any(|s| super::suppress::selector_matches(s, rule))
}

impl FixPolicy {
    /// The applicability of a finding's fix under this policy, `None` when it has none or
    /// its rule is unfixable.
    pub fn applicability(&self, f: &Finding) -> Option<Applicability> {
        let fix = f.fix.as_deref()?;
        if named(&self.unfixable, f.rule.as_str()) {
            return None;
        }
        if fix.opt_in && !named(&self.opt_in, f.rule.as_str()) {
            return Some(Applicability::DisplayOnly);
        }
        Some(match fix.applicability {
            Applicability::Unsafe if named(&self.extend_safe, f.rule.as_str()) => Applicability::Safe,
            Applicability::Safe if named(&self.extend_unsafe, f.rule.as_str()) => Applicability::Unsafe,
            a => a,
        })
    }

    /// Whether this run applies fixes of this applicability.
    pub fn applies(&self, a: Applicability) -> bool {
        match a {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }

    /// Whether this run would apply the finding's fix (the `[*]` marker).
    pub fn would_apply(&self, f: &Finding) -> bool {
        self.applicability(f).is_some_and(|a| self.applies(a))
    }
}

/// A node of the tree as a value to write back (a subtree a conversion moves): scalars
/// as they resolve, a float or an out-of-range integer as its text, null entries left out.
/// `None` for null or a tree too deep to copy.
pub fn value_of(tree: &crate::source::Tree<'_>, node: crate::source::NodeId) -> Option<Value> {
    value_at(tree, node, 0)
}

fn value_at(tree: &crate::source::Tree<'_>, node: crate::source::NodeId, depth: usize) -> Option<Value> {
    use crate::source::resolve::Value as V;
    if depth > 64 {
        return None;
    }
    let node = tree.deref(node);
    if tree.is_map(node) {
        let entries = tree.expanded_entries(node)?;
        let mut out: Vec<(String, Value)> = Vec::new();
        for (k, v) in entries {
            let Some(key) = tree.key_str(k) else { continue };
            let Some(value) = value_at(tree, v, depth + 1) else {
                continue;
            };
            out.retain(|(existing, _)| existing != key);
            out.push((key.to_string(), value));
        }
        return Some(Value::Map(out));
    }
    if tree.is_seq(node) {
        return Some(Value::Seq(
            tree.items(node)
                .iter()
                .filter_map(|i| value_at(tree, *i, depth + 1))
                .collect(),
        ));
    }
    Some(match tree.value(node)? {
        V::Null => return None,
        V::Bool(b) => Value::Bool(b),
        V::Int(i) => Value::Int(i),
        V::Str(s) => Value::Str(s.to_string()),
        V::UInt(_) | V::Float(_) => Value::Str(tree.text(node)?.to_string()),
    })
}

/// What a `--fix` or `--diff` run did, for every output.
#[derive(Clone, Debug, Default)]
pub struct FixSummary {
    /// Passes that applied fixes.
    pub passes: usize,
    /// How many fixes each pass applied.
    pub per_pass: Vec<usize>,
    /// Findings fixed, by rule.
    pub applied: std::collections::BTreeMap<&'static str, usize>,
    pub safe: usize,
    pub unsafe_: usize,
    /// The files changed (as shown), sorted; new files included.
    pub files_changed: Vec<String>,
    /// Fixes that were wanted but not applied, and why.
    pub not_applied: Vec<NotApplied>,
    /// Fixes were still coming when the pass limit was reached.
    pub did_not_converge: bool,
}

/// A fix that was wanted and not applied.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NotApplied {
    pub path: String,
    pub line: u32,
    pub rule: &'static str,
    pub reason: String,
}

/// Whether a file is JSON (edited as JSON).
pub fn is_json(display: &str) -> bool {
    display.to_ascii_lowercase().ends_with(".json")
}

/// Lowers fixes, reading and splitting each file once: a fix is lowered against its own
/// document, so that many fixes in one large file cost as much as the file, not as much as
/// the file for each fix. A copy shares what was read (threads lowering the fixes of one
/// large file each use a copy of a lowering that [`Lowering::read`] it).
#[derive(Clone, Default)]
pub struct Lowering {
    files: std::collections::HashMap<FileId, Result<Loaded, String>>,
    newlines: std::collections::HashMap<FileId, std::sync::Arc<crate::source::Newlines>>,
    boms: std::collections::HashMap<FileId, usize>,
    /// Why each file's fixes are refused ([`refuse_file`]), looked at once per file.
    refused: std::collections::HashMap<FileId, Option<&'static str>>,
}

/// A file's text and where its documents lie.
type Loaded = (std::sync::Arc<str>, std::sync::Arc<Documents>);

/// The byte range of each document of a file, by document index.
#[derive(Debug, Default)]
pub struct Documents {
    /// (document index, start, end, the line the range starts on: 1-based, as the parser
    /// counts lines), in document order; 16 bytes a document, kept for every file checked.
    ranges: Vec<(u32, u32, u32, u32)>,
    /// Where the text's first directive line (`%YAML`, `%TAG`) starts, once looked for.
    directive: Option<usize>,
}

impl Documents {
    /// Splits a parsed text at its document markers: document `i` runs from the line its
    /// root starts on to the next `---` or `...` line after its root (markers inside a
    /// document are not YAML). Documents after a directive are left out (they are lowered
    /// against the whole text).
    fn split(text: &str, tree: &crate::source::Tree<'_>, docs: &[crate::source::ParsedDocument]) -> Documents {
        let mut out = Documents::default();
        out.add(text, tree, docs);
        out
    }

    /// Adds the documents `docs` of `text`, parsed into `tree` (one part of the file at a
    /// time, in order), as [`Documents::split`] splits them.
    pub fn add(&mut self, text: &str, tree: &crate::source::Tree<'_>, docs: &[crate::source::ParsedDocument]) {
        let bytes = text.as_bytes();
        let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
        let marker_after = |mut at: usize| {
            at = line_start(at);
            loop {
                let rest = &bytes[at..];
                if rest.is_empty() {
                    return text.len();
                }
                let is_marker = (rest.starts_with(b"---") || rest.starts_with(b"..."))
                    && rest.get(3).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'));
                if is_marker && at > 0 {
                    return at;
                }
                match text[at..].find('\n') {
                    Some(i) => at += i + 1,
                    None => return text.len(),
                }
            }
        };
        // Documents that start after the first directive line are left out; it is looked
        // for once, not in the text before each document (or part).
        let directive = *self.directive.get_or_insert_with(|| {
            if text.starts_with('%') {
                0
            } else {
                // A two-byte pattern: `str::find` would take its general (two-way) search.
                memchr::memmem::find(bytes, b"\n%").map_or(usize::MAX, |i| i + 2)
            }
        });
        for d in docs {
            let span = tree.span(d.root);
            let start = line_start(span.start.byte as usize);
            let end = marker_after((span.end.byte as usize).max(start + 1).min(text.len()));
            if start < end && start < directive {
                // The root's line, less the lone carriage returns (line breaks to the parser)
                // between the line feed before it and the root.
                let lone_crs = bytes[start..span.start.byte as usize]
                    .iter()
                    .filter(|b| **b == b'\r')
                    .count();
                let line = span.start.line.saturating_sub(lone_crs as u32);
                // Texts are bounded far below 4 GiB (`Limits`).
                let at = |i: usize| u32::try_from(i).expect("a text under 4 GiB");
                self.ranges.push((at(d.index), at(start), at(end), line));
            }
        }
    }

    fn get(&self, doc: usize) -> Option<std::ops::Range<usize>> {
        self.locate(doc).map(|(range, _)| range)
    }

    /// Where document `doc` lies (its range is in document order), and the line its range
    /// starts on.
    pub fn locate(&self, doc: usize) -> Option<(std::ops::Range<usize>, u32)> {
        let i = self.ranges.binary_search_by_key(&doc, |(i, ..)| *i as usize).ok()?;
        let (_, start, end, line) = self.ranges[i];
        Some((start as usize..end as usize, line))
    }

    /// Every document's byte range.
    pub fn ranges(&self) -> Vec<std::ops::Range<usize>> {
        self.ranges
            .iter()
            .map(|(_, start, end, _)| *start as usize..*end as usize)
            .collect()
    }

    /// Releases the room the list grew by (it is kept for the rest of the run).
    pub fn shrink(&mut self) {
        self.ranges.shrink_to_fit();
    }
}

impl Lowering {
    /// The text of a file and its documents, read once.
    pub fn documents(
        &mut self,
        files: &super::Files,
        file: FileId,
    ) -> Result<(std::sync::Arc<str>, &Documents), String> {
        self.load(files, file).map(|(t, d)| (t.clone(), &**d))
    }

    /// The position of a byte of a file's text as the run reads it now (an edit's start or
    /// end): [`crate::source::pos_of_byte`], with the file's lines found once.
    pub fn pos(&mut self, files: &super::Files, file: FileId, byte: usize) -> Result<crate::source::Pos, String> {
        let text = self.text(files, file)?;
        let newlines = self
            .newlines
            .entry(file)
            .or_insert_with(|| std::sync::Arc::new(crate::source::Newlines::new(text.as_bytes())));
        Ok(newlines.pos(text.as_bytes(), byte))
    }

    /// Reads a file, finds its documents and lines and looks at its byte-order mark now,
    /// so that copies of this lowering share them.
    pub fn read(&mut self, files: &super::Files, file: FileId) {
        let _ = self.pos(files, file, 0);
        self.bom_len(files, file);
    }

    /// The length of the UTF-8 byte-order mark the file starts with on disk (0 or 3),
    /// looked at once.
    pub fn bom_len(&mut self, files: &super::Files, file: FileId) -> usize {
        *self.boms.entry(file).or_insert_with(|| bom_len(files, file))
    }

    /// The text of a file as the run reads it now, read once.
    pub fn text(&mut self, files: &super::Files, file: FileId) -> Result<std::sync::Arc<str>, String> {
        self.load(files, file).map(|(t, _)| t.clone())
    }

    fn load(&mut self, files: &super::Files, file: FileId) -> Result<&Loaded, String> {
        self.files
            .entry(file)
            .or_insert_with(|| {
                let text = files.read(file).map_err(|e| e.to_string())?;
                // What the check found in this very text (reads return what was first read).
                if let Some(docs) = files.documents(file) {
                    return Ok((text, docs));
                }
                // A file with a document that does not parse is never edited.
                let (tree, docs, err) = crate::source::parse(&text, &crate::source::Limits::default());
                if err.is_some() {
                    return Err("the file has a document that does not parse".to_string());
                }
                let docs = Documents::split(&text, &tree, &docs);
                drop(tree);
                Ok((text, std::sync::Arc::new(docs)))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Where a fix is lowered: the byte range of its file's text it is lowered against (its
    /// document alone, when the file's documents can be told apart; else the whole text),
    /// the document's index there, and whether the text is edited as JSON.
    fn place(&mut self, files: &super::Files, fix: &Fix) -> Result<(std::ops::Range<usize>, usize, bool), NotFixable> {
        let json = is_json(files.display(fix.file));
        let (text, docs) = self.load(files, fix.file).map_err(NotFixable)?;
        Ok(match docs.get(fix.doc as usize).filter(|_| !json) {
            Some(range) => (range, 0, false),
            None => (0..text.len(), fix.doc as usize, json),
        })
    }

    /// Lowers a fix against the current text of its file (its document alone, when the
    /// file's documents can be told apart; the edits are offsets in the whole text).
    pub fn lower(&mut self, files: &super::Files, fix: &Fix) -> Result<Lowered, NotFixable> {
        let (range, doc, json) = self.place(files, fix)?;
        let text = self.text(files, fix.file).map_err(NotFixable)?;
        lower_in(&edit::Parsed::new(&text[range.clone()]), range.start, doc, json, fix)
    }

    /// A finding's fix lowered against its file as the run read it (what `json` and
    /// `sarif` show), or why it cannot be. `None` when the finding has no fix.
    pub fn for_finding(&mut self, files: &super::Files, f: &Finding) -> Option<Result<(FileId, Lowered), String>> {
        self.for_findings(files, &[f]).pop().flatten()
    }

    /// [`Lowering::for_finding`] for each of `findings`, in their order: each document
    /// their fixes edit is parsed once for all of them, not once for each.
    pub fn for_findings(
        &mut self,
        files: &super::Files,
        findings: &[&Finding],
    ) -> Vec<Option<Result<(FileId, Lowered), String>>> {
        let mut out: Vec<Option<Result<(FileId, Lowered), String>>> = Vec::with_capacity(findings.len());
        // The fixes lowered against each text: (file, range) → (document, json, finding).
        type Place = (FileId, usize, usize);
        let mut groups: std::collections::BTreeMap<Place, Vec<(usize, bool, usize)>> = Default::default();
        for (i, f) in findings.iter().enumerate() {
            let Some(fix) = f.fix.as_deref() else {
                out.push(None);
                continue;
            };
            match self.checked_place(files, f, fix) {
                Ok((range, doc, json)) => {
                    out.push(None);
                    groups
                        .entry((fix.file, range.start, range.end))
                        .or_default()
                        .push((doc, json, i));
                }
                Err(why) => out.push(Some(Err(why))),
            }
        }
        for ((file, start, end), fixes) in groups {
            let text = match self.text(files, file) {
                Ok(text) => text,
                Err(why) => {
                    for (_, _, i) in fixes {
                        out[i] = Some(Err(why.clone()));
                    }
                    continue;
                }
            };
            let parsed = edit::Parsed::new(&text[start..end]);
            for (doc, json, i) in fixes {
                let fix = findings[i].fix.as_deref().expect("grouped a fix");
                out[i] = Some(
                    lower_in(&parsed, start, doc, json, fix)
                        .map(|l| (file, l))
                        .map_err(|e| e.0),
                );
            }
        }
        out
    }

    /// [`Lowering::place`], after the checks that refuse a finding's fix without lowering it.
    fn checked_place(
        &mut self,
        files: &super::Files,
        f: &Finding,
        fix: &Fix,
    ) -> Result<(std::ops::Range<usize>, usize, bool), String> {
        if !matches!(files.get(fix.file).source, super::Source::Path(_)) && f.loc().file != fix.file {
            return Err("the object is rendered by kustomize; its fix could not be moved to its sources".into());
        }
        if let Some(why) = self.refusal(files, fix.file)? {
            return Err(format!("not fixable: {why}"));
        }
        self.place(files, fix).map_err(|e| e.0)
    }

    /// Why no fix of a file is applied ([`refuse_file`]), looked at once per file; `Err`
    /// when the file cannot be read.
    pub fn refusal(&mut self, files: &super::Files, file: FileId) -> Result<Option<&'static str>, String> {
        if let Some(refused) = self.refused.get(&file) {
            return Ok(*refused);
        }
        let text = self.text(files, file)?;
        let refused = refuse_file(files.display(file), &text);
        self.refused.insert(file, refused);
        Ok(refused)
    }
}

/// Lowers `fix` against `parsed`, the part of its file's text that starts at byte `offset`
/// and holds its document as document `doc`; the edits are offsets in the whole text. A fix
/// whose edits delete a comment is at most unsafe (§2.2): [`Lowered::deletes_comments`]
/// says so.
fn lower_in(
    parsed: &edit::Parsed<'_>,
    offset: usize,
    doc: usize,
    json: bool,
    fix: &Fix,
) -> Result<Lowered, NotFixable> {
    if fix.ops.is_empty() {
        return Err(NotFixable("the fix has no edits".into()));
    }
    let target = edit::Target {
        doc,
        prefix: &fix.prefix,
    };
    let mut lowered = parsed.lower(target, &fix.ops, json)?;
    for e in &mut lowered.edits {
        e.range = e.range.start + offset..e.range.end + offset;
    }
    Ok(lowered)
}

/// The length of the UTF-8 byte-order mark the file starts with on disk (0 or 3).
fn bom_len(files: &super::Files, file: FileId) -> usize {
    use std::io::Read;
    let super::Source::Path(p) = &files.get(file).source else {
        return 0;
    };
    let mut head = [0u8; 3];
    match std::fs::File::open(p).and_then(|mut f| f.read_exact(&mut head)) {
        Ok(()) if head == [0xEF, 0xBB, 0xBF] => 3,
        _ => 0,
    }
}

/// A fix lowered for planning: the edits in one file, and what identifies it.
#[derive(Debug)]
pub struct Candidate {
    pub file: FileId,
    pub edits: Vec<Edit>,
}

/// Chooses the fixes of one pass (§2.3): candidates come sorted (file, first edit, rule,
/// finding order); each is accepted unless one of its edits overlaps an accepted edit of
/// the same file, where a zero-width insertion at another edit's start or end overlaps it.
/// An edit identical to an accepted one merges with it (two overlays rendering one base
/// line). Insertions of whole lines at one point merge when `merge` finds their
/// combination sound: they are joined deepest indentation first (a container's mapping
/// ends where its pod's does: the container's new keys go before the pod's), keeping
/// their order otherwise. Returns, for each candidate, whether it was accepted, and the
/// edits to apply per file, sorted and distinct.
pub fn plan(candidates: &[Candidate], merge: impl Fn(FileId, &Edit) -> bool) -> (Vec<bool>, Vec<(FileId, Vec<Edit>)>) {
    let mut accepted = vec![false; candidates.len()];
    // Per file: the accepted edits, and for merged insertions the parts they join.
    let mut by_file: Vec<(FileId, Vec<Edit>, Vec<Vec<String>>)> = Vec::new();
    for (i, c) in candidates.iter().enumerate() {
        let slot = match by_file.iter().position(|(f, ..)| *f == c.file) {
            Some(s) => s,
            None => {
                by_file.push((c.file, Vec::new(), Vec::new()));
                by_file.len() - 1
            }
        };
        let (_, taken, parts) = &by_file[slot];
        // For each edit: None (new), Some(None) (identical to one taken), Some(Some(j, parts))
        // (an insertion merged into taken edit j, which then joins these parts).
        let mut outcome = Vec::with_capacity(c.edits.len());
        let mut clash = false;
        for e in &c.edits {
            let hits: Vec<usize> = (0..taken.len()).filter(|j| edit::overlaps(&taken[*j], e)).collect();
            match hits.as_slice() {
                [] => outcome.push(None),
                [j] if taken[*j] == *e => outcome.push(Some(None)),
                [j] if is_insertion(&taken[*j]) && is_insertion(e) && taken[*j].range.start == e.range.start => {
                    let mut joined = parts[*j].clone();
                    joined.push(e.content.clone());
                    joined.sort_by_key(|p| {
                        // At the end of a file without a final newline, parts start with one.
                        let line = p.trim_start_matches(['\r', '\n']);
                        std::cmp::Reverse(line.len() - line.trim_start_matches(' ').len())
                    });
                    let candidate = Edit {
                        range: e.range.clone(),
                        content: joined.concat(),
                    };
                    if merge(c.file, &candidate) {
                        outcome.push(Some(Some((*j, joined))));
                    } else {
                        clash = true;
                        break;
                    }
                }
                _ => {
                    clash = true;
                    break;
                }
            }
        }
        if clash {
            continue;
        }
        accepted[i] = true;
        let (_, taken, parts) = &mut by_file[slot];
        for (e, o) in c.edits.iter().zip(outcome) {
            match o {
                None => {
                    taken.push(e.clone());
                    parts.push(vec![e.content.clone()]);
                }
                Some(None) => {}
                Some(Some((j, joined))) => {
                    taken[j].content = joined.concat();
                    parts[j] = joined;
                }
            }
        }
    }
    let mut out: Vec<(FileId, Vec<Edit>)> = by_file
        .into_iter()
        .map(|(f, mut edits, _)| {
            edits.sort_by_key(|e| (e.range.start, e.range.end));
            (f, edits)
        })
        .filter(|(_, e)| !e.is_empty())
        .collect();
    out.sort_by_key(|(f, _)| *f);
    (accepted, out)
}

fn is_insertion(e: &Edit) -> bool {
    e.range.is_empty()
}

/// Why a file may not be edited, if it may not: it is generated (`Code generated … DO NOT
/// EDIT.`, a Helm `# Source:` header) or a chart template.
pub fn refuse_file(display: &str, text: &str) -> Option<&'static str> {
    let path = display.replace('\\', "/");
    if path.split('/').any(|s| s == "templates") && path.split('/').count() > 1 {
        let dir = std::path::Path::new(display);
        let chart = dir
            .ancestors()
            .skip(1)
            .find(|a| a.file_name().is_some_and(|n| n == "templates"))
            .and_then(|t| t.parent())
            .is_some_and(|c| c.join("Chart.yaml").is_file());
        if chart {
            return Some("a Helm chart template");
        }
    }
    let head: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    if head.contains("Code generated") && head.contains("DO NOT EDIT") {
        return Some("a generated file (`DO NOT EDIT`)");
    }
    if text.lines().take(3).any(|l| l.starts_with("# Source: ")) {
        return Some("rendered Helm output (`# Source:` header)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documents the check records a part at a time are those a parse of the whole
    /// text finds, markers, comments and a directive included.
    #[test]
    fn documents_found_a_part_at_a_time_are_those_of_the_whole_text() {
        let text = "# head\napiVersion: v1\nkind: A\n---\n# between\napiVersion: v1\nkind: B\n...\n--- \napiVersion: v1\nkind: C # c\n---\n\n---\nlist:\n  - x\n...\n%YAML 1.2\n---\napiVersion: v1\nkind: D\n";
        let (tree, docs, err) = crate::source::parse(text, &crate::source::Limits::default());
        assert!(err.is_none());
        let whole = Documents::split(text, &tree, &docs);
        // The empty document (3) has no range, nor has the one after the directive (5).
        let indices: Vec<usize> = whole.ranges.iter().map(|(i, ..)| *i as usize).collect();
        assert_eq!(indices, [0, 1, 2, 4], "{whole:?}");
        let opts = crate::model::LoadOptions {
            limits: crate::source::Limits::default(),
            explicit: true,
        };
        // A budget of one byte: one document per part.
        let mut parts = crate::model::load::Parts::with_budget(text, &opts, 1);
        let mut by_parts = Documents::default();
        let mut count = 0;
        while let Some(loaded) = parts.next_part() {
            assert!(!loaded.parse_error);
            by_parts.add(text, &loaded.tree, &loaded.docs);
            count += 1;
        }
        assert!(count > 1, "the text was read in one part");
        assert_eq!(by_parts.ranges, whole.ranges);
        assert_eq!(&text[whole.get(1).unwrap()], "apiVersion: v1\nkind: B\n");
    }

    fn edit(start: usize, end: usize, s: &str) -> Edit {
        Edit {
            range: start..end,
            content: s.into(),
        }
    }

    #[test]
    fn plan_defers_overlaps_and_merges_identical_edits() {
        let f = FileId(0);
        let cands = vec![
            Candidate {
                file: f,
                edits: vec![edit(10, 10, "a")],
            },
            // Same insertion point: overlaps, deferred.
            Candidate {
                file: f,
                edits: vec![edit(10, 10, "b")],
            },
            // Identical edit: merged.
            Candidate {
                file: f,
                edits: vec![edit(10, 10, "a")],
            },
            Candidate {
                file: f,
                edits: vec![edit(20, 25, "c")],
            },
            // Touches the end of an accepted replacement: overlaps.
            Candidate {
                file: f,
                edits: vec![edit(25, 25, "d")],
            },
            Candidate {
                file: FileId(1),
                edits: vec![edit(10, 10, "b")],
            },
        ];
        let (accepted, by_file) = plan(&cands, |_, _| false);
        assert_eq!(accepted, vec![true, false, true, true, false, true]);
        assert_eq!(by_file[0].1, vec![edit(10, 10, "a"), edit(20, 25, "c")]);
        assert_eq!(by_file[1].1, vec![edit(10, 10, "b")]);
    }
}
