//! `hpa-cpu-only`: every metric is CPU (or there are none, which defaults to CPU): CPU lags
//! behind load; request rate or queue depth scales earlier.

use super::{hpa, spec};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(CpuOnly, "hpa-cpu-only");

impl Rule for CpuOnly {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        let cpu = |m: &k8s_openapi::api::autoscaling::v2::MetricSpec| {
            m.resource.as_ref().is_some_and(|r| r.name == "cpu")
                || m.container_resource.as_ref().is_some_and(|r| r.name == "cpu")
        };
        if !h.metrics().iter().all(cpu) {
            return;
        }
        let route = if h.v2.is_none() {
            spec(&["targetCPUUtilizationPercentage"])
        } else {
            spec(&["metrics"])
        };
        out.emit(
            cx.at(&route),
            format!("HPA `{name}` scales on CPU only; consider request-rate or queue-depth metrics (Pods, Object or External, through a metrics adapter such as Prometheus Adapter)"),
        )
        .label("CPU only");
    }
}
