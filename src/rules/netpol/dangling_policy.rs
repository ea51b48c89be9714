//! `netpol-dangling-policy`: a policy whose `podSelector` matches no workload of its
//! namespace does nothing. (A default deny that selects every pod is never dangling.)
//! Without `complete_set` the finding is `info`: the workloads may live elsewhere.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(DanglingPolicy, "netpol-dangling-policy");

impl Rule for DanglingPolicy {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.netpols {
            if p.isolates_all()
                || cx
                    .index
                    .workloads_matching(&p.namespace, &p.pod_selector)
                    .next()
                    .is_some()
            {
                continue;
            }
            let searched = cx.index.workloads_in(&p.namespace).len();
            let f = out.emit_for(
                &p.obj,
                p.pod_selector_loc,
                format!(
                    "NetworkPolicy `{}` selects no workload in namespace `{}` (selector: {}; searched {searched} workload{} there)",
                    p.name,
                    p.namespace,
                    p.pod_selector,
                    if searched == 1 { "" } else { "s" }
                ),
            );
            f.label("matches no pod template in the set");
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}
