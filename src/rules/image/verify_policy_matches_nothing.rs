//! `image-verify-policy-matches-nothing`: a verification pattern that matches no image of the
//! set: stale, misspelt, or meant for images kept elsewhere. A set without any image (a
//! policy library) has nothing to match, so nothing is reported there; when more than five
//! patterns and more than half of all match nothing, the policies are for images kept
//! elsewhere, and one finding says so. Each distinct image is tested once.

use super::images;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::image::ImageRef;

declare_rule!(VerifyPolicyMatchesNothing, "image-verify-policy-matches-nothing");

/// More unmatched patterns than this, and more than half of all, make one finding.
const LIBRARY: usize = 5;

/// Related locations listed in that finding.
const RELATED: usize = 20;

impl Rule for VerifyPolicyMatchesNothing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        if cx.index.image_policies.is_empty() {
            return;
        }
        let mut seen = std::collections::HashSet::new();
        let all: Vec<ImageRef<'_>> = images(cx).map(|(_, _, i)| i).filter(|i| seen.insert(i.raw)).collect();
        if all.is_empty() {
            return;
        }
        let mut total = 0usize;
        let mut unmatched = Vec::new();
        for p in &cx.index.image_policies {
            for pat in &p.patterns {
                total += 1;
                if !all.iter().any(|i| pat.matches(i)) {
                    unmatched.push((p, pat));
                }
            }
        }
        // Most patterns matching nothing is one root cause: the policies are for images kept
        // elsewhere (a policy library, a repository of policies with a test pod or two).
        if unmatched.len() > LIBRARY && unmatched.len() * 2 > total {
            let (p, pat) = unmatched[0];
            let f = out.emit_for(
                &p.obj,
                pat.loc,
                format!(
                    "{} of the {total} verification patterns of the set match none of its {} distinct images: the policies are for images kept elsewhere",
                    unmatched.len(),
                    all.len()
                ),
            );
            f.label("matches nothing here");
            for (q, other) in unmatched.iter().skip(1).take(RELATED) {
                f.related(
                    other.loc,
                    format!("`{}` in {} matches nothing either", other.text, q.label),
                );
            }
            return;
        }
        for (p, pat) in unmatched {
            out.emit_for(
                &p.obj,
                pat.loc,
                format!(
                    "pattern `{}` in {} matches no image in the set ({} distinct images checked)",
                    pat.text,
                    p.label,
                    all.len()
                ),
            )
            .label("matches nothing here");
        }
    }
}
