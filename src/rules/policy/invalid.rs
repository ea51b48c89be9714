//! `policy-invalid`: a policy or binding the API server rejects: an expression that does not compile or reads an undeclared name, a binding with Deny and Warn, a bad paramRef.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(PolicyInvalid, "policy-invalid");

impl Rule for PolicyInvalid {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        crate::policy::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::INVALID, out);
    }
}
