//! `sa-default-used` (off by default): pods run as their namespace's `default`
//! ServiceAccount, explicitly or because neither `serviceAccountName` nor `serviceAccount` is
//! set.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(DefaultUsed, "sa-default-used");

impl Rule for DefaultUsed {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.rbac.pods {
            if p.effective() != "default" {
                continue;
            }
            let explicit = p.name.is_some();
            out.emit_for(
                &p.obj,
                p.sa_loc(),
                format!(
                    "Pods of `{}` run as the `default` ServiceAccount of namespace `{}`",
                    p.display(),
                    p.namespace
                ),
            )
            .label(if explicit {
                "the namespace's default ServiceAccount"
            } else {
                "no serviceAccountName: `default` is used"
            });
        }
    }
}
