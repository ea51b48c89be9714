//! `--compare`: what moved since an earlier posture. Namespaces that entered or left policy,
//! per control and for all of them, with what keeps those that left out; namespaces that
//! appeared or disappeared.

use super::{Control, Posture, Responsible, Status, Summary};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier headline.
    pub before: Summary,
    /// Namespaces of both postures now under a control they were not under.
    pub entered: Vec<Move>,
    /// Namespaces of both postures no longer under a control they were under, with why.
    pub left: Vec<Move>,
    /// Namespaces under every control now and not before, and the reverse.
    pub entered_all: Vec<String>,
    pub left_all: Vec<String>,
    /// Namespaces only the current posture has, and only the earlier one.
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl Comparison {
    /// Whether nothing moved.
    pub fn is_empty(&self) -> bool {
        self.entered.is_empty()
            && self.left.is_empty()
            && self.entered_all.is_empty()
            && self.left_all.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
    }

    /// Every namespace something moved in, sorted.
    pub fn changed_namespaces(&self) -> Vec<&str> {
        let mut all: Vec<&str> = self
            .entered
            .iter()
            .chain(&self.left)
            .map(|m| m.namespace.as_str())
            .chain(self.entered_all.iter().chain(&self.left_all).map(String::as_str))
            .chain(self.added.iter().chain(&self.removed).map(String::as_str))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// A namespace entering or leaving a control's policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Move {
    pub namespace: String,
    pub control: Control,
    /// For a namespace that left: the requirements it no longer meets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
    /// For a namespace that left: the objects with warnings or errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responsible: Vec<Responsible>,
}

/// What moved from `before` to `now`.
pub fn compare(before: &Posture, now: &Posture) -> Comparison {
    let mut c = Comparison {
        before: before.summary.clone(),
        entered: Vec::new(),
        left: Vec::new(),
        entered_all: Vec::new(),
        left_all: Vec::new(),
        added: Vec::new(),
        removed: Vec::new(),
    };
    let was: std::collections::BTreeMap<&str, &super::Namespace> =
        before.namespaces.iter().map(|n| (n.name.as_str(), n)).collect();
    let is: std::collections::BTreeSet<&str> = now.namespaces.iter().map(|n| n.name.as_str()).collect();
    c.removed = was.keys().filter(|n| !is.contains(*n)).map(|n| n.to_string()).collect();
    for n in &now.namespaces {
        let Some(old) = was.get(n.name.as_str()) else {
            c.added.push(n.name.clone());
            continue;
        };
        for control in Control::ALL {
            let (then, j) = (old.judged(control).status, n.judged(control));
            match (then == Status::Under, j.status == Status::Under) {
                (false, true) => c.entered.push(Move {
                    namespace: n.name.clone(),
                    control,
                    gaps: Vec::new(),
                    responsible: Vec::new(),
                }),
                (true, false) => c.left.push(Move {
                    namespace: n.name.clone(),
                    control,
                    gaps: j.gaps.clone(),
                    responsible: j.responsible.clone(),
                }),
                _ => {}
            }
        }
        match (old.under_all, n.under_all) {
            (false, true) => c.entered_all.push(n.name.clone()),
            (true, false) => c.left_all.push(n.name.clone()),
            _ => {}
        }
    }
    c
}
