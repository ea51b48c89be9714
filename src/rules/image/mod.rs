//! Container images: references, tags, digests, allowed registries, and coverage by the
//! signature-verification policies of the set (rule-families §3).

use crate::engine::SetCx;
use crate::model::facts::{ContainerFact, WorkloadFact};
use crate::model::image::ImageRef;
use crate::model::imagepolicy::{Engine, ImagePolicyFact};
use crate::model::selector::Tri;

pub mod invalid_reference;
pub mod mutable_tag;
pub mod not_digest_pinned;
pub mod not_signature_verified;
pub mod registry_not_allowed;
pub mod verification_not_enforced;
pub mod verify_digest_not_required;
pub mod verify_namespace_not_opted_in;
pub mod verify_pattern_unreachable;
pub mod verify_policy_matches_nothing;
pub mod verify_policy_no_attestors;

/// The namespace label policy-controller's webhook selects by default.
pub const CIP_OPT_IN: &str = "policy.sigstore.dev/include";

/// How the policies of the set judge one container image (rule-families §3.3 step 4-5).
pub struct Coverage<'a> {
    /// Policies that verify the image and enforce.
    pub enforcing: Vec<&'a ImagePolicyFact>,
    /// Policies that verify the image in audit or warn mode only.
    pub auditing: Vec<&'a ImagePolicyFact>,
    /// ClusterImagePolicies whose globs match but whose namespace is declared without the
    /// opt-in label.
    pub not_opted_in: Vec<&'a ImagePolicyFact>,
}

/// Every container image of every workload, parsed, with its workload.
pub fn images<'a>(cx: &'a SetCx<'_>) -> impl Iterator<Item = (&'a WorkloadFact, &'a ContainerFact, ImageRef<'a>)> + 'a {
    cx.index.workloads.iter().flat_map(|w| {
        w.containers.iter().filter_map(move |c| {
            c.image
                .as_deref()
                .and_then(|i| ImageRef::parse(i).ok())
                .map(|r| (w, c, r))
        })
    })
}

/// An image an automatic OpenShift `ImageChange` trigger sets at deploy time is unknown
/// here: the signature finding just made about it is `info`.
pub fn trigger_set(c: &ContainerFact, out: &mut crate::engine::Out<'_>) {
    if c.image_from_trigger {
        out.last_at_most_info(
            "an automatic ImageChange trigger replaces this image at deploy time: the image that runs is unknown here",
        );
    }
}

/// Whether namespace `ns` opted in to policy-controller: `Yes`/`No` for a Namespace of the
/// set, `Unknown` otherwise.
pub fn cip_opted_in(cx: &SetCx<'_>, ns: &str) -> Tri {
    match cx.index.namespace_label(ns, CIP_OPT_IN) {
        Some(Some("true")) => Tri::Yes,
        Some(_) => Tri::No,
        None => Tri::Unknown,
    }
}

pub fn coverage<'a>(cx: &'a SetCx<'_>, w: &WorkloadFact, image: &ImageRef<'_>) -> Coverage<'a> {
    let mut c = Coverage {
        enforcing: Vec::new(),
        auditing: Vec::new(),
        not_opted_in: Vec::new(),
    };
    let ns_match = |s: &crate::model::selector::Selector| cx.index.namespace_matches(&w.namespace, s);
    for p in &cx.index.image_policies {
        if !p.verifies || !p.required {
            continue;
        }
        if !p.applies_to(&w.obj.kind, &w.namespace, &w.template_labels, &ns_match) || !p.covers(image) {
            continue;
        }
        if p.engine == Engine::PolicyController && cip_opted_in(cx, &w.namespace) == Tri::No {
            c.not_opted_in.push(p);
            continue;
        }
        if p.enforcing {
            c.enforcing.push(p);
        } else {
            c.auditing.push(p);
        }
    }
    c
}

/// `3 Kyverno rules and 1 ClusterImagePolicy`.
pub fn checked(cx: &SetCx<'_>) -> String {
    let kyverno = cx
        .index
        .image_policies
        .iter()
        .filter(|p| p.engine == Engine::Kyverno)
        .count();
    let cip = cx.index.image_policies.len() - kyverno;
    let patterns: usize = cx.index.image_policies.iter().map(|p| p.patterns.len()).sum();
    format!(
        "{kyverno} Kyverno {}, {cip} {}, {patterns} {}",
        if kyverno == 1 { "rule" } else { "rules" },
        if cip == 1 {
            "ClusterImagePolicy"
        } else {
            "ClusterImagePolicies"
        },
        if patterns == 1 { "pattern" } else { "patterns" }
    )
}
