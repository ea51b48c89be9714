//! `hpa-scaling-disabled`: `selectPolicy: Disabled` turns scaling off in that direction;
//! for scale-up the rule's severity applies, for scale-down it is `info`.

use super::{hpa, rules_route};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};

declare_rule!(ScalingDisabled, "hpa-scaling-disabled");

impl Rule for ScalingDisabled {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        let Some(b) = h.behavior() else { return };
        for (up, rules) in [(true, &b.scale_up), (false, &b.scale_down)] {
            if rules.as_ref().and_then(|r| r.select_policy.as_deref()) != Some("Disabled") {
                continue;
            }
            let f = out.emit(
                cx.at(&rules_route(up).key("selectPolicy")),
                format!("HPA `{name}`: scaling {} is disabled", if up { "up" } else { "down" }),
            );
            f.label("disabled");
            if !up {
                f.at_most(Severity::Info);
            }
        }
    }
}
