//! `ref-priority-class-not-found`: a pod template's `priorityClassName` is neither a
//! built-in class (`system-cluster-critical`, `system-node-critical`) nor a PriorityClass
//! of the set; the Priority admission plugin rejects the pod. Without `complete_set` the
//! finding is `info`.

use super::{not_in_set, who};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::refs::Target;

declare_rule!(PriorityClassNotFound, "ref-priority-class-not-found");

/// Classes every cluster has.
const BUILTIN: &[&str] = &["system-cluster-critical", "system-node-critical"];

impl Rule for PriorityClassNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.refs.to(Target::PriorityClass) {
            if BUILTIN.contains(&&*r.name) || index.find("PriorityClass", None, &r.name).is_some() {
                continue;
            }
            let searched = index.count("PriorityClass", None);
            let f = out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "{} uses PriorityClass `{}`, which is neither built in (`system-cluster-critical`, `system-node-critical`) nor in the set (searched {searched} PriorityClass{}); the Priority admission plugin rejects its pods",
                    who(&r.obj),
                    r.name,
                    if searched == 1 { "" } else { "es" }
                ),
            );
            f.label("PriorityClass not found");
            not_in_set(cx, f);
        }
    }
}
