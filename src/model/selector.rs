//! Label selectors (`metav1.LabelSelector`), evaluated exactly as
//! `k8s.io/apimachinery/pkg/labels` does (rule-families §0.3), with a three-valued variant for
//! objects whose labels are only partly known (namespaces not declared in the set).

use super::intern::LabelSet;
use crate::source::Loc;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

/// An invalid requirement: where, and why the API server rejects it.
#[derive(Clone, Debug)]
pub struct Invalid {
    pub loc: Loc,
    pub reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub requirements: Vec<Requirement>,
    /// Requirements the API server would reject; they are left out of evaluation.
    pub invalid: Vec<Invalid>,
}

/// A three-valued match result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

impl Selector {
    /// Compiles a selector; `loc_of(i)` gives the location of `matchExpressions[i]`.
    pub fn new(s: &LabelSelector, loc_of: impl Fn(usize) -> Loc) -> Selector {
        let mut out = Selector {
            match_labels: s
                .match_labels
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            ..Selector::default()
        };
        for (i, e) in s.match_expressions.iter().flatten().enumerate() {
            let values = e.values.clone().unwrap_or_default();
            let op = match e.operator.as_str() {
                "In" => Op::In,
                "NotIn" => Op::NotIn,
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                other => {
                    out.invalid.push(Invalid {
                        loc: loc_of(i),
                        reason: format!("`{other}` is not a label selector operator (In, NotIn, Exists, DoesNotExist)"),
                    });
                    continue;
                }
            };
            let problem = match op {
                Op::In | Op::NotIn if values.is_empty() => Some(format!("`{}` needs at least one value", e.operator)),
                Op::Exists | Op::DoesNotExist if !values.is_empty() => {
                    Some(format!("`{}` must not have values", e.operator))
                }
                _ => None,
            };
            if let Some(reason) = problem {
                out.invalid.push(Invalid { loc: loc_of(i), reason });
                continue;
            }
            out.requirements.push(Requirement {
                key: e.key.clone(),
                op,
                values,
            });
        }
        out
    }

    /// A selector that matches nothing (an absent selector, where absent means none).
    pub fn nothing() -> Selector {
        Selector {
            requirements: vec![Requirement {
                key: String::new(),
                op: Op::In,
                values: vec![String::new()],
            }],
            ..Selector::default()
        }
    }

    /// Matches everything: no labels and no requirements (`{}`).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.requirements.is_empty() && self.invalid.is_empty()
    }

    /// Whether a set of labels matches (`matchLabels` and `matchExpressions` ANDed).
    pub fn matches(&self, labels: &impl LabelSet) -> bool {
        self.matches_partial(labels, |_| true) == Tri::Yes
    }

    /// Three-valued match where only keys for which `known(key)` holds are known: a
    /// requirement on an unknown key that is absent from `labels` is `Unknown`.
    pub fn matches_partial(&self, labels: &impl LabelSet, known: impl Fn(&str) -> bool) -> Tri {
        let mut result = Tri::Yes;
        let mut merge = |r: Tri| match r {
            Tri::No => result = Tri::No,
            Tri::Unknown if result == Tri::Yes => result = Tri::Unknown,
            _ => {}
        };
        for (k, v) in &self.match_labels {
            merge(match labels.label(k) {
                Some(x) if x == v.as_str() => Tri::Yes,
                Some(_) => Tri::No,
                None if known(k) => Tri::No,
                None => Tri::Unknown,
            });
        }
        for r in &self.requirements {
            let value = labels.label(&r.key);
            merge(match (r.op, value) {
                (_, None) if !known(&r.key) => Tri::Unknown,
                (Op::In, Some(v)) => tri(r.values.iter().any(|x| x == v)),
                (Op::In, None) => Tri::No,
                (Op::NotIn, Some(v)) => tri(!r.values.iter().any(|x| x == v)),
                (Op::NotIn, None) => Tri::Yes,
                (Op::Exists, v) => tri(v.is_some()),
                (Op::DoesNotExist, v) => tri(v.is_none()),
            });
        }
        result
    }

    /// Every `key=value` pair a matching object must carry (`matchLabels`, then `In`
    /// requirements of one value), for index lookups.
    pub fn required_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.match_labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(
            self.requirements
                .iter()
                .filter(|r| r.op == Op::In && r.values.len() == 1)
                .map(|r| (r.key.as_str(), r.values[0].as_str())),
        )
    }

    /// A `key=value` pair every matching object must carry, for index lookups.
    pub fn required_pair(&self) -> Option<(&str, &str)> {
        self.match_labels
            .first()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .or_else(|| {
                self.requirements
                    .iter()
                    .find(|r| r.op == Op::In && r.values.len() == 1)
                    .map(|r| (r.key.as_str(), r.values[0].as_str()))
            })
    }
}

fn tri(b: bool) -> Tri {
    if b { Tri::Yes } else { Tri::No }
}

impl fmt::Display for Selector {
    /// `app=web, tier in (a, b), !legacy`; `{}` for the empty selector.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.match_labels.is_empty() && self.requirements.is_empty() {
            return f.write_str("{}");
        }
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for r in &self.requirements {
            parts.push(match r.op {
                Op::In => format!("{} in ({})", r.key, r.values.join(", ")),
                Op::NotIn => format!("{} notin ({})", r.key, r.values.join(", ")),
                Op::Exists => r.key.clone(),
                Op::DoesNotExist => format!("!{}", r.key),
            });
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
    use std::collections::BTreeMap;

    fn sel(labels: &[(&str, &str)], exprs: &[(&str, &str, &[&str])]) -> Selector {
        let s = LabelSelector {
            match_labels: (!labels.is_empty())
                .then(|| labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
            match_expressions: (!exprs.is_empty()).then(|| {
                exprs
                    .iter()
                    .map(|(k, op, vs)| LabelSelectorRequirement {
                        key: k.to_string(),
                        operator: op.to_string(),
                        values: (!vs.is_empty()).then(|| vs.iter().map(|v| v.to_string()).collect()),
                    })
                    .collect()
            }),
        };
        Selector::new(&s, |_| Loc::default())
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn operators_with_absent_keys() {
        let none = labels(&[]);
        let web = labels(&[("tier", "web")]);
        assert!(!sel(&[], &[("tier", "In", &["web"])]).matches(&none));
        assert!(sel(&[], &[("tier", "In", &["web"])]).matches(&web));
        // NotIn matches objects without the key.
        assert!(sel(&[], &[("tier", "NotIn", &["db"])]).matches(&none));
        assert!(!sel(&[], &[("tier", "NotIn", &["web"])]).matches(&web));
        assert!(!sel(&[], &[("tier", "Exists", &[])]).matches(&none));
        assert!(sel(&[], &[("tier", "DoesNotExist", &[])]).matches(&none));
        assert!(!sel(&[], &[("tier", "DoesNotExist", &[])]).matches(&web));
        // matchLabels and matchExpressions are ANDed; {} matches everything.
        assert!(!sel(&[("app", "x")], &[("tier", "In", &["web"])]).matches(&web));
        assert!(sel(&[], &[]).matches(&none));
    }

    #[test]
    fn invalid_requirements() {
        assert_eq!(sel(&[], &[("a", "Gt", &["1"])]).invalid.len(), 1);
        assert_eq!(sel(&[], &[("a", "In", &[])]).invalid.len(), 1);
        assert_eq!(sel(&[], &[("a", "Exists", &["x"])]).invalid.len(), 1);
    }

    #[test]
    fn three_valued() {
        let name_only = |k: &str| k == "kubernetes.io/metadata.name";
        let ns = labels(&[("kubernetes.io/metadata.name", "kube-system")]);
        assert_eq!(
            sel(&[("kubernetes.io/metadata.name", "kube-system")], &[]).matches_partial(&ns, name_only),
            Tri::Yes
        );
        assert_eq!(sel(&[("team", "a")], &[]).matches_partial(&ns, name_only), Tri::Unknown);
        assert_eq!(
            sel(&[("kubernetes.io/metadata.name", "x"), ("team", "a")], &[]).matches_partial(&ns, name_only),
            Tri::No
        );
    }
}
