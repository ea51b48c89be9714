//! `ref-servicemonitor-no-match`: a Prometheus Operator `ServiceMonitor` whose selector
//! (over the Services' own labels) matches no Service in the namespaces it looks in, or a
//! `PodMonitor` whose selector matches no pod template; and (positive evidence) an endpoint
//! `port` that no matched Service port (container port, for a PodMonitor) names. An absent
//! or empty `namespaceSelector` means the monitor's own namespace, as for the operator.

use super::{not_in_set, plural};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::facts::{Index, WorkloadFact};
use crate::model::intern::Str;
use crate::model::refs::{MonitorFact, MonitorScope};
use crate::model::services::ServiceFact;
use crate::model::views::ContainerKind;

declare_rule!(ServicemonitorNoMatch, "ref-servicemonitor-no-match");

/// The namespaces a monitor looks in; `None` for any.
fn namespaces(m: &MonitorFact) -> Option<Vec<Str>> {
    match &m.scope {
        MonitorScope::Own => Some(vec![m.namespace.clone()]),
        MonitorScope::Names(n) => Some(n.to_vec()),
        MonitorScope::Any => None,
    }
}

/// Where the monitor looked, for messages.
fn scope(m: &MonitorFact) -> String {
    match namespaces(m) {
        Some(n) if n.len() == 1 => format!("namespace `{}`", n[0]),
        Some(n) => format!(
            "namespaces {}",
            n.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")
        ),
        None => "any namespace".to_string(),
    }
}

/// The Services a ServiceMonitor selects, from the label index when its selector requires a
/// pair.
fn services<'a>(index: &'a Index, m: &'a MonitorFact) -> (Vec<&'a ServiceFact>, usize) {
    let pair = m.selector.required_pair();
    let mut found: Vec<&ServiceFact> = Vec::new();
    let searched;
    match namespaces(m) {
        Some(nss) => {
            searched = nss.iter().map(|ns| index.services_in(ns).len()).sum();
            for ns in &nss {
                match pair {
                    Some((k, v)) => found.extend(
                        index
                            .refs
                            .services_labelled(Some(ns), k, v)
                            .iter()
                            .map(|i| &index.services[*i]),
                    ),
                    None => found.extend(index.services_in(ns)),
                }
            }
        }
        None => {
            searched = index.services.len();
            match pair {
                Some((k, v)) => found.extend(
                    index
                        .refs
                        .services_labelled(None, k, v)
                        .iter()
                        .map(|i| &index.services[*i]),
                ),
                None => found.extend(index.services.iter()),
            }
        }
    }
    found.retain(|s| m.selector.matches(&s.labels));
    (found, searched)
}

/// The pod templates a PodMonitor selects.
fn workloads<'a>(index: &'a Index, m: &'a MonitorFact) -> (Vec<&'a WorkloadFact>, usize) {
    let nss: Vec<Str> = namespaces(m).unwrap_or_else(|| index.workloads_by_namespace.keys().cloned().collect());
    let mut found = Vec::new();
    let mut searched = 0;
    for ns in &nss {
        searched += index.workloads_in(ns).len();
        found.extend(index.workloads_matching(ns, &m.selector));
    }
    (found, searched)
}

impl Rule for ServicemonitorNoMatch {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for m in &index.refs.facts.monitors {
            let (kind, what) = if m.pod {
                ("PodMonitor", "pod template")
            } else {
                ("ServiceMonitor", "Service")
            };
            // Port names of what matched, and the grip of the first match.
            let (names, first, searched): (Vec<Str>, Option<(crate::source::Loc, String)>, usize) = if m.pod {
                let (found, searched) = workloads(index, m);
                let names = found
                    .iter()
                    .flat_map(|w| w.containers.iter())
                    .filter(|c| c.kind == ContainerKind::Regular || c.sidecar)
                    .flat_map(|c| c.ports.iter().filter_map(|p| p.name.clone()))
                    .collect();
                (names, found.first().map(|w| (w.loc, w.display().to_string())), searched)
            } else {
                let (found, searched) = services(index, m);
                let names = found
                    .iter()
                    .flat_map(|s| s.ports.iter().filter_map(|p| p.name.clone()))
                    .collect();
                (
                    names,
                    found.first().map(|s| (s.loc, format!("Service/{}", s.name))),
                    searched,
                )
            };
            let Some((first_loc, first_name)) = first else {
                let f = out.emit_for(
                    &m.obj,
                    m.selector_loc,
                    format!(
                        "{kind} `{}` selects no {what} in {} (selector {}{}; searched {searched} {what}{})",
                        m.name,
                        scope(m),
                        m.selector,
                        if m.pod { "" } else { " over Service labels" },
                        plural(searched)
                    ),
                );
                f.label(format!("matches no {what} in the set"));
                not_in_set(cx, f);
                continue;
            };
            for (port, loc) in &*m.ports {
                if names.iter().any(|n| n == port) {
                    continue;
                }
                let where_ = if m.pod { "container port" } else { "port" };
                let f = out.emit_for(
                    &m.obj,
                    *loc,
                    format!(
                        "{kind} `{}` scrapes port `{port}`, but no selected {what} has a {where_} named `{port}`; Prometheus scrapes nothing for this endpoint",
                        m.name
                    ),
                );
                f.label(format!("no {where_} with this name"));
                f.related(first_loc, format!("{first_name} is selected"));
            }
        }
    }
}
