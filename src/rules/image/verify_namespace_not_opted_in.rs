//! `image-verify-namespace-not-opted-in`: a ClusterImagePolicy's glob matches the image,
//! but the workload's Namespace lacks `policy.sigstore.dev/include: "true"`, which
//! policy-controller's webhook selects by default: nothing is verified there.
//!
//! One finding per namespace (the missing label is the root cause), at the Namespace's
//! labels when the set has it, else at the first image; every image a policy matches there
//! is a related location.

use super::{CIP_OPT_IN, coverage, images};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::facts::WorkloadFact;
use crate::source::Loc;
use std::collections::BTreeMap;

declare_rule!(VerifyNamespaceNotOptedIn, "image-verify-namespace-not-opted-in");

impl Rule for VerifyNamespaceNotOptedIn {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        // Only a policy of the set can match: without one, no image is read.
        if cx.index.image_policies.is_empty() {
            return;
        }
        // By namespace, in the order images are found: (workload, image location, what matched).
        let mut by_namespace: BTreeMap<&str, Vec<(&WorkloadFact, Loc, String)>> = BTreeMap::new();
        for (w, c, image) in images(cx) {
            let cov = coverage(cx, w, &image);
            let Some(p) = cov.not_opted_in.first() else { continue };
            by_namespace.entry(&w.namespace).or_default().push((
                w,
                c.image_loc,
                format!("{} matches `{}`", p.label, crate::source::excerpt(image.raw)),
            ));
        }
        for (namespace, hits) in by_namespace {
            let what: Vec<String> = hits.iter().map(|(_, _, m)| m.clone()).collect();
            let message = format!(
                "namespace `{namespace}` is not opted in to policy-controller (label `{CIP_OPT_IN}: \"true\"`): {} {} that ClusterImagePolicies match {} not verified there ({})",
                hits.len(),
                if hits.len() == 1 { "image" } else { "images" },
                if hits.len() == 1 { "is" } else { "are" },
                crate::engine::first_few(&what)
            );
            let f = match cx.index.namespaces.get(namespace) {
                Some(ns) => {
                    let f = out.emit_for(&ns.obj, ns.labels_loc, message);
                    f.label(format!("add `{CIP_OPT_IN}: \"true\"` here"));
                    let fix = crate::engine::Fix::for_object(
                        &ns.obj,
                        crate::engine::Applicability::Unsafe,
                        format!("label the namespace {CIP_OPT_IN}: \"true\""),
                    );
                    if let Some(fix) = fix {
                        f.with_fix(
                            fix.set(
                                crate::source::Route::root()
                                    .keys(&["metadata", "labels"])
                                    .key(CIP_OPT_IN),
                                crate::source::edit::Value::Str("true".into()),
                            ),
                        );
                    }
                    f
                }
                None => {
                    let (w, loc, _) = &hits[0];
                    let f = out.emit_for(&w.obj, *loc, message);
                    f.label("not verified in this namespace (the set has no Namespace object to label)");
                    f
                }
            };
            let primary = f.loc();
            for (w, loc, m) in hits.iter().filter(|(_, loc, _)| *loc != primary) {
                f.related(*loc, format!("{m} in {}: not verified", w.display()));
            }
        }
    }
}
