//! `ref-service-target-port`: a Service port whose named `targetPort` no selected container
//! (main or sidecar) declares with the same protocol: the EndpointSlices hold no endpoint
//! for it. Evaluated only when the Service selects a pod template of the set. With the
//! option `numeric`, a numeric `targetPort` no selected container declares is `info`
//! (`containerPort` is informational).

use crate::engine::{Out, Rule, RuleDef, SetCx, Severity};
use crate::model::facts::{ContainerFact, WorkloadFact};
use crate::model::services::TargetPort;
use crate::model::views::ContainerKind;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub numeric: bool,
}

pub struct ServiceTargetPort {
    numeric: bool,
}

impl RuleDef for ServiceTargetPort {
    const ID: &'static str = "ref-service-target-port";
    type Options = Options;
    fn new(options: Options) -> Self {
        ServiceTargetPort {
            numeric: options.numeric,
        }
    }
}

/// The containers that serve traffic: main containers and native sidecars.
fn serving(w: &WorkloadFact) -> impl Iterator<Item = &ContainerFact> {
    w.containers
        .iter()
        .filter(|c| c.kind == ContainerKind::Regular || c.sidecar)
}

impl Rule for ServiceTargetPort {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for svc in &index.services {
            let selected: Vec<&WorkloadFact> = index.workloads_selected_by(svc).collect();
            if selected.is_empty() {
                continue;
            }
            for p in &*svc.ports {
                let port = p.name.as_deref().map_or_else(|| p.port.to_string(), str::to_string);
                match &p.target {
                    // A name the API server rejects (a template placeholder such as `PORT`
                    // or `${PORT}`) leaves no Service to route: nothing to resolve.
                    TargetPort::Name(name) if !crate::rules::workload::is_iana_svc_name(name) => {}
                    TargetPort::Name(name) => {
                        let declares = |proto: Option<&str>| {
                            selected.iter().find_map(|w| {
                                serving(w)
                                    .find(|c| {
                                        c.ports.iter().any(|d| {
                                            d.name.as_deref() == Some(&**name)
                                                && proto.is_none_or(|x| &*d.protocol == x)
                                        })
                                    })
                                    .map(|c| (*w, c))
                            })
                        };
                        if declares(Some(&*p.protocol)).is_some() {
                            continue;
                        }
                        let other = declares(None);
                        let detail = match other {
                            Some((w, c)) => {
                                let proto = c
                                    .ports
                                    .iter()
                                    .find(|d| d.name.as_deref() == Some(&**name))
                                    .map_or("", |d| &*d.protocol);
                                format!(
                                    " for {} (container `{}` of {} declares it for {proto})",
                                    p.protocol,
                                    c.name,
                                    w.display()
                                )
                            }
                            None => String::new(),
                        };
                        let f = out.emit_for(
                            &svc.obj,
                            p.target_loc,
                            format!(
                                "Service `{}` port `{port}` targets `{name}`, which no selected container declares{detail}; the Service has no endpoints for it",
                                svc.name
                            ),
                        );
                        f.label(if other.is_some() {
                            "protocol does not match"
                        } else {
                            "no container port with this name"
                        });
                        if let Some((_, c)) = other {
                            f.related(c.loc, format!("declares `{name}` for another protocol"));
                        }
                    }
                    TargetPort::Number(n) if self.numeric => {
                        let declared = selected.iter().any(|w| {
                            serving(w).any(|c| c.ports.iter().any(|d| d.port == *n && d.protocol == p.protocol))
                        });
                        if declared {
                            continue;
                        }
                        let f = out.emit_for(
                            &svc.obj,
                            p.target_loc,
                            format!(
                                "Service `{}` port `{port}` targets {n}/{}, which no selected container declares (`containerPort` is informational: the port may still be served)",
                                svc.name, p.protocol
                            ),
                        );
                        f.label("no container declares this port");
                        f.at_most(Severity::Info);
                    }
                    TargetPort::Number(_) => {}
                }
            }
        }
    }
}
