//! Ops → edits (spec §4.3, §4.4): walking routes with the refusals, grouping what is
//! created below one existing node into one insertion, removals by runs of siblings.

use super::layout::{Layout, Parent};
use super::render::{Render, double, string};
use super::style::{DocStyle, Quote, Quoting, item_gap, quoting_of};
use super::value::{Model, model_of};
use super::{Edit, NotFixable, Op, Value};
use crate::source::tree::{NodeId, NodeKind, ScalarStyle, Tree};
use crate::source::{Route, Seg};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;

/// An edit before merging, with the depth of the node it writes into (at one insertion
/// point, the deeper node's text comes first).
#[derive(Debug)]
pub(super) struct Pending {
    range: Range<usize>,
    content: String,
    depth: usize,
}

/// What is created below one existing node.
#[derive(Debug)]
enum GroupKind {
    /// New entries of an existing mapping.
    Map,
    /// New items of an existing sequence.
    Seq,
    /// A collection in place of a null (or of a scalar being replaced).
    Replace,
}

#[derive(Debug)]
struct Group {
    node: NodeId,
    kind: GroupKind,
    /// `Map` entries or `Seq` items.
    value: Value,
}

/// What a route leads to when it ends in a created key.
enum Leaf<'v> {
    Set(&'v Value),
    Append(&'v Value, bool),
}

struct Walked {
    /// `nodes[i]`: the node after `i` segments (`nodes[0]` is the start).
    nodes: Vec<NodeId>,
    matched: usize,
}

impl Walked {
    fn last(&self) -> NodeId {
        self.nodes[self.nodes.len() - 1]
    }
}

fn conflict() -> NotFixable {
    NotFixable::new("the ops of this fix conflict")
}

/// Lowers the ops to edits, not yet merged or checked for overlaps.
pub(super) fn plan(
    text: &str,
    tree: &Tree<'_>,
    doc_root: NodeId,
    prefix: &Route,
    ops: &[Op],
    json: bool,
) -> Result<Vec<Pending>, NotFixable> {
    check_op_conflicts(ops)?;
    let l = Layout::new(text, tree);
    let doc_nodes = doc_root.0 as usize..doc_end(tree, doc_root);
    let style = DocStyle::detect(&l, doc_nodes);
    let mut p = Planner {
        l: &l,
        style,
        json,
        object: doc_root,
        groups: Vec::new(),
        edits: Vec::new(),
        removes: Vec::new(),
    };
    let w = p.walk(doc_root, prefix.segs())?;
    if w.matched < prefix.segs().len() {
        return Err(NotFixable::new("the object is not at its route"));
    }
    p.object = w.last();
    p.check_node(p.object)?;
    for op in ops {
        p.op(op)?;
    }
    p.removals()?;
    let groups = std::mem::take(&mut p.groups);
    for g in &groups {
        p.render_group(g)?;
    }
    Ok(p.edits)
}

/// The index after the last node of the document whose root is `root` (nodes of a
/// document are contiguous, and a root collection is its document's first node).
fn doc_end(tree: &Tree<'_>, root: NodeId) -> usize {
    let mut end = root.0 as usize + 1;
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        end = end.max(id.0 as usize + 1);
        match tree.node(id).kind {
            NodeKind::Map { .. } => stack.extend(tree.entries(id).flat_map(|(k, v)| [k, v])),
            NodeKind::Seq { .. } => stack.extend(tree.items(id).iter().copied()),
            _ => {}
        }
    }
    end
}

/// Two ops on the same route, or one below the other, make the fix ambiguous (is the inner
/// op applied to the old value or to the new one?). A rename counts for both its keys.
fn check_op_conflicts(ops: &[Op]) -> Result<(), NotFixable> {
    let routes = |op: &Op| -> Vec<Route> {
        let mut out = vec![op.route().clone()];
        if let Op::RenameKey { route, new_key } = op {
            if let Some((_, parent)) = route.segs().split_last() {
                let mut renamed = Route::root();
                for seg in parent {
                    renamed = match seg {
                        Seg::Key(k) => renamed.key(k.clone()),
                        Seg::Index(i) => renamed.index(*i),
                    };
                }
                out.push(renamed.key(new_key.clone()));
            }
        }
        out
    };
    for (i, a) in ops.iter().enumerate() {
        for b in &ops[i + 1..] {
            for x in routes(a) {
                for y in routes(b) {
                    let (x, y) = (x.segs(), y.segs());
                    if x.starts_with(y) || y.starts_with(x) {
                        return Err(conflict());
                    }
                }
            }
        }
    }
    Ok(())
}

struct Planner<'p, 'a, 't> {
    l: &'p Layout<'a, 't>,
    style: DocStyle,
    json: bool,
    object: NodeId,
    groups: Vec<Group>,
    edits: Vec<Pending>,
    /// (node removed, prune)
    removes: Vec<(NodeId, bool)>,
}

impl<'a, 't> Planner<'_, 'a, 't> {
    fn tree(&self) -> &'t Tree<'a> {
        self.l.tree
    }

    /// Refusals for a node the route passes through or edits.
    fn check_node(&self, id: NodeId) -> Result<(), NotFixable> {
        if matches!(self.tree().node(id).kind, NodeKind::Alias { .. }) {
            return Err(NotFixable::new("the route passes through an alias"));
        }
        if self.l.is_alias_target(id) {
            return Err(NotFixable::new("the route passes through an anchor that an alias uses"));
        }
        Ok(())
    }

    /// Walks `segs` from `start` with the refusals of spec §4.4; stops at the first
    /// segment that is absent.
    fn walk(&self, start: NodeId, segs: &[Seg]) -> Result<Walked, NotFixable> {
        let tree = self.tree();
        let mut nodes = vec![start];
        let mut node = start;
        for (depth, seg) in segs.iter().enumerate() {
            self.check_node(node)?;
            let next = match seg {
                Seg::Key(k) => self.lookup(node, k)?,
                Seg::Index(i) => tree.items(node).get(*i).copied().filter(|_| tree.is_seq(node)),
            };
            match next {
                Some(n) => {
                    nodes.push(n);
                    node = n;
                }
                None => return Ok(Walked { nodes, matched: depth }),
            }
        }
        Ok(Walked {
            nodes,
            matched: segs.len(),
        })
    }

    /// The value of `key` in `map` when written once in the mapping itself; refused when
    /// duplicated or supplied by a merge key.
    fn lookup(&self, map: NodeId, key: &str) -> Result<Option<NodeId>, NotFixable> {
        let tree = self.tree();
        if !matches!(tree.node(map).kind, NodeKind::Map { .. }) {
            return Ok(None);
        }
        let own: Vec<(NodeId, NodeId)> = tree
            .entries(map)
            .filter(|(k, _)| tree.key_str(*k) == Some(key))
            .collect();
        if own.len() > 1 {
            return Err(NotFixable::new("a key on the route is duplicated in its mapping"));
        }
        if own.iter().any(|(k, _)| tree.is_merge_key(*k)) {
            return Err(NotFixable::new("a merge key is on the route"));
        }
        if tree.has_merge(map) {
            let expanded = tree
                .expanded_entries(map)
                .ok_or_else(|| NotFixable::new("a merge key on the route expands too far"))?;
            let merged = expanded
                .iter()
                .any(|(k, _)| tree.key_str(*k) == Some(key) && !own.iter().any(|(o, _)| o == k));
            if merged {
                return Err(NotFixable::new("a merge key supplies a key on the route"));
            }
        }
        Ok(own.first().map(|(_, v)| *v))
    }

    fn op(&mut self, op: &Op) -> Result<(), NotFixable> {
        match op {
            Op::Set { route, value } => self.set(route, value, false),
            Op::ReplaceSubtree { route, value } => self.set(route, value, true),
            Op::Append { seq, value, if_absent } => self.append(seq, value, *if_absent),
            Op::Remove { route, prune } => self.remove(route, *prune),
            Op::RenameKey { route, new_key } => self.rename(route, new_key),
        }
    }

    // ----- Set, ReplaceSubtree, Append -----

    fn set(&mut self, route: &Route, value: &Value, replace: bool) -> Result<(), NotFixable> {
        if route.is_root() {
            return Err(NotFixable::new("an op cannot replace the object itself"));
        }
        let w = self.walk(self.object, route.segs())?;
        if w.matched < route.segs().len() {
            return self.create_below(&w, &route.segs()[w.matched..], Leaf::Set(value));
        }
        let node = w.last();
        self.check_node(node)?;
        if model_of(self.tree(), node).as_ref() == Some(&Model::from(value)) {
            return Ok(());
        }
        let collection =
            matches!(value, Value::Map(m) if !m.is_empty()) || matches!(value, Value::Seq(s) if !s.is_empty());
        let is_scalar = matches!(self.tree().node(node).kind, NodeKind::Scalar { .. });
        match (is_scalar, collection) {
            (true, false) => self.replace_scalar(node, value),
            (true, true) => {
                if self.tree().is_null(node) && !replace {
                    self.group(node, GroupKind::Replace, value)
                } else {
                    if self.groups.iter().any(|g| g.node == node) {
                        return Err(conflict());
                    }
                    self.groups.push(Group {
                        node,
                        kind: GroupKind::Replace,
                        value: value.clone(),
                    });
                    Ok(())
                }
            }
            (false, _) => self.replace_collection(node, value),
        }
    }

    fn append(&mut self, route: &Route, value: &Value, if_absent: bool) -> Result<(), NotFixable> {
        let w = self.walk(self.object, route.segs())?;
        if w.matched < route.segs().len() {
            return self.create_below(&w, &route.segs()[w.matched..], Leaf::Append(value, if_absent));
        }
        let node = w.last();
        self.check_node(node)?;
        let tree = self.tree();
        if tree.is_seq(node) {
            let model = Model::from(value);
            if if_absent
                && tree
                    .items(node)
                    .iter()
                    .any(|i| model_of(tree, *i).as_ref() == Some(&model))
            {
                return Ok(());
            }
            return self.group_item(node, GroupKind::Seq, value, if_absent);
        }
        if tree.is_null(node) && matches!(tree.node(node).kind, NodeKind::Scalar { .. }) {
            return self.group_item(node, GroupKind::Replace, value, if_absent);
        }
        Err(NotFixable::new("the route of an append is not a sequence"))
    }

    /// Adds an item to the sequence a group creates or extends.
    fn group_item(&mut self, node: NodeId, kind: GroupKind, value: &Value, if_absent: bool) -> Result<(), NotFixable> {
        let g = self.group_for(node, kind, Value::Seq(Vec::new()))?;
        let Value::Seq(items) = &mut g.value else {
            return Err(conflict());
        };
        if !(if_absent && items.contains(value)) {
            items.push(value.clone());
        }
        Ok(())
    }

    fn group_for(&mut self, node: NodeId, kind: GroupKind, empty: Value) -> Result<&mut Group, NotFixable> {
        let i = match self.groups.iter().position(|g| g.node == node) {
            Some(i) => i,
            None => {
                self.groups.push(Group {
                    node,
                    kind,
                    value: empty,
                });
                self.groups.len() - 1
            }
        };
        Ok(&mut self.groups[i])
    }

    /// A whole value for a group that replaces a null: merged with what other ops put there.
    fn group(&mut self, node: NodeId, kind: GroupKind, value: &Value) -> Result<(), NotFixable> {
        let empty = match value {
            Value::Map(_) => Value::Map(Vec::new()),
            _ => Value::Seq(Vec::new()),
        };
        let g = self.group_for(node, kind, empty)?;
        match (&mut g.value, value) {
            (Value::Map(have), Value::Map(add)) => {
                for (k, v) in add {
                    add_path(have, &[k.as_str()], &Leaf::Set(v))?;
                }
                Ok(())
            }
            (Value::Seq(have), Value::Seq(add)) if have.is_empty() => {
                have.extend(add.iter().cloned());
                Ok(())
            }
            _ => Err(conflict()),
        }
    }

    /// Creates the rest of a route below the node where the walk stopped.
    fn create_below(&mut self, w: &Walked, rest: &[Seg], leaf: Leaf<'_>) -> Result<(), NotFixable> {
        let stop = w.last();
        self.check_node(stop)?;
        let keys: Vec<&str> = rest
            .iter()
            .map(|s| match s {
                Seg::Key(k) => Ok(k.as_ref()),
                Seg::Index(_) => Err(NotFixable::new("an index on the route is out of range")),
            })
            .collect::<Result<_, _>>()?;
        let tree = self.tree();
        let kind = match &tree.node(stop).kind {
            NodeKind::Map { .. } => GroupKind::Map,
            NodeKind::Scalar { style, tag, .. } => {
                if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                    return Err(NotFixable::new("the target lies inside a block scalar"));
                }
                if !tree.is_null(stop) {
                    return Err(NotFixable::new("a scalar is in the way on the route"));
                }
                if tag.is_some() {
                    return Err(NotFixable::new("a tagged null is in the way on the route"));
                }
                GroupKind::Replace
            }
            NodeKind::Seq { .. } => return Err(NotFixable::new("a sequence is in the way on the route")),
            NodeKind::Alias { .. } => return Err(NotFixable::new("the route passes through an alias")),
        };
        let g = self.group_for(stop, kind, Value::Map(Vec::new()))?;
        let Value::Map(entries) = &mut g.value else {
            return Err(conflict());
        };
        add_path(entries, &keys, &leaf)
    }

    // ----- Remove, RenameKey -----

    fn remove(&mut self, route: &Route, prune: bool) -> Result<(), NotFixable> {
        if route.is_root() {
            return Err(NotFixable::new("an op cannot remove the object itself"));
        }
        let w = self.walk(self.object, route.segs())?;
        if w.matched < route.segs().len() {
            return Ok(());
        }
        let node = w.last();
        if self.l.is_alias_target(node) {
            return Err(NotFixable::new("the node to remove has an anchor that an alias uses"));
        }
        self.removes.push((node, prune));
        Ok(())
    }

    fn rename(&mut self, route: &Route, new_key: &str) -> Result<(), NotFixable> {
        let Some(old) = super::last_key(route) else {
            return Err(NotFixable::new("a rename needs a route that ends in a key"));
        };
        if old == new_key {
            return Ok(());
        }
        let w = self.walk(self.object, route.segs())?;
        if w.matched < route.segs().len() {
            return Ok(());
        }
        let map = w.nodes[w.nodes.len() - 2];
        self.check_node(map)?;
        let tree = self.tree();
        let exists =
            tree.entries(map).any(|(k, _)| tree.key_str(k) == Some(new_key)) || tree.get(map, new_key).is_some();
        if exists {
            return Err(NotFixable::new("the new key already exists"));
        }
        let Parent::Value { index, .. } = self.l.parent(w.last()) else {
            return Err(NotFixable::new("the layout around the edit is not understood"));
        };
        let Some((key, _)) = tree.entries(map).nth(index) else {
            return Err(NotFixable::new("the layout around the edit is not understood"));
        };
        if self.l.is_explicit_key(key) || self.l.is_alias_target(key) || tree.style(key).is_none() {
            return Err(NotFixable::new("the key to rename is not a simple key"));
        }
        let flow = self.l.is_flow(map);
        let q = match tree.style(key) {
            Some(ScalarStyle::SingleQuoted) => Quote::Single,
            Some(ScalarStyle::DoubleQuoted) => Quote::Double,
            _ => Quote::Plain,
        };
        let q = Quoting {
            prefer: q,
            fallback: if q == Quote::Single {
                Quote::Single
            } else {
                Quote::Double
            },
        };
        let content = string(new_key, q, flow, true, self.json);
        let range = self.l.token_start(key)..self.l.scalar_end(key);
        self.push(range, content, key);
        Ok(())
    }

    // ----- scalars -----

    /// The render settings for writing into `container` at `pos`.
    fn render(&self, container: Option<NodeId>, pos: usize) -> Render {
        let tree = self.tree();
        let (keys, values, items) = match container.map(|c| (c, &tree.node(c).kind)) {
            Some((c, NodeKind::Map { .. })) => (
                quoting_of(self.l, tree.entries(c).map(|(k, _)| k)),
                values_quoting(self.l, tree.entries(c).map(|(_, v)| v)),
                Quoting::PLAIN,
            ),
            Some((c, NodeKind::Seq { .. })) => (
                Quoting::PLAIN,
                Quoting::PLAIN,
                quoting_of(self.l, tree.items(c).iter().copied()),
            ),
            _ => (Quoting::PLAIN, Quoting::PLAIN, Quoting::PLAIN),
        };
        let step = match container {
            Some(c) if tree.is_map(c) && !self.l.is_flow(c) => self.style.step(self.l, c),
            _ => 2,
        };
        Render {
            eol: self.l.eol_of_line(pos).unwrap_or_else(|| self.l.first_eol()),
            step,
            seq_indented: self.style.seq_indented,
            gap: self.style.gap_near(pos),
            keys,
            values,
            items,
            json: self.json,
            pad: self.style.padded_near(pos),
            json_colon: self.style.json_colon,
        }
    }

    /// The collection holding `node`, if any.
    fn container(&self, node: NodeId) -> Option<NodeId> {
        match self.l.parent(node) {
            Parent::Value { map, .. } | Parent::Key { map, .. } => Some(map),
            Parent::Item { seq, .. } => Some(seq),
            Parent::None => None,
        }
    }

    fn in_flow(&self, node: NodeId) -> bool {
        self.json || self.container(node).is_some_and(|c| self.l.is_flow(c))
    }

    /// Replaces a scalar by a scalar (or an empty collection), keeping its style, tag and
    /// anchor.
    fn replace_scalar(&mut self, node: NodeId, value: &Value) -> Result<(), NotFixable> {
        let tree = self.tree();
        let NodeKind::Scalar { style, tag, .. } = &tree.node(node).kind else {
            return Err(NotFixable::new("the layout around the edit is not understood"));
        };
        let (style, tag) = (*style, tag.as_deref());
        check_tag(tag, value)?;
        let flow = self.in_flow(node);
        let container = self.container(node);
        let r = self.render(container, self.l.token_start(node));
        let sibling_q = if matches!(self.l.parent(node), Parent::Item { .. }) {
            r.items
        } else {
            r.values
        };
        let text_for = |q: Quoting| match value {
            Value::Str(s) => string(s, q, flow, false, r.json),
            _ => r.inline(value, q, flow),
        };
        if self.l.is_empty_scalar(node) && tag.is_none() {
            if flow {
                return Err(NotFixable::new("an empty value in a flow collection"));
            }
            let pos = match self.l.parent(node) {
                Parent::Value { map, index } => {
                    let (k, _) = tree.entries(map).nth(index).ok_or_else(layout_error)?;
                    self.l.colon_after(k)?
                }
                Parent::Item { .. } => self.l.dash(node)? + 1,
                _ => return Err(layout_error()),
            };
            let content = format!(" {}", text_for(sibling_q));
            self.push(pos..pos, content, node);
            return Ok(());
        }
        let (start, own) = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                if matches!(value, Value::Str(s) if s.contains(['\n', '\r'])) {
                    return Err(NotFixable::new(
                        "a block scalar can only be replaced by a one-line value",
                    ));
                }
                // The header becomes the value (a comment after it stays); the content
                // lines go.
                let header = self.l.header(node)?;
                let content_end = self.l.scalar_end(node);
                let header_line_end = self.l.line_end(header.end);
                if content_end > header_line_end {
                    self.push(header_line_end..content_end, String::new(), node);
                }
                self.push(header.indicator..header.end, text_for(sibling_q), node);
                return Ok(());
            }
            ScalarStyle::Plain if tree.is_null(node) => (self.l.token_start(node), sibling_q),
            ScalarStyle::Plain => (
                self.l.token_start(node),
                Quoting {
                    prefer: Quote::Plain,
                    fallback: Quote::Double,
                },
            ),
            ScalarStyle::SingleQuoted => (
                self.l.token_start(node),
                Quoting {
                    prefer: Quote::Single,
                    fallback: Quote::Double,
                },
            ),
            ScalarStyle::DoubleQuoted => (
                self.l.token_start(node),
                Quoting {
                    prefer: Quote::Double,
                    fallback: Quote::Double,
                },
            ),
        };
        let end = self.l.scalar_end(node).max(start);
        self.push(start..end, text_for(own), node);
        Ok(())
    }

    // ----- whole collections -----

    /// Replaces a collection by a value, in the collection's block or flow style.
    fn replace_collection(&mut self, node: NodeId, value: &Value) -> Result<(), NotFixable> {
        let l = self.l;
        let end = l.extent_end(node)?;
        let inline =
            !matches!(value, Value::Map(m) if !m.is_empty()) && !matches!(value, Value::Seq(s) if !s.is_empty());
        if l.is_flow(node) {
            let start = l.token_start(node);
            let r = self.render(Some(node), start);
            let content = if self.json && self.multiline_json(node) {
                r.json_pretty(value, l.col(l.line_start(start)) + self.json_indent(start))
            } else {
                r.flow(value)
            };
            return self.push_checked(start..end, content, node);
        }
        let r = self.render(Some(node), l.token_start(node));
        if inline {
            let start = self.value_start(node)?;
            let content = format!(" {}", r.inline(value, r.values, false));
            return self.push_checked(start..end, content, node);
        }
        let content_start = l.token_start(node);
        let mut col = l.col(content_start);
        l.no_tab_before(content_start)?;
        if let (Value::Map(_), true, Parent::Value { map, index }) = (value, self.tree().is_seq(node), l.parent(node)) {
            // A sequence at its key's column becomes a mapping one step in.
            if let Some((k, _)) = self.tree().entries(map).nth(index) {
                col = col.max(l.col(l.lead(k)) + r.step);
            }
        }
        let mut out = String::new();
        let r = Render {
            step: r.step.max(1),
            ..r
        };
        if l.starts_line(content_start) {
            match value {
                Value::Map(entries) => r.block_entries(entries, col, &mut out),
                Value::Seq(items) => r.block_items(items, col, &mut out),
                _ => {}
            }
            strip_eol(&mut out, r.eol);
            self.push_checked(l.line_start(content_start)..end, out, node)
        } else {
            r.after_dash(value, col, &mut out);
            // The text goes where the old content started, after the dash and its spaces.
            out.drain(..r.gap.min(out.len()));
            strip_eol(&mut out, r.eol);
            self.push_checked(content_start..end, out, node)
        }
    }

    /// Where a value's replacement starts when written after its key or dash: right after
    /// the `:` or `-` (properties kept).
    fn value_start(&self, node: NodeId) -> Result<usize, NotFixable> {
        let l = self.l;
        let lead = self.tree().span(node).start.byte as usize;
        if l.skip_props(lead) != lead {
            return Ok(self.props_end(lead));
        }
        match l.parent(node) {
            Parent::Value { map, index } => {
                let (k, _) = self.tree().entries(map).nth(index).ok_or_else(layout_error)?;
                l.colon_after(k)
            }
            Parent::Item { .. } => Ok(l.dash(node)? + 1),
            _ => Err(NotFixable::new("an op cannot replace the object itself")),
        }
    }

    /// The end of the properties (anchor, tag) starting at `pos`.
    fn props_end(&self, mut pos: usize) -> usize {
        let b = self.l.bytes();
        loop {
            while pos < b.len() && !matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
                pos += 1;
            }
            let next = self.l.skip_blanks(pos);
            if matches!(b.get(next), Some(b'&' | b'!')) {
                pos = next;
            } else {
                return pos;
            }
        }
    }

    // ----- groups -----

    fn render_group(&mut self, g: &Group) -> Result<(), NotFixable> {
        match g.kind {
            GroupKind::Map | GroupKind::Seq if self.l.is_flow(g.node) => self.flow_insert(g),
            GroupKind::Map => self.block_map_insert(g),
            GroupKind::Seq => self.block_seq_insert(g),
            GroupKind::Replace => self.replace_with_collection(g),
        }
    }

    /// The insertion point after an element ending at `end`: the start of the next line, or
    /// the end of the text with a line ending in front (no final newline stays so).
    fn after_line(&self, end: usize, eol: &str) -> (usize, String) {
        match self.l.next_line(end) {
            Some(p) => (p, String::new()),
            None => (self.l.text.len(), eol.to_string()),
        }
    }

    fn block_map_insert(&mut self, g: &Group) -> Result<(), NotFixable> {
        let Value::Map(entries) = &g.value else {
            return Err(conflict());
        };
        let l = self.l;
        let first = l.first_key(g.node).ok_or_else(layout_error)?;
        l.no_tab_before(first)?;
        let (k, v) = self.tree().entries(g.node).next_back().ok_or_else(layout_error)?;
        let end = l.entry_end(k, v)?;
        let r = self.render(Some(g.node), end);
        let (at, mut out) = self.after_line(end, r.eol);
        let eof = !out.is_empty();
        r.block_entries(entries, l.col(first), &mut out);
        if eof {
            strip_eol(&mut out, r.eol);
        }
        self.push(at..at, out, g.node);
        Ok(())
    }

    fn block_seq_insert(&mut self, g: &Group) -> Result<(), NotFixable> {
        let Value::Seq(items) = &g.value else {
            return Err(conflict());
        };
        let l = self.l;
        let n = l.len(g.node);
        let last = *self.tree().items(g.node).last().ok_or_else(layout_error)?;
        let dash = l.element_start(g.node, n - 1)?;
        l.no_tab_before(dash)?;
        let end = l.extent_end(last)?;
        let mut r = self.render(Some(g.node), end);
        r.gap = item_gap(l, g.node, n - 1, last).unwrap_or(r.gap);
        let (at, mut out) = self.after_line(end, r.eol);
        let eof = !out.is_empty();
        r.block_items(items, l.col(dash), &mut out);
        if eof {
            strip_eol(&mut out, r.eol);
        }
        self.push(at..at, out, g.node);
        Ok(())
    }

    /// Whether a JSON collection is pretty-printed (its elements on their own lines; for an
    /// empty one, its parent's).
    fn multiline_json(&self, node: NodeId) -> bool {
        let l = self.l;
        let open = l.token_start(node);
        if l.len(node) > 0 {
            return l
                .element_start(node, 0)
                .is_ok_and(|s| l.line_start(s) != l.line_start(open));
        }
        match self.container(node) {
            Some(c) => self.multiline_json(c),
            None => l.text.contains('\n'),
        }
    }

    /// The JSON indentation step: the first element's column minus its opening line's
    /// indentation (2 when unknown).
    fn json_indent(&self, near: usize) -> usize {
        let l = self.l;
        let tree = self.tree();
        let found = (0..tree.len()).map(NodeId::from_index).find_map(|id| {
            if !(tree.is_map(id) || tree.is_seq(id)) || l.len(id) == 0 || tree.deref(id) != id {
                return None;
            }
            let open = l.token_start(id);
            let first = l.element_start(id, 0).ok()?;
            let line = l.line_start(open);
            (l.line_start(first) != line).then(|| {
                let indent = l.text[line..].len() - l.text[line..].trim_start_matches(' ').len();
                l.col(first).saturating_sub(indent)
            })
        });
        let _ = near;
        found.filter(|s| *s > 0).unwrap_or(2)
    }

    fn line_indent(&self, pos: usize) -> usize {
        let line = self.l.line_start(pos);
        let rest = &self.l.text[line..];
        rest.len() - rest.trim_start_matches(' ').len()
    }

    fn flow_insert(&mut self, g: &Group) -> Result<(), NotFixable> {
        let l = self.l;
        let node = g.node;
        let open = l.token_start(node);
        let close = l.flow_close(node)?;
        let n = l.len(node);
        let pretty_json = self.json && self.multiline_json(node);
        let mut r = self.render(Some(node), open);
        if n > 0 {
            r.pad = l.bytes().get(open + 1) == Some(&b' ');
        }
        let json_step = if pretty_json { self.json_indent(open) } else { 0 };
        // The column new elements start at (multi-line), for nested pretty JSON.
        let elements = |indent: usize| -> Vec<String> {
            let r = Render {
                step: json_step,
                ..r.clone()
            };
            match &g.value {
                Value::Map(entries) => entries
                    .iter()
                    .map(|(k, v)| {
                        if pretty_json {
                            format!("{}{}{}", double(k), r.json_colon, r.json_pretty(v, indent))
                        } else {
                            r.flow_entry(k, v)
                        }
                    })
                    .collect(),
                Value::Seq(items) => items
                    .iter()
                    .map(|v| {
                        if pretty_json {
                            r.json_pretty(v, indent)
                        } else {
                            r.inline(v, r.items, true)
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let comma = if self.json && self.style.json_colon == ":" {
            ","
        } else {
            ", "
        };
        if n == 0 {
            let content = if pretty_json {
                let indent = self.line_indent(open);
                let inner = indent + json_step;
                let mut s = String::new();
                let parts = elements(inner);
                for (i, e) in parts.iter().enumerate() {
                    s.push_str(r.eol);
                    s.push_str(&" ".repeat(inner));
                    s.push_str(e);
                    if i + 1 < parts.len() {
                        s.push(',');
                    }
                }
                s.push_str(r.eol);
                s.push_str(&" ".repeat(indent));
                s
            } else {
                let pad = if r.pad && !self.json { " " } else { "" };
                format!("{pad}{}{pad}", elements(0).join(comma))
            };
            return self.push_checked(open + 1..close, content, node);
        }
        let last_start = l.element_start(node, n - 1)?;
        let last_end = l.element_end(node, n - 1)?;
        let after = l.skip_gap(last_end);
        let trailing_comma = l.bytes().get(after) == Some(&b',');
        let multiline = l.line_start(last_start) != l.line_start(open);
        let r_eol = l.eol_of_line(last_end).unwrap_or_else(|| l.first_eol());
        let mut content = String::new();
        if multiline {
            l.no_tab_before(last_start)?;
            let col = l.col(last_start);
            let ind = " ".repeat(col);
            let indent = self.line_indent(last_start);
            for e in elements(indent) {
                if trailing_comma {
                    content.push_str(&format!("{r_eol}{ind}{e},"));
                } else {
                    content.push_str(&format!(",{r_eol}{ind}{e}"));
                }
            }
        } else {
            for e in elements(0) {
                if trailing_comma {
                    content.push_str(&format!(" {e},"));
                } else {
                    content.push_str(&format!("{comma}{e}"));
                }
            }
        }
        let at = if trailing_comma { after + 1 } else { last_end };
        self.push(at..at, content, node);
        Ok(())
    }

    /// A null (or a scalar being replaced) becomes a collection.
    fn replace_with_collection(&mut self, g: &Group) -> Result<(), NotFixable> {
        let l = self.l;
        let tree = self.tree();
        let node = g.node;
        let NodeKind::Scalar { style, tag, .. } = &tree.node(node).kind else {
            return Err(layout_error());
        };
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return Err(NotFixable::new("a block scalar cannot be replaced by a collection"));
        }
        if tag.is_some() {
            return Err(NotFixable::new("a tagged value cannot be replaced by a collection"));
        }
        let empty = l.is_empty_scalar(node);
        let token = l.token_start(node)..l.scalar_end(node).max(l.token_start(node));
        if self.in_flow(node) {
            if empty {
                return Err(NotFixable::new("an empty value in a flow collection"));
            }
            let r = self.render(None, token.start);
            let content = if self.json && self.container(node).is_some_and(|c| self.multiline_json(c)) {
                let step = self.json_indent(token.start);
                Render { step, ..r }.json_pretty(&g.value, self.line_indent(token.start))
            } else {
                r.flow(&g.value)
            };
            return self.push_checked(token, content, node);
        }
        match l.parent(node) {
            Parent::Value { map, index } => {
                let (k, _) = tree.entries(map).nth(index).ok_or_else(layout_error)?;
                let key_lead = l.lead(k);
                l.no_tab_before(key_lead)?;
                let colon = l.colon_after(k)?;
                let end = token.end.max(colon);
                let r = self.render(Some(map), end);
                let r = Render {
                    keys: Quoting::PLAIN,
                    values: Quoting::PLAIN,
                    items: Quoting::PLAIN,
                    ..r
                };
                if !empty {
                    // `key: null` → `key:`: the token and the blanks before it.
                    let mut start = token.start;
                    while start > colon && matches!(l.bytes()[start - 1], b' ' | b'\t') {
                        start -= 1;
                    }
                    self.push_checked(start..token.end, String::new(), node)?;
                }
                let (at, mut out) = self.after_line(end, r.eol);
                let eof = !out.is_empty();
                let key_col = l.col(key_lead);
                match &g.value {
                    Value::Map(entries) => r.block_entries(entries, key_col + r.step, &mut out),
                    Value::Seq(items) => {
                        let dash = key_col + if r.seq_indented { r.step } else { 0 };
                        r.block_items(items, dash, &mut out);
                    }
                    _ => return Err(conflict()),
                }
                if eof {
                    strip_eol(&mut out, r.eol);
                }
                self.push(at..at, out, node);
                Ok(())
            }
            Parent::Item { seq, .. } => {
                let dash = l.dash(node)?;
                l.no_tab_before(dash)?;
                let r = self.render(Some(seq), dash);
                let r = Render {
                    keys: Quoting::PLAIN,
                    values: Quoting::PLAIN,
                    items: Quoting::PLAIN,
                    ..r
                };
                let mut out = String::new();
                r.after_dash(&g.value, l.col(dash) + 1 + r.gap, &mut out);
                strip_eol(&mut out, r.eol);
                let end = if empty { dash + 1 } else { token.end };
                self.push_checked(dash + 1..end, out, node)
            }
            _ => Err(NotFixable::new("an op cannot replace the object itself")),
        }
    }

    // ----- removals -----

    fn removals(&mut self) -> Result<(), NotFixable> {
        if self.removes.is_empty() {
            return Ok(());
        }
        let l = self.l;
        let with_insertions: HashSet<NodeId> = self
            .groups
            .iter()
            .filter(|g| !matches!(g.kind, GroupKind::Replace))
            .map(|g| g.node)
            .collect();
        let mut removed: HashSet<NodeId> = self.removes.iter().map(|(n, _)| *n).collect();
        let mut by_parent: BTreeMap<NodeId, BTreeSet<usize>> = BTreeMap::new();
        let mut prune_into: HashSet<NodeId> = HashSet::new();
        for (node, prune) in &self.removes {
            let (parent, index) = self.element_of(*node)?;
            by_parent.entry(parent).or_default().insert(index);
            if *prune {
                prune_into.insert(parent);
            }
        }
        // Pruning, up to a fixed point: a collection all of whose elements go, into which a
        // removal asked to prune (or whose child was pruned), goes too.
        loop {
            let next = by_parent.iter().find_map(|(parent, idx)| {
                let emptied = idx.len() == l.len(*parent);
                (emptied
                    && *parent != self.object
                    && !removed.contains(parent)
                    && !with_insertions.contains(parent)
                    && prune_into.contains(parent))
                .then_some(*parent)
            });
            let Some(parent) = next else { break };
            if self.l.is_alias_target(parent) {
                return Err(NotFixable::new("the node to remove has an anchor that an alias uses"));
            }
            let (grand, index) = self.element_of(parent)?;
            removed.insert(parent);
            by_parent.entry(grand).or_default().insert(index);
            prune_into.insert(grand);
        }
        for (parent, idx) in &by_parent {
            if self.has_removed_ancestor(*parent, &removed) || removed.contains(parent) {
                continue;
            }
            let emptied = idx.len() == self.l.len(*parent);
            if emptied && !with_insertions.contains(parent) {
                self.empty_collection(*parent)?;
            } else {
                self.remove_runs(*parent, idx)?;
            }
        }
        Ok(())
    }

    /// The collection holding a node and its index there.
    fn element_of(&self, node: NodeId) -> Result<(NodeId, usize), NotFixable> {
        match self.l.parent(node) {
            Parent::Value { map, index } => Ok((map, index)),
            Parent::Item { seq, index } => Ok((seq, index)),
            _ => Err(layout_error()),
        }
    }

    fn has_removed_ancestor(&self, mut node: NodeId, removed: &HashSet<NodeId>) -> bool {
        while node != self.object {
            match self.element_of(node) {
                Ok((parent, _)) => {
                    if removed.contains(&parent) {
                        return true;
                    }
                    node = parent;
                }
                Err(_) => return false,
            }
        }
        false
    }

    /// Removes runs of consecutive elements of a collection.
    fn remove_runs(&mut self, parent: NodeId, idx: &BTreeSet<usize>) -> Result<(), NotFixable> {
        let l = self.l;
        let n = l.len(parent);
        let flow = l.is_flow(parent);
        let idx: Vec<usize> = idx.iter().copied().collect();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for i in idx {
            match runs.last_mut() {
                Some((_, j)) if *j + 1 == i => *j = i,
                _ => runs.push((i, i)),
            }
        }
        for (i, j) in runs {
            let start = l.element_start(parent, i)?;
            let range = if flow {
                if j + 1 < n {
                    start..l.element_start(parent, j + 1)?
                } else if i > 0 {
                    l.element_end(parent, i - 1)?..l.element_end(parent, j)?
                } else {
                    return Err(NotFixable::new("an op empties a flow collection another op adds to"));
                }
            } else if l.starts_line(start) {
                let line = l.line_start(start);
                let end = l.element_end(parent, j)?;
                match l.next_line(end) {
                    Some(next) => line..next,
                    None if line > 0 => {
                        let before = if l.text[..line - 1].ends_with('\r') {
                            line - 2
                        } else {
                            line - 1
                        };
                        before..l.text.len()
                    }
                    None => line..l.text.len(),
                }
            } else if j + 1 < n {
                start..l.element_start(parent, j + 1)?
            } else {
                start..l.element_end(parent, j)?
            };
            self.push_checked(range, String::new(), parent)?;
        }
        Ok(())
    }

    /// A collection whose elements all go, and which stays: `{}` or `[]`.
    fn empty_collection(&mut self, node: NodeId) -> Result<(), NotFixable> {
        let l = self.l;
        let empty = if self.tree().is_map(node) { "{}" } else { "[]" };
        if l.is_flow(node) {
            let open = l.token_start(node);
            let close = l.flow_close(node)?;
            return self.push_checked(open + 1..close, String::new(), node);
        }
        let end = l.extent_end(node)?;
        if node == self.object && matches!(l.parent(node), Parent::None) {
            let start = l.token_start(node);
            return self.push_checked(start..end, empty.to_string(), node);
        }
        let start = self.value_start(node)?;
        self.push_checked(start..end, format!(" {empty}"), node)
    }

    // ----- edits -----

    fn depth(&self, mut node: NodeId) -> usize {
        let mut depth = 0;
        while let Ok((parent, _)) = self.element_of(node) {
            depth += 1;
            node = parent;
        }
        depth
    }

    fn push(&mut self, range: Range<usize>, content: String, node: NodeId) {
        let depth = self.depth(node);
        self.edits.push(Pending { range, content, depth });
    }

    /// An edit that deletes or replaces text: refused when it would remove an anchor that
    /// an alias uses.
    fn push_checked(&mut self, range: Range<usize>, content: String, node: NodeId) -> Result<(), NotFixable> {
        if range.end > range.start && self.l.defines_used_anchor_in(range.clone()) {
            return Err(NotFixable::new("the edit would remove an anchor that an alias uses"));
        }
        self.push(range, content, node);
        Ok(())
    }
}

fn layout_error() -> NotFixable {
    NotFixable::new("the layout around the edit is not understood")
}

fn strip_eol(out: &mut String, eol: &str) {
    if out.ends_with(eol) {
        out.truncate(out.len() - eol.len());
    }
}

/// The quoting of string values: plain when plain can be used (map values are of mixed
/// kinds), quoted as the siblings quote when it cannot.
fn values_quoting(l: &Layout<'_, '_>, values: impl Iterator<Item = NodeId>) -> Quoting {
    let q = quoting_of(l, values);
    Quoting {
        prefer: Quote::Plain,
        fallback: q.fallback,
    }
}

/// A scalar's tag must still type the new value.
fn check_tag(tag: Option<&str>, value: &Value) -> Result<(), NotFixable> {
    let ok = match (tag, value) {
        (None, _) => true,
        (Some("!!str"), Value::Str(_)) | (Some("!!int"), Value::Int(_)) | (Some("!!bool"), Value::Bool(_)) => true,
        (Some(t), Value::Str(_)) => !t.starts_with("!!"),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(NotFixable::new("the value's tag does not fit the new value"))
    }
}

/// Adds a leaf at a path of new keys inside entries being created.
fn add_path(entries: &mut Vec<(String, Value)>, keys: &[&str], leaf: &Leaf<'_>) -> Result<(), NotFixable> {
    let Some((first, rest)) = keys.split_first() else {
        return Err(conflict());
    };
    let i = entries.iter().position(|(k, _)| k == first);
    if rest.is_empty() {
        return match (leaf, i) {
            (Leaf::Set(v), None) => {
                entries.push((first.to_string(), (*v).clone()));
                Ok(())
            }
            (Leaf::Set(v), Some(i)) if entries[i].1 == **v => Ok(()),
            (Leaf::Append(v, _), None) => {
                entries.push((first.to_string(), Value::Seq(vec![(*v).clone()])));
                Ok(())
            }
            (Leaf::Append(v, if_absent), Some(i)) => match &mut entries[i].1 {
                Value::Seq(items) => {
                    if !(*if_absent && items.contains(v)) {
                        items.push((*v).clone());
                    }
                    Ok(())
                }
                _ => Err(conflict()),
            },
            _ => Err(conflict()),
        };
    }
    let i = match i {
        Some(i) => i,
        None => {
            entries.push((first.to_string(), Value::Map(Vec::new())));
            entries.len() - 1
        }
    };
    match &mut entries[i].1 {
        Value::Map(inner) => add_path(inner, rest, leaf),
        _ => Err(conflict()),
    }
}

/// Sorts the edits, merges identical and touching ones, refuses overlaps.
pub(super) fn finish(mut pending: Vec<Pending>) -> Result<Vec<Edit>, NotFixable> {
    pending.sort_by(|a, b| {
        (a.range.start, a.range.end)
            .cmp(&(b.range.start, b.range.end))
            .then(b.depth.cmp(&a.depth))
    });
    pending.dedup_by(|b, a| a.range == b.range && a.content == b.content);
    let mut out: Vec<Edit> = Vec::new();
    for p in pending {
        match out.last_mut() {
            Some(last) if p.range.start < last.range.end => {
                return Err(NotFixable::new("the edits of this fix overlap"));
            }
            Some(last) if p.range.start == last.range.end => {
                last.range.end = p.range.end;
                last.content.push_str(&p.content);
            }
            _ => out.push(Edit {
                range: p.range,
                content: p.content,
            }),
        }
    }
    Ok(out)
}
