//! `image-verify-policy-no-attestors`: a verification policy that verifies nothing: a Kyverno
//! `verifyImages` entry without attestors or attestations (or with `required: false`), a
//! ClusterImagePolicy with no authorities or with a `static: {action: pass}` authority (an
//! image passes when it satisfies any one authority). `static: {action: fail}` rejects
//! every image: it blocks, it does not fail to verify, so it is not reported.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::imagepolicy::Engine;

declare_rule!(VerifyPolicyNoAttestors, "image-verify-policy-no-attestors");

impl Rule for VerifyPolicyNoAttestors {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.image_policies {
            let why = if !p.verifies {
                match p.engine {
                    Engine::PolicyController => {
                        "it has no key or keyless authority, or a `static: {action: pass}` authority lets every image through"
                    }
                    _ => "it has no attestors or attestations",
                }
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
