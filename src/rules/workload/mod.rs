//! Workload reliability and hygiene (workload-checks §1): disruption budgets, replicas and
//! their placement, rollout strategies, selectors, Jobs and CronJobs.

use crate::engine::ObjectCx;
use crate::source::Route;
use k8s_openapi::api::batch::v1::JobSpec;

pub mod cronjob_concurrency;
pub mod cronjob_deadline;
pub mod cronjob_schedule_invalid;
pub mod job_restart_policy;
pub mod job_ttl;
pub mod job_unbounded;
pub mod pdb_blocks_eviction;
pub mod pdb_budget_invalid;
pub mod pdb_missing;
pub mod pdb_selector;
pub mod pdb_unhealthy_eviction_policy;
pub mod recreate_strategy;
pub mod replicas_not_spread;
pub mod rollout_all_unavailable;
pub mod rollout_strategy_invalid;
pub mod selector_mismatch;
pub mod single_replica;

/// The object's name, for messages.
pub fn name<'a>(cx: &ObjectCx<'a>) -> &'a str {
    cx.obj.name().unwrap_or("<unnamed>")
}

/// The spec of a Job, or of a CronJob's `jobTemplate`, with the route to it. A spec absent
/// from the source is none.
pub fn job_spec<'a>(cx: &ObjectCx<'a>) -> Option<(&'a JobSpec, Route)> {
    use crate::model::Typed;
    let (spec, route) = match &cx.obj.typed {
        Typed::Job(j) => (j.spec.as_ref()?, Route::root().key("spec")),
        Typed::CronJob(c) => (
            c.spec.job_template.spec.as_ref()?,
            Route::root().keys(&["spec", "jobTemplate", "spec"]),
        ),
        _ => return None,
    };
    cx.exists(&route).then_some((spec, route))
}
