//! `workload-job-ttl`: a standalone Job (not one a CronJob creates) without
//! `ttlSecondsAfterFinished`: finished Jobs and their pods accumulate. Jobs that Helm or Argo
//! CD run as hooks are skipped (the tool deletes them).

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::Typed;
use crate::source::Route;

declare_rule!(JobTtl, "workload-job-ttl");

/// Annotations that make a Job a hook, deleted by the tool that runs it.
const HOOKS: &[&str] = &["helm.sh/hook", "argocd.argoproj.io/hook"];

impl Rule for JobTtl {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::Job(job) = &cx.obj.typed else { return };
        let spec_route = Route::root().key("spec");
        if !cx.exists(&spec_route)
            || job
                .spec
                .as_ref()
                .is_some_and(|s| s.ttl_seconds_after_finished.is_some())
            || cx
                .obj
                .annotations()
                .is_some_and(|a| HOOKS.iter().any(|h| a.contains_key(*h)))
            || job
                .metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == "CronJob")
        {
            return;
        }
        out.emit(
            cx.at(&spec_route.key("ttlSecondsAfterFinished")),
            format!(
                "Job `{}` has no ttlSecondsAfterFinished: once finished, it and its pods stay until deleted by hand",
                name(cx)
            ),
        );
    }
}
