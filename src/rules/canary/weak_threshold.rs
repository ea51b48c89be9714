//! `canary-weak-threshold`: a built-in metric whose threshold lets a bad release through:
//! `request-success-rate` with `min` below a floor (option `min_success_rate`, default 90)
//! or only a `max`; `request-duration` with `max` above a ceiling (option
//! `max_duration_ms`, default 5000) or only a `min`.

use super::{analysis, canary};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub min_success_rate: f64,
    pub max_duration_ms: f64,
}

pub struct WeakThreshold(Options);

impl RuleDef for WeakThreshold {
    const ID: &'static str = "canary-weak-threshold";
    type Options = Options;
    fn new(options: Options) -> Self {
        WeakThreshold(options)
    }
}

impl Rule for WeakThreshold {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((c, name)) = canary(cx) else { return };
        let Some((a, route)) = analysis(c) else { return };
        for (i, m) in a.metrics.iter().flatten().enumerate() {
            let Some(r) = &m.threshold_range else { continue };
            let problem = match m.name.as_str() {
                "request-success-rate" => match r.min {
                    Some(min) if min < self.0.min_success_rate => Some((
                        "min",
                        format!("min {min}% lets through error rates above {}%", 100.0 - min),
                    )),
                    None if r.max.is_some() => {
                        Some(("max", "only `max` is set; a success rate needs a `min`".to_string()))
                    }
                    _ => None,
                },
                "request-duration" => match r.max {
                    Some(max) if max > self.0.max_duration_ms => {
                        Some(("max", format!("max {max} ms tolerates very slow responses")))
                    }
                    None if r.min.is_some() => Some(("min", "only `min` is set; a duration needs a `max`".to_string())),
                    _ => None,
                },
                _ => None,
            };
            let Some((field, detail)) = problem else { continue };
            out.emit(
                cx.at(&route.key("metrics").index(i).keys(&["thresholdRange", field])),
                format!(
                    "metric `{}` of Canary `{name}`: the threshold is too permissive: {detail}",
                    m.name
                ),
            )
            .label("too permissive");
        }
    }
}
