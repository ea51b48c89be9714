//! `ref-rollout-service-not-found`: an Argo `Rollout` whose `strategy.canary.stableService`
//! / `canaryService` or `strategy.blueGreen.activeService` / `previewService` names no
//! Service of its namespace; the controller marks the Rollout `InvalidSpec`. Without
//! `complete_set` the finding is `info`.

use super::not_in_set;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::refs::Target;

declare_rule!(RolloutServiceNotFound, "ref-rollout-service-not-found");

impl Rule for RolloutServiceNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.refs.to(Target::RolloutService) {
            if index.service_from(r.obj.file, &r.namespace, &r.name).is_some() {
                continue;
            }
            let f = out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "Rollout `{}` names Service `{}` in `{}`, which is not in the set (no Service `{}` in namespace `{}`); the controller marks the Rollout InvalidSpec",
                    r.obj.name.as_deref().unwrap_or("<unnamed>"),
                    r.name,
                    r.field,
                    r.name,
                    r.namespace
                ),
            );
            f.label("Service not found");
            not_in_set(cx, f);
        }
    }
}
