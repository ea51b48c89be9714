//! `workload-pdb-selector`: a PodDisruptionBudget whose selector protects the wrong pods:
//! (a) absent, it selects no pods; (b) it matches no pod template of its namespace (`info`
//! unless `complete_set`); (c) `{}` selects every pod of the namespace in `policy/v1`
//! (`info`; usually carried over from `policy/v1beta1`, where it selected none, and then
//! reported as (a)); (d) two PodDisruptionBudgets select the same template: the Eviction API
//! refuses to evict a pod covered by more than one.
//!
//! (a) and (c) are read from the object, (b) and (d) from the index: the templates a PDB
//! selects are a label-index lookup, and so are the PDBs that select each of them.

use super::name;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, SetCx, Severity, first_few};
use crate::model::Typed;
use crate::model::scaling::{PdbFact, PdbSelectorForm};
use crate::source::Route;

declare_rule!(PdbSelector, "workload-pdb-selector");

impl Rule for PdbSelector {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Typed::PodDisruptionBudget(p) = &cx.obj.typed else {
            return;
        };
        let name = name(cx);
        let v1 = cx.obj.api_version == "policy/v1";
        let selector = p.spec.as_ref().and_then(|s| s.selector.as_ref());
        let route = Route::root().keys(&["spec", "selector"]);
        match selector {
            None => {
                out.emit(
                    cx.at(&route),
                    format!("PodDisruptionBudget `{name}` has no selector: it selects no pods and protects nothing"),
                )
                .label("add the labels of the pods to protect");
            }
            Some(s)
                if s.match_labels.iter().flatten().next().is_none()
                    && s.match_expressions.iter().flatten().next().is_none() =>
            {
                if v1 {
                    out.emit(
                        cx.at(&route),
                        format!(
                            "PodDisruptionBudget `{name}` has an empty selector: in policy/v1 it selects every pod of the namespace (in policy/v1beta1 it selected none)"
                        ),
                    )
                    .label("selects every pod of the namespace")
                    .at_most(Severity::Info);
                } else {
                    out.emit(
                        cx.at(&route),
                        format!(
                            "PodDisruptionBudget `{name}` has an empty selector: in {} it selects no pods, and once moved to policy/v1 it selects every pod of the namespace",
                            cx.obj.api_version
                        ),
                    )
                    .label("selects no pods here, every pod in policy/v1");
                }
            }
            Some(_) => {}
        }
    }

    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for p in &index.pdbs {
            if p.selector_form != PdbSelectorForm::Written {
                continue;
            }
            let mut selected = index.workloads_matching(&p.namespace, &p.selector).peekable();
            if selected.peek().is_none() {
                let searched = index.workloads_by_namespace.get(&p.namespace).map_or(0, Vec::len);
                let f = out.emit_for(
                    &p.obj,
                    p.selector_loc,
                    format!(
                        "PodDisruptionBudget `{}` selects no pod template in namespace `{}` (selector: {}; searched {searched} workload{} there)",
                        p.name,
                        p.namespace,
                        p.selector,
                        if searched == 1 { "" } else { "s" }
                    ),
                );
                f.label("matches no pod template in the set");
                if !cx.settings.complete_set {
                    f.at_most(Severity::Info);
                }
                continue;
            }
            // The PDBs that also cover a template this one selects, and were declared first:
            // the finding goes to every PDB but the first.
            let mut earlier: Vec<(&PdbFact, String)> = Vec::new();
            for w in selected {
                let first = index.pdbs_selecting(&w.namespace, &w.template_labels).next();
                if let Some(first) = first.filter(|f| !std::ptr::eq(*f, p)) {
                    match earlier.iter_mut().find(|(e, _)| std::ptr::eq(*e, first)) {
                        Some((_, shown)) => {
                            shown.push_str(", ");
                            shown.push_str(&format!("`{}`", w.display()));
                        }
                        None => earlier.push((first, format!("`{}`", w.display()))),
                    }
                }
            }
            if earlier.is_empty() {
                continue;
            }
            let names: Vec<String> = earlier.iter().map(|(e, _)| format!("`{}`", e.name)).collect();
            let pods: Vec<String> = earlier.iter().map(|(_, w)| w.clone()).collect();
            let f = out.emit_for(
                &p.obj,
                p.selector_loc,
                format!(
                    "PodDisruptionBudget `{}` selects the pods of {} that PodDisruptionBudget {} selects too; the Eviction API refuses to evict a pod covered by more than one budget, so node drains will hang",
                    p.name,
                    first_few(&pods),
                    first_few(&names)
                ),
            );
            f.label("overlaps another PodDisruptionBudget");
            for (e, w) in &earlier {
                f.related(e.selector_loc, format!("PodDisruptionBudget `{}` selects {w}", e.name));
            }
        }
    }
}
