//! `canary-failure-threshold-high`: a failing canary keeps serving traffic until
//! `threshold` checks have failed: above a count (option `max_threshold`, default 10) or a
//! time (`interval × threshold` above option `max_rollback_seconds`, default 1800), the
//! rollback comes too late.

use super::{analysis, canary};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use crate::model::crd::go_duration_seconds;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub max_threshold: i64,
    pub max_rollback_seconds: f64,
}

pub struct FailureThresholdHigh(Options);

impl RuleDef for FailureThresholdHigh {
    const ID: &'static str = "canary-failure-threshold-high";
    type Options = Options;
    fn new(options: Options) -> Self {
        FailureThresholdHigh(options)
    }
}

/// `1h 30m`, `45s`.
pub fn human(seconds: f64) -> String {
    let s = seconds.round() as i64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

impl Rule for FailureThresholdHigh {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let Some((a, route)) = analysis(c) else { return };
        // Flagger: threshold <= 0 means 1; interval defaults to 1m, minimum 10s.
        let threshold = a.threshold.unwrap_or(1).max(1);
        let interval = a
            .interval
            .as_deref()
            .and_then(go_duration_seconds)
            .unwrap_or(60.0)
            .max(10.0);
        let delay = interval * threshold as f64;
        if threshold <= self.0.max_threshold && delay <= self.0.max_rollback_seconds {
            return;
        }
        out.emit(
            cx.at(&route.key("threshold")),
            format!(
                "a failing release of Canary `{name}` keeps serving traffic for up to {} before rollback ({threshold} failed checks every {})",
                human(delay),
                human(interval)
            ),
        )
        .label("rollback comes late");
    }
}
