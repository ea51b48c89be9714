//! Workload reliability and hygiene (workload-checks.md §1): read-only root filesystems,
//! probes, resources, environment, ports and other pod-spec checks, disruption budgets,
//! replicas and their placement, rollout strategies, selectors, Jobs and CronJobs. Every
//! rule reads pod templates through the workload view and visits the container sets its
//! spec names (§0.3).

use crate::engine::ObjectCx;
use crate::model::{ContainerKind, ContainerView, Workload};
use crate::source::Route;
use crate::source::resolve::Value;
use k8s_openapi::api::batch::v1::JobSpec;
use k8s_openapi::api::core::v1::{Container, GRPCAction, HTTPGetAction, TCPSocketAction};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub mod cpu_limit_missing;
pub mod cpu_request_missing;
pub mod cronjob_concurrency;
pub mod cronjob_deadline;
pub mod cronjob_schedule_invalid;
pub mod env_duplicate;
pub mod ephemeral_storage_missing;
pub mod hostnetwork_dns_policy;
pub mod image_pull_policy;
pub mod job_restart_policy;
pub mod job_ttl;
pub mod job_unbounded;
pub mod liveness_probe_missing;
pub mod memory_limit_missing;
pub mod memory_request_missing;
pub mod pdb_blocks_eviction;
pub mod pdb_budget_invalid;
pub mod pdb_missing;
pub mod pdb_selector;
pub mod pdb_unhealthy_eviction_policy;
pub mod port_name_invalid;
pub mod priority_class_missing;
pub mod privileged_port;
pub mod probe_invalid;
pub mod probe_port_undeclared;
pub mod probe_port_unresolved;
pub mod probes_identical;
pub mod readiness_probe_missing;
pub mod readonly_root_fs;
pub mod recreate_strategy;
pub mod replicas_not_spread;
pub mod requests_exceed_limits;
pub mod resources;
pub mod rollout_all_unavailable;
pub mod rollout_strategy_invalid;
pub mod selector_mismatch;
pub mod single_replica;
pub mod ssh_port;

/// The container sets of §0.3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    /// `spec.containers[]`.
    Main,
    /// An init container with `restartPolicy: Always` (a native sidecar).
    Sidecar,
    /// Any other init container.
    Init,
    /// `spec.ephemeralContainers[]`.
    Ephemeral,
}

impl Set {
    pub fn of(c: &ContainerView<'_>) -> Set {
        Set::of_kind(c.kind, c.container.restart_policy.as_deref() == Some("Always"))
    }

    pub fn of_kind(kind: ContainerKind, restart_always: bool) -> Set {
        match kind {
            ContainerKind::Regular => Set::Main,
            ContainerKind::Init if restart_always => Set::Sidecar,
            ContainerKind::Init => Set::Init,
            ContainerKind::Ephemeral => Set::Ephemeral,
        }
    }

    /// Main containers and native sidecars: those that run beside each other, serve
    /// traffic and may have probes.
    pub fn runs_alongside(self) -> bool {
        matches!(self, Set::Main | Set::Sidecar)
    }

    /// `Container`, `Sidecar container`, … at the start of a message.
    pub fn title(self) -> &'static str {
        match self {
            Set::Main => "Container",
            Set::Sidecar => "Sidecar container",
            Set::Init => "Init container",
            Set::Ephemeral => "Ephemeral container",
        }
    }

    /// `container`, `sidecar container`, … inside a message.
    pub fn noun(self) -> &'static str {
        match self {
            Set::Main => "container",
            Set::Sidecar => "sidecar container",
            Set::Init => "init container",
            Set::Ephemeral => "ephemeral container",
        }
    }
}

/// The containers of "all" sets (main, sidecar and init; not ephemeral), with their set.
pub fn all_sets<'o>(w: &Workload<'o>) -> impl Iterator<Item = (Set, ContainerView<'o>)> + 'o {
    w.containers()
        .map(|c| (Set::of(&c), c))
        .filter(|(s, _)| *s != Set::Ephemeral)
}

/// The main and sidecar containers, with their set: those that run beside each other,
/// serve traffic and may have probes.
pub fn serving<'o>(w: &Workload<'o>) -> impl Iterator<Item = (Set, ContainerView<'o>)> + 'o {
    w.containers()
        .map(|c| (Set::of(&c), c))
        .filter(|(s, _)| s.runs_alongside())
}

/// `Deployment `web``, for messages.
pub fn subject(cx: &ObjectCx<'_>) -> String {
    format!("{} `{}`", cx.obj.kind, cx.obj.name().unwrap_or("<unnamed>"))
}

/// The integer written at `route`, when the source has one there. Typed objects read a
/// required integer that is absent or not an integer (`containerPort: ${PORT}`, a type
/// error reported on its own) as 0, which must not be judged as a written 0.
pub fn written_int(cx: &ObjectCx<'_>, route: &Route) -> Option<i64> {
    let walk = route.walk(cx.tree, cx.obj.root);
    if walk.matched < route.segs().len() {
        return None;
    }
    match cx.tree.value(walk.node)? {
        Value::Int(n) => Some(n),
        _ => None,
    }
}

/// Jobs and CronJobs run to completion: no readiness or liveness advice applies.
pub fn runs_to_completion(kind: &str) -> bool {
    matches!(kind, "Job" | "CronJob")
}

/// Whether a port name is an IANA service name, as the API server requires of container
/// port names and named probe ports (apimachinery `IsValidPortName`): 1 to 15 characters
/// of `[a-z0-9-]`, at least one letter, no leading, trailing or double `-`.
pub fn is_iana_svc_name(name: &str) -> bool {
    (1..=15).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// Why a port name is not an IANA service name, for messages.
pub fn iana_problem(name: &str) -> &'static str {
    if name.is_empty() {
        "it is empty"
    } else if name.len() > 15 {
        "it is longer than 15 characters"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        "only lowercase letters, digits and `-` are allowed"
    } else if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        "it has no letter"
    } else {
        "`-` may not start or end it, nor be doubled"
    }
}

/// The probes a container may have, with their field names.
pub const PROBES: [&str; 3] = ["livenessProbe", "readinessProbe", "startupProbe"];

/// The lifecycle hooks, with their field names.
pub const HOOKS: [&str; 2] = ["postStart", "preStop"];

/// A probe or lifecycle hook's network handlers.
pub struct Handler<'a> {
    /// `livenessProbe`, `lifecycle.preStop`, …
    pub what: &'static str,
    pub hook: bool,
    /// Route to the probe or hook.
    pub route: Route,
    pub http: Option<&'a HTTPGetAction>,
    pub tcp: Option<&'a TCPSocketAction>,
    pub grpc: Option<&'a GRPCAction>,
}

/// Every probe and lifecycle hook of a container, in field order.
pub fn handlers<'a>(c: &'a Container, base: &Route) -> Vec<Handler<'a>> {
    let mut out = Vec::new();
    for (field, probe) in PROBES
        .iter()
        .zip([&c.liveness_probe, &c.readiness_probe, &c.startup_probe])
    {
        if let Some(p) = probe {
            out.push(Handler {
                what: field,
                hook: false,
                route: base.key(*field),
                http: p.http_get.as_ref(),
                tcp: p.tcp_socket.as_ref(),
                grpc: p.grpc.as_ref(),
            });
        }
    }
    if let Some(l) = &c.lifecycle {
        for (field, what, hook) in [
            ("postStart", "lifecycle.postStart", &l.post_start),
            ("preStop", "lifecycle.preStop", &l.pre_stop),
        ] {
            if let Some(h) = hook {
                out.push(Handler {
                    what,
                    hook: true,
                    route: base.keys(&["lifecycle", field]),
                    http: h.http_get.as_ref(),
                    tcp: h.tcp_socket.as_ref(),
                    grpc: None,
                });
            }
        }
    }
    out
}

/// A port a probe or hook connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortRef<'a> {
    Number(i32),
    Name(&'a str),
}

/// A port a probe or hook uses, with the route to its value.
pub struct PortUse<'a> {
    pub what: &'static str,
    pub hook: bool,
    pub route: Route,
    pub port: PortRef<'a>,
}

/// Every port the probes and hooks of a container use: `httpGet.port`, `tcpSocket.port`
/// and `grpc.port`.
pub fn ports_used<'a>(c: &'a Container, base: &Route) -> Vec<PortUse<'a>> {
    let mut out = Vec::new();
    for h in handlers(c, base) {
        let mut push = |field: &'static str, port: PortRef<'a>| {
            out.push(PortUse {
                what: h.what,
                hook: h.hook,
                route: h.route.keys(&[field, "port"]),
                port,
            })
        };
        if let Some(a) = h.http {
            push("httpGet", port_ref(&a.port));
        }
        if let Some(a) = h.tcp {
            push("tcpSocket", port_ref(&a.port));
        }
        if let Some(a) = h.grpc {
            push("grpc", PortRef::Number(a.port));
        }
    }
    out
}

pub fn port_ref(p: &IntOrString) -> PortRef<'_> {
    match p {
        IntOrString::Int(n) => PortRef::Number(*n),
        IntOrString::String(s) => PortRef::Name(s),
    }
}

/// `livenessProbe` → `probe`, `lifecycle.preStop` → `hook`.
pub fn probe_or_hook(hook: bool) -> &'static str {
    if hook { "hook" } else { "probe" }
}

/// The object's name, for messages.
pub fn name<'a>(cx: &ObjectCx<'a>) -> &'a str {
    cx.obj.name().unwrap_or("<unnamed>")
}

/// The spec of a Job, or of a CronJob's `jobTemplate`, with the route to it. A spec absent
/// from the source is none.
pub fn job_spec<'a>(cx: &ObjectCx<'a>) -> Option<(&'a JobSpec, Route)> {
    use crate::model::Typed;
    let (spec, route) = match &cx.obj.typed {
        Typed::Job(j) => (j.spec.as_ref()?, Route::root().key("spec")),
        Typed::CronJob(c) => (
            c.spec.job_template.spec.as_ref()?,
            Route::root().keys(&["spec", "jobTemplate", "spec"]),
        ),
        _ => return None,
    };
    cx.exists(&route).then_some((spec, route))
}

#[cfg(test)]
mod tests {
    use super::is_iana_svc_name;

    #[test]
    fn iana_service_names() {
        for ok in ["http", "h2c", "metrics-1", "a", "abcdefghijklmno", "8080a"] {
            assert!(is_iana_svc_name(ok), "{ok}");
        }
        for bad in [
            "",
            "8080",
            "HTTP",
            "http_alt",
            "-http",
            "http-",
            "ht--tp",
            "abcdefghijklmnop",
            "ht tp",
        ] {
            assert!(!is_iana_svc_name(bad), "{bad}");
        }
    }
}
