//! `netpol-rules-ignored-by-policytypes`: `policyTypes` is written and omits a direction for
//! which the policy has rules: those rules have no effect.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::netpol::Direction;

declare_rule!(RulesIgnoredByPolicytypes, "netpol-rules-ignored-by-policytypes");

impl Rule for RulesIgnoredByPolicytypes {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            let Some((_, types_loc)) = &p.policy_types else {
                continue;
            };
            for d in Direction::BOTH {
                let dir = p.direction(d);
                if p.has_type(d) || dir.rules.is_empty() {
                    continue;
                }
                out.emit_for(
                    &p.obj,
                    dir.loc,
                    format!(
                        "NetworkPolicy `{}` declares {} rules but policyTypes does not include {}; those rules have no effect",
                        p.name,
                        d.key(),
                        d.name()
                    ),
                )
                .label("ignored")
                .related(*types_loc, format!("{} is not listed here", d.name()));
            }
        }
    }
}
