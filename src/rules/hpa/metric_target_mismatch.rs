//! `hpa-metric-target-mismatch`: a metric whose source or target does not hold together: an
//! unknown source type or a missing source block, an unknown `target.type`, a type whose
//! field is not set (`Utilization` with only `averageValue`), `Utilization` on a Pods,
//! Object or External metric, both `value` and `averageValue`, a ContainerResource without
//! `container`. The controller switches on `target.type`, so a mismatch computes the wrong
//! thing or fails at runtime.

use super::{hpa, spec};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use k8s_openapi::api::autoscaling::v2::MetricTarget;

declare_rule!(MetricTargetMismatch, "hpa-metric-target-mismatch");

/// (field key of the source block, whether Utilization makes sense, fields the API needs).
fn source_info(kind: &str) -> Option<(&'static str, bool)> {
    Some(match kind {
        "Resource" => ("resource", true),
        "ContainerResource" => ("containerResource", true),
        "Pods" => ("pods", false),
        "Object" => ("object", false),
        "External" => ("external", false),
        _ => return None,
    })
}

fn target_problem(kind: &str, t: &MetricTarget, utilization_ok: bool) -> Option<(&'static str, String)> {
    let (util, avg, val) = (
        t.average_utilization.is_some(),
        t.average_value.is_some(),
        t.value.is_some(),
    );
    match t.type_.as_str() {
        "Utilization" if !utilization_ok => {
            Some(("type", format!("{kind} metrics cannot use target.type Utilization")))
        }
        "Utilization" if !util => Some((
            "type",
            "target.type is Utilization but averageUtilization is not set".to_string(),
        )),
        "AverageValue" if !avg => Some((
            "type",
            "target.type is AverageValue but averageValue is not set".to_string(),
        )),
        "Value" if !val => Some(("type", "target.type is Value but value is not set".to_string())),
        "Value" if kind == "Resource" || kind == "ContainerResource" || kind == "Pods" => {
            Some(("type", format!("{kind} metrics cannot use target.type Value")))
        }
        "Utilization" | "AverageValue" | "Value" => {
            if (kind == "Resource" || kind == "ContainerResource") && util && avg {
                Some((
                    "averageValue",
                    "set exactly one of averageUtilization and averageValue".to_string(),
                ))
            } else if kind == "External" && val && avg {
                Some(("averageValue", "set exactly one of value and averageValue".to_string()))
            } else {
                None
            }
        }
        other => Some((
            "type",
            format!("target.type `{other}` is not Utilization, Value or AverageValue"),
        )),
    }
}

impl Rule for MetricTargetMismatch {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        for (i, m) in h.metrics().iter().enumerate() {
            let base = spec(&["metrics"]).index(i);
            let Some((key, utilization_ok)) = source_info(&m.type_) else {
                out.emit(
                    cx.at(&base.key("type")),
                    format!("HPA `{name}` metrics[{i}]: `{}` is not a metric source (Resource, ContainerResource, Pods, Object, External)", m.type_),
                )
                .label("unknown metric source");
                continue;
            };
            let target = match m.type_.as_str() {
                "Resource" => m.resource.as_ref().map(|s| &s.target),
                "ContainerResource" => m.container_resource.as_ref().map(|s| &s.target),
                "Pods" => m.pods.as_ref().map(|s| &s.target),
                "Object" => m.object.as_ref().map(|s| &s.target),
                _ => m.external.as_ref().map(|s| &s.target),
            };
            let Some(target) = target else {
                out.emit(
                    cx.at(&base.key(key)),
                    format!("HPA `{name}` metrics[{i}]: type is {} but `{key}` is not set", m.type_),
                )
                .label("missing metric source");
                continue;
            };
            if let Some(c) = &m.container_resource
                && c.container.is_empty()
            {
                out.emit(
                    cx.at(&base.keys(&[key, "container"])),
                    format!("HPA `{name}` metrics[{i}]: a ContainerResource metric needs `container`"),
                )
                .label("container is not set");
            }
            if let Some((field, detail)) = target_problem(&m.type_, target, utilization_ok) {
                out.emit(
                    cx.at(&base.keys(&[key, "target", field])),
                    format!("HPA `{name}` metrics[{i}] ({}): {detail}", m.type_),
                )
                .label("type and value disagree");
            }
        }
    }
}
