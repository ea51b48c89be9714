//! `pss-host-path-volumes` (upstream check `hostPathVolumes`, baseline, v1.0): no `hostPath`
//! volumes. Under restricted, `pss-restricted-volumes` replaces it at every version.

use super::{Check, Pod, q};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "hostPathVolumes",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: Some(0),
};

declare_rule!(HostPathVolumes, "pss-host-path-volumes");

impl Rule for HostPathVolumes {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        for (i, v) in pod.workload.spec.volumes.iter().flatten().enumerate() {
            if v.host_path.is_some() {
                let route = pod.workload.spec_route().key("volumes").index(i).key("hostPath");
                pod.emit(
                    out,
                    pod.at(&route),
                    "hostPath volumes",
                    &format!("volume {}", q(&[&v.name])),
                )
                .label("mounts a path of the node")
                .not_fixable("replacing storage changes what the workload is");
            }
        }
    }
}
