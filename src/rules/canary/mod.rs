//! Flagger canary releases: whether their analysis can catch a bad release, and how they
//! meet their target, autoscaler and templates (rule-families §5.1).

use crate::engine::ObjectCx;
use crate::model::Typed;
use crate::model::crd::{Analysis, Canary};
use crate::source::Route;

pub mod analysis_skipped;
pub mod autoscaler_mismatch;
pub mod coarse_steps;
pub mod failure_threshold_high;
pub mod gitops_replicas_conflict;
pub mod invalid_weights;
pub mod metric_no_threshold;
pub mod metric_template_missing;
pub mod no_load_test;
pub mod no_metrics_or_gates;
pub mod target_not_found;
pub mod weak_threshold;

/// The Canary being checked, its name, and its analysis with the route to it.
pub fn canary<'a>(cx: &ObjectCx<'a>) -> Option<(&'a Canary, &'a str)> {
    match &cx.obj.typed {
        Typed::Canary(c) => Some((c, cx.obj.name().unwrap_or("<unnamed>"))),
        _ => None,
    }
}

pub fn analysis(c: &Canary) -> Option<(&Analysis, Route)> {
    c.spec
        .analysis()
        .map(|(a, key)| (a, Route::root().keys(&["spec"]).key(key)))
}

/// Webhook types that can hold a release back.
pub fn is_gate(kind: &str) -> bool {
    matches!(
        kind,
        "pre-rollout" | "rollout" | "confirm-rollout" | "confirm-traffic-increase" | "confirm-promotion"
    )
}

/// Flagger's built-in request metrics.
pub fn is_request_metric(name: &str) -> bool {
    name == "request-success-rate" || name == "request-duration"
}
