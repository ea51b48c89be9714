//! `ref-ingress-backend-not-found`: an Ingress backend (`defaultBackend` or a rule path)
//! names a Service that is not in the Ingress's namespace (`info` without `complete_set`),
//! or one without the backend's port: `port.number` is compared with the Service's `port`
//! (not its `targetPort`), `port.name` with its port names. `backend.resource` is skipped.

use super::not_in_set;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, first_few};
use crate::model::refs::{BackendFact, BackendPort};
use crate::model::services::ServiceFact;

declare_rule!(IngressBackendNotFound, "ref-ingress-backend-not-found");

fn has_port(svc: &ServiceFact, port: &BackendPort) -> bool {
    svc.ports.iter().any(|p| match port {
        BackendPort::Number(n) => i64::from(p.port) == *n,
        BackendPort::Name(n) => p.name.as_deref() == Some(&**n),
    })
}

/// What the backend serves: `its default backend`, `` `host/path` ``.
fn route(b: &BackendFact) -> String {
    if b.default {
        return "its default backend".to_string();
    }
    format!(
        "`{}{}`",
        b.host.as_deref().unwrap_or("*"),
        b.path.as_deref().unwrap_or("/")
    )
}

impl Rule for IngressBackendNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for ing in &index.refs.facts.ingresses {
            for b in &*ing.backends {
                let port = b.port.as_ref().map_or_else(String::new, |p| format!(" port `{p}`"));
                let Some(found) = index.service_from(ing.obj.file, &ing.namespace, &b.service) else {
                    let f = out.emit_for(
                        &ing.obj,
                        b.loc,
                        format!(
                            "Ingress `{}` routes {} to Service `{}`{port}, which does not exist (no Service `{}` in namespace `{}` of the set)",
                            ing.name,
                            route(b),
                            b.service,
                            b.service,
                            ing.namespace
                        ),
                    );
                    f.label("Service not found");
                    not_in_set(cx, f);
                    continue;
                };
                let Some(p) = &b.port else { continue };
                // An ExternalName Service forwards whatever port it is asked for.
                if found
                    .candidates()
                    .any(|s| &*s.type_ == "ExternalName" || has_port(s, p))
                {
                    continue;
                }
                let svc = found.best;
                let ports: Vec<String> = svc
                    .ports
                    .iter()
                    .map(|x| match &x.name {
                        Some(n) => format!("{} (`{n}`)", x.port),
                        None => x.port.to_string(),
                    })
                    .collect();
                let has = if ports.is_empty() {
                    "no ports".to_string()
                } else {
                    format!("ports {}", first_few(&ports))
                };
                let f = out.emit_for(
                    &ing.obj,
                    b.loc,
                    format!(
                        "Ingress `{}` routes {} to Service `{}`{port}, which has no such port (it has {has}; the backend names the Service's `port`, not its `targetPort`)",
                        ing.name,
                        route(b),
                        b.service
                    ),
                );
                f.label("no such Service port");
                f.related(svc.loc, format!("Service `{}` is defined here", svc.name));
            }
        }
    }
}
