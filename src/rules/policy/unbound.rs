//! `policy-unbound`: a ValidatingAdmissionPolicy with no binding in the set does nothing in a cluster; it is evaluated as if bound with Deny.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(PolicyUnbound, "policy-unbound");

impl Rule for PolicyUnbound {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        crate::policy::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::UNBOUND, out);
    }
}
