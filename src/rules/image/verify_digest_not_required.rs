//! `image-verify-digest-not-required`: a Kyverno rule with `verifyDigest: false` admits
//! images referenced by tag; with `mutateDigest: false` covered images that are not pinned
//! in Git run whatever the tag points to at pull time.

use super::images;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::imagepolicy::Engine;

declare_rule!(VerifyDigestNotRequired, "image-verify-digest-not-required");

impl Rule for VerifyDigestNotRequired {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in cx.index.image_policies.iter().filter(|p| p.engine == Engine::Kyverno) {
            if let (false, Some(loc)) = p.verify_digest {
                out.emit_for(
                    &p.obj,
                    loc,
                    format!("{} allows tag-only references (`verifyDigest: false`)", p.label),
                )
                .label("digests not required");
                continue;
            }
            if let (false, Some(loc)) = p.mutate_digest {
                let unpinned = images(cx).filter(|(_, _, i)| !i.is_pinned() && p.covers(i)).count();
                if unpinned > 0 {
                    out.emit_for(
                        &p.obj,
                        loc,
                        format!(
                            "{} does not pin verified tags to digests (`mutateDigest: false`) and {unpinned} covered image{} of the set {} not pinned",
                            p.label,
                            if unpinned == 1 { "" } else { "s" },
                            if unpinned == 1 { "is" } else { "are" }
                        ),
                    )
                    .label("tags stay mutable");
                }
            }
        }
    }
}
