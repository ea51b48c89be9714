//! `netpol-allow-all`: a policy that selects every pod of its namespace and has an empty
//! rule (`- {}`) allows all traffic in that direction to or from every pod, cancelling any
//! isolation other policies give.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::netpol::Direction;

declare_rule!(AllowAll, "netpol-allow-all");

impl Rule for AllowAll {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            if !p.isolates_all() {
                continue;
            }
            for d in Direction::BOTH {
                if !p.has_type(d) {
                    continue;
                }
                if let Some(rule) = p.direction(d).rules.iter().find(|r| r.allows_all()) {
                    let (to, every) = match d {
                        Direction::Ingress => ("to", "from anywhere"),
                        Direction::Egress => ("from", "to anywhere"),
                    };
                    out.emit_for(
                        &p.obj,
                        rule.loc,
                        format!(
                            "NetworkPolicy `{}` allows all {} traffic {to} every pod in `{}`, cancelling any isolation",
                            p.name,
                            d.key(),
                            p.namespace
                        ),
                    )
                    .label(format!("an empty rule allows every peer on every port, {every}"))
                    .related(p.pod_selector_loc, "selects every pod of the namespace");
                }
            }
        }
    }
}
