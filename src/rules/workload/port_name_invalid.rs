//! `workload-port-name-invalid`: container ports the API server rejects: a `ports[].name`
//! that is not an IANA service name, two ports of one container with the same name, or a
//! `containerPort` (or a set `hostPort`) outside 1-65535. The same name in two main or
//! sidecar containers of one pod is a warning: a Service `targetPort` naming it resolves to
//! whichever container the endpoints controller finds first.

use super::{all_sets, iana_problem, is_iana_svc_name, written_int};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use std::collections::HashMap;

declare_rule!(PortNameInvalid, "workload-port-name-invalid");

impl Rule for PortNameInvalid {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        // Port names of the main and sidecar containers seen so far: (container, route).
        let mut pod_names: HashMap<String, (String, crate::source::Route)> = HashMap::new();
        for (set, c) in all_sets(&w) {
            let mut own: HashMap<&str, usize> = HashMap::new();
            for (i, p) in c.container.ports.iter().flatten().enumerate() {
                let port = c.route.key("ports").index(i);
                for (field, required) in [("containerPort", true), ("hostPort", false)] {
                    // As written: a placeholder or a missing field is another rule's.
                    let Some(n) = written_int(cx, &port.key(field)) else {
                        continue;
                    };
                    if (required || n != 0) && !(1..=65535).contains(&n) {
                        out.emit(
                            cx.at(&port.key(field)),
                            format!(
                                "{} `{}` declares {field} {n}, outside 1-65535; the API server rejects it",
                                set.title(),
                                c.name()
                            ),
                        )
                        .label("outside 1-65535");
                    }
                }
                let Some(name) = p.name.as_deref() else { continue };
                let at = port.key("name");
                if !is_iana_svc_name(name) {
                    out.emit(
                        cx.at(&at),
                        format!(
                            "Port name `{name}` of {} `{}` is not an IANA service name ({}); the API server rejects it",
                            set.noun(),
                            c.name(),
                            iana_problem(name)
                        ),
                    )
                    .label("invalid port name");
                    continue;
                }
                if let Some(first) = own.insert(name, i) {
                    let f = out.emit(
                        cx.at(&at),
                        format!(
                            "{} `{}` declares port name `{name}` twice (ports {first} and {i}); the API server rejects it",
                            set.title(),
                            c.name()
                        ),
                    );
                    f.label("duplicate port name");
                    f.related(
                        cx.at(&c.route.key("ports").index(first).key("name")).loc,
                        "first declared here",
                    );
                    continue;
                }
                if !set.runs_alongside() {
                    continue;
                }
                match pod_names.get(name) {
                    Some((other, route)) => {
                        let f = out.emit(
                            cx.at(&at),
                            format!(
                                "Port name `{name}` is declared by containers `{other}` and `{}`; a Service targetPort `{name}` resolves to the first main container (then sidecar) declaring it for the Service's protocol, so one of them is unreachable by name",
                                c.name()
                            ),
                        );
                        f.label("also declared by another container");
                        f.related(cx.at(route).loc, format!("declared by `{other}`"));
                        f.at_most(Severity::Warning);
                    }
                    None => {
                        pod_names.insert(name.to_string(), (c.name().to_string(), at));
                    }
                }
            }
        }
    }
}
