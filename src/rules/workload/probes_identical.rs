//! `workload-probes-identical`: a main or sidecar container whose liveness and readiness
//! probes run the same check (same handler type and target, defaults applied and named
//! ports resolved through the container's ports). When it fails, the container is restarted
//! instead of only taken out of rotation. Info when the liveness probe is strictly more
//! tolerant (`failureThreshold × periodSeconds` greater than the readiness probe's).

use super::{PortRef, port_ref, serving};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use k8s_openapi::api::core::v1::{Container, Probe};

declare_rule!(ProbesIdentical, "workload-probes-identical");

/// What a probe checks, defaults applied.
#[derive(Debug, PartialEq, Eq)]
enum Check<'a> {
    Http {
        path: &'a str,
        port: PortRef<'a>,
        host: &'a str,
        scheme: &'a str,
        headers: Vec<(&'a str, &'a str)>,
    },
    Tcp {
        port: PortRef<'a>,
    },
    Grpc {
        port: i32,
        service: &'a str,
    },
    Exec {
        command: &'a [String],
    },
}

/// A named port resolved to its number through the container's `ports[].name`.
fn resolve<'a>(c: &Container, port: PortRef<'a>) -> PortRef<'a> {
    match port {
        PortRef::Name(n) => c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(n))
            .map_or(port, |p| PortRef::Number(p.container_port)),
        n => n,
    }
}

/// The probe's one handler; `None` when it has none or several (`workload-probe-invalid`).
fn check<'a>(c: &Container, p: &'a Probe) -> Option<Check<'a>> {
    let handlers =
        p.exec.is_some() as u8 + p.http_get.is_some() as u8 + p.tcp_socket.is_some() as u8 + p.grpc.is_some() as u8;
    if handlers != 1 {
        return None;
    }
    if let Some(h) = &p.http_get {
        let mut headers: Vec<(&str, &str)> = h
            .http_headers
            .iter()
            .flatten()
            .map(|x| (x.name.as_str(), x.value.as_str()))
            .collect();
        headers.sort_unstable();
        return Some(Check::Http {
            path: h.path.as_deref().filter(|p| !p.is_empty()).unwrap_or("/"),
            port: resolve(c, port_ref(&h.port)),
            host: h.host.as_deref().unwrap_or(""),
            scheme: h.scheme.as_deref().filter(|s| !s.is_empty()).unwrap_or("HTTP"),
            headers,
        });
    }
    if let Some(t) = &p.tcp_socket {
        return Some(Check::Tcp {
            port: resolve(c, port_ref(&t.port)),
        });
    }
    if let Some(g) = &p.grpc {
        return Some(Check::Grpc {
            port: g.port,
            service: g.service.as_deref().unwrap_or(""),
        });
    }
    p.exec.as_ref().map(|e| Check::Exec {
        command: e.command.as_deref().unwrap_or(&[]),
    })
}

/// How long the probe tolerates failure: `failureThreshold × periodSeconds` (3 × 10 s by
/// default).
fn tolerance(p: &Probe) -> i64 {
    i64::from(p.failure_threshold.unwrap_or(3)) * i64::from(p.period_seconds.unwrap_or(10))
}

impl Rule for ProbesIdentical {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for (set, c) in serving(&w) {
            let k = &*c.container;
            let (Some(live), Some(ready)) = (&k.liveness_probe, &k.readiness_probe) else {
                continue;
            };
            let (Some(a), Some(b)) = (check(k, live), check(k, ready)) else {
                continue;
            };
            if a != b {
                continue;
            }
            let f = out.emit(
                cx.at(&c.route.key("livenessProbe")),
                format!(
                    "{} `{}` uses the same check for liveness and readiness; when it fails the container is restarted instead of only taken out of rotation",
                    set.title(),
                    c.name()
                ),
            );
            f.label("same check as the readinessProbe");
            f.related(cx.at(&c.route.key("readinessProbe")).loc, "the readinessProbe");
            let (lt, rt) = (tolerance(live), tolerance(ready));
            if lt > rt {
                f.at_most(Severity::Info);
                f.help(format!(
                    "the liveness probe tolerates {lt} s of failures, the readiness probe {rt} s: readiness removes the pod from rotation first"
                ));
            }
        }
    }
}
