//! `canary-gitops-replicas-conflict`: the Canary's target sets `spec.replicas` and has no
//! autoscaler: Flagger scales the target to zero after each promotion, and every apply or
//! GitOps sync scales it back up (unless an Argo CD Application managing the namespace
//! ignores `/spec/replicas` and respects that on sync). The finding belongs to the Canary and
//! points at the workload's `spec.replicas`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::kinds::group_of;

declare_rule!(GitopsReplicasConflict, "canary-gitops-replicas-conflict");

impl Rule for GitopsReplicasConflict {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for c in &index.canaries {
            if c.autoscaler.is_some() {
                continue;
            }
            let Some(t) = &c.target else { continue };
            let (kind, name) = (t.kind.as_deref().unwrap_or(""), t.name.as_deref().unwrap_or(""));
            let Some(target) = index.workload_from(c.obj.file, kind, &c.namespace, name) else {
                continue;
            };
            for w in target.candidates() {
                let ambiguity = index.ambiguity(&target, w);
                let Some((replicas, loc)) = w.replicas else { continue };
                let name = w.obj.name.as_deref().unwrap_or("");
                if index.gitops_ignores(
                    &c.namespace,
                    group_of(&w.obj.api_version),
                    &w.obj.kind,
                    name,
                    "/spec/replicas",
                ) {
                    continue;
                }
                out.emit_for(
                &c.obj,
                loc,
                format!(
                    "Flagger scales {} to zero after each promotion of Canary `{}`, but every apply or sync sets replicas={replicas} again{ambiguity}",
                    w.display(),
                    c.name
                ),
            )
            .label("drop it and use an HPA (autoscalerRef)")
            .related(c.target_loc, format!("Canary `{}` targets this workload", c.name));
                if let Some(fix) = crate::engine::Fix::for_object(
                    &w.obj,
                    crate::engine::Applicability::Unsafe,
                    format!("remove spec.replicas from {} (Flagger scales it)", w.display()),
                ) && let Some(f) = out.last()
                {
                    f.with_fix(fix.remove(crate::source::Route::root().keys(&["spec", "replicas"]), false));
                }
            }
        }
    }
}
