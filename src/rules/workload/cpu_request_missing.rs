//! `workload-cpu-request-missing`: a container (main, sidecar or init) without an effective
//! cpu request: neither its own `resources`, nor a LimitRange container default of its
//! namespace, nor the pod-level `spec.resources` gives one (an explicit 0 counts as none).

use super::resources::{Want, check};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(CpuRequestMissing, "workload-cpu-request-missing");

impl Rule for CpuRequestMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        check(cx, out, 0, Want::Request);
    }
}
