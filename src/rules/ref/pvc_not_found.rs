//! `ref-pvc-not-found`: a pod volume's `persistentVolumeClaim.claimName` names no
//! PersistentVolumeClaim of the namespace; the pod stays `Pending`. StatefulSet
//! `volumeClaimTemplates` and `ephemeral` volumes create their own claims and are not
//! references. Without `complete_set` the finding is `info`.

use super::{not_in_set, plural, who};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::refs::Target;

declare_rule!(PvcNotFound, "ref-pvc-not-found");

impl Rule for PvcNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.refs.to(Target::Claim) {
            if index
                .find("PersistentVolumeClaim", Some(&r.namespace), &r.name)
                .is_some()
            {
                continue;
            }
            let searched = index.count("PersistentVolumeClaim", Some(&r.namespace));
            let f = out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "{} mounts PersistentVolumeClaim `{}`, which is not in the set (searched {searched} PersistentVolumeClaim{} in namespace `{}`); the pod stays Pending",
                    who(&r.obj),
                    r.name,
                    plural(searched),
                    r.namespace
                ),
            );
            f.label("PersistentVolumeClaim not found");
            not_in_set(cx, f);
        }
    }
}
