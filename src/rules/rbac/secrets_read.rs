//! `rbac-secrets-read`: a binding whose role gives `get`, `list` or `watch` on every Secret
//! (no `resourceNames`). Reported on the binding, because a role nobody binds grants
//! nothing: a warning for a ClusterRoleBinding (every namespace), info for a RoleBinding.
//! Admin-equivalent roles are `rbac-cluster-admin-*`'s.

use super::{describe_subjects, rbac_rule};
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::rbac::{PermClass, Subject, SubjectFact};

rbac_rule!(SecretsRead, "rbac-secrets-read");

impl Rule for SecretsRead {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let rbac = &cx.index.rbac;
        for (b, grant) in rbac.bindings.iter().zip(&rbac.grants) {
            if self.0.binding_ignored(b) {
                continue;
            }
            let Some(g) = grant.as_ref().filter(|g| !g.admin_equivalent()) else {
                continue;
            };
            let Some(read) = g.summary.get(PermClass::SecretsRead).filter(|p| !p.restricted) else {
                continue;
            };
            let subjects: Vec<&SubjectFact> = b.subjects.iter().filter(|s| s.subject != Subject::Invalid).collect();
            if subjects.is_empty() {
                continue;
            }
            let scope = match (&b.namespace, b.cluster) {
                (Some(ns), false) => format!("in `{ns}`"),
                _ => "in the cluster".to_string(),
            };
            let f = out.emit_for(
                &b.obj,
                b.role_name_loc,
                format!(
                    "{} `{}` lets {} read every Secret {scope}",
                    b.kind(),
                    b.display(),
                    describe_subjects(&subjects)
                ),
            );
            f.label(format!("{} grants {}", g.role, read.what));
            if let Some(loc) = read.loc {
                let via = read
                    .via
                    .as_ref()
                    .map_or(String::new(), |v| format!(" (aggregated into the built-in `{v}` role)"));
                f.related(loc, format!("this rule grants {}{via}", read.what));
            }
            if !b.cluster {
                f.at_most(Severity::Info);
            }
        }
    }
}
