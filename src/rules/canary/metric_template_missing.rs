//! `canary-metric-template-missing`: a metric's `templateRef` names no MetricTemplate of the
//! set (the namespace defaults to the Canary's). Without `complete_set` it is `info`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(MetricTemplateMissing, "canary-metric-template-missing");

impl Rule for MetricTemplateMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for c in &cx.index.canaries {
            for (name, namespace, loc) in &c.templates {
                let ns = namespace.as_deref().unwrap_or(&c.namespace);
                if cx
                    .index
                    .find_from(c.obj.file, Some("flagger.app"), "MetricTemplate", Some(ns), name)
                    .is_some()
                {
                    continue;
                }
                let f = out.emit_for(
                    &c.obj,
                    *loc,
                    format!(
                        "MetricTemplate `{ns}/{name}` used by Canary `{}` is not in the set",
                        c.name
                    ),
                );
                f.label("template not found");
                if !cx.settings.complete_set {
                    f.at_most(Severity::Info);
                }
            }
        }
    }
}
