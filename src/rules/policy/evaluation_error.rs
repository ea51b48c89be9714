//! `policy-evaluation-error`: a validation or match condition failed to evaluate for an object (a runtime error, or a binding that cannot be configured).
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(PolicyEvaluationError, "policy-evaluation-error");

impl Rule for PolicyEvaluationError {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        crate::policy::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::EVALUATION_ERROR, out);
    }
}
