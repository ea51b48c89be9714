//! `workload-job-restart-policy`: a Job's (or a CronJob's) pod template whose
//! `restartPolicy` is absent (the API defaults it to `Always`) or anything but `OnFailure`
//! or `Never`, which is all the API accepts for Jobs; with a `podFailurePolicy`, only
//! `Never`.

use super::{job_spec, name};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(JobRestartPolicy, "workload-job-restart-policy");

impl Rule for JobRestartPolicy {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let (Some((spec, _)), Some(w)) = (job_spec(cx), cx.workload()) else {
            return;
        };
        let policy = w.spec.restart_policy.as_deref();
        let (kind, name) = (&cx.obj.kind, name(cx));
        let (message, label) = match policy {
            None => (
                format!(
                    "The pod template of {kind} `{name}` has no restartPolicy; it defaults to Always, which the API server rejects for Jobs"
                ),
                "set restartPolicy: Never (or OnFailure)",
            ),
            Some("OnFailure") if spec.pod_failure_policy.is_some() => (
                format!(
                    "{kind} `{name}` has a podFailurePolicy, which requires restartPolicy: Never; the API server rejects OnFailure"
                ),
                "set restartPolicy: Never",
            ),
            Some("OnFailure" | "Never") => return,
            Some(other) => (
                format!(
                    "The pod template of {kind} `{name}` sets restartPolicy: {other}; the API server accepts only OnFailure or Never for Jobs"
                ),
                "set restartPolicy: Never (or OnFailure)",
            ),
        };
        out.emit(cx.at(&w.spec_route().key("restartPolicy")), message)
            .label(label);
    }
}
