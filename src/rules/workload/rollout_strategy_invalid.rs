//! `workload-rollout-strategy-invalid`: rollout strategies the API server rejects. A
//! Deployment's `rollingUpdate` with `type: Recreate`, a `maxSurge` and `maxUnavailable`
//! that are both 0 (defaults 25 %), a `maxUnavailable` above 100 %; a DaemonSet whose
//! `maxSurge` and `maxUnavailable` (defaults 0 and 1) are both 0 or both non-zero, or above
//! 100 %; and for both, a negative value or a string that is not `N%`.

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::Typed;
use crate::model::intstr::Amount;
use crate::source::Route;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

declare_rule!(RolloutStrategyInvalid, "workload-rollout-strategy-invalid");

/// `maxUnavailable` and `maxSurge` of a rolling update, with the route to them.
struct Rolling<'a> {
    route: Route,
    max_unavailable: Option<&'a IntOrString>,
    max_surge: Option<&'a IntOrString>,
    /// Defaults of (maxUnavailable, maxSurge).
    defaults: (Amount, Amount),
    /// A DaemonSet: exactly one of the two may be non-zero, and neither above 100 %.
    daemon_set: bool,
}

impl Rule for RolloutStrategyInvalid {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let rolling = match &cx.obj.typed {
            Typed::Deployment(d) => {
                let Some(s) = d.spec.strategy.as_ref() else { return };
                let route = Route::root().keys(&["spec", "strategy", "rollingUpdate"]);
                let Some(r) = s.rolling_update.as_ref() else { return };
                match s.type_.as_deref() {
                    Some("Recreate") => {
                        out.emit(
                            cx.at(&route),
                            format!(
                                "Deployment `{}` sets rollingUpdate with strategy type Recreate; the API server rejects it",
                                name(cx)
                            ),
                        )
                        .label("remove it, or use type RollingUpdate")
                        .related(cx.at(&Route::root().keys(&["spec", "strategy", "type"])).loc, "Recreate is chosen here");
                        return;
                    }
                    None | Some("RollingUpdate") => {}
                    Some(_) => return,
                }
                Rolling {
                    route,
                    max_unavailable: r.max_unavailable.as_ref(),
                    max_surge: r.max_surge.as_ref(),
                    defaults: (Amount::Percent(25), Amount::Percent(25)),
                    daemon_set: false,
                }
            }
            Typed::DaemonSet(d) => {
                let Some(s) = d.spec.update_strategy.as_ref() else {
                    return;
                };
                let Some(r) = s.rolling_update.as_ref() else { return };
                if s.type_.as_deref().is_some_and(|t| t != "RollingUpdate") {
                    return;
                }
                Rolling {
                    route: Route::root().keys(&["spec", "updateStrategy", "rollingUpdate"]),
                    max_unavailable: r.max_unavailable.as_ref(),
                    max_surge: r.max_surge.as_ref(),
                    defaults: (Amount::Pods(1), Amount::Pods(0)),
                    daemon_set: true,
                }
            }
            _ => return,
        };
        let kind = &cx.obj.kind;
        let name = name(cx);
        // Each field as the API reads it: its value (default when absent), or `None` once
        // reported as malformed.
        let mut read = |field: &'static str, value: Option<&IntOrString>, default: Amount| {
            let Some(v) = value else { return Some(default) };
            let reason = match Amount::parse(v) {
                Err(reason) => reason,
                Ok(a) if a.above_100_percent() && (field == "maxUnavailable" || rolling.daemon_set) => {
                    format!("{a} is above 100%")
                }
                Ok(a) => return Some(a),
            };
            out.emit(
                cx.at(&rolling.route.key(field)),
                format!("{kind} `{name}`: {field} {reason}; the API server rejects it"),
            )
            .label("a non-negative integer or a percentage up to 100%");
            None
        };
        let unavailable = read("maxUnavailable", rolling.max_unavailable, rolling.defaults.0);
        let surge = read("maxSurge", rolling.max_surge, rolling.defaults.1);
        let (Some(unavailable), Some(surge)) = (unavailable, surge) else {
            return;
        };
        let (field, message, label) = match (unavailable.is_zero(), surge.is_zero()) {
            (true, true) => (
                "maxUnavailable",
                format!(
                    "{kind} `{name}`: maxUnavailable and maxSurge are both 0, so a rollout could never replace a pod; the API server rejects it"
                ),
                "may not be 0 when maxSurge is 0",
            ),
            (false, false) if rolling.daemon_set => (
                "maxSurge",
                format!(
                    "{kind} `{name}`: maxSurge ({surge}) and maxUnavailable ({unavailable}{}) are both non-zero; the API server rejects it",
                    if rolling.max_unavailable.is_none() {
                        ", the default"
                    } else {
                        ""
                    }
                ),
                "a DaemonSet surges or takes pods down, not both: set maxUnavailable: 0",
            ),
            _ => return,
        };
        out.emit(cx.at(&rolling.route.key(field)), message).label(label);
    }
}
