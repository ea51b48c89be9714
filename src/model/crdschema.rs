//! The structural schemas of CustomResourceDefinitions, and custom resources validated
//! against them the way the API server does (cel-policies.md §7): unknown fields pruned
//! (and reported), `null`s of non-nullable fields pruned, `default`s applied, then every
//! value checked against its schema (type, format, enum, bounds, lengths, patterns,
//! required fields, list types, embedded resources, `allOf`/`anyOf`/`oneOf`/`not`).
//!
//! Values are `serde_json::Value`s read from the spanned tree (as Kubernetes reads YAML),
//! so that defaults are really applied; violations carry routes, which the caller resolves
//! to positions (a route into a defaulted value resolves to its nearest written ancestor).

use crate::source::{Route, Seg};
use regex::Regex;
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::sync::LazyLock;

/// A JSON-schema type of a structural schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Type {
    fn parse(s: &str) -> Option<Type> {
        Some(match s {
            "object" => Type::Object,
            "array" => Type::Array,
            "string" => Type::String,
            "integer" => Type::Integer,
            "number" => Type::Number,
            "boolean" => Type::Boolean,
            _ => return None,
        })
    }
}

/// `additionalProperties`.
#[derive(Debug, Default)]
pub enum Additional {
    /// Not set: undeclared fields are pruned (unless unknown fields are preserved).
    #[default]
    Unset,
    /// `true`: any value.
    Any,
    /// `false`: none.
    Deny,
    Schema(Box<Schema>),
}

/// `x-kubernetes-list-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListType {
    Atomic,
    Set,
    Map,
}

/// One `x-kubernetes-validations` rule, kept for CEL evaluation.
#[derive(Debug, Default, Clone)]
pub struct CelRule {
    pub rule: String,
    pub message: Option<String>,
    pub message_expression: Option<String>,
    pub field_path: Option<String>,
    pub reason: Option<String>,
    pub optional_old_self: bool,
}

/// A `pattern` (RE2 syntax, unanchored), compiled the first time a value meets it.
#[derive(Debug)]
pub struct Pattern {
    pub source: String,
    compiled: std::sync::OnceLock<Option<Regex>>,
}

impl Pattern {
    fn new(source: &str) -> Pattern {
        Pattern {
            source: source.to_string(),
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// Whether `text` matches; `None` when the pattern is too large to compile.
    pub fn is_match(&self, text: &str) -> Option<bool> {
        self.compiled
            .get_or_init(|| Regex::new(&self.source).ok())
            .as_ref()
            .map(|re| re.is_match(text))
    }
}

/// A compact structural schema. Large CRDs have tens of thousands of schema nodes, most of
/// them a type and little else: what few nodes set lives in [`Constraints`], allocated only
/// when set, and properties are a sorted slice (a map's spare capacity per node would cost
/// more than the schema).
#[derive(Debug, Default)]
pub struct Schema {
    /// `None`: any type (int-or-string, preserve-unknown-fields, value-validation schemas).
    pub type_: Option<Type>,
    pub list_type: Option<ListType>,
    pub nullable: bool,
    pub preserve_unknown: bool,
    pub int_or_string: bool,
    pub embedded: bool,
    pub required: Box<[String]>,
    pub properties: Properties,
    pub additional: Additional,
    pub items: Option<Box<Schema>>,
    /// Everything else, when anything else is set.
    more: Option<Box<Constraints>>,
}

/// The rarer parts of a [`Schema`].
#[derive(Debug, Default)]
pub struct Constraints {
    pub format: Option<String>,
    pub enum_: Option<Vec<Value>>,
    pub pattern: Option<Pattern>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub multiple_of: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub all_of: Vec<Schema>,
    pub any_of: Vec<Schema>,
    pub one_of: Vec<Schema>,
    pub not: Option<Box<Schema>>,
    pub default: Option<Value>,
    pub list_map_keys: Vec<String>,
    pub validations: Vec<CelRule>,
}

static NO_CONSTRAINTS: Constraints = Constraints {
    format: None,
    enum_: None,
    pattern: None,
    minimum: None,
    maximum: None,
    exclusive_minimum: false,
    exclusive_maximum: false,
    multiple_of: None,
    min_length: None,
    max_length: None,
    min_items: None,
    max_items: None,
    min_properties: None,
    max_properties: None,
    all_of: Vec::new(),
    any_of: Vec::new(),
    one_of: Vec::new(),
    not: None,
    default: None,
    list_map_keys: Vec::new(),
    validations: Vec::new(),
};

impl Constraints {
    fn is_empty(&self) -> bool {
        let Constraints {
            format,
            enum_,
            pattern,
            minimum,
            maximum,
            exclusive_minimum,
            exclusive_maximum,
            multiple_of,
            min_length,
            max_length,
            min_items,
            max_items,
            min_properties,
            max_properties,
            all_of,
            any_of,
            one_of,
            not,
            default,
            list_map_keys,
            validations,
        } = self;
        format.is_none()
            && enum_.is_none()
            && pattern.is_none()
            && [minimum, maximum, multiple_of].iter().all(|v| v.is_none())
            && !exclusive_minimum
            && !exclusive_maximum
            && [
                min_length,
                max_length,
                min_items,
                max_items,
                min_properties,
                max_properties,
            ]
            .iter()
            .all(|v| v.is_none())
            && all_of.is_empty()
            && any_of.is_empty()
            && one_of.is_empty()
            && not.is_none()
            && default.is_none()
            && list_map_keys.is_empty()
            && validations.is_empty()
    }
}

/// The `properties` of a schema, sorted by name.
#[derive(Debug, Default)]
pub struct Properties(Box<[(String, Schema)]>);

impl Properties {
    fn new(mut entries: Vec<(String, Schema)>) -> Properties {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Properties(entries.into_boxed_slice())
    }

    pub fn get(&self, name: &str) -> Option<&Schema> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The properties in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Schema)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Schema> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<'a> IntoIterator for &'a Properties {
    type Item = (&'a String, &'a Schema);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (String, Schema)>, fn(&'a (String, Schema)) -> (&'a String, &'a Schema)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

/// Something in a CRD's schema the API server rejects, at a route from the CRD's root.
#[derive(Debug, Clone)]
pub struct SchemaProblem {
    pub route: Route,
    /// In the API server's words, after the field path.
    pub message: String,
    /// A short label for the underline.
    pub label: &'static str,
}

/// How a schema is read.
#[derive(Clone, Copy)]
pub struct ParseMode {
    /// `apiextensions.k8s.io/v1`: the schema must be structural.
    pub structural: bool,
}

impl Schema {
    /// Reads a schema from its JSON form. Problems the API server rejects the CRD for are
    /// added to `problems`, at routes under `route`.
    pub fn parse(v: &Value, route: &Route, mode: ParseMode, problems: &mut Vec<SchemaProblem>) -> Schema {
        parse(v, At::Base(route), mode, false, problems)
    }

    /// The constraints this schema sets (none, for most nodes).
    pub fn more(&self) -> &Constraints {
        self.more.as_deref().unwrap_or(&NO_CONSTRAINTS)
    }

    fn has_object_shape(&self) -> bool {
        !self.properties.is_empty() || !matches!(self.additional, Additional::Unset)
    }
}

/// Where a schema node lies: its route is built only when a problem is found there (a
/// large CRD has tens of thousands of nodes, and few problems).
#[derive(Clone, Copy)]
enum At<'a> {
    Base(&'a Route),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn route(&self) -> Route {
        match self {
            At::Base(route) => (*route).clone(),
            At::Key(parent, key) => parent.route().key(key.to_string()),
            At::Index(parent, i) => parent.route().index(*i),
        }
    }
}

/// The keywords of a schema node that [`parse`] reads, found in one walk over its entries.
#[derive(Default)]
struct Keywords<'v> {
    type_: Option<&'v Value>,
    format: Option<&'v Value>,
    enum_: Option<&'v Value>,
    pattern: Option<&'v Value>,
    minimum: Option<&'v Value>,
    maximum: Option<&'v Value>,
    exclusive_minimum: Option<&'v Value>,
    exclusive_maximum: Option<&'v Value>,
    multiple_of: Option<&'v Value>,
    min_length: Option<&'v Value>,
    max_length: Option<&'v Value>,
    min_items: Option<&'v Value>,
    max_items: Option<&'v Value>,
    min_properties: Option<&'v Value>,
    max_properties: Option<&'v Value>,
    required: Option<&'v Value>,
    nullable: Option<&'v Value>,
    default: Option<&'v Value>,
    preserve_unknown: Option<&'v Value>,
    int_or_string: Option<&'v Value>,
    embedded: Option<&'v Value>,
    list_type: Option<&'v Value>,
    list_map_keys: Option<&'v Value>,
    validations: Option<&'v Value>,
    properties: Option<&'v Value>,
    additional: Option<&'v Value>,
    items: Option<&'v Value>,
    all_of: Option<&'v Value>,
    any_of: Option<&'v Value>,
    one_of: Option<&'v Value>,
    not: Option<&'v Value>,
    unique_items: Option<&'v Value>,
}

impl<'v> Keywords<'v> {
    fn of(m: &'v Map<String, Value>) -> Keywords<'v> {
        let mut k = Keywords::default();
        for (key, value) in m {
            let slot = match key.as_str() {
                "type" => &mut k.type_,
                "format" => &mut k.format,
                "enum" => &mut k.enum_,
                "pattern" => &mut k.pattern,
                "minimum" => &mut k.minimum,
                "maximum" => &mut k.maximum,
                "exclusiveMinimum" => &mut k.exclusive_minimum,
                "exclusiveMaximum" => &mut k.exclusive_maximum,
                "multipleOf" => &mut k.multiple_of,
                "minLength" => &mut k.min_length,
                "maxLength" => &mut k.max_length,
                "minItems" => &mut k.min_items,
                "maxItems" => &mut k.max_items,
                "minProperties" => &mut k.min_properties,
                "maxProperties" => &mut k.max_properties,
                "required" => &mut k.required,
                "nullable" => &mut k.nullable,
                "default" => &mut k.default,
                "x-kubernetes-preserve-unknown-fields" => &mut k.preserve_unknown,
                "x-kubernetes-int-or-string" => &mut k.int_or_string,
                "x-kubernetes-embedded-resource" => &mut k.embedded,
                "x-kubernetes-list-type" => &mut k.list_type,
                "x-kubernetes-list-map-keys" => &mut k.list_map_keys,
                "x-kubernetes-validations" => &mut k.validations,
                "properties" => &mut k.properties,
                "additionalProperties" => &mut k.additional,
                "items" => &mut k.items,
                "allOf" => &mut k.all_of,
                "anyOf" => &mut k.any_of,
                "oneOf" => &mut k.one_of,
                "not" => &mut k.not,
                "uniqueItems" => &mut k.unique_items,
                _ => continue,
            };
            *slot = Some(value);
        }
        k
    }
}

fn parse(v: &Value, at: At<'_>, mode: ParseMode, value_validation: bool, out: &mut Vec<SchemaProblem>) -> Schema {
    let mut s = Schema::default();
    let mut c = Constraints::default();
    let Some(m) = v.as_object() else {
        return s;
    };
    let k = Keywords::of(m);
    let num = |v: Option<&Value>| v.and_then(Value::as_f64);
    let count = |v: Option<&Value>| v.and_then(Value::as_u64);
    let flag = |v: Option<&Value>| v.and_then(Value::as_bool) == Some(true);
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let problem = |out: &mut Vec<SchemaProblem>, key: &'static str, message: String, label: &'static str| {
        out.push(SchemaProblem {
            route: at.route().key(key),
            message,
            label,
        })
    };
    s.type_ = k.type_.and_then(Value::as_str).and_then(Type::parse);
    c.format = k.format.and_then(Value::as_str).map(str::to_string);
    c.enum_ = k.enum_.and_then(Value::as_array).cloned();
    if let Some(p) = k.pattern.and_then(Value::as_str) {
        // Checked here, compiled on first use: most patterns of a large CRD never meet a
        // value.
        match regex_syntax::Parser::new().parse(p) {
            Ok(_) => c.pattern = Some(Pattern::new(p)),
            Err(e) => problem(
                out,
                "pattern",
                format!(
                    "Invalid value: {p:?}: must be a valid regular expression, but isn't: {}",
                    first_line(&e.to_string()).trim_start_matches("error: ")
                ),
                "not a regular expression",
            ),
        }
    }
    c.minimum = num(k.minimum);
    c.maximum = num(k.maximum);
    c.exclusive_minimum = flag(k.exclusive_minimum);
    c.exclusive_maximum = flag(k.exclusive_maximum);
    c.multiple_of = num(k.multiple_of).filter(|m| *m > 0.0);
    c.min_length = count(k.min_length);
    c.max_length = count(k.max_length);
    c.min_items = count(k.min_items);
    c.max_items = count(k.max_items);
    c.min_properties = count(k.min_properties);
    c.max_properties = count(k.max_properties);
    s.required = strings(k.required).into();
    s.nullable = flag(k.nullable);
    c.default = k.default.cloned();
    s.preserve_unknown = flag(k.preserve_unknown);
    s.int_or_string = flag(k.int_or_string);
    s.embedded = flag(k.embedded);
    s.list_type = match k.list_type.and_then(Value::as_str) {
        Some("atomic") => Some(ListType::Atomic),
        Some("set") => Some(ListType::Set),
        Some("map") => Some(ListType::Map),
        _ => None,
    };
    c.list_map_keys = strings(k.list_map_keys);
    if let Some(rules) = k.validations.and_then(Value::as_array) {
        let text = |r: &Map<String, Value>, k: &str| r.get(k).and_then(Value::as_str).map(str::to_string);
        c.validations = rules
            .iter()
            .filter_map(Value::as_object)
            .map(|r| CelRule {
                rule: text(r, "rule").unwrap_or_default(),
                message: text(r, "message"),
                message_expression: text(r, "messageExpression"),
                field_path: text(r, "fieldPath"),
                reason: text(r, "reason"),
                optional_old_self: r.get("optionalOldSelf").and_then(Value::as_bool) == Some(true),
            })
            .collect();
    }
    if let Some(p) = k.properties.and_then(Value::as_object) {
        let base = At::Key(&at, "properties");
        s.properties = Properties::new(
            p.iter()
                .map(|(k, v)| (k.clone(), parse(v, At::Key(&base, k), mode, value_validation, out)))
                .collect(),
        );
    }
    s.additional = match k.additional {
        Some(Value::Bool(true)) => Additional::Any,
        Some(Value::Bool(false)) => Additional::Deny,
        Some(v @ Value::Object(_)) => Additional::Schema(Box::new(parse(
            v,
            At::Key(&at, "additionalProperties"),
            mode,
            value_validation,
            out,
        ))),
        _ => Additional::Unset,
    };
    if let Some(items) = k.items {
        s.items = Some(Box::new(parse(
            items,
            At::Key(&at, "items"),
            mode,
            value_validation,
            out,
        )));
    }
    let list = |key: &'static str, v: Option<&Value>, out: &mut Vec<SchemaProblem>| -> Vec<Schema> {
        let base = At::Key(&at, key);
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .enumerate()
                    .map(|(i, v)| parse(v, At::Index(&base, i), mode, true, out))
                    .collect()
            })
            .unwrap_or_default()
    };
    c.all_of = list("allOf", k.all_of, out);
    c.any_of = list("anyOf", k.any_of, out);
    c.one_of = list("oneOf", k.one_of, out);
    if let Some(n) = k.not {
        c.not = Some(Box::new(parse(n, At::Key(&at, "not"), mode, true, out)));
    }

    if flag(k.unique_items) {
        problem(
            out,
            "uniqueItems",
            "Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic".to_string(),
            "forbidden in CRD schemas",
        );
    }
    if mode.structural && !value_validation {
        if s.type_.is_none() && !s.int_or_string && !s.preserve_unknown {
            out.push(SchemaProblem {
                route: at.route(),
                message:
                    "type: Required value: must not be empty for specified object fields (not a structural schema)"
                        .to_string(),
                label: "no type",
            });
        }
        if s.type_ == Some(Type::Array) && s.items.is_none() {
            out.push(SchemaProblem {
                route: at.route(),
                message: "items: Required value: must be specified (not a structural schema)".to_string(),
                label: "an array without items",
            });
        }
        if !s.properties.is_empty() && matches!(s.additional, Additional::Schema(_) | Additional::Deny) {
            problem(
                out,
                "additionalProperties",
                "Forbidden: additionalProperties and properties are mutual exclusive".to_string(),
                "beside properties",
            );
        }
    }
    if !c.is_empty() {
        s.more = Some(Box::new(c));
    }
    s
}

fn first_line(s: &str) -> &str {
    s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}

/// A violation found in a custom resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Violation {
    /// A value the schema rejects, in the API server's words.
    Invalid { route: Route, message: String },
    /// A field the schema does not declare (pruned by the API server), with the declared
    /// field closest to it.
    Unknown { route: Route, suggestion: Option<String> },
}

/// Validates a custom resource (its JSON form, `obj`) against the schema of its version:
/// unknown fields are pruned and reported first (unless `prune` is off: `v1beta1` CRDs
/// without `preserveUnknownFields: false`), then nulls pruned, defaults applied, and the
/// defaulted object validated. `metadata`, `apiVersion` and `kind` at the root are left to
/// other checks.
pub fn validate_object(obj: &mut Value, schema: &Schema, prune: bool) -> Vec<Violation> {
    let mut out = Vec::new();
    if prune {
        prune_unknown(obj, schema, &Route::root(), true, &mut out);
    }
    apply_defaults(obj, schema, true);
    validate(obj, schema, &Route::root(), true, &mut out);
    out
}

const ROOT_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

fn prunes_fields(s: &Schema) -> bool {
    matches!(s.type_, Some(Type::Object)) || (s.type_.is_none() && !s.int_or_string)
}

fn prune_unknown(v: &mut Value, s: &Schema, route: &Route, root: bool, out: &mut Vec<Violation>) {
    match v {
        Value::Object(map) if prunes_fields(s) => {
            if s.preserve_unknown && !s.has_object_shape() {
                return;
            }
            let mut drop = Vec::new();
            for (k, child) in map.iter_mut() {
                if (root || s.embedded) && ROOT_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                if let Some(ps) = s.properties.get(k) {
                    prune_unknown(child, ps, &route.key(k.clone()), false, out);
                    continue;
                }
                match &s.additional {
                    Additional::Schema(a) => prune_unknown(child, a, &route.key(k.clone()), false, out),
                    Additional::Any => {}
                    Additional::Unset | Additional::Deny if s.preserve_unknown => {}
                    Additional::Unset | Additional::Deny => drop.push(k.clone()),
                }
            }
            for k in drop {
                map.remove(&k);
                let suggestion = s
                    .properties
                    .keys()
                    .filter(|p| !map.contains_key(*p))
                    .map(|p| (strsim::jaro_winkler(p, &k), p))
                    .filter(|(score, _)| *score > 0.85)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, p)| p.clone());
                out.push(Violation::Unknown {
                    route: route.key(k),
                    suggestion,
                });
            }
        }
        Value::Array(items) if matches!(s.type_, Some(Type::Array) | None) => {
            if let Some(is) = &s.items {
                for (i, item) in items.iter_mut().enumerate() {
                    prune_unknown(item, is, &route.index(i), false, out);
                }
            }
        }
        _ => {}
    }
}

fn apply_defaults(v: &mut Value, s: &Schema, root: bool) {
    match v {
        Value::Object(map) if prunes_fields(s) => {
            for (k, ps) in &s.properties {
                if root && ROOT_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                match map.get(k) {
                    None => {
                        if let Some(d) = &ps.more().default {
                            map.insert(k.clone(), d.clone());
                        }
                    }
                    Some(Value::Null) if !ps.nullable => match &ps.more().default {
                        Some(d) => {
                            map.insert(k.clone(), d.clone());
                        }
                        None => {
                            map.remove(k);
                        }
                    },
                    Some(_) => {}
                }
            }
            if let Additional::Schema(a) = &s.additional
                && !a.nullable
            {
                map.retain(|k, v| s.properties.contains_key(k) || !v.is_null());
            }
            for (k, child) in map.iter_mut() {
                if root && ROOT_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                if let Some(ps) = s.properties.get(k) {
                    apply_defaults(child, ps, false);
                } else if let Additional::Schema(a) = &s.additional {
                    apply_defaults(child, a, false);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = &s.items {
                for item in items {
                    apply_defaults(item, is, false);
                }
            }
        }
        _ => {}
    }
}

/// How a value shows in a message: strings quoted, numbers and booleans as written,
/// collections as (short) JSON.
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Null => "null".to_string(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        _ => {
            let mut s = v.to_string();
            if s.chars().count() > 80 {
                s = s.chars().take(77).collect::<String>() + "...";
            }
            s
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.is_finite() && f.fract() == 0.0),
        _ => false,
    }
}

fn type_matches(t: Type, v: &Value) -> bool {
    match t {
        Type::Object => v.is_object(),
        Type::Array => v.is_array(),
        Type::String => v.is_string(),
        Type::Integer => is_integer(v),
        Type::Number => v.is_number(),
        Type::Boolean => v.is_boolean(),
    }
}

fn type_label(t: Type) -> &'static str {
    match t {
        Type::Object => "object",
        Type::Array => "array",
        Type::String => "string",
        Type::Integer => "integer",
        Type::Number => "number",
        Type::Boolean => "boolean",
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn fmt_num(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn invalid(out: &mut Vec<Violation>, route: &Route, value: &Value, detail: String) {
    out.push(Violation::Invalid {
        route: route.clone(),
        message: format!("{}: Invalid value: {}: {detail}", path(route), show(value)),
    });
}

/// The API server's name of a field path: `spec.items[0].name`, `<root>` for the root.
pub fn path(route: &Route) -> String {
    if route.is_root() {
        "<root>".to_string()
    } else {
        route.to_string()
    }
}

fn validate(v: &Value, s: &Schema, route: &Route, root: bool, out: &mut Vec<Violation>) {
    let p = path(route);
    if v.is_null() {
        if !s.nullable && (s.type_.is_some() || s.int_or_string) {
            let t = if s.int_or_string {
                "integer,string"
            } else {
                s.type_.map_or("object", type_label)
            };
            invalid(
                out,
                route,
                &Value::from("null"),
                format!("{p} in body must be of type {t}: \"null\""),
            );
        }
        return;
    }
    if s.int_or_string {
        if !(is_integer(v) || v.is_string()) {
            let t = type_name(v);
            invalid(
                out,
                route,
                &Value::from(t),
                format!("{p} in body must be of type integer,string: {t:?}"),
            );
            return;
        }
    } else if let Some(t) = s.type_
        && !type_matches(t, v)
    {
        let found = type_name(v);
        invalid(
            out,
            route,
            &Value::from(found),
            format!("{p} in body must be of type {}: {found:?}", type_label(t)),
        );
        return;
    }
    if let (Some(fmt), Value::String(text)) = (&s.more().format, v)
        && let Some(false) = check_format(fmt, text)
    {
        invalid(out, route, v, format!("{p} in body must be of type {fmt}: {text:?}"));
    }
    if let Some(allowed) = &s.more().enum_
        && !allowed.iter().any(|a| json_eq(a, v))
    {
        let list = allowed.iter().map(show).collect::<Vec<_>>().join(", ");
        out.push(Violation::Invalid {
            route: route.clone(),
            message: format!("{p}: Unsupported value: {}: supported values: {list}", show(v)),
        });
    }
    match v {
        Value::String(text) => {
            let chars = text.chars().count() as u64;
            if let Some(max) = s.more().max_length
                && chars > max
            {
                out.push(Violation::Invalid {
                    route: route.clone(),
                    message: format!("{p}: Too long: may not be more than {max} bytes"),
                });
            }
            if let Some(min) = s.more().min_length
                && chars < min
            {
                invalid(
                    out,
                    route,
                    v,
                    format!("{p} in body should be at least {min} chars long"),
                );
            }
            if let Some(pattern) = &s.more().pattern
                && pattern.is_match(text) == Some(false)
            {
                invalid(out, route, v, format!("{p} in body should match '{}'", pattern.source));
            }
        }
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if let Some(m) = s.more().multiple_of {
                let q = f / m;
                if q.fract() != 0.0 {
                    invalid(
                        out,
                        route,
                        v,
                        format!("{p} in body should be a multiple of {}", fmt_num(m)),
                    );
                }
            }
            if let Some(max) = s.more().maximum
                && ((s.more().exclusive_maximum && f >= max) || f > max)
            {
                let how = if s.more().exclusive_maximum {
                    "less than"
                } else {
                    "less than or equal to"
                };
                invalid(out, route, v, format!("{p} in body should be {how} {}", fmt_num(max)));
            }
            if let Some(min) = s.more().minimum
                && ((s.more().exclusive_minimum && f <= min) || f < min)
            {
                let how = if s.more().exclusive_minimum {
                    "greater than"
                } else {
                    "greater than or equal to"
                };
                invalid(out, route, v, format!("{p} in body should be {how} {}", fmt_num(min)));
            }
        }
        Value::Array(items) => {
            if let Some(max) = s.more().max_items
                && items.len() as u64 > max
            {
                out.push(Violation::Invalid {
                    route: route.clone(),
                    message: format!("{p}: Too many: {}: must have at most {max} items", items.len()),
                });
            }
            if let Some(min) = s.more().min_items
                && (items.len() as u64) < min
            {
                invalid(out, route, v, format!("{p} in body should have at least {min} items"));
            }
            if let Some(is) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    validate(item, is, &route.index(i), false, out);
                }
            }
            check_list_type(items, s, route, out);
        }
        Value::Object(map) => {
            for r in &s.required {
                // A missing `metadata` (or type meta) is not the schema's to report.
                if !(map.contains_key(r) || root && ROOT_FIELDS.contains(&r.as_str())) {
                    out.push(Violation::Invalid {
                        route: route.key(r.clone()),
                        message: format!("{}: Required value", path(&route.key(r.clone()))),
                    });
                }
            }
            if let Some(min) = s.more().min_properties
                && (map.len() as u64) < min
            {
                invalid(
                    out,
                    route,
                    v,
                    format!("{p} in body should have at least {min} properties"),
                );
            }
            if let Some(max) = s.more().max_properties
                && map.len() as u64 > max
            {
                invalid(
                    out,
                    route,
                    v,
                    format!("{p} in body should have at most {max} properties"),
                );
            }
            if s.embedded {
                for k in ["apiVersion", "kind"] {
                    if map.get(k).and_then(Value::as_str).is_none_or(str::is_empty) {
                        let r = route.key(k);
                        out.push(Violation::Invalid {
                            message: format!("{}: Required value: must not be empty", path(&r)),
                            route: r,
                        });
                    }
                }
            }
            for (k, child) in map {
                if (root || s.embedded) && ROOT_FIELDS.contains(&k.as_str()) {
                    continue;
                }
                if let Some(ps) = s.properties.get(k) {
                    validate(child, ps, &route.key(k.clone()), false, out);
                } else if let Additional::Schema(a) = &s.additional {
                    validate(child, a, &route.key(k.clone()), false, out);
                }
            }
        }
        _ => {}
    }
    for sub in &s.more().all_of {
        validate(v, sub, route, root, out);
    }
    let passes = |sub: &Schema| {
        let mut errs = Vec::new();
        validate(v, sub, route, root, &mut errs);
        errs.is_empty()
    };
    if !s.more().any_of.is_empty() && !s.more().any_of.iter().any(passes) {
        invalid(
            out,
            route,
            v,
            format!("{p} in body must validate at least one schema (anyOf)"),
        );
    }
    if !s.more().one_of.is_empty() && s.more().one_of.iter().filter(|sub| passes(sub)).count() != 1 {
        invalid(
            out,
            route,
            v,
            format!("{p} in body must validate one and only one schema (oneOf)"),
        );
    }
    if let Some(not) = &s.more().not
        && passes(not)
    {
        invalid(
            out,
            route,
            v,
            format!("{p} in body shouldn't validate the schema (not)"),
        );
    }
}

fn check_list_type(items: &[Value], s: &Schema, route: &Route, out: &mut Vec<Violation>) {
    match s.list_type {
        Some(ListType::Set) => {
            for (i, item) in items.iter().enumerate() {
                if items[..i].iter().any(|earlier| json_eq(earlier, item)) {
                    let r = route.index(i);
                    out.push(Violation::Invalid {
                        message: format!("{}: Duplicate value: {}", path(&r), show(item)),
                        route: r,
                    });
                }
            }
        }
        Some(ListType::Map) if !s.more().list_map_keys.is_empty() => {
            let key_of = |item: &Value| -> Option<Map<String, Value>> {
                let m = item.as_object()?;
                Some(
                    s.more()
                        .list_map_keys
                        .iter()
                        .filter_map(|k| m.get(k).map(|v| (k.clone(), v.clone())))
                        .collect(),
                )
            };
            let keys: Vec<Option<Map<String, Value>>> = items.iter().map(key_of).collect();
            for (i, key) in keys.iter().enumerate() {
                let Some(key) = key else { continue };
                let dup = keys[..i]
                    .iter()
                    .flatten()
                    .any(|k| k.len() == key.len() && k.iter().all(|(n, v)| key.get(n).is_some_and(|w| json_eq(v, w))));
                if dup {
                    let r = route.index(i);
                    let mut shown = String::from("{");
                    for (n, (k, v)) in key.iter().enumerate() {
                        if n > 0 {
                            shown.push(',');
                        }
                        let _ = write!(shown, "{k:?}:{v}");
                    }
                    shown.push('}');
                    out.push(Violation::Invalid {
                        message: format!("{}: Duplicate value: {shown}", path(&r)),
                        route: r,
                    });
                }
            }
        }
        _ => {}
    }
}

/// The last key of a route, for unknown-field messages.
pub fn last_key(route: &Route) -> Option<&str> {
    match route.segs().last()? {
        Seg::Key(k) => Some(k),
        Seg::Index(_) => None,
    }
}

// --- formats (the kube-openapi registry) ---------------------------------------------

macro_rules! re {
    ($name:ident, $re:literal) => {
        static $name: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new($re).ok());
    };
}

re!(
    UUID,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"
);
re!(
    UUID3,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"
);
re!(
    UUID4,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"
);
re!(
    UUID5,
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"
);
re!(
    HOSTNAME,
    r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)?)+)$"
);
re!(
    MAC,
    r"(?i)^(([0-9a-f]{2}[:-]){5}[0-9a-f]{2}|([0-9a-f]{2}[:-]){7}[0-9a-f]{2}|([0-9a-f]{2}[:-]){19}[0-9a-f]{2}|([0-9a-f]{4}\.){2}[0-9a-f]{4}|([0-9a-f]{4}\.){3}[0-9a-f]{4}|([0-9a-f]{4}\.){9}[0-9a-f]{4})$"
);
re!(BSON, r"^[0-9a-fA-F]{24}$");
re!(SSN, r"^\d{3}[- ]?\d{2}[- ]?\d{4}$");
re!(HEXCOLOR, r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$");
re!(
    RGBCOLOR,
    r"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$"
);
re!(
    CREDITCARD,
    r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$"
);
re!(
    DATETIME,
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(:(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$"
);
re!(DURATION_LONG, r"^(\s*\d+\s*[A-Za-zµ]+\s*)+$");
re!(DURATION_PART, r"(\d+)\s*([A-Za-zµ]+)");

fn matches(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    // A pattern that does not compile (it does; tested) accepts everything.
    re.as_ref().is_none_or(|r| r.is_match(s))
}

/// Whether `s` is valid for a format of the kube-openapi registry; `None` for formats it
/// does not check.
pub fn check_format(format: &str, s: &str) -> Option<bool> {
    // The registry compares names without case, dashes and underscores (`date-time`).
    let name: String = format
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(match name.as_str() {
        "bsonobjectid" => matches(&BSON, s),
        "uri" => is_uri(s),
        "email" => is_email(s),
        "hostname" => s.len() <= 255 && matches(&HOSTNAME, s),
        "ipv4" => s.contains('.') && s.parse::<std::net::IpAddr>().is_ok(),
        "ipv6" => s.contains(':') && s.parse::<std::net::IpAddr>().is_ok(),
        "cidr" => s.parse::<ipnet::IpNet>().is_ok(),
        "mac" => matches(&MAC, s),
        "uuid" => matches(&UUID, s),
        "uuid3" => matches(&UUID3, s),
        "uuid4" => matches(&UUID4, s),
        "uuid5" => matches(&UUID5, s),
        "isbn" => is_isbn10(s) || is_isbn13(s),
        "isbn10" => is_isbn10(s),
        "isbn13" => is_isbn13(s),
        "creditcard" => is_creditcard(s),
        "ssn" => matches(&SSN, s),
        "hexcolor" => matches(&HEXCOLOR, s),
        "rgbcolor" => matches(&RGBCOLOR, s),
        "byte" => is_base64(s),
        "password" => true,
        "date" => is_date(s),
        "datetime" => is_datetime(s),
        "duration" => is_duration(s),
        _ => return None,
    })
}

fn is_uri(s: &str) -> bool {
    // Go's url.Parse: no control characters, valid %-escapes, a scheme is letters first,
    // and a first path segment without a scheme holds no colon.
    if s.chars().any(|c| c.is_control()) {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    if s.starts_with(':') {
        return false;
    }
    true
}

fn is_email(s: &str) -> bool {
    let addr = match (s.rfind('<'), s.strip_suffix('>')) {
        (Some(i), Some(inner)) => &inner[i + 1..],
        _ => s.trim(),
    };
    match addr.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !addr.chars().any(char::is_whitespace)
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

fn is_isbn10(s: &str) -> bool {
    let d: Vec<char> = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if d.len() != 10 {
        return false;
    }
    let mut sum = 0;
    for (i, c) in d.iter().enumerate() {
        let v = match c {
            '0'..='9' => *c as u32 - '0' as u32,
            'X' if i == 9 => 10,
            _ => return false,
        };
        sum += (i as u32 + 1) * v;
    }
    sum % 11 == 0
}

fn is_isbn13(s: &str) -> bool {
    let d: Vec<u32> = s
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .map(|c| c.to_digit(10).unwrap_or(99))
        .collect();
    if d.len() != 13 || d.contains(&99) {
        return false;
    }
    let sum: u32 = d[..12]
        .iter()
        .enumerate()
        .map(|(i, v)| if i % 2 == 0 { *v } else { 3 * v })
        .sum();
    (10 - sum % 10) % 10 == d[12]
}

fn is_creditcard(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    if !matches(&CREDITCARD, &digits) {
        return false;
    }
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn is_base64(s: &str) -> bool {
    use base64::Engine as _;
    let clean: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    base64::engine::general_purpose::STANDARD.decode(clean).is_ok()
}

fn valid_ymd(y: u32, m: u32, d: u32) -> bool {
    let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => valid_ymd(y, m, d),
        _ => false,
    }
}

fn is_datetime(s: &str) -> bool {
    let Some(c) = DATETIME.as_ref().and_then(|r| r.captures(s)) else {
        return DATETIME.is_none();
    };
    let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok()).unwrap_or(0);
    valid_ymd(n(1), n(2), n(3)) && n(4) < 24 && n(5) < 60 && n(7) < 61
}

/// Go's `time.ParseDuration` (`1h30m`, `-1.5s`, `300ms`), or kube-openapi's longer forms
/// (`3 days`, `2w`).
fn is_duration(s: &str) -> bool {
    go_duration(s) || long_duration(s)
}

fn go_duration(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s == "0" {
        return true;
    }
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_end];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return false;
        }
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        if !matches!(&rest[..unit_end], "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
            return false;
        }
        rest = &rest[unit_end..];
    }
    true
}

fn long_duration(s: &str) -> bool {
    if !matches(&DURATION_LONG, s) {
        return false;
    }
    let Some(part) = DURATION_PART.as_ref() else {
        return true;
    };
    part.captures_iter(s).all(|c| {
        let unit = c.get(2).map_or("", |m| m.as_str());
        matches!(
            unit,
            "ns" | "us"
                | "µs"
                | "ms"
                | "s"
                | "m"
                | "h"
                | "d"
                | "w"
                | "nanosecond"
                | "nanoseconds"
                | "microsecond"
                | "microseconds"
                | "millisecond"
                | "milliseconds"
                | "sec"
                | "secs"
                | "second"
                | "seconds"
                | "min"
                | "mins"
                | "minute"
                | "minutes"
                | "hr"
                | "hrs"
                | "hour"
                | "hours"
                | "day"
                | "days"
                | "wk"
                | "wks"
                | "week"
                | "weeks"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(v: Value) -> (Schema, Vec<SchemaProblem>) {
        let mut problems = Vec::new();
        let s = Schema::parse(&v, &Route::root(), ParseMode { structural: true }, &mut problems);
        (s, problems)
    }

    fn messages(schema_json: Value, mut obj: Value) -> Vec<String> {
        let (s, p) = schema(schema_json);
        assert!(p.is_empty(), "{p:?}");
        validate_object(&mut obj, &s, true)
            .into_iter()
            .map(|v| match v {
                Violation::Invalid { message, .. } => message,
                Violation::Unknown { route, suggestion } => format!("unknown {route} {suggestion:?}"),
            })
            .collect()
    }

    fn spec(props: Value) -> Value {
        json!({"type": "object", "properties": {"spec": {"type": "object", "properties": props}}})
    }

    #[test]
    fn every_format_regex_compiles() {
        for re in [
            &UUID,
            &UUID3,
            &UUID4,
            &UUID5,
            &HOSTNAME,
            &MAC,
            &BSON,
            &SSN,
            &HEXCOLOR,
            &RGBCOLOR,
            &CREDITCARD,
            &DATETIME,
            &DURATION_LONG,
            &DURATION_PART,
        ] {
            assert!(re.is_some());
        }
    }

    #[test]
    fn api_server_messages() {
        let s = spec(json!({
            "replicas": {"type": "integer", "minimum": 0},
            "mode": {"type": "string", "enum": ["A", "B"]},
            "x": {"type": "integer"},
            "name": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 5},
        }));
        let m = messages(
            s,
            json!({"spec": {"replicas": -1, "mode": "Foo", "x": "string", "name": "Abcdefg"}}),
        );
        assert!(
            m.contains(
                &"spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"
                    .to_string()
            ),
            "{m:?}"
        );
        assert!(m.contains(&"spec.mode: Unsupported value: \"Foo\": supported values: \"A\", \"B\"".to_string()));
        assert!(m.contains(
            &"spec.x: Invalid value: \"string\": spec.x in body must be of type integer: \"string\"".to_string()
        ));
        assert!(m.contains(&"spec.name: Too long: may not be more than 5 bytes".to_string()));
        assert!(
            m.contains(&"spec.name: Invalid value: \"Abcdefg\": spec.name in body should match '^[a-z]+$'".to_string())
        );
    }

    #[test]
    fn defaults_and_pruned_nulls() {
        let s = json!({"type": "object", "properties": {"spec": {
            "type": "object", "required": ["a", "b"],
            "properties": {"a": {"type": "integer", "default": 1}, "b": {"type": "string"}}}}});
        // `a` is defaulted; the null `b` is pruned, so `required` fires, not a type error.
        assert_eq!(
            messages(s, json!({"spec": {"b": null}})),
            vec!["spec.b: Required value"]
        );
    }

    #[test]
    fn unknown_fields_and_preserve() {
        let s = spec(json!({
            "threshold": {"type": "integer"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            "mixed": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                      "properties": {"inner": {"type": "object", "properties": {"a": {"type": "string"}}}}},
        }));
        let m = messages(
            s,
            json!({"apiVersion": "x/v1", "kind": "K", "metadata": {"name": "n"},
                   "spec": {"treshold": 1, "free": {"any": {"thing": 1}}, "mixed": {"other": 1, "inner": {"b": 1}}}}),
        );
        assert_eq!(
            m,
            vec![
                "unknown spec.mixed.inner.b None".to_string(),
                "unknown spec.treshold Some(\"threshold\")".to_string()
            ]
        );
    }

    #[test]
    fn list_types() {
        let s = spec(json!({
            "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "map": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
        }));
        let m = messages(
            s,
            json!({"spec": {"set": ["a", "b", "a"], "map": [{"name": "x"}, {"name": "x"}]}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.map[1]: Duplicate value: {\"name\":\"x\"}".to_string(),
                "spec.set[2]: Duplicate value: \"a\"".to_string()
            ]
        );
    }

    #[test]
    fn schema_problems() {
        let (_, p) = schema(json!({"type": "object", "properties": {
            "a": {"type": "array", "uniqueItems": true, "items": {"type": "string"}},
            "b": {"description": "no type"},
            "c": {"type": "array"},
            "d": {"type": "string", "pattern": "(["},
            "e": {"x-kubernetes-int-or-string": true},
        }}));
        let routes: Vec<String> = p.iter().map(|p| p.route.to_string()).collect();
        assert_eq!(
            routes,
            vec![
                "properties.a.uniqueItems",
                "properties.b",
                "properties.c",
                "properties.d.pattern"
            ]
        );
    }

    #[test]
    fn numbers_and_value_validations() {
        let s = spec(json!({
            "step": {"type": "integer", "multipleOf": 5, "exclusiveMaximum": true, "maximum": 100},
            "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0},
            "whole": {"type": "integer"},
            "one": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
                    "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
            "any": {"type": "object", "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
                    "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
            "never": {"type": "string", "not": {"enum": ["root"]}},
        }));
        let m = messages(
            s,
            json!({"spec": {"step": 100, "ratio": 0, "whole": 3.0,
                            "one": {"a": "x", "b": "y"}, "any": {}, "never": "root"}}),
        );
        assert_eq!(
            m,
            vec![
                "spec.any: Invalid value: {}: spec.any in body must validate at least one schema (anyOf)",
                "spec.never: Invalid value: \"root\": spec.never in body shouldn't validate the schema (not)",
                "spec.one: Invalid value: {\"a\":\"x\",\"b\":\"y\"}: spec.one in body must validate one and only one schema (oneOf)",
                "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0",
                "spec.step: Invalid value: 100: spec.step in body should be less than 100",
            ]
        );
    }

    #[test]
    fn formats() {
        let ok = [
            ("date", "2024-02-29"),
            ("datetime", "2024-01-02T03:04:05Z"),
            ("datetime", "2024-01-02T03:04:05.123+01:00"),
            ("duration", "1h30m"),
            ("duration", "3 days"),
            ("duration", "0"),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000"),
            ("ipv4", "10.0.0.1"),
            ("ipv6", "fe80::1"),
            ("cidr", "10.0.0.0/8"),
            ("hostname", "example.com"),
            ("byte", "aGVsbG8="),
            ("email", "a@example.com"),
            ("uri", "https://example.com/a?b=c"),
            ("mac", "00:00:5e:00:53:01"),
            ("isbn", "978-3-16-148410-0"),
        ];
        for (f, s) in ok {
            assert_eq!(check_format(f, s), Some(true), "{f} {s}");
        }
        let bad = [
            ("date", "2023-02-29"),
            ("datetime", "yesterday"),
            ("duration", "1x"),
            ("uuid", "nope"),
            ("ipv4", "10.0.0.256"),
            ("ipv6", "10.0.0.1"),
            ("cidr", "10.0.0.0"),
            ("hostname", "-bad-.com"),
            ("byte", "not base64!"),
            ("email", "nobody"),
            ("uri", "%zz"),
        ];
        for (f, s) in bad {
            assert_eq!(check_format(f, s), Some(false), "{f} {s}");
        }
        assert_eq!(check_format("int32", "x"), None);
    }
}
