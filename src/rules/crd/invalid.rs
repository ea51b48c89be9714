//! `crd-invalid`: a CustomResourceDefinition the API server rejects or does not establish:
//! a schema that sets `uniqueItems: true`, is not structural (a field without `type`
//! outside `x-kubernetes-int-or-string`/`x-kubernetes-preserve-unknown-fields`, an array
//! without `items`), has a `pattern` that is not a regular expression, or a second CRD of
//! the same group and kind applied together with the first.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(Invalid, "crd-invalid");

impl Rule for Invalid {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        super::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        super::emit(&super::checked(cx).invalid, out);
    }
}
