//! `workload-pdb-blocks-eviction`: a `policy/v1` PodDisruptionBudget that never allows a
//! voluntary eviction with every pod healthy: `maxUnavailable` `0` or `0%`, `minAvailable`
//! `100%`, or, against the pods of the set it selects (E, the sum of the replica floors of
//! their controllers), a `desiredHealthy` of at least E. Both percentages round up, as the
//! disruption controller rounds them.
//!
//! When an HPA scales one of its workloads, `hpa-pdb-blocks-eviction` owns the case (when it
//! runs). A workload whose pod count the set does not tell (a DaemonSet, a Job, a
//! DeploymentConfig) leaves only the literal budgets to judge.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, first_few};
use crate::model::{Index, WorkloadFact};

declare_rule!(PdbBlocksEviction, "workload-pdb-blocks-eviction");

/// The pods a template runs, as far as the set tells.
struct Pods {
    /// The pod count, `None` when unknown.
    count: Option<i64>,
    /// An HPA scales them.
    autoscaled: bool,
}

fn pods_of(index: &Index, w: &WorkloadFact) -> Pods {
    let runners = index.replicated_for(w);
    if !runners.is_empty() {
        return Pods {
            count: Some(runners.iter().map(|r| i64::from(r.floor().max(0))).sum()),
            autoscaled: runners.iter().any(|r| r.hpa.is_some()),
        };
    }
    let count = match &*w.obj.kind {
        "Pod" => Some(1),
        "ReplicationController" => Some(i64::from(w.replicas.map_or(1, |(n, _)| n.max(0)))),
        // A template that no Rollout runs creates no pods.
        "PodTemplate" => Some(0),
        _ => None,
    };
    Pods {
        count,
        autoscaled: false,
    }
}

impl Rule for PdbBlocksEviction {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        let hpa_rule_runs = cx.settings.enabled("hpa-pdb-blocks-eviction");
        for p in index.pdbs.iter().filter(|p| p.v1) {
            if p.budget().is_none() {
                continue;
            }
            let mut expected = Some(0i64);
            let mut autoscaled = false;
            let mut names = Vec::new();
            for w in index.workloads_matching(&p.namespace, &p.selector) {
                let pods = pods_of(index, w);
                autoscaled |= pods.autoscaled;
                expected = expected.zip(pods.count).map(|(a, b)| a + b);
                if pods.count != Some(0) {
                    names.push(format!("`{}`", w.display()));
                }
            }
            if autoscaled && hpa_rule_runs {
                continue;
            }
            let expected = expected.filter(|e| *e > 0).and_then(|e| i32::try_from(e).ok());
            let message = match expected {
                Some(e) if p.blocks_at(e) => {
                    let desired = p.desired_healthy(e).unwrap_or_default();
                    format!(
                        "PodDisruptionBudget `{}` allows no voluntary disruption for {} ({e} pod{}, {desired} must stay available: {}); node drains will hang",
                        p.name,
                        first_few(&names),
                        if e == 1 { "" } else { "s" },
                        p.describe()
                    )
                }
                _ if p.blocks_always() => format!(
                    "PodDisruptionBudget `{}` allows no voluntary disruption ({}){}; node drains will hang",
                    p.name,
                    p.describe(),
                    if names.is_empty() {
                        String::new()
                    } else {
                        format!(" for {}", first_few(&names))
                    }
                ),
                _ => continue,
            };
            out.emit_for(&p.obj, p.loc, message).label("no pod may ever be evicted");
        }
    }
}
