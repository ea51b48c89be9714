//! `pss-proc-mount` (upstream check `procMount`, baseline, v1.0 and v1.35): containers must
//! keep the default `/proc` masking. From v1.35 a pod with `hostUsers: false` passes.
//! Under restricted from v1.35 `pss-proc-mount-restricted` replaces it.

use super::{Check, Pod};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "procMount",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: Some(35),
};

declare_rule!(ProcMount, "pss-proc-mount");

impl Rule for ProcMount {
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
        report(&pod, out);
    }
}

/// Reports every container whose `procMount` is set to something other than `Default`.
pub(super) fn report(pod: &Pod<'_, '_>, out: &mut Out<'_>) {
    for c in pod.containers() {
        let Some(mount) = c
            .container
            .security_context
            .as_ref()
            .and_then(|s| s.proc_mount.as_deref())
        else {
            continue;
        };
        if mount != "Default" {
            let detail = format!(
                "{} must not set securityContext.procMount to {}",
                super::ctrs(&[c.name()]),
                super::q(&[mount])
            );
            pod.emit(
                out,
                pod.at(&c.security_context_route("procMount")),
                "procMount",
                &detail,
            )
            .label("unmasks /proc")
            .with_fix(
                pod.fix(
                    Applicability::Unsafe,
                    format!("remove procMount from {} `{}`", c.kind.noun(), c.name()),
                )
                .remove(c.security_context_route("procMount"), true),
            );
        }
    }
}
