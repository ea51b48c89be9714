//! `workload-privileged-port` (off by default): a main or sidecar container declares a
//! `containerPort` below 1024. Binding it needs root or `NET_BIND_SERVICE`, unless the
//! runtime lowers `net.ipv4.ip_unprivileged_port_start`.

use super::serving;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(PrivilegedPort, "workload-privileged-port");

impl Rule for PrivilegedPort {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (set, c) in serving(&w) {
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                let n = p.container_port;
                if !(1..1024).contains(&n) {
                    continue;
                }
                out.emit(
                    cx.at(&c.route.key("ports").index(i).key("containerPort")),
                    format!(
                        "{} `{}` listens on privileged port {n}; binding it needs root or the NET_BIND_SERVICE capability",
                        set.title(),
                        c.name()
                    ),
                )
                .label("below 1024");
            }
        }
    }
}
