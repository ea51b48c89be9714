//! `netpol-named-port-unresolved`: a rule names a port (`port: http`) that no pod it can
//! apply to declares, so the rule matches nothing. Ingress ports resolve against the pods
//! the policy selects; egress ports against the peer pods (when the peers are pods).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::netpol::{Direction, NetpolFact, PortValue, RuleFact};
use crate::model::{Index, WorkloadFact};

declare_rule!(NamedPortUnresolved, "netpol-named-port-unresolved");

/// The pods a named port of this rule refers to; `None` when they cannot be known (peers
/// that are addresses or every pod).
fn destinations<'a>(
    p: &'a NetpolFact,
    d: Direction,
    rule: &'a RuleFact,
    index: &'a Index,
) -> Option<Vec<&'a WorkloadFact>> {
    match d {
        Direction::Ingress => Some(index.workloads_matching(&p.namespace, &p.pod_selector).collect()),
        Direction::Egress => {
            if rule.peers.is_empty() {
                return None;
            }
            let mut out = Vec::new();
            for peer in &rule.peers {
                match (&peer.pod_selector, &peer.namespace_selector, &peer.ip_block) {
                    (_, _, Some(_)) => return None,
                    (Some((pods, _)), None, None) => out.extend(index.workloads_matching(&p.namespace, pods)),
                    (pods, Some((nss, _)), None) => {
                        let selection = index.namespaces_matching(nss);
                        if !selection.unknown.is_empty() {
                            return None;
                        }
                        for ns in &selection.yes {
                            match pods {
                                Some((s, _)) => out.extend(index.workloads_matching(ns, s)),
                                None => out.extend(index.workloads_in(ns)),
                            }
                        }
                    }
                    (None, None, None) => {}
                }
            }
            Some(out)
        }
    }
}

impl Rule for NamedPortUnresolved {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for p in &index.netpols {
            for d in Direction::BOTH {
                for rule in &p.direction(d).rules {
                    let named: Vec<_> = rule
                        .ports
                        .iter()
                        .filter_map(|port| match &port.port {
                            Some(PortValue::Name(n)) => Some((n, port.loc)),
                            _ => None,
                        })
                        .collect();
                    if named.is_empty() {
                        continue;
                    }
                    let Some(pods) = destinations(p, d, rule, index) else {
                        continue;
                    };
                    if pods.is_empty() {
                        continue;
                    }
                    for (name, loc) in named {
                        if pods.iter().any(|w| w.has_port_name(name)) {
                            continue;
                        }
                        out.emit_for(
                            &p.obj,
                            loc,
                            format!(
                                "port name `{name}` in {} rule #{} of NetworkPolicy `{}` is not defined by any of the {} pod template{} it applies to",
                                d.key(),
                                rule.index + 1,
                                p.name,
                                pods.len(),
                                if pods.len() == 1 { "" } else { "s" }
                            ),
                        )
                        .label("no container port has this name");
                    }
                }
            }
        }
    }
}
