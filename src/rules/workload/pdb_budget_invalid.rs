//! `workload-pdb-budget-invalid`: a PodDisruptionBudget whose budget the API server rejects
//! (both `minAvailable` and `maxUnavailable`, a negative value, a percentage above 100 %, a
//! string that is not `N%`), or one with neither field, which limits nothing (a warning).

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use crate::model::Typed;
use crate::model::intstr::Amount;
use crate::source::Route;

declare_rule!(PdbBudgetInvalid, "workload-pdb-budget-invalid");

impl Rule for PdbBudgetInvalid {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::PodDisruptionBudget(p) = &cx.obj.typed else {
            return;
        };
        let spec = p.spec.as_ref();
        let min = spec.and_then(|s| s.min_available.as_ref());
        let max = spec.and_then(|s| s.max_unavailable.as_ref());
        let name = name(cx);
        let route = |field: &'static str| Route::root().keys(&["spec", field]);
        match (min, max) {
            (Some(_), Some(_)) => {
                out.emit(
                    cx.at(&route("maxUnavailable")),
                    format!("PodDisruptionBudget `{name}` sets both minAvailable and maxUnavailable; the API server rejects it"),
                )
                .label("set only one of minAvailable and maxUnavailable")
                .related(cx.at(&route("minAvailable")).loc, "minAvailable is set too");
            }
            (None, None) => {
                out.emit(
                    cx.at(&route("maxUnavailable")),
                    format!(
                        "PodDisruptionBudget `{name}` sets neither minAvailable nor maxUnavailable and limits nothing"
                    ),
                )
                .label("no budget: every pod may be evicted at once")
                .at_most(Severity::Warning);
            }
            _ => {}
        }
        for (field, value) in [("minAvailable", min), ("maxUnavailable", max)] {
            let Some(value) = value else { continue };
            let reason = match Amount::parse(value) {
                Err(reason) => reason,
                Ok(a) if a.above_100_percent() => format!("{a} is above 100%"),
                Ok(_) => continue,
            };
            out.emit(
                cx.at(&route(field)),
                format!("PodDisruptionBudget `{name}`: {field} {reason}; the API server rejects it"),
            )
            .label("a non-negative integer or a percentage up to 100%");
        }
    }
}
