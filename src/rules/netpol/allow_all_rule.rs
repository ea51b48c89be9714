//! `netpol-allow-all-rule`: in a policy for some pods, a rule that allows every peer on every
//! port (`- {}`), every pod of the cluster (`namespaceSelector: {}`), or any address
//! (`0.0.0.0/0` or `::/0` without exceptions).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::netpol::Direction;

declare_rule!(AllowAllRule, "netpol-allow-all-rule");

impl Rule for AllowAllRule {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            if p.isolates_all() {
                continue;
            }
            for d in Direction::BOTH {
                if !p.has_type(d) {
                    continue;
                }
                for rule in &p.direction(d).rules {
                    let ports = if rule.ports.is_empty() {
                        "on every port"
                    } else {
                        "on the listed ports"
                    };
                    let found = if rule.allows_all() {
                        Some((rule.loc, "every peer on every port".to_string()))
                    } else if let Some(peer) = rule.peers.iter().find(|peer| peer.all_cluster_pods()) {
                        Some((peer.loc, format!("every pod of every namespace {ports}")))
                    } else {
                        rule.peers.iter().find(|peer| peer.any_ip()).and_then(|peer| {
                            peer.ip_block
                                .as_ref()
                                .map(|b| (peer.loc, format!("any address ({}) {ports}", b.cidr)))
                        })
                    };
                    let Some((loc, what)) = found else { continue };
                    out.emit_for(
                        &p.obj,
                        loc,
                        format!(
                            "{} rule #{} of NetworkPolicy `{}` allows {what}",
                            d.name(),
                            rule.index + 1,
                            p.name
                        ),
                    )
                    .label("allows far more than needed");
                }
            }
        }
    }
}
