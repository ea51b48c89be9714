//! Values: plimsoll's spanned tree and JSON read as CEL values.
//!
//! Mappings become `map(string, dyn)`, sequences `list(dyn)` and scalars the crate's own
//! types, read with the YAML 1.1 resolver Kubernetes uses; integers are `int` (an integer
//! above `i64::MAX` becomes a `double`, as in the API server's unstructured values). Strings
//! borrow the tree's text. Merge keys are expanded and aliases followed, within a budget of
//! nodes per value, so an alias bomb cannot make a value of unbounded size.

use crate::source::resolve::Value as Scalar;
use crate::source::{NodeId, Tree};
use cel::common::traits::{Adder, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::Type;
use cel::common::types::{CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString};
use cel::common::value::{Builtin, BuiltinRef, Val};
use std::collections::HashMap;
use std::sync::Arc;

/// How many nodes one value may hold (aliases counted each time they are followed).
pub const NODE_BUDGET: usize = 1_000_000;

/// A value is larger than [`NODE_BUDGET`] nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

/// The CEL value of a node of the tree.
pub fn of_node<'s>(tree: &'s Tree<'s>, node: NodeId) -> Result<Box<dyn Val + 's>, TooLarge> {
    let mut budget = NODE_BUDGET;
    convert(tree, node, &mut budget)
}

fn convert<'s>(tree: &'s Tree<'s>, node: NodeId, budget: &mut usize) -> Result<Box<dyn Val + 's>, TooLarge> {
    *budget = budget.checked_sub(1).ok_or(TooLarge)?;
    let node = tree.deref(node);
    if tree.is_map(node) {
        let entries: Vec<(NodeId, NodeId)> = if tree.has_merge(node) {
            tree.expanded_entries(node).ok_or(TooLarge)?
        } else {
            tree.entries(node).collect()
        };
        let mut map: HashMap<CelMapKey<'s>, Box<dyn Val + 's>> = HashMap::with_capacity(entries.len());
        for (k, v) in entries {
            let Some(key) = tree.key_str(k) else { continue };
            // A later entry for the same key wins, as in Kubernetes.
            map.insert(CelMapKey::String(CelString::from(key)), convert(tree, v, budget)?);
        }
        return Ok(Box::new(Shared(Arc::new(CelMap::from(map)))));
    }
    if tree.is_seq(node) {
        let items = tree.items(node);
        let mut list: Vec<Box<dyn Val + 's>> = Vec::with_capacity(items.len());
        for item in items {
            list.push(convert(tree, *item, budget)?);
        }
        return Ok(Box::new(Shared(Arc::new(CelList::from(list)))));
    }
    Ok(match tree.value(node) {
        None | Some(Scalar::Null) => Box::new(CelNull),
        Some(Scalar::Bool(b)) => Box::new(CelBool::from(b)),
        Some(Scalar::Int(i)) => Box::new(CelInt::from(i)),
        Some(Scalar::UInt(u)) => Box::new(CelDouble::from(u as f64)),
        Some(Scalar::Float(f)) => Box::new(CelDouble::from(f)),
        Some(Scalar::Str(s)) => Box::new(CelString::from(s)),
    })
}

/// The CEL value of JSON (integers as `int`, not the crate's `uint`).
pub fn of_json(value: &serde_json::Value) -> Box<dyn Val + 'static> {
    match value {
        serde_json::Value::Null => Box::new(CelNull),
        serde_json::Value::Bool(b) => Box::new(CelBool::from(*b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Box::new(CelInt::from(i)),
            None => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        serde_json::Value::String(s) => Box::new(CelString::from(s.clone())),
        serde_json::Value::Array(items) => Box::new(Shared(Arc::new(CelList::from(
            items.iter().map(of_json).collect::<Vec<_>>(),
        )))),
        serde_json::Value::Object(map) => Box::new(Shared(Arc::new(CelMap::from(
            map.iter()
                .map(|(k, v)| (CelMapKey::String(CelString::from(k.clone())), of_json(v)))
                .collect::<HashMap<_, _>>(),
        )))),
    }
}

/// The JSON of a node (for policy objects read into typed structs): integers stay
/// integers, merge keys are expanded, and the size is bounded like [`of_node`].
pub fn json_of_node(tree: &Tree<'_>, node: NodeId) -> Result<serde_json::Value, TooLarge> {
    let mut budget = NODE_BUDGET;
    json(tree, node, &mut budget)
}

fn json(tree: &Tree<'_>, node: NodeId, budget: &mut usize) -> Result<serde_json::Value, TooLarge> {
    *budget = budget.checked_sub(1).ok_or(TooLarge)?;
    let node = tree.deref(node);
    if tree.is_map(node) {
        let entries: Vec<(NodeId, NodeId)> = if tree.has_merge(node) {
            tree.expanded_entries(node).ok_or(TooLarge)?
        } else {
            tree.entries(node).collect()
        };
        let mut map = serde_json::Map::new();
        for (k, v) in entries {
            let Some(key) = tree.key_str(k) else { continue };
            map.insert(key.to_string(), json(tree, v, budget)?);
        }
        return Ok(serde_json::Value::Object(map));
    }
    if tree.is_seq(node) {
        let mut list = Vec::new();
        for item in tree.items(node) {
            list.push(json(tree, *item, budget)?);
        }
        return Ok(serde_json::Value::Array(list));
    }
    Ok(match tree.value(node) {
        None | Some(Scalar::Null) => serde_json::Value::Null,
        Some(Scalar::Bool(b)) => b.into(),
        Some(Scalar::Int(i)) => i.into(),
        Some(Scalar::UInt(u)) => u.into(),
        Some(Scalar::Float(f)) => serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into),
        Some(Scalar::Str(s)) => s.into(),
    })
}

/// A map or list of the tree shared by reference: the interpreter copies the value it binds
/// to an iteration variable (`containers.all(c, …)` copies every container), and a copy of a
/// shared value is a reference count, not a deep copy. Everything else is the crate's own map
/// or list (`as_builtin`), so every overload that expects a `map` or `list` accepts it.
#[derive(Debug)]
pub struct Shared<T>(pub Arc<T>);

macro_rules! shared_val {
    ($ty:ident, $ty_const:path, $variant:ident) => {
        impl<'v> Val for Shared<$ty<'v>> {
            fn get_type(&self) -> &Type {
                &$ty_const
            }

            fn cel_type() -> &'static Type {
                &$ty_const
            }

            fn as_adder<'b, 'w>(&'b self) -> Option<&'b (dyn Adder + 'w)>
            where
                Self: 'w,
            {
                self.0.as_adder()
            }

            fn as_container(&self) -> Option<&dyn Container> {
                self.0.as_container()
            }

            fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
            where
                Self: 'w,
            {
                self.0.as_indexer()
            }

            fn into_indexer<'w>(self: Box<Self>) -> Option<Box<dyn Indexer + 'w>>
            where
                Self: 'w,
            {
                Box::new(Arc::unwrap_or_clone(self.0)).into_indexer()
            }

            fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
            where
                Self: 'w,
            {
                Some(self)
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                self.0.as_sizer()
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                self.0.as_zeroer()
            }

            fn equals(&self, other: &dyn Val) -> bool {
                self.0.equals(other)
            }

            fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
            where
                Self: 'w,
            {
                Box::new(Shared(self.0.clone()))
            }

            fn as_builtin<'b, 'w>(&'b self) -> BuiltinRef<'b, 'w>
            where
                Self: 'w,
            {
                BuiltinRef::$variant(&self.0)
            }

            fn into_builtin<'w>(self: Box<Self>) -> Option<Builtin<'w>>
            where
                Self: 'w,
            {
                Some(Builtin::$variant(Arc::unwrap_or_clone(self.0)))
            }
        }
    };
}

impl<'v> Iterable for Shared<CelList<'v>> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn cel::common::traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        Box::new(CountedItems(self.0.inner().iter()))
    }
}

impl<'v> Iterable for Shared<CelMap<'v>> {
    fn iter<'b, 'w>(&'b self) -> Box<dyn cel::common::traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        Box::new(CountedKeys(self.0.inner().keys()))
    }
}

/// Iterations over the tree's lists and maps spend the evaluation's budget
/// ([`super::budget`]): once spent, they end early and the evaluation is an error.
struct CountedItems<'b, 'v>(std::slice::Iter<'b, Box<dyn Val + 'v>>);

impl<'b, 'v: 'w, 'w> cel::common::traits::Iterator<'b, 'w> for CountedItems<'b, 'v> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        if super::budget::step() {
            self.0.next().map(|v| v.as_ref() as &(dyn Val + 'w))
        } else {
            None
        }
    }
}

struct CountedKeys<'b, 'v>(std::collections::hash_map::Keys<'b, CelMapKey<'v>, Box<dyn Val + 'v>>);

impl<'b, 'v: 'w, 'w> cel::common::traits::Iterator<'b, 'w> for CountedKeys<'b, 'v> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        if super::budget::step() {
            self.0.next().map(|k| k.inner() as &(dyn Val + 'w))
        } else {
            None
        }
    }
}

shared_val!(CelMap, cel::common::types::MAP_TYPE, Map);
shared_val!(CelList, cel::common::types::LIST_TYPE, List);
