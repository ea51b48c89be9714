//! `image-verify-namespace-not-opted-in`: a ClusterImagePolicy's glob matches the image,
//! but the workload's Namespace lacks `policy.sigstore.dev/include: "true"`, which
//! policy-controller's webhook selects by default: nothing is verified there.

use super::{CIP_OPT_IN, coverage, images};
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};

declare_rule!(VerifyNamespaceNotOptedIn, "image-verify-namespace-not-opted-in");

impl Rule for VerifyNamespaceNotOptedIn {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for (w, c, image) in images(cx) {
            let cov = coverage(cx, w, &image);
            let Some(p) = cov.not_opted_in.first() else { continue };
            let f = out.emit_for(
                &w.obj,
                c.image_loc,
                format!(
                    "{} matches `{}` but namespace `{}` is not opted in to policy-controller (label `{CIP_OPT_IN}: \"true\"`)",
                    p.label, crate::source::excerpt(image.raw), w.namespace
                ),
            );
            f.label("not verified in this namespace");
            if let Some(ns) = cx.index.namespaces.get(&w.namespace) {
                f.related(ns.labels_loc, format!("add `{CIP_OPT_IN}: \"true\"` here"));
            }
        }
    }
}
