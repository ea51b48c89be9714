//! `secret-externalsecret-store-missing`: an ExternalSecret, ClusterExternalSecret or
//! PushSecret names a `SecretStore` (looked up in its own namespace) or a
//! `ClusterSecretStore` that is not in the set. Without `complete_set` it is `info`: the store
//! may be managed elsewhere. A ClusterExternalSecret's `SecretStore` references resolve in
//! each target namespace, which a static set cannot know, so they are not checked.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(ExternalsecretStoreMissing, "secret-externalsecret-store-missing");

impl Rule for ExternalsecretStoreMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for r in &cx.index.store_refs {
            let found = match r.kind.as_str() {
                "ClusterSecretStore" => cx.index.find("ClusterSecretStore", None, &r.name).is_some(),
                "SecretStore" => match &r.namespace {
                    Some(ns) => cx.index.find("SecretStore", Some(ns), &r.name).is_some(),
                    None => continue,
                },
                // An unknown kind is the API server's business.
                _ => continue,
            };
            if found {
                continue;
            }
            let store = match (&r.namespace, r.kind.as_str()) {
                (Some(ns), "SecretStore") => format!("{ns}/{}", r.name),
                _ => r.name.clone(),
            };
            let f = out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "{} `{}` references {} `{store}`, which is not in the set",
                    r.obj.kind,
                    r.obj.name.as_deref().unwrap_or("<unnamed>"),
                    r.kind
                ),
            );
            f.label("store not found");
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}
