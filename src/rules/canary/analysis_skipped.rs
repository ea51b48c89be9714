//! `canary-analysis-skipped`: `skipAnalysis: true`, or no analysis at all: Flagger promotes
//! every release without checking it.

use super::canary;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;

declare_rule!(AnalysisSkipped, "canary-analysis-skipped");

impl Rule for AnalysisSkipped {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let (route, label) = if c.spec.skip_analysis == Some(true) {
            (Route::root().keys(&["spec", "skipAnalysis"]), "analysis skipped")
        } else if c.spec.analysis().is_none() {
            (Route::root().keys(&["spec", "analysis"]), "no analysis")
        } else {
            return;
        };
        out.emit(cx.at(&route), format!("Canary `{name}` promotes without analysis"))
            .label(label);
    }
}
