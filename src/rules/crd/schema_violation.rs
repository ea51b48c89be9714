//! `crd-schema-violation`: a custom resource whose CustomResourceDefinition is in the set
//! and serves its version, with a value the CRD's structural schema rejects (type, format,
//! enum, bounds, lengths, pattern, required fields, list types, embedded resources), judged
//! as the API server does: on the object as defaulted, with non-nullable nulls pruned.

use crate::declare_rule;
use crate::engine::{Kept, ObjectCx, Out, Rule, SetCx};
use crate::model::ObjectRef;
use std::sync::Arc;

declare_rule!(SchemaViolation, "crd-schema-violation");

impl Rule for SchemaViolation {
    fn keep(&self, cx: &ObjectCx<'_>, oref: &Arc<ObjectRef>, kept: &mut Kept) {
        super::keep(cx, oref, kept);
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        super::emit(&super::checked(cx).violations, out);
    }
}
