//! `netpol-namespace-no-default-deny-egress`: a namespace with workloads but no policy that
//! denies egress from every pod by default (which needs `Egress` listed in `policyTypes`).

use super::{DefaultDenyOptions, check_default_deny};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::netpol::Direction;

pub struct NamespaceNoDefaultDenyEgress(DefaultDenyOptions);

impl RuleDef for NamespaceNoDefaultDenyEgress {
    const ID: &'static str = "netpol-namespace-no-default-deny-egress";
    type Options = DefaultDenyOptions;
    fn new(options: DefaultDenyOptions) -> Self {
        NamespaceNoDefaultDenyEgress(options)
    }
}

impl Rule for NamespaceNoDefaultDenyEgress {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check_default_deny(cx, out, Direction::Egress, &self.0);
    }
}
