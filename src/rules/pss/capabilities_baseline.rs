//! `pss-capabilities-baseline` (upstream check `capabilities_baseline`, baseline, v1.0):
//! containers may add only the 13 capabilities a container runtime grants by default.
//! Under restricted from v1.22 `pss-capabilities-restricted` replaces it.

use super::{Check, Pod, ctrs, q, sorted_distinct};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "capabilities_baseline",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: Some(22),
};

/// Exact, case-sensitive (no `CAP_` prefix; `ALL` is not allowed).
const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

declare_rule!(CapabilitiesBaseline, "pss-capabilities-baseline");

impl Rule for CapabilitiesBaseline {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        for c in pod.containers() {
            let add = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.capabilities.as_ref())
                .and_then(|c| c.add.as_ref());
            let Some(add) = add else { continue };
            let bad: Vec<(usize, &String)> = add
                .iter()
                .enumerate()
                .filter(|(_, a)| !ALLOWED.contains(&a.as_str()))
                .collect();
            let Some((first, _)) = bad.first() else { continue };
            let names: Vec<&String> = bad.iter().map(|(_, a)| *a).collect();
            let detail = format!(
                "{} must not include {} in securityContext.capabilities.add",
                ctrs(&[c.name()]),
                q(&sorted_distinct(&names))
            );
            let route = c.route.keys(&["securityContext", "capabilities", "add"]).index(*first);
            let names = sorted_distinct(&names);
            pod.emit(out, pod.at(&route), "non-default capabilities", &detail)
                .label("not a default capability")
                .with_fix(super::keep_items(
                    pod.fix(
                        Applicability::Unsafe,
                        format!(
                            "remove {} from the added capabilities of {} `{}`",
                            names.join(", "),
                            c.kind.noun(),
                            c.name()
                        ),
                    ),
                    c.route.keys(&["securityContext", "capabilities", "add"]),
                    add,
                    |a| ALLOWED.contains(&a),
                ));
        }
    }
}
