//! Policy objects read from the set and compiled: ValidatingAdmissionPolicy, its bindings,
//! Kyverno `ValidatingPolicy` and `NamespacedValidatingPolicy`.

use super::{INVALID, autogen, finding};
use crate::celhost::{Expr, Flavor, Host};
use crate::engine::{Finding, ObjectCx, Severity, Target};
use crate::model::ObjectRef;
use crate::source::Route;
use k8s_openapi::api::admissionregistration::v1::MatchResources;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    ValidatingAdmissionPolicy,
    ValidatingPolicy,
    NamespacedValidatingPolicy,
    /// A `validate.cel` rule of a Kyverno `ClusterPolicy`.
    ClusterPolicy,
    /// A `validate.cel` rule of a Kyverno `Policy` (its own namespace only).
    Policy,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::ValidatingAdmissionPolicy => "ValidatingAdmissionPolicy",
            PolicyKind::ValidatingPolicy => "ValidatingPolicy",
            PolicyKind::NamespacedValidatingPolicy => "NamespacedValidatingPolicy",
            PolicyKind::ClusterPolicy => "ClusterPolicy",
            PolicyKind::Policy => "Policy",
        }
    }

    /// The CEL environment: Kyverno's for its CEL policies; the API server's for admission
    /// policies and for `validate.cel` rules (Kyverno runs them through the API server's
    /// validator).
    pub fn flavor(self) -> Flavor {
        match self {
            PolicyKind::ValidatingPolicy | PolicyKind::NamespacedValidatingPolicy => Flavor::Kyverno,
            _ => Flavor::Kubernetes,
        }
    }

    /// Applies only through bindings (ValidatingAdmissionPolicy).
    pub fn bound(self) -> bool {
        self == PolicyKind::ValidatingAdmissionPolicy
    }
}

/// Whether an object is one the policy engine reads.
pub fn is_policy_kind(api_version: &str, kind: &str) -> bool {
    let group = crate::model::kinds::group_of(api_version);
    match group {
        "admissionregistration.k8s.io" => {
            matches!(kind, "ValidatingAdmissionPolicy" | "ValidatingAdmissionPolicyBinding")
        }
        "policies.kyverno.io" => matches!(
            kind,
            "ValidatingPolicy" | "NamespacedValidatingPolicy" | "PolicyException"
        ),
        "kyverno.io" => matches!(kind, "ClusterPolicy" | "Policy"),
        _ => false,
    }
}

/// A policy object as read, before compilation.
#[derive(Clone)]
pub struct Raw {
    pub kind: PolicyKind,
    /// A Kyverno rule's name, its resource filters, and the kinds autogen made it for.
    pub rule: Option<String>,
    pub kyverno_match: Option<super::kyverno::KyvernoMatch>,
    pub autogen_kinds: Option<String>,
    /// Why a Kyverno rule cannot be evaluated offline (JMESPath context or preconditions).
    pub skipped: Option<String>,
    pub obj: Arc<ObjectRef>,
    pub name: String,
    pub namespace: Option<String>,
    pub spec: serde_json::Value,
    /// Where each expression of the spec is, by route (`spec.validations[0].expression`).
    pub targets: BTreeMap<String, Target>,
    pub name_target: Target,
}

#[derive(Clone)]
pub enum Read {
    Policy(Raw),
    /// The `validate.cel` rules of a Kyverno ClusterPolicy or Policy (with their autogen).
    Rules(Vec<Raw>),
    Exception(Exception),
    Binding(Binding),
}

#[derive(Clone)]
pub struct Binding {
    pub name: String,
    pub policy_name: String,
    pub obj: Arc<ObjectRef>,
    pub policy_target: Target,
    pub match_resources: Option<MatchResources>,
    pub actions: Vec<String>,
    pub param_ref: Option<ParamRef>,
    /// Rejected by the API server (reported as `policy-invalid`); not evaluated.
    pub invalid: bool,
    pub problems: Vec<Finding>,
}

/// A binding's `paramRef`.
#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct ParamRef {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub selector: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
    #[serde(default)]
    pub parameter_not_found_action: Option<String>,
}

/// A Kyverno `PolicyException` (`policies.kyverno.io`): the policies it names do not
/// apply to the objects its match conditions select.
#[derive(Clone)]
pub struct Exception {
    pub name: String,
    pub obj: Arc<ObjectRef>,
    pub policies: Vec<String>,
    pub conditions: Vec<(String, String)>,
    pub name_target: Target,
}

pub struct Condition {
    pub name: String,
    pub expr: Expr,
    pub target: Target,
}

pub struct Validation {
    pub expr: Expr,
    pub message: Option<String>,
    pub message_expr: Option<Expr>,
    pub target: Target,
}

pub struct Policy {
    pub kind: PolicyKind,
    pub flavor: Flavor,
    pub name: String,
    /// A `NamespacedValidatingPolicy`'s namespace: it applies there only.
    pub namespace: Option<String>,
    pub obj: Arc<ObjectRef>,
    pub name_target: Target,
    pub match_constraints: Option<MatchResources>,
    pub match_conditions: Vec<Condition>,
    pub variables: Vec<(String, Expr)>,
    pub validations: Vec<Validation>,
    pub param_kind: Option<ParamKind>,
    /// `failurePolicy: Ignore`.
    pub ignore_failures: bool,
    /// Kyverno's `validationActions` (admission policies take theirs from bindings).
    pub actions: Vec<String>,
    /// The kinds a Kyverno autogen policy was generated for.
    pub autogen: Option<String>,
    /// Why the policy is not evaluated at all (a mode other than Kubernetes).
    pub skipped: Option<String>,
    /// A Kyverno ClusterPolicy/Policy rule: its name and resource filters.
    pub rule: Option<String>,
    pub kyverno_match: Option<super::kyverno::KyvernoMatch>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(super) struct Spec {
    #[serde(default)]
    pub match_constraints: Option<MatchResources>,
    #[serde(default)]
    pub match_conditions: Vec<Named>,
    #[serde(default)]
    pub variables: Vec<Named>,
    #[serde(default)]
    pub validations: Vec<ValidationSpec>,
    #[serde(default)]
    pub audit_annotations: Vec<AuditAnnotation>,
    #[serde(default)]
    pub param_kind: Option<serde_json::Value>,
    #[serde(default)]
    pub failure_policy: Option<String>,
    #[serde(default)]
    pub validation_actions: Vec<String>,
    #[serde(default)]
    pub evaluation: Option<serde_json::Value>,
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct Named {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub expression: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct ValidationSpec {
    #[serde(default)]
    pub expression: String,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub message_expression: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub(super) struct AuditAnnotation {
    #[serde(default)]
    pub value_expression: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct BindingSpec {
    #[serde(default)]
    policy_name: String,
    #[serde(default)]
    match_resources: Option<MatchResources>,
    #[serde(default)]
    validation_actions: Vec<String>,
    #[serde(default)]
    param_ref: Option<serde_json::Value>,
}

/// A policy's `paramKind`.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ParamKind {
    #[serde(default)]
    pub api_version: String,
    #[serde(default)]
    pub kind: String,
}

/// Reads a policy, binding or CRD object (in the pass that reads them again).
pub fn read(ocx: &ObjectCx<'_>, oref: &Arc<ObjectRef>) -> Option<Read> {
    let json = crate::celhost::value::json_of_node(ocx.tree, ocx.obj.root).ok()?;
    let name = ocx.obj.name().unwrap_or_default().to_string();
    let spec = json.get("spec").cloned().unwrap_or(serde_json::Value::Null);
    let name_target = ocx.at(&Route::root().keys(&["metadata", "name"]));
    if ocx.obj.kind == "ValidatingAdmissionPolicyBinding" {
        let b: BindingSpec = serde_json::from_value(spec).unwrap_or_default();
        let mut problems = Vec::new();
        let actions_target = ocx.at(&Route::root().keys(&["spec", "validationActions"]));
        let has = |a: &str| b.validation_actions.iter().any(|x| x == a);
        let mut invalid = false;
        if has("Deny") && has("Warn") {
            invalid = true;
            problems.push(finding(
                INVALID,
                Severity::Error,
                actions_target.clone(),
                format!("ValidatingAdmissionPolicyBinding '{name}': validationActions must not contain both Deny and Warn (the API server rejects the binding)"),
                oref,
            ));
        }
        if b.validation_actions.is_empty() {
            invalid = true;
            problems.push(finding(
                INVALID,
                Severity::Error,
                actions_target,
                format!("ValidatingAdmissionPolicyBinding '{name}': validationActions is required"),
                oref,
            ));
        }
        if let Some(p) = &b.param_ref {
            let named = p.get("name").is_some_and(|n| !n.is_null());
            let selected = p.get("selector").is_some_and(|n| !n.is_null());
            if named == selected {
                invalid = true;
                problems.push(finding(
                    INVALID,
                    Severity::Error,
                    ocx.at(&Route::root().keys(&["spec", "paramRef"])),
                    format!(
                        "ValidatingAdmissionPolicyBinding '{name}': paramRef must set exactly one of name and selector"
                    ),
                    oref,
                ));
            }
        }
        return Some(Read::Binding(Binding {
            name,
            policy_name: b.policy_name,
            obj: oref.clone(),
            policy_target: ocx.at(&Route::root().keys(&["spec", "policyName"])),
            match_resources: b.match_resources,
            actions: b.validation_actions,
            param_ref: b.param_ref.and_then(|p| serde_json::from_value(p).ok()),
            invalid,
            problems,
        }));
    }
    if ocx.obj.kind == "PolicyException" {
        let refs = spec
            .get("policyRefs")
            .and_then(|r| r.as_array())
            .cloned()
            .unwrap_or_default();
        let conditions = spec
            .get("matchConditions")
            .and_then(|r| r.as_array())
            .cloned()
            .unwrap_or_default();
        return Some(Read::Exception(Exception {
            name,
            obj: oref.clone(),
            policies: refs
                .iter()
                .filter_map(|r| r.get("name").and_then(|n| n.as_str()).map(str::to_string))
                .collect(),
            conditions: conditions
                .iter()
                .map(|c| {
                    let field = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    (field("name"), field("expression"))
                })
                .collect(),
            name_target,
        }));
    }
    if matches!(ocx.obj.kind.as_str(), "ClusterPolicy" | "Policy") {
        return Some(Read::Rules(kyverno_rules(ocx, oref, &json, name, name_target)));
    }
    let kind = match ocx.obj.kind.as_str() {
        "ValidatingAdmissionPolicy" => PolicyKind::ValidatingAdmissionPolicy,
        "ValidatingPolicy" => PolicyKind::ValidatingPolicy,
        "NamespacedValidatingPolicy" => PolicyKind::NamespacedValidatingPolicy,
        _ => return None,
    };
    let mut targets = BTreeMap::new();
    for list in ["matchConditions", "variables", "validations", "auditAnnotations"] {
        let n = spec.get(list).and_then(|l| l.as_array()).map_or(0, Vec::len);
        for i in 0..n {
            for field in ["expression", "messageExpression", "valueExpression"] {
                let route = Route::root().keys(&["spec"]).key(list).index(i).key(field);
                targets.insert(route.to_string(), ocx.at(&route));
            }
        }
    }
    Some(Read::Policy(Raw {
        kind,
        rule: None,
        kyverno_match: None,
        autogen_kinds: None,
        skipped: None,
        obj: oref.clone(),
        namespace: (kind == PolicyKind::NamespacedValidatingPolicy)
            .then(|| ocx.namespace().unwrap_or("default").to_string()),
        name,
        spec,
        targets,
        name_target,
    }))
}

/// The `validate.cel` rules of a Kyverno ClusterPolicy or Policy, each as the spec of an
/// admission policy (`celPreconditions` as match conditions, `cel.variables`,
/// `cel.expressions` as validations), with Kyverno's autogen rules for pod controllers.
fn kyverno_rules(
    ocx: &ObjectCx<'_>,
    oref: &Arc<ObjectRef>,
    json: &serde_json::Value,
    name: String,
    name_target: Target,
) -> Vec<Raw> {
    use super::kyverno::{KyvernoMatch, rewrite};
    let spec = json.get("spec").cloned().unwrap_or_default();
    let kind = if ocx.obj.kind == "Policy" {
        PolicyKind::Policy
    } else {
        PolicyKind::ClusterPolicy
    };
    let policy_action = spec
        .get("validationFailureAction")
        .and_then(|a| a.as_str())
        .unwrap_or("Audit");
    let controllers: Vec<String> = match json
        .pointer("/metadata/annotations/pod-policies.kyverno.io~1autogen-controllers")
        .and_then(|a| a.as_str())
    {
        Some("none") => Vec::new(),
        Some(list) => list.split(',').map(|c| c.trim().to_string()).collect(),
        None => [
            "DaemonSet",
            "Deployment",
            "Job",
            "StatefulSet",
            "ReplicaSet",
            "ReplicationController",
            "CronJob",
        ]
        .map(String::from)
        .to_vec(),
    };
    let mut out = Vec::new();
    for (ri, rule) in spec
        .get("rules")
        .and_then(|r| r.as_array())
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some(cel) = rule.pointer("/validate/cel") else {
            continue;
        };
        let rule_name = rule.get("name").and_then(|n| n.as_str()).unwrap_or("").to_string();
        let action = rule
            .pointer("/validate/failureAction")
            .and_then(|a| a.as_str())
            .unwrap_or(policy_action);
        let action = if action.eq_ignore_ascii_case("enforce") {
            "Enforce"
        } else {
            "Audit"
        };
        let skipped = if rule.get("context").is_some() || rule.get("preconditions").is_some() {
            Some("the rule reads JMESPath `context` or `preconditions`, which are not evaluated offline".to_string())
        } else if cel.get("paramKind").is_some() || cel.get("paramRef").is_some() {
            Some("the rule's params are not read offline".to_string())
        } else {
            None
        };
        let base = Route::root().keys(&["spec", "rules"]).index(ri);
        let mut targets = BTreeMap::new();
        for (from, to, field) in [
            ("validations", "expressions", "expression"),
            ("validations", "expressions", "messageExpression"),
            ("variables", "variables", "expression"),
        ] {
            let n = cel.get(to).and_then(|l| l.as_array()).map_or(0, Vec::len);
            for i in 0..n {
                let at = base.keys(&["validate", "cel"]).key(to).index(i).key(field);
                targets.insert(
                    Route::root().keys(&["spec"]).key(from).index(i).key(field).to_string(),
                    ocx.at(&at),
                );
            }
        }
        let n = rule
            .get("celPreconditions")
            .and_then(|l| l.as_array())
            .map_or(0, Vec::len);
        for i in 0..n {
            let at = base.key("celPreconditions").index(i).key("expression");
            targets.insert(
                Route::root()
                    .keys(&["spec", "matchConditions"])
                    .index(i)
                    .key("expression")
                    .to_string(),
                ocx.at(&at),
            );
        }
        let as_spec = serde_json::json!({
            "matchConditions": rule.get("celPreconditions").cloned().unwrap_or_else(|| serde_json::json!([])),
            "variables": cel.get("variables").cloned().unwrap_or_else(|| serde_json::json!([])),
            "validations": cel.get("expressions").cloned().unwrap_or_else(|| serde_json::json!([])),
            "validationActions": [action],
            "failurePolicy": spec.get("failurePolicy").cloned().unwrap_or(serde_json::Value::Null),
        });
        let kyverno_match = KyvernoMatch::of(rule);
        let raw = |spec: serde_json::Value, rule: String, m: KyvernoMatch, autogen: Option<String>| Raw {
            kind,
            rule: Some(rule),
            kyverno_match: Some(m),
            autogen_kinds: autogen,
            skipped: skipped.clone(),
            obj: oref.clone(),
            name: name.clone(),
            namespace: (kind == PolicyKind::Policy).then(|| ocx.namespace().unwrap_or("default").to_string()),
            spec,
            targets: targets.clone(),
            name_target: name_target.clone(),
        };
        let at = out.len();
        // Autogen v1: rules about Pods only also judge the pod templates of controllers.
        if kyverno_match.pods_only() && !rule_name.starts_with("autogen-") && !controllers.is_empty() {
            let text = as_spec.to_string();
            let plain: Vec<&str> = controllers
                .iter()
                .map(String::as_str)
                .filter(|c| *c != "CronJob")
                .collect();
            if !plain.is_empty()
                && let Ok(s) = serde_json::from_str(&rewrite(&text, false))
            {
                out.push(raw(
                    s,
                    format!("autogen-{rule_name}"),
                    kyverno_match.with_kinds(&plain),
                    Some(plain.join(", ")),
                ));
            }
            if controllers.iter().any(|c| c == "CronJob")
                && let Ok(s) = serde_json::from_str(&rewrite(&text, true))
            {
                out.push(raw(
                    s,
                    format!("autogen-cronjob-{rule_name}"),
                    kyverno_match.with_kinds(&["CronJob"]),
                    Some("CronJob".into()),
                ));
            }
        }
        out.insert(at, raw(as_spec, rule_name, kyverno_match, None));
    }
    out
}

/// Identifiers every environment declares besides its variables: type names and the
/// namespaces of qualified functions.
pub(super) const TYPE_NAMES: &[&str] = &[
    "int",
    "uint",
    "double",
    "bool",
    "string",
    "bytes",
    "list",
    "map",
    "null_type",
    "type",
    "dyn",
    "duration",
    "timestamp",
    "optional_type",
];

/// Compiles a policy (and, for Kyverno pod policies, its autogen policies). Problems are
/// `policy-invalid` findings; a policy that does not compile is left out.
pub fn compile(raw: &Raw, host: &Host) -> (Vec<Policy>, Vec<Finding>) {
    let mut problems = Vec::new();
    let spec: Spec = match serde_json::from_value(raw.spec.clone()) {
        Ok(s) => s,
        Err(e) => {
            problems.push(finding(
                INVALID,
                Severity::Error,
                raw.name_target.clone(),
                format!("{} '{}': spec cannot be read: {e}", raw.kind.as_str(), raw.name),
                &raw.obj,
            ));
            return (Vec::new(), problems);
        }
    };
    let Some(policy) = compile_spec(raw, &spec, host, None, &mut problems) else {
        return (Vec::new(), problems);
    };
    let mut out = vec![policy];
    if raw.kind.flavor() == Flavor::Kyverno {
        for generated in autogen::generate(raw, &spec) {
            let mut ignored = Vec::new();
            if let Some(p) = compile_spec(raw, &generated.spec, host, Some(generated.kinds), &mut ignored) {
                out.push(p);
            }
        }
    }
    (out, problems)
}

fn compile_spec(
    raw: &Raw,
    spec: &Spec,
    host: &Host,
    autogen: Option<String>,
    problems: &mut Vec<Finding>,
) -> Option<Policy> {
    let start = problems.len();
    let kyverno = raw.kind.flavor() == Flavor::Kyverno;
    let target_of = |list: &str, i: usize, field: &str| -> Target {
        let route = Route::root()
            .keys(&["spec"])
            .key(list.to_string())
            .index(i)
            .key(field.to_string());
        raw.targets
            .get(&route.to_string())
            .cloned()
            .unwrap_or_else(|| raw.name_target.clone())
    };
    let mut declared: Vec<&str> = vec!["object", "oldObject", "request", "namespaceObject", "variables"];
    if kyverno {
        declared.extend([
            "exceptions",
            "resource",
            "http",
            "globalContext",
            "imagedata",
            "image",
            "user",
            "hash",
            "math",
            "json",
            "yaml",
            "x509",
            "time",
            "transform",
            "random",
            "gzip",
        ]);
    } else if spec.param_kind.is_some() {
        declared.push("params");
    }
    let mut earlier: Vec<String> = Vec::new();
    let check = |source: &str,
                 list: &str,
                 i: usize,
                 field: &str,
                 authorizer: bool,
                 earlier: &[String],
                 problems: &mut Vec<Finding>|
     -> Option<Expr> {
        let target = target_of(list, i, field);
        let fail = |problems: &mut Vec<Finding>, message: String| {
            problems.push(finding(
                INVALID,
                Severity::Error,
                target.clone(),
                format!(
                    "{} '{}': spec.{list}[{i}].{field}: {message}",
                    raw.kind.as_str(),
                    raw.name
                ),
                &raw.obj,
            ));
        };
        let expr = match host.compile(source) {
            Ok(e) => e,
            Err(e) => {
                fail(problems, format!("compilation failed: {}", e.message));
                return None;
            }
        };
        let names = expr.names();
        for ident in &names.idents {
            let ok = declared.contains(&ident.as_str())
                || TYPE_NAMES.contains(&ident.as_str())
                || (authorizer && ident == "authorizer")
                || (!kyverno && ident == "params" && spec.param_kind.is_some());
            if !ok {
                let why = match ident.as_str() {
                    "params" => "undeclared reference to 'params' (the policy has no paramKind)".to_string(),
                    "authorizer" => "undeclared reference to 'authorizer' (only validations may use it)".to_string(),
                    _ => format!("undeclared reference to '{ident}'"),
                };
                fail(problems, why);
                return None;
            }
        }
        for v in &names.variables {
            if !earlier.contains(v) {
                fail(
                    problems,
                    format!(
                        "undeclared reference to variables.{v} (a variable may only use variables declared before it)"
                    ),
                );
                return None;
            }
        }
        Some(expr)
    };
    let mut match_conditions = Vec::new();
    let mut seen_conditions = std::collections::BTreeSet::new();
    for (i, mc) in spec.match_conditions.iter().enumerate() {
        if !seen_conditions.insert(mc.name.clone()) {
            problems.push(finding(
                INVALID,
                Severity::Error,
                target_of("matchConditions", i, "expression"),
                format!(
                    "{} '{}': spec.matchConditions[{i}].name: duplicate name '{}'",
                    raw.kind.as_str(),
                    raw.name,
                    mc.name
                ),
                &raw.obj,
            ));
            continue;
        }
        if let Some(expr) = check(
            &mc.expression,
            "matchConditions",
            i,
            "expression",
            !kyverno,
            &[],
            problems,
        ) {
            match_conditions.push(Condition {
                name: mc.name.clone(),
                target: target_of("matchConditions", i, "expression"),
                expr,
            });
        }
    }
    let mut variables = Vec::new();
    for (i, v) in spec.variables.iter().enumerate() {
        let all_earlier = earlier.clone();
        if let Some(expr) = check(
            &v.expression,
            "variables",
            i,
            "expression",
            false,
            &all_earlier,
            problems,
        ) {
            variables.push((v.name.clone(), expr));
        }
        earlier.push(v.name.clone());
    }
    let mut validations = Vec::new();
    for (i, v) in spec.validations.iter().enumerate() {
        let expr = check(
            &v.expression,
            "validations",
            i,
            "expression",
            !kyverno,
            &earlier,
            problems,
        );
        let message_expr = v
            .message_expression
            .as_deref()
            .and_then(|m| check(m, "validations", i, "messageExpression", false, &earlier, problems));
        if let Some(expr) = expr {
            validations.push(Validation {
                expr,
                message: v.message.clone(),
                message_expr,
                target: target_of("validations", i, "expression"),
            });
        }
    }
    for (i, a) in spec.audit_annotations.iter().enumerate() {
        check(
            &a.value_expression,
            "auditAnnotations",
            i,
            "valueExpression",
            false,
            &earlier,
            problems,
        );
    }
    if kyverno && spec.validation_actions.is_empty() {
        problems.push(finding(
            INVALID,
            Severity::Error,
            raw.name_target.clone(),
            format!(
                "{} '{}': spec.validationActions is required",
                raw.kind.as_str(),
                raw.name
            ),
            &raw.obj,
        ));
    }
    if problems.len() > start {
        return None;
    }
    let mode = spec
        .evaluation
        .as_ref()
        .and_then(|e| e.get("mode"))
        .and_then(|m| m.as_str())
        .unwrap_or("Kubernetes");
    // Modes other than Kubernetes judge JSON payloads or requests, not objects.
    let skipped = (mode != "Kubernetes")
        .then(|| format!("evaluation.mode {mode} judges payloads, not Kubernetes objects"))
        .or_else(|| raw.skipped.clone());
    Some(Policy {
        skipped,
        rule: raw.rule.clone(),
        kyverno_match: raw.kyverno_match.clone(),
        kind: raw.kind,
        flavor: if kyverno { Flavor::Kyverno } else { Flavor::Kubernetes },
        name: raw.name.clone(),
        namespace: raw.namespace.clone(),
        obj: raw.obj.clone(),
        name_target: raw.name_target.clone(),
        match_constraints: spec.match_constraints.clone(),
        match_conditions,
        variables,
        validations,
        param_kind: spec.param_kind.clone().and_then(|k| serde_json::from_value(k).ok()),
        ignore_failures: spec.failure_policy.as_deref() == Some("Ignore"),
        actions: spec.validation_actions.clone(),
        autogen: autogen.or_else(|| raw.autogen_kinds.clone()),
    })
}

impl Validation {
    /// The message of a failed validation, as the API server chooses it.
    pub fn message(&self, ctx: &crate::celhost::Context<'_, '_>) -> String {
        if let Some(m) = &self.message_expr
            && let Ok(cel::objects::Value::String(s)) = m.value(ctx)
        {
            let t = s.trim();
            if !t.is_empty() && t.len() <= 5 * 1024 && !t.contains('\n') {
                return t.to_string();
            }
        }
        match self.message.as_deref().map(str::trim) {
            Some(m) if !m.is_empty() => m.to_string(),
            _ => format!("failed expression: {}", self.expr.source.trim()),
        }
    }
}

impl Policy {
    /// The policy (and binding) as the API server names them in messages.
    pub fn describe(&self, binding: Option<&str>) -> String {
        if let Some(rule) = &self.rule {
            return format!("{} '{}' rule '{rule}'", self.kind.as_str(), self.name);
        }
        match binding {
            Some(b) => format!("{} '{}' with binding '{b}'", self.kind.as_str(), self.name),
            None => format!("{} '{}'", self.kind.as_str(), self.name),
        }
    }

    /// The message of a violation by an object of `kind`.
    pub fn violation_message(&self, binding: Option<&str>, actions: &str, message: &str, kind: &str) -> String {
        let autogen = if self.autogen.is_some() {
            format!(" (autogen for {kind})")
        } else {
            String::new()
        };
        match self.kind {
            PolicyKind::ValidatingAdmissionPolicy => {
                if actions.split(", ").any(|a| a == "Deny") {
                    format!("{} denied request: {message}", self.describe(binding))
                } else {
                    format!("Validation failed for {}: {message}", self.describe(binding))
                }
            }
            PolicyKind::ClusterPolicy | PolicyKind::Policy => format!("{} ({actions}): {message}", self.describe(None)),
            _ => format!("{} '{}' ({actions}): {message}{autogen}", self.kind.as_str(), self.name),
        }
    }
}
