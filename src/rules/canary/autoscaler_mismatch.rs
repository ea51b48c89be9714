//! `canary-autoscaler-mismatch`: the Canary's `autoscalerRef` names an HPA that scales
//! another workload (or the Flagger-generated `<target>-primary`), names no HPA of the set,
//! or is missing while an HPA of the set scales the target: Flagger then cannot manage the
//! primary's autoscaling. HPAs are looked up by name and target (never by scanning), the
//! one closest to the Canary when several share a name (docs/cross-object.md).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(AutoscalerMismatch, "canary-autoscaler-mismatch");

impl Rule for AutoscalerMismatch {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for c in &index.canaries {
            let Some(target) = c.target.as_ref().and_then(|t| t.name.clone()) else {
                continue;
            };
            let target_kind = c.target.as_ref().and_then(|t| t.kind.clone()).unwrap_or_default();
            match &c.autoscaler {
                None => {
                    let primary = format!("{target}-primary");
                    let scaling = index
                        .hpas_targeting(&c.namespace, &target_kind, &target)
                        .chain(index.hpas_targeting(&c.namespace, &target_kind, &primary));
                    if let Some(h) = index.closest(c.obj.file, scaling, |h| h.obj.file).map(|r| r.best) {
                        out.emit_for(
                            &c.obj,
                            c.autoscaler_loc,
                            format!(
                                "Canary `{}` has no autoscalerRef but HPA `{}` scales {}",
                                c.name,
                                h.name,
                                h.target.display()
                            ),
                        )
                        .label("set autoscalerRef to that HPA")
                        .related(h.target_loc, "this HPA scales the canary's target");
                    }
                }
                Some(a) => {
                    let name = a.name.as_deref().unwrap_or("");
                    let Some(h) = index.hpa_from(c.obj.file, &c.namespace, name).map(|r| r.best) else {
                        let f = out.emit_for(
                            &c.obj,
                            c.autoscaler_loc,
                            format!(
                                "autoscalerRef `{name}` of Canary `{}` names no HPA in namespace `{}` of the set",
                                c.name, c.namespace
                            ),
                        );
                        f.label("HPA not found");
                        if !cx.settings.complete_set {
                            f.at_most(Severity::Info);
                        }
                        continue;
                    };
                    if *h.target.name == *target && (*h.target.kind == *target_kind || target_kind.is_empty()) {
                        continue;
                    }
                    let why = if *h.target.name == *format!("{target}-primary") {
                        "the Flagger-generated primary; Flagger manages the primary's HPA itself".to_string()
                    } else {
                        format!("another workload than the canary's target `{target}`")
                    };
                    out.emit_for(
                        &c.obj,
                        c.autoscaler_loc,
                        format!(
                            "autoscalerRef `{name}` of Canary `{}` scales {}: {why}",
                            c.name,
                            h.target.display()
                        ),
                    )
                    .label("does not scale the canary's target")
                    .related(h.target_loc, format!("HPA `{}` scales {}", h.name, h.target.display()));
                }
            }
        }
    }
}
