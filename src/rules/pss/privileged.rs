//! `pss-privileged` (upstream check `privileged`, baseline): no container may set
//! `securityContext.privileged: true`.

use super::Policy;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

declare_rule!(Privileged, "pss-privileged");

impl Rule for Privileged {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        let Some(policy) = Policy::for_object(cx, PssLevel::Baseline) else {
            return;
        };
        for c in w.containers() {
            let privileged = c.container.security_context.as_ref().and_then(|s| s.privileged);
            if privileged == Some(true) {
                out.emit(
                    cx.at(&c.security_context_route("privileged")),
                    format!(
                        "{}: privileged (container \"{}\" must not set securityContext.privileged=true)",
                        policy.violates(),
                        c.name()
                    ),
                )
                .label(format!("{} `{}` runs privileged", c.kind.noun(), c.name()));
            }
        }
    }
}
