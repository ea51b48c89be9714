//! `workload-probe-invalid`: probe, lifecycle and port settings the API server rejects: a
//! probe with no handler or several; `successThreshold` other than 1 on a liveness or
//! startup probe; `terminationGracePeriodSeconds` on a readiness probe; a probe or hook
//! port outside 1-65535 or a port name that is not an IANA service name; probes or
//! lifecycle hooks on an init container (other than a native sidecar); probes, lifecycle
//! hooks, ports or resources on an ephemeral container.

use super::{PROBES, PortRef, Set, iana_problem, is_iana_svc_name, ports_used, written_int};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::ContainerView;
use crate::source::Route;
use k8s_openapi::api::core::v1::{Probe, ResourceRequirements};

declare_rule!(ProbeInvalid, "workload-probe-invalid");

struct Report<'c, 'x, 'o> {
    cx: &'c ObjectCx<'x>,
    out: &'c mut Out<'o>,
}

impl Report<'_, '_, '_> {
    fn emit(&mut self, route: &Route, what: String, reason: &str, label: &str) {
        self.out
            .emit(
                self.cx.at(route),
                format!("{what} is rejected by the API server: {reason}"),
            )
            .label(label);
    }
}

fn probe_of<'a>(c: &'a ContainerView<'_>, field: &str) -> Option<&'a Probe> {
    let k = &*c.container;
    match field {
        "livenessProbe" => k.liveness_probe.as_ref(),
        "readinessProbe" => k.readiness_probe.as_ref(),
        _ => k.startup_probe.as_ref(),
    }
}

/// `resources` that set something (an empty mapping is the zero value the API allows).
fn has_resources(r: &ResourceRequirements) -> bool {
    r.limits.as_ref().is_some_and(|m| !m.is_empty())
        || r.requests.as_ref().is_some_and(|m| !m.is_empty())
        || r.claims.as_ref().is_some_and(|c| !c.is_empty())
}

/// The handler fields a probe sets, in API order.
fn handler_fields(p: &Probe) -> Vec<&'static str> {
    [
        ("exec", p.exec.is_some()),
        ("httpGet", p.http_get.is_some()),
        ("tcpSocket", p.tcp_socket.is_some()),
        ("grpc", p.grpc.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect()
}

impl Rule for ProbeInvalid {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        let mut r = Report { cx, out };
        for c in w.containers() {
            let set = Set::of(&c);
            let k = &*c.container;
            let of = |field: &str| format!("`{field}` of {} `{}`", set.noun(), c.name());
            // Fields the set may not have: probes and hooks on an init container; those,
            // ports and resources on an ephemeral one.
            let forbidden = [
                ("livenessProbe", k.liveness_probe.is_some(), "probes"),
                ("readinessProbe", k.readiness_probe.is_some(), "probes"),
                ("startupProbe", k.startup_probe.is_some(), "probes"),
                ("lifecycle", k.lifecycle.is_some(), "lifecycle hooks"),
                ("ports", k.ports.as_ref().is_some_and(|p| !p.is_empty()), "ports"),
                (
                    "resources",
                    k.resources.as_ref().is_some_and(has_resources),
                    "resources",
                ),
            ];
            let (forbidden, rule, label) = match set {
                Set::Ephemeral => (
                    &forbidden[..],
                    "ephemeral containers may not have",
                    "not allowed on an ephemeral container",
                ),
                Set::Init => (
                    &forbidden[..4],
                    "only sidecar init containers (`restartPolicy: Always`) may have",
                    "not allowed on an init container",
                ),
                Set::Main | Set::Sidecar => (&forbidden[..0], "", ""),
            };
            for (field, present, what) in forbidden {
                if *present {
                    r.emit(&c.route.key(*field), of(field), &format!("{rule} {what}"), label);
                }
            }
            if !set.runs_alongside() {
                continue;
            }
            for field in PROBES {
                let Some(p) = probe_of(&c, field) else { continue };
                let route = c.route.key(field);
                let fields = handler_fields(p);
                match fields.as_slice() {
                    [] => r.emit(
                        &route,
                        of(field),
                        "a probe needs exactly one handler (exec, httpGet, tcpSocket or grpc) and this one has none",
                        "no handler",
                    ),
                    [_] => {}
                    [_, second, ..] => r.emit(
                        &route.key(*second),
                        of(field),
                        &format!(
                            "a probe has exactly one handler and this one sets {}",
                            fields.join(", ")
                        ),
                        "second handler",
                    ),
                }
                if field != "readinessProbe" {
                    if let Some(n) = p.success_threshold.filter(|n| *n != 1) {
                        r.emit(
                            &route.key("successThreshold"),
                            of(field),
                            &format!("successThreshold must be 1 on a liveness or startup probe, not {n}"),
                            "must be 1",
                        );
                    }
                } else if p.termination_grace_period_seconds.is_some() {
                    r.emit(
                        &route.key("terminationGracePeriodSeconds"),
                        of(field),
                        "terminationGracePeriodSeconds is not allowed on a readiness probe",
                        "not allowed on a readiness probe",
                    );
                }
            }
            for u in ports_used(k, &c.route) {
                match u.port {
                    PortRef::Number(_) => {
                        // As written: a placeholder or a missing port is another rule's.
                        let Some(n) = written_int(cx, &u.route) else { continue };
                        if !(1..=65535).contains(&n) {
                            r.emit(
                                &u.route,
                                of(u.what),
                                &format!("port {n} is outside 1-65535"),
                                "outside 1-65535",
                            )
                        }
                    }
                    PortRef::Name(name) if !is_iana_svc_name(name) => r.emit(
                        &u.route,
                        of(u.what),
                        &format!(
                            "port name `{name}` is not an IANA service name ({}){}",
                            iana_problem(name),
                            if name.parse::<i32>().is_ok() {
                                "; a quoted number is a name, write it unquoted"
                            } else {
                                ""
                            }
                        ),
                        "invalid port name",
                    ),
                    _ => {}
                }
            }
        }
    }
}
