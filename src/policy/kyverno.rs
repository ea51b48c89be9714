//! Kyverno `ClusterPolicy` and `Policy` rules with `validate.cel` (kyverno.io/v1): matched by
//! Kyverno's resource filters (`match`/`exclude`, `any`/`all`, kinds, names, namespaces,
//! selectors, operations), evaluated like a ValidatingAdmissionPolicy (Kyverno runs them
//! through the API server's validator), with Kyverno's autogen for pod controllers
//! (`pkg/autogen/v1`).

// Kyverno's wildcards for names and namespaces are those of its image references
// (`ext/wildcard`: `*` any run, `?` and `.` one character, whole string).
use crate::model::imageglob::kyverno_matches as wildcard;
use crate::model::selector::{Selector, Tri};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;
use std::collections::BTreeMap;

/// One resource filter of a `match` or `exclude` clause.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// (group, version, kind); `None` parts match any; kind `*` matches any.
    kinds: Vec<(Option<String>, Option<String>, String)>,
    names: Vec<String>,
    namespaces: Vec<String>,
    selector: Option<LabelSelector>,
    namespace_selector: Option<LabelSelector>,
    operations: Vec<String>,
}

/// A rule's `match` and `exclude`.
#[derive(Clone, Debug, Default)]
pub struct KyvernoMatch {
    matches: Vec<Filter>,
    match_all: bool,
    excludes: Vec<Filter>,
    exclude_all: bool,
}

/// What an object offers to a filter.
pub struct Subject<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// `None` for cluster-scoped objects.
    pub namespace: Option<&'a str>,
    /// `None` while the object's labels are not read yet (selectors then count as matching).
    pub labels: Option<&'a BTreeMap<String, String>>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

fn filter_of(d: &Value) -> Filter {
    let r = d.get("resources").unwrap_or(d);
    let selector = |k: &str| r.get(k).and_then(|s| serde_json::from_value(s.clone()).ok());
    Filter {
        kinds: strings(r.get("kinds"))
            .into_iter()
            .map(|k| {
                let parts: Vec<&str> = k.split('/').collect();
                match parts.as_slice() {
                    [kind] => (None, None, kind.to_string()),
                    [version, kind] => (None, Some(version.to_string()), kind.to_string()),
                    [group, version, kind, ..] => {
                        (Some(group.to_string()), Some(version.to_string()), kind.to_string())
                    }
                    [] => (None, None, String::new()),
                }
            })
            .collect(),
        names: strings(r.get("names"))
            .into_iter()
            .chain(r.get("name").and_then(Value::as_str).map(str::to_string))
            .collect(),
        namespaces: strings(r.get("namespaces")),
        selector: selector("selector"),
        namespace_selector: selector("namespaceSelector"),
        operations: strings(r.get("operations")),
    }
}

fn clause(c: Option<&Value>) -> (Vec<Filter>, bool) {
    let Some(c) = c else { return (Vec::new(), false) };
    if let Some(all) = c.get("all").and_then(Value::as_array) {
        return (all.iter().map(filter_of).collect(), true);
    }
    if let Some(any) = c.get("any").and_then(Value::as_array) {
        return (any.iter().map(filter_of).collect(), false);
    }
    if c.get("resources").is_some() {
        return (vec![filter_of(c)], false);
    }
    (Vec::new(), false)
}

impl KyvernoMatch {
    pub fn of(rule: &Value) -> KyvernoMatch {
        let (matches, match_all) = clause(rule.get("match"));
        let (excludes, exclude_all) = clause(rule.get("exclude"));
        KyvernoMatch {
            matches,
            match_all,
            excludes,
            exclude_all,
        }
    }

    /// Whether the rule applies to the object on CREATE (`Tri::Unknown`: it depends on a
    /// namespace selector that cannot be decided; `None`: it would match another operation).
    pub fn matches(&self, o: &Subject<'_>, ns: &dyn Fn(&LabelSelector) -> Tri) -> Option<Tri> {
        let mut other_operation = false;
        let mut one = |f: &Filter| -> Tri {
            let kind_ok = f.kinds.is_empty()
                || f.kinds.iter().any(|(g, v, k)| {
                    (k == "*" || k == o.kind)
                        && g.as_deref().is_none_or(|g| g == "*" || g == o.group)
                        && v.as_deref().is_none_or(|v| v == "*" || v == o.version)
                });
            let name_ok = f.names.is_empty() || f.names.iter().any(|n| wildcard(n, o.name));
            let ns_ok =
                f.namespaces.is_empty() || o.namespace.is_some_and(|n| f.namespaces.iter().any(|p| wildcard(p, n)));
            let sel_ok = match (&f.selector, o.labels) {
                (Some(s), Some(labels)) => Selector::new(s, |_| crate::source::Loc::default()).matches(labels),
                _ => true,
            };
            if !(kind_ok && name_ok && ns_ok && sel_ok) {
                return Tri::No;
            }
            if !f.operations.is_empty() && !f.operations.iter().any(|op| op == "CREATE") {
                other_operation = true;
                return Tri::No;
            }
            match &f.namespace_selector {
                Some(s) => ns(s),
                None => Tri::Yes,
            }
        };
        let combine = |results: Vec<Tri>, all: bool| -> Tri {
            if all {
                if results.contains(&Tri::No) {
                    Tri::No
                } else if results.contains(&Tri::Unknown) {
                    Tri::Unknown
                } else {
                    Tri::Yes
                }
            } else if results.contains(&Tri::Yes) {
                Tri::Yes
            } else if results.contains(&Tri::Unknown) {
                Tri::Unknown
            } else {
                Tri::No
            }
        };
        let matched = combine(self.matches.iter().map(&mut one).collect(), self.match_all);
        if matched == Tri::No {
            return if other_operation { None } else { Some(Tri::No) };
        }
        let excluded = !self.excludes.is_empty()
            && combine(self.excludes.iter().map(&mut one).collect(), self.exclude_all) == Tri::Yes;
        Some(if excluded { Tri::No } else { matched })
    }

    /// Kyverno autogen v1 applies: no filter names `names`/`selector`/`annotations`, and the
    /// kinds naming Pod name only Pod.
    pub fn pods_only(&self) -> bool {
        let plain = |f: &Filter| f.names.is_empty() && f.selector.is_none();
        !self.matches.is_empty()
            && self
                .matches
                .iter()
                .all(|f| plain(f) && !f.kinds.is_empty() && f.kinds.iter().all(|(_, _, k)| k == "Pod"))
            && self.excludes.iter().all(plain)
    }

    /// The same clauses with the kinds of every filter replaced.
    pub fn with_kinds(&self, kinds: &[&str]) -> KyvernoMatch {
        let mut m = self.clone();
        for f in m.matches.iter_mut().chain(m.excludes.iter_mut()) {
            if !f.kinds.is_empty() {
                f.kinds = kinds.iter().map(|k| (None, None, k.to_string())).collect();
            }
        }
        m
    }
}

/// Kyverno autogen v1 text rewrite of a rule (no `namespace` exception, unlike the CEL
/// policies' autogen).
pub fn rewrite(text: &str, cronjob: bool) -> String {
    let (spec, meta) = if cronjob {
        (
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        )
    } else {
        ("spec.template.spec", "spec.template.metadata")
    };
    let mut out = text.to_string();
    for root in ["object", "oldObject"] {
        out = out
            .replace(&format!("{root}.spec"), &format!("{root}.{spec}"))
            .replace(&format!("{root}.metadata"), &format!("{root}.{meta}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("prod-*", "prod-eu"));
        assert!(wildcard("team.a", "team-a"));
        assert!(wildcard("*", ""));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("prod-*", "dev"));
    }

    #[test]
    fn match_any_all_and_exclude() {
        let rule = serde_json::json!({
            "match": {"any": [{"resources": {"kinds": ["Pod"], "namespaces": ["prod-*"]}}]},
            "exclude": {"any": [{"resources": {"names": ["debug-*"]}}]}
        });
        let m = KyvernoMatch::of(&rule);
        let subject = |name, ns| Subject {
            group: "",
            version: "v1",
            kind: "Pod",
            name,
            namespace: Some(ns),
            labels: None,
        };
        let ns = |_: &LabelSelector| Tri::Yes;
        assert_eq!(m.matches(&subject("web", "prod-eu"), &ns), Some(Tri::Yes));
        assert_eq!(m.matches(&subject("debug-1", "prod-eu"), &ns), Some(Tri::No));
        assert_eq!(m.matches(&subject("web", "dev"), &ns), Some(Tri::No));
        // Autogen skips rules whose filters name objects (`names`).
        assert!(!m.pods_only());
        let plain = KyvernoMatch::of(&serde_json::json!({"match": {"any": [{"resources": {"kinds": ["Pod"]}}]}}));
        assert!(plain.pods_only());
    }
}
