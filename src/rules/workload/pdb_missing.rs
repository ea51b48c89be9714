//! `workload-pdb-missing`: a replicated workload (a replica floor of 2 or more: its
//! `spec.replicas`, or the lowest `minReplicas` of the HPAs that scale it) whose pods no
//! PodDisruptionBudget of its namespace selects. A Rollout that runs a Deployment's template
//! (`workloadRef`) is judged with its own replicas and the Deployment is skipped;
//! DeploymentConfigs are skipped (their replica semantics are unverified).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PdbMissing, "workload-pdb-missing");

impl Rule for PdbMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.replicated() {
            let t = r.template;
            if r.floor() < 2 || index.pdbs_selecting(&t.namespace, &t.template_labels).next().is_some() {
                continue;
            }
            out.emit_for(
                r.obj,
                r.loc,
                format!(
                    "{} `{}` runs {} but no PodDisruptionBudget protects it (none of namespace `{}` selects its pods); a node drain may evict all of them at once",
                    r.kind(),
                    r.name(),
                    r.describe_count(),
                    r.namespace
                ),
            )
            .label("no PodDisruptionBudget selects these pods");
        }
    }
}
