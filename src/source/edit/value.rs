//! Values: the tree read as an ordered value model (scalars resolved the way Kubernetes
//! reads them), op values in that model, and the ops applied to it semantically — what the
//! edited text must read back as.

use super::{Op, Value};
use crate::source::resolve::Value as Scalar;
use crate::source::tree::{NodeId, Tree};
use crate::source::{Route, Seg};
use std::collections::HashSet;

/// How many nodes a model may have (aliases are expanded).
const MODEL_BUDGET: usize = 1_000_000;

/// An ordered value tree with resolved scalars.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Model {
    Null,
    Bool(bool),
    Int(i128),
    /// The bits of a float (so that NaN equals NaN).
    Float(u64),
    Str(String),
    Seq(Vec<Model>),
    Map(Vec<(String, Model)>),
}

/// The model of a node (aliases followed, merge keys expanded); `None` when too large.
pub(super) fn model_of(tree: &Tree<'_>, id: NodeId) -> Option<Model> {
    let mut budget = MODEL_BUDGET;
    model(tree, id, &mut budget, 0)
}

fn model(tree: &Tree<'_>, id: NodeId, budget: &mut usize, depth: usize) -> Option<Model> {
    *budget = budget.checked_sub(1)?;
    if depth > 1000 {
        return None;
    }
    let id = tree.deref(id);
    if tree.is_map(id) {
        let entries: Vec<(NodeId, NodeId)> = if tree.has_merge(id) {
            tree.expanded_entries(id)?
        } else {
            tree.entries(id).collect()
        };
        let mut out = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let key = tree.key_str(k).unwrap_or("\u{0}complex key").to_string();
            out.push((key, model(tree, v, budget, depth + 1)?));
        }
        return Some(Model::Map(out));
    }
    if tree.is_seq(id) {
        let mut out = Vec::with_capacity(tree.items(id).len());
        for item in tree.items(id) {
            out.push(model(tree, *item, budget, depth + 1)?);
        }
        return Some(Model::Seq(out));
    }
    Some(scalar_model(tree.value(id)?))
}

pub(super) fn scalar_model(v: Scalar<'_>) -> Model {
    match v {
        Scalar::Null => Model::Null,
        Scalar::Bool(b) => Model::Bool(b),
        Scalar::Int(i) => Model::Int(i.into()),
        Scalar::UInt(u) => Model::Int(u.into()),
        Scalar::Float(f) => Model::Float(if f.is_nan() { f64::NAN.to_bits() } else { f.to_bits() }),
        Scalar::Str(s) => Model::Str(s.to_string()),
    }
}

impl From<&Value> for Model {
    fn from(v: &Value) -> Model {
        match v {
            Value::Bool(b) => Model::Bool(*b),
            Value::Int(i) => Model::Int((*i).into()),
            Value::Str(s) => Model::Str(s.clone()),
            Value::Seq(items) => Model::Seq(items.iter().map(Model::from).collect()),
            Value::Map(entries) => Model::Map(entries.iter().map(|(k, v)| (k.clone(), Model::from(v))).collect()),
        }
    }
}

/// A node read as a [`Value`]; `None` for nulls, floats, aliases, non-string keys and
/// integers beyond `i64`.
pub(super) fn from_node(tree: &Tree<'_>, id: NodeId, depth: usize) -> Option<Value> {
    if depth > 200 || tree.is_empty() {
        return None;
    }
    if tree.is_map(id) && tree.deref(id) == id {
        let mut out = Vec::new();
        for (k, v) in tree.entries(id) {
            out.push((tree.str(k)?.to_string(), from_node(tree, v, depth + 1)?));
        }
        return Some(Value::Map(out));
    }
    if tree.is_seq(id) && tree.deref(id) == id {
        let items = tree.items(id).iter().map(|i| from_node(tree, *i, depth + 1));
        return items.collect::<Option<Vec<_>>>().map(Value::Seq);
    }
    if tree.deref(id) != id {
        return None;
    }
    match tree.value(id)? {
        Scalar::Bool(b) => Some(Value::Bool(b)),
        Scalar::Int(i) => Some(Value::Int(i)),
        Scalar::Str(s) => Some(Value::Str(s.to_string())),
        _ => None,
    }
}

/// Applies the ops to a document's model, the object being at `prefix`: `Set`, `Append`,
/// `RenameKey` and `ReplaceSubtree` in order, then every `Remove`, the deepest and last
/// first (so that removing an item does not shift the routes of the others). A collection
/// emptied by removals is removed too when a `Remove` into it asked to prune, and so on up,
/// never the object itself. `Err` names what did not fit (a route through a scalar).
pub(super) fn apply_ops(doc: &mut Model, prefix: &Route, ops: &[Op]) -> Result<(), String> {
    let object = walk_mut(doc, prefix.segs()).ok_or("the object is not there")?;
    for op in ops {
        match op {
            Op::Set { route, value } | Op::ReplaceSubtree { route, value } => {
                *create(object, route.segs())? = Model::from(value);
            }
            Op::Append { seq, value, if_absent } => {
                let node = create(object, seq.segs())?;
                if *node == Model::Null {
                    *node = Model::Seq(Vec::new());
                }
                let Model::Seq(items) = node else {
                    return Err(format!("{seq} is not a sequence"));
                };
                let value = Model::from(value);
                if !(*if_absent && items.contains(&value)) {
                    items.push(value);
                }
            }
            Op::RenameKey { route, new_key } => {
                let segs = route.segs();
                let (Some(Seg::Key(old)), Some(parent)) = (segs.last(), segs.len().checked_sub(1)) else {
                    return Err(format!("{route} is not a key"));
                };
                if let Some(Model::Map(entries)) = walk_mut(object, &segs[..parent])
                    && let Some(e) = entries.iter_mut().rfind(|(k, _)| k == old.as_ref())
                {
                    e.0 = new_key.clone();
                }
            }
            Op::Remove { .. } => {}
        }
    }
    let mut removes: Vec<(&Route, bool)> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Remove { route, prune } => Some((route, *prune)),
            _ => None,
        })
        .collect();
    removes.sort_by(|a, b| b.0.cmp(a.0));
    removes.dedup_by(|a, b| a.0 == b.0);
    // Only a removal that removes something can ask to prune.
    let mut prune_into: HashSet<Vec<Seg>> = HashSet::new();
    for (r, prune) in &removes {
        if *prune && !r.is_root() && walk_mut(object, r.segs()).is_some() {
            prune_into.insert(r.segs()[..r.segs().len() - 1].to_vec());
        }
    }
    for (route, _) in &removes {
        let segs = route.segs();
        if segs.is_empty() || walk_mut(object, segs).is_none() {
            continue;
        }
        let mut depth = segs.len();
        while depth > 0 {
            let parent_segs = &segs[..depth - 1];
            let Some(parent) = walk_mut(object, parent_segs) else {
                break;
            };
            remove_child(parent, &segs[depth - 1]);
            let empty =
                matches!(parent, Model::Map(e) if e.is_empty()) || matches!(parent, Model::Seq(i) if i.is_empty());
            if !empty || parent_segs.is_empty() || !prune_into.contains(parent_segs) {
                break;
            }
            // Pruning goes on up: the grandparent lost a child to a prune.
            if let Some((_, grand)) = parent_segs.split_last() {
                prune_into.insert(grand.to_vec());
            }
            depth -= 1;
        }
    }
    Ok(())
}

fn remove_child(parent: &mut Model, seg: &Seg) {
    match (parent, seg) {
        (Model::Map(entries), Seg::Key(k)) => {
            if let Some(i) = entries.iter().rposition(|(key, _)| key == k.as_ref()) {
                entries.remove(i);
            }
        }
        (Model::Seq(items), Seg::Index(i)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

fn walk_mut<'m>(mut node: &'m mut Model, segs: &[Seg]) -> Option<&'m mut Model> {
    for seg in segs {
        node = match (node, seg) {
            (Model::Map(entries), Seg::Key(k)) => &mut entries.iter_mut().rfind(|(key, _)| key == k.as_ref())?.1,
            (Model::Seq(items), Seg::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Walks to a route, creating missing keys (a null becomes a mapping).
fn create<'m>(mut node: &'m mut Model, segs: &[Seg]) -> Result<&'m mut Model, String> {
    for seg in segs {
        if *node == Model::Null && matches!(seg, Seg::Key(_)) {
            *node = Model::Map(Vec::new());
        }
        node = match (node, seg) {
            (Model::Map(entries), Seg::Key(k)) => {
                let i = match entries.iter().rposition(|(key, _)| key == k.as_ref()) {
                    Some(i) => i,
                    None => {
                        entries.push((k.to_string(), Model::Null));
                        entries.len() - 1
                    }
                };
                &mut entries[i].1
            }
            (Model::Seq(items), Seg::Index(i)) => items.get_mut(*i).ok_or("index out of range")?,
            _ => return Err("the route goes through a scalar".to_string()),
        };
    }
    Ok(node)
}
