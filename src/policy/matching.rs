//! Which objects an admission policy applies to, as the API server's matcher decides:
//! resource rules by group, version, resource (plural) and scope, namespace and object
//! selectors, operations (offline evaluation simulates CREATE).

use crate::model::kinds;
use k8s_openapi::api::admissionregistration::v1::{MatchResources, NamedRuleWithOperations};
use std::collections::BTreeMap;

/// An object's resource: group, version, plural, whether it is namespaced, and whether the
/// plural was guessed from the kind (no CustomResourceDefinition in the set says it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
    pub guessed: bool,
}

/// Plurals and scopes the set's CustomResourceDefinitions declare, by (group, kind).
pub type CrdNames = BTreeMap<(String, String), (String, bool)>;

/// Kubernetes' `UnsafeGuessKindToResource`.
pub fn guess_plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with("endpoints") {
        lower
    } else if lower.ends_with('s') {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

impl Resource {
    pub fn of(api_version: &str, kind: &str, has_namespace: bool, crds: &CrdNames) -> Resource {
        let group = kinds::group_of(api_version).to_string();
        let version = api_version.rsplit('/').next().unwrap_or(api_version).to_string();
        if let Some((plural, namespaced)) = crds.get(&(group.clone(), kind.to_string())) {
            return Resource {
                group,
                version,
                kind: kind.to_string(),
                plural: plural.clone(),
                namespaced: *namespaced,
                guessed: false,
            };
        }
        // Built-in kinds follow the guessing rule; their scope is known.
        let builtin = crate::model::kinds::TypedKind::lookup(api_version, kind).is_some()
            || group.is_empty()
            || group.ends_with(".k8s.io") && !group.contains("x-k8s")
            || matches!(
                group.as_str(),
                "apps" | "batch" | "autoscaling" | "policy" | "extensions"
            );
        let namespaced = if builtin {
            !kinds::is_cluster_scoped(kind)
        } else {
            has_namespace
        };
        Resource {
            group,
            version,
            kind: kind.to_string(),
            plural: guess_plural(kind),
            namespaced: namespaced && kind != "Namespace",
            guessed: !builtin,
        }
    }
}

/// The outcome of matching resource rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleMatch {
    Yes,
    No,
    /// It would match for another operation than CREATE.
    OtherOperation,
}

fn contains(list: &Option<Vec<String>>, value: &str) -> bool {
    list.iter().flatten().any(|v| v == "*" || v == value)
}

/// Whether a rule matches an object's resource on CREATE.
pub fn rule_matches(rule: &NamedRuleWithOperations, r: &Resource, name: Option<&str>) -> RuleMatch {
    let resource_ok = rule
        .resources
        .iter()
        .flatten()
        .any(|res| res == "*" || res == "*/*" || *res == r.plural);
    let scope_ok = match rule.scope.as_deref() {
        None | Some("*") => true,
        Some("Namespaced") => r.namespaced,
        Some("Cluster") => !r.namespaced,
        Some(_) => false,
    };
    let names_ok = match &rule.resource_names {
        Some(names) if !names.is_empty() => name.is_some_and(|n| names.iter().any(|x| x == n)),
        _ => true,
    };
    let group_ok = contains(&rule.api_groups, &r.group);
    let version_ok = contains(&rule.api_versions, &r.version);
    if !(resource_ok && scope_ok && names_ok && group_ok && version_ok) {
        return RuleMatch::No;
    }
    if contains(&rule.operations, "CREATE") {
        RuleMatch::Yes
    } else {
        RuleMatch::OtherOperation
    }
}

/// Whether the resource rules of match resources (or of a binding, where none means all)
/// match, before selectors.
pub fn resources_match(m: &MatchResources, r: &Resource, name: Option<&str>, empty_matches_all: bool) -> RuleMatch {
    if m.exclude_resource_rules
        .iter()
        .flatten()
        .any(|rule| rule_matches(rule, r, name) != RuleMatch::No)
    {
        return RuleMatch::No;
    }
    let rules = m.resource_rules.as_deref().unwrap_or(&[]);
    if rules.is_empty() {
        return if empty_matches_all {
            RuleMatch::Yes
        } else {
            RuleMatch::No
        };
    }
    let mut best = RuleMatch::No;
    for rule in rules {
        match rule_matches(rule, r, name) {
            RuleMatch::Yes => return RuleMatch::Yes,
            RuleMatch::OtherOperation => best = RuleMatch::OtherOperation,
            RuleMatch::No => {}
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_are_guessed_as_kubernetes_does() {
        assert_eq!(guess_plural("Ingress"), "ingresses");
        assert_eq!(guess_plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(guess_plural("Endpoints"), "endpoints");
        assert_eq!(guess_plural("Pod"), "pods");
    }
}
