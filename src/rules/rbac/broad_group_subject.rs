//! `rbac-broad-group-subject`: a binding whose subject is a group every authenticated
//! identity or every ServiceAccount belongs to (warning), or that takes in anonymous requests
//! (`system:unauthenticated`, the User `system:anonymous`: error). Bindings to the discovery
//! roles, which every cluster grants this way, are exempt.

use super::rbac_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::rbac::{DISCOVERY_ROLES, Subject};

rbac_rule!(BroadGroupSubject, "rbac-broad-group-subject");

impl Rule for BroadGroupSubject {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for b in &cx.index.rbac.bindings {
            if self.0.binding_ignored(b) || DISCOVERY_ROLES.contains(&&*b.role_name) {
                continue;
            }
            for s in b.subjects.iter() {
                let (who, anonymous) = match &s.subject {
                    Subject::Group(g) => match &**g {
                        "system:authenticated" => ("every authenticated user".to_string(), false),
                        "system:serviceaccounts" => ("every service account".to_string(), false),
                        "system:unauthenticated" => ("anonymous users".to_string(), true),
                        g => match g.strip_prefix("system:serviceaccounts:") {
                            Some(ns) => (format!("every service account of namespace `{ns}`"), false),
                            None => continue,
                        },
                    },
                    Subject::User(u) if &**u == "system:anonymous" => ("anonymous users".to_string(), true),
                    _ => continue,
                };
                let f = out.emit_for(
                    &b.obj,
                    s.loc,
                    format!("{} `{}` grants `{}` to {who}", b.kind(), b.display(), b.role_name),
                );
                f.label(format!("{} means {who}", s.subject.describe()));
                if anonymous {
                    f.severity = Severity::Error;
                }
            }
        }
    }
}
