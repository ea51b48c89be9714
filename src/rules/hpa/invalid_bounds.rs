//! `hpa-invalid-bounds`: `minReplicas` below 1 (0 needs the alpha `HPAScaleToZero` gate and
//! an Object or External metric), `maxReplicas` missing or below 1, or below `minReplicas`.
//! The API server rejects each.

use super::{hpa, spec};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(InvalidBounds, "hpa-invalid-bounds");

impl Rule for InvalidBounds {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        let max_route = spec(&["maxReplicas"]);
        if let Some(min) = h.min_replicas.filter(|m| *m < 1) {
            let scale_to_zero = min == 0 && h.metrics().iter().any(|m| m.type_ == "Object" || m.type_ == "External");
            if !scale_to_zero {
                out.emit(
                    cx.at(&spec(&["minReplicas"])),
                    format!("HPA `{name}`: minReplicas is {min}; it must be at least 1 (0 only with the HPAScaleToZero feature gate and an Object or External metric)"),
                )
                .label("invalid minReplicas");
            }
        }
        if !cx.exists(&max_route) {
            out.emit(cx.at(&max_route), format!("HPA `{name}`: maxReplicas is required"))
                .label("maxReplicas is missing");
        } else if h.max_replicas < 1 {
            out.emit(
                cx.at(&max_route),
                format!("HPA `{name}`: maxReplicas is {}; it must be at least 1", h.max_replicas),
            )
            .label("invalid maxReplicas");
        } else if h.max_replicas < h.min() {
            out.emit(
                cx.at(&max_route),
                format!(
                    "HPA `{name}`: maxReplicas ({}) is below minReplicas ({})",
                    h.max_replicas,
                    h.min()
                ),
            )
            .label("must be greater than or equal to minReplicas");
        }
    }
}
