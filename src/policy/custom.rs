//! Custom rules: a repository's own rules, written in CEL in `.plimsoll.yaml`
//! (`custom_rules:`, `custom_rules_files:`), evaluated like a ValidatingAdmissionPolicy
//! validation with `failurePolicy: Fail` against every object they match.
//!
//! The environment is the Kubernetes one (at `kubernetes_version`) with `object`,
//! `oldObject` (null), `request`, `namespaceObject`, `variables` and `pod`: the pod
//! template (`{metadata, spec}`) of pod-bearing kinds, else null. A false expression is a
//! finding of the rule's own id, at the field the expression is about; an evaluation error
//! is one too (the rule is broken for that object); what cannot be known offline is said
//! once per rule and reason.

use super::source::TYPE_NAMES;
use crate::celhost::{self, Flavor, Host, UnknownInput, Verdict, blame, value};
use crate::config::{CustomRuleConfig, CustomSelector};
use crate::engine::meta::{CustomSource, Examples, Precision, RuleMeta};
use crate::engine::{Finding, ObjectCx, Out, Rule, SetCx, Severity};
use crate::model::ObjectRef;
use crate::model::selector::Selector;
use crate::source::Route;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A custom rule entry with where it was written: the file as shown, the route of the
/// entry in it, and how to make an error at a route of the file.
pub struct Entry<'a> {
    pub rule: &'a CustomRuleConfig,
    pub file: String,
    pub route: Route,
    pub line: u32,
}

/// A configuration error: the route in the file, and the message.
pub struct EntryError {
    pub entry: usize,
    pub route: String,
    pub message: String,
}

struct Compiled {
    id: &'static str,
    severity: Severity,
    kinds: Vec<(Option<String>, String)>,
    namespaces: Option<globset::GlobSet>,
    exclude_namespaces: Option<globset::GlobSet>,
    selector: Option<Selector>,
    condition: Option<celhost::Expr>,
    variables: Vec<(String, celhost::Expr)>,
    expression: celhost::Expr,
    message: Option<String>,
    message_expr: Option<celhost::Expr>,
}

/// The repository's custom rules, compiled once, shared by their `Rule`s.
pub struct CustomRules {
    host: Host,
    rules: Vec<Compiled>,
}

/// One custom rule as the engine runs it.
#[derive(Clone)]
pub struct CustomRule {
    index: usize,
    set: Arc<CustomRules>,
}

impl CustomRule {
    pub fn id(&self) -> &'static str {
        self.set.rules[self.index].id
    }
}

fn id_ok(id: &str) -> bool {
    let mut parts = id.split('-');
    let first = parts.next().unwrap_or_default();
    let mut rest = 0;
    let ok_part = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    for p in parts {
        if !ok_part(p) {
            return false;
        }
        rest += 1;
    }
    rest > 0 && ok_part(first) && first.as_bytes()[0].is_ascii_lowercase()
}

fn globs(list: &Option<Vec<String>>) -> Result<Option<globset::GlobSet>, String> {
    let Some(list) = list else { return Ok(None) };
    let mut b = globset::GlobSetBuilder::new();
    for g in list {
        b.add(globset::Glob::new(g).map_err(|e| format!("`{g}`: {e}"))?);
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

fn selector_of(s: &CustomSelector) -> Result<Selector, String> {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
    let ls = LabelSelector {
        match_labels: s.match_labels.clone(),
        match_expressions: s.match_expressions.as_ref().map(|list| {
            list.iter()
                .map(|r| LabelSelectorRequirement {
                    key: r.key.clone(),
                    operator: r.operator.clone(),
                    values: Some(r.values.clone()),
                })
                .collect()
        }),
    };
    let selector = Selector::new(&ls, |_| crate::source::Loc::default());
    match selector.invalid.first() {
        Some(i) => Err(i.reason.clone()),
        None => Ok(selector),
    }
}

/// Compiles the custom rules. `builtin` holds the built-in rule families; ids are leaked
/// once per run (the engine's findings name rules by `&'static str`).
pub fn build(
    entries: &[Entry<'_>],
    builtin: &[String],
    kubernetes_minor: u32,
) -> Result<(Vec<CustomRule>, Vec<RuleMeta>), EntryError> {
    let host = Host::new(Flavor::Kubernetes, kubernetes_minor);
    let mut rules = Vec::new();
    let mut metas = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in entries.iter().enumerate() {
        let r = e.rule;
        let fail = |route: &str, message: String| EntryError {
            entry: i,
            route: if route.is_empty() {
                e.route.to_string()
            } else {
                e.route.key(route.to_string()).to_string()
            },
            message,
        };
        if !id_ok(&r.id) {
            return Err(fail(
                "id",
                format!(
                    "custom rule id `{}` must be kebab-case `<family>-<name>` (`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)",
                    r.id
                ),
            ));
        }
        let family = r.id.split('-').next().unwrap_or_default().to_string();
        if builtin.contains(&family) {
            return Err(fail(
                "id",
                format!(
                    "custom rule id `{}`: `{family}` is a built-in family; choose another prefix (e.g. your organisation's name)",
                    r.id
                ),
            ));
        }
        if !seen.insert(r.id.clone()) {
            return Err(fail("id", format!("custom rule id `{}` is defined twice", r.id)));
        }
        let severity: Severity = r
            .severity
            .as_deref()
            .unwrap_or("warning")
            .parse()
            .map_err(|m| fail("severity", m))?;
        let m = r.match_.clone().unwrap_or_default();
        let kinds = m
            .kinds
            .iter()
            .flatten()
            .map(|k| match k.rsplit_once('/') {
                Some((api_version, kind)) => (Some(api_version.to_string()), kind.to_string()),
                None => (None, k.clone()),
            })
            .collect();
        let namespaces = globs(&m.namespaces).map_err(|e| fail("match", e))?;
        let exclude_namespaces = globs(&m.exclude_namespaces).map_err(|e| fail("match", e))?;
        let selector = m
            .selector
            .as_ref()
            .map(selector_of)
            .transpose()
            .map_err(|e| fail("match", e))?;
        let mut declared: Vec<String> = ["object", "oldObject", "request", "namespaceObject", "pod"]
            .map(String::from)
            .to_vec();
        let compile = |source: &str,
                       route: String,
                       earlier: &[String],
                       declared: &[String]|
         -> Result<celhost::Expr, EntryError> {
            let expr = host.compile(source).map_err(|err| EntryError {
                entry: i,
                route: route.clone(),
                message: format!("custom rule `{}`: expression does not compile: {}", r.id, err.message),
            })?;
            let names = expr.names();
            if let Some(bad) = names
                .idents
                .iter()
                .find(|n| !declared.contains(n) && !TYPE_NAMES.contains(&n.as_str()) && n.as_str() != "variables")
            {
                return Err(EntryError {
                    entry: i,
                    route,
                    message: format!(
                        "custom rule `{}`: undeclared reference to '{bad}' (custom rules see object, oldObject, request, namespaceObject, variables and pod)",
                        r.id
                    ),
                });
            }
            if let Some(v) = names.variables.iter().find(|v| !earlier.contains(v)) {
                return Err(EntryError {
                    entry: i,
                    route,
                    message: format!("custom rule `{}`: undeclared reference to variables.{v}", r.id),
                });
            }
            Ok(expr)
        };
        let mut earlier: Vec<String> = Vec::new();
        let mut variables = Vec::new();
        for (j, v) in r.variables.iter().flatten().enumerate() {
            let route = e.route.key("variables").index(j).key("expression").to_string();
            variables.push((v.name.clone(), compile(&v.expression, route, &earlier, &declared)?));
            earlier.push(v.name.clone());
        }
        declared.push("variables".into());
        let condition = r
            .condition
            .as_deref()
            .map(|c| compile(c, e.route.key("condition").to_string(), &earlier, &declared))
            .transpose()?;
        let expression = compile(
            &r.expression,
            e.route.key("expression").to_string(),
            &earlier,
            &declared,
        )?;
        let message_expr = r
            .message_expression
            .as_deref()
            .map(|c| compile(c, e.route.key("messageExpression").to_string(), &earlier, &declared))
            .transpose()?;
        let id: &'static str = Box::leak(r.id.clone().into_boxed_str());
        metas.push(RuleMeta {
            id: r.id.clone(),
            family,
            severity,
            enabled: true,
            summary: r.summary.clone(),
            rationale: r.rationale.clone().unwrap_or_else(|| r.summary.clone()),
            remediation: r.remediation.clone().unwrap_or_else(|| "Change the object so that the rule's expression holds.".into()),
            position: "The field the expression is about (the nearest existing parent with what is missing), else the object's `metadata.name`.".into(),
            references: r.docs_url.iter().cloned().collect(),
            options: BTreeMap::new(),
            pss: None,
            precision: Precision::High,
            critical: false,
            examples: Examples {
                bad: r.examples.as_ref().map(|x| x.bad.clone()).unwrap_or_default(),
                good: r.examples.as_ref().map(|x| x.good.clone()).unwrap_or_default(),
                options: BTreeMap::new(),
                file: None,
            },
            fix: None,
            custom: Some(CustomSource {
                file: e.file.clone(),
                line: e.line,
                expression: r.expression.clone(),
                docs_url: r.docs_url.clone(),
            }),
        });
        rules.push(Compiled {
            id,
            severity,
            kinds,
            namespaces,
            exclude_namespaces,
            selector,
            condition,
            variables,
            expression,
            message: r.message.clone(),
            message_expr,
        });
    }
    let set = Arc::new(CustomRules { host, rules });
    let out = (0..set.rules.len())
        .map(|index| CustomRule {
            index,
            set: set.clone(),
        })
        .collect();
    Ok((out, metas))
}

impl Rule for CustomRule {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let run = cx.shared(|| CustomRun::evaluate(&self.set, cx));
        for f in run.findings.iter().filter(|f| f.rule == self.id()) {
            let mut f = f.clone();
            if f.severity != Severity::Info {
                f.severity = out.severity();
            }
            out.push(f);
        }
    }
}

/// The findings of every custom rule, computed once per run.
struct CustomRun {
    findings: Vec<Finding>,
}

/// The route of a pod-bearing kind's pod template.
fn template_route(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &[],
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController" => {
            &["spec", "template"]
        }
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "PodTemplate" => &["template"],
        _ => return None,
    })
}

impl CustomRun {
    fn evaluate(set: &CustomRules, cx: &SetCx<'_>) -> CustomRun {
        let enabled: Vec<usize> = (0..set.rules.len())
            .filter(|i| cx.settings.enabled(set.rules[*i].id))
            .collect();
        let mut candidates: Vec<(Arc<ObjectRef>, Vec<usize>)> = Vec::new();
        for o in &cx.index.objects {
            let matched: Vec<usize> = enabled
                .iter()
                .copied()
                .filter(|&i| {
                    let r = &set.rules[i];
                    let kind_ok = r.kinds.is_empty()
                        || r.kinds
                            .iter()
                            .any(|(v, k)| *k == *o.obj.kind && v.as_deref().is_none_or(|v| v == &*o.obj.api_version));
                    let ns = o.namespace.as_deref();
                    let ns_ok = match (&r.namespaces, ns) {
                        (None, _) => true,
                        (Some(g), Some(ns)) => g.is_match(ns),
                        (Some(_), None) => false,
                    };
                    let excluded = match (&r.exclude_namespaces, ns) {
                        (Some(g), Some(ns)) => g.is_match(ns),
                        _ => false,
                    };
                    kind_ok && ns_ok && !excluded
                })
                .collect();
            if !matched.is_empty() {
                candidates.push((o.obj.clone(), matched));
            }
        }
        let objects: Vec<Arc<ObjectRef>> = candidates.iter().map(|(o, _)| o.clone()).collect();
        let by_object: BTreeMap<(u32, u32), &Vec<usize>> =
            candidates.iter().map(|(o, r)| ((o.file.0, o.index), r)).collect();
        let results = cx.revisit(&objects, |ocx, oref| {
            let rules = by_object
                .get(&(oref.file.0, oref.index))
                .map_or(&[][..], |r| r.as_slice());
            evaluate_object(set, cx, ocx, oref, rules)
        });
        let mut findings = Vec::new();
        let mut notes: BTreeMap<(usize, String), (usize, Option<Finding>)> = BTreeMap::new();
        for (found, unknown) in results {
            findings.extend(found);
            for (rule, reason, f) in unknown {
                let n = notes.entry((rule, reason)).or_default();
                n.0 += 1;
                n.1.get_or_insert(f);
            }
        }
        for ((_, reason), (count, first)) in notes {
            if let Some(mut f) = first {
                f.message = crate::engine::shared(&format!(
                    "not evaluated for {count} object{}: {reason}",
                    if count == 1 { "" } else { "s" }
                ));
                findings.push(f);
            }
        }
        CustomRun { findings }
    }
}

type Unknown = (usize, String, Finding);

fn evaluate_object(
    set: &CustomRules,
    cx: &SetCx<'_>,
    ocx: &ObjectCx<'_>,
    oref: &Arc<ObjectRef>,
    rules: &[usize],
) -> (Vec<Finding>, Vec<Unknown>) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let labels = ocx.obj.labels().cloned().unwrap_or_default();
    let rules: Vec<usize> = rules
        .iter()
        .copied()
        .filter(|i| set.rules[*i].selector.as_ref().is_none_or(|s| s.matches(&labels)))
        .collect();
    if rules.is_empty() {
        return (found, unknown);
    }
    let Ok(object) = value::of_node(ocx.tree, ocx.obj.root) else {
        return (found, unknown);
    };
    let namespace = ocx.namespace();
    let r = super::matching::Resource::of(
        &ocx.obj.api_version,
        &ocx.obj.kind,
        ocx.obj.explicit_namespace().is_some(),
        &Default::default(),
    );
    let mut ctx = set.host.context();
    ctx.add_variable_as_val("object", object);
    ctx.add_variable_from_value("oldObject", cel::objects::Value::Null);
    ctx.add_variable_from_value("request", super::request_of(&r, ocx, namespace));
    let template = template_route(&ocx.obj.kind).and_then(|route| {
        let node = ocx.tree.path(ocx.obj.root, route)?;
        Some((Route::root().keys(route), value::of_node(ocx.tree, node).ok()?))
    });
    let pod_route = template.as_ref().map(|(r, _)| r.clone());
    match template {
        Some((_, pod)) => ctx.add_variable_as_val("pod", pod),
        None => ctx.add_variable_from_value("pod", cel::objects::Value::Null),
    }
    let mut unknowns = vec![UnknownInput {
        path: vec!["request", "userInfo"],
        reason: "needs the requesting user (request.userInfo)".into(),
    }];
    match super::namespace_object_of(cx, ocx, namespace, r.namespaced) {
        Some(Some(ns)) => ctx.add_variable_as_val("namespaceObject", value::of_json(&ns)),
        Some(None) => {
            ctx.add_variable_from_value("namespaceObject", celhost::unknown());
            unknowns.push(UnknownInput {
                path: vec!["namespaceObject"],
                reason: format!("namespace {} is not in the set", namespace.unwrap_or("?")),
            });
        }
        None => ctx.add_variable_from_value("namespaceObject", cel::objects::Value::Null),
    }
    let name_target = || {
        let mut t = ocx.at(&Route::root().keys(&["metadata", "name"]));
        t.forget_missing();
        t
    };
    for i in rules {
        let rule = &set.rules[i];
        let mut inner = ctx.new_inner_scope();
        let mut vars: Vec<(String, Box<dyn cel::common::value::Val + '_>)> = Vec::new();
        for (name, expr) in &rule.variables {
            let mut scope = inner.new_inner_scope();
            scope.add_variable_as_val("variables", super::variables_val(&vars));
            if let Ok(v) = expr.val(&scope) {
                vars.push((name.clone(), v));
            }
        }
        inner.add_variable_as_val("variables", super::variables_val(&vars));
        let make = |message: String, target: crate::engine::Target| {
            Finding::new(
                rule.id,
                rule.severity,
                crate::engine::printable(message),
                target,
                Some(oref.clone()),
            )
        };
        if let Some(c) = &rule.condition {
            match c.check(&inner, &unknowns) {
                Verdict::True => {}
                Verdict::False => continue,
                Verdict::Unknown(reason) => {
                    let mut f = make(String::new(), name_target());
                    f.severity = Severity::Info;
                    unknown.push((i, reason, f));
                    continue;
                }
                Verdict::Error(e) => {
                    found.push(make(
                        format!("the rule's condition failed to evaluate: {e}"),
                        name_target(),
                    ));
                    continue;
                }
            }
        }
        match rule.expression.check(&inner, &unknowns) {
            Verdict::True => {}
            Verdict::Unknown(reason) => {
                let mut f = make(String::new(), name_target());
                f.severity = Severity::Info;
                unknown.push((i, reason, f));
            }
            Verdict::Error(e) => found.push(make(
                format!("the rule's expression failed to evaluate: {e}"),
                name_target(),
            )),
            Verdict::False => {
                let message = rule
                    .message_expr
                    .as_ref()
                    .and_then(|m| match m.value(&inner) {
                        Ok(cel::objects::Value::String(s)) if !s.trim().is_empty() && !s.contains('\n') => {
                            Some(s.trim().to_string())
                        }
                        _ => None,
                    })
                    .or_else(|| {
                        rule.message
                            .clone()
                            .map(|m| m.trim().to_string())
                            .filter(|m| !m.is_empty())
                    })
                    .unwrap_or_else(|| format!("failed expression: {}", rule.expression.source.trim()));
                let var_exprs: Vec<(String, &cel::common::ast::IdedExpr)> =
                    rule.variables.iter().map(|(n, e)| (n.clone(), e.ast())).collect();
                let mut idents = vec![("object".to_string(), Route::root())];
                if let Some(r) = &pod_route {
                    idents.push(("pod".to_string(), r.clone()));
                }
                let roots = blame::Roots {
                    idents,
                    variables: &var_exprs,
                };
                let routes = blame::explain(rule.expression.ast(), &inner, &roots, false);
                let target = routes.first().map_or_else(name_target, |r| ocx.at(r));
                let mut f = make(message, target);
                if routes.is_empty() {
                    f.label("custom rule expression");
                }
                for r in routes.iter().skip(1).take(8) {
                    let t = ocx.at(r);
                    f.related(t.loc, format!("also: {}", t.route().unwrap_or_default()));
                }
                found.push(f);
            }
        }
    }
    (found, unknown)
}

#[cfg(test)]
mod tests {
    use super::id_ok;

    #[test]
    fn ids_are_kebab_case_with_a_family() {
        assert!(id_ok("acme-team-label"));
        assert!(id_ok("acme2-x1"));
        assert!(!id_ok("acme"));
        assert!(!id_ok("Acme-x"));
        assert!(!id_ok("acme--x"));
        assert!(!id_ok("1acme-x"));
        assert!(!id_ok("acme_x-y"));
    }
}
