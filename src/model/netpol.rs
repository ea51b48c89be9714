//! NetworkPolicy facts: selectors, effective policy types, rules, peers and ports, each with
//! its location, compiled once per policy (rule-families §1.1).

use super::object::{Object, ObjectRef};
use super::selector::{Invalid, Selector};
use crate::source::{FileId, Loc, Route, Tree};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::sync::Arc;

/// A rule as written: its peers (`from`/`to`) and ports.
type RawRule = (Option<Vec<NetworkPolicyPeer>>, Option<Vec<NetworkPolicyPort>>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    pub const BOTH: [Direction; 2] = [Direction::Ingress, Direction::Egress];

    /// `Ingress` / `Egress`, as in `policyTypes`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// `ingress` / `egress`, as in the spec's keys and in prose.
    pub fn key(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// `from` / `to`.
    pub fn peers_key(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

#[derive(Clone, Debug)]
pub enum PortValue {
    Number(i32),
    Name(String),
}

#[derive(Clone, Debug)]
pub struct PortFact {
    pub loc: Loc,
    pub protocol: String,
    pub port: Option<PortValue>,
    pub end_port: Option<i32>,
}

impl PortFact {
    /// Whether this entry admits a numeric port (and protocol, when given).
    pub fn admits(&self, port: i32, protocol: Option<&str>) -> bool {
        if protocol.is_some_and(|p| p != self.protocol) {
            return false;
        }
        match &self.port {
            None => true,
            Some(PortValue::Number(n)) => match self.end_port {
                Some(end) => *n <= port && port <= end,
                None => *n == port,
            },
            Some(PortValue::Name(_)) => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct IpBlockFact {
    pub cidr: String,
    pub cidr_loc: Loc,
    /// (except entry, its location).
    pub except: Vec<(String, Loc)>,
}

#[derive(Clone, Debug)]
pub struct PeerFact {
    pub index: usize,
    pub loc: Loc,
    pub pod_selector: Option<(Selector, Loc)>,
    pub namespace_selector: Option<(Selector, Loc)>,
    pub ip_block: Option<IpBlockFact>,
}

impl PeerFact {
    /// `namespaceSelector: {}` with no pod selector (or `podSelector: {}`): every pod of the
    /// cluster.
    pub fn all_cluster_pods(&self) -> bool {
        self.namespace_selector.as_ref().is_some_and(|(s, _)| s.is_empty())
            && self.pod_selector.as_ref().is_none_or(|(s, _)| s.is_empty())
    }

    /// `ipBlock` of `0.0.0.0/0` or `::/0` without exceptions.
    pub fn any_ip(&self) -> bool {
        self.ip_block
            .as_ref()
            .is_some_and(|b| (b.cidr == "0.0.0.0/0" || b.cidr == "::/0") && b.except.is_empty())
    }

    /// How the peer reads, for messages: `pods app=web in the policy's namespace`.
    pub fn describe(&self) -> String {
        match (&self.pod_selector, &self.namespace_selector, &self.ip_block) {
            (_, _, Some(b)) => format!("addresses in {}", b.cidr),
            (Some((p, _)), None, None) => format!("pods {p} in the policy's namespace"),
            (None, Some((n, _)), None) if n.is_empty() => "every pod in every namespace".to_string(),
            (None, Some((n, _)), None) => format!("every pod in namespaces {n}"),
            (Some((p, _)), Some((n, _)), None) => format!("pods {p} in namespaces {n}"),
            (None, None, None) => "nothing (an empty peer)".to_string(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct RuleFact {
    pub index: usize,
    pub loc: Loc,
    pub peers: Vec<PeerFact>,
    pub ports: Vec<PortFact>,
}

impl RuleFact {
    /// `- {}`: every peer on every port.
    pub fn allows_all(&self) -> bool {
        self.peers.is_empty() && self.ports.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct DirectionFact {
    /// The `ingress:`/`egress:` key is written.
    pub present: bool,
    /// Its location, or the spec's when absent.
    pub loc: Loc,
    pub rules: Vec<RuleFact>,
}

#[derive(Clone, Debug)]
pub struct NetpolFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: String,
    pub name: String,
    pub pod_selector: Selector,
    /// The `podSelector` entry, or the spec when absent.
    pub pod_selector_loc: Loc,
    /// `policyTypes` as written, with its location.
    pub policy_types: Option<(Vec<String>, Loc)>,
    /// The `spec` key.
    pub spec_loc: Loc,
    pub ingress: DirectionFact,
    pub egress: DirectionFact,
    /// Invalid selector requirements anywhere in the policy.
    pub invalid: Vec<Invalid>,
    /// Peers with `ipBlock` and another field: (peer location).
    pub ipblock_mixed: Vec<Loc>,
}

impl NetpolFact {
    pub fn direction(&self, d: Direction) -> &DirectionFact {
        match d {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }

    /// Effective `policyTypes`: as written; else Ingress always, Egress iff egress rules
    /// exist.
    pub fn has_type(&self, d: Direction) -> bool {
        match &self.policy_types {
            Some((types, _)) => types.iter().any(|t| t == d.name()),
            None => match d {
                Direction::Ingress => true,
                Direction::Egress => !self.egress.rules.is_empty(),
            },
        }
    }

    /// Selects every pod of its namespace (`podSelector: {}` or omitted).
    pub fn isolates_all(&self) -> bool {
        self.pod_selector.is_empty()
    }

    /// Isolates every pod for `d` and allows nothing in that direction.
    pub fn default_deny(&self, d: Direction) -> bool {
        self.isolates_all() && self.has_type(d) && self.direction(d).rules.is_empty()
    }

    pub fn new(
        obj: &Object,
        np: &NetworkPolicy,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: String,
    ) -> NetpolFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = Route::root().key("spec");
        let np_spec = np.spec.clone().unwrap_or_default();
        let mut invalid = Vec::new();
        let mut ipblock_mixed = Vec::new();
        let sel_route = spec.key("podSelector");
        let pod_selector = Selector::new(&np_spec.pod_selector.clone().unwrap_or_default(), |i| {
            at(&sel_route.key("matchExpressions").index(i))
        });
        invalid.extend(pod_selector.invalid.iter().cloned());
        let exists = |route: &Route| route.walk(tree, obj.root).matched == route.segs().len();
        let mut direction = |d: Direction, rules: Option<Vec<RawRule>>| {
            let key = spec.key(d.key());
            let rules = rules
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, (peers, ports))| {
                    let rule_route = key.index(i);
                    let peers = peers
                        .unwrap_or_default()
                        .into_iter()
                        .enumerate()
                        .map(|(j, p)| {
                            let peer_route = rule_route.key(d.peers_key()).index(j);
                            let selector =
                                |s: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
                                 field: &'static str| {
                                    s.as_ref().map(|s| {
                                        let r = peer_route.key(field);
                                        (Selector::new(s, |k| at(&r.key("matchExpressions").index(k))), at(&r))
                                    })
                                };
                            let peer = PeerFact {
                                index: j,
                                loc: at(&peer_route),
                                pod_selector: selector(&p.pod_selector, "podSelector"),
                                namespace_selector: selector(&p.namespace_selector, "namespaceSelector"),
                                ip_block: p.ip_block.as_ref().map(|b| IpBlockFact {
                                    cidr: b.cidr.clone(),
                                    cidr_loc: at(&peer_route.keys(&["ipBlock", "cidr"])),
                                    except: b
                                        .except
                                        .iter()
                                        .flatten()
                                        .enumerate()
                                        .map(|(k, e)| {
                                            (e.clone(), at(&peer_route.keys(&["ipBlock", "except"]).index(k)))
                                        })
                                        .collect(),
                                }),
                            };
                            for (s, _) in peer.pod_selector.iter().chain(&peer.namespace_selector) {
                                invalid.extend(s.invalid.iter().cloned());
                            }
                            if peer.ip_block.is_some()
                                && (peer.pod_selector.is_some() || peer.namespace_selector.is_some())
                            {
                                ipblock_mixed.push(peer.loc);
                            }
                            peer
                        })
                        .collect();
                    let ports = ports
                        .unwrap_or_default()
                        .into_iter()
                        .enumerate()
                        .map(|(k, p)| PortFact {
                            loc: at(&rule_route.key("ports").index(k)),
                            protocol: p.protocol.unwrap_or_else(|| "TCP".to_string()),
                            port: p.port.map(|v| match v {
                                IntOrString::Int(n) => PortValue::Number(n),
                                IntOrString::String(s) => PortValue::Name(s),
                            }),
                            end_port: p.end_port,
                        })
                        .collect();
                    RuleFact {
                        index: i,
                        loc: at(&rule_route),
                        peers,
                        ports,
                    }
                })
                .collect();
            DirectionFact {
                present: exists(&key),
                loc: at(&key),
                rules,
            }
        };
        let ingress = direction(
            Direction::Ingress,
            np_spec
                .ingress
                .clone()
                .map(|r| r.into_iter().map(|r| (r.from, r.ports)).collect()),
        );
        let egress = direction(
            Direction::Egress,
            np_spec
                .egress
                .clone()
                .map(|r| r.into_iter().map(|r| (r.to, r.ports)).collect()),
        );
        let types_route = spec.key("policyTypes");
        NetpolFact {
            obj: oref.clone(),
            name: obj.name().unwrap_or("<unnamed>").to_string(),
            namespace,
            pod_selector,
            pod_selector_loc: at(&sel_route),
            // An empty list is defaulted like an absent one.
            policy_types: np_spec
                .policy_types
                .clone()
                .filter(|t| !t.is_empty())
                .map(|t| (t, at(&types_route))),
            spec_loc: at(&spec),
            ingress,
            egress,
            invalid,
            ipblock_mixed,
        }
    }
}
