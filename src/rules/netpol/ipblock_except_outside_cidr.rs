//! `netpol-ipblock-except-outside-cidr`: an `ipBlock` whose `cidr` is not a CIDR, whose
//! `except` entries are not strict subnets of it, or that shares its peer with a selector.
//! The API server rejects each.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::netpol::Direction;
use ipnet::IpNet;

declare_rule!(IpblockExceptOutsideCidr, "netpol-ipblock-except-outside-cidr");

impl Rule for IpblockExceptOutsideCidr {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            for loc in &p.ipblock_mixed {
                out.emit_for(
                    &p.obj,
                    *loc,
                    format!("a peer of NetworkPolicy `{}` combines ipBlock with a selector; ipBlock must be the only field of its peer", p.name),
                )
                .label("rejected by the API server");
            }
            for d in Direction::BOTH {
                for rule in &p.direction(d).rules {
                    for block in rule.peers.iter().filter_map(|peer| peer.ip_block.as_ref()) {
                        let Ok(cidr) = block.cidr.parse::<IpNet>() else {
                            out.emit_for(
                                &p.obj,
                                block.cidr_loc,
                                format!("ipBlock cidr `{}` is not a valid CIDR", block.cidr),
                            )
                            .label("rejected by the API server");
                            continue;
                        };
                        for (except, loc) in &block.except {
                            let problem = match except.parse::<IpNet>() {
                                Err(_) => Some(format!("ipBlock except `{except}` is not a valid CIDR")),
                                Ok(e) if !(cidr.contains(&e) && e.prefix_len() > cidr.prefix_len()) => Some(format!(
                                    "ipBlock except `{except}` is not within `{}` (rejected by the API server)",
                                    block.cidr
                                )),
                                Ok(_) => None,
                            };
                            if let Some(message) = problem {
                                out.emit_for(&p.obj, *loc, message)
                                    .label("must be a strict subnet of the cidr")
                                    .related(block.cidr_loc, "the cidr");
                            }
                        }
                    }
                }
            }
        }
    }
}
