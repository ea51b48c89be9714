//! Ops on routes → minimal byte edits of a YAML (or JSON) text, without re-serialising.
//!
//! A fix states what it wants as [`Op`]s on [`Route`]s relative to an object's root;
//! [`lower`] turns them into [`Edit`]s against the current text and proves them: the edited
//! text parses, only the object's document changed, its value tree is the old one with the
//! ops applied, and no comment was lost except inside a deleted range
//! (`docs/specs/autofix.md` §4 is the specification; the table test in
//! `tests/fix_edit.rs` pins it byte for byte).
//!
//! Editing is by layout, not by re-rendering: a new key goes after the *full* extent of the
//! mapping's last entry, at the column of its first key; a new item copies the last item's
//! dash column and spacing; flow collections get flow text; a replaced scalar keeps its
//! quoting, tag and anchor. What cannot be done safely is refused with a reason
//! ([`NotFixable`]): aliases and anchors on the route, merge keys that supply a key on it,
//! duplicate keys, targets inside block scalars, tabs in an indentation to copy.
//!
//! Knows nothing about Kubernetes.

mod combined;
mod layout;
mod plan;
mod render;
mod style;
mod value;
mod verify;

pub use combined::{Applied, verify_pass};

use super::tree::NodeId;
use super::{Limits, ParsedDocument, Route, Seg, Tree, parse};
use std::cell::{OnceCell, RefCell};
use std::fmt;
use std::ops::Range;
use std::rc::Rc;

/// A small ordered value tree for what fixes write.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Str(String),
    Seq(Vec<Value>),
    /// Entries in the order they are written.
    Map(Vec<(String, Value)>),
}

/// One change a fix asks for, on a route relative to the object's root.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Ensure the field has this value: replace a scalar in its own style, or create the key
    /// and any missing intermediate mappings as ONE insertion at the nearest existing
    /// ancestor. Replaces a `null`/`~`/empty value.
    Set { route: Route, value: Value },
    /// Remove a mapping entry or a sequence item; with `prune`, remove parents that become
    /// empty (recursively, but never the object root).
    Remove { route: Route, prune: bool },
    /// Ensure `value` is an item of the sequence at `seq` (created, with intermediates, if
    /// missing); with `if_absent`, nothing when an equal resolved item exists.
    Append { seq: Route, value: Value, if_absent: bool },
    /// Rename the key of the entry at `route` (keep its quoting); refused if `new_key`
    /// exists.
    RenameKey { route: Route, new_key: String },
    /// Replace a whole node (scalar or collection) by a rendered value, in the node's block
    /// or flow style. A missing node is created as by [`Op::Set`].
    ReplaceSubtree { route: Route, value: Value },
}

/// A replacement of a byte range of the decoded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

/// Why a fix cannot be lowered. The reason never contains file text (it may hold secrets);
/// it may name the op and its route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotFixable(pub String);

/// The edits of one fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lowered {
    /// Sorted, non-overlapping (and not touching: touching edits are merged).
    pub edits: Vec<Edit>,
    /// Whether comments lie inside deleted ranges (a fix that deletes a comment is at most
    /// unsafe).
    pub deletes_comments: bool,
}

/// Where the object is.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// The document's index in the file (as [`super::ParsedDocument::index`] counts them).
    pub doc: usize,
    /// The route from the document root to the object: empty, or `items[3]` in a
    /// `kind: List`.
    pub prefix: &'a Route,
}

impl fmt::Display for NotFixable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotFixable {}

impl NotFixable {
    pub(crate) fn new(reason: impl Into<String>) -> NotFixable {
        NotFixable(reason.into())
    }
}

impl Op {
    /// The route the op addresses (for `Append`, the sequence's).
    pub fn route(&self) -> &Route {
        match self {
            Op::Set { route, .. }
            | Op::Remove { route, .. }
            | Op::RenameKey { route, .. }
            | Op::ReplaceSubtree { route, .. } => route,
            Op::Append { seq, .. } => seq,
        }
    }

    fn verb(&self) -> &'static str {
        match self {
            Op::Set { .. } => "set",
            Op::Remove { .. } => "remove",
            Op::Append { .. } => "append",
            Op::RenameKey { .. } => "rename",
            Op::ReplaceSubtree { .. } => "replace",
        }
    }
}

/// The op's verb and route, never its value (which may come from the file).
impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.verb(), self.route())
    }
}

/// Lowers the ops of ONE fix (routes relative to the object root) against `text` (already
/// decoded; no BOM), returns sorted non-overlapping edits, and verifies them (spec §4.6
/// 1–4). `json`: the file is JSON (`.json`) and is edited as JSON.
///
/// All ops are lowered against the same tree: routes name nodes of the current text, and
/// `Set`/`Append` ops that create below the same existing node become one insertion.
/// Ops that change nothing (the value is already there, the field to remove is absent)
/// give no edit; `Ok` with no edits means there is nothing to do.
pub fn lower(text: &str, target: Target<'_>, ops: &[Op], json: bool) -> Result<Lowered, NotFixable> {
    Parsed::new(text).lower(target, ops, json)
}

/// A text parsed once, to lower several fixes against it: what [`lower`] reads of the text
/// before the edits (its tree, comments, JSON validity and documents' values) is computed
/// once, whichever fix asks first.
pub struct Parsed<'t> {
    text: &'t str,
    tree: Tree<'t>,
    docs: Vec<ParsedDocument>,
    parses: bool,
    valid_json: OnceCell<bool>,
    comments: OnceCell<Vec<Range<usize>>>,
    /// Whether the tree has an alias.
    has_alias: OnceCell<bool>,
    /// The value of each document root asked for (`None`: too large to verify).
    models: RefCell<Vec<(NodeId, Option<value::Model>)>>,
    /// Where each node sits in its parent ([`layout::Links`]).
    links: OnceCell<layout::Links>,
    /// The style of each document root a fix was planned in.
    styles: RefCell<Vec<(NodeId, Rc<style::DocStyle>)>>,
}

impl<'t> Parsed<'t> {
    pub fn new(text: &'t str) -> Parsed<'t> {
        let (tree, docs, err) = parse(text, &Limits::default());
        Parsed {
            text,
            tree,
            docs,
            parses: err.is_none(),
            valid_json: OnceCell::new(),
            comments: OnceCell::new(),
            has_alias: OnceCell::new(),
            models: RefCell::new(Vec::new()),
            links: OnceCell::new(),
            styles: RefCell::new(Vec::new()),
        }
    }

    /// [`lower`], against this text.
    pub fn lower(&self, target: Target<'_>, ops: &[Op], json: bool) -> Result<Lowered, NotFixable> {
        if !self.parses {
            return Err(NotFixable::new("the file does not parse"));
        }
        if json
            && !*self
                .valid_json
                .get_or_init(|| serde_json::from_str::<serde::de::IgnoredAny>(self.text).is_ok())
        {
            return Err(NotFixable::new("the file is not valid JSON"));
        }
        let doc = self
            .docs
            .iter()
            .find(|d| d.index == target.doc)
            .ok_or_else(|| NotFixable::new("no such document"))?;
        let l = layout::Layout::with_links(self.text, &self.tree, self.links());
        let planned = plan::plan(&l, &self.style(&l, doc.root), doc.root, target.prefix, ops, json)?;
        if planned.is_empty() {
            return Ok(Lowered {
                edits: Vec::new(),
                deletes_comments: false,
            });
        }
        let edits = plan::finish(planned)?;
        let deletes_comments = verify::verify(&verify::Check {
            parsed: self,
            doc_root: doc.root,
            doc_index: target.doc,
            prefix: target.prefix,
            ops,
            edits: &edits,
            json,
        })?;
        Ok(Lowered {
            edits,
            deletes_comments,
        })
    }

    /// Where each node sits in its parent (found once).
    fn links(&self) -> &layout::Links {
        self.links.get_or_init(|| layout::Links::new(&self.tree))
    }

    /// The style of the document at `root` (found once).
    fn style(&self, l: &layout::Layout<'_, '_>, root: NodeId) -> Rc<style::DocStyle> {
        let mut styles = self.styles.borrow_mut();
        if let Some((_, s)) = styles.iter().find(|(r, _)| *r == root) {
            return s.clone();
        }
        let s = Rc::new(style::DocStyle::of(l, root));
        styles.push((root, s.clone()));
        s
    }

    /// The comments of the text ([`comments`]).
    fn comments(&self) -> &[Range<usize>] {
        self.comments.get_or_init(|| comments(self.text, &self.tree))
    }

    /// Whether the text has an alias.
    fn has_alias(&self) -> bool {
        *self.has_alias.get_or_init(|| {
            self.tree
                .nodes
                .iter()
                .any(|n| matches!(n.kind, super::tree::NodeKind::Alias { .. }))
        })
    }

    /// The value of the document at `root`, `None` when it is too large to verify.
    fn model(&self, root: NodeId) -> Option<value::Model> {
        self.with_model(root, Clone::clone)
    }

    /// `f` of the value of the document at `root` (computed once), without copying it;
    /// `None` when it is too large to verify.
    fn with_model<R>(&self, root: NodeId, f: impl FnOnce(&value::Model) -> R) -> Option<R> {
        let mut models = self.models.borrow_mut();
        let i = match models.iter().position(|(r, _)| *r == root) {
            Some(i) => i,
            None => {
                models.push((root, value::model_of(&self.tree, root)));
                models.len() - 1
            }
        };
        models[i].1.as_ref().map(f)
    }
}

/// Splices sorted non-overlapping edits into `text`. An edit that starts before the end
/// of the previous one, lies outside the text or splits a character is skipped (`lower`
/// never returns such edits).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let extra: usize = edits.iter().map(|e| e.content.len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut at = 0;
    for e in edits {
        let (start, end) = (e.range.start, e.range.end);
        if start < at || end < start || end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end)
        {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&e.content);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Whether two edits overlap, where a zero-width insertion at another edit's start or end
/// counts as overlapping (spec §2.3): two fixes that insert at the same point conflict.
pub fn overlaps(a: &Edit, b: &Edit) -> bool {
    let (a0, a1, b0, b1) = (a.range.start, a.range.end, b.range.start, b.range.end);
    if a0 < b1 && b0 < a1 {
        return true;
    }
    (a0 == a1 && (a0 == b0 || a0 == b1)) || (b0 == b1 && (b0 == a0 || b0 == a1))
}

/// Every comment's byte range, from `#` to the end of its line (without a `\r`): a `#` at
/// the start of a line or after a space or tab, outside every scalar (the definition
/// [`super::find_directives`] uses).
pub fn comments(text: &str, tree: &Tree<'_>) -> Vec<Range<usize>> {
    // Without a `#` there is no comment: the scalars are not looked for.
    if !text.contains('#') {
        return Vec::new();
    }
    let scalars = layout::Layout::new(text, tree).scalar_ranges();
    super::comments::comment_ranges(text, &scalars)
}

impl Value {
    /// A value written as YAML (flow or block) or JSON, e.g. `{drop: [ALL]}`: for tests and
    /// for fixes that are easier to read as text. Scalars are read as Kubernetes reads them
    /// (YAML 1.1: `y` and `on` are booleans; quote them for strings). `None` when it does
    /// not parse, holds a null, a float, an alias or a non-string key.
    pub fn from_yaml(text: &str) -> Option<Value> {
        let (tree, docs, err) = parse(text, &Limits::default());
        if err.is_some() || docs.len() != 1 {
            return None;
        }
        value::from_node(&tree, docs[0].root, 0)
    }
}

/// The last segment of a route, if it is a key.
fn last_key(route: &Route) -> Option<&str> {
    match route.segs().last()? {
        Seg::Key(k) => Some(k),
        Seg::Index(_) => None,
    }
}

#[cfg(test)]
mod tests;
