//! `workload-memory-limit-missing`: a container (main, sidecar or init) without an
//! effective memory limit: neither its own `resources`, nor a LimitRange container default
//! of its namespace, nor the pod-level `spec.resources` gives one (an explicit 0 counts as
//! none).

use super::resources::{Want, check};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(MemoryLimitMissing, "workload-memory-limit-missing");

impl Rule for MemoryLimitMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check(cx, out, 1, Want::Limit);
    }
}
