//! What the replica, disruption, placement and rollout rules keep of a controller and its
//! pod template (workload-checks §1.4–1.6): whether another controller owns it, its rollout
//! strategy, and whether the template spreads its own replicas. Which controllers keep a
//! template's pods running, and their replica floor, the index answers
//! ([`super::Index::replicated`]).

use super::intern::{Interner, Str};
use super::intstr::Amount;
use super::kinds::Typed;
use super::object::Object;
use super::selector::Selector;
use super::views::Workload;
use crate::source::{Loc, Route};
use k8s_openapi::api::core::v1::PodAffinityTerm;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// How a controller rolls out a new template.
#[derive(Debug, Clone, Default)]
pub struct ControllerFact {
    /// A controller `ownerReference` (a ReplicaSet that a Deployment manages).
    pub owned: bool,
    /// The `strategy.type: Recreate` entry of a Deployment or DeploymentConfig.
    pub recreate: Option<Loc>,
    /// The rolling update's `maxUnavailable` as written, when the API accepts it, with its
    /// entry: a Deployment's or StatefulSet's `rollingUpdate`, a DaemonSet's, a Rollout's
    /// canary.
    pub max_unavailable: Option<(Amount, Loc)>,
}

impl ControllerFact {
    /// `at` resolves a route from the object's root.
    pub fn of(obj: &Object, at: impl Fn(&Route) -> Loc) -> ControllerFact {
        const STRATEGY: &[&str] = &["spec", "strategy", "rollingUpdate", "maxUnavailable"];
        const UPDATE_STRATEGY: &[&str] = &["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"];
        const CANARY: &[&str] = &["spec", "strategy", "canary", "maxUnavailable"];
        // The strategy's type, and the rolling update's maxUnavailable with its route.
        let (kind, max_unavailable): (Option<&str>, Option<(&IntOrString, &[&str])>) = match &obj.typed {
            Typed::Deployment(d) => {
                let s = d.spec.strategy.as_ref();
                let max = s.and_then(|s| s.rolling_update.as_ref()?.max_unavailable.as_ref());
                (s.and_then(|s| s.type_.as_deref()), max.map(|m| (m, STRATEGY)))
            }
            Typed::StatefulSet(d) => {
                let s = d.spec.update_strategy.as_ref();
                let max = s.and_then(|s| s.rolling_update.as_ref()?.max_unavailable.as_ref());
                (s.and_then(|s| s.type_.as_deref()), max.map(|m| (m, UPDATE_STRATEGY)))
            }
            Typed::DaemonSet(d) => {
                let s = d.spec.update_strategy.as_ref();
                let max = s.and_then(|s| s.rolling_update.as_ref()?.max_unavailable.as_ref());
                (s.and_then(|s| s.type_.as_deref()), max.map(|m| (m, UPDATE_STRATEGY)))
            }
            Typed::Rollout(r) => {
                let canary = r.spec.as_ref().and_then(|s| s.strategy.as_ref()?.canary.as_ref());
                (
                    None,
                    canary.and_then(|c| c.max_unavailable.as_ref()).map(|m| (m, CANARY)),
                )
            }
            Typed::DeploymentConfig(d) => (
                d.spec.as_ref().and_then(|s| s.strategy.as_ref()?.type_.as_deref()),
                None,
            ),
            _ => (None, None),
        };
        let rolling = kind.is_none_or(|k| k == "RollingUpdate");
        ControllerFact {
            owned: obj
                .meta()
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.controller == Some(true)),
            recreate: (kind == Some("Recreate")).then(|| at(&Route::root().keys(&["spec", "strategy", "type"]))),
            max_unavailable: max_unavailable.filter(|_| rolling).and_then(|(v, route)| {
                let amount = Amount::parse(v).ok().filter(|a| !a.above_100_percent())?;
                Some((amount, at(&Route::root().keys(route))))
            }),
        }
    }
}

/// How a pod template spreads its own replicas.
#[derive(Debug, Clone, Default)]
pub struct SpreadFact {
    /// The `podAntiAffinity` terms (required, or `podAffinityTerm` of preferred) that select
    /// the template's own pods: their `topologyKey`, and the `namespaceSelector` that decides
    /// whether they cover the pod's own namespace (`None`: they do).
    pub anti_affinity: Box<[(Str, Option<Box<Selector>>)]>,
    /// A `topologySpreadConstraints` entry selects the template's own pods.
    pub constrained: bool,
    /// The pod spec's `affinity` entry, else the pod spec.
    pub loc: Loc,
}

impl SpreadFact {
    /// `at` resolves a route from the object's root; `namespace` is the effective one.
    pub fn of(w: &Workload<'_>, namespace: &str, at: impl Fn(&Route) -> Loc, interner: &Interner) -> SpreadFact {
        let empty = BTreeMap::new();
        let labels = w.meta.and_then(|m| m.labels.as_ref()).unwrap_or(&empty);
        let selects_own = |s: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>| {
            s.is_some_and(|s| Selector::new(s, |_| Loc::default()).matches(labels))
        };
        let anti = w.spec.affinity.as_ref().and_then(|a| a.pod_anti_affinity.as_ref());
        let terms = anti
            .into_iter()
            .flat_map(|a| {
                let required = a.required_during_scheduling_ignored_during_execution.iter().flatten();
                let preferred = a
                    .preferred_during_scheduling_ignored_during_execution
                    .iter()
                    .flatten()
                    .map(|p| &p.pod_affinity_term);
                required.chain(preferred)
            })
            .filter(|t| selects_own(t.label_selector.as_ref()) && !excludes_own(t, labels))
            .filter_map(|t| {
                let listed = t.namespaces.as_deref().unwrap_or_default();
                let scope = match &t.namespace_selector {
                    _ if listed.iter().any(|n| n == namespace) => None,
                    None if listed.is_empty() => None,
                    None => return None,
                    Some(s) => {
                        let s = Selector::new(s, |_| Loc::default());
                        (!s.is_empty()).then(|| Box::new(s))
                    }
                };
                Some((interner.intern(&t.topology_key), scope))
            })
            .collect();
        let affinity = w.spec_route().key("affinity");
        SpreadFact {
            anti_affinity: terms,
            constrained: w
                .spec
                .topology_spread_constraints
                .iter()
                .flatten()
                .any(|c| selects_own(c.label_selector.as_ref())),
            loc: if w.spec.affinity.is_some() {
                at(&affinity)
            } else {
                at(&w.spec_route())
            },
        }
    }
}

/// A term with `mismatchLabelKeys` excludes pods that share the incoming pod's value of a
/// key it carries: its own replicas.
fn excludes_own(t: &PodAffinityTerm, labels: &BTreeMap<String, String>) -> bool {
    t.mismatch_label_keys.iter().flatten().any(|k| labels.contains_key(k))
}
