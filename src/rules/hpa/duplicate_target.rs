//! `hpa-duplicate-target`: two HPAs scale the same workload and fight over its replicas.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(DuplicateTarget, "hpa-duplicate-target");

impl Rule for DuplicateTarget {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for ((namespace, kind, name), hpas) in &cx.index.hpas_by_target {
            // The same HPA written twice (one object) is not two HPAs.
            let names: std::collections::BTreeSet<&str> =
                hpas.iter().map(|i| cx.index.hpas[*i].name.as_str()).collect();
            if names.len() < 2 {
                continue;
            }
            for (i, a) in hpas.iter().enumerate() {
                let a = &cx.index.hpas[*a];
                let others: Vec<_> = hpas
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, b)| &cx.index.hpas[*b])
                    .filter(|o| o.name != a.name)
                    .collect();
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
