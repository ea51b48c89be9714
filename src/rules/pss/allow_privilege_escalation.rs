//! `pss-allow-privilege-escalation` (upstream check `allowPrivilegeEscalation`, restricted,
//! v1.8 and v1.25): every container must set `allowPrivilegeEscalation: false` explicitly.
//! From v1.25 Windows pods are exempt.

use super::{Check, Pod, ctrs};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;

const CHECK: Check = Check {
    id: "allowPrivilegeEscalation",
    level: PssLevel::Restricted,
    since: 8,
    overridden_from: None,
};

declare_rule!(AllowPrivilegeEscalation, "pss-allow-privilege-escalation");

impl Rule for AllowPrivilegeEscalation {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        if pod.policy.minor >= 25 && pod.is_windows() {
            return;
        }
        for c in pod.containers() {
            let value = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.allow_privilege_escalation);
            if value != Some(false) {
                let detail = format!(
                    "{} must set securityContext.allowPrivilegeEscalation=false",
                    ctrs(&[c.name()])
                );
                let f = pod.emit(
                    out,
                    pod.at(&c.security_context_route("allowPrivilegeEscalation")),
                    "allowPrivilegeEscalation != false",
                    &detail,
                );
                if value == Some(true) {
                    f.label("lets processes gain more privileges than their parent");
                }
                let sc = c.container.security_context.as_ref();
                // The API rejects `allowPrivilegeEscalation: false` beside these.
                let privileged = sc.and_then(|s| s.privileged) == Some(true);
                let sys_admin = sc
                    .and_then(|s| s.capabilities.as_ref())
                    .and_then(|c| c.add.as_ref())
                    .is_some_and(|a| a.iter().any(|x| x == "CAP_SYS_ADMIN"));
                if pod.is_windows() {
                    f.not_fixable("a Windows pod cannot set allowPrivilegeEscalation");
                } else if privileged || sys_admin {
                    f.not_fixable(
                        "the API rejects allowPrivilegeEscalation: false beside privileged: true or CAP_SYS_ADMIN; fix those first",
                    );
                } else {
                    f.with_fix(
                        pod.fix(
                            Applicability::Safe,
                            format!(
                                "set allowPrivilegeEscalation: false on {} `{}`",
                                c.kind.noun(),
                                c.name()
                            ),
                        )
                        .set(c.security_context_route("allowPrivilegeEscalation"), Value::Bool(false)),
                    );
                }
            }
        }
    }
}
