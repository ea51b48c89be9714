//! `api-alpha-version`: an object of a built-in API group at an alpha version
//! (`v1alpha1`): alpha APIs are off unless the cluster enables them with
//! `--runtime-config`, and may change or vanish in any release. Objects `api-removed` or
//! `api-deprecated` report are left to them.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::apilifecycle::{Target, lifecycle, minor, owned_elsewhere};
use crate::model::builtin::is_builtin_group;
use crate::model::kinds::group_of;
use crate::source::Route;

declare_rule!(AlphaVersion, "api-alpha-version");

/// `v1alpha1`, `v2alpha3`: `v<digits>alpha<digits>`.
fn is_alpha(version: &str) -> bool {
    let Some(rest) = version.strip_prefix('v') else {
        return false;
    };
    let Some((major, n)) = rest.split_once("alpha") else {
        return false;
    };
    !major.is_empty()
        && !n.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && n.bytes().all(|b| b.is_ascii_digit())
}

impl Rule for AlphaVersion {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let (api_version, kind) = (cx.obj.api_version.as_str(), cx.obj.kind.as_str());
        let group = group_of(api_version);
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        if !is_builtin_group(group) || !is_alpha(version) || owned_elsewhere(api_version, kind) {
            return;
        }
        // Reported by api-removed or api-deprecated when they run.
        if let Some(e) = lifecycle().kubernetes(api_version, kind) {
            let t = Target::of(cx.settings.kubernetes_minor).minor;
            let reported = |id: &str, release: &Option<String>| {
                cx.settings.enabled(id) && release.as_deref().and_then(minor).is_some_and(|m| m <= t)
            };
            if reported("api-removed", &e.removed_in) || reported("api-deprecated", &e.deprecated_in) {
                return;
            }
        }
        let name = cx.obj.name().unwrap_or("<unnamed>");
        out.emit(
            cx.at(&Route::root().key("apiVersion")),
            format!(
                "{kind} `{name}` uses the alpha API {api_version}; clusters serve it only when enabled with --runtime-config, and it may change or vanish in any release"
            ),
        )
        .label("alpha API");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn alpha_versions() {
        for v in ["v1alpha1", "v2alpha12"] {
            assert!(super::is_alpha(v), "{v}");
        }
        for v in ["v1", "v1beta1", "valpha1", "v1alpha", "alpha1"] {
            assert!(!super::is_alpha(v), "{v}");
        }
    }
}
