//! `canary-no-metrics-or-gates`: an analysis without metrics and without a gating webhook
//! (`pre-rollout`, `rollout`, `confirm-*`): releases are promoted on pod readiness alone.

use super::{analysis, canary, is_gate};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(NoMetricsOrGates, "canary-no-metrics-or-gates");

impl Rule for NoMetricsOrGates {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        if c.spec.skip_analysis == Some(true) {
            return;
        }
        let Some((a, route)) = analysis(c) else { return };
        let metrics = a.metrics.as_ref().is_some_and(|m| !m.is_empty());
        let gates = a.webhooks.iter().flatten().any(|w| is_gate(w.kind()));
        if metrics || gates {
            return;
        }
        out.emit(
            cx.at(&route),
            format!(
                "Canary `{name}` has no metric checks or gating webhooks; releases are promoted on pod readiness only"
            ),
        )
        .label("nothing can fail this analysis");
    }
}
