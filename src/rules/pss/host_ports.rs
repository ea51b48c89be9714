//! `pss-host-ports` (upstream check `hostPorts`, baseline, v1.0): no container port may set
//! a non-zero `hostPort`. For a `Pod` with `hostNetwork: true` the API server sets
//! `hostPort` to `containerPort` before admission, so those ports count too (pss.md §8.1).

use super::{Check, Pod, ctrs, pl, sorted_distinct};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "hostPorts",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

declare_rule!(HostPorts, "pss-host-ports");

impl Rule for HostPorts {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        let defaulted = cx.obj.kind == "Pod" && pod.workload.spec.host_network == Some(true);
        for c in pod.containers() {
            // (index, port, written as hostPort?)
            let mut bad: Vec<(usize, i32, bool)> = Vec::new();
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                match p.host_port {
                    Some(h) if h != 0 => bad.push((i, h, true)),
                    _ if defaulted && p.container_port != 0 => bad.push((i, p.container_port, false)),
                    _ => {}
                }
            }
            let Some(&(first, _, written)) = bad.first() else {
                continue;
            };
            let ports = sorted_distinct(&bad.iter().map(|(_, p, _)| p.to_string()).collect::<Vec<_>>());
            let detail = format!(
                "{} uses {} {}",
                ctrs(&[c.name()]),
                pl(ports.len(), "hostPort", "hostPorts"),
                ports.join(", ")
            );
            let field = if written { "hostPort" } else { "containerPort" };
            let route = c.route.key("ports").index(first).key(field);
            let f = pod.emit(out, pod.at(&route), "hostPort", &detail);
            if written {
                f.label("binds a port of the node");
                let mut fix = pod.fix(
                    Applicability::Unsafe,
                    format!("remove hostPort from {} `{}`", c.kind.noun(), c.name()),
                );
                for (i, _, w) in &bad {
                    if *w {
                        fix = fix.remove(c.route.key("ports").index(*i).key("hostPort"), false);
                    }
                }
                if bad.iter().all(|(_, _, w)| *w) {
                    f.with_fix(fix);
                } else {
                    f.not_fixable("with `hostNetwork: true` every port is a host port: remove hostNetwork first");
                }
            } else {
                f.not_fixable("with `hostNetwork: true` every port is a host port: remove hostNetwork first");
                f.label("with `hostNetwork: true` the API server sets hostPort to this port");
            }
        }
    }
}
