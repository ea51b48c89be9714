//! `pss-proc-mount-restricted` (upstream check `procMount_restricted`, restricted, v1.35):
//! the baseline `procMount` check without the `hostUsers: false` relaxation.

use super::{Check, Pod};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;

const CHECK: Check = Check {
    id: "procMount_restricted",
    level: PssLevel::Restricted,
    since: 35,
    overridden_from: None,
};

declare_rule!(ProcMountRestricted, "pss-proc-mount-restricted");

impl Rule for ProcMountRestricted {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        super::proc_mount::report(&pod, out);
    }
}
