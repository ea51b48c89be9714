//! `hpa-min-equals-max`: `minReplicas == maxReplicas`: the HPA can never scale.

use super::{hpa, spec};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(MinEqualsMax, "hpa-min-equals-max");

impl Rule for MinEqualsMax {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        if cx.exists(&spec(&["maxReplicas"])) && h.max_replicas == h.min() {
            out.emit(
                cx.at(&spec(&["maxReplicas"])),
                format!(
                    "HPA `{name}`: minReplicas equals maxReplicas ({}); the HPA can never scale",
                    h.max_replicas
                ),
            )
            .label("equals minReplicas");
        }
    }
}
