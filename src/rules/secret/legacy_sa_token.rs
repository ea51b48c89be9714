//! `secret-legacy-sa-token`: a Secret of type `kubernetes.io/service-account-token` asks the
//! control plane for a long-lived, non-expiring token; projected (TokenRequest) tokens expire
//! and are bound to the pod.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;

declare_rule!(LegacySaToken, "secret-legacy-sa-token");

impl Rule for LegacySaToken {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.kind != "Secret" || obj.api_version != "v1" {
            return;
        }
        let route = Route::root().key("type");
        let Some(t) = cx.tree.path(obj.root, &["type"]).and_then(|t| cx.tree.str(t)) else {
            return;
        };
        if t != "kubernetes.io/service-account-token" {
            return;
        }
        let sa = obj
            .annotations()
            .and_then(|a| a.get("kubernetes.io/service-account.name"))
            .map_or(String::new(), |s| format!(" for service account `{s}`"));
        out.emit(
            cx.at(&route),
            format!(
                "Secret `{}` requests a long-lived service-account token{sa}",
                obj.name().unwrap_or("<unnamed>")
            ),
        )
        .label("never expires");
    }
}
