//! `workload-probe-port-undeclared` (off by default): a probe or lifecycle hook of a main or
//! sidecar container targets a port number that none of the container's `containerPort`s
//! equals, while the container declares ports. `containerPort` is informational, so such a
//! probe works; the mismatch is usually a stale number.

use super::{PortRef, ports_used, serving, written_int};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(ProbePortUndeclared, "workload-probe-port-undeclared");

impl Rule for ProbePortUndeclared {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (_, c) in serving(&w) {
            let ports = c.container.ports.as_deref().unwrap_or_default();
            if ports.is_empty() {
                continue;
            }
            for u in ports_used(&c.container, &c.route) {
                if !matches!(u.port, PortRef::Number(_)) {
                    continue;
                }
                // As written: a placeholder or a missing port is another rule's.
                let Some(n) = written_int(cx, &u.route) else { continue };
                if ports.iter().any(|p| i64::from(p.container_port) == n) {
                    continue;
                }
                let declared: Vec<String> = ports.iter().map(|p| p.container_port.to_string()).collect();
                out.emit(
                    cx.at(&u.route),
                    format!(
                        "`{}` of `{}` targets port {n}, which the container does not declare",
                        u.what,
                        c.name()
                    ),
                )
                .label(format!("declared: {}", crate::engine::first_few(&declared)));
            }
        }
    }
}
