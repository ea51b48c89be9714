//! `pss-windows-host-process` (upstream check `windowsHostProcess`, baseline, v1.0): neither
//! the pod nor a container may set `securityContext.windowsOptions.hostProcess: true`.

use super::{Check, Pod, ctrs};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "windowsHostProcess",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

const DETAIL: &str = "must not set securityContext.windowsOptions.hostProcess=true";

declare_rule!(WindowsHostProcess, "pss-windows-host-process");

impl Rule for WindowsHostProcess {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        let pod_host_process = pod
            .security_context()
            .and_then(|s| s.windows_options.as_ref())
            .and_then(|w| w.host_process);
        if pod_host_process == Some(true) {
            let route = pod
                .workload
                .spec_route()
                .keys(&["securityContext", "windowsOptions", "hostProcess"]);
            pod.emit(out, pod.at(&route), "hostProcess", &format!("pod {DETAIL}"))
                .label("runs as a Windows host process")
                .with_fix(
                    pod.fix(Applicability::Unsafe, "remove hostProcess from the pod")
                        .remove(route.clone(), true),
                );
        }
        for c in pod.containers() {
            let host_process = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.windows_options.as_ref())
                .and_then(|w| w.host_process);
            if host_process == Some(true) {
                let route = c.route.keys(&["securityContext", "windowsOptions", "hostProcess"]);
                pod.emit(
                    out,
                    pod.at(&route),
                    "hostProcess",
                    &format!("{} {DETAIL}", ctrs(&[c.name()])),
                )
                .label("runs as a Windows host process")
                .with_fix(
                    pod.fix(
                        Applicability::Unsafe,
                        format!("remove hostProcess from {} `{}`", c.kind.noun(), c.name()),
                    )
                    .remove(route.clone(), true),
                );
            }
        }
    }
}
