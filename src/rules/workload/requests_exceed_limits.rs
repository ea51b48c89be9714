//! `workload-requests-exceed-limits`: a container (main, sidecar or init) or the pod-level
//! `spec.resources` requests more of a resource than its limit, compared as exact
//! quantities; or, for a resource that may not be overcommitted (extended resources such as
//! `nvidia.com/gpu`, and `hugepages-*`), requests an amount other than its limit, or
//! without a limit. The API server rejects all of these.

use super::{all_sets, subject};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::quantity::Quantity;
use crate::model::resources::not_overcommittable;
use crate::source::Route;
use k8s_openapi::api::core::v1::ResourceRequirements;

declare_rule!(RequestsExceedLimits, "workload-requests-exceed-limits");

/// Reports the resources of one `resources` block; `who` starts the message
/// (`Container `app``, `The pod of Deployment `web``).
fn check(cx: &ObjectCx<'_>, out: &mut Out<'_>, r: &ResourceRequirements, route: &Route, who: &str) {
    let Some(requests) = &r.requests else { return };
    let limits = r.limits.as_ref();
    for (name, req) in requests {
        let at = route.keys(&["requests"]).key(name.clone());
        let limit = limits.and_then(|l| l.get(name));
        let fixed = not_overcommittable(name);
        let Some(lim) = limit else {
            if fixed {
                out.emit(
                    cx.at(&at),
                    format!(
                        "{who} requests {} of {name} without a limit; {name} cannot be overcommitted, so the API server rejects this",
                        req.0
                    ),
                )
                .label(format!("needs `limits.{name}` equal to this"));
            }
            continue;
        };
        let (Some(rq), Some(lq)) = (Quantity::parse(&req.0), Quantity::parse(&lim.0)) else {
            continue;
        };
        let rejected = if fixed { rq != lq } else { rq > lq };
        if !rejected {
            continue;
        }
        let why = if fixed && rq < lq {
            format!(
                "; {name} cannot be overcommitted (the request must equal the limit), so the API server rejects this"
            )
        } else {
            "; the API server rejects this".to_string()
        };
        let f = out.emit(
            cx.at(&at),
            format!("{who} requests {} of {name} but is limited to {}{why}", req.0, lim.0),
        );
        f.label(if rq > lq {
            "more than the limit"
        } else {
            "must equal the limit"
        });
        f.related(cx.at(&route.keys(&["limits"]).key(name.clone())).loc, "the limit");
    }
}

impl Rule for RequestsExceedLimits {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (set, c) in all_sets(&w) {
            if let Some(r) = &c.container.resources {
                let who = format!("{} `{}`", set.title(), c.name());
                check(cx, out, r, &c.route.key("resources"), &who);
            }
        }
        if let Some(r) = &w.spec.resources {
            let who = format!("The pod of {}", subject(cx));
            check(cx, out, r, &w.spec_route().key("resources"), &who);
        }
    }
}
