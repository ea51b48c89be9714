//! `netpol-namespace-no-default-deny-ingress`: a namespace with workloads but no policy that
//! denies ingress to every pod by default.

use super::{DefaultDenyOptions, check_default_deny};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::netpol::Direction;

pub struct NamespaceNoDefaultDenyIngress(DefaultDenyOptions);

impl RuleDef for NamespaceNoDefaultDenyIngress {
    const ID: &'static str = "netpol-namespace-no-default-deny-ingress";
    type Options = DefaultDenyOptions;
    fn new(options: DefaultDenyOptions) -> Self {
        NamespaceNoDefaultDenyIngress(options)
    }
}

impl Rule for NamespaceNoDefaultDenyIngress {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check_default_deny(cx, out, Direction::Ingress, &self.0);
    }
}
