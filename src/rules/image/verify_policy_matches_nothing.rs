//! `image-verify-policy-matches-nothing`: a verification pattern that matches no image of the
//! set: stale, misspelt, or meant for images kept elsewhere.

use super::images;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::image::ImageRef;

declare_rule!(VerifyPolicyMatchesNothing, "image-verify-policy-matches-nothing");

impl Rule for VerifyPolicyMatchesNothing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        if cx.index.image_policies.is_empty() {
            return;
        }
        let all: Vec<ImageRef<'_>> = images(cx).map(|(_, _, i)| i).collect();
        for p in &cx.index.image_policies {
            for pat in &p.patterns {
                if all.iter().any(|i| pat.matches(i)) {
                    continue;
                }
                out.emit_for(
                    &p.obj,
                    pat.loc,
                    format!(
                        "pattern `{}` in {} matches no image in the set ({} images checked)",
                        pat.text,
                        p.label,
                        all.len()
                    ),
                )
                .label("matches nothing here");
            }
        }
    }
}
