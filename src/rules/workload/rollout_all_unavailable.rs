//! `workload-rollout-all-unavailable`: a rolling update that may take every pod down at
//! once. With a replica floor of 2 or more, `maxUnavailable` resolved against it reaches the
//! floor: a Deployment's or a Rollout canary's (a percentage rounds down), a StatefulSet's
//! `rollingUpdate.maxUnavailable` (MaxUnavailableStatefulSet; rounds up). A DaemonSet with
//! `maxUnavailable: 100%` (its pod count is the node count, unknown here). DeploymentConfigs
//! are skipped (their replica semantics are unverified).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::intstr::Amount;

declare_rule!(RolloutAllUnavailable, "workload-rollout-all-unavailable");

impl Rule for RolloutAllUnavailable {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.replicated() {
            let Some((max, loc)) = r.controller.max_unavailable else {
                continue;
            };
            let n = r.floor();
            // Deployments and Argo Rollouts round maxUnavailable down, StatefulSets up.
            let down = max.of(n, r.kind() == "StatefulSet");
            if n < 2 || down < i64::from(n) {
                continue;
            }
            let floor = r
                .hpa
                .map(|h| format!(" (HPA `{}` minReplicas)", h.name))
                .unwrap_or_default();
            out.emit_for(
                r.obj,
                loc,
                format!(
                    "`{}` allows {max} unavailable pods during a rollout: all {n}{floor} may be down at once",
                    r.name()
                ),
            )
            .label(format!("{down} of {n} pods may be unavailable"));
        }
        for w in index.workloads.iter().filter(|w| &*w.obj.kind == "DaemonSet") {
            let Some((max @ Amount::Percent(100), loc)) = w.controller.max_unavailable else {
                continue;
            };
            out.emit_for(
                &w.obj,
                loc,
                format!(
                    "`{}` allows {max} unavailable pods during a rollout: all its pods (one per node) may be down at once",
                    w.obj.name.as_deref().unwrap_or("<unnamed>")
                ),
            )
            .label("every node's pod may be replaced at once");
        }
    }
}
