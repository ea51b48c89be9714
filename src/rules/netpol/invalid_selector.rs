//! `netpol-invalid-selector`: a `matchExpressions` requirement the API server rejects (an
//! unknown operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(InvalidSelector, "netpol-invalid-selector");

impl Rule for InvalidSelector {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            for invalid in &p.invalid {
                out.emit_for(
                    &p.obj,
                    invalid.loc,
                    format!(
                        "invalid label selector in NetworkPolicy `{}`: {}",
                        p.name, invalid.reason
                    ),
                )
                .label("rejected by the API server");
            }
        }
    }
}
