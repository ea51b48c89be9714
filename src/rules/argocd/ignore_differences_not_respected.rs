//! `argocd-ignore-differences-not-respected`: `ignoreDifferences` only affects the diff;
//! without the sync option `RespectIgnoreDifferences=true`, an automated sync still
//! overwrites the ignored fields (an HPA's replicas, a mutated field) with Git's values.

use super::application;
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;
use crate::source::edit::Value;

declare_rule!(IgnoreDifferencesNotRespected, "argocd-ignore-differences-not-respected");

impl Rule for IgnoreDifferencesNotRespected {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((app, name)) = application(cx) else { return };
        let Some(sync) = &app.spec.sync_policy else { return };
        if app.spec.ignore_differences.as_ref().is_none_or(|d| d.is_empty())
            || sync.automated().is_none()
            || sync.has_option("RespectIgnoreDifferences=true")
        {
            return;
        }
        out.emit(
            cx.at(&Route::root().keys(&["spec", "syncPolicy", "syncOptions"])),
            format!("Application `{name}` ignores differences but its automated sync does not respect them; the ignored fields are still overwritten on every sync"),
        )
        .label("add `RespectIgnoreDifferences=true`")
        .related(cx.at(&Route::root().keys(&["spec", "ignoreDifferences"])).loc, "only the diff ignores these")
        .with_fix(
            cx.fix(Applicability::Unsafe, "add RespectIgnoreDifferences=true to the sync options")
                .ensure_item(
                    Route::root().keys(&["spec", "syncPolicy", "syncOptions"]),
                    Value::Str("RespectIgnoreDifferences=true".into()),
                ),
        );
    }
}
