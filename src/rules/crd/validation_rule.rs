//! `crd-validation-rule`: a custom resource that breaks an `x-kubernetes-validations` rule
//! of its CustomResourceDefinition (a CEL rule the API server evaluates on the object as
//! defaulted), at the rule's `fieldPath` or the field the rule reads.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(ValidationRule, "crd-validation-rule");

impl Rule for ValidationRule {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        super::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        super::emit(&super::checked(cx).rules, out);
    }
}
