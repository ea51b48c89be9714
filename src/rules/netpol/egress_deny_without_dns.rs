//! `netpol-egress-deny-without-dns`: egress is denied by default in the namespace, and no
//! egress rule that applies to the workload allows port 53: name resolution fails.
//!
//! A rule allows DNS when it admits port 53 (UDP or TCP; a numeric port, a range, a port
//! named `dns`/`dns-tcp` as CoreDNS names them) to any peer, or admits every port to peers
//! that can be the cluster DNS (any peer, an `ipBlock`, or namespaces that may include
//! `kube-system`).
//!
//! One finding per root cause: the workloads that no egress policy allows anything but the
//! default deny (they need one namespace-wide DNS allowance) are reported together at the
//! denying policy, each as a related location; a workload whose own egress policies omit
//! DNS is reported on its own.

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
            // The workloads an egress policy that allows DNS selects, and those some egress
            // policy allows anything at all (through the label index).
            let mut allowed = std::collections::HashSet::new();
            let mut own = std::collections::HashSet::new();
            for p in index.netpols_in(namespace) {
                if !p.has_type(Direction::Egress) || p.egress.rules.is_empty() {
                    continue;
                }
                let selected = index.workload_indices_matching(namespace, &p.pod_selector);
                if p.egress.rules.iter().any(|r| allows_dns(r, index)) {
                    allowed.extend(selected);
                } else {
                    own.extend(selected);
                }
            }
            let missing: Vec<usize> = index
                .workloads_by_namespace
                .get(namespace.as_str())
                .into_iter()
                .flatten()
                .copied()
                .filter(|i| !index.workloads[*i].host_network && !allowed.contains(i))
                .collect();
            let (alone, together): (Vec<usize>, Vec<usize>) = missing.into_iter().partition(|i| own.contains(i));
            let denies = format!("NetworkPolicy `{}` denies all egress", deny.name);
            let per_workload = if together.len() > 1 {
                alone
            } else {
                [alone, together.clone()].concat()
            };
            for i in per_workload {
                let w = &index.workloads[i];
                out.emit_for(
                    &w.obj,
                    w.labels_loc,
                    format!(
                        "Egress is denied by default in `{namespace}` but {} has no egress allowance for DNS (53/UDP, 53/TCP)",
                        w.display()
                    ),
                )
                .label("these pods cannot resolve names")
                .related(deny.pod_selector_loc, denies.clone());
            }
            if together.len() > 1 {
                let names: Vec<String> = together
                    .iter()
                    .map(|i| index.workloads[*i].display().to_string())
                    .collect();
                let f = out.emit_for(
                    &deny.obj,
                    deny.pod_selector_loc,
                    format!(
                        "Egress is denied by default in `{namespace}` and no policy allows {} workloads any egress, DNS included (53/UDP, 53/TCP): {}",
                        together.len(),
                        crate::engine::first_few(&names)
                    ),
                );
                f.label("denies all egress, DNS included");
                f.help("allow DNS to every pod of the namespace in one policy (podSelector: {}, egress to kube-dns on 53/UDP and 53/TCP)");
                for i in together {
                    let w = &index.workloads[i];
                    f.related(w.labels_loc, format!("{} cannot resolve names", w.display()));
                }
            }
        }
    }
}
