//! `hpa-missing-resource-requests`: the HPA scales on a resource's utilization, but a
//! container of the target sets no request for it (a limit counts, since requests default
//! to limits; so does a container default of a LimitRange in the namespace). Utilization is
//! then undefined and the HPA does not act on that metric.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::ContainerKind;

declare_rule!(MissingResourceRequests, "hpa-missing-resource-requests");

impl Rule for MissingResourceRequests {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for h in &index.hpas {
            let Some(target) = index.workload_from(h.obj.file, &h.target.kind, &h.namespace, &h.target.name) else {
                continue;
            };
            let defaults = index.limit_range_defaults.get(&h.namespace);
            for w in target.candidates() {
                let ambiguity = index.ambiguity(&target, w);
                for (resource, container, loc) in &h.utilization {
                    let missing: Vec<_> = w
                        .containers
                        .iter()
                        .filter(|c| match container {
                            Some(name) => &c.name == name,
                            // Regular containers and native sidecars share the pod's load.
                            None => c.kind == ContainerKind::Regular || c.sidecar,
                        })
                        .filter(|c| {
                            !c.requested.contains(resource)
                                && !defaults.is_some_and(|d| d.requests.contains_key(&**resource))
                        })
                        .collect();
                    let Some(first) = missing.first() else { continue };
                    let names: Vec<String> = missing.iter().map(|c| format!("`{}`", c.name)).collect();
                    let f = out.emit_for(
                    &h.obj,
                    *loc,
                    format!(
                        "HPA `{}` scales on {resource} utilization but container{} {} of {} set{} no {resource} request; the metric is undefined and the HPA will not act on it{ambiguity}",
                        h.name,
                        if missing.len() == 1 { "" } else { "s" },
                        names.join(", "),
                        w.display(),
                        if missing.len() == 1 { "s" } else { "" }
                    ),
                );
                    f.label(format!("needs {resource} requests"));
                    f.related(first.loc, format!("no `resources.requests.{resource}` here"));
                    for c in missing.iter().skip(1) {
                        f.related(c.loc, format!("no `resources.requests.{resource}` here"));
                    }
                }
            }
        }
    }
}
