//! `pss-host-probes` (upstream check `hostProbesAndHostLifecycle`, baseline, v1.34): probes
//! and lifecycle hooks may not set `httpGet.host` or `tcpSocket.host`: the kubelet would
//! connect to any host on the pod's behalf.

use super::{Check, Pod, ctrs, pl, q, sorted_distinct};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::Route;
use k8s_openapi::api::core::v1::{HTTPGetAction, TCPSocketAction};

const CHECK: Check = Check {
    id: "hostProbesAndHostLifecycle",
    level: PssLevel::Baseline,
    since: 34,
    overridden_from: None,
};

declare_rule!(HostProbes, "pss-host-probes");

fn hosts(http: Option<&HTTPGetAction>, tcp: Option<&TCPSocketAction>, base: Route, into: &mut Vec<(Route, String)>) {
    if let Some(h) = http.and_then(|h| h.host.as_deref()).filter(|h| !h.is_empty()) {
        into.push((base.keys(&["httpGet", "host"]), h.to_string()));
    }
    if let Some(h) = tcp.and_then(|t| t.host.as_deref()).filter(|h| !h.is_empty()) {
        into.push((base.keys(&["tcpSocket", "host"]), h.to_string()));
    }
}

impl Rule for HostProbes {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        for c in pod.containers() {
            let k = &c.container;
            let mut found = Vec::new();
            for (field, probe) in [
                ("livenessProbe", &k.liveness_probe),
                ("readinessProbe", &k.readiness_probe),
                ("startupProbe", &k.startup_probe),
            ] {
                if let Some(p) = probe {
                    hosts(
                        p.http_get.as_ref(),
                        p.tcp_socket.as_ref(),
                        c.route.key(field),
                        &mut found,
                    );
                }
            }
            if let Some(l) = &k.lifecycle {
                for (field, handler) in [("postStart", &l.post_start), ("preStop", &l.pre_stop)] {
                    if let Some(h) = handler {
                        hosts(
                            h.http_get.as_ref(),
                            h.tcp_socket.as_ref(),
                            c.route.keys(&["lifecycle", field]),
                            &mut found,
                        );
                    }
                }
            }
            let Some((first, _)) = found.first() else { continue };
            let names = sorted_distinct(&found.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>());
            let detail = format!(
                "{} uses {} {}",
                ctrs(&[c.name()]),
                pl(names.len(), "probe or lifecycle host", "probe or lifecycle hosts"),
                q(&names)
            );
            let mut fix = pod.fix(
                Applicability::Unsafe,
                format!(
                    "remove the probe and lifecycle hosts of {} `{}`",
                    c.kind.noun(),
                    c.name()
                ),
            );
            for (route, _) in &found {
                fix = fix.remove(route.clone(), false);
            }
            pod.emit(out, pod.at(first), "probe or lifecycle host", &detail)
                .label("the kubelet connects to this host")
                .with_fix(fix);
        }
    }
}
