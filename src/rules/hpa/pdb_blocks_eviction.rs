//! `hpa-pdb-blocks-eviction`: a PodDisruptionBudget selecting the target's pods allows no
//! disruption when the HPA runs at `minReplicas` (`minAvailable` at or above it, or
//! `maxUnavailable: 0`): node drains block.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PdbBlocksEviction, "hpa-pdb-blocks-eviction");

impl Rule for PdbBlocksEviction {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for h in &index.hpas {
            let Some(w) = index.workload(&h.target.kind, &h.namespace, &h.target.name) else {
                continue;
            };
            for pdb in index.pdbs.iter().filter(|p| p.namespace == h.namespace) {
                if !pdb.selector.matches(&w.template_labels) || !pdb.blocks_at(h.min_replicas) {
                    continue;
                }
                out.emit_for(
                    &pdb.obj,
                    pdb.loc,
                    format!(
                        "PDB `{}` ({}) allows no disruption of {} at HPA `{}`'s minReplicas={}; node drains will block",
                        pdb.name,
                        pdb.describe(),
                        w.display(),
                        h.name,
                        h.min_replicas
                    ),
                )
                .label("blocks evictions at the HPA's minimum")
                .related(
                    h.min_loc,
                    format!("HPA `{}` may scale down to {}", h.name, h.min_replicas),
                );
            }
        }
    }
}
