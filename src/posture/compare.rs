//! `--compare`: what moved since an earlier posture. Namespaces that entered or left policy,
//! per control and for all of them, with what keeps those that left out; namespaces that
//! appeared or disappeared.

use super::{Control, Posture, Responsible, Status, Summary};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comparison {
    /// The earlier headline.
    pub before: Summary,
    /// Namespaces of both postures now under a control they were out of.
    pub entered: Vec<Move>,
    /// Namespaces of both postures now out of a control they were under, with why.
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
            // A control that starts or stops applying (the first image, the last
            // autoscaler) is not a move.
            match (then, j.status) {
                (Status::Not, Status::Under) => c.entered.push(Move {
                    namespace: n.name.clone(),
                    control,
                    gaps: Vec::new(),
                    responsible: Vec::new(),
                }),
                (Status::Under, Status::Not) => c.left.push(Move {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posture::{Namespace, PssConfigured, Summary};

    fn ns(name: &str, supply: Status, under_all: bool) -> Namespace {
        let mut n = Namespace {
            name: name.to_string(),
            declared: true,
            applicable: 1,
            under_all,
            pod_security: Default::default(),
            network: Default::default(),
            supply_chain: Default::default(),
            secrets: Default::default(),
            scaling: Default::default(),
            rbac: Default::default(),
        };
        n.supply_chain.judged.status = supply;
        n
    }

    fn posture(namespaces: Vec<Namespace>) -> Posture {
        Posture {
            version: crate::posture::VERSION,
            tool: "plimsoll".to_string(),
            pss: PssConfigured {
                level: "restricted".to_string(),
                version: "latest".to_string(),
            },
            summary: Summary {
                namespaces: namespaces.len(),
                controls: Default::default(),
                judged: 0,
                under_all: 0,
            },
            namespaces,
        }
    }

    #[test]
    fn moves_are_between_under_and_out_only() {
        let before = posture(vec![
            ns("a", Status::Under, true),
            ns("b", Status::NotApplicable, true),
            ns("c", Status::Not, false),
            ns("gone", Status::Under, true),
        ]);
        let now = posture(vec![
            ns("a", Status::NotApplicable, true),
            ns("b", Status::Under, true),
            ns("c", Status::Under, true),
            ns("new", Status::Not, false),
        ]);
        let c = compare(&before, &now);
        let moves = |m: &[Move]| m.iter().map(|m| (m.namespace.clone(), m.control)).collect::<Vec<_>>();
        assert_eq!(moves(&c.entered), [("c".to_string(), Control::SupplyChain)]);
        assert!(c.left.is_empty());
        assert_eq!(c.entered_all, ["c"]);
        assert!(c.left_all.is_empty());
        assert_eq!(c.added, ["new"]);
        assert_eq!(c.removed, ["gone"]);
        assert!(!c.is_empty());
        assert!(compare(&now, &now).is_empty());
    }
}
