//! `canary-metric-no-threshold`: a metric without `thresholdRange` (and without the legacy
//! `threshold`) can never fail.

use super::{analysis, canary};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(MetricNoThreshold, "canary-metric-no-threshold");

impl Rule for MetricNoThreshold {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let Some((a, route)) = analysis(c) else { return };
        for (i, m) in a.metrics.iter().flatten().enumerate() {
            let range = m
                .threshold_range
                .as_ref()
                .is_some_and(|r| r.min.is_some() || r.max.is_some());
            if range || m.threshold.is_some() {
                continue;
            }
            out.emit(
                cx.at(&route.key("metrics").index(i)),
                format!(
                    "metric `{}` of Canary `{name}` has no thresholdRange and can never fail",
                    m.name
                ),
            )
            .label("no thresholdRange");
        }
    }
}
