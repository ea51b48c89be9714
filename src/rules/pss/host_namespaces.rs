//! `pss-host-namespaces` (upstream check `hostNamespaces`, baseline): `hostNetwork`,
//! `hostPID` and `hostIPC` must be unset or false.

use super::Policy;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

declare_rule!(HostNamespaces, "pss-host-namespaces");

impl Rule for HostNamespaces {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        let Some(policy) = Policy::for_object(cx, PssLevel::Baseline) else {
            return;
        };
        let spec = w.spec;
        let set = [
            ("hostNetwork", spec.host_network),
            ("hostPID", spec.host_pid),
            ("hostIPC", spec.host_ipc),
        ];
        let on: Vec<&str> = set.iter().filter(|(_, v)| *v == Some(true)).map(|(k, _)| *k).collect();
        if on.is_empty() {
            return;
        }
        // Upstream reports one reason listing every shared namespace; each field gets its
        // own finding so that each points at its line.
        let detail = on.iter().map(|k| format!("{k}=true")).collect::<Vec<_>>().join(", ");
        for field in &on {
            out.emit(
                cx.at(&w.spec_route().key(*field)),
                format!("{}: host namespaces ({detail})", policy.violates()),
            )
            .label(format!("shares the host's {} namespace", namespace_noun(field)));
        }
    }
}

fn namespace_noun(field: &str) -> &'static str {
    match field {
        "hostNetwork" => "network",
        "hostPID" => "process ID",
        _ => "IPC",
    }
}
