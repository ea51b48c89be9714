//! Verification of one fix's edits (spec §4.6, checks 1–4): the edited text parses into
//! the same documents, only the object's document changed and it reads back as the old
//! one with the ops applied, every byte outside the edits is unchanged, and the comments
//! are those of before, less those inside deleted ranges.

mod region;

use super::value::{apply_ops, model_of};
use super::{Edit, NotFixable, Op, Parsed, apply, comments};
use crate::source::tree::NodeId;
use crate::source::{Limits, Route, parse};

pub(super) struct Check<'a, 't> {
    /// The text before the edits.
    pub parsed: &'a Parsed<'t>,
    pub doc_root: NodeId,
    pub doc_index: usize,
    pub prefix: &'a Route,
    pub ops: &'a [Op],
    pub edits: &'a [Edit],
    pub json: bool,
}

impl Check<'_, '_> {
    /// A failed check: the check and the ops, never the text.
    fn internal(&self, what: &str) -> NotFixable {
        let ops: Vec<String> = self.ops.iter().map(ToString::to_string).collect();
        NotFixable(format!("internal: {what} ({})", ops.join("; ")))
    }
}

/// Runs the checks; `Ok(true)` when comments lie inside deleted ranges.
pub(super) fn verify(c: &Check<'_, '_>) -> Result<bool, NotFixable> {
    let (text, tree, docs) = (c.parsed.text, &c.parsed.tree, &c.parsed.docs[..]);
    // Every edit lies between the neighbouring documents.
    let position = docs.iter().position(|d| d.index == c.doc_index);
    let floor = position
        .and_then(|i| i.checked_sub(1))
        .map_or(0, |i| tree.span(docs[i].root).end.byte as usize);
    let ceiling = position
        .and_then(|i| docs.get(i + 1))
        .map_or(text.len(), |d| tree.span(d.root).start.byte as usize);
    if c.edits.iter().any(|e| e.range.start < floor || e.range.end > ceiling) {
        return Err(c.internal("an edit lies outside its document"));
    }
    let new_text = apply(text, c.edits);
    if !bytes_outside_unchanged(text, &new_text, c.edits) {
        return Err(c.internal("bytes outside the edits changed"));
    }
    if !c.json
        && let Some(deletes_comments) = region::verify(c, &new_text)
    {
        // Every test run checks that the whole document reads back as the region does.
        if cfg!(debug_assertions) {
            assert_eq!(
                whole(c, &new_text),
                Ok(deletes_comments),
                "the region of a fix verified, the whole document did not"
            );
        }
        return Ok(deletes_comments);
    }
    whole(c, &new_text)
}

/// Checks 1–4 on the whole edited text: it parses into the same documents, the others
/// unchanged, the object's reads back as intended and the comments are kept.
fn whole(c: &Check<'_, '_>, new_text: &str) -> Result<bool, NotFixable> {
    let (text, tree, docs) = (c.parsed.text, &c.parsed.tree, &c.parsed.docs[..]);
    let (new_tree, new_docs, err) = parse(new_text, &Limits::default());
    if err.is_some() {
        return Err(c.internal("the edited text does not parse"));
    }
    if new_docs.len() != docs.len() || new_docs.iter().zip(docs).any(|(a, b)| a.index != b.index) {
        return Err(c.internal("the edited text has other documents"));
    }
    let mut new_root = None;
    for (old, new) in docs.iter().zip(&new_docs) {
        if old.index == c.doc_index {
            new_root = Some(new.root);
        } else if text.get(tree.span(old.root).bytes()) != new_text.get(new_tree.span(new.root).bytes()) {
            return Err(c.internal("another document changed"));
        }
    }
    let new_root = new_root.ok_or_else(|| c.internal("the document is gone"))?;
    let mut expected = c
        .parsed
        .model(c.doc_root)
        .ok_or_else(|| NotFixable::new("the document is too large to verify"))?;
    apply_ops(&mut expected, c.prefix, c.ops).map_err(|e| c.internal(&e))?;
    let got = model_of(&new_tree, new_root).ok_or_else(|| NotFixable::new("the document is too large to verify"))?;
    if got != expected {
        return Err(c.internal("the edited document does not read back as intended"));
    }
    let old_comments = c.parsed.comments();
    let new_comments = comments(new_text, &new_tree);
    let mut kept: Vec<&str> = Vec::new();
    let mut deletes_comments = false;
    for r in old_comments {
        if deleted(c.edits, r) {
            deletes_comments = true;
        } else {
            kept.push(&text[r.clone()]);
        }
    }
    let mut now: Vec<&str> = new_comments.iter().map(|r| &new_text[r.clone()]).collect();
    kept.sort_unstable();
    now.sort_unstable();
    if kept != now {
        return Err(c.internal("comments changed"));
    }
    if c.json && serde_json::from_str::<serde::de::IgnoredAny>(new_text).is_err() {
        return Err(c.internal("the edited JSON is not valid JSON"));
    }
    Ok(deletes_comments)
}

/// Whether a comment lies in a range an edit deletes.
fn deleted(edits: &[Edit], r: &std::ops::Range<usize>) -> bool {
    edits
        .iter()
        .any(|e| e.range.start < e.range.end && r.start < e.range.end && e.range.start < r.end)
}

/// The new text is the old one with exactly the edits spliced in.
fn bytes_outside_unchanged(old: &str, new: &str, edits: &[Edit]) -> bool {
    let (mut o, mut n) = (0usize, 0usize);
    for e in edits {
        let Some(gap) = old.get(o..e.range.start) else {
            return false;
        };
        if new.get(n..n + gap.len()) != Some(gap) {
            return false;
        }
        n += gap.len();
        if new.get(n..n + e.content.len()) != Some(e.content.as_str()) {
            return false;
        }
        n += e.content.len();
        o = e.range.end;
    }
    old.get(o..) == new.get(n..)
}
