//! `canary-no-load-test`: request metrics (`request-success-rate`, `request-duration`)
//! without a `rollout` or `pre-rollout` webhook generating traffic: a quiet service yields
//! no samples and the analysis cannot judge.

use super::{analysis, canary, is_request_metric};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(NoLoadTest, "canary-no-load-test");

impl Rule for NoLoadTest {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let Some((a, route)) = analysis(c) else { return };
        let Some(i) = a.metrics.iter().flatten().position(|m| is_request_metric(&m.name)) else {
            return;
        };
        if a.webhooks
            .iter()
            .flatten()
            .any(|w| matches!(w.kind(), "rollout" | "pre-rollout"))
        {
            return;
        }
        out.emit(
            cx.at(&route.key("metrics").index(i)),
            format!("Canary `{name}` checks request metrics without a load-test webhook; without traffic there are no samples"),
        )
        .label("request metric without load");
    }
}
