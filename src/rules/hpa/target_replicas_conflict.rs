//! `hpa-target-replicas-conflict`: the HPA's target sets `spec.replicas` in Git. Every apply
//! or GitOps sync resets the count the HPA chose, unless an Argo CD Application managing
//! the namespace ignores `/spec/replicas` and respects that on sync. The finding belongs to
//! the HPA and points at the workload's `spec.replicas`, the line to remove.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::kinds::group_of;

declare_rule!(TargetReplicasConflict, "hpa-target-replicas-conflict");

impl Rule for TargetReplicasConflict {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for h in &index.hpas {
            let Some(target) = index.workload_from(h.obj.file, &h.target.kind, &h.namespace, &h.target.name) else {
                continue;
            };
            for w in target.candidates() {
                let ambiguity = index.ambiguity(&target, w);
                let Some((replicas, loc)) = w.replicas else { continue };
                let name = w.obj.name.as_deref().unwrap_or("");
                let group = group_of(&w.obj.api_version);
                if index.gitops_ignores(&h.namespace, group, &w.obj.kind, name, "/spec/replicas") {
                    continue;
                }
                out.emit_for(
                &h.obj,
                loc,
                format!(
                    "{} sets spec.replicas={replicas} while HPA `{}` controls it; every apply or sync resets the replica count{ambiguity}",
                    w.display(),
                    h.name
                ),
            )
            .label("remove it: the HPA owns the replica count")
            .related(h.target_loc, format!("HPA `{}` scales this workload", h.name));
                // Unsafe: under client-side apply, removing the field may drop the replica
                // count once, to the default.
                if let Some(fix) = crate::engine::Fix::for_object(
                    &w.obj,
                    crate::engine::Applicability::Unsafe,
                    format!("remove spec.replicas from {} (HPA `{}` owns it)", w.display(), h.name),
                ) && let Some(f) = out.last()
                {
                    f.with_fix(fix.remove(crate::source::Route::root().keys(&["spec", "replicas"]), false));
                }
            }
        }
    }
}
