//! HorizontalPodAutoscalers: bounds, behavior, metrics, and their targets across the set
//! (rule-families §2).

use crate::engine::ObjectCx;
use crate::model::scaling::HpaView;
use crate::source::Route;

pub mod behavior_absent;
pub mod cpu_only;
pub mod deprecated_api_version;
pub mod duplicate_target;
pub mod invalid_behavior;
pub mod invalid_bounds;
pub mod metric_target_mismatch;
pub mod min_equals_max;
pub mod min_replicas_low;
pub mod missing_resource_requests;
pub mod pdb_blocks_eviction;
pub mod scaledown_no_stabilization;
pub mod scaleup_extreme;
pub mod scaling_disabled;
pub mod target_not_found;
pub mod target_not_scalable;
pub mod target_replicas_conflict;

/// The HPA being checked, with its name for messages.
pub fn hpa<'a>(cx: &ObjectCx<'a>) -> Option<(HpaView<'a>, &'a str)> {
    Some((HpaView::of(cx.obj)?, cx.obj.name().unwrap_or("<unnamed>")))
}

/// `spec.<keys...>`.
pub fn spec(keys: &[&'static str]) -> Route {
    Route::root().key("spec").keys(keys)
}

/// `spec.behavior.scaleUp` or `scaleDown`.
pub fn rules_route(up: bool) -> Route {
    spec(&["behavior", if up { "scaleUp" } else { "scaleDown" }])
}
