//! `canary-invalid-weights`: weights Flagger cannot use: `stepWeight` above `maxWeight`,
//! `maxWeight` above 100, or both `stepWeight` and `stepWeights`.

use super::{analysis, canary};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(InvalidWeights, "canary-invalid-weights");

impl Rule for InvalidWeights {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let Some((a, route)) = analysis(c) else { return };
        let mut problems = Vec::new();
        if let Some(max) = a.max_weight.filter(|m| *m > 100.0) {
            problems.push(("maxWeight", format!("maxWeight {max} is above 100")));
        }
        if let (Some(step), Some(max)) = (a.step_weight, a.max_weight)
            && step > max
        {
            problems.push(("stepWeight", format!("stepWeight {step} is above maxWeight {max}")));
        }
        if a.step_weight.is_some() && a.step_weights.is_some() {
            problems.push((
                "stepWeights",
                "stepWeight and stepWeights cannot be combined".to_string(),
            ));
        }
        for (field, detail) in problems {
            out.emit(
                cx.at(&route.key(field)),
                format!("Canary `{name}` has an invalid weight configuration: {detail}"),
            )
            .label("invalid");
        }
    }
}
