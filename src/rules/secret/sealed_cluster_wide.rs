//! `secret-sealed-cluster-wide`: a Bitnami SealedSecret annotated
//! `sealedsecrets.bitnami.com/cluster-wide: "true"` is sealed without its name and namespace,
//! so anyone who can create a SealedSecret in any namespace can have the controller unseal
//! it there. The annotation is read from the SealedSecret's metadata and from
//! `spec.template.metadata`, where `kubeseal --scope cluster-wide` also writes it.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;

declare_rule!(SealedClusterWide, "secret-sealed-cluster-wide");

const ANNOTATION: &str = "sealedsecrets.bitnami.com/cluster-wide";

impl Rule for SealedClusterWide {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.kind != "SealedSecret" || !obj.api_version.starts_with("bitnami.com/") {
            return;
        }
        let candidates = [
            Route::root().keys(&["metadata", "annotations", ANNOTATION]),
            Route::root().keys(&["spec", "template", "metadata", "annotations", ANNOTATION]),
        ];
        let Some(route) = candidates.into_iter().find(|r| {
            let walk = r.walk(cx.tree, obj.root);
            walk.matched == r.segs().len() && cx.tree.str(walk.node) == Some("true")
        }) else {
            return;
        };
        out.emit(
            cx.at(&route),
            format!(
                "cluster-wide SealedSecret `{}` can be unsealed under any name in any namespace",
                obj.name().unwrap_or("<unnamed>")
            ),
        )
        .label("not bound to a name or namespace");
    }
}
