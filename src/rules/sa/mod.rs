//! ServiceAccounts of pod templates (workload-checks §3.2): which one pods run as, whether
//! it exists, whether its token is mounted and what its bindings grant. Every rule reads the
//! ServiceAccount side of each pod template from the index's RBAC part; bindings are found
//! through the index by ServiceAccount and by group, never by scanning them.

use crate::model::Index;
use crate::model::rbac::PodSaFact;
use crate::source::Loc;

pub mod automount_token;
pub mod default_used;
pub mod deprecated_field;
pub mod not_found;
pub mod privileged_token_automounted;

/// Where the effective automount comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Automount {
    /// The pod's `automountServiceAccountToken` (its entry).
    Pod(bool, Loc),
    /// The ServiceAccount's, which is in the set.
    ServiceAccount(bool),
    /// Neither is set: the default, true. `known` is false when the ServiceAccount is not in
    /// the set (its setting is unknown).
    Default { known: bool },
}

impl Automount {
    /// Effective automount: the pod's field, else the ServiceAccount's if it is in the set,
    /// else true.
    pub fn of(index: &Index, p: &PodSaFact) -> Automount {
        if let Some((v, loc)) = p.automount {
            return Automount::Pod(v, loc);
        }
        match index.rbac.service_account(&p.namespace, p.effective()) {
            Some(sa) => match sa.automount {
                Some(v) => Automount::ServiceAccount(v),
                None => Automount::Default { known: true },
            },
            None => Automount::Default { known: false },
        }
    }

    pub fn mounts(self) -> bool {
        match self {
            Automount::Pod(v, _) | Automount::ServiceAccount(v) => v,
            Automount::Default { .. } => true,
        }
    }

    /// `; `x` is not in the set, so its own automount setting is unknown` when that is so.
    pub fn unknown_note(self, p: &PodSaFact) -> String {
        match self {
            Automount::Default { known: false } => format!(
                "; `{}` is not in the set, so its own automount setting is unknown",
                p.effective()
            ),
            _ => String::new(),
        }
    }
}
