//! `canary-target-not-found`: the Canary's `targetRef` names no object Flagger can target in
//! its namespace of the set: a Deployment or DaemonSet, or a Service — a Knative
//! `serving.knative.dev/v1` Service (`provider: knative`) or a core `v1` Service — or it names
//! another kind. Without `complete_set` a missing target is `info`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::kinds::group_of;

declare_rule!(TargetNotFound, "canary-target-not-found");

impl Rule for TargetNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for c in &index.canaries {
            let Some(t) = &c.target else {
                out.emit_for(&c.obj, c.target_loc, format!("Canary `{}` has no targetRef", c.name))
                    .label("targetRef is required");
                continue;
            };
            let kind = t.kind.as_deref().unwrap_or("");
            let name = t.name.as_deref().unwrap_or("");
            let group = t.api_version.as_deref().map(group_of);
            let found = match kind {
                "Deployment" | "DaemonSet" => index.workload_from(c.obj.file, kind, &c.namespace, name).is_some(),
                "Service" => index
                    .find_from(c.obj.file, Some(group.unwrap_or("")), kind, Some(&c.namespace), name)
                    .is_some(),
                _ => {
                    out.emit_for(
                        &c.obj,
                        c.target_loc,
                        format!(
                            "Canary `{}` targets {kind} `{name}`; Flagger targets a Deployment, a DaemonSet or a (Knative) Service",
                            c.name
                        ),
                    )
                    .label("unsupported target kind");
                    continue;
                }
            };
            if found {
                continue;
            }
            let what = match (kind, group) {
                ("Service", Some("serving.knative.dev")) => "Knative Service".to_string(),
                _ => kind.to_string(),
            };
            let f = out.emit_for(
                &c.obj,
                c.target_loc,
                format!(
                    "Canary `{}` targets {what} `{name}` which is not in the set (namespace `{}`)",
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
