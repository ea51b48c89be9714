//! Ops → edits (spec §4.3, §4.4): walking routes with the refusals, grouping what is
//! created below one existing node into one insertion, removals by runs of siblings.

mod insert;
mod remove;
mod replace;

use super::layout::{Layout, Parent};
use super::render::{Render, string};
use super::style::{DocStyle, Quote, Quoting, quoting_of};
use super::value::{Model, model_of};
use super::{Edit, NotFixable, Op, Value};
use crate::source::tree::{NodeId, NodeKind, ScalarStyle, Tree};
use crate::source::{Route, Seg};
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

/// Lowers the ops to edits, not yet merged or checked for overlaps, with the layout of the
/// text and the style of the document ([`DocStyle::of`]).
pub(super) fn plan(
    l: &Layout<'_, '_>,
    style: &DocStyle,
    doc_root: NodeId,
    prefix: &Route,
    ops: &[Op],
    json: bool,
) -> Result<Vec<Pending>, NotFixable> {
    check_op_conflicts(ops)?;
    let mut p = Planner {
        l,
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
pub(super) fn doc_end(tree: &Tree<'_>, root: NodeId) -> usize {
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
/// Several appends to one sequence are fine.
fn check_op_conflicts(ops: &[Op]) -> Result<(), NotFixable> {
    let routes = |op: &Op| -> Vec<Route> {
        let mut out = vec![op.route().clone()];
        if let Op::RenameKey { route, new_key } = op
            && let Some((_, parent)) = route.segs().split_last()
        {
            let mut renamed = Route::root();
            for seg in parent {
                renamed = match seg {
                    Seg::Key(k) => renamed.key(k.clone()),
                    Seg::Index(i) => renamed.index(*i),
                };
            }
            out.push(renamed.key(new_key.clone()));
        }
        out
    };
    for (i, a) in ops.iter().enumerate() {
        for b in &ops[i + 1..] {
            if matches!((a, b), (Op::Append { seq: x, .. }, Op::Append { seq: y, .. }) if x == y) {
                // Several items for one sequence.
                continue;
            }
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
    style: &'p DocStyle,
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
    // ----- render settings -----

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
        let block_map = |c: NodeId| tree.is_map(c) && tree.deref(c) == c && !self.l.is_flow(c);
        let step = match container {
            Some(c) if block_map(c) => self.style.step(self.l, c),
            // Items of a sequence: the step of its last item, when a block mapping.
            Some(c) if tree.is_seq(c) => match tree.items(c).last() {
                Some(item) if block_map(*item) => self.style.step(self.l, *item),
                _ => self.style.default_step(),
            },
            _ => self.style.default_step(),
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
