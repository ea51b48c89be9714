//! `rbac-escalation-verbs`: a Role or ClusterRole rule that grants a dangerous permission of
//! §3.1 (exec and attach, `nodes/proxy`, ServiceAccount tokens, `escalate`, `bind`,
//! impersonation, CSR approval, webhook configurations). Creating pods (or pod controllers)
//! is reported at info, as is a rule restricted by `resourceNames`; reading Secrets is
//! `rbac-secrets-read`'s. A Role grants nothing on cluster-scoped resources.

use super::{and_list, extension_note, rbac_rule};
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::rbac::{PermClass, csr_approval, rule_grants};

rbac_rule!(EscalationVerbs, "rbac-escalation-verbs");

impl Rule for EscalationVerbs {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for role in &cx.index.rbac.roles {
            if role.aggregation.is_some() || self.0.role_ignored(&role.name) {
                continue;
            }
            let namespaced = !role.cluster;
            let note = extension_note(role);
            // CSR approval takes two rules: it is reported on the one granting the approval.
            let csr = csr_approval(role.rules.iter().map(|r| (r, None)), namespaced);
            for rule in role.rules.iter() {
                let mut perms: Vec<_> = rule_grants(rule, namespaced)
                    .into_iter()
                    .filter(|g| g.class != PermClass::SecretsRead)
                    .collect();
                if let Some(c) = csr.as_ref().filter(|c| c.loc == Some(rule.loc)) {
                    perms.push(c.clone());
                }
                if perms.is_empty() {
                    continue;
                }
                let admin = rule.admin_equivalent();
                let what: Vec<String> = if admin {
                    vec!["every verb on every resource (pod creation, exec, `escalate`, `bind` and impersonation included)".to_string()]
                } else {
                    perms.iter().map(|g| g.what.clone()).collect()
                };
                let severe = admin || perms.iter().any(|g| g.class != PermClass::PodCreate && !g.restricted);
                let restricted = !admin && rule.restricted;
                let f = out.emit_for(
                    &role.obj,
                    rule.loc,
                    format!(
                        "{} `{}` allows {}{}, which can be used to gain further privileges{note}",
                        role.kind(),
                        role.name,
                        and_list(&what),
                        if restricted {
                            " (only on the objects its `resourceNames` lists)"
                        } else {
                            ""
                        }
                    ),
                );
                f.label(format!("rule {} grants it", rule.index));
                if !severe {
                    f.at_most(Severity::Info);
                }
            }
        }
    }
}
