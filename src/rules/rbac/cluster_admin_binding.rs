//! `rbac-cluster-admin-binding`: `cluster-admin` (or an admin-equivalent role) granted to
//! Users or Groups by a ClusterRoleBinding, or any admin-equivalent role granted through a
//! RoleBinding (full control of that namespace, Secrets and RBAC included).
//! ServiceAccounts bound cluster-wide are `rbac-cluster-admin-to-serviceaccount`'s; the
//! group `system:masters` bypasses RBAC, so a binding to it changes nothing.

use super::{describe_subjects, rbac_rule, scope};
use crate::engine::{Out, Rule, SetCx};
use crate::model::rbac::{Subject, SubjectFact};

rbac_rule!(ClusterAdminBinding, "rbac-cluster-admin-binding");

impl Rule for ClusterAdminBinding {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let rbac = &cx.index.rbac;
        for (b, grant) in rbac.bindings.iter().zip(&rbac.grants) {
            if self.0.binding_ignored(b) {
                continue;
            }
            let Some(g) = grant.as_ref().filter(|g| g.admin_equivalent()) else {
                continue;
            };
            let subjects: Vec<&SubjectFact> = b
                .subjects
                .iter()
                .filter(|s| match &s.subject {
                    Subject::Invalid => false,
                    Subject::Group(g) if &**g == "system:masters" => false,
                    s if b.cluster => !s.is_service_account_form(),
                    _ => true,
                })
                .collect();
            let Some(first) = subjects.first() else {
                continue;
            };
            let f = out.emit_for(
                &b.obj,
                first.loc,
                format!(
                    "{} `{}` grants {} to {} {}",
                    b.kind(),
                    b.display(),
                    g.admin_display(),
                    describe_subjects(&subjects),
                    scope(b)
                ),
            );
            f.label(if b.cluster {
                "full control of the cluster"
            } else {
                "full control of the namespace"
            });
            for s in &subjects[1..] {
                f.related(s.loc, format!("{} holds it too", s.subject.describe()));
            }
            super::relate_admin_rule(f, g);
        }
    }
}
