//! `argocd-autosync-without-selfheal`: automated sync without `selfHeal`: changes made in
//! the cluster by hand are not reverted until the next commit.

use super::application;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;

declare_rule!(AutosyncWithoutSelfheal, "argocd-autosync-without-selfheal");

impl Rule for AutosyncWithoutSelfheal {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some((app, name)) = application(cx) else { return };
        let Some(a) = app.spec.sync_policy.as_ref().and_then(|s| s.automated()) else {
            return;
        };
        if a.self_heal == Some(true) {
            return;
        }
        out.emit(
            cx.at(&Route::root().keys(&["spec", "syncPolicy", "automated"])),
            format!(
                "Application `{name}` syncs automatically without selfHeal; manual drift in the cluster is not reverted"
            ),
        )
        .label("`selfHeal` is not true");
    }
}
