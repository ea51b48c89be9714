//! `image-not-signature-verified`: a container image no signature-verification policy of
//! the set covers (Kyverno `verifyImages`/`ImageValidatingPolicy`, policy-controller
//! `ClusterImagePolicy`; rule-families §3.3). Runs only when the set has at least one such
//! policy, or with the option `require_signature_policy: true`: otherwise the cluster may
//! rely on a policy kept elsewhere.

use super::{checked, coverage, images};
use crate::engine::{Out, Rule, RuleDef, SetCx};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    pub require_signature_policy: bool,
}

pub struct NotSignatureVerified(Options);

impl RuleDef for NotSignatureVerified {
    const ID: &'static str = "image-not-signature-verified";
    type Options = Options;
    fn new(options: Options) -> Self {
        NotSignatureVerified(options)
    }
}

impl Rule for NotSignatureVerified {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        if cx.index.image_policies.is_empty() && !self.0.require_signature_policy {
            return;
        }
        let checked = checked(cx);
        for (w, c, image) in images(cx) {
            let cov = coverage(cx, w, &image);
            if !cov.enforcing.is_empty() || !cov.auditing.is_empty() || !cov.not_opted_in.is_empty() {
                continue;
            }
            out.emit_for(
                &w.obj,
                c.image_loc,
                format!(
                    "image `{}` ({}, namespace `{}`) is not covered by any signature-verification policy in the set (checked: {checked})",
                    crate::source::excerpt(image.raw),
                    w.display(),
                    w.namespace
                ),
            )
            .label(format!("no policy matches `{}`", image.kyverno_string()));
            super::trigger_set(c, out);
        }
    }
}
