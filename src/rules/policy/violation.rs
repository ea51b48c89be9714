//! `policy-violation`: a validation of a policy evaluated to false for an object of the set, at the field the expression is about.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(PolicyViolation, "policy-violation");

impl Rule for PolicyViolation {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        crate::policy::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::VIOLATION, out);
    }
}
