//! `ns-psa-enforce-missing`: a Namespace without `pod-security.kubernetes.io/enforce` runs
//! under the cluster default, which upstream is `privileged` (no restrictions).

use super::{ExemptOptions, label_route, psa_label};
use crate::engine::{ObjectCx, Out, Rule, RuleDef};

pub struct PsaEnforceMissing(ExemptOptions);

impl RuleDef for PsaEnforceMissing {
    const ID: &'static str = "ns-psa-enforce-missing";
    type Options = ExemptOptions;
    fn new(options: ExemptOptions) -> Self {
        PsaEnforceMissing(options)
    }
}

impl Rule for PsaEnforceMissing {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        let Some(name) = self.0.judged(obj) else { return };
        let labels = obj.labels();
        let has = |mode: &str| labels.is_some_and(|l| l.contains_key(&psa_label(mode)));
        // Audit or warn without enforce is `ns-psa-audit-warn-without-enforce`'s finding.
        if has("enforce") || has("audit") || has("warn") {
            return;
        }
        out.emit(
            cx.at(&label_route(&psa_label("enforce"))),
            format!(
                "Namespace `{name}` has no Pod Security enforce label; the cluster default (privileged upstream) applies"
            ),
        )
        .label("add `pod-security.kubernetes.io/enforce: restricted`")
        .with_fix(enforce_fix(cx));
    }
}

/// Labels the namespace to enforce the configured level (and version, unless `latest`).
fn enforce_fix(cx: &ObjectCx<'_>) -> crate::engine::Fix {
    use crate::model::pss::PssVersion;
    use crate::source::edit::Value;
    let pss = &cx.settings.pss;
    let mut fix = cx
        .fix(
            crate::engine::Applicability::Unsafe,
            format!("label the namespace {}: {}", psa_label("enforce"), pss.level),
        )
        .set(label_route(&psa_label("enforce")), Value::Str(pss.level.to_string()));
    if pss.version != PssVersion::Latest {
        fix = fix.set(
            label_route(&psa_label("enforce-version")),
            Value::Str(pss.version.to_string()),
        );
    }
    fix
}
