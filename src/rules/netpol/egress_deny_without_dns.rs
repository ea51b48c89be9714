//! `netpol-egress-deny-without-dns`: egress is denied by default in the namespace, and no
//! egress rule that applies to the workload allows port 53: name resolution fails.
//!
//! A rule allows DNS when it admits port 53 (UDP or TCP; a numeric port, a range, a port
//! named `dns`/`dns-tcp` as CoreDNS names them) to any peer, or admits every port to peers
//! that can be the cluster DNS (any peer, an `ipBlock`, or namespaces that may include
//! `kube-system`).

use super::ExemptOptions;
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::Index;
use crate::model::netpol::{Direction, PortValue, RuleFact};
use crate::model::selector::Tri;

pub struct EgressDenyWithoutDns(ExemptOptions);

impl RuleDef for EgressDenyWithoutDns {
    const ID: &'static str = "netpol-egress-deny-without-dns";
    type Options = ExemptOptions;
    fn new(options: ExemptOptions) -> Self {
        EgressDenyWithoutDns(options)
    }
}

fn allows_dns(rule: &RuleFact, index: &Index) -> bool {
    let names_dns = |p: &crate::model::netpol::PortFact| matches!(&p.port, Some(PortValue::Name(n)) if n == "dns" || n == "dns-tcp");
    if rule
        .ports
        .iter()
        .any(|p| p.admits(53, Some("UDP")) || p.admits(53, Some("TCP")) || names_dns(p))
    {
        return true;
    }
    rule.ports.is_empty()
        && (rule.peers.is_empty()
            || rule.peers.iter().any(|peer| {
                peer.ip_block.is_some()
                    || peer
                        .namespace_selector
                        .as_ref()
                        .is_some_and(|(sel, _)| index.namespace_matches("kube-system", sel) != Tri::No)
            }))
}

impl Rule for EgressDenyWithoutDns {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for (namespace, policies) in &index.netpols_by_namespace {
            if self.0.exempt_namespaces.iter().any(|e| e == namespace) {
                continue;
            }
            let Some(deny) = policies
                .iter()
                .map(|i| &index.netpols[*i])
                .find(|p| p.default_deny(Direction::Egress))
            else {
                continue;
            };
            // The workloads an egress policy that allows DNS selects (through the label
            // index), then every other workload of the namespace.
            let mut allowed = std::collections::HashSet::new();
            for p in index.netpols_in(namespace) {
                if p.has_type(Direction::Egress) && p.egress.rules.iter().any(|r| allows_dns(r, index)) {
                    allowed.extend(index.workload_indices_matching(namespace, &p.pod_selector));
                }
            }
            for i in index
                .workloads_by_namespace
                .get(namespace.as_str())
                .into_iter()
                .flatten()
            {
                let w = &index.workloads[*i];
                if w.host_network || allowed.contains(i) {
                    continue;
                }
                out.emit_for(
                    &w.obj,
                    w.labels_loc,
                    format!(
                        "Egress is denied by default in `{namespace}` but {} has no egress allowance for DNS (53/UDP, 53/TCP)",
                        w.display()
                    ),
                )
                .label("these pods cannot resolve names")
                .related(deny.pod_selector_loc, format!("NetworkPolicy `{}` denies all egress", deny.name));
            }
        }
    }
}
