//! `pss-host-namespaces` (upstream check `hostNamespaces`, baseline, v1.0): `hostNetwork`,
//! `hostPID` and `hostIPC` must be unset or false.

use super::{Check, Pod};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "hostNamespaces",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

declare_rule!(HostNamespaces, "pss-host-namespaces");

impl Rule for HostNamespaces {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        let spec = pod.workload.spec;
        for (field, value, shared) in [
            ("hostNetwork", spec.host_network, "network"),
            ("hostPID", spec.host_pid, "process ID"),
            ("hostIPC", spec.host_ipc, "IPC"),
        ] {
            if value == Some(true) {
                let target = pod.at(&pod.workload.spec_route().key(field));
                pod.emit(out, target, "host namespaces", &format!("{field}=true"))
                    .label(format!("shares the host's {shared} namespace"))
                    .with_fix(
                        pod.fix(Applicability::Unsafe, format!("remove {field}: true"))
                            .remove(pod.workload.spec_route().key(field), false),
                    );
            }
        }
    }
}
