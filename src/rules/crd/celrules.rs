//! `x-kubernetes-validations` rules of a CRD's schema, evaluated on a custom resource as the
//! API server does on CREATE: every rule of a schema node runs for every non-null value at
//! that node (each item under `items`, each value under `additionalProperties`), on the
//! object as defaulted, unless the structural schema found an error there; `self` is the
//! value. Transition rules (reading `oldSelf`) do not run on CREATE. A false rule is
//! reported at its `fieldPath` (relative to the node) or at the field the rule reads.

use crate::celhost::{Expr, Host, Verdict, blame, value};
use crate::model::crdschema::{Additional, Schema, path};
use crate::source::Route;
use rustc_hash::FxHashMap;
use serde_json::Value;

/// Every rule text of a schema, depth first.
pub fn texts(s: &Schema, out: &mut Vec<String>) {
    out.extend(s.more().validations.iter().map(|r| r.rule.clone()));
    for p in s.properties.values() {
        texts(p, out);
    }
    if let Additional::Schema(a) = &s.additional {
        texts(a, out);
    }
    if let Some(i) = &s.items {
        texts(i, out);
    }
}

/// Compiles a rule: `self` and `oldSelf` are its only variables.
pub fn compile(host: &Host, text: &str) -> Result<Expr, String> {
    let expr = host
        .compile(text)
        .map_err(|e| format!("compilation failed: {}", e.message))?;
    let names = expr.names();
    if let Some(bad) = names.idents.iter().find(|n| {
        !matches!(n.as_str(), "self" | "oldSelf")
            && !matches!(
                n.as_str(),
                "int" | "uint" | "double" | "bool" | "string" | "bytes" | "list" | "map" | "null_type" | "type" | "dyn"
            )
    }) {
        return Err(format!("compilation failed: undeclared reference to '{bad}'"));
    }
    Ok(expr)
}

/// A rule that does not hold for a value.
pub struct RuleFinding {
    pub route: Route,
    pub message: String,
    pub label: String,
    pub related: Option<Route>,
}

/// Evaluates the rules of `schema` over `json` (the object as defaulted). `invalid_at`:
/// routes where the structural schema found an error (rules there do not run).
pub fn evaluate(
    host: &Host,
    rules: &FxHashMap<String, Option<Expr>>,
    schema: &Schema,
    json: &Value,
    invalid_at: &[Route],
) -> Vec<RuleFinding> {
    let mut out = Vec::new();
    walk(host, rules, schema, json, &Route::root(), invalid_at, &mut out);
    out
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
    }
}

/// `fieldPath` (`.spec.x`, `['a.b']`, relative to the node) as route segments.
fn field_path(route: &Route, field_path: &str) -> Route {
    let mut r = route.clone();
    let mut rest = field_path.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("['") {
            let Some(end) = after.find("']") else { break };
            r = r.key(after[..end].to_string());
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            r = r.key(after[..end].to_string());
            rest = &after[end..];
        } else {
            break;
        }
    }
    r
}

fn walk(
    host: &Host,
    rules: &FxHashMap<String, Option<Expr>>,
    s: &Schema,
    v: &Value,
    route: &Route,
    invalid_at: &[Route],
    out: &mut Vec<RuleFinding>,
) {
    if v.is_null() {
        return;
    }
    if !s.more().validations.is_empty() && !invalid_at.contains(route) {
        for rule in &s.more().validations {
            let Some(Some(expr)) = rules.get(&rule.rule) else {
                continue;
            };
            // Transition rules compare with the stored object: nothing to compare on CREATE.
            if expr.reads(&["oldSelf"]) {
                continue;
            }
            let mut ctx = host.context();
            ctx.add_variable_as_val("self", value::of_json(v));
            let (message, routes) = match expr.check(&ctx, &[]) {
                Verdict::True | Verdict::Unknown(_) => continue,
                Verdict::False => {
                    let message = rule
                        .message_expression
                        .as_deref()
                        .and_then(|m| host.compile(m).ok())
                        .and_then(|m| match m.value(&ctx) {
                            Ok(cel::objects::Value::String(s)) if !s.trim().is_empty() && !s.contains('\n') => {
                                Some(s.trim().to_string())
                            }
                            _ => None,
                        })
                        .or_else(|| {
                            rule.message
                                .as_deref()
                                .map(str::trim)
                                .filter(|m| !m.is_empty())
                                .map(str::to_string)
                        })
                        .unwrap_or_else(|| format!("failed rule: {}", rule.rule.trim()));
                    let roots = blame::Roots {
                        idents: vec![("self".into(), route.clone())],
                        variables: &[],
                    };
                    (message, blame::explain(expr.ast(), &ctx, &roots, false))
                }
                Verdict::Error(e) => (format!("{e} evaluating rule: {}", rule.rule.trim()), Vec::new()),
            };
            // The API server's path: the node, extended by `fieldPath`; the position: that,
            // or the field the rule reads.
            let (named, at) = match &rule.field_path {
                Some(f) => {
                    let r = field_path(route, f);
                    (r.clone(), r)
                }
                None => (route.clone(), routes.first().cloned().unwrap_or_else(|| route.clone())),
            };
            let shown = path(&named);
            let text = match rule.reason.as_deref() {
                Some("FieldValueForbidden") => format!("{shown}: Forbidden: {message}"),
                Some("FieldValueRequired") => format!("{shown}: Required value: {message}"),
                Some("FieldValueDuplicate") => format!("{shown}: Duplicate value: {message}"),
                _ => format!("{shown}: Invalid value: \"{}\": {message}", type_name(v)),
            };
            out.push(RuleFinding {
                route: at,
                message: text,
                label: "violates the CRD's validation rule".to_string(),
                related: routes.get(1).cloned(),
            });
        }
    }
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if let Some(ps) = s.properties.get(k) {
                    walk(host, rules, ps, child, &route.key(k.clone()), invalid_at, out);
                } else if let Additional::Schema(a) = &s.additional {
                    walk(host, rules, a, child, &route.key(k.clone()), invalid_at, out);
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = &s.items {
                for (i, item) in items.iter().enumerate() {
                    walk(host, rules, is, item, &route.index(i), invalid_at, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_are_relative_routes() {
        let base = Route::root().key("spec");
        assert_eq!(field_path(&base, ".a.b").to_string(), "spec.a.b");
        assert_eq!(field_path(&base, "['x.y'].z").to_string(), "spec[\"x.y\"].z");
    }
}
