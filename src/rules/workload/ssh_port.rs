//! `workload-ssh-port`: a main or sidecar container declares `containerPort: 22` with protocol
//! TCP (the default): an SSH server in a container is a remote shell beside the workload.

use super::serving;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(SshPort, "workload-ssh-port");

impl Rule for SshPort {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (set, c) in serving(&w) {
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                if p.container_port != 22 || p.protocol.as_deref().is_some_and(|x| x != "TCP") {
                    continue;
                }
                out.emit(
                    cx.at(&c.route.key("ports").index(i).key("containerPort")),
                    format!("{} `{}` exposes port 22 (SSH)", set.title(), c.name()),
                )
                .label("SSH");
            }
        }
    }
}
