//! `canary-target-not-found`: the Canary's `targetRef` names no Deployment or DaemonSet of
//! its namespace in the set (or names another kind). Without `complete_set` a missing target
//! is `info`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(TargetNotFound, "canary-target-not-found");

impl Rule for TargetNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for c in &cx.index.canaries {
            let Some(t) = &c.target else {
                out.emit_for(&c.obj, c.target_loc, format!("Canary `{}` has no targetRef", c.name))
                    .label("targetRef is required");
                continue;
            };
            let kind = t.kind.as_deref().unwrap_or("");
            let name = t.name.as_deref().unwrap_or("");
            if kind != "Deployment" && kind != "DaemonSet" {
                out.emit_for(
                    &c.obj,
                    c.target_loc,
                    format!(
                        "Canary `{}` targets {kind} `{name}`; Flagger targets a Deployment or DaemonSet",
                        c.name
                    ),
                )
                .label("unsupported target kind");
                continue;
            }
            if cx.index.workload(kind, &c.namespace, name).is_some() {
                continue;
            }
            let f = out.emit_for(
                &c.obj,
                c.target_loc,
                format!(
                    "Canary `{}` targets {kind} `{name}` which is not in the set (namespace `{}`)",
                    c.name, c.namespace
                ),
            );
            f.label("target not found");
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}
