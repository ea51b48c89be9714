//! `canary-coarse-steps`: a progressive canary that reaches its maximum weight in too few
//! steps (option `min_steps`, default 3) or too large ones (option `max_step_weight`,
//! default 50; a first `stepWeights` entry at or above it; `maxWeight: 100` in fewer than 5
//! steps): little signal before most traffic is exposed. A/B (`match`) and blue/green
//! (`iterations`) analyses are not weighted and are skipped.

use super::{analysis, canary};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub min_steps: f64,
    pub max_step_weight: f64,
}

pub struct CoarseSteps(Options);

impl RuleDef for CoarseSteps {
    const ID: &'static str = "canary-coarse-steps";
    type Options = Options;
    fn new(options: Options) -> Self {
        CoarseSteps(options)
    }
}

impl Rule for CoarseSteps {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let Some((a, route)) = analysis(c) else { return };
        if a.match_.is_some() || a.iterations.is_some() {
            return;
        }
        let (steps, first, max, field) = match (&a.step_weights, a.step_weight) {
            (Some(w), _) if !w.is_empty() => (
                w.len() as f64,
                w[0],
                w.iter().copied().fold(0.0, f64::max),
                "stepWeights",
            ),
            (_, Some(step)) if step > 0.0 => {
                let max = a.max_weight.unwrap_or(50.0);
                ((max / step).floor(), step, max, "stepWeight")
            }
            _ => return,
        };
        let coarse = steps < self.0.min_steps || first >= self.0.max_step_weight || (max >= 100.0 && steps < 5.0);
        if !coarse {
            return;
        }
        out.emit(
            cx.at(&route.key(field)),
            format!(
                "Canary `{name}` shifts traffic to {max}% in {steps} step{} of {first}% first; little signal before full exposure",
                if steps == 1.0 { "" } else { "s" }
            ),
        )
        .label("coarse steps");
    }
}
