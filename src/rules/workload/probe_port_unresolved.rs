//! `workload-probe-port-unresolved`: a probe (`httpGet`, `tcpSocket`) or lifecycle hook of a
//! main or sidecar container names a port that the container does not declare in
//! `ports[].name`. The kubelet resolves names against that container only, so the probe
//! fails every time: a crash loop for a liveness probe, a pod never ready for a readiness
//! probe. A name that is not an IANA service name is `workload-probe-invalid`'s.

use super::{PortRef, Set, is_iana_svc_name, ports_used, probe_or_hook, serving};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(ProbePortUnresolved, "workload-probe-port-unresolved");

impl Rule for ProbePortUnresolved {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (set, c) in serving(&w) {
            let declared = |n: &str| c.container.ports.iter().flatten().any(|p| p.name.as_deref() == Some(n));
            for u in ports_used(&c.container, &c.route) {
                let PortRef::Name(name) = u.port else { continue };
                if !is_iana_svc_name(name) || declared(name) {
                    continue;
                }
                let f = out.emit(
                    cx.at(&u.route),
                    format!(
                        "`{}` of {} `{}` uses port name `{name}`, which the container does not declare; the {} can never succeed",
                        u.what,
                        set.noun(),
                        c.name(),
                        probe_or_hook(u.hook)
                    ),
                );
                f.label("no port of this container has this name");
                let elsewhere = w.containers().find(|o| {
                    o.route != c.route
                        && o.container
                            .ports
                            .iter()
                            .flatten()
                            .any(|p| p.name.as_deref() == Some(name))
                });
                if let Some(o) = elsewhere {
                    f.help(format!(
                        "{} `{}` declares `{name}`, but the kubelet looks the name up in the probed container only",
                        Set::of(&o).noun(),
                        o.name()
                    ));
                }
            }
        }
    }
}
