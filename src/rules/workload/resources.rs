//! What the five `workload-*-missing` resource rules share (workload-checks.md §1.3): the
//! effective request and limit of a tracked resource for every container of the main,
//! sidecar and init sets, with the namespace's LimitRange defaults and the pod-level
//! `spec.resources` applied. One finding per container and rule.

use super::Set;
use crate::engine::{Out, SetCx};
use crate::model::resources::{Amount, TRACKED, effective_limit, effective_request};

/// What a rule requires of a resource.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Want {
    Request,
    Limit,
    /// A request or a limit (either one will do).
    RequestOrLimit,
}

/// Reports every container without an effective request (or limit) of `TRACKED[i]`.
pub fn check(cx: &SetCx<'_>, out: &mut Out<'_>, i: usize, want: Want) {
    let resource = TRACKED[i];
    for w in &cx.index.workloads {
        let defaults = cx.index.limit_range_defaults.get(&w.namespace);
        for c in w.containers.iter() {
            let set = Set::of_kind(c.kind, c.sidecar);
            if set == Set::Ephemeral {
                continue;
            }
            let request = effective_request(&c.resources, i, defaults, &w.pod_resources);
            let limit = effective_limit(&c.resources, i, defaults, &w.pod_resources);
            let (what, value, loc, field) = match want {
                Want::Request => ("request", request, c.requests_loc, "requests"),
                Want::Limit => ("limit", limit, c.limits_loc, "limits"),
                Want::RequestOrLimit => (
                    "request or limit",
                    // A limit is also the request: the request chain covers both, save
                    // for a LimitRange or pod-level limit.
                    request.max(limit),
                    c.requests_loc.or(c.limits_loc),
                    "",
                ),
            };
            if value.is_set() {
                continue;
            }
            let f = out.emit_for(
                &w.obj,
                loc.unwrap_or(c.resources_loc),
                format!(
                    "{} `{}` of {} `{}` has no {resource} {what}",
                    set.title(),
                    c.name,
                    w.obj.kind,
                    w.obj.name.as_deref().unwrap_or("<unnamed>")
                ),
            );
            if value == Amount::Zero {
                f.label(format!("the {resource} {what} is 0, which counts as none"));
            } else if want == Want::RequestOrLimit {
                f.label(format!("no {resource} request or limit"));
            } else {
                f.label(format!("no `resources.{field}.{resource}`"));
            }
        }
    }
}
