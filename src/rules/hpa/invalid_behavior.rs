//! `hpa-invalid-behavior`: a `behavior` the API server rejects: a stabilization window
//! outside [0, 3600], an unknown `selectPolicy`, an explicit empty `policies: []`, a policy
//! type other than Pods/Percent, a non-positive value, a period outside [1, 1800].

use super::{hpa, rules_route};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(InvalidBehavior, "hpa-invalid-behavior");

impl Rule for InvalidBehavior {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        let Some(b) = h.behavior() else { return };
        for (up, rules) in [(true, &b.scale_up), (false, &b.scale_down)] {
            let Some(rules) = rules else { continue };
            let dir = if up { "scaleUp" } else { "scaleDown" };
            let base = rules_route(up);
            let mut problems: Vec<(crate::source::Route, String)> = Vec::new();
            if let Some(w) = rules.stabilization_window_seconds.filter(|w| !(0..=3600).contains(w)) {
                problems.push((
                    base.key("stabilizationWindowSeconds"),
                    format!("stabilizationWindowSeconds {w} is outside [0, 3600]"),
                ));
            }
            if let Some(p) = rules
                .select_policy
                .as_deref()
                .filter(|p| !matches!(*p, "Max" | "Min" | "Disabled"))
            {
                problems.push((
                    base.key("selectPolicy"),
                    format!("selectPolicy `{p}` is not Max, Min or Disabled"),
                ));
            }
            match &rules.policies {
                Some(p) if p.is_empty() => problems.push((
                    base.key("policies"),
                    "policies is an empty list: at least one policy is required (omit the key for the defaults)"
                        .to_string(),
                )),
                Some(policies) => {
                    for (i, p) in policies.iter().enumerate() {
                        let r = base.key("policies").index(i);
                        if p.type_ != "Pods" && p.type_ != "Percent" {
                            problems.push((
                                r.key("type"),
                                format!("policy type `{}` is not Pods or Percent", p.type_),
                            ));
                        }
                        if p.value <= 0 {
                            problems.push((
                                r.key("value"),
                                format!("policy value {} must be greater than 0", p.value),
                            ));
                        }
                        if !(1..=1800).contains(&p.period_seconds) {
                            problems.push((
                                r.key("periodSeconds"),
                                format!("periodSeconds {} is outside [1, 1800]", p.period_seconds),
                            ));
                        }
                    }
                }
                None => {}
            }
            for (route, detail) in problems {
                out.emit(
                    cx.at(&route),
                    format!("HPA `{name}` behavior.{dir}: {detail} (rejected by the API server)"),
                )
                .label("invalid");
            }
        }
    }
}
