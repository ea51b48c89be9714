//! Pod Security Standards, exactly as the Pod Security Admission controller judges them
//! (`specs/pss.md`). One rule per upstream check.

use crate::engine::ObjectCx;
use crate::model::pss::{PssLevel, PssVersion};

pub mod host_namespaces;
pub mod privileged;

/// The policy a workload is judged at.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    pub level: PssLevel,
    pub version: PssVersion,
}

impl Policy {
    /// The policy for this object when it checks `level`-level controls; `None` when the
    /// policy's level does not include them.
    pub fn for_object(cx: &ObjectCx<'_>, level: PssLevel) -> Option<Policy> {
        let policy = Policy {
            level: cx.settings.pss.level,
            version: cx.settings.pss.version,
        };
        (policy.level >= level).then_some(policy)
    }

    /// The prefix of kubectl's warning: `would violate PodSecurity "restricted:latest"`.
    pub fn violates(&self) -> String {
        format!("would violate PodSecurity \"{}:{}\"", self.level, self.version)
    }
}
