//! `pss-run-as-user` (upstream check `runAsUser`, restricted, v1.23 and v1.35): neither the
//! pod nor a container may set `runAsUser: 0`; a pod-level 0 fails even when every
//! container overrides it. From v1.35 a pod with `hostUsers: false` passes.

use super::{Check, Pod, ctrs};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "runAsUser",
    level: PssLevel::Restricted,
    since: 23,
    overridden_from: None,
};

declare_rule!(RunAsUser, "pss-run-as-user");

impl Rule for RunAsUser {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        if pod.policy.minor >= 35 && pod.host_users_false() {
            return;
        }
        if pod.security_context().and_then(|s| s.run_as_user) == Some(0) {
            pod.emit(
                out,
                pod.at(&pod.sc_route("runAsUser")),
                "runAsUser=0",
                "pod must not set runAsUser=0",
            )
            .label("runs as root")
            .with_fix(
                pod.fix(Applicability::Unsafe, "remove runAsUser: 0 from the pod")
                    .remove(pod.sc_route("runAsUser"), true),
            );
        }
        for c in pod.containers() {
            if c.container.security_context.as_ref().and_then(|s| s.run_as_user) == Some(0) {
                let detail = format!("{} must not set runAsUser=0", ctrs(&[c.name()]));
                pod.emit(
                    out,
                    pod.at(&c.security_context_route("runAsUser")),
                    "runAsUser=0",
                    &detail,
                )
                .label("runs as root")
                .with_fix(
                    pod.fix(
                        Applicability::Unsafe,
                        format!("remove runAsUser: 0 from {} `{}`", c.kind.noun(), c.name()),
                    )
                    .remove(c.security_context_route("runAsUser"), true),
                );
            }
        }
    }
}
