//! `workload-recreate-strategy`: a Deployment or DeploymentConfig with
//! `strategy.type: Recreate` whose pods a Service selects: every rollout stops all pods
//! before starting new ones, so the Service has no endpoints in between.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(RecreateStrategy, "workload-recreate-strategy");

impl Rule for RecreateStrategy {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for w in &index.workloads {
            let Some(loc) = w.controller.recreate else { continue };
            let Some(svc) = index.services_selecting(&w.namespace, &w.template_labels).next() else {
                continue;
            };
            out.emit_for(
                &w.obj,
                loc,
                format!(
                    "`{}` uses the Recreate strategy; every rollout takes Service `{}` down",
                    w.obj.name.as_deref().unwrap_or("<unnamed>"),
                    svc.name
                ),
            )
            .label("all pods stop before new ones start")
            .related(svc.selector_loc, format!("Service `{}` selects its pods", svc.name));
        }
    }
}
