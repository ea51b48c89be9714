//! `hpa-behavior-absent`: an `autoscaling/v2` HPA without `behavior`: the defaults apply
//! (scale-up 4 pods or 100% per 15 s, scale-down after a 300 s window), unseen by reviewers.

use super::{hpa, spec};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(BehaviorAbsent, "hpa-behavior-absent");

impl Rule for BehaviorAbsent {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((h, name)) = hpa(cx) else { return };
        if h.v2.is_none() || h.behavior().is_some() {
            return;
        }
        out.emit(
            cx.at(&spec(&["behavior"])),
            format!(
                "HPA `{name}` declares no scaling behavior; the defaults apply (scale-up 4 pods or 100% per 15s, scale-down after a 300s window)"
            ),
        )
        .label("`behavior` is not set");
    }
}
