//! `hpa-pdb-blocks-eviction`: a PodDisruptionBudget selecting the target's pods allows no
//! disruption when the HPA runs at `minReplicas` (`minAvailable` at or above it, or
//! `maxUnavailable: 0`): node drains block. The target is the workload of that name closest
//! to the HPA (docs/cross-object.md); the PDBs are those of its namespace.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(PdbBlocksEviction, "hpa-pdb-blocks-eviction");

impl Rule for PdbBlocksEviction {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for h in &index.hpas {
            let Some(target) = index.workload_from(h.obj.file, &h.target.kind, &h.namespace, &h.target.name) else {
                continue;
            };
            for w in target.candidates() {
                let ambiguity = index.ambiguity(&target, w);
                for pdb in index.pdbs_selecting(&h.namespace, &w.template_labels) {
                    if !pdb.blocks_at(h.min_replicas) {
                        continue;
                    }
                    out.emit_for(
                        &pdb.obj,
                        pdb.loc,
                        format!(
                            "PDB `{}` ({}) allows no disruption of {} at HPA `{}`'s minReplicas={}; node drains will block{ambiguity}",
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
}
