//! `pss-privileged` (upstream check `privileged`, baseline, v1.0): no container may set
//! `securityContext.privileged: true`.

use super::{Check, Pod, ctrs};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;

const CHECK: Check = Check {
    id: "privileged",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

declare_rule!(Privileged, "pss-privileged");

impl Rule for Privileged {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        for c in pod.containers() {
            if c.container.security_context.as_ref().and_then(|s| s.privileged) == Some(true) {
                let detail = format!("{} must not set securityContext.privileged=true", ctrs(&[c.name()]));
                pod.emit(
                    out,
                    pod.at(&c.security_context_route("privileged")),
                    "privileged",
                    &detail,
                )
                .label(format!("{} `{}` runs privileged", c.kind.noun(), c.name()))
                .with_fix(
                    pod.fix(
                        Applicability::Unsafe,
                        format!("set privileged: false on {} `{}`", c.kind.noun(), c.name()),
                    )
                    .set(c.security_context_route("privileged"), Value::Bool(false)),
                );
            }
        }
    }
}
