//! `workload-priority-class-missing` (off by default): a pod template without a
//! `priorityClassName`, or with one outside the option `allowed` (default: any name).

use super::subject;
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub allowed: Vec<String>,
}

pub struct PriorityClassMissing {
    allowed: Vec<String>,
}

impl RuleDef for PriorityClassMissing {
    const ID: &'static str = "workload-priority-class-missing";
    type Options = Options;
    fn new(options: Options) -> Self {
        PriorityClassMissing {
            allowed: options.allowed,
        }
    }
}

impl Rule for PriorityClassMissing {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        let route = w.spec_route().key("priorityClassName");
        match w.spec.priority_class_name.as_deref().filter(|p| !p.is_empty()) {
            None => {
                out.emit(
                    cx.at(&route),
                    format!(
                        "{} sets no priorityClassName; its pods get the cluster's default priority",
                        subject(cx)
                    ),
                );
            }
            Some(p) if !self.allowed.is_empty() && !self.allowed.iter().any(|a| a == p) => {
                let allowed: Vec<String> = self.allowed.iter().map(|a| format!("`{a}`")).collect();
                out.emit(
                    cx.at(&route),
                    format!(
                        "{} uses priorityClassName `{p}`, which is not among the allowed ({})",
                        subject(cx),
                        crate::engine::first_few(&allowed)
                    ),
                )
                .label("not allowed");
            }
            Some(_) => {}
        }
    }
}
