//! `crd-validation-rule`: a custom resource that breaks an `x-kubernetes-validations` rule
//! of its CustomResourceDefinition (a CEL rule the API server evaluates on the object as
//! defaulted), at the rule's `fieldPath` or the field the rule reads.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(ValidationRule, "crd-validation-rule");

impl Rule for ValidationRule {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        super::emit(&super::checked(cx).rules, out);
    }
}
