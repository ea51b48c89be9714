//! Verification of a fix by re-parsing only the block collection that holds its edits.
//!
//! A fix edits a few lines deep inside its document (a container's mapping, a pod's
//! spec), yet checking it by re-parsing the whole document costs as much as the document
//! for each fix. YAML reads a block collection by indentation alone: given the column it
//! starts at, what lies in it parses the same at the top of a text of its own as inside
//! its document, provided nothing in it reaches left of that column. So the region (the
//! lines of a block collection that holds every edit: the innermost whose edited lines
//! stay within its column) is parsed alone, its value put in place of the collection's in
//! the old document's value, and that must be the old value with the ops applied; its
//! comments must be the old ones. Entries appended to a block mapping (whole lines at its
//! column, right after its last line) are parsed alone, without the mapping
//! ([`appended`]); when the ops only add keys the mapping lacks ([`adding`]), the new
//! entries are compared with what the ops add, and the document's value is not read at
//! all. An entry removed with exactly its lines, where nothing after them reads otherwise
//! once they are gone, is checked on the tree alone ([`removed`]): nothing is parsed. A
//! collection holds the spaces that indent its first line, so removing its first entry
//! (the whole line) is otherwise checked in its region. Whatever this cannot show, it leaves
//! to the whole document's check
//! ([`super::whole`]): `None` never means the fix is wrong.
//!
//! What makes a region read as it does in its document, each checked:
//! - it starts a line, after spaces alone, at column 1 or more (not the document root, nor
//!   an item's mapping after `- `), and is a block collection (not `{` or `[`);
//! - after its end, its line holds only blanks or a comment;
//! - every other line of the edited region is blank, a comment, or starts at its column or
//!   right of it, with no tab before its first character; in a sequence, a line at its
//!   column starts an item (`- `); and no line break is a lone carriage return;
//! - the document has no alias (an anchor outside the region could name something in it,
//!   or the reverse) and no merge key on the way to it (nor in a mapping appended to);
//! - no block scalar keeps its trailing line breaks (`|+`, `>+`): its value would reach
//!   into the blank lines after the region;
//! - the edited region parses alone as one document whose root starts at that column and
//!   ends where the region's content does.

use super::super::value::{Model, apply_ops, model_of};
use super::super::{Op, Parsed, comments};
use super::{Check, deleted};
use crate::source::tree::{NodeId, NodeKind};
use crate::source::{Limits, Route, Seg, parse};

/// A block collection of the old document that holds every edit: where its region starts
/// (a line start), its column, where its region ends (after the line break of its last
/// line), and the path to it in the document's value (entry or item indices).
struct Region {
    start: usize,
    column: usize,
    end: usize,
    seq: bool,
    path: Vec<usize>,
    /// The collection's node in the old tree.
    node: NodeId,
}

/// How many of the collections that hold a fix's edits, innermost first, are looked at
/// for one whose edited region reads alone: a line inserted at the end of a collection
/// (a pod's new field after its last container) lies in every collection that ends there,
/// and only the outer ones are indented as it is. Bounded, so that a deeply nested
/// document costs a few scans of its text, not one per level.
const TRIED: usize = 4;

/// `Some(deletes_comments)` when the region shows the fix sound, `None` when the whole
/// document must be checked.
pub(super) fn verify(c: &Check<'_, '_>, new_text: &str) -> Option<bool> {
    let parsed = c.parsed;
    if parsed.has_alias() {
        return None;
    }
    if let Some(deletes_comments) = removed(c) {
        return Some(deletes_comments);
    }
    let lo = c.edits.first()?.range.start;
    let hi = c.edits.last()?.range.end;
    let delta = new_text.len() as isize - parsed.text.len() as isize;
    let found = find(parsed, c.doc_root, lo, hi);
    if let Some(verdict) = appended(c, &found) {
        return verdict;
    }
    // The innermost collection whose edited region stays within its column is parsed.
    let (region, text) = found.into_iter().rev().take(TRIED).find_map(|region| {
        let new_end = usize::try_from(region.end as isize + delta).ok()?;
        let text = new_text.get(region.start..new_end)?;
        reads_alone(text, region.column, region.seq).then_some((region, text))
    })?;
    let (tree, docs, err) = parse(text, &Limits::default());
    let [doc] = docs.as_slice() else { return None };
    let seq = match tree.node(doc.root).kind {
        NodeKind::Map { .. } => false,
        NodeKind::Seq { .. } => true,
        _ => return None,
    };
    if err.is_some() || seq != region.seq {
        return None;
    }
    let span = tree.span(doc.root);
    if span.start.byte as usize != region.column || !only_blanks_or_comments(&text[span.end.byte as usize..]) {
        return None;
    }
    // The value: the old document's with the region's in place of the collection's must
    // be the old one with the ops applied. That is, the expected value holds the
    // region's at the collection's path, and is the old one elsewhere (with the old
    // collection put back, it is the old value): one copy of the document's value, not two.
    let mut expected = parsed.model(c.doc_root)?;
    apply_ops(&mut expected, c.prefix, c.ops).ok()?;
    let slot = at_mut(&mut expected, &region.path)?;
    if *slot != model_of(&tree, doc.root)? {
        return None;
    }
    let same = parsed.with_model(c.doc_root, |old| {
        let mut expected = expected;
        let Some(slot) = at_mut(&mut expected, &region.path) else {
            return false;
        };
        let Some(was) = at_ref(old, &region.path) else {
            return false;
        };
        *slot = was.clone();
        expected == *old
    })?;
    if !same {
        return None;
    }
    // The comments: bytes outside the region are unchanged and read as before.
    let old_text = parsed.text;
    let mut deletes_comments = false;
    let mut kept: Vec<&str> = Vec::new();
    for r in parsed.comments() {
        if deleted(c.edits, r) {
            deletes_comments = true;
        } else if r.start >= region.start && r.end <= region.end {
            kept.push(&old_text[r.clone()]);
        }
    }
    let mut now: Vec<&str> = comments(text, &tree).into_iter().map(|r| &text[r]).collect();
    kept.sort_unstable();
    now.sort_unstable();
    (kept == now).then_some(deletes_comments)
}

/// Entries appended to a block mapping: one insertion of whole lines right after the
/// mapping's last line, where the innermost mapping that ends there and is indented as
/// the inserted lines is found. Nothing before the insertion can take those lines in (what
/// continues a value of the mapping is indented deeper than its keys), and the line after
/// it was not the mapping's: so the inserted lines alone, parsed at the mapping's column,
/// are its new last entries, and only they are parsed. `None` when the edit is not such an
/// insertion; else the verdict, as [`verify`] gives it.
fn appended(c: &Check<'_, '_>, found: &[Region]) -> Option<Option<bool>> {
    let parsed = c.parsed;
    let [edit] = c.edits else { return None };
    let at = edit.range.start;
    let text = edit.content.as_str();
    if !edit.range.is_empty() || !text.ends_with('\n') || (at > 0 && parsed.text.as_bytes()[at - 1] != b'\n') {
        return None;
    }
    let column = text.bytes().take_while(|b| *b == b' ').count();
    let region = found
        .iter()
        .rev()
        .take(TRIED)
        .find(|r| !r.seq && r.end == at && r.column == column && !parsed.tree.has_merge(r.node))?;
    // A block scalar of the mapping that keeps its final line breaks would lose those
    // after the insertion to the new entries.
    if keeps_breaks(&parsed.text.as_bytes()[region.start..region.end]) {
        return Some(None);
    }
    // The inserted lines as a text of their own: they stay within the column, and read
    // as one mapping there, with nothing after it.
    let mut alone = String::with_capacity(text.len() + 1);
    alone.push('\n');
    alone.push_str(text);
    if !reads_alone(&alone, column, false) {
        return Some(None);
    }
    let (tree, docs, err) = parse(text, &Limits::default());
    let [doc] = docs.as_slice() else { return Some(None) };
    let span = tree.span(doc.root);
    if err.is_some()
        || !matches!(tree.node(doc.root).kind, NodeKind::Map { .. })
        || span.start.byte as usize != column
        || !only_blanks_or_comments(&text[span.end.byte as usize..])
        || !comments(text, &tree).is_empty()
    {
        return Some(None);
    }
    let Some(Model::Map(added)) = model_of(&tree, doc.root) else {
        return Some(None);
    };
    // Ops that only add keys the mapping does not have: the new entries must be what they
    // add, and nothing else changes, so neither the document's value nor the mapping's
    // is read.
    if let Some(ops) = adding(c, region) {
        let mut expected = Model::Map(Vec::new());
        let same = apply_ops(&mut expected, &Route::root(), &ops).is_ok() && expected == Model::Map(added);
        return Some(same.then_some(false));
    }
    // The value: the mapping with the new entries after its own must be the old value's
    // with the ops applied, and the rest of the value the old one (as in [`verify`]).
    let same = (|| {
        let mut expected = parsed.model(c.doc_root)?;
        apply_ops(&mut expected, c.prefix, c.ops).ok()?;
        parsed.with_model(c.doc_root, |old| {
            let (Some(slot), Some(was)) = (at_mut(&mut expected, &region.path), at_ref(old, &region.path)) else {
                return false;
            };
            let Model::Map(entries) = was else { return false };
            let mut grown = entries.clone();
            grown.extend(added);
            if *slot != Model::Map(grown) {
                return false;
            }
            *slot = was.clone();
            expected == *old
        })
    })();
    // Nothing is deleted, so no comment is.
    Some((same == Some(true)).then_some(false))
}

/// One entry of a block mapping removed with its whole lines: the one op removes the
/// entry (of a key the mapping has once, with another entry left), and the one edit
/// deletes its lines exactly, from its key's line (only spaces before the key) to the end
/// of its value's line. Nothing else moves: what comes after the deleted lines (blank or
/// comment lines no deeper than the key, then the next entry's key or a line left of it)
/// ends the entry before as it ended this one, and the entry after starts at the same
/// column. So the document is the old one without that entry, and nothing is parsed.
/// `Some(deletes_comments)` when that is shown; `None` leaves the fix to the other checks.
/// The document has no alias ([`verify`] looked).
fn removed(c: &Check<'_, '_>) -> Option<bool> {
    let (text, tree) = (c.parsed.text, &c.parsed.tree);
    let ([edit], [Op::Remove { route, .. }]) = (c.edits, c.ops) else {
        return None;
    };
    let (Seg::Key(name), up) = route.segs().split_last()? else {
        return None;
    };
    if !edit.content.is_empty() {
        return None;
    }
    // The mapping, followed as the ops follow the value: a key's last entry, no merge key.
    let mut map = c.doc_root;
    for seg in c.prefix.segs().iter().chain(up) {
        map = child(tree, map, seg)?.1;
    }
    let map_start = tree.span(map).start.byte as usize;
    if !tree.is_map(map)
        || tree.has_merge(map)
        || tree.entries(map).len() < 2
        || super::super::layout::Layout::with_links(text, tree, c.parsed.links()).is_flow(map)
    {
        return None;
    }
    let mut same = tree
        .entries(map)
        .enumerate()
        .filter(|(_, (key, _))| tree.key_str(*key) == Some(name.as_ref()));
    let (index, (key, value)) = same.next()?;
    if same.next().is_some() {
        return None;
    }
    // The entry's lines, exactly.
    let key_start = tree.span(key).start.byte as usize;
    let line = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    let column = key_start - line;
    let value_end = tree.span(value).end.byte as usize;
    if column == 0
        || !text[line..key_start].bytes().all(|b| b == b' ')
        || value_end <= tree.span(value).start.byte as usize
        || value_end > text.len()
    {
        return None;
    }
    let end = after_line(text, value_end);
    if edit.range != (line..end) || !only_blanks_or_comments(&text[value_end..end]) {
        return None;
    }
    // A lone carriage return breaks lines that the lines here do not see; a block scalar
    // that keeps its final line breaks (before the entry) would take in the blank lines
    // after it.
    let bytes = text.as_bytes();
    if bytes
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        || keeps_breaks(&bytes[map_start.min(line)..line])
    {
        return None;
    }
    // After the deleted lines: empty lines, or spaces or a comment no deeper than the key
    // (deeper, a block scalar before the entry would take them in), then the next entry's
    // key at the column, or a line left of it, or the end of the text.
    let next_key = tree
        .entries(map)
        .nth(index + 1)
        .map(|(k, _)| tree.span(k).start.byte as usize);
    let mut at = end;
    for l in text[end..].split_inclusive('\n') {
        let body = l.trim_end_matches(['\n', '\r']);
        let indent = body.bytes().take_while(|b| *b == b' ').count();
        match &body.as_bytes()[indent..] {
            [] | [b'#', ..] if indent <= column => {}
            [] | [b'#', ..] | [b'\t', ..] => return None,
            _ => {
                let content = at + indent;
                return match next_key {
                    Some(k) => (indent == column && content == k).then(|| deletes_comments(c)),
                    None => (indent < column).then(|| deletes_comments(c)),
                };
            }
        }
        at += l.len();
    }
    next_key.is_none().then(|| deletes_comments(c))
}

/// Whether a comment of the old text lies in a range an edit deletes.
fn deletes_comments(c: &Check<'_, '_>) -> bool {
    c.parsed.comments().iter().any(|r| deleted(c.edits, r))
}

/// The ops routed from the mapping `region` (and applied to an empty one, what they add to
/// it), when each sets or appends under a key the mapping does not have: then they only
/// add entries after its own, and leave the rest of the document as it was. The route to
/// the mapping is followed in the old tree as the value's is ([`apply_ops`]: a key's last
/// entry), through no merge key.
fn adding(c: &Check<'_, '_>, region: &Region) -> Option<Vec<Op>> {
    let tree = &c.parsed.tree;
    let key_of = |k: NodeId| tree.key_str(k).unwrap_or("\u{0}complex key");
    // How many segments of the prefix, then of `route`, lead to the mapping.
    let reach = |route: &Route| -> Option<usize> {
        let mut node = c.doc_root;
        for (n, seg) in c.prefix.segs().iter().chain(route.segs()).enumerate() {
            let (i, next) = child(tree, node, seg)?;
            if region.path.get(n) != Some(&i) {
                return None;
            }
            node = next;
            if n + 1 == region.path.len() {
                return (node == region.node).then_some(n + 1);
            }
        }
        None
    };
    // The route from the mapping, when it starts with a key the mapping does not have.
    let from_mapping = |route: &Route| -> Option<Route> {
        let tail = route.tail(reach(route)?.checked_sub(c.prefix.segs().len())?);
        match tail.segs().first() {
            Some(Seg::Key(k)) if !tree.entries(region.node).any(|(key, _)| key_of(key) == k.as_ref()) => Some(tail),
            _ => None,
        }
    };
    c.ops
        .iter()
        .map(|op| match op {
            Op::Set { route, value } => Some(Op::Set {
                route: from_mapping(route)?,
                value: value.clone(),
            }),
            Op::ReplaceSubtree { route, value } => Some(Op::ReplaceSubtree {
                route: from_mapping(route)?,
                value: value.clone(),
            }),
            Op::Append { seq, value, if_absent } => Some(Op::Append {
                seq: from_mapping(seq)?,
                value: value.clone(),
                if_absent: *if_absent,
            }),
            Op::Remove { .. } | Op::RenameKey { .. } => None,
        })
        .collect()
}

/// The entry (its index and value) or item a segment names in `node`, as [`apply_ops`]
/// follows a value: a key's last entry, through no merge key.
fn child(tree: &crate::source::Tree<'_>, node: NodeId, seg: &Seg) -> Option<(usize, NodeId)> {
    match seg {
        Seg::Key(k) if tree.is_map(node) && !tree.has_merge(node) => tree
            .entries(node)
            .enumerate()
            .rfind(|(_, (key, _))| tree.key_str(*key) == Some(k.as_ref()))
            .map(|(i, (_, v))| (i, v)),
        Seg::Index(i) if tree.is_seq(node) => Some((*i, *tree.items(node).get(*i)?)),
        _ => None,
    }
}

/// The block collections below `root` whose regions hold `lo..hi`, outermost first.
fn find(parsed: &Parsed<'_>, root: NodeId, lo: usize, hi: usize) -> Vec<Region> {
    let (text, tree) = (parsed.text, &parsed.tree);
    let mut found = Vec::new();
    let mut path = Vec::new();
    let mut node = root;
    loop {
        if tree.has_merge(node) {
            break;
        }
        let children: Vec<NodeId> = if tree.is_map(node) {
            tree.entries(node).map(|(_, v)| v).collect()
        } else if tree.is_seq(node) {
            tree.items(node).to_vec()
        } else {
            break;
        };
        // A collection indented on its first line holds that line's spaces too: a removed
        // first entry (its whole line) lies in it.
        let holds = |id: &NodeId| {
            let span = tree.span(*id);
            let start = span.start.byte as usize;
            (start <= lo || indents(text, lo, start)) && hi <= after_line(text, span.end.byte as usize)
        };
        let Some((i, child)) = children.iter().enumerate().find(|(_, id)| holds(id)) else {
            break;
        };
        path.push(i);
        node = *child;
        if let Some(region) = block_region(parsed, node, hi, &path) {
            found.push(region);
        }
    }
    found
}

/// The region of `id` when it is a block collection that starts a line at column 1 or
/// more and whose last line ends after its content with blanks or a comment.
fn block_region(parsed: &Parsed<'_>, id: NodeId, hi: usize, path: &[usize]) -> Option<Region> {
    let (text, tree) = (parsed.text, &parsed.tree);
    let seq = match tree.node(id).kind {
        NodeKind::Map { .. } => false,
        NodeKind::Seq { .. } => true,
        _ => return None,
    };
    let span = tree.span(id);
    let (start, end) = (span.start.byte as usize, span.end.byte as usize);
    if matches!(text.as_bytes().get(start), Some(b'{' | b'[') | None) {
        return None;
    }
    let line = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = start - line;
    if column == 0 || !text[line..start].bytes().all(|b| b == b' ') {
        return None;
    }
    let after = after_line(text, end);
    if hi > after || !only_blanks_or_comments(&text[end..after]) {
        return None;
    }
    Some(Region {
        start: line,
        column,
        end: after,
        seq,
        path: path.to_vec(),
        node: id,
    })
}

/// Whether `lo`, before `start`, lies in the spaces that indent `start`'s line: only spaces
/// lie between the line's start and `start`. Looks at those spaces alone.
fn indents(text: &str, lo: usize, start: usize) -> bool {
    let bytes = text.as_bytes();
    if lo > start || !bytes[lo..start].iter().all(|b| *b == b' ') {
        return false;
    }
    let line = lo - bytes[..lo].iter().rev().take_while(|b| **b == b' ').count();
    line == 0 || bytes[line - 1] == b'\n'
}

/// Where the line that holds byte `at` ends, after its line feed (or the end of the text).
/// Edits up to there are in the region: lines inserted before the next line belong to
/// the collection when they are indented as its own (which [`reads_alone`] checks).
fn after_line(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Whether `rest` holds only blanks, line breaks and comments.
fn only_blanks_or_comments(rest: &str) -> bool {
    rest.lines().all(|l| {
        let l = l.trim_start_matches([' ', '\t', '\r']);
        l.is_empty() || l.starts_with('#')
    })
}

/// Whether a text may hold a block scalar that keeps its final line breaks: `|+`, `>+`,
/// `|2+`, `>+2`...
fn keeps_breaks(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| matches!(w, [b'|' | b'>', b'+']))
        || bytes.windows(3).any(|w| matches!(w, [b'|' | b'>', b'1'..=b'9', b'+']))
}

/// Whether the edited region's lines stay within its column (see the module's list).
fn reads_alone(text: &str, column: usize, seq: bool) -> bool {
    let bytes = text.as_bytes();
    if bytes
        .iter()
        .enumerate()
        .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
    {
        return false;
    }
    if keeps_breaks(bytes) {
        return false;
    }
    text.split('\n').skip(1).all(|line| {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        match &line.as_bytes()[indent..] {
            [] | [b'#', ..] => true,
            [b'\t', ..] => false,
            _ if indent < column => false,
            rest if seq && indent == column => matches!(rest, [b'-'] | [b'-', b' ' | b'\t', ..]),
            _ => true,
        }
    })
}

/// The node at `path` (entry or item indices) in a value, to read.
fn at_ref<'m>(mut model: &'m Model, path: &[usize]) -> Option<&'m Model> {
    for &i in path {
        model = match model {
            Model::Map(entries) => &entries.get(i)?.1,
            Model::Seq(items) => items.get(i)?,
            _ => return None,
        };
    }
    Some(model)
}

/// The node at `path` (entry or item indices) in a value.
fn at_mut<'m>(mut model: &'m mut Model, path: &[usize]) -> Option<&'m mut Model> {
    for &i in path {
        model = match model {
            Model::Map(entries) => &mut entries.get_mut(i)?.1,
            Model::Seq(items) => items.get_mut(i)?,
            _ => return None,
        };
    }
    Some(model)
}

#[cfg(test)]
mod tests {
    use super::super::super::{Edit, Op, Value, apply};
    use super::super::{Check, whole};
    use super::*;
    use crate::source::Route;

    const POD: &str = "spec:\n  containers:\n  - name: app\n    securityContext:\n      runAsNonRoot: true\n    image: x\n  volumes: []\n";

    /// The region's verdict and the whole document's, for `content` inserted at the
    /// first byte after `after` with `ops` as the fix's.
    fn both(text: &str, after: &str, content: &str, ops: &[Op]) -> (Option<bool>, Result<bool, String>) {
        let (_, region, whole) = three(text, after, content, ops);
        (region, whole)
    }

    fn set_read_only() -> Vec<Op> {
        let route = Route::root()
            .key("spec")
            .key("containers")
            .index(0)
            .key("securityContext")
            .key("readOnlyRootFilesystem");
        vec![Op::Set {
            route,
            value: Value::Bool(true),
        }]
    }

    #[test]
    fn a_line_indented_as_its_collection_is_verified_in_the_region() {
        let got = both(
            POD,
            "runAsNonRoot: true\n",
            "      readOnlyRootFilesystem: true\n",
            &set_read_only(),
        );
        assert_eq!(got, (Some(false), Ok(false)));
    }

    /// The check of a fix with `ops` and `edits` on the first document of `parsed` (YAML).
    fn check<'a, 't>(parsed: &'a Parsed<'t>, prefix: &'a Route, ops: &'a [Op], edits: &'a [Edit]) -> Check<'a, 't> {
        Check {
            parsed,
            doc_root: parsed.docs[0].root,
            doc_index: 0,
            prefix,
            ops,
            edits,
            json: false,
        }
    }

    /// The verdicts of [`appended`] (`None`: not an appended entry), of the region and of
    /// the whole document, for `content` inserted after `after`.
    fn three(
        text: &str,
        after: &str,
        content: &str,
        ops: &[Op],
    ) -> (Option<Option<bool>>, Option<bool>, Result<bool, String>) {
        let parsed = Parsed::new(text);
        let at = text.find(after).expect("anchor") + after.len();
        let edits = [Edit {
            range: at..at,
            content: content.to_string(),
        }];
        let prefix = Route::root();
        let c = check(&parsed, &prefix, ops, &edits);
        let new_text = apply(text, &edits);
        let found = find(&parsed, c.doc_root, at, at);
        (
            appended(&c, &found),
            verify(&c, &new_text),
            whole(&c, &new_text).map_err(|e| e.0),
        )
    }

    /// A field inserted after a pod's last container lies in every collection that ends
    /// there; the innermost indented as it is (the pod's spec) takes it as a new entry,
    /// and only the inserted line is parsed. A wrong value, a line that is not a key of
    /// that mapping, or a key it has already, is left to the whole document, which
    /// rejects it.
    #[test]
    fn entries_appended_to_a_mapping_are_verified_alone() {
        let text = "spec:\n  containers:\n    - name: app\n      env:\n        - name: A\n          value: b\n";
        let set = |key: &'static str, value: Value| {
            vec![Op::Set {
                route: Route::root().key("spec").key(key),
                value,
            }]
        };
        let parsed = Parsed::new(text);
        let columns: Vec<usize> = find(&parsed, parsed.docs[0].root, text.len(), text.len())
            .iter()
            .map(|r| r.column)
            .collect();
        // The spec, the containers and the env list hold the insertion; only the spec is
        // a mapping at the inserted line's column.
        assert_eq!(columns, [2, 4, 8]);
        let ok = set("automountServiceAccountToken", Value::Bool(false));
        assert_eq!(
            three(text, "value: b\n", "  automountServiceAccountToken: false\n", &ok),
            (Some(Some(false)), Some(false), Ok(false))
        );
        for (content, ops) in [
            ("  automountServiceAccountToken: true\n", ok.clone()),
            ("  automountServiceAccountToken: false # why\n", ok.clone()),
            ("  containers: []\n", set("containers", Value::Seq(Vec::new()))),
        ] {
            let (alone, region, whole) = three(text, "value: b\n", content, &ops);
            assert_eq!((alone, region), (Some(None), None), "{content:?}");
            assert!(whole.is_err(), "{content:?}");
        }
        // A block scalar that keeps its final line breaks, before the insertion.
        let kept = "spec:\n  note: |+\n    x\n\n";
        let alone: Vec<_> = ["x\n", "x\n\n"]
            .into_iter()
            .map(|after| three(kept, after, "  automountServiceAccountToken: false\n", &ok).0)
            .collect();
        assert!(
            alone.contains(&Some(None)) && !alone.iter().any(|a| matches!(a, Some(Some(_)))),
            "{alone:?}"
        );
        // Not at the column of a mapping that ends there: the regions are tried.
        let deeper = three(text, "value: b\n", "          other: c\n", &[]);
        assert_eq!(deeper.0, None);
    }

    /// Ops that only add keys to the mapping are checked against the new entries alone,
    /// routed from the mapping; any other op (a key it has, a removal, a route elsewhere)
    /// against the document's value.
    #[test]
    fn ops_that_add_keys_are_checked_against_the_new_entries_alone() {
        let text = "spec:\n  containers:\n    - name: app\n  volumes: []\nother:\n  a: 1\n";
        let parsed = Parsed::new(text);
        let spec = Route::root().key("spec");
        let (at, after) = ("volumes: []\n", "  securityContext:\n    runAsNonRoot: true\n");
        let nested = vec![
            Op::Set {
                route: spec.key("securityContext").key("runAsNonRoot"),
                value: Value::Bool(true),
            },
            Op::Append {
                seq: spec.key("tolerations"),
                value: Value::Str("x".into()),
                if_absent: true,
            },
        ];
        let routed = |ops: &[Op]| {
            let prefix = Route::root();
            let c = check(&parsed, &prefix, ops, &[]);
            let spec = find(&parsed, c.doc_root, text.find(at).unwrap(), text.find(at).unwrap())
                .into_iter()
                .find(|r| r.column == 2)
                .expect("the spec");
            adding(&c, &spec).map(|ops| ops.iter().map(|op| op.route().to_string()).collect::<Vec<_>>())
        };
        // Routed from the spec.
        assert_eq!(
            routed(&nested),
            Some(vec![
                "securityContext.runAsNonRoot".to_string(),
                "tolerations".to_string()
            ])
        );
        for ops in [
            vec![Op::Set {
                route: spec.key("volumes"),
                value: Value::Seq(Vec::new()),
            }],
            vec![Op::Set {
                route: Route::root().key("other").key("b"),
                value: Value::Int(2),
            }],
            vec![Op::Remove {
                route: spec.key("nothing"),
                prune: false,
            }],
        ] {
            assert_eq!(routed(&ops), None, "{ops:?}");
        }
        // Verified on the new entries: what the ops add, and nothing else.
        let ok = three(text, at, &format!("{after}  tolerations:\n    - x\n"), &nested);
        assert_eq!(ok, (Some(Some(false)), Some(false), Ok(false)));
        let (alone, _, whole) = three(text, at, after, &nested);
        assert_eq!(alone, Some(None));
        assert!(whole.is_err());
    }

    /// Removing a mapping's first entry deletes its whole line, spaces included: the
    /// mapping holds that line, and its region is parsed, not the whole document.
    #[test]
    fn a_removed_first_entry_is_verified_in_the_region() {
        let text = "kind: Deployment\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: a}\n";
        let parsed = Parsed::new(text);
        let at = text.find("  replicas").expect("the entry");
        let edits = [Edit {
            range: at..at + "  replicas: 2\n".len(),
            content: String::new(),
        }];
        let ops = [Op::Remove {
            route: Route::root().key("spec").key("replicas"),
            prune: false,
        }];
        let prefix = Route::root();
        let c = check(&parsed, &prefix, &ops, &edits);
        let columns: Vec<usize> = find(&parsed, c.doc_root, at, edits[0].range.end)
            .iter()
            .map(|r| r.column)
            .collect();
        assert_eq!(columns, [2]);
        let new_text = apply(text, &edits);
        assert_eq!(verify(&c, &new_text), Some(false));
        assert_eq!(whole(&c, &new_text).map_err(|e| e.0), Ok(false));
    }

    /// The verdicts of [`removed`] and of the whole document, for `lines` (found in
    /// `text`) deleted by a fix that removes `route`.
    fn removal(text: &str, lines: &str, route: Route) -> (Option<bool>, Result<bool, String>) {
        let parsed = Parsed::new(text);
        let at = text.find(lines).expect("the lines");
        let edits = [Edit {
            range: at..at + lines.len(),
            content: String::new(),
        }];
        let ops = [Op::Remove { route, prune: false }];
        let prefix = Route::root();
        let c = check(&parsed, &prefix, &ops, &edits);
        (removed(&c), whole(&c, &apply(text, &edits)).map_err(|e| e.0))
    }

    /// An entry removed with exactly its lines is verified without a parse: first, middle
    /// or last, with a nested value, with a comment on its lines. Whatever could read
    /// otherwise once the lines are gone is left to the other checks.
    #[test]
    fn an_entry_removed_with_its_lines_is_verified_without_a_parse() {
        let spec = || Route::root().key("spec");
        let text = "spec:\n  replicas: 2 # two\n  selector:\n    matchLabels:\n      app: a\n\n  # the pods\n  template: {}\nstatus: {}\n";
        for (lines, key, comments) in [
            ("  replicas: 2 # two\n", "replicas", true),
            ("  selector:\n    matchLabels:\n      app: a\n", "selector", false),
            ("  template: {}\n", "template", false),
        ] {
            assert_eq!(
                removal(text, lines, spec().key(key)),
                (Some(comments), Ok(comments)),
                "{lines:?}"
            );
        }
        for (text, lines, key) in [
            // A block scalar before the entry would take in the deeper comment after it.
            (
                "spec:\n  a: |\n    text\n  k: v\n    # deeper\n  b: 1\n",
                "  k: v\n",
                "k",
            ),
            // ...or the blank lines, when it keeps its final line breaks.
            ("spec:\n  a: |+\n    text\n\n  k: v\n\n  b: 1\n", "  k: v\n", "k"),
            // Not the entry's lines: the value goes on below them.
            ("spec:\n  k:\n    x: 1\n    y: 2\n  b: 1\n", "  k:\n    x: 1\n", "k"),
            // A key the mapping has twice, the mapping's only entry, a flow mapping.
            ("spec:\n  k: 1\n  k: 2\n", "  k: 2\n", "k"),
            ("spec:\n  k: 1\nother: 2\n", "  k: 1\n", "k"),
            ("spec: {\n  k: 1,\n  b: 2 }\n", "  k: 1,\n", "k"),
        ] {
            assert_eq!(removal(text, lines, spec().key(key)).0, None, "{text:?}");
        }
        // Not the whole line of the first key of an item, nor of the item.
        let item = "spec:\n- k: v\n  b: 1\n";
        for lines in ["- k: v\n", "k: v\n"] {
            assert_eq!(removal(item, lines, spec().index(0).key("k")).0, None, "{lines:?}");
        }
        assert_eq!(
            removal(item, "  b: 1\n", spec().index(0).key("b")),
            (Some(false), Ok(false))
        );
        // The first of those reads otherwise indeed.
        let deeper = "spec:\n  a: |\n    text\n  k: v\n    # deeper\n  b: 1\n";
        assert!(removal(deeper, "  k: v\n", spec().key("k")).1.is_err());
    }

    #[test]
    fn a_region_that_does_not_read_back_is_left_to_the_whole_document() {
        for content in [
            // Read in the document, the line is a key of the container, not of its
            // securityContext.
            "    readOnlyRootFilesystem: true\n",
            // Not the value the ops want.
            "      readOnlyRootFilesystem: false\n",
        ] {
            let (region, whole) = both(POD, "runAsNonRoot: true\n", content, &set_read_only());
            assert_eq!(region, None, "{content:?}");
            assert!(whole.is_err(), "{content:?}");
        }
    }

    #[test]
    fn aliases_and_kept_line_breaks_are_left_to_the_whole_document() {
        let aliased = "x: &a 1\ny: *a\nspec:\n  containers:\n  - name: app\n    securityContext:\n      runAsNonRoot: true\n    image: x\n";
        let got = both(
            aliased,
            "runAsNonRoot: true\n",
            "      readOnlyRootFilesystem: true\n",
            &set_read_only(),
        );
        assert_eq!(got.0, None);
        let kept = "spec:\n  containers:\n  - name: app\n    securityContext:\n      runAsNonRoot: true\n      note: |+\n        x\n\n    image: x\n";
        let got = both(
            kept,
            "runAsNonRoot: true\n",
            "      readOnlyRootFilesystem: true\n",
            &set_read_only(),
        );
        assert_eq!(got.0, None);
    }
}
