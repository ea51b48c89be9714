//! `workload-single-replica` (off by default): a Deployment or Rollout that a Service
//! selects, that no HPA scales, and that runs fewer replicas than the option `min_replicas`
//! (default 2): a single pod going away takes the Service down. DeploymentConfigs are
//! skipped (their replica semantics are unverified).

use crate::engine::{Out, Rule, RuleDef, SetCx};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub min_replicas: i32,
}

pub struct SingleReplica(Options);

impl RuleDef for SingleReplica {
    const ID: &'static str = "workload-single-replica";
    type Options = Options;
    fn new(options: Options) -> Self {
        SingleReplica(options)
    }
    fn check_options(options: &Options) -> Result<(), String> {
        if options.min_replicas < 1 {
            return Err(format!("min_replicas must be at least 1, not {}", options.min_replicas));
        }
        Ok(())
    }
}

impl Rule for SingleReplica {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.replicated() {
            if !matches!(r.kind(), "Deployment" | "Rollout") || r.hpa.is_some() || r.floor() >= self.0.min_replicas {
                continue;
            }
            let t = r.template;
            let Some(svc) = index.services_selecting(&t.namespace, &t.template_labels).next() else {
                continue;
            };
            let n = r.floor();
            let target = r.replicas.map_or(r.loc, |(_, loc)| loc);
            let written = if r.replicas.is_some() { "" } else { " (the default)" };
            out.emit_for(
                r.obj,
                target,
                format!(
                    "{} `{}` runs {n} replica{}{written} behind Service `{}`; losing one pod (a node drain, an eviction, a crash) takes the Service down",
                    r.kind(),
                    r.name(),
                    if n == 1 { "" } else { "s" },
                    svc.name
                ),
            )
            .label(format!("fewer than {} replicas", self.0.min_replicas))
            .related(svc.selector_loc, format!("Service `{}` selects its pods", svc.name));
        }
    }
}
