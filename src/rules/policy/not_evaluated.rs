//! `policy-not-evaluated`: offline evaluation cannot decide a policy for some objects (authorizer, requesting user, cluster reads, a namespace or param not in the set, UPDATE-only rules): one finding per policy and reason, never a silent pass.
//! See [`crate::policy`] for the evaluation.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(PolicyNotEvaluated, "policy-not-evaluated");

impl Rule for PolicyNotEvaluated {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        crate::policy::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        crate::policy::report(cx, crate::policy::NOT_EVALUATED, out);
    }
}
