//! `workload-replicas-not-spread` (off by default): a replicated workload (workload-checks
//! §1.4) whose template neither has a `podAntiAffinity` term that selects its own pods on one
//! of the option `topology_keys` in its own namespace, nor a `topologySpreadConstraints`
//! entry that selects its own pods (any key). A term without `labelSelector` matches no pods
//! and does not count. DeploymentConfigs are skipped (their replica semantics are
//! unverified); a Rollout that runs a Deployment's template is judged on that template.

use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::selector::Tri;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub topology_keys: Vec<String>,
}

pub struct ReplicasNotSpread(Options);

impl RuleDef for ReplicasNotSpread {
    const ID: &'static str = "workload-replicas-not-spread";
    type Options = Options;
    fn new(options: Options) -> Self {
        ReplicasNotSpread(options)
    }
}

impl Rule for ReplicasNotSpread {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.replicated() {
            let spread = &r.template.spread;
            if r.floor() < 2 || spread.constrained {
                continue;
            }
            let anti_affinity = spread.anti_affinity.iter().any(|(key, namespaces)| {
                self.0.topology_keys.iter().any(|k| k == &**key)
                    && namespaces
                        .as_ref()
                        .is_none_or(|s| index.namespace_matches(r.namespace, s) != Tri::No)
            });
            if anti_affinity {
                continue;
            }
            out.emit_for(
                &r.template.obj,
                spread.loc,
                format!(
                    "{} `{}` runs {} with no anti-affinity or topology spread; they may all land on one node",
                    r.kind(),
                    r.name(),
                    r.describe_count()
                ),
            )
            .label("nothing spreads these replicas");
        }
    }
}
