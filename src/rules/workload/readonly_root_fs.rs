//! `workload-readonly-root-fs`: a container (main, sidecar or init) whose
//! `securityContext.readOnlyRootFilesystem` is not `true`. There is no pod-level field.
//! Windows pods are skipped: the API forbids the field there.

use super::{all_sets, subject};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::edit::Value;

declare_rule!(ReadonlyRootFs, "workload-readonly-root-fs");

impl Rule for ReadonlyRootFs {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        if w.spec.os.as_ref().is_some_and(|os| os.name == "windows") {
            return;
        }
        for (set, c) in all_sets(&w) {
            let value = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.read_only_root_filesystem);
            if value == Some(true) {
                continue;
            }
            let f = out.emit(
                cx.at(&c.security_context_route("readOnlyRootFilesystem")),
                format!(
                    "{} `{}` of {} can write to its root filesystem",
                    set.title(),
                    c.name(),
                    subject(cx)
                ),
            );
            if value == Some(false) {
                f.label("writable root filesystem");
            }
            f.with_fix(
                cx.fix(
                    Applicability::Unsafe,
                    format!("set readOnlyRootFilesystem: true on container `{}`", c.name()),
                )
                .set(c.security_context_route("readOnlyRootFilesystem"), Value::Bool(true)),
            );
        }
    }
}
