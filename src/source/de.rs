//! One `serde::Deserializer` over the spanned tree.
//!
//! Typed objects (k8s-openapi and our own CRD structs) are deserialized straight from the
//! tree, so that:
//! - a type error carries the innermost node and its route (`replicas: "three"`),
//! - keys a struct does not know (`securityContex`) are recorded with their spans, which
//!   k8s-openapi alone silently drops,
//! - scalars are read the way Kubernetes reads them (see [`super::resolve`]): a number is
//!   not accepted into a string field, `yes` is a boolean, `null` leaves a field unset,
//! - aliases are followed lazily and the number of nodes reached through them is bounded.

use super::resolve::Value;
use super::tree::{NodeId, NodeKind, Tree};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;

/// A deserialization error located at the innermost node that caused it.
#[derive(Debug, Clone)]
pub struct DeError {
    pub node: Option<NodeId>,
    /// The route of that node, e.g. `spec.replicas`.
    pub route: Option<String>,
    pub message: String,
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError {
            node: None,
            route: None,
            message: msg.to_string(),
        }
    }
}

/// A key that the target struct does not declare.
#[derive(Debug, Clone)]
pub struct UnknownField {
    pub key: NodeId,
    /// Route of the key, e.g. `spec.template.spec.containers[0].securityContex`.
    pub route: String,
    pub name: String,
    /// The fields the struct does declare.
    pub expected: &'static [&'static str],
    pub struct_name: &'static str,
}

/// Shared state of one deserialization.
pub struct Context<'t, 's> {
    tree: &'t Tree<'s>,
    unknown: RefCell<Vec<UnknownField>>,
    visits: Cell<usize>,
    max_visits: usize,
    report_unknown: bool,
    /// Nodes treated as absent (values that failed to type-check on an earlier attempt).
    masked: RefCell<Vec<NodeId>>,
}

impl<'t, 's> Context<'t, 's> {
    /// `alias_allowance` bounds how many nodes beyond the tree's own may be visited through
    /// aliases.
    pub fn new(tree: &'t Tree<'s>, alias_allowance: usize, report_unknown: bool) -> Self {
        Context {
            tree,
            unknown: RefCell::new(Vec::new()),
            visits: Cell::new(0),
            max_visits: tree.len() + alias_allowance,
            report_unknown,
            masked: RefCell::new(Vec::new()),
        }
    }

    /// Deserializes `T`, dropping values that fail to type-check so that one bad value does
    /// not hide the rest of the object: each failure is returned, its node treated as absent,
    /// and the object read again (at most `max_errors` times).
    pub fn deserialize_lenient<T: de::Deserialize<'t>>(
        &self,
        node: NodeId,
        skip_type_meta: bool,
        max_errors: usize,
    ) -> (Option<T>, Vec<DeError>) {
        let mut errors = Vec::new();
        loop {
            self.visits.set(0);
            self.unknown.borrow_mut().clear();
            match self.deserialize::<T>(node, skip_type_meta) {
                Ok(v) => return (Some(v), errors),
                Err(e) => {
                    let retry = match e.node {
                        Some(n) if n != node && errors.len() < max_errors && !self.masked.borrow().contains(&n) => {
                            self.masked.borrow_mut().push(n);
                            true
                        }
                        _ => false,
                    };
                    let alias_limit = e.message.contains("through aliases");
                    errors.push(e);
                    if !retry || alias_limit {
                        return (None, errors);
                    }
                }
            }
        }
    }

    fn is_masked(&self, node: NodeId) -> bool {
        let masked = self.masked.borrow();
        !masked.is_empty() && masked.contains(&node)
    }

    /// Deserializes `T` from `node`. With `skip_type_meta`, the `apiVersion` and `kind` keys
    /// of the top-level mapping are not passed to `T` (they were read already; this lets
    /// a legacy apiVersion be read into today's type).
    pub fn deserialize<T: de::Deserialize<'t>>(&self, node: NodeId, skip_type_meta: bool) -> Result<T, DeError> {
        T::deserialize(NodeDe {
            cx: self,
            node,
            path: None,
            skip_type_meta,
        })
    }

    pub fn take_unknown(&self) -> Vec<UnknownField> {
        std::mem::take(&mut self.unknown.borrow_mut())
    }
}

/// A link in the route from the root to the node being read (lives on the stack).
#[derive(Clone, Copy)]
struct PathLink<'a> {
    parent: Option<&'a PathLink<'a>>,
    seg: PathSeg,
}

#[derive(Clone, Copy)]
enum PathSeg {
    Key(NodeId),
    Index(usize),
}

fn route_string(tree: &Tree<'_>, path: Option<&PathLink<'_>>) -> String {
    let mut segs = Vec::new();
    let mut cur = path;
    while let Some(link) = cur {
        segs.push(link.seg);
        cur = link.parent;
    }
    let mut route = super::Route::root();
    for seg in segs.into_iter().rev() {
        route = match seg {
            PathSeg::Key(k) => route.key(tree.key_str(k).unwrap_or("?").to_string()),
            PathSeg::Index(i) => route.index(i),
        };
    }
    route.to_string()
}

#[derive(Clone, Copy)]
struct NodeDe<'a, 't, 's> {
    cx: &'a Context<'t, 's>,
    node: NodeId,
    path: Option<&'a PathLink<'a>>,
    skip_type_meta: bool,
}

impl<'a, 't, 's> NodeDe<'a, 't, 's> {
    fn locate(&self, mut e: DeError) -> DeError {
        if e.node.is_none() {
            e.node = Some(self.node);
            e.route = Some(route_string(self.cx.tree, self.path));
        }
        e
    }

    /// Resolves aliases and counts the visit.
    fn enter(&self) -> Result<NodeId, DeError> {
        let visits = self.cx.visits.get() + 1;
        self.cx.visits.set(visits);
        if visits > self.cx.max_visits {
            return Err(self.locate(de::Error::custom(
                "too many nodes reached through aliases (limits.max_alias_nodes); is this an alias bomb?",
            )));
        }
        Ok(self.cx.tree.deref(self.node))
    }

    fn scalar(&self, id: NodeId) -> Option<Value<'t>> {
        self.cx.tree.value(id)
    }

    fn unexpected(&self, id: NodeId) -> String {
        match self.scalar(id) {
            Some(v) => match v {
                Value::Str(s) => format!("string {s:?}"),
                other => {
                    let written = self.cx.tree.text(id).unwrap_or("");
                    let described = other.describe();
                    if described.contains(&format!("`{written}`")) {
                        described
                    } else {
                        format!("{described} (written `{written}`)")
                    }
                }
            },
            None if self.cx.tree.is_map(id) => "a mapping".to_string(),
            None => "a sequence".to_string(),
        }
    }

    fn type_error(&self, id: NodeId, expected: &dyn de::Expected) -> DeError {
        let expected = match expected.to_string().as_str() {
            "i8" | "i16" | "i32" | "i64" | "i128" | "u8" | "u16" | "u32" | "u64" | "u128" => "an integer".to_string(),
            "f32" | "f64" => "a number".to_string(),
            "a boolean" | "bool" => "a boolean (true or false)".to_string(),
            other => other.to_string(),
        };
        self.locate(de::Error::custom(format_args!(
            "expected {expected}, found {}",
            self.unexpected(id)
        )))
    }

    fn map_access(
        &self,
        id: NodeId,
        fields: Option<(&'static str, &'static [&'static str])>,
    ) -> Result<MapDe<'a, 't, 's>, DeError> {
        let tree = self.cx.tree;
        let entries = if tree.has_merge(id) {
            tree.expanded_entries(id)
                .ok_or_else(|| self.locate(de::Error::custom("merge keys expand to too many entries")))?
        } else {
            tree.entries(id).collect()
        };
        Ok(MapDe {
            cx: self.cx,
            entries: entries.into_iter(),
            value: None,
            path: self.path,
            fields,
            skip_type_meta: self.skip_type_meta,
        })
    }

    fn int<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let r = match self.scalar(id) {
            Some(Value::Int(i)) => visitor.visit_i64(i),
            Some(Value::UInt(u)) => visitor.visit_u64(u),
            // JSON has one number type: `2.0` reaches Go as the integer 2.
            Some(Value::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => visitor.visit_i64(f as i64),
            Some(Value::Null) => visitor.visit_i64(0),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn float<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let r = match self.scalar(id) {
            Some(Value::Int(i)) => visitor.visit_f64(i as f64),
            Some(Value::UInt(u)) => visitor.visit_f64(u as f64),
            Some(Value::Float(f)) => visitor.visit_f64(f),
            Some(Value::Null) => visitor.visit_f64(0.0),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }
}

macro_rules! forward_int {
    ($($m:ident)*) => {$(
        fn $m<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> { self.int(visitor) }
    )*};
}

impl<'a, 't, 's> de::Deserializer<'t> for NodeDe<'a, 't, 's> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let tree = self.cx.tree;
        let r = match &tree.node(id).kind {
            NodeKind::Map { .. } => visitor.visit_map(self.map_access(id, None)?),
            NodeKind::Seq { .. } => visitor.visit_seq(SeqDe {
                cx: self.cx,
                items: tree.items(id).iter().enumerate(),
                path: self.path,
            }),
            _ => match self.scalar(id) {
                Some(Value::Null) => visitor.visit_unit(),
                Some(Value::Bool(b)) => visitor.visit_bool(b),
                Some(Value::Int(i)) => visitor.visit_i64(i),
                Some(Value::UInt(u)) => visitor.visit_u64(u),
                Some(Value::Float(f)) => visitor.visit_f64(f),
                Some(Value::Str(s)) => visitor.visit_borrowed_str(s),
                None => visitor.visit_unit(),
            },
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_bool<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let r = match self.scalar(id) {
            Some(Value::Bool(b)) => visitor.visit_bool(b),
            Some(Value::Null) => visitor.visit_bool(false),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }

    forward_int!(deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
                 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128);

    fn deserialize_f32<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.float(visitor)
    }

    fn deserialize_f64<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.float(visitor)
    }

    fn deserialize_char<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let r = match self.scalar(id) {
            Some(Value::Str(s)) => visitor.visit_borrowed_str(s),
            Some(Value::Null) => visitor.visit_borrowed_str(""),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_string<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.cx.tree.deref(self.node);
        if self.cx.tree.is_null(id) {
            visitor.visit_none().map_err(|e| self.locate(e))
        } else {
            visitor.visit_some(self).map_err(|e| self.locate(e))
        }
    }

    fn deserialize_unit<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit().map_err(|e| self.locate(e))
    }

    fn deserialize_unit_struct<V: Visitor<'t>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'t>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self).map_err(|e| self.locate(e))
    }

    fn deserialize_seq<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let tree = self.cx.tree;
        let r = match &tree.node(id).kind {
            NodeKind::Seq { .. } => visitor.visit_seq(SeqDe {
                cx: self.cx,
                items: tree.items(id).iter().enumerate(),
                path: self.path,
            }),
            _ if tree.is_null(id) => visitor.visit_seq(SeqDe {
                cx: self.cx,
                items: [].iter().enumerate(),
                path: self.path,
            }),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_tuple<V: Visitor<'t>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'t>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let tree = self.cx.tree;
        let r = match &tree.node(id).kind {
            NodeKind::Map { .. } => visitor.visit_map(self.map_access(id, None)?),
            _ if tree.is_null(id) => visitor.visit_map(MapDe::empty(self.cx, self.path)),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_struct<V: Visitor<'t>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        let tree = self.cx.tree;
        let r = match &tree.node(id).kind {
            NodeKind::Map { .. } => visitor.visit_map(self.map_access(id, Some((name, fields)))?),
            _ if tree.is_null(id) => visitor.visit_map(MapDe::empty(self.cx, self.path)),
            _ => return Err(self.type_error(id, &visitor)),
        };
        r.map_err(|e| self.locate(e))
    }

    fn deserialize_enum<V: Visitor<'t>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let id = self.enter()?;
        match self.scalar(id) {
            Some(Value::Str(s)) => visitor
                .visit_enum(IntoDeserializer::<DeError>::into_deserializer(s))
                .map_err(|e| self.locate(e)),
            _ => Err(self.type_error(id, &visitor)),
        }
    }

    fn deserialize_identifier<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqDe<'a, 't, 's> {
    cx: &'a Context<'t, 's>,
    items: std::iter::Enumerate<std::slice::Iter<'t, NodeId>>,
    path: Option<&'a PathLink<'a>>,
}

impl<'t> de::SeqAccess<'t> for SeqDe<'_, 't, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'t>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        let Some((i, item)) = self.items.by_ref().find(|(_, item)| !self.cx.is_masked(**item)) else {
            return Ok(None);
        };
        let link = PathLink {
            parent: self.path,
            seg: PathSeg::Index(i),
        };
        seed.deserialize(NodeDe {
            cx: self.cx,
            node: *item,
            path: Some(&link),
            skip_type_meta: false,
        })
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a, 't, 's> {
    cx: &'a Context<'t, 's>,
    entries: std::vec::IntoIter<(NodeId, NodeId)>,
    value: Option<(NodeId, NodeId)>,
    path: Option<&'a PathLink<'a>>,
    /// For structs: the struct's name and declared fields; other keys are recorded as
    /// unknown and skipped.
    fields: Option<(&'static str, &'static [&'static str])>,
    skip_type_meta: bool,
}

impl<'a, 't, 's> MapDe<'a, 't, 's> {
    fn empty(cx: &'a Context<'t, 's>, path: Option<&'a PathLink<'a>>) -> Self {
        MapDe {
            cx,
            entries: Vec::new().into_iter(),
            value: None,
            path,
            fields: None,
            skip_type_meta: false,
        }
    }
}

impl<'t> de::MapAccess<'t> for MapDe<'_, 't, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'t>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        let tree = self.cx.tree;
        loop {
            let Some((key, value)) = self.entries.next() else {
                return Ok(None);
            };
            if self.cx.is_masked(value) {
                continue;
            }
            let name = tree.key_str(key);
            if self.skip_type_meta && matches!(name, Some("apiVersion" | "kind")) {
                continue;
            }
            if let Some((struct_name, fields)) = self.fields {
                // `$patch`, `$retainKeys`, `$setElementOrder/...`: strategic merge patch
                // directives, found in Kustomize patches.
                let known = name.is_some_and(|n| fields.contains(&n) || n.starts_with('$'));
                if !known {
                    if self.cx.report_unknown {
                        let link = PathLink {
                            parent: self.path,
                            seg: PathSeg::Key(key),
                        };
                        self.cx.unknown.borrow_mut().push(UnknownField {
                            key,
                            route: route_string(tree, Some(&link)),
                            name: name.unwrap_or("?").to_string(),
                            expected: fields,
                            struct_name,
                        });
                    }
                    continue;
                }
                // `field: null` leaves the field unset, as in Go.
                if tree.is_null(value) {
                    continue;
                }
            }
            self.value = Some((key, value));
            return seed.deserialize(KeyDe { tree, key }).map(Some);
        }
    }

    fn next_value_seed<V: DeserializeSeed<'t>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("value requested before key"));
        };
        let link = PathLink {
            parent: self.path,
            seg: PathSeg::Key(key),
        };
        seed.deserialize(NodeDe {
            cx: self.cx,
            node: value,
            path: Some(&link),
            skip_type_meta: false,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// Map keys: strings. Non-string scalar keys become the string Go's YAML→JSON conversion
/// gives them (`on:` → `"true"`, `80:` → `"80"`).
struct KeyDe<'a, 's> {
    tree: &'a Tree<'s>,
    key: NodeId,
}

impl<'de> de::Deserializer<'de> for KeyDe<'_, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let located = |e: DeError| DeError {
            node: e.node.or(Some(self.key)),
            ..e
        };
        match self.tree.value(self.key) {
            Some(Value::Str(s)) => visitor.visit_str(s).map_err(located),
            Some(Value::Bool(b)) => visitor.visit_string(b.to_string()).map_err(located),
            Some(Value::Int(i)) => visitor.visit_string(i.to_string()).map_err(located),
            Some(Value::UInt(u)) => visitor.visit_string(u.to_string()).map_err(located),
            Some(Value::Float(f)) => visitor.visit_string(f.to_string()).map_err(located),
            Some(Value::Null) => visitor.visit_str("null").map_err(located),
            None => Err(DeError {
                node: Some(self.key),
                route: None,
                message: format!("a mapping key must be a scalar, found {}", Unexpected::Map),
            }),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Limits, parse};
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::Container;

    fn de<T: for<'t> de::Deserialize<'t>>(text: &str) -> (Result<T, DeError>, Vec<UnknownField>) {
        let (tree, docs, err) = parse(text, &Limits::default());
        assert_eq!(err, None);
        let cx = Context::new(&tree, 1000, true);
        let r = cx.deserialize::<T>(docs[0].root, true);
        (r, cx.take_unknown())
    }

    #[test]
    fn reads_a_deployment() {
        let (d, unknown) = de::<Deployment>(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}}\nspec:\n  replicas: 2.0\n  selector: {matchLabels: {app: web}}\n  template:\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        securityContext: {privileged: yes}\n",
        );
        let d = d.unwrap();
        assert!(unknown.is_empty());
        let spec = d.spec;
        assert_eq!(spec.replicas, Some(2));
        let c = &spec.template.spec.unwrap().containers[0];
        assert_eq!(c.security_context.as_ref().unwrap().privileged, Some(true));
    }

    #[test]
    fn unknown_fields_are_recorded_with_routes() {
        let (c, unknown) = de::<Container>("name: app\nsecurityContex: {}\nimage: x\n");
        assert!(c.is_ok());
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].route, "securityContex");
        assert_eq!(unknown[0].name, "securityContex");
        assert!(unknown[0].expected.contains(&"securityContext"));
    }

    #[test]
    fn numbers_are_not_strings() {
        let (r, _) = de::<Container>("name: app\nenv:\n- name: PORT\n  value: 8080\n");
        let e = r.unwrap_err();
        assert_eq!(e.route.as_deref(), Some("env[0].value"));
        assert_eq!(e.message, "expected a string, found integer `8080`");
    }

    #[test]
    fn null_leaves_fields_unset() {
        let (c, _) = de::<Container>("name: app\nsecurityContext:\nports: ~\n");
        let c = c.unwrap();
        assert!(c.security_context.is_none() && c.ports.is_none());
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("name: app\nargs: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!("l{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        text.push_str("command: *a9\n");
        let (r, _) = de::<serde_json::Value>(&text);
        assert!(r.unwrap_err().message.contains("aliases"));
    }
}
