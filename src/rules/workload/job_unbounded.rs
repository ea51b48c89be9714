//! `workload-job-unbounded` (off by default): a Job, or a CronJob's `jobTemplate`, without
//! `activeDeadlineSeconds`. `backoffLimit` (default 6) counts only failures, so a pod that
//! hangs runs forever.

use super::{job_spec, name};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(JobUnbounded, "workload-job-unbounded");

impl Rule for JobUnbounded {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((spec, route)) = job_spec(cx) else { return };
        if spec.active_deadline_seconds.is_some() {
            return;
        }
        out.emit(
            cx.at(&route.key("activeDeadlineSeconds")),
            format!(
                "{} `{}` sets no activeDeadlineSeconds: backoffLimit counts only failures, so a pod that hangs runs forever",
                cx.obj.kind,
                name(cx)
            ),
        );
    }
}
