//! `ref-storage-class-not-found` (off): a `storageClassName` of a PersistentVolumeClaim or a
//! StatefulSet `volumeClaimTemplates` entry names a StorageClass that is not in the set.
//! `""` (no class) and an absent name (the default class) are never reported. Storage
//! classes usually come with the cluster, hence `info`.

use super::who;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::refs::Target;

declare_rule!(StorageClassNotFound, "ref-storage-class-not-found");

impl Rule for StorageClassNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for r in index.refs.to(Target::StorageClass) {
            if index.find("StorageClass", None, &r.name).is_some() {
                continue;
            }
            let searched = index.count("StorageClass", None);
            out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "{} requests StorageClass `{}`, which is not in the set (searched {searched} StorageClass{}); the claim stays Pending unless the cluster has it",
                    who(&r.obj),
                    r.name,
                    if searched == 1 { "" } else { "es" }
                ),
            )
            .label("StorageClass not found");
        }
    }
}
