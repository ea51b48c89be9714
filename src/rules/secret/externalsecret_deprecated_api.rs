//! `secret-externalsecret-deprecated-api`: an External Secrets Operator object at
//! `external-secrets.io/v1beta1` or `v1alpha1`. ESO v0.17.0 stopped serving v1beta1; v1 has
//! existed since v0.16, so the change is a rename of the apiVersion. Only the kinds that
//! moved to v1 are concerned: `PushSecret` and `ClusterPushSecret` are still served at
//! `v1alpha1`.

use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;
use crate::source::edit::Value;

declare_rule!(ExternalsecretDeprecatedApi, "secret-externalsecret-deprecated-api");

impl Rule for ExternalsecretDeprecatedApi {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        let Some(version) = obj.api_version.strip_prefix("external-secrets.io/") else {
            return;
        };
        let moved = matches!(
            obj.kind.as_str(),
            "ExternalSecret" | "ClusterExternalSecret" | "SecretStore" | "ClusterSecretStore"
        );
        if !moved || !matches!(version, "v1beta1" | "v1alpha1") {
            return;
        }
        let f = out.emit(
            cx.at(&Route::root().key("apiVersion")),
            format!(
                "{} `{}` uses {}; External Secrets Operator 0.17 and later only serve external-secrets.io/v1",
                obj.kind,
                obj.name().unwrap_or("<unnamed>"),
                obj.api_version
            ),
        );
        f.label("no longer served");
        // v1beta1 has v1's schema; v1alpha1's differs.
        if version == "v1beta1" {
            f.with_fix(cx.fix(Applicability::Safe, "move to external-secrets.io/v1").set(
                Route::root().key("apiVersion"),
                Value::Str("external-secrets.io/v1".into()),
            ));
        } else {
            f.not_fixable("v1alpha1 has a different schema from v1: move it by hand");
        }
    }
}
