//! `ns-psa-enforce-privileged`: a Namespace that explicitly enforces the `privileged` level
//! (no restrictions at all).

use super::{ExemptOptions, label_route, psa_label};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};

pub struct PsaEnforcePrivileged(ExemptOptions);

impl RuleDef for PsaEnforcePrivileged {
    const ID: &'static str = "ns-psa-enforce-privileged";
    type Options = ExemptOptions;
    fn new(options: ExemptOptions) -> Self {
        PsaEnforcePrivileged(options)
    }
}

impl Rule for PsaEnforcePrivileged {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        let Some(name) = self.0.judged(obj) else { return };
        let key = psa_label("enforce");
        if obj
            .labels()
            .and_then(|l| l.get(&key))
            .is_some_and(|v| v == "privileged")
        {
            out.emit(
                cx.at(&label_route(&key)),
                format!("Namespace `{name}` explicitly enforces the privileged level (no restrictions)"),
            )
            .label("no Pod Security restrictions");
        }
    }
}
