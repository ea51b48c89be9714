//! `pss-sysctls` (upstream check `sysctls`, baseline, v1.0, v1.27, v1.29, v1.32, v1.37): the
//! pod may set only namespaced sysctls known to be safe; the list grows with the policy
//! version.

use super::{Check, Pod};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "sysctls",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

/// (first policy minor version, names allowed from then on). Exact names only: the slash
/// form `net/ipv4/ip_local_port_range` is not accepted.
const SAFE: &[(u32, &[&str])] = &[
    (
        0,
        &[
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_unprivileged_port_start",
        ],
    ),
    (27, &["net.ipv4.ip_local_reserved_ports"]),
    (
        29,
        &[
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes",
        ],
    ),
    (32, &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"]),
    (
        37,
        &["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"],
    ),
];

/// Whether a sysctl is allowed at a policy minor version.
pub fn is_safe(name: &str, minor: u32) -> bool {
    SAFE.iter()
        .any(|(since, names)| *since <= minor && names.contains(&name))
}

declare_rule!(Sysctls, "pss-sysctls");

impl Rule for Sysctls {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        let Some(sysctls) = pod.security_context().and_then(|s| s.sysctls.as_ref()) else {
            return;
        };
        let minor = pod.policy.minor;
        let list = pod.sc_route("sysctls");
        let fix = super::remove_items(
            pod.fix(Applicability::Unsafe, "remove the sysctls that are not safe"),
            list.clone(),
            sysctls.len(),
            |i| !is_safe(&sysctls[i].name, minor),
        );
        for (i, s) in sysctls.iter().enumerate() {
            if !is_safe(&s.name, minor) {
                let route = list.index(i).key("name");
                pod.emit(out, pod.at(&route), "forbidden sysctls", &s.name)
                    .label(format!("not a safe sysctl at policy v1.{minor}"))
                    .with_fix(fix.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe;

    #[test]
    fn the_safe_list_grows_by_version() {
        assert!(is_safe("net.ipv4.ip_local_port_range", 0));
        assert!(!is_safe("net/ipv4/ip_local_port_range", 37));
        assert!(!is_safe("net.ipv4.tcp_rmem", 31));
        assert!(is_safe("net.ipv4.tcp_rmem", 32));
        assert!(!is_safe("net.ipv4.tcp_notsent_lowat", 36));
        assert!(is_safe("net.ipv4.tcp_notsent_lowat", 37));
    }
}
