//! `sa-deprecated-field`: the pod spec uses the deprecated `serviceAccount` (info); a
//! warning when `serviceAccountName` is set to another name, which wins.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(DeprecatedField, "sa-deprecated-field");

impl Rule for DeprecatedField {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.rbac.pods {
            let Some(d) = &p.deprecated else {
                continue;
            };
            let (old, loc) = (&d.value, &d.loc);
            match &d.name {
                Some((name, name_loc)) if name != old => {
                    let f = out.emit_for(
                        &p.obj,
                        *loc,
                        format!(
                            "`{}` sets the deprecated `serviceAccount: {old}` and `serviceAccountName: {name}`; `serviceAccountName` wins, so the pods run as `{name}`",
                            p.display()
                        ),
                    );
                    f.label("ignored: serviceAccountName differs")
                        .related(*name_loc, format!("the pods run as `{name}`"));
                    f.severity = Severity::Warning;
                }
                _ => {
                    out.emit_for(
                        &p.obj,
                        *loc,
                        format!(
                            "`{}` uses the deprecated `serviceAccount` field; use `serviceAccountName`",
                            p.display()
                        ),
                    )
                    .label("deprecated");
                }
            }
        }
    }
}
