//! `policy-unbound`: a ValidatingAdmissionPolicy with no binding in the set does nothing in a cluster; it is evaluated as if bound with Deny.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PolicyUnbound, "policy-unbound");

impl Rule for PolicyUnbound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::UNBOUND, out);
    }
}
