//! `hpa-target-not-found`: no object of the target's kind and name (and API group, when the
//! reference names one) in the HPA's namespace. Without `complete_set` the finding is
//! `info`: the workload may be kept elsewhere.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::kinds::group_of;

declare_rule!(TargetNotFound, "hpa-target-not-found");

/// Groups that name the same workload kinds (legacy `extensions` read as `apps`).
fn same_group(a: &str, b: &str) -> bool {
    a == b || matches!((a, b), ("apps", "extensions") | ("extensions", "apps"))
}

impl Rule for TargetNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for h in &index.hpas {
            let t = &h.target;
            if t.kind.is_empty() || t.name.is_empty() {
                continue;
            }
            let found = index.find_from(h.obj.file, None, &t.kind, Some(&h.namespace), &t.name);
            let group_ok = found.as_ref().is_some_and(|r| {
                r.candidates()
                    .any(|o| t.group().is_none_or(|g| same_group(g, group_of(&o.obj.api_version))))
            });
            if group_ok {
                continue;
            }
            let searched = index.count(&t.kind, Some(&h.namespace));
            let f = out.emit_for(
                &h.obj,
                h.target_loc,
                format!(
                    "HPA `{}/{}` targets {} which is not in the set (searched {searched} {} object{} in namespace `{}`)",
                    h.namespace,
                    h.name,
                    t.display(),
                    t.kind,
                    if searched == 1 { "" } else { "s" },
                    h.namespace
                ),
            );
            f.label("target not found");
            if let Some(o) = found.map(|r| r.best) {
                f.related(o.loc, format!("this {} has apiVersion {}", t.kind, o.obj.api_version));
            }
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}
