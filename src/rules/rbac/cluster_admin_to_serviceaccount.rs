//! `rbac-cluster-admin-to-serviceaccount`: a ClusterRoleBinding gives `cluster-admin` (or an
//! admin-equivalent role, aggregated ones included) to ServiceAccounts: any pod running as
//! one of them controls the cluster. ServiceAccount-form subjects are `kind:
//! ServiceAccount`, the User `system:serviceaccount:<ns>:<name>` and the groups
//! `system:serviceaccounts[:<ns>]`.

use super::{describe_subjects, rbac_rule};
use crate::engine::{Out, Rule, SetCx};
use crate::model::rbac::SubjectFact;

rbac_rule!(ClusterAdminToServiceaccount, "rbac-cluster-admin-to-serviceaccount");

impl Rule for ClusterAdminToServiceaccount {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let rbac = &cx.index.rbac;
        for (b, grant) in rbac.bindings.iter().zip(&rbac.grants) {
            if !b.cluster || self.0.binding_ignored(b) {
                continue;
            }
            let Some(g) = grant.as_ref().filter(|g| g.admin_equivalent()) else {
                continue;
            };
            let sas: Vec<&SubjectFact> = b
                .subjects
                .iter()
                .filter(|s| s.subject.is_service_account_form())
                .collect();
            let Some(first) = sas.first() else {
                continue;
            };
            let f = out.emit_for(
                &b.obj,
                first.loc,
                format!(
                    "ClusterRoleBinding `{}` gives {} to {}; any pod running as them controls the cluster",
                    b.name,
                    g.admin_display(),
                    describe_subjects(&sas)
                ),
            );
            f.label("a ServiceAccount with full control of the cluster");
            for s in &sas[1..] {
                f.related(s.loc, format!("{} holds it too", s.subject.describe()));
            }
            super::relate_admin_rule(f, g);
        }
    }
}
