//! `netpol-named-port-unresolved`: a rule names a port (`port: http`) that no pod it can
//! apply to declares, so the rule matches nothing. Ingress ports resolve against the pods
//! the policy selects; egress ports against the peer pods (when the peers are pods).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::intern::Str;
use crate::model::netpol::{Direction, NetpolFact, PortValue, RuleFact};
use crate::model::{Index, WorkloadFact};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

declare_rule!(NamedPortUnresolved, "netpol-named-port-unresolved");

/// The pod templates of namespaces a peer selects: how many, and the port names they declare.
#[derive(Default)]
struct PeerPods {
    count: usize,
    names: FxHashSet<Str>,
}

/// The pods a named port of a rule refers to, in parts: listed, or counted and summed up
/// (the pods of the namespaces a peer selects, computed once per distinct peer: a peer of
/// every namespace is every workload of the set).
enum Part<'a> {
    Listed(Vec<&'a WorkloadFact>),
    Summed(Arc<PeerPods>),
}

struct Destinations<'a>(Vec<Part<'a>>);

impl Destinations<'_> {
    fn len(&self) -> usize {
        self.0
            .iter()
            .map(|p| match p {
                Part::Listed(l) => l.len(),
                Part::Summed(s) => s.count,
            })
            .sum()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn has_port_name(&self, name: &str) -> bool {
        self.0.iter().any(|p| match p {
            Part::Listed(l) => l.iter().any(|w| w.has_port_name(name)),
            Part::Summed(s) => s.names.contains(name),
        })
    }
}

/// The pods of namespace peers, by (namespace selector, pod selector).
type Memo = FxHashMap<(String, Option<String>), Arc<PeerPods>>;

/// The pods a named port of this rule refers to; `None` when they cannot be known (peers
/// that are addresses or every pod).
fn destinations<'a>(
    p: &'a NetpolFact,
    d: Direction,
    rule: &'a RuleFact,
    index: &'a Index,
    memo: &mut Memo,
) -> Option<Destinations<'a>> {
    match d {
        Direction::Ingress => Some(Destinations(vec![Part::Listed(
            index.workloads_matching(&p.namespace, &p.pod_selector).collect(),
        )])),
        Direction::Egress => {
            if rule.peers.is_empty() {
                return None;
            }
            let mut out = Vec::new();
            for peer in &rule.peers {
                match (&peer.pod_selector, &peer.namespace_selector, &peer.ip_block) {
                    (_, _, Some(_)) => return None,
                    (Some((pods, _)), None, None) => {
                        out.push(Part::Listed(index.workloads_matching(&p.namespace, pods).collect()))
                    }
                    (pods, Some((nss, _)), None) => {
                        let selection = index.namespaces_matching(nss);
                        if !selection.unknown.is_empty() {
                            return None;
                        }
                        let key = (nss.to_string(), pods.as_ref().map(|(s, _)| s.to_string()));
                        let summed = memo.entry(key).or_insert_with(|| {
                            let mut summed = PeerPods::default();
                            let mut add = |w: &WorkloadFact| {
                                summed.count += 1;
                                for c in &w.containers {
                                    summed.names.extend(c.ports.iter().filter_map(|p| p.name.clone()));
                                }
                            };
                            for ns in &selection.yes {
                                match pods {
                                    Some((s, _)) => index.workloads_matching(ns, s).for_each(&mut add),
                                    None => index.workloads_in(ns).for_each(&mut add),
                                }
                            }
                            Arc::new(summed)
                        });
                        out.push(Part::Summed(summed.clone()));
                    }
                    (None, None, None) => {}
                }
            }
            Some(Destinations(out))
        }
    }
}

impl Rule for NamedPortUnresolved {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        let mut memo = Memo::default();
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
                    let Some(pods) = destinations(p, d, rule, index, &mut memo) else {
                        continue;
                    };
                    if pods.is_empty() {
                        continue;
                    }
                    for (name, loc) in named {
                        if pods.has_port_name(name) {
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
