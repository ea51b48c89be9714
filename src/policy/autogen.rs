//! Kyverno's autogen for `ValidatingPolicy`: a policy about Pods also judges the pod
//! templates of the controllers that create them (kyverno `pkg/cel/autogen`,
//! `pkg/cel/policies/vpol/autogen`).
//!
//! It applies when the match constraints are "pods only": no object selector, no excluded
//! resources, exactly one resource rule without resource names, for `""`/`v1`/`pods`. The
//! controllers are `spec.autogen.podControllers.controllers` when set (`[]` turns autogen
//! off), else all six (ReplicationControllers are not among them). Two policies are
//! generated: one for DaemonSet, Deployment, ReplicaSet, StatefulSet and Job, one for
//! CronJob. Their spec is the original serialised to JSON with every `object.spec` made
//! `object.spec.template.spec` (CronJob: `object.spec.jobTemplate.spec.template.spec`) and
//! every `object.metadata` the template's metadata, except `object.metadata.namespace`;
//! likewise for `oldObject`. A plain text replacement, as Kyverno does: it also rewrites
//! string literals and messages.

use super::source::{Raw, Spec};
use k8s_openapi::api::admissionregistration::v1::{MatchResources, NamedRuleWithOperations};

pub struct Generated {
    pub spec: Spec,
    /// The kinds it judges, for messages (`Deployment, StatefulSet`).
    pub kinds: String,
}

const DEFAULTS: &[(&str, &str, &str, &str)] = &[
    ("daemonsets", "apps", "v1", "DaemonSet"),
    ("deployments", "apps", "v1", "Deployment"),
    ("replicasets", "apps", "v1", "ReplicaSet"),
    ("statefulsets", "apps", "v1", "StatefulSet"),
    ("jobs", "batch", "v1", "Job"),
];

fn pods_only(m: &MatchResources) -> Option<&NamedRuleWithOperations> {
    let selector_empty = m.object_selector.as_ref().is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|l| l.is_empty())
            && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
    });
    if !selector_empty || m.exclude_resource_rules.as_ref().is_some_and(|r| !r.is_empty()) {
        return None;
    }
    let [rule] = m.resource_rules.as_deref()? else {
        return None;
    };
    let one = |l: &Option<Vec<String>>, v: &str| l.as_deref() == Some(&[v.to_string()][..]);
    (rule.resource_names.as_ref().is_none_or(|n| n.is_empty())
        && one(&rule.api_groups, "")
        && one(&rule.api_versions, "v1")
        && one(&rule.resources, "pods"))
    .then_some(rule)
}

/// Replaces `from.spec`/`from.metadata` in `text`, leaving `from.metadata.namespace` alone.
fn rewrite(text: &str, spec_to: &str, meta_to: &str) -> String {
    let mut out = text.to_string();
    for root in ["object", "oldObject"] {
        let keep = format!("{root}.metadata.namespace");
        let placeholder = format!("\u{1}{root}\u{1}");
        // Only `...namespace` followed by a non-identifier character (or the end) is kept.
        let mut protected = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(&keep) {
            let after = &rest[i + keep.len()..];
            let boundary = after
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
            protected.push_str(&rest[..i]);
            protected.push_str(if boundary { &placeholder } else { &keep });
            rest = after;
        }
        protected.push_str(rest);
        out = protected
            .replace(&format!("{root}.spec"), &format!("{root}.{spec_to}"))
            .replace(&format!("{root}.metadata"), &format!("{root}.{meta_to}"))
            .replace(&placeholder, &keep);
    }
    out
}

/// The autogen policies of a Kyverno policy (none when it is not about pods only).
pub fn generate(raw: &Raw, spec: &Spec) -> Vec<Generated> {
    let Some(m) = &spec.match_constraints else {
        return Vec::new();
    };
    let Some(rule) = pods_only(m) else {
        return Vec::new();
    };
    let controllers: Option<Vec<String>> = raw
        .spec
        .pointer("/autogen/podControllers/controllers")
        .and_then(|c| serde_json::from_value(c.clone()).ok());
    let wanted = |name: &str| controllers.as_ref().is_none_or(|c| c.iter().any(|x| x == name));
    let text = raw.spec.to_string();
    let mut out = Vec::new();
    let defaults: Vec<_> = DEFAULTS.iter().filter(|d| wanted(d.0)).collect();
    let rule_for = |group: &str, version: &str, resources: Vec<String>| NamedRuleWithOperations {
        api_groups: Some(vec![group.to_string()]),
        api_versions: Some(vec![version.to_string()]),
        resources: Some(resources),
        operations: rule.operations.clone(),
        resource_names: None,
        scope: None,
    };
    let with_rules = |spec_text: String, rules: Vec<NamedRuleWithOperations>| -> Option<Spec> {
        let mut spec: Spec = serde_json::from_str(&spec_text).ok()?;
        spec.match_constraints = Some(MatchResources {
            namespace_selector: m.namespace_selector.clone(),
            resource_rules: Some(rules),
            ..MatchResources::default()
        });
        Some(spec)
    };
    if !defaults.is_empty() {
        let mut rules = Vec::new();
        for (group, version) in [("apps", "v1"), ("batch", "v1")] {
            let resources: Vec<String> = defaults
                .iter()
                .filter(|d| d.1 == group && d.2 == version)
                .map(|d| d.0.to_string())
                .collect();
            if !resources.is_empty() {
                rules.push(rule_for(group, version, resources));
            }
        }
        let kinds = defaults.iter().map(|d| d.3).collect::<Vec<_>>().join(", ");
        if let Some(spec) = with_rules(rewrite(&text, "spec.template.spec", "spec.template.metadata"), rules) {
            out.push(Generated { spec, kinds });
        }
    }
    if wanted("cronjobs")
        && let Some(spec) = with_rules(
            rewrite(
                &text,
                "spec.jobTemplate.spec.template.spec",
                "spec.jobTemplate.spec.template.metadata",
            ),
            vec![rule_for("batch", "v1", vec!["cronjobs".into()])],
        )
    {
        out.push(Generated {
            spec,
            kinds: "CronJob".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn the_namespace_stays_the_objects() {
        assert_eq!(
            rewrite(
                "object.spec.containers + object.metadata.labels + object.metadata.namespace + object.metadata.namespaces",
                "spec.template.spec",
                "spec.template.metadata"
            ),
            "object.spec.template.spec.containers + object.spec.template.metadata.labels + object.metadata.namespace + object.spec.template.metadata.namespaces"
        );
        assert_eq!(
            rewrite("oldObject.spec.x", "spec.template.spec", "m"),
            "oldObject.spec.template.spec.x"
        );
    }
}
