//! `workload-hostnetwork-dns-policy`: a pod with `hostNetwork: true` whose `dnsPolicy` is
//! absent or `ClusterFirst` falls back to the node's resolver and cannot resolve Service
//! names (`ClusterFirstWithHostNet` is needed). Also, as an error, `dnsPolicy: None` without
//! `dnsConfig`, which the API server rejects.

use super::subject;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};

declare_rule!(HostnetworkDnsPolicy, "workload-hostnetwork-dns-policy");

impl Rule for HostnetworkDnsPolicy {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        let spec = w.spec_route();
        let policy = w.spec.dns_policy.as_deref().filter(|p| !p.is_empty());
        if w.spec.host_network == Some(true) && matches!(policy, None | Some("ClusterFirst")) {
            let message = format!(
                "{} uses hostNetwork with dnsPolicy ClusterFirst{}; its pods use the node's resolver and cannot resolve Service names",
                subject(cx),
                if policy.is_none() { " (the default)" } else { "" }
            );
            match policy {
                Some(_) => {
                    out.emit(cx.at(&spec.key("dnsPolicy")), message)
                        .label("use ClusterFirstWithHostNet");
                }
                None => {
                    out.emit(cx.at(&spec.key("hostNetwork")), message)
                        .label("dnsPolicy defaults to ClusterFirst");
                }
            }
        }
        if policy == Some("None") && w.spec.dns_config.is_none() {
            let f = out.emit(
                cx.at(&spec.key("dnsPolicy")),
                format!(
                    "{} sets dnsPolicy None without dnsConfig; the API server rejects it",
                    subject(cx)
                ),
            );
            f.label("needs dnsConfig");
            f.severity = Severity::Error;
        }
    }
}
