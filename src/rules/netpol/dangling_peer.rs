//! `netpol-dangling-peer`: a rule peer whose `podSelector` (without `namespaceSelector`)
//! matches no workload of the policy's namespace, or whose `namespaceSelector` matches no
//! namespace of the set (judged only when the set declares Namespace objects). Such a peer
//! allows nothing. Without `complete_set` the finding is `info`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::netpol::Direction;

declare_rule!(DanglingPeer, "netpol-dangling-peer");

impl Rule for DanglingPeer {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for p in &index.netpols {
            for d in Direction::BOTH {
                for rule in &p.direction(d).rules {
                    for peer in &rule.peers {
                        let what = match (&peer.pod_selector, &peer.namespace_selector) {
                            (Some((sel, loc)), None) => {
                                if index.workloads_matching(&p.namespace, sel).next().is_some() {
                                    continue;
                                }
                                (*loc, format!("pods {sel} in namespace `{}`", p.namespace))
                            }
                            (_, Some((sel, loc))) if !sel.is_empty() && !index.namespaces.is_empty() => {
                                let selection = index.namespaces_matching(sel);
                                if !selection.yes.is_empty() || !selection.unknown.is_empty() {
                                    continue;
                                }
                                (*loc, format!("namespaces {sel}"))
                            }
                            _ => continue,
                        };
                        let (loc, desc) = what;
                        let f = out.emit_for(
                            &p.obj,
                            loc,
                            format!(
                                "peer #{} of {} rule #{} of NetworkPolicy `{}` matches no {desc} in the set",
                                peer.index + 1,
                                d.key(),
                                rule.index + 1,
                                p.name
                            ),
                        );
                        f.label("matches nothing in the set");
                        if !cx.settings.complete_set {
                            f.at_most(Severity::Info);
                        }
                    }
                }
            }
        }
    }
}
