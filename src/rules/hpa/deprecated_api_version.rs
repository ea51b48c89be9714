//! `hpa-deprecated-api-version`: `autoscaling/v2beta1` (removed in Kubernetes 1.25) and
//! `autoscaling/v2beta2` (removed in 1.26). An error when `kubernetes_version` is at or
//! past the removal.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use crate::source::Route;

declare_rule!(DeprecatedApiVersion, "hpa-deprecated-api-version");

impl Rule for DeprecatedApiVersion {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if cx.obj.kind != "HorizontalPodAutoscaler" {
            return;
        }
        let removed = match cx.obj.api_version.as_str() {
            "autoscaling/v2beta1" => 25,
            "autoscaling/v2beta2" => 26,
            _ => return,
        };
        let name = cx.obj.name().unwrap_or("<unnamed>");
        let f = out.emit(
            cx.at(&Route::root().key("apiVersion")),
            format!(
                "HPA `{name}` uses {}, removed in Kubernetes 1.{removed}; use autoscaling/v2",
                cx.obj.api_version
            ),
        );
        f.label("no longer served");
        if cx.settings.kubernetes_minor.is_some_and(|m| m >= removed) {
            f.severity = Severity::Error;
            f.help(format!(
                "the target cluster (kubernetes_version) no longer serves {}",
                cx.obj.api_version
            ));
        }
    }
}
