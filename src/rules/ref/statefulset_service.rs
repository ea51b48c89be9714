//! `ref-statefulset-service`: a StatefulSet's `serviceName` names no Service of its
//! namespace (`info` without `complete_set`), a Service that is not headless, or one whose
//! selector does not select the pod template: its pods then get no per-pod DNS records.

use super::not_in_set;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(StatefulsetService, "ref-statefulset-service");

impl Rule for StatefulsetService {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for s in &index.refs.facts.statefulsets {
            let Some(found) = index.service_from(s.obj.file, &s.namespace, &s.service) else {
                let f = out.emit_for(
                    &s.obj,
                    s.loc,
                    format!(
                        "StatefulSet `{}` names Service `{}` in `serviceName`, which is not in the set (no Service `{}` in namespace `{}`); its pods get no per-pod DNS records",
                        s.name, s.service, s.service, s.namespace
                    ),
                );
                f.label("Service not found");
                not_in_set(cx, f);
                continue;
            };
            // Several Services of that name may be equally close (a repository holding more
            // than one app): one that is headless (and selects the pods) settles it.
            let ambiguous = if found.ties.is_empty() {
                String::new()
            } else {
                format!(
                    " (none of the {} equally close Services `{}` of namespace `{}` is)",
                    found.ties.len() + 1,
                    s.service,
                    s.namespace
                )
            };
            let headless: Vec<_> = found.candidates().filter(|c| c.headless).collect();
            let svc = headless.first().copied().unwrap_or(found.best);
            if !svc.headless {
                out.emit_for(
                    &s.obj,
                    s.loc,
                    format!(
                        "StatefulSet `{}` names Service `{}` in `serviceName`, which is not headless (its `clusterIP` is not `None`){ambiguous}; its pods get no per-pod DNS records",
                        s.name, s.service
                    ),
                )
                .label("not a headless Service")
                .related(svc.loc, format!("Service `{}` is defined here", svc.name));
                continue;
            }
            let Some(w) = index
                .workload_from(s.obj.file, "StatefulSet", &s.namespace, &s.name)
                .and_then(|r| r.candidates().find(|w| w.obj == s.obj))
            else {
                continue;
            };
            if headless.iter().any(|c| c.selects(&w.template_labels)) {
                continue;
            }
            let selector = if svc.selector.is_empty() {
                "has no selector".to_string()
            } else {
                format!("selects {}", svc.describe_selector())
            };
            out.emit_for(
                &s.obj,
                s.loc,
                format!(
                    "StatefulSet `{}` names Service `{}` in `serviceName`, which {selector} and does not select the pod template; its pods get no per-pod DNS records",
                    s.name, s.service
                ),
            )
            .label("Service does not select these pods")
            .related(svc.selector_loc, format!("Service `{}` selector", svc.name));
        }
    }
}
