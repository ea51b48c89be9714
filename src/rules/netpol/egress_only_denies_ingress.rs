//! `netpol-egress-only-denies-ingress`: a policy with egress rules, no ingress section and
//! no `policyTypes` defaults to `[Ingress, Egress]`: it also blocks all ingress to the pods
//! it selects, which is rarely what an "egress policy" meant.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(EgressOnlyDeniesIngress, "netpol-egress-only-denies-ingress");

impl Rule for EgressOnlyDeniesIngress {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            if p.policy_types.is_some() || p.egress.rules.is_empty() || p.ingress.present {
                continue;
            }
            let fix = crate::engine::Fix::for_object(
                &p.obj,
                crate::engine::Applicability::Unsafe,
                "set policyTypes: [Egress]",
            )
            .map(|f| {
                f.set(
                    crate::source::Route::root().keys(&["spec", "policyTypes"]),
                    crate::source::edit::Value::Seq(vec![crate::source::edit::Value::Str("Egress".into())]),
                )
            });
            let finding = out.emit_for(
                &p.obj,
                p.spec_loc,
                format!(
                    "NetworkPolicy `{}` has no policyTypes; it defaults to [Ingress, Egress] and therefore blocks all ingress to the selected pods",
                    p.name
                ),
            )
            .label("`policyTypes` is not set")
            .related(p.egress.loc, "only egress rules are written");
            if let Some(fix) = fix {
                finding.with_fix(fix);
            }
        }
    }
}
