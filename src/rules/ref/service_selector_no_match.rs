//! `ref-service-selector-no-match`: a Service with a non-empty selector (not
//! `ExternalName`) that matches no pod template of its namespace has no endpoints. A
//! Service without a selector is legitimate (its endpoints are managed elsewhere) and never
//! reported. Without `complete_set` the finding is `info`.

use super::{not_in_set, plural};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(ServiceSelectorNoMatch, "ref-service-selector-no-match");

impl Rule for ServiceSelectorNoMatch {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for svc in &index.services {
            // Selecting by controller-set labels only (a StatefulSet pod's name): what it
            // selects is not known from the templates.
            if !svc.selects_pods()
                || svc.template_pairs().next().is_none()
                || index.workloads_selected_by(svc).next().is_some()
            {
                continue;
            }
            let searched = index.workloads_in(&svc.namespace).len();
            let f = out.emit_for(
                &svc.obj,
                svc.selector_loc,
                format!(
                    "Service `{}` selects {}, but no pod template in namespace `{}` has those labels (searched {searched} workload{})",
                    svc.name,
                    svc.describe_selector(),
                    svc.namespace,
                    plural(searched)
                ),
            );
            f.label("selects no pod template in the set");
            let unreadable = index.unreadable_in(svc.obj.file);
            if unreadable > 0 {
                f.help(format!(
                    "{unreadable} document{} of this file could not be read (see invalid-manifest); the pods may be defined there",
                    plural(unreadable)
                ));
            }
            not_in_set(cx, f);
        }
    }
}
