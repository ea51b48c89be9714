//! Admission policies of the set, evaluated offline: ValidatingAdmissionPolicy with its
//! bindings and Kyverno `ValidatingPolicy` (with autogen for pod controllers), against every
//! object of the set, as the API server would on CREATE (see `specs/cel-policies.md`).
//!
//! Policy objects are read when their file is first read ([`keep`]). The rest runs once per
//! run, after the index is built, for every `policy-*` rule ([`crate::engine::SetCx::shared`]):
//! the policies are compiled, objects are matched from the index's facts, and the files
//! holding a matched object are read again and evaluated ([`crate::engine::SetCx::revisit`]). Each rule then reports its share of
//! [`PolicyRun`].

mod autogen;
pub mod custom;
pub mod kyverno;
pub mod matching;
mod source;

use crate::celhost::{self, Flavor, Host, UnknownInput, Verdict, blame, value};
use crate::engine::{Finding, Kept, ObjectCx, SetCx, Severity, Target};
use crate::model::ObjectRef;
use crate::model::selector::{Selector, Tri};
use crate::source::Route;
use matching::{CrdNames, Resource, RuleMatch};
use source::{Binding, Policy};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const VIOLATION: &str = "policy-violation";
pub const EVALUATION_ERROR: &str = "policy-evaluation-error";
pub const INVALID: &str = "policy-invalid";
pub const NOT_EVALUATED: &str = "policy-not-evaluated";
pub const UNBOUND: &str = "policy-unbound";

/// The findings of every `policy-*` rule, computed once per run.
#[derive(Default)]
pub struct PolicyRun {
    findings: Vec<Finding>,
}

impl PolicyRun {
    /// The findings of one rule, with the severity each carries by default (from the
    /// policy's actions).
    pub fn of(&self, rule: &str) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.rule == rule)
    }

    /// The run's policy findings for a `policy-*` rule's `check_set`.
    pub fn shared(cx: &SetCx<'_>) -> Arc<PolicyRun> {
        cx.shared(|| evaluate(cx))
    }
}

/// Reads a policy, binding or exception object, for the shared evaluation: what the
/// `policy-*` rules keep of it.
pub fn keep(cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
    if source::is_policy_kind(&cx.obj.api_version, &cx.obj.kind) {
        kept.once(oref, || source::read(cx, oref));
    }
}

/// Reports a rule's share of the run: each finding keeps the severity the policy gives it,
/// unless the configuration set the rule's severity.
pub fn report(cx: &SetCx<'_>, rule: &'static str, out: &mut crate::engine::Out<'_>) {
    let run = PolicyRun::shared(cx);
    let configured = crate::engine::meta(rule).is_some_and(|m| m.severity != out.severity());
    for f in run.of(rule) {
        let mut f = f.clone();
        if configured {
            f.severity = out.severity();
        }
        out.push(f);
    }
}

/// One evaluation unit: a policy with one of its bindings (or none: Kyverno policies and
/// unbound admission policies).
struct Unit {
    policy: usize,
    binding: Option<usize>,
    severity: Severity,
    actions: String,
}

/// An object of a kind some policy's `paramKind` names.
pub struct ParamObject {
    group: String,
    kind: String,
    namespace: Option<String>,
    name: String,
    labels: BTreeMap<String, String>,
    json: serde_json::Value,
}

impl ParamObject {
    fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// The params one evaluation unit runs with, for one object.
enum Params<'a> {
    /// Evaluate once per param (`None`: without params).
    Evaluate(Vec<Option<&'a ParamObject>>),
    /// `parameterNotFoundAction: Allow` with no param: the binding does nothing.
    Skip,
    Unknown(String),
    /// The API server cannot configure the binding for this object.
    ConfigError(String),
}

/// A reason a policy could not be evaluated, with how many objects it concerns.
#[derive(Default)]
struct NotEvaluated {
    count: usize,
    example: Option<String>,
}

fn evaluate(cx: &SetCx<'_>) -> PolicyRun {
    if !cx
        .index
        .objects
        .iter()
        .any(|o| source::is_policy_kind(&o.obj.api_version, &o.obj.kind))
    {
        return PolicyRun::default();
    }
    let minor = cx
        .settings
        .kubernetes_minor
        .unwrap_or(crate::model::apilifecycle::lifecycle().latest_minor());
    let hosts = [Host::new(Flavor::Kubernetes, minor), Host::new(Flavor::Kyverno, minor)];
    let mut findings = Vec::new();
    let mut policies: Vec<Policy> = Vec::new();
    let mut bindings: Vec<Binding> = Vec::new();
    // Resource names and scopes the set's CRDs declare (from the index: CRDs are large).
    let mut crds = CrdNames::new();
    for c in &cx.index.crds {
        if !c.plural.is_empty() {
            crds.insert(
                (c.group.to_string(), c.kind.to_string()),
                (c.plural.to_string(), c.namespaced),
            );
        }
    }
    let mut exceptions: Vec<source::Exception> = Vec::new();
    // Every policy name read, compiled or not (a binding of a broken policy is not dangling).
    let mut policy_names = std::collections::BTreeSet::new();
    for r in cx.kept.of::<source::Read>().cloned() {
        match r {
            source::Read::Policy(raw) => {
                policy_names.insert(raw.name.clone());
                let host = &hosts[usize::from(raw.kind.flavor() == Flavor::Kyverno)];
                let (compiled, problems) = source::compile(&raw, host);
                findings.extend(problems);
                policies.extend(compiled);
            }
            source::Read::Binding(mut b) => {
                findings.append(&mut b.problems);
                bindings.push(b);
            }
            source::Read::Exception(e) => exceptions.push(e),
            source::Read::Rules(raws) => {
                for raw in raws {
                    policy_names.insert(raw.name.clone());
                    let (compiled, problems) = source::compile(&raw, &hosts[0]);
                    findings.extend(problems);
                    policies.extend(compiled);
                }
            }
        }
    }
    // Kyverno PolicyExceptions: their match conditions, compiled in Kyverno's environment.
    let mut compiled_exceptions: Vec<(Vec<String>, Vec<celhost::Expr>)> = Vec::new();
    for e in &exceptions {
        let mut conditions = Vec::new();
        for (i, (name, expression)) in e.conditions.iter().enumerate() {
            match hosts[1].compile(expression) {
                Ok(x) => conditions.push(x),
                Err(err) => findings.push(finding(
                    INVALID,
                    Severity::Error,
                    e.name_target.clone(),
                    format!(
                        "PolicyException '{}': spec.matchConditions[{i}] ('{name}') does not compile: {}",
                        e.name, err.message
                    ),
                    &e.obj,
                )),
            }
        }
        if conditions.len() == e.conditions.len() {
            compiled_exceptions.push((e.policies.clone(), conditions));
        }
    }

    // Units: every binding of a policy; a policy with none is evaluated as bound with Deny.
    let mut bindings_of: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (bi, b) in bindings.iter().enumerate() {
        bindings_of.entry(b.policy_name.as_str()).or_default().push(bi);
    }
    let mut units = Vec::new();
    for (pi, p) in policies.iter().enumerate() {
        if let Some(why) = &p.skipped {
            if p.autogen.is_none() {
                findings.push(finding(
                    NOT_EVALUATED,
                    Severity::Info,
                    p.name_target.clone(),
                    format!("{} not evaluated: {why}", p.describe(None)),
                    &p.obj,
                ));
            }
            continue;
        }
        if !p.kind.bound() {
            units.push(Unit {
                policy: pi,
                binding: None,
                severity: severity_of(&p.actions),
                actions: p.actions.join(", "),
            });
            continue;
        }
        let mut bound = false;
        for &bi in bindings_of.get(p.name.as_str()).into_iter().flatten() {
            let b = &bindings[bi];
            bound = true;
            if b.invalid {
                continue;
            }
            units.push(Unit {
                policy: pi,
                binding: Some(bi),
                severity: severity_of(&b.actions),
                actions: b.actions.join(", "),
            });
        }
        if !bound && p.autogen.is_none() {
            findings.push(finding(
                UNBOUND,
                Severity::Info,
                p.name_target.clone(),
                format!(
                    "ValidatingAdmissionPolicy '{}' has no binding in the set: it does nothing in a cluster until bound; evaluated as if bound with validationActions [Deny]",
                    p.name
                ),
                &p.obj,
            ));
            units.push(Unit {
                policy: pi,
                binding: None,
                severity: Severity::Error,
                actions: "Deny".into(),
            });
        }
    }
    for b in &bindings {
        if !b.invalid && !policy_names.contains(&b.policy_name) {
            let (rule, severity) = if cx.settings.complete_set {
                (INVALID, Severity::Error)
            } else {
                (NOT_EVALUATED, Severity::Info)
            };
            findings.push(finding(
                rule,
                severity,
                b.policy_target.clone(),
                format!(
                    "ValidatingAdmissionPolicyBinding '{}' binds policy '{}', which is not in the set",
                    b.name, b.policy_name
                ),
                &b.obj,
            ));
        }
    }

    // The objects a binding's `paramRef` can name, read again (they are few): those of the
    // policy's paramKind with the name it gives, or all of them when it selects by labels.
    let mut param_names: BTreeMap<(String, String), Option<std::collections::BTreeSet<&str>>> = BTreeMap::new();
    for u in &units {
        let (Some(kind), Some(r)) = (
            policies[u.policy].param_kind.as_ref(),
            u.binding.and_then(|b| bindings[b].param_ref.as_ref()),
        ) else {
            continue;
        };
        let key = (
            crate::model::kinds::group_of(&kind.api_version).to_string(),
            kind.kind.clone(),
        );
        match (&r.name, &r.selector) {
            (Some(name), _) => {
                if let Some(names) = param_names.entry(key).or_insert_with(|| Some(Default::default())) {
                    names.insert(name);
                }
            }
            (None, Some(_)) => {
                param_names.insert(key, None);
            }
            (None, None) => {}
        }
    }
    let param_refs: Vec<Arc<ObjectRef>> = cx
        .index
        .objects
        .iter()
        .filter(|o| {
            param_names
                .get(&(o.group().to_string(), o.obj.kind.to_string()))
                .is_some_and(|names| {
                    names
                        .as_ref()
                        .is_none_or(|n| o.obj.name.as_deref().is_some_and(|name| n.contains(name)))
                })
        })
        .map(|o| o.obj.clone())
        .collect();
    let params: Vec<ParamObject> = cx
        .revisit(&param_refs, |ocx, _| {
            Some(ParamObject {
                group: crate::model::kinds::group_of(&ocx.obj.api_version).to_string(),
                kind: ocx.obj.kind.clone(),
                namespace: ocx.namespace().map(str::to_string),
                name: ocx.obj.name().unwrap_or_default().to_string(),
                labels: ocx.obj.labels().cloned().unwrap_or_default(),
                json: value::json_of_node(ocx.tree, ocx.obj.root).ok()?,
            })
        })
        .into_iter()
        .flatten()
        .collect();

    // Match from the facts: resource rules and namespace selectors.
    let mut notes: BTreeMap<(usize, String), NotEvaluated> = BTreeMap::new();
    let mut candidates: Vec<(Arc<ObjectRef>, Vec<usize>)> = Vec::new();
    for o in &cx.index.objects {
        let r = Resource::of(&o.obj.api_version, &o.obj.kind, o.obj.namespace.is_some(), &crds);
        let mut matched = Vec::new();
        for (ui, u) in units.iter().enumerate() {
            let p = &policies[u.policy];
            let b = u.binding.map(|i| &bindings[i]);
            let mut note = |reason: String| {
                let n = notes.entry((ui, reason)).or_default();
                n.count += 1;
                if n.example.is_none() {
                    n.example = Some(format!(
                        "{}/{} in {}",
                        o.obj.kind,
                        o.obj.name.as_deref().unwrap_or("?"),
                        cx.files.display(o.obj.file)
                    ));
                }
            };
            let name = o.obj.name.as_deref();
            let policy_match = if let Some(km) = &p.kyverno_match {
                let subject = kyverno::Subject {
                    group: &r.group,
                    version: &r.version,
                    kind: &r.kind,
                    name: name.unwrap_or(""),
                    namespace: if r.namespaced { o.namespace.as_deref() } else { None },
                    labels: None,
                };
                let ns = |s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector| {
                    namespace_selected(cx, s, &o.obj, o.namespace.as_deref(), r.namespaced)
                };
                match km.matches(&subject, &ns) {
                    None => RuleMatch::OtherOperation,
                    Some(Tri::No) => RuleMatch::No,
                    Some(Tri::Yes) => RuleMatch::Yes,
                    Some(Tri::Unknown) => {
                        note(format!(
                            "namespace {} is not in the set and the namespace selector needs its labels",
                            o.namespace.as_deref().unwrap_or("?")
                        ));
                        continue;
                    }
                }
            } else {
                match &p.match_constraints {
                    Some(m) => matching::resources_match(m, &r, name, false),
                    None => RuleMatch::No,
                }
            };
            let binding_match = match b.and_then(|b| b.match_resources.as_ref()) {
                Some(m) => matching::resources_match(m, &r, name, true),
                None => RuleMatch::Yes,
            };
            match (policy_match, binding_match) {
                (RuleMatch::Yes, RuleMatch::Yes) => {}
                (RuleMatch::No, _) | (_, RuleMatch::No) => continue,
                _ => {
                    note("it applies to UPDATE or DELETE only; offline evaluation simulates CREATE".into());
                    continue;
                }
            }
            if let Some(ns) = &p.namespace
                && o.namespace.as_deref() != Some(ns.as_str())
            {
                continue;
            }
            if r.guessed {
                note(format!(
                    "kind {} guessed as resource {}; add its CustomResourceDefinition to the set",
                    r.kind, r.plural
                ));
                continue;
            }
            // Namespace selectors of the policy and the binding.
            let selectors = [
                p.match_constraints.as_ref().and_then(|m| m.namespace_selector.as_ref()),
                b.and_then(|b| b.match_resources.as_ref())
                    .and_then(|m| m.namespace_selector.as_ref()),
            ];
            let mut ns_ok = true;
            for s in selectors.into_iter().flatten() {
                match namespace_selected(cx, s, &o.obj, o.namespace.as_deref(), r.namespaced) {
                    Tri::Yes => {}
                    Tri::No => ns_ok = false,
                    Tri::Unknown => {
                        note(format!(
                            "namespace {} is not in the set and the namespace selector needs its labels",
                            o.namespace.as_deref().unwrap_or("?")
                        ));
                        ns_ok = false;
                    }
                }
            }
            if ns_ok {
                matched.push(ui);
            }
        }
        if !matched.is_empty() {
            candidates.push((o.obj.clone(), matched));
        }
    }

    // Evaluate, reading the matched objects again.
    let objects: Vec<Arc<ObjectRef>> = candidates.iter().map(|(o, _)| o.clone()).collect();
    let by_object: BTreeMap<(u32, u32), &Vec<usize>> =
        candidates.iter().map(|(o, u)| ((o.file.0, o.index), u)).collect();
    let env = Env {
        cx,
        hosts: &hosts,
        policies: &policies,
        bindings: &bindings,
        units: &units,
        crds: &crds,
        params: &params,
        exceptions: &compiled_exceptions,
    };
    let evaluate = |objects: &[Arc<ObjectRef>]| -> BTreeMap<(u32, u32), (Vec<Finding>, Unknowns)> {
        cx.revisit(objects, |ocx, oref| {
            let units = by_object
                .get(&(oref.file.0, oref.index))
                .map_or(&[][..], |u| u.as_slice());
            ((oref.file.0, oref.index), env.evaluate_object(ocx, oref, units))
        })
        .into_iter()
        .collect()
    };
    // An object whose document is the same text as an earlier one's (a manifest vendored
    // twice: three copies of a CRD of a megabyte in one repository), in the same namespace
    // and matched by the same policies, is evaluated only if the earlier one gave a finding
    // or a note: an evaluation depends on the object's text, its namespace and the policies
    // that match it (positions only name where findings are), so the copy's is clean too.
    let copies = same_documents(cx.files, &objects, |o| {
        (
            o.namespace.clone(),
            o.prefix.clone(),
            by_object.get(&(o.file.0, o.index)).cloned(),
        )
    });
    let firsts: Vec<Arc<ObjectRef>> = objects
        .iter()
        .zip(&copies)
        .filter(|(_, copy_of)| copy_of.is_none())
        .map(|(o, _)| o.clone())
        .collect();
    let mut evaluated = evaluate(&firsts);
    let clean = |o: &ObjectRef, evaluated: &BTreeMap<(u32, u32), (Vec<Finding>, Unknowns)>| {
        evaluated
            .get(&(o.file.0, o.index))
            .is_some_and(|(found, unknown)| found.is_empty() && unknown.is_empty())
    };
    let again: Vec<Arc<ObjectRef>> = objects
        .iter()
        .zip(&copies)
        .filter(|(_, copy_of)| copy_of.is_some_and(|first| !clean(&objects[first], &evaluated)))
        .map(|(o, _)| o.clone())
        .collect();
    evaluated.append(&mut evaluate(&again));
    // In the order the objects are read in (file, then object), as one pass would give.
    let results = evaluated.into_values();
    // One evaluation error per policy, expression and error: the root cause is the
    // expression, the objects it fails for are examples (the first as the position).
    let mut errors: BTreeMap<crate::engine::Text, Vec<Finding>> = BTreeMap::new();
    let mut order: Vec<crate::engine::Text> = Vec::new();
    for (found, unknown) in results {
        for f in found {
            if f.rule == EVALUATION_ERROR {
                if !errors.contains_key(&f.message) {
                    order.push(f.message.clone());
                }
                errors.entry(f.message.clone()).or_default().push(f);
            } else {
                findings.push(f);
            }
        }
        for (ui, reason, example) in unknown {
            let n = notes.entry((ui, reason)).or_default();
            n.count += 1;
            n.example.get_or_insert(example);
        }
    }
    for key in order {
        let Some(mut same) = errors.remove(&key) else { continue };
        let mut first = same.remove(0);
        if !same.is_empty() {
            first.message = crate::engine::shared(&format!(
                "{} (and {} more object{})",
                first.message,
                same.len(),
                if same.len() == 1 { "" } else { "s" }
            ));
            for other in same.iter().take(8) {
                let what = other.object.as_ref().map_or_else(String::new, |o| {
                    format!("also fails for {}/{}", o.kind, o.name.as_deref().unwrap_or("?"))
                });
                first.related(other.loc(), what);
            }
        }
        findings.push(first);
    }
    // One `policy-not-evaluated` per policy and reason.
    let mut seen = std::collections::BTreeSet::new();
    for ((ui, reason), n) in notes {
        let p = &policies[units[ui].policy];
        if !seen.insert((p.describe(None), reason.clone())) {
            continue;
        }
        findings.push(finding(
            NOT_EVALUATED,
            Severity::Info,
            p.name_target.clone(),
            format!(
                "{} not evaluated for {} object{}{}: {reason}",
                p.describe(None),
                n.count,
                if n.count == 1 { "" } else { "s" },
                n.example.map(|e| format!(" (e.g. {e})")).unwrap_or_default()
            ),
            &p.obj,
        ));
    }
    // Findings on a policy, binding or exception object are about that object.
    for f in &mut findings {
        if f.more().qualifier.is_none()
            && let Some(o) = &f.object
            && source::is_policy_kind(&o.api_version, &o.kind)
        {
            f.set_qualifier(o.name.as_deref().map(Arc::from));
        }
    }
    PolicyRun { findings }
}

fn severity_of(actions: &[String]) -> Severity {
    if actions.iter().any(|a| a == "Deny" || a == "Enforce") {
        Severity::Error
    } else {
        Severity::Warning
    }
}

fn finding(rule: &'static str, severity: Severity, target: Target, message: String, obj: &Arc<ObjectRef>) -> Finding {
    Finding::new(
        rule,
        severity,
        crate::engine::printable(message),
        target,
        Some(obj.clone()),
    )
}

/// Names the policy a finding is about, for qualified suppressions
/// (`policy-violation.<policy>`).
fn about(mut f: Finding, policy: &str) -> Finding {
    f.set_qualifier(Some(Arc::from(policy)));
    f
}

/// Whether a namespace selector selects an object: cluster-scoped objects always, a
/// Namespace on its own labels, others on their namespace's labels (only
/// `kubernetes.io/metadata.name` is known for a namespace not in the set).
fn namespace_selected(
    cx: &SetCx<'_>,
    s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    obj: &ObjectRef,
    namespace: Option<&str>,
    namespaced: bool,
) -> Tri {
    let selector = Selector::new(s, |_| crate::source::Loc::default());
    if selector.is_empty() {
        return Tri::Yes;
    }
    let name = if obj.kind.as_str() == "Namespace" {
        obj.name.as_deref()
    } else if namespaced {
        namespace
    } else {
        return Tri::Yes;
    };
    let Some(name) = name else { return Tri::Yes };
    let mut labels: BTreeMap<String, String> = BTreeMap::new();
    let declared = cx.index.namespaces.get(name);
    if let Some(ns) = declared {
        for (k, v) in ns.labels.iter() {
            labels.insert(k.to_string(), v.to_string());
        }
    }
    labels.insert("kubernetes.io/metadata.name".into(), name.to_string());
    if declared.is_some() || cx.settings.complete_set {
        return if selector.matches(&labels) { Tri::Yes } else { Tri::No };
    }
    selector.matches_partial(&labels, |k| k == "kubernetes.io/metadata.name")
}

/// What evaluation reads, shared by the threads.
struct Env<'a> {
    cx: &'a SetCx<'a>,
    hosts: &'a [Host; 2],
    policies: &'a [Policy],
    bindings: &'a [Binding],
    units: &'a [Unit],
    crds: &'a CrdNames,
    params: &'a [ParamObject],
    /// PolicyExceptions: the policies they name and their match conditions.
    exceptions: &'a [(Vec<String>, Vec<celhost::Expr>)],
}

type Unknowns = Vec<(usize, String, String)>;

/// For each of `objects`, the index of the first earlier one whose document is byte for
/// byte the same text, with the same `key`; `None` for a first, or one whose document is
/// not located or whose text is not in memory (reading files for this is not worth it).
/// Texts are compared, not only hashed.
fn same_documents<K: std::hash::Hash + Eq>(
    files: &crate::engine::Files,
    objects: &[Arc<ObjectRef>],
    key: impl Fn(&ObjectRef) -> K,
) -> Vec<Option<usize>> {
    use std::hash::BuildHasher;
    let hasher = rustc_hash::FxBuildHasher;
    let mut firsts: rustc_hash::FxHashMap<(u64, K), Vec<usize>> = Default::default();
    let mut texts: Vec<Option<(Arc<str>, std::ops::Range<usize>)>> = Vec::with_capacity(objects.len());
    let mut out = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        let located = files
            .documents(o.file)
            .and_then(|d| d.locate(o.doc as usize))
            .zip(files.in_memory(o.file))
            .map(|((range, _), text)| (text, range))
            .filter(|(text, range)| text.get(range.clone()).is_some());
        let Some((text, range)) = located else {
            texts.push(None);
            out.push(None);
            continue;
        };
        let doc = &text.as_bytes()[range.clone()];
        let same = firsts.entry((hasher.hash_one(doc), key(o))).or_default();
        let first = same
            .iter()
            .copied()
            .find(|j| texts[*j].as_ref().is_some_and(|(t, r)| t.as_bytes()[r.clone()] == *doc));
        if first.is_none() {
            same.push(i);
        }
        out.push(first);
        texts.push(Some((text, range)));
    }
    out
}

impl Env<'_> {
    fn evaluate_object(&self, ocx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, units: &[usize]) -> (Vec<Finding>, Unknowns) {
        let mut found = Vec::new();
        let mut unknown = Vec::new();
        let tree = ocx.tree;
        let labels: BTreeMap<String, String> = ocx.obj.labels().cloned().unwrap_or_default();
        let namespace = ocx.namespace();
        let r = Resource::of(
            &ocx.obj.api_version,
            &ocx.obj.kind,
            ocx.obj.explicit_namespace().is_some(),
            self.crds,
        );
        let example = format!("{}/{}", ocx.obj.kind, ocx.obj.name().unwrap_or("?"));
        let mut unknowns = vec![
            UnknownInput {
                path: vec!["request", "userInfo"],
                reason: "needs the requesting user (request.userInfo)".into(),
            },
            UnknownInput {
                path: vec!["request", "options"],
                reason: "needs the request options".into(),
            },
            UnknownInput {
                path: vec!["authorizer"],
                reason: "needs the authorizer: RBAC of the requesting user".into(),
            },
        ];
        for lib in ["resource", "http", "globalContext", "imagedata"] {
            unknowns.push(UnknownInput {
                path: vec![lib],
                reason: format!("needs cluster or network reads (Kyverno `{lib}` library)"),
            });
        }
        let namespace_object = namespace_object_of(self.cx, ocx, namespace, r.namespaced);
        if let Some(None) = namespace_object {
            unknowns.push(UnknownInput {
                path: vec!["namespaceObject"],
                reason: format!("namespace {} is not in the set", namespace.unwrap_or("?")),
            });
        }
        // One root context per environment, with what every policy sees of this object.
        let root = |host: &Host| {
            let mut ctx = host.context();
            ctx.add_variable_as_val("object", value::of_node(tree, ocx.obj.root).ok()?);
            ctx.add_variable_from_value("oldObject", cel::objects::Value::Null);
            ctx.add_variable_from_value("request", request_of(&r, ocx, namespace));
            ctx.add_variable_from_value("authorizer", celhost::unknown());
            ctx.add_variable_from_value("params", cel::objects::Value::Null);
            ctx.add_variable_from_value("exceptions", cel::objects::Value::Null);
            ctx.add_variable_as_val("variables", variables_val(&[]));
            match &namespace_object {
                Some(Some(ns)) => ctx.add_variable_as_val("namespaceObject", value::of_json(ns)),
                Some(None) => ctx.add_variable_from_value("namespaceObject", celhost::unknown()),
                None => ctx.add_variable_from_value("namespaceObject", cel::objects::Value::Null),
            }
            Some(ctx)
        };
        let mut roots = [None, None];
        for &ui in units {
            let u = &self.units[ui];
            let p = &self.policies[u.policy];
            let b = u.binding.map(|i| &self.bindings[i]);
            // Object selectors need the object's labels.
            let selectors = [
                p.match_constraints.as_ref().and_then(|m| m.object_selector.as_ref()),
                b.and_then(|b| b.match_resources.as_ref())
                    .and_then(|m| m.object_selector.as_ref()),
            ];
            if selectors
                .into_iter()
                .flatten()
                .any(|s| !Selector::new(s, |_| crate::source::Loc::default()).matches(&labels))
            {
                continue;
            }
            // A Kyverno rule's selectors, now that the labels are read.
            if let Some(km) = &p.kyverno_match {
                let subject = kyverno::Subject {
                    group: &r.group,
                    version: &r.version,
                    kind: &r.kind,
                    name: ocx.obj.name().unwrap_or(""),
                    namespace: if r.namespaced { namespace } else { None },
                    labels: Some(&labels),
                };
                if km.matches(&subject, &|_| Tri::Yes) != Some(Tri::Yes) {
                    continue;
                }
            }
            let slot = usize::from(p.flavor == Flavor::Kyverno);
            let Some(base) = roots[slot].get_or_insert_with(|| root(&self.hosts[slot])).as_ref() else {
                continue;
            };
            let params = match self.params_for(u, p, b, ocx, namespace) {
                Params::Evaluate(list) => list,
                Params::Skip => continue,
                Params::Unknown(reason) => {
                    unknown.push((ui, reason, example.clone()));
                    continue;
                }
                Params::ConfigError(e) => {
                    if !p.ignore_failures {
                        found.push(about(
                            finding(
                                EVALUATION_ERROR,
                                u.severity,
                                ocx.at(&Route::root().keys(&["metadata", "name"])),
                                format!(
                                    "{}: failed to configure binding: {e}",
                                    p.describe(b.map(|b| b.name.as_str()))
                                ),
                                oref,
                            ),
                            &p.name,
                        ));
                    }
                    continue;
                }
            };
            for param in params {
                self.run_unit(
                    base,
                    ocx,
                    oref,
                    ui,
                    param,
                    &unknowns,
                    &example,
                    &mut found,
                    &mut unknown,
                );
            }
        }
        (found, unknown)
    }

    /// The params a unit evaluates an object with (API server `paramRef` semantics).
    fn params_for(
        &self,
        u: &Unit,
        p: &Policy,
        b: Option<&Binding>,
        ocx: &ObjectCx<'_>,
        namespace: Option<&str>,
    ) -> Params<'_> {
        let Some(kind) = &p.param_kind else {
            return Params::Evaluate(vec![None]);
        };
        let Some(param_ref) = b.and_then(|b| b.param_ref.as_ref()) else {
            return match b {
                // A binding without paramRef: `params` is null.
                Some(_) => Params::Evaluate(vec![None]),
                None => {
                    Params::Unknown("the policy has a paramKind and no binding in the set to say which params".into())
                }
            };
        };
        let _ = u;
        let group = crate::model::kinds::group_of(&kind.api_version);
        let namespaced = match self.crds.get(&(group.to_string(), kind.kind.clone())) {
            Some((_, namespaced)) => *namespaced,
            None => !crate::model::kinds::is_cluster_scoped(&kind.kind),
        };
        let object_namespaced = ocx.obj.kind != "Namespace"
            && namespace.is_some()
            && !crate::model::kinds::is_cluster_scoped(&ocx.obj.kind);
        let ns: Option<String> = if namespaced {
            match (&param_ref.namespace, object_namespaced) {
                (Some(ns), _) if !ns.is_empty() => Some(ns.clone()),
                (_, true) => namespace.map(str::to_string),
                _ => {
                    return Params::ConfigError(
                        "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources".into(),
                    );
                }
            }
        } else {
            if param_ref.namespace.as_deref().is_some_and(|n| !n.is_empty()) {
                return Params::ConfigError("paramRef.namespace must not be set for cluster-scoped params".into());
            }
            None
        };
        let candidates = self
            .params
            .iter()
            .filter(|o| o.group == group && o.kind == kind.kind && o.namespace == ns);
        let found: Vec<Option<&ParamObject>> = match (&param_ref.name, &param_ref.selector) {
            (Some(name), _) => candidates.filter(|o| &o.name == name).take(1).map(Some).collect(),
            (None, Some(selector)) => {
                let selector = Selector::new(selector, |_| crate::source::Loc::default());
                candidates.filter(|o| selector.matches(&o.labels)).map(Some).collect()
            }
            (None, None) => Vec::new(),
        };
        if !found.is_empty() {
            return Params::Evaluate(found);
        }
        let deny = param_ref.parameter_not_found_action.as_deref() == Some("Deny");
        if !self.cx.settings.complete_set {
            let which = match (&param_ref.name, &ns) {
                (Some(n), Some(ns)) => format!("{} {ns}/{n}", kind.kind),
                (Some(n), None) => format!("{} {n}", kind.kind),
                (None, _) => format!("{} selected by paramRef.selector", kind.kind),
            };
            return Params::Unknown(format!("param {which} is not in the set"));
        }
        if deny {
            Params::ConfigError("no params found for policy binding with `Deny` parameterNotFoundAction".into())
        } else {
            Params::Skip
        }
    }

    /// Evaluates one unit (policy × binding) with one param (or none) on an object.
    #[allow(clippy::too_many_arguments)]
    fn run_unit(
        &self,
        base: &celhost::Context<'_, '_>,
        ocx: &ObjectCx<'_>,
        oref: &Arc<ObjectRef>,
        ui: usize,
        param: Option<&ParamObject>,
        unknowns: &[UnknownInput],
        example: &str,
        found: &mut Vec<Finding>,
        unknown: &mut Unknowns,
    ) {
        let u = &self.units[ui];
        let p = &self.policies[u.policy];
        let b = u.binding.map(|i| &self.bindings[i]);
        // `params`, `exceptions` and `variables` are null or empty in the root context;
        // a unit binds only what it has.
        let mut ctx = base.new_inner_scope();
        if let Some(param) = param {
            ctx.add_variable_as_val("params", value::of_json(&param.json));
        }
        let param_note = param.map(|p| format!(" (param {})", p.display())).unwrap_or_default();

        // Match conditions: any false skips; an error fails under Fail.
        let mut skip = false;
        for mc in &p.match_conditions {
            match mc.expr.check(&ctx, unknowns) {
                Verdict::True => {}
                Verdict::False => skip = true,
                Verdict::Unknown(reason) => {
                    unknown.push((ui, reason, example.to_string()));
                    skip = true;
                }
                Verdict::Error(e) => {
                    if !p.ignore_failures {
                        let site = e.strip_prefix("No such key: ").and_then(|key| {
                            let roots = blame::Roots {
                                idents: vec![("object".into(), Route::root())],
                                variables: &[],
                            };
                            blame::missing_key(mc.expr.ast(), &ctx, &roots, key)
                        });
                        let mut f = finding(
                            EVALUATION_ERROR,
                            u.severity,
                            match &site {
                                Some(r) => ocx.at(r),
                                None => ocx.at(&Route::root().keys(&["metadata", "name"])),
                            },
                            format!(
                                "{}: matchCondition '{}' failed to evaluate: {e}",
                                p.describe(b.map(|b| b.name.as_str())),
                                mc.name
                            ),
                            oref,
                        );
                        f.related(mc.target.loc, "the match condition");
                        found.push(about(f, &p.name));
                    }
                    skip = true;
                }
            }
            if skip {
                break;
            }
        }
        if skip {
            return;
        }
        // A Kyverno PolicyException that names the policy and whose match conditions all
        // hold for the object excepts it.
        if p.flavor == Flavor::Kyverno
            && self.exceptions.iter().any(|(names, conditions)| {
                names.contains(&p.name) && conditions.iter().all(|c| c.check(&ctx, unknowns) == Verdict::True)
            })
        {
            return;
        }
        // Variables, in order, each seeing the earlier ones.
        let mut vars: Vec<(String, Box<dyn cel::common::value::Val + '_>)> = Vec::new();
        let mut var_errors: Vec<(String, String)> = Vec::new();
        for (name, expr) in &p.variables {
            let map = variables_val(&vars);
            let mut inner = ctx.new_inner_scope();
            inner.add_variable_as_val("variables", map);
            match expr.val(&inner) {
                Ok(v) => vars.push((name.clone(), v)),
                Err(e) => var_errors.push((name.clone(), e)),
            }
        }
        if !p.variables.is_empty() {
            ctx.add_variable_as_val("variables", variables_val(&vars));
        }
        let var_exprs: Vec<(String, &cel::common::ast::IdedExpr)> =
            p.variables.iter().map(|(n, e)| (n.clone(), e.ast())).collect();
        for v in &p.validations {
            let verdict = match v.expr.check(&ctx, unknowns) {
                Verdict::Error(e) => {
                    // An error in a variable the validation reads is the variable's.
                    let names = v.expr.names();
                    match var_errors.iter().find(|(n, _)| names.variables.contains(n)) {
                        Some((n, err)) => match p
                            .variables
                            .iter()
                            .find(|(vn, _)| vn == n)
                            .and_then(|(_, ve)| ve.unknown_reason(unknowns))
                        {
                            Some(reason) => Verdict::Unknown(reason),
                            None => Verdict::Error(format!("variable '{n}': {err}")),
                        },
                        None => Verdict::Error(e),
                    }
                }
                other => other,
            };
            match verdict {
                Verdict::True => {}
                Verdict::Unknown(reason) => unknown.push((ui, reason, example.to_string())),
                Verdict::Error(e) => {
                    let severity = if p.ignore_failures { Severity::Info } else { u.severity };
                    // "No such key: x": at the map that lacks it, "missing: x".
                    let site = e.strip_prefix("No such key: ").and_then(|key| {
                        let var_exprs: Vec<(String, &cel::common::ast::IdedExpr)> =
                            p.variables.iter().map(|(n, e)| (n.clone(), e.ast())).collect();
                        let roots = blame::Roots {
                            idents: vec![("object".into(), Route::root())],
                            variables: &var_exprs,
                        };
                        blame::missing_key(v.expr.ast(), &ctx, &roots, key)
                    });
                    let mut f = finding(
                        EVALUATION_ERROR,
                        severity,
                        match &site {
                            Some(r) => ocx.at(r),
                            None => ocx.at(&Route::root().keys(&["metadata", "name"])),
                        },
                        format!(
                            "{}: expression '{}' failed to evaluate: {e}",
                            p.describe(b.map(|b| b.name.as_str())),
                            first_line(&v.expr.source)
                        ),
                        oref,
                    );
                    if p.ignore_failures {
                        f.help("failurePolicy: Ignore admits the object, but the policy is broken for it");
                    }
                    f.related(v.target.loc, "the validation");
                    found.push(about(f, &p.name));
                }
                Verdict::False => {
                    let message = v.message(&ctx);
                    let roots = blame::Roots {
                        idents: vec![("object".into(), Route::root())],
                        variables: &var_exprs,
                    };
                    let routes = blame::explain(v.expr.ast(), &ctx, &roots, false);
                    let target = match routes.first() {
                        Some(r) => ocx.at(r),
                        None => {
                            let mut t = ocx.at(&Route::root().keys(&["metadata", "name"]));
                            t.forget_missing();
                            t
                        }
                    };
                    let mut f = finding(
                        VIOLATION,
                        u.severity,
                        target,
                        format!(
                            "{}{param_note}",
                            p.violation_message(b.map(|b| b.name.as_str()), &u.actions, &message, &ocx.obj.kind)
                        ),
                        oref,
                    );
                    if routes.is_empty() {
                        f.label("policy expression");
                    }
                    for r in routes.iter().skip(1).take(8) {
                        let t = ocx.at(r);
                        f.related(t.loc, format!("also: {}", t.route().unwrap_or_default()));
                    }
                    f.related(v.target.loc, format!("the validation: {}", first_line(&v.expr.source)));
                    found.push(about(f, &p.name));
                }
            }
        }
    }
}

/// `Some(Some(ns))` for a namespaced object whose Namespace is in the set, `Some(None)`
/// when it is not, `None` for cluster-scoped objects and Namespaces.
pub(crate) fn namespace_object_of(
    cx: &SetCx<'_>,
    ocx: &ObjectCx<'_>,
    namespace: Option<&str>,
    namespaced: bool,
) -> Option<Option<serde_json::Value>> {
    if !namespaced || ocx.obj.kind == "Namespace" {
        return None;
    }
    let name = namespace?;
    let Some(ns) = cx.index.namespaces.get(name) else {
        return Some(None);
    };
    let mut labels = serde_json::Map::new();
    for (k, v) in ns.labels.iter() {
        labels.insert(k.to_string(), v.to_string().into());
    }
    labels.insert("kubernetes.io/metadata.name".into(), name.into());
    Some(Some(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    })))
}

pub(crate) fn variables_val<'v>(
    vars: &[(String, Box<dyn cel::common::value::Val + 'v>)],
) -> Box<dyn cel::common::value::Val + 'v> {
    use cel::common::types::{CelMap, CelMapKey, CelString};
    let map: std::collections::HashMap<CelMapKey<'v>, Box<dyn cel::common::value::Val + 'v>> = vars
        .iter()
        .map(|(k, v)| (CelMapKey::String(CelString::from(k.clone())), v.clone_as_boxed()))
        .collect();
    Box::new(CelMap::from(map))
}

/// The admission request of a CREATE of the object.
pub(crate) fn request_of(r: &Resource, ocx: &ObjectCx<'_>, namespace: Option<&str>) -> cel::objects::Value {
    let name = ocx.obj.name().unwrap_or("");
    let namespace = if ocx.obj.kind == "Namespace" {
        name
    } else if r.namespaced {
        namespace.unwrap_or("")
    } else {
        ""
    };
    let kind = serde_json::json!({"group": r.group, "version": r.version, "kind": r.kind});
    let resource = serde_json::json!({"group": r.group, "version": r.version, "resource": r.plural});
    let json = serde_json::json!({
        "kind": kind, "resource": resource, "requestKind": kind, "requestResource": resource,
        "subResource": "", "requestSubResource": "", "name": name, "namespace": namespace,
        "operation": "CREATE", "dryRun": false,
    });
    let mut map: std::collections::HashMap<cel::objects::Key, cel::objects::Value> = match json_value(&json) {
        cel::objects::Value::Map(m) => (*m.map).clone(),
        _ => Default::default(),
    };
    map.insert(
        cel::objects::Key::String(Arc::new("userInfo".into())),
        celhost::unknown(),
    );
    map.insert(
        cel::objects::Key::String(Arc::new("options".into())),
        celhost::unknown(),
    );
    cel::objects::Value::Map(cel::objects::Map { map: Arc::new(map) })
}

fn json_value(v: &serde_json::Value) -> cel::objects::Value {
    use cel::objects::{Key, Map, Value};
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map_or(Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(a) => Value::List(Arc::new(a.iter().map(json_value).collect())),
        serde_json::Value::Object(m) => Value::Map(Map {
            map: Arc::new(
                m.iter()
                    .map(|(k, v)| (Key::String(Arc::new(k.clone())), json_value(v)))
                    .collect(),
            ),
        }),
    }
}

fn first_line(s: &str) -> String {
    let t = s.trim();
    match t.split_once('\n') {
        Some((first, _)) => format!("{} …", first.trim_end()),
        None => t.to_string(),
    }
}
