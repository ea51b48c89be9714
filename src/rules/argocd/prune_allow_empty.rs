//! `argocd-prune-allow-empty`: automated sync with `prune: true` and `allowEmpty: true`: a
//! bad commit that renders nothing deletes every resource of the application.

use super::application;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;

declare_rule!(PruneAllowEmpty, "argocd-prune-allow-empty");

impl Rule for PruneAllowEmpty {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((app, name)) = application(cx) else { return };
        let Some(a) = app.spec.sync_policy.as_ref().and_then(|s| s.automated()) else {
            return;
        };
        if a.prune == Some(true) && a.allow_empty == Some(true) {
            out.emit(
                cx.at(&Route::root().keys(&["spec", "syncPolicy", "automated", "allowEmpty"])),
                format!("Application `{name}` prunes and allows an empty sync: a bad commit that renders nothing deletes every resource of the application"),
            )
            .label("drop `allowEmpty`");
        }
    }
}
