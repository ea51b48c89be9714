//! `api-removed`: an object whose `apiVersion` the target Kubernetes release no longer
//! serves (`removed_in` at or below the target): the API server answers "no matches for
//! kind" and the apply fails.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::apilifecycle::{Target, judged, minor};
use crate::source::Route;

declare_rule!(Removed, "api-removed");

/// Kinds that gained a required `spec.selector` in `apps/v1`.
const SELECTOR_REQUIRED: &[&str] = &["Deployment", "DaemonSet", "StatefulSet", "ReplicaSet"];

impl Rule for Removed {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let (api_version, kind) = (cx.obj.api_version.as_str(), cx.obj.kind.as_str());
        let Some(entry) = judged(api_version, kind) else {
            return;
        };
        let Some(removed) = entry.removed_in.as_deref().and_then(minor) else {
            return;
        };
        let target = Target::of(cx.settings.kubernetes_minor);
        let t = target.minor;
        if removed > t {
            return;
        }
        let name = cx.obj.name().unwrap_or("<unnamed>");
        let mut message = match &entry.replacement {
            Some(r) => format!(
                "{kind} `{name}` uses {api_version}, which Kubernetes v1.{removed} and later no longer serve; use {r}"
            ),
            None => format!(
                "{kind} `{name}` uses {api_version}, which Kubernetes v1.{removed} and later no longer serve, and has no replacement"
            ),
        };
        if let (Some(r), Some(since)) = (&entry.replacement, entry.replacement_since.as_deref())
            && minor(since).is_some_and(|s| s > t)
        {
            message.push_str(&format!("; {r} is served from v{since}: upgrade first"));
        }
        if SELECTOR_REQUIRED.contains(&kind)
            && entry.replacement.as_deref() == Some("apps/v1")
            && !cx.exists(&Route::root().keys(&["spec", "selector"]))
        {
            message.push_str("; add spec.selector.matchLabels equal to the template labels");
        }
        message.push_str(&target.note());
        let f = out.emit(cx.at(&Route::root().key("apiVersion")), message);
        f.label(format!("not served since v1.{removed}"));
        if let Some(help) = target.help(entry.notes.as_deref()) {
            f.help(help);
        }
        super::attach_conversion(cx, f, entry.replacement_since.as_deref(), t);
    }
}
