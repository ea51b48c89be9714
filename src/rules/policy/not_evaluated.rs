//! `policy-not-evaluated`: offline evaluation cannot decide a policy for some objects (authorizer, requesting user, cluster reads, a namespace or param not in the set, UPDATE-only rules): one finding per policy and reason, never a silent pass.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PolicyNotEvaluated, "policy-not-evaluated");

impl Rule for PolicyNotEvaluated {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::NOT_EVALUATED, out);
    }
}
