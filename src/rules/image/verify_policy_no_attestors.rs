//! `image-verify-policy-no-attestors`: a verification policy that verifies nothing: a Kyverno
//! `verifyImages` entry without attestors or attestations (or with `required: false`), a
//! ClusterImagePolicy with no authorities or only `static` ones.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(VerifyPolicyNoAttestors, "image-verify-policy-no-attestors");

impl Rule for VerifyPolicyNoAttestors {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.image_policies {
            let why = if !p.verifies {
                "it has no attestors or key-based authorities"
            } else if !p.required {
                "`required: false` lets images without a verified signature through"
            } else {
                continue;
            };
            out.emit_for(
                &p.obj,
                p.verifier_loc,
                format!("verification policy {} does not verify signatures: {why}", p.label),
            )
            .label("verifies nothing");
        }
    }
}
