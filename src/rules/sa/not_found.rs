//! `sa-not-found`: the effective ServiceAccount (`serviceAccountName`, else
//! `serviceAccount`) is not `default` and is not a ServiceAccount of the workload's
//! namespace: the ServiceAccount admission plugin rejects its pods. Info without
//! `complete_set`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(NotFound, "sa-not-found");

impl Rule for NotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let rbac = &cx.index.rbac;
        for p in &rbac.pods {
            let sa = p.effective();
            // A name that is not a valid object name is an unrendered placeholder
            // (`${KSA_NAME}`, `<KSA_NAME>`): the manifest is a template, not a deploy.
            if sa == "default"
                || !crate::model::object::is_dns_subdomain(sa)
                || rbac.service_account(&p.namespace, sa).is_some()
            {
                continue;
            }
            let n = rbac.service_accounts_in(&p.namespace);
            let f = out.emit_for(
                &p.obj,
                p.sa_loc(),
                format!(
                    "{} `{}` runs as ServiceAccount `{sa}`, which is not in namespace `{}` (searched {n} ServiceAccount{} there); the ServiceAccount admission plugin rejects its pods",
                    p.obj.kind,
                    p.obj.name.as_deref().unwrap_or("<unnamed>"),
                    p.namespace,
                    if n == 1 { "" } else { "s" }
                ),
            );
            f.label("no ServiceAccount of this name in the namespace");
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}
