//! `policy-evaluation-error`: a validation or match condition failed to evaluate for an object (a runtime error, or a binding that cannot be configured).
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PolicyEvaluationError, "policy-evaluation-error");

impl Rule for PolicyEvaluationError {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::EVALUATION_ERROR, out);
    }
}
