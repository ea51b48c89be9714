//! `crd-*`: custom resources validated against the CustomResourceDefinitions of the set
//! (cel-policies.md §7), and CRDs the API server rejects. Each CRD's schemas are compiled
//! when it is first read ([`keep`]), so its file (often megabytes) is not read again; the
//! rest of the work is done once per run ([`checked`]) and shared by `crd-schema-violation`,
//! `crd-invalid`, `crd-validation-rule` and `unknown-field` (which reports the fields a
//! CRD's schema does not declare). A version the CRD does not serve is `api-crd-version`'s;
//! such resources are not validated here.

pub mod invalid;
pub mod schema_violation;
pub mod validation_rule;

mod celrules;

use crate::engine::{Kept, ObjectCx, SetCx, Target};
use crate::model::ObjectRef;
use crate::model::crdschema::{ParseMode, Schema, Violation, path, validate_object};
use crate::model::kinds::group_of;
use crate::model::{Typed, TypedKind};
use crate::source::Route;
use crate::source::de::Context;
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::sync::Arc;

/// At most this many schema violations (and as many unknown fields) are reported for one
/// object; a last finding says how many more there are.
pub const MAX_PER_OBJECT: usize = 50;

/// A finding computed by the shared check, for the rule that owns it.
#[derive(Debug, Clone)]
pub struct Reported {
    pub obj: Arc<ObjectRef>,
    pub target: Target,
    pub message: String,
    pub label: String,
    pub related: Option<(crate::source::Loc, String)>,
}

/// What the shared check found.
#[derive(Debug, Default)]
pub struct CrdReport {
    /// `crd-schema-violation`.
    pub violations: Vec<Reported>,
    /// `unknown-field`.
    pub unknown: Vec<Reported>,
    /// `crd-invalid`.
    pub invalid: Vec<Reported>,
    /// `crd-validation-rule`.
    pub rules: Vec<Reported>,
}

/// The shared result, computed by the first rule that asks.
pub fn checked(cx: &SetCx<'_>) -> Arc<CrdReport> {
    cx.shared(|| check(cx))
}

struct ParsedVersion {
    name: String,
    served: bool,
    schema: Option<Arc<Schema>>,
    /// The status subresource is on: the API server ignores `status` on create.
    status_subresource: bool,
}

/// A CustomResourceDefinition with its schemas compiled.
struct ParsedCrd {
    obj: Arc<ObjectRef>,
    name: String,
    group: String,
    kind: String,
    /// Unknown fields are pruned (v1, or v1beta1 with `preserveUnknownFields: false`).
    prune: bool,
    versions: Vec<ParsedVersion>,
    kind_target: Target,
    problems: Vec<Reported>,
}

fn to_json(cx: &ObjectCx<'_>) -> Option<Value> {
    Context::new(cx.tree, cx.settings.limits.max_alias_nodes, false)
        .deserialize::<Value>(cx.obj.root, false)
        .ok()
}

/// Compiles the schemas of a CustomResourceDefinition, for the shared check: what the
/// `crd-*` rules keep of it.
pub(crate) fn keep(cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
    if matches!(cx.obj.typed, Typed::CustomResourceDefinition(_)) {
        kept.once(oref, || parse_crd(cx, oref));
    }
}

fn parse_crd(cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>) -> Option<ParsedCrd> {
    let json = to_json(cx)?;
    let spec = json.get("spec")?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let name = oref.name.as_deref().unwrap_or("<unnamed>").to_string();
    let v1 = cx.obj.api_version == "apiextensions.k8s.io/v1";
    let mode = ParseMode { structural: v1 };
    let mut problems = Vec::new();
    let mut parse = |v: &Value, route: Route| -> Arc<Schema> {
        let mut found = Vec::new();
        let s = Schema::parse(v, &route, mode, &mut found);
        for p in found {
            problems.push(Reported {
                obj: oref.clone(),
                target: cx.at(&p.route),
                message: format!(
                    "CustomResourceDefinition `{name}` is rejected by the API server: {}: {}",
                    path(&p.route),
                    p.message
                ),
                label: p.label.to_string(),
                related: None,
            });
        }
        Arc::new(s)
    };
    let global = spec
        .pointer("/validation/openAPIV3Schema")
        .map(|v| parse(v, Route::root().keys(&["spec", "validation", "openAPIV3Schema"])));
    let global_status = spec.pointer("/subresources/status").is_some();
    let mut versions = Vec::new();
    for (i, v) in spec
        .get("versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let schema = match v.pointer("/schema/openAPIV3Schema") {
            Some(s) => Some(parse(
                s,
                Route::root()
                    .keys(&["spec", "versions"])
                    .index(i)
                    .keys(&["schema", "openAPIV3Schema"]),
            )),
            None => global.clone(),
        };
        versions.push(ParsedVersion {
            name: text(v.get("name")),
            served: v.get("served").and_then(Value::as_bool).unwrap_or(true),
            schema,
            status_subresource: v.pointer("/subresources/status").is_some() || global_status,
        });
    }
    if versions.is_empty()
        && let Some(v) = spec.get("version").and_then(Value::as_str)
    {
        versions.push(ParsedVersion {
            name: v.to_string(),
            served: true,
            schema: global.clone(),
            status_subresource: global_status,
        });
    }
    let prune = v1 || spec.get("preserveUnknownFields").and_then(Value::as_bool) == Some(false);
    Some(ParsedCrd {
        obj: oref.clone(),
        name,
        group: text(spec.get("group")),
        kind: text(spec.pointer("/names/kind")),
        prune,
        versions,
        kind_target: cx.at(&Route::root().keys(&["spec", "names", "kind"])),
        problems,
    })
}

fn check(cx: &SetCx<'_>) -> CrdReport {
    let mut report = CrdReport::default();
    if cx.index.crds.is_empty() {
        return report;
    }
    let crds: Vec<&ParsedCrd> = cx.kept.of::<ParsedCrd>().collect();
    for c in &crds {
        report.invalid.extend(c.problems.iter().cloned());
    }
    // `x-kubernetes-validations` rules, each distinct text compiled once.
    let host = crate::celhost::Host::new(
        crate::celhost::Flavor::Kubernetes,
        cx.settings
            .kubernetes_minor
            .unwrap_or_else(|| crate::model::apilifecycle::lifecycle().latest_minor()),
    );
    let mut rules: FxHashMap<String, Option<crate::celhost::Expr>> = FxHashMap::default();
    for c in &crds {
        let mut texts = Vec::new();
        for v in &c.versions {
            if let Some(s) = &v.schema {
                celrules::texts(s, &mut texts);
            }
        }
        for text in texts {
            if rules.contains_key(&text) {
                continue;
            }
            let compiled = match celrules::compile(&host, &text) {
                Ok(e) => Some(e),
                Err(message) => {
                    report.invalid.push(Reported {
                        obj: c.obj.clone(),
                        target: c.kind_target.clone(),
                        message: format!(
                            "CustomResourceDefinition `{}` is rejected by the API server: x-kubernetes-validations rule `{text}`: {message}",
                            c.name
                        ),
                        label: "a rule that does not compile".to_string(),
                        related: None,
                    });
                    None
                }
            };
            rules.insert(text, compiled);
        }
    }

    let mut by_group_kind: FxHashMap<(&str, &str), Vec<usize>> = FxHashMap::default();
    for (i, c) in crds.iter().enumerate() {
        let same = by_group_kind.entry((c.group.as_str(), c.kind.as_str())).or_default();
        // Two CRDs of one group and kind applied together (one file or render): the API
        // server does not establish the second (KindConflict). Same-named ones are
        // `duplicate-object`'s; CRDs of different files are vendored releases side by side.
        if let Some(first) = same
            .iter()
            .map(|j| &crds[*j])
            .find(|f| f.obj.file == c.obj.file && f.name != c.name)
        {
            report.invalid.push(Reported {
                obj: c.obj.clone(),
                target: c.kind_target.clone(),
                message: format!(
                    "CustomResourceDefinition `{}` defines kind {} of group {}, as `{}` does earlier in this file; the API server does not establish the second (KindConflict)",
                    c.name, c.kind, c.group, first.name
                ),
                label: "kind defined twice".to_string(),
                related: Some((first.kind_target.loc, "first defined here".to_string())),
            });
        }
        same.push(i);
    }

    // The custom resources with a schema to validate against: the CRDs of their group and
    // kind that serve their version, closest first. A CRD of the resource's own file (or
    // render) is the one applied with it; otherwise, as for `api-crd-version`, any of the
    // vendored releases may be the one installed, so the resource is judged by the one it
    // fits best.
    let mut jobs: FxHashMap<(crate::source::FileId, u32), Vec<(usize, usize)>> = FxHashMap::default();
    let mut crs = Vec::new();
    for o in &cx.index.objects {
        let api_version = &*o.obj.api_version;
        let Some(candidates) = by_group_kind.get(&(group_of(api_version), &*o.obj.kind)) else {
            continue;
        };
        let version = api_version.rsplit('/').next().unwrap_or("");
        let mut serving: Vec<(usize, usize)> = candidates
            .iter()
            .filter_map(|i| {
                let vi = crds[*i]
                    .versions
                    .iter()
                    .position(|v| v.name == version && v.served && v.schema.is_some())?;
                Some((*i, vi))
            })
            .collect();
        if serving.is_empty() {
            continue;
        }
        if serving.iter().any(|(i, _)| crds[*i].obj.file == o.obj.file) {
            serving.retain(|(i, _)| crds[*i].obj.file == o.obj.file);
        }
        // Closest first (`closest` keeps file order among equals).
        let mut ordered = Vec::with_capacity(serving.len());
        while !serving.is_empty() {
            let Some(best) = cx.index.closest(o.obj.file, serving.iter(), |(i, _)| crds[*i].obj.file) else {
                break;
            };
            let pick = *best.best;
            ordered.push(pick);
            serving.retain(|c| *c != pick);
        }
        jobs.insert((o.obj.file, o.obj.index), ordered);
        crs.push(o.obj.clone());
    }
    if crs.is_empty() {
        return report;
    }
    let found = cx.revisit(&crs, |ocx, oref| {
        let mut violations = Vec::new();
        let mut unknown = Vec::new();
        let grip = ocx.at(&Route::root().key("kind"));
        let Some(candidates) = jobs.get(&(oref.file, oref.index)) else {
            return (violations, unknown, grip, Vec::new());
        };
        let Some(json) = to_json(ocx) else {
            return (violations, unknown, grip, Vec::new());
        };
        let mut best: Option<(usize, usize, Vec<Violation>, Value)> = None;
        for &(ci, vi) in candidates {
            let version = &crds[ci].versions[vi];
            let Some(schema) = version.schema.as_deref() else { continue };
            let mut json = json.clone();
            if version.status_subresource
                && let Some(m) = json.as_object_mut() {
                    m.remove("status");
                }
            let found = validate_object(&mut json, schema, crds[ci].prune);
            if best.as_ref().is_none_or(|(_, _, b, _)| found.len() < b.len()) {
                let clean = found.is_empty();
                best = Some((ci, vi, found, json));
                if clean {
                    break;
                }
            }
        }
        let Some((ci, vi, found, defaulted)) = best else {
            return (violations, unknown, grip, Vec::new());
        };
        // CEL rules, on the object as defaulted, where the schema found no error.
        let invalid_at: Vec<Route> = found
            .iter()
            .filter_map(|v| match v {
                Violation::Invalid { route, .. } => Some(route.clone()),
                Violation::Unknown { .. } => None,
            })
            .collect();
        let rule_findings = match crds[ci].versions[vi].schema.as_deref() {
            Some(schema) => celrules::evaluate(&host, &rules, schema, &defaulted, &invalid_at)
                .into_iter()
                .map(|r| Reported {
                    obj: oref.clone(),
                    target: ocx.at(&r.route),
                    message: format!("{} (CRD {})", r.message, crds[ci].name),
                    label: r.label,
                    related: r.related.map(|rel| {
                        let t = ocx.at(&rel);
                        (t.loc, format!("also: {}", t.route().unwrap_or_default()))
                    }),
                })
                .collect(),
            None => Vec::new(),
        };
        let crd = &crds[ci];
        // Kinds plimsoll reads into structs of its own (Flagger, Argo CD, Kyverno, sigstore
        // ...) had their type errors reported by `invalid-manifest` already: one finding
        // per root cause.
        let typed_errors: Vec<String> = match TypedKind::lookup(&ocx.obj.api_version, &ocx.obj.kind) {
            Some((which, _)) => {
                let reader = Context::new(ocx.tree, ocx.settings.limits.max_alias_nodes, false);
                which.read(&reader, ocx.obj.root).1.into_iter().filter_map(|e| e.route).collect()
            }
            None => Vec::new(),
        };
        for v in found {
            if let Violation::Invalid { route, .. } = &v
                && !typed_errors.is_empty() && typed_errors.contains(&route.to_string()) {
                    continue;
                }
            match v {
                Violation::Invalid { route, message } => {
                    if violations.len() >= MAX_PER_OBJECT {
                        violations.push(None);
                        continue;
                    }
                    let target = ocx.at(&route);
                    let label = if message.contains(": Required value") {
                        match target.missing() {
                            Some(m) => format!("missing: {m}"),
                            None => "null: pruned, so absent".to_string(),
                        }
                    } else if message.contains(": Duplicate value: ") {
                        "duplicate".to_string()
                    } else if message.contains(": Unsupported value: ") {
                        "not a supported value".to_string()
                    } else {
                        "rejected by the CRD's schema".to_string()
                    };
                    violations.push(Some(Reported {
                        obj: oref.clone(),
                        target,
                        message: format!("{message} (CRD {})", crd.name),
                        label,
                        related: None,
                    }));
                }
                Violation::Unknown { route, suggestion } => {
                    if unknown.len() >= MAX_PER_OBJECT {
                        unknown.push(None);
                        continue;
                    }
                    let walk = route.walk(ocx.tree, ocx.obj.root);
                    let target = match walk.key {
                        Some(key) if walk.matched == route.segs().len() => Target::new(
                            crate::source::Loc {
                                file: ocx.file,
                                span: ocx.tree.span(key),
                            },
                            Some(crate::engine::shared(&ocx.obj.prefix.join(&route).to_string())),
                        ),
                        _ => ocx.at(&route),
                    };
                    let (message, label) = match &suggestion {
                        Some(s) => (
                            format!(
                                "unknown field \"{}\" (CRD {}); did you mean \"{s}\"?",
                                path(&route),
                                crd.name
                            ),
                            format!("did you mean `{s}`?"),
                        ),
                        None => (
                            format!(
                                "unknown field \"{}\" (CRD {}); the API server drops it, or rejects the object under strict field validation",
                                path(&route),
                                crd.name
                            ),
                            "not declared by the CRD's schema".to_string(),
                        ),
                    };
                    unknown.push(Some(Reported {
                        obj: oref.clone(),
                        target,
                        message,
                        label,
                        related: None,
                    }));
                }
            }
        }
        (merge_same_position(violations), unknown, grip, rule_findings)
    });
    for (violations, unknown, grip, rule_findings) in found {
        report.rules.extend(rule_findings);
        for (list, into, what) in [
            (violations, &mut report.violations, "schema violations"),
            (unknown, &mut report.unknown, "unknown fields"),
        ] {
            let more = list.iter().filter(|r| r.is_none()).count();
            let shown: Vec<Reported> = list.into_iter().flatten().collect();
            if more > 0
                && let Some(last) = shown.last()
            {
                let mut summary = last.clone();
                summary.target = grip.clone();
                summary.message =
                    format!("{more} more {what} in this object are not shown (at most {MAX_PER_OBJECT} per object)");
                summary.label = "and more".to_string();
                into.extend(shown);
                into.push(summary);
                continue;
            }
            into.extend(shown);
        }
    }
    report
}

/// One finding per position, as the engine keeps them: violations at one node (two
/// required fields missing from one mapping, a value too long and off its pattern) become
/// one finding with their messages joined.
fn merge_same_position(list: Vec<Option<Reported>>) -> Vec<Option<Reported>> {
    let mut out: Vec<Option<Reported>> = Vec::with_capacity(list.len());
    for r in list {
        let Some(r) = r else {
            out.push(None);
            continue;
        };
        let same = out
            .iter_mut()
            .flatten()
            .find(|k| k.target.loc.file == r.target.loc.file && k.target.loc.span.start == r.target.loc.span.start);
        match same {
            Some(kept) => {
                let (kept_msg, crd) = kept.message.rsplit_once(" (CRD ").unwrap_or((&kept.message, ""));
                let new_msg = r.message.rsplit_once(" (CRD ").map_or(r.message.as_str(), |(m, _)| m);
                kept.message = if crd.is_empty() {
                    format!("{kept_msg}; {new_msg}")
                } else {
                    format!("{kept_msg}; {new_msg} (CRD {crd}")
                };
                match (kept.label.strip_prefix("missing: "), r.label.strip_prefix("missing: ")) {
                    (Some(a), Some(b)) => kept.label = format!("missing: {a}, {b}"),
                    _ if kept.label != r.label => kept.label = format!("{}; {}", kept.label, r.label),
                    _ => {}
                }
            }
            None => out.push(Some(r)),
        }
    }
    out
}

/// Emits the shared findings of one list.
pub(crate) fn emit(list: &[Reported], out: &mut crate::engine::Out<'_>) {
    for r in list {
        // The CRD a finding is about, for qualified suppressions (`crd-schema-violation.<crd>`).
        let crd: Option<Arc<str>> = if &*r.obj.kind == "CustomResourceDefinition" {
            r.obj.name.as_deref().map(Arc::from)
        } else {
            r.message
                .rsplit_once("(CRD ")
                .and_then(|(_, rest)| rest.split(')').next())
                .map(Arc::from)
        };
        let f = out.emit_for(&r.obj, r.target.clone(), r.message.clone());
        f.set_qualifier(crd);
        f.label(r.label.clone());
        if let Some((loc, message)) = &r.related {
            f.related(*loc, message.clone());
        }
    }
}
