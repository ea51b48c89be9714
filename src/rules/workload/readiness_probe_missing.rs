//! `workload-readiness-probe-missing`: a workload (not a Job or CronJob) whose pods a Service
//! of the set selects, and (a) no main or sidecar container has a `readinessProbe` (one
//! finding for the pod), or else (b) a main or sidecar container without one serves a port of
//! a selecting Service. With `require_service: false`, every main container without a
//! readinessProbe is reported too, selected or not.

use super::{Set, runs_to_completion};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use crate::model::WorkloadFact;
use crate::model::facts::ContainerFact;
use crate::model::services::{ServiceFact, ServicePortFact, TargetPort};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub require_service: bool,
}

pub struct ReadinessProbeMissing {
    require_service: bool,
}

impl RuleDef for ReadinessProbeMissing {
    const ID: &'static str = "workload-readiness-probe-missing";
    type Options = Options;
    fn new(options: Options) -> Self {
        ReadinessProbeMissing {
            require_service: options.require_service,
        }
    }
}

/// The first port of a Service a container serves: a declared port whose name equals a
/// named `targetPort` (same protocol), or whose `containerPort` equals a numeric one.
fn served<'a>(c: &ContainerFact, svc: &'a ServiceFact) -> Option<&'a ServicePortFact> {
    svc.ports.iter().find(|p| {
        c.ports.iter().any(|d| match &p.target {
            TargetPort::Name(n) => d.name.as_ref() == Some(n) && d.protocol == p.protocol,
            TargetPort::Number(n) => d.port == *n,
        })
    })
}

fn set(c: &ContainerFact) -> Set {
    Set::of_kind(c.kind, c.sidecar)
}

fn display(w: &WorkloadFact) -> String {
    format!("{} `{}`", w.obj.kind, w.obj.name.as_deref().unwrap_or("<unnamed>"))
}

impl Rule for ReadinessProbeMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for w in &cx.index.workloads {
            if runs_to_completion(&w.obj.kind) {
                continue;
            }
            // The Services closest to the workload first (its own file, then its directory);
            // one Service rendered by several kustomizations is named once.
            let mut services: Vec<&ServiceFact> =
                cx.index.services_selecting(&w.namespace, &w.template_labels).collect();
            cx.index.sort_by_closeness(w.obj.file, &mut services, |s| s.obj.file);
            let mut seen = std::collections::HashSet::new();
            services.retain(|s| seen.insert((s.selector_loc.file, s.selector_loc.span.start.byte)));
            if self.require_service && services.is_empty() {
                continue;
            }
            let serving: Vec<&ContainerFact> = w.containers.iter().filter(|c| set(c).runs_alongside()).collect();
            if serving.is_empty() {
                continue;
            }
            let mut reported: Vec<&ContainerFact> = Vec::new();
            if let Some(first) = services.first() {
                if serving.iter().all(|c| !c.readiness_probe) {
                    let others = match services.len() {
                        1 => String::new(),
                        2 => " (and 1 other)".to_string(),
                        n => format!(" (and {} others)", n - 1),
                    };
                    let f = out.emit_for(
                        &w.obj,
                        w.containers_loc,
                        format!(
                            "Pods of {} receive traffic from Service `{}`{others} but no container has a readinessProbe; they get traffic before they are ready and during shutdown",
                            display(w),
                            first.name
                        ),
                    );
                    f.label("no container has a readinessProbe");
                    for s in &services {
                        f.related(s.selector_loc, format!("Service `{}` selects these pods", s.name));
                    }
                    continue;
                }
                for c in serving.iter().filter(|c| !c.readiness_probe) {
                    let Some((svc, port)) = services.iter().find_map(|s| served(c, s).map(|p| (s, p))) else {
                        continue;
                    };
                    let f = out.emit_for(
                        &w.obj,
                        c.loc,
                        format!(
                            "{} `{}` of {} receives traffic from Service `{}` but has no readinessProbe; it gets traffic before it is ready and during shutdown",
                            set(c).title(),
                            c.name,
                            display(w),
                            svc.name
                        ),
                    );
                    f.label("no readinessProbe");
                    f.related(
                        port.target_loc,
                        format!("Service `{}` sends traffic to this container", svc.name),
                    );
                    reported.push(c);
                }
            }
            if self.require_service {
                continue;
            }
            for c in serving
                .iter()
                .filter(|c| set(c) == Set::Main && !c.readiness_probe)
                .filter(|c| !reported.iter().any(|r| std::ptr::eq(*r, **c)))
            {
                out.emit_for(
                    &w.obj,
                    c.loc,
                    format!(
                        "Container `{}` of {} has no readinessProbe; the pod counts as ready as soon as it starts",
                        c.name,
                        display(w)
                    ),
                )
                .label("no readinessProbe");
            }
        }
    }
}
