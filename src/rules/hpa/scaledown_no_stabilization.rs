//! `hpa-scaledown-no-stabilization`: a scale-down stabilization window shorter than a
//! minimum (option `min_window_seconds`, default 60; the default window is 300 s) with
//! policies that may remove half the replicas or more within a minute: replicas flap when
//! metrics oscillate.

use super::{hpa, rules_route};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use crate::model::scaling::{effective_rules, max_down_fraction};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub min_window_seconds: i32,
}

pub struct ScaledownNoStabilization(Options);

impl RuleDef for ScaledownNoStabilization {
    const ID: &'static str = "hpa-scaledown-no-stabilization";
    type Options = Options;
    fn new(options: Options) -> Self {
        ScaledownNoStabilization(options)
    }
}

impl Rule for ScaledownNoStabilization {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        let rules = effective_rules(h.behavior(), false);
        let window = rules.window_seconds();
        if rules.window.is_none() || window >= self.0.min_window_seconds || rules.select == "Disabled" {
            return;
        }
        let fast = rules.policies.iter().any(|p| p.period <= 60) && max_down_fraction(&rules, h.min().max(2)) >= 0.5;
        if !fast {
            return;
        }
        out.emit(
            cx.at(&rules_route(false).key("stabilizationWindowSeconds")),
            format!(
                "HPA `{name}`: the scaleDown stabilization window is {window}s; replicas will flap when metrics oscillate (the default is 300s)"
            ),
        )
        .label(if window == 0 { "no stabilization at all" } else { "short stabilization window" });
    }
}
