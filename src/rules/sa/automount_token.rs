//! `sa-automount-token`: pods mount an API token (effective automount true) for a
//! ServiceAccount that no RoleBinding or ClusterRoleBinding of the set names, in any
//! ServiceAccount form (`kind: ServiceAccount`, the User `system:serviceaccount:<ns>:<name>`,
//! the groups `system:serviceaccounts[:<ns>]`): the token has no use and only helps an
//! attacker. (Without `complete_set` the bindings may also live elsewhere; this finding then
//! stands for `sa-privileged-token-automounted`'s "bindings unknown", which it does not
//! repeat.)

use super::Automount;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(AutomountToken, "sa-automount-token");

impl Rule for AutomountToken {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        let rbac = &index.rbac;
        for p in &rbac.pods {
            let mount = Automount::of(index, p);
            if !mount.mounts() {
                continue;
            }
            let sa = p.effective();
            if rbac.bindings_reaching_sa(&p.namespace, sa, false).next().is_some() {
                continue;
            }
            let (loc, label) = match mount {
                Automount::Pod(_, loc) => (loc, "mounts the token"),
                _ => (p.sa_loc(), "the token is mounted by default"),
            };
            let n = rbac.bindings.len();
            out.emit_for(
                &p.obj,
                loc,
                format!(
                    "Pods of `{}` mount an API token for ServiceAccount `{sa}`, which no RoleBinding or ClusterRoleBinding of the set names ({n} searched){}",
                    p.display(),
                    mount.unknown_note(p)
                ),
            )
            .label(label);
            // On the pod, not the ServiceAccount, which other pods may share.
            let fix = crate::model::Workload::spec_route_of(&p.obj.kind).and_then(|spec| {
                crate::engine::Fix::for_object(
                    &p.obj,
                    crate::engine::Applicability::Unsafe,
                    format!("set automountServiceAccountToken: false on the pods of {}", p.display()),
                )
                .map(|f| {
                    f.set(
                        spec.key("automountServiceAccountToken"),
                        crate::source::edit::Value::Bool(false),
                    )
                })
            });
            if let (Some(fix), Some(f)) = (fix, out.last()) {
                f.with_fix(fix);
            }
        }
    }
}
