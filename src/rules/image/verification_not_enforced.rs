//! `image-verification-not-enforced`: every policy that verifies the image runs in audit or
//! warn mode: unsigned images are reported but admitted.

use super::{coverage, images};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(VerificationNotEnforced, "image-verification-not-enforced");

impl Rule for VerificationNotEnforced {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        // Only a policy of the set audits: without one, no image is read.
        if cx.index.image_policies.is_empty() {
            return;
        }
        for (w, c, image) in images(cx) {
            let cov = coverage(cx, w, &image);
            if !cov.enforcing.is_empty() || cov.auditing.is_empty() {
                continue;
            }
            let names: Vec<&str> = cov.auditing.iter().map(|p| p.label.as_str()).collect();
            let f = out.emit_for(
                &w.obj,
                c.image_loc,
                format!(
                    "image `{}` of {} is only verified in audit/warn mode (by {}); unsigned images are admitted",
                    crate::source::excerpt(image.raw),
                    w.display(),
                    names.join(", ")
                ),
            );
            f.label("verified, not enforced");
            for p in cov.auditing {
                f.related(p.action_loc, format!("{} does not enforce", p.label));
            }
            super::trigger_set(c, out);
        }
    }
}
