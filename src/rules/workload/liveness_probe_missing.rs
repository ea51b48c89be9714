//! `workload-liveness-probe-missing` (off by default): a main container of a workload that
//! does not run to completion (not a Job or CronJob) without a `livenessProbe`.

use super::{Set, runs_to_completion, subject};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(LivenessProbeMissing, "workload-liveness-probe-missing");

impl Rule for LivenessProbeMissing {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if runs_to_completion(&cx.obj.kind) {
            return;
        }
        let Some(w) = cx.workload() else { return };
        for c in w.containers().filter(|c| Set::of(c) == Set::Main) {
            if c.container.liveness_probe.is_some() {
                continue;
            }
            out.emit(
                cx.at(&c.route.key("livenessProbe")),
                format!("Container `{}` of {} has no livenessProbe", c.name(), subject(cx)),
            );
        }
    }
}
