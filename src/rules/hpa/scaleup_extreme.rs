//! `hpa-scaleup-extreme`: explicit scale-up policies that can multiply the replicas by more
//! than a factor per minute (option `max_multiplier`, default 16, which is what the default
//! policies allow; never below what the defaults allow at that size), or a Percent policy
//! above 300% in under 15 s. Computed from
//! `minReplicas` (rule-families §2.3). With `selectPolicy: Min` the slowest policy caps the
//! rate, so a burst policy alone does not count.

use super::{hpa, rules_route};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use crate::model::scaling::{effective_rules, multiplier_per_minute, policy_multiplier};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub max_multiplier: f64,
}

pub struct ScaleupExtreme(Options);

impl RuleDef for ScaleupExtreme {
    const ID: &'static str = "hpa-scaleup-extreme";
    type Options = Options;
    fn new(options: Options) -> Self {
        ScaleupExtreme(options)
    }
}

fn approx(x: f64) -> String {
    if x >= 1e6 {
        format!("{x:.1e}")
    } else if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

impl Rule for ScaleupExtreme {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        let explicit = h
            .behavior()
            .and_then(|b| b.scale_up.as_ref())
            .is_some_and(|u| u.policies.is_some());
        if !explicit {
            return;
        }
        let rules = effective_rules(h.behavior(), true);
        if rules.select == "Disabled" {
            return;
        }
        let current = h.min();
        let factor = multiplier_per_minute(&rules, current);
        // A burst policy matters unless `selectPolicy: Min` lets a slower policy cap it.
        let burst = (rules.select != "Min")
            .then(|| {
                rules
                    .policies
                    .iter()
                    .position(|p| p.kind == "Percent" && p.value > 300 && p.period < 15)
            })
            .flatten();
        // Never stricter than Kubernetes' own defaults (16x, or 17x from a single pod).
        let default_factor = multiplier_per_minute(&effective_rules(None, true), current);
        if factor <= self.0.max_multiplier.max(default_factor) && burst.is_none() {
            return;
        }
        // Point at the policy that allows the most.
        let worst = burst.unwrap_or_else(|| {
            (0..rules.policies.len())
                .max_by(|a, b| {
                    policy_multiplier(&rules.policies[*a], current)
                        .total_cmp(&policy_multiplier(&rules.policies[*b], current))
                })
                .unwrap_or(0)
        });
        let p = &rules.policies[worst];
        out.emit(
            cx.at(&rules_route(true).key("policies").index(worst)),
            format!(
                "HPA `{name}`: scale-up can multiply replicas by ~{}x per minute (from {current}, {} per {}s); risk of cost spikes and node exhaustion",
                approx(factor),
                if p.kind == "Percent" { format!("{}%", p.value) } else { format!("{} pods", p.value) },
                p.period
            ),
        )
        .label(format!("~{}x per minute", approx(policy_multiplier(p, current))));
    }
}
