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
        .label("`behavior` is not set")
        .with_fix(
            cx.fix(
                crate::engine::Applicability::Safe,
                "write the default scaling behavior out (the scale-down window stays the cluster's)",
            )
            .set(spec(&["behavior"]), default_behavior()),
        );
    }
}

/// The behavior the API server defaults (`pkg/apis/autoscaling/v2/defaults.go`), without
/// the scale-down stabilization window: unset, it is kube-controller-manager's
/// `--horizontal-pod-autoscaler-downscale-stabilization` (5m by default), and writing 300
/// would pin a cluster setting.
fn default_behavior() -> crate::source::edit::Value {
    use crate::source::edit::Value;
    let s = |v: &str| Value::Str(v.into());
    let policy = |kind: &str, value: i64| {
        Value::Map(vec![
            ("type".into(), s(kind)),
            ("value".into(), Value::Int(value)),
            ("periodSeconds".into(), Value::Int(15)),
        ])
    };
    Value::Map(vec![
        (
            "scaleUp".into(),
            Value::Map(vec![
                ("stabilizationWindowSeconds".into(), Value::Int(0)),
                ("selectPolicy".into(), s("Max")),
                (
                    "policies".into(),
                    Value::Seq(vec![policy("Pods", 4), policy("Percent", 100)]),
                ),
            ]),
        ),
        (
            "scaleDown".into(),
            Value::Map(vec![
                ("selectPolicy".into(), s("Max")),
                ("policies".into(), Value::Seq(vec![policy("Percent", 100)])),
            ]),
        ),
    ])
}
