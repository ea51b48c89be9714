//! `hpa-target-not-scalable`: the HPA targets a kind without a scale subresource
//! (DaemonSet, Job, CronJob, Pod): it cannot scale it.

use super::{hpa, spec};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(TargetNotScalable, "hpa-target-not-scalable");

impl Rule for TargetNotScalable {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        if matches!(&*h.target.kind, "DaemonSet" | "Job" | "CronJob" | "Pod") {
            out.emit(
                cx.at(&spec(&["scaleTargetRef", "kind"])),
                format!(
                    "HPA `{name}` targets {}: a {} has no scale subresource, so the HPA cannot scale it",
                    h.target.display(),
                    h.target.kind
                ),
            )
            .label("not scalable");
        }
    }
}
