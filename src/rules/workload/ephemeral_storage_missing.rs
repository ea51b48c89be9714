//! `workload-ephemeral-storage-missing`: a container (main, sidecar or init) without an
//! effective ephemeral-storage request or limit: neither its own `resources`, nor a
//! LimitRange container default of its namespace, nor the pod-level `spec.resources` gives
//! one (an explicit 0 counts as none).

use super::resources::{Want, check};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(EphemeralStorageMissing, "workload-ephemeral-storage-missing");

impl Rule for EphemeralStorageMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check(cx, out, 2, Want::RequestOrLimit);
    }
}
