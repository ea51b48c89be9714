//! Values: plimsoll's spanned tree and JSON read as CEL values.
//!
//! Mappings become `map(string, dyn)`, sequences `list(dyn)` and scalars the crate's own
//! types, read with the YAML 1.1 resolver Kubernetes uses; integers are `int` (an integer
//! above `i64::MAX` becomes a `double`, as in the API server's unstructured values). Strings
//! borrow the tree's text, and maps and lists of the tree are converted when first read. Merge keys are expanded and aliases followed, within a budget of
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

/// The CEL value of a node of the tree. Maps and lists are converted a level at a time, when
/// an expression first reads them ([`Lazy`]): a policy that reads two fields of a large
/// object converts those, not the object. The whole value is sized first, so a value over
/// the budget is refused as a whole, whatever the expression reads.
pub fn of_node<'s>(tree: &'s Tree<'s>, node: NodeId) -> Result<Box<dyn Val + 's>, TooLarge> {
    let mut budget = NODE_BUDGET;
    within_budget(tree, node, &mut budget)?;
    Ok(level(tree, node))
}

/// Spends a step of `budget` on every node of the value, as converting it would.
fn within_budget(tree: &Tree<'_>, node: NodeId, budget: &mut usize) -> Result<(), TooLarge> {
    *budget = budget.checked_sub(1).ok_or(TooLarge)?;
    let node = tree.deref(node);
    if tree.is_map(node) {
        if tree.has_merge(node) {
            for (k, v) in tree.expanded_entries(node).ok_or(TooLarge)? {
                if tree.key_str(k).is_some() {
                    within_budget(tree, v, budget)?;
                }
            }
        } else {
            for (k, v) in tree.entries(node) {
                if tree.key_str(k).is_some() {
                    within_budget(tree, v, budget)?;
                }
            }
        }
    } else if tree.is_seq(node) {
        for item in tree.items(node) {
            within_budget(tree, *item, budget)?;
        }
    }
    Ok(())
}

/// A node as a CEL value: a scalar converted, a map or list to convert when read.
fn level<'s>(tree: &'s Tree<'s>, node: NodeId) -> Box<dyn Val + 's> {
    let node = tree.deref(node);
    if tree.is_map(node) {
        return Box::new(Lazy::<CelMap<'s>>::new(tree, node));
    }
    if tree.is_seq(node) {
        return Box::new(Lazy::<CelList<'s>>::new(tree, node));
    }
    match tree.value(node) {
        None | Some(Scalar::Null) => Box::new(CelNull),
        Some(Scalar::Bool(b)) => Box::new(CelBool::from(b)),
        Some(Scalar::Int(i)) => Box::new(CelInt::from(i)),
        Some(Scalar::UInt(u)) => Box::new(CelDouble::from(u as f64)),
        Some(Scalar::Float(f)) => Box::new(CelDouble::from(f)),
        Some(Scalar::Str(s)) => Box::new(CelString::from(s)),
    }
}

/// A map or list of the tree, converted (one level: its entries are lazy in turn) the first
/// time it is read, then read as a [`Shared`] value. Copies share the conversion.
pub struct Lazy<'s, T> {
    tree: &'s Tree<'s>,
    node: NodeId,
    converted: Arc<std::sync::OnceLock<Shared<T>>>,
}

impl<'s, T> Lazy<'s, T> {
    fn new(tree: &'s Tree<'s>, node: NodeId) -> Lazy<'s, T> {
        Lazy {
            tree,
            node,
            converted: Arc::default(),
        }
    }
}

impl<'s> Lazy<'s, CelMap<'s>> {
    fn converted(&self) -> &Shared<CelMap<'s>> {
        self.converted.get_or_init(|| {
            let tree = self.tree;
            // Sized before: the expansion of merge keys fits the budget.
            let entries: Vec<(NodeId, NodeId)> = if tree.has_merge(self.node) {
                tree.expanded_entries(self.node).unwrap_or_default()
            } else {
                tree.entries(self.node).collect()
            };
            let mut map: HashMap<CelMapKey<'s>, Box<dyn Val + 's>> = HashMap::with_capacity(entries.len());
            for (k, v) in entries {
                let Some(key) = tree.key_str(k) else { continue };
                // A later entry for the same key wins, as in Kubernetes.
                map.insert(CelMapKey::String(CelString::from(key)), level(tree, v));
            }
            Shared(Arc::new(CelMap::from(map)))
        })
    }
}

impl<'s> Lazy<'s, CelList<'s>> {
    fn converted(&self) -> &Shared<CelList<'s>> {
        self.converted.get_or_init(|| {
            let list: Vec<Box<dyn Val + 's>> = self
                .tree
                .items(self.node)
                .iter()
                .map(|item| level(self.tree, *item))
                .collect();
            Shared(Arc::new(CelList::from(list)))
        })
    }
}

macro_rules! lazy_val {
    ($ty:ident, $ty_const:path) => {
        /// As the converted value.
        impl<'s> std::fmt::Debug for Lazy<'s, $ty<'s>> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.converted().fmt(f)
            }
        }

        impl<'s> Val for Lazy<'s, $ty<'s>> {
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
                self.converted().as_adder()
            }

            fn as_container(&self) -> Option<&dyn Container> {
                self.converted().as_container()
            }

            fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
            where
                Self: 'w,
            {
                self.converted().as_indexer()
            }

            fn into_indexer<'w>(self: Box<Self>) -> Option<Box<dyn Indexer + 'w>>
            where
                Self: 'w,
            {
                Box::new(Shared(self.converted().0.clone())).into_indexer()
            }

            fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
            where
                Self: 'w,
            {
                self.converted().as_iterable()
            }

            fn as_sizer(&self) -> Option<&dyn Sizer> {
                self.converted().as_sizer()
            }

            fn as_zeroer(&self) -> Option<&dyn Zeroer> {
                self.converted().as_zeroer()
            }

            fn equals(&self, other: &dyn Val) -> bool {
                self.converted().equals(other)
            }

            fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
            where
                Self: 'w,
            {
                Box::new(Lazy {
                    tree: self.tree,
                    node: self.node,
                    converted: self.converted.clone(),
                })
            }

            fn as_builtin<'b, 'w>(&'b self) -> BuiltinRef<'b, 'w>
            where
                Self: 'w,
            {
                self.converted().as_builtin()
            }

            fn into_builtin<'w>(self: Box<Self>) -> Option<Builtin<'w>>
            where
                Self: 'w,
            {
                Box::new(Shared(self.converted().0.clone())).into_builtin()
            }
        }
    };
}

lazy_val!(CelMap, cel::common::types::MAP_TYPE);
lazy_val!(CelList, cel::common::types::LIST_TYPE);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::celhost::{Flavor, Host, Verdict};
    use crate::model::{LoadOptions, load::load};

    /// Evaluates `src` with `object` read from `yaml` through [`of_node`].
    fn check(yaml: &str, src: &str) -> Verdict {
        let loaded = load(yaml, &LoadOptions::default());
        let host = Host::new(Flavor::Kubernetes, 34);
        let expr = host.compile(src).expect("compiles");
        let mut ctx = host.context();
        let object = of_node(&loaded.tree, loaded.objects[0].root).expect("within the budget");
        ctx.add_variable_as_val("object", object);
        expr.check(&ctx, &[])
    }

    #[test]
    fn values_read_lazily_are_the_values_of_the_tree() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: '1', x: '2'}}\n\
                    base: &b {p: 1, q: [1, 2]}\nmerged: {<<: *b, r: true}\ndata: {k: v}\n";
        for src in [
            "object.metadata.labels.x == '2'",
            "object.merged.p == 1 && object.merged.q == [1, 2] && object.merged.r",
            "object.merged == {'p': 1, 'q': [1, 2], 'r': true}",
            "{'p': 1, 'q': [1, 2]} == object.base",
            "object.data.size() == 1 && 'k' in object.data && has(object.data.k)",
            "object.base.q.all(i, i > 0) && object.base.q.map(i, i * 2) == [2, 4]",
            "object.metadata.exists(k, k == 'labels') && !has(object.spec)",
            "[object.base.q][0][1] == 2 && dyn(object.data) == {'k': 'v'}",
        ] {
            assert_eq!(check(yaml, src), Verdict::True, "{src}");
        }
        assert_eq!(
            check(yaml, "object.data.nope == 'x'"),
            Verdict::Error("No such key: nope".into())
        );
    }

    #[test]
    fn a_value_over_the_budget_is_refused_whatever_is_read() {
        let mut yaml = String::from(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
        );
        for i in 1..7 {
            let prev = format!("*a{}", i - 1);
            yaml.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
        }
        let loaded = load(&yaml, &LoadOptions::default());
        assert!(of_node(&loaded.tree, loaded.objects[0].root).is_err());
    }
}
