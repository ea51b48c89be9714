//! `workload-pdb-unhealthy-eviction-policy`: a `policy/v1` PodDisruptionBudget without
//! `unhealthyPodEvictionPolicy`. The default, `IfHealthyBudget`, keeps running but not ready
//! pods from being evicted while the budget is exhausted, so one crash-looping pod can block
//! a node drain. An explicit `IfHealthyBudget` is a decision and is not reported.

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::Typed;
use crate::source::Route;

declare_rule!(PdbUnhealthyEvictionPolicy, "workload-pdb-unhealthy-eviction-policy");

impl Rule for PdbUnhealthyEvictionPolicy {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::PodDisruptionBudget(p) = &cx.obj.typed else {
            return;
        };
        if cx.obj.api_version != "policy/v1"
            || p.spec
                .as_ref()
                .is_some_and(|s| s.unhealthy_pod_eviction_policy.is_some())
        {
            return;
        }
        out.emit(
            cx.at(&Route::root().keys(&["spec", "unhealthyPodEvictionPolicy"])),
            format!(
                "PodDisruptionBudget `{}` keeps the default unhealthyPodEvictionPolicy (IfHealthyBudget): a pod that runs but is not ready cannot be evicted while the budget is exhausted, so one crash-looping pod can block a node drain",
                name(cx)
            ),
        );
    }
}
