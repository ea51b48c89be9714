//! `hpa-duplicate-target`: two HPAs scale the same workload and fight over its replicas. Each
//! HPA's target is the workload of that name closest to it (docs/cross-object.md), so HPAs
//! of unrelated examples that happen to share a namespace and a target name are not paired.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::scaling::HpaFact;
use std::collections::BTreeMap;

declare_rule!(DuplicateTarget, "hpa-duplicate-target");

impl Rule for DuplicateTarget {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for ((namespace, kind, name), hpas) in index.hpas_by_target.iter() {
            if hpas.len() < 2 {
                continue;
            }
            // HPAs by the workload they resolve to (its file and position); HPAs whose target
            // is not in the set share the identity only.
            let mut by_target: BTreeMap<Option<(crate::source::FileId, u32)>, Vec<&HpaFact>> = BTreeMap::new();
            for i in hpas {
                let h = &index.hpas[*i as usize];
                let target = index
                    .workload_from(h.obj.file, kind, namespace, name)
                    .map(|r| (r.best.obj.file, r.best.obj.index));
                by_target.entry(target).or_default().push(h);
            }
            for group in by_target.values() {
                // The same HPA written twice (one object) is not two HPAs.
                let names: std::collections::BTreeSet<&str> = group.iter().map(|h| &*h.name).collect();
                if names.len() < 2 {
                    continue;
                }
                for a in group {
                    let others: Vec<&&HpaFact> = group.iter().filter(|o| o.name != a.name).collect();
                    let names: Vec<String> = others.iter().map(|o| format!("`{}`", o.name)).collect();
                    let f = out.emit_for(
                        &a.obj,
                        a.target_loc,
                        format!(
                            "HPA `{}` and {} all scale {kind}/{name} in `{namespace}`; they will fight over its replicas",
                            a.name,
                            names.join(", ")
                        ),
                    );
                    f.label("scaled by another HPA too");
                    for o in others {
                        f.related(o.target_loc, format!("HPA `{}` scales it too", o.name));
                    }
                }
            }
        }
    }
}
