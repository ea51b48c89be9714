//! `policy-violation`: a validation of a policy evaluated to false for an object of the set, at the field the expression is about.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PolicyViolation, "policy-violation");

impl Rule for PolicyViolation {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::VIOLATION, out);
    }
}
