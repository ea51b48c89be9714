//! `ns-psa-audit-warn-without-enforce`: a Namespace that audits or warns at a Pod Security
//! level but does not enforce one: violations are admitted.

use super::{label_route, psa_label};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(PsaAuditWarnWithoutEnforce, "ns-psa-audit-warn-without-enforce");

impl Rule for PsaAuditWarnWithoutEnforce {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.kind != "Namespace" || obj.api_version != "v1" {
            return;
        }
        let Some(labels) = obj.labels() else { return };
        if labels.contains_key(&psa_label("enforce")) {
            return;
        }
        let modes: Vec<&str> = ["audit", "warn"]
            .into_iter()
            .filter(|m| labels.contains_key(&psa_label(m)))
            .collect();
        let Some(first) = modes.first() else { return };
        let name = obj.name().unwrap_or("<unnamed>");
        let level = labels.get(&psa_label(first)).cloned().unwrap_or_default();
        out.emit(
            cx.at(&label_route(&psa_label(first))),
            format!(
                "Namespace `{name}` only {}s; Pod Security violations are admitted",
                modes.join("s and ")
            ),
        )
        .label("no `pod-security.kubernetes.io/enforce` label")
        .with_fix(
            cx.fix(
                crate::engine::Applicability::Unsafe,
                format!(
                    "enforce the {first} level: label the namespace {}: {level}",
                    psa_label("enforce")
                ),
            )
            .set(
                label_route(&psa_label("enforce")),
                crate::source::edit::Value::Str(level.clone()),
            ),
        );
    }
}
