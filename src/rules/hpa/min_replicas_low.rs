//! `hpa-min-replicas-low`: `minReplicas` below a minimum (option `min`, default 2): at its
//! lowest the workload is a single point of failure.

use super::{hpa, spec};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub min: i32,
}

pub struct MinReplicasLow(Options);

impl RuleDef for MinReplicasLow {
    const ID: &'static str = "hpa-min-replicas-low";
    type Options = Options;
    fn new(options: Options) -> Self {
        MinReplicasLow(options)
    }
}

impl Rule for MinReplicasLow {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        if h.min() >= self.0.min || h.min() < 1 {
            return;
        }
        let written = if h.min_replicas.is_some() { "" } else { " (the default)" };
        out.emit(
            cx.at(&spec(&["minReplicas"])),
            format!(
                "HPA `{name}`: minReplicas is {}{written}, below {}; at its minimum the workload is a single point of failure",
                h.min(),
                self.0.min
            ),
        )
        .label(format!("fewer than {} replicas", self.0.min));
    }
}
