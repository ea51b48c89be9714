//! Signature-verification policies as facts: which images each one covers, for which kinds
//! and namespaces, and whether it enforces (rule-families §3.2, §3.3). One fact per Kyverno
//! `verifyImages` entry, per `ImageValidatingPolicy` and per `ClusterImagePolicy`.

use super::crd::{ClusterImagePolicy, ImageValidatingPolicy, KyvernoPolicy, MatchResources, ResourceDescription};
use super::image::ImageRef;
use super::imageglob::{CipGlob, kyverno_matches};
use super::object::{Object, ObjectRef};
use super::selector::{Selector, Tri};
use crate::source::{FileId, Loc, Route, Tree};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Kyverno `ClusterPolicy`/`Policy` `verifyImages`, and `ImageValidatingPolicy`.
    Kyverno,
    /// Sigstore policy-controller `ClusterImagePolicy`.
    PolicyController,
}

/// One pattern of a policy, compiled for its engine.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub text: String,
    pub loc: Loc,
    /// policy-controller globs only: the compiled glob, or why it is invalid.
    pub glob: Option<Result<CipGlob, String>>,
}

impl Pattern {
    /// Whether the pattern matches an image, in the string its engine compares.
    pub fn matches(&self, image: &ImageRef<'_>) -> bool {
        match &self.glob {
            None => kyverno_matches(&self.text, &image.kyverno_string()),
            Some(Ok(g)) => g.matches(&image.cip_string(), image.raw),
            Some(Err(_)) => false,
        }
    }
}

/// A resource filter of a Kyverno `match`/`exclude` clause.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Kinds (`Pod`, `Deployment`, `*`); empty matches any.
    pub kinds: Vec<String>,
    /// Namespace patterns (wildcards allowed); empty matches any.
    pub namespaces: Vec<String>,
    pub namespace_selector: Option<Selector>,
    pub selector: Option<Selector>,
}

#[derive(Clone, Debug)]
pub struct ImagePolicyFact {
    pub obj: Arc<ObjectRef>,
    pub engine: Engine,
    /// `ClusterPolicy `verify` rule `check-image`` and the like, for messages.
    pub label: String,
    /// A namespaced Kyverno `Policy` applies only to its own namespace.
    pub namespace: Option<String>,
    /// Enforce (Kyverno) / `mode: enforce` (policy-controller) / `Deny` (IVP).
    pub enforcing: bool,
    /// Where the enforcement mode is (or would be) written.
    pub action_loc: Loc,
    pub patterns: Vec<Pattern>,
    pub skips: Vec<Pattern>,
    /// Some attestor, attestation or authority actually verifies signatures.
    pub verifies: bool,
    /// Where attestors or authorities are (or would be) written.
    pub verifier_loc: Loc,
    /// Kyverno `required` (default true).
    pub required: bool,
    /// Kyverno `verifyDigest` (default true), with its location when written.
    pub verify_digest: (bool, Option<Loc>),
    /// Kyverno `mutateDigest` (default true), with its location when written.
    pub mutate_digest: (bool, Option<Loc>),
    /// Kyverno: match clauses (`any` semantics unless `match_all`) and exclude clauses.
    pub matches: Vec<Filter>,
    pub match_all: bool,
    pub excludes: Vec<Filter>,
    /// policy-controller `match` / IVP resource rules: resources (`pods`, `deployments`);
    /// empty matches every resource.
    pub resources: Vec<String>,
}

/// `Deployment` → `deployments`.
pub fn resource_of(kind: &str) -> String {
    format!("{}s", kind.to_ascii_lowercase())
}

impl Filter {
    fn from(d: &ResourceDescription, at: &impl Fn(&Route) -> Loc, base: &Route) -> Filter {
        let sel = |s: &Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>, key: &'static str| {
            s.as_ref()
                .map(|s| Selector::new(s, |i| at(&base.keys(&["resources", key, "matchExpressions"]).index(i))))
        };
        Filter {
            kinds: d.kinds.clone().unwrap_or_default(),
            namespaces: d.namespaces.clone().unwrap_or_default(),
            namespace_selector: sel(&d.namespace_selector, "namespaceSelector"),
            selector: sel(&d.selector, "selector"),
        }
    }

    /// Whether the filter matches a workload (kind, namespace, pod labels); a namespace
    /// selector that cannot be decided counts as matching.
    fn matches(
        &self,
        kind: &str,
        namespace: &str,
        labels: &impl super::intern::LabelSet,
        ns: &dyn Fn(&Selector) -> Tri,
    ) -> bool {
        let kind_ok = self.kinds.is_empty()
            || self.kinds.iter().any(|k| {
                let k = k.rsplit('/').next().unwrap_or(k);
                k == "*" || k == kind || k == "Pod"
            });
        let ns_ok = self.namespaces.is_empty() || self.namespaces.iter().any(|p| kyverno_matches(p, namespace));
        let ns_sel_ok = self.namespace_selector.as_ref().is_none_or(|s| ns(s) != Tri::No);
        let sel_ok = self.selector.as_ref().is_none_or(|s| s.matches(labels));
        kind_ok && ns_ok && ns_sel_ok && sel_ok
    }
}

fn filters(m: &Option<MatchResources>, at: &impl Fn(&Route) -> Loc, base: Route) -> (Vec<Filter>, bool) {
    let Some(m) = m else { return (Vec::new(), false) };
    if let Some(all) = &m.all {
        return (
            all.iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    f.resources
                        .as_ref()
                        .map(|r| Filter::from(r, at, &base.key("all").index(i)))
                })
                .collect(),
            true,
        );
    }
    if let Some(any) = &m.any {
        return (
            any.iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    f.resources
                        .as_ref()
                        .map(|r| Filter::from(r, at, &base.key("any").index(i)))
                })
                .collect(),
            false,
        );
    }
    (m.resources.iter().map(|r| Filter::from(r, at, &base)).collect(), false)
}

impl ImagePolicyFact {
    /// Whether the policy applies to a workload's pods (kind, namespace, template labels),
    /// before looking at images. `ns` evaluates a namespace selector on its namespace.
    pub fn applies_to(
        &self,
        kind: &str,
        namespace: &str,
        labels: &impl super::intern::LabelSet,
        ns: &dyn Fn(&Selector) -> Tri,
    ) -> bool {
        if self.namespace.as_deref().is_some_and(|n| n != namespace) {
            return false;
        }
        if !self.resources.is_empty()
            && !self
                .resources
                .iter()
                .any(|r| r == "pods" || *r == resource_of(kind) || r == "*")
        {
            return false;
        }
        if self.engine == Engine::Kyverno && !self.matches.is_empty() {
            let hit = |f: &Filter| f.matches(kind, namespace, labels, ns);
            let matched = if self.match_all {
                self.matches.iter().all(hit)
            } else {
                self.matches.iter().any(hit)
            };
            if !matched {
                return false;
            }
        }
        !self.excludes.iter().any(|f| f.matches(kind, namespace, labels, ns))
    }

    /// Whether the policy's patterns cover an image (and its skip patterns do not).
    pub fn covers(&self, image: &ImageRef<'_>) -> bool {
        self.patterns.iter().any(|p| p.matches(image)) && !self.skips.iter().any(|p| p.matches(image))
    }

    /// Facts of a Kyverno `ClusterPolicy`/`Policy`: one per `verifyImages` entry.
    pub fn kyverno(
        obj: &Object,
        p: &KyvernoPolicy,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: Option<String>,
    ) -> Vec<ImagePolicyFact> {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let policy_action = p.spec.validation_failure_action.as_deref();
        let mut out = Vec::new();
        for (ri, rule) in p.spec.rules.iter().flatten().enumerate() {
            let rule_route = Route::root().keys(&["spec", "rules"]).index(ri);
            let (matches, match_all) = filters(&rule.match_, &at, rule_route.key("match"));
            let (excludes, _) = filters(&rule.exclude, &at, rule_route.key("exclude"));
            for (vi, v) in rule.verify_images.iter().flatten().enumerate() {
                let base = rule_route.key("verifyImages").index(vi);
                let list = |items: &Option<Vec<String>>, key: &'static str| -> Vec<Pattern> {
                    items
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(i, t)| Pattern {
                            text: t.clone(),
                            loc: at(&base.key(key).index(i)),
                            glob: None,
                        })
                        .collect()
                };
                let mut patterns = list(&v.image_references, "imageReferences");
                if let Some(image) = &v.image {
                    patterns.push(Pattern {
                        text: image.clone(),
                        loc: at(&base.key("image")),
                        glob: None,
                    });
                }
                let action = v.failure_action.as_deref().or(policy_action).unwrap_or("Audit");
                let action_loc = if v.failure_action.is_some() {
                    at(&base.key("failureAction"))
                } else {
                    at(&Route::root().keys(&["spec", "validationFailureAction"]))
                };
                let opt_loc =
                    |key: &'static str, value: Option<bool>| (value.unwrap_or(true), value.map(|_| at(&base.key(key))));
                out.push(ImagePolicyFact {
                    obj: oref.clone(),
                    engine: Engine::Kyverno,
                    label: format!(
                        "{} `{}` rule `{}`",
                        obj.kind,
                        obj.name().unwrap_or("<unnamed>"),
                        rule.name.as_deref().unwrap_or("<unnamed>")
                    ),
                    namespace: namespace.clone(),
                    enforcing: action.eq_ignore_ascii_case("enforce"),
                    action_loc,
                    patterns,
                    skips: list(&v.skip_image_references, "skipImageReferences"),
                    verifies: v.attestors.as_ref().is_some_and(|a| !a.is_empty())
                        || v.attestations.as_ref().is_some_and(|a| !a.is_empty())
                        || v.key.as_ref().is_some_and(|k| !k.is_empty()),
                    verifier_loc: at(&base.key("attestors")),
                    required: v.required.unwrap_or(true),
                    verify_digest: opt_loc("verifyDigest", v.verify_digest),
                    mutate_digest: opt_loc("mutateDigest", v.mutate_digest),
                    matches: matches.clone(),
                    match_all,
                    excludes: excludes.clone(),
                    resources: Vec::new(),
                });
            }
        }
        out
    }

    /// The fact of a Kyverno `ImageValidatingPolicy` (its globs read like Kyverno's
    /// wildcards; CEL expressions are not evaluated).
    pub fn ivp(
        obj: &Object,
        p: &ImageValidatingPolicy,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
    ) -> ImagePolicyFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = Route::root().key("spec");
        ImagePolicyFact {
            obj: oref.clone(),
            engine: Engine::Kyverno,
            label: format!("ImageValidatingPolicy `{}`", obj.name().unwrap_or("<unnamed>")),
            namespace: None,
            enforcing: p.spec.validation_actions.iter().flatten().any(|a| a == "Deny"),
            action_loc: at(&spec.key("validationActions")),
            patterns: p
                .spec
                .match_image_references
                .iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, r)| {
                    r.glob.as_ref().map(|g| Pattern {
                        text: g.clone(),
                        loc: at(&spec.key("matchImageReferences").index(i)),
                        glob: None,
                    })
                })
                .collect(),
            skips: Vec::new(),
            verifies: p.spec.attestors.as_ref().is_some_and(|a| !a.is_empty()),
            verifier_loc: at(&spec.key("attestors")),
            required: true,
            verify_digest: (true, None),
            mutate_digest: (true, None),
            matches: Vec::new(),
            match_all: false,
            excludes: Vec::new(),
            resources: p
                .spec
                .match_constraints
                .iter()
                .flat_map(|m| m.resource_rules.iter().flatten())
                .flat_map(|r| r.resources.iter().flatten())
                .cloned()
                .collect(),
        }
    }

    /// The fact of a policy-controller `ClusterImagePolicy`.
    pub fn cip(
        obj: &Object,
        p: &ClusterImagePolicy,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
    ) -> ImagePolicyFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = Route::root().key("spec");
        let authorities = p.spec.authorities.as_deref().unwrap_or(&[]);
        // An image passes a ClusterImagePolicy when it satisfies one of its authorities: a
        // `static: {action: pass}` authority lets every image through, while `action: fail`
        // rejects every image (it blocks, it does not fail to verify).
        let passes_all = authorities
            .iter()
            .any(|a| a.static_.as_ref().is_some_and(|s| s.action.as_deref() == Some("pass")));
        ImagePolicyFact {
            obj: oref.clone(),
            engine: Engine::PolicyController,
            label: format!("ClusterImagePolicy `{}`", obj.name().unwrap_or("<unnamed>")),
            namespace: None,
            // The default mode is enforce.
            enforcing: p.spec.mode.as_deref().is_none_or(|m| m == "enforce"),
            action_loc: at(&spec.key("mode")),
            patterns: p
                .spec
                .images
                .iter()
                .flatten()
                .enumerate()
                .filter_map(|(i, img)| {
                    img.glob.as_ref().map(|g| Pattern {
                        text: g.clone(),
                        loc: at(&spec.key("images").index(i).key("glob")),
                        glob: Some(CipGlob::new(g)),
                    })
                })
                .collect(),
            skips: Vec::new(),
            verifies: !authorities.is_empty() && !passes_all,
            verifier_loc: at(&spec.key("authorities")),
            required: true,
            verify_digest: (true, None),
            mutate_digest: (true, None),
            matches: Vec::new(),
            match_all: false,
            excludes: Vec::new(),
            resources: p
                .spec
                .match_
                .iter()
                .flatten()
                .filter_map(|m| m.resource.clone())
                .collect(),
        }
    }
}
