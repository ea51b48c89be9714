//! `secret-configmap-sensitive`: a ConfigMap key with a credential-like name
//! (`password`, `api_key`, `token`…) and a real value: ConfigMaps are not secret (readable
//! with `get configmaps`, shown in plain text everywhere).

use super::{is_sensitive_name, is_trivial_value, redact};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;

declare_rule!(ConfigmapSensitive, "secret-configmap-sensitive");

impl Rule for ConfigmapSensitive {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.kind != "ConfigMap" || obj.api_version != "v1" || obj.sops {
            return;
        }
        let tree = cx.tree;
        for field in ["data", "binaryData"] {
            let Some(map) = tree.get(obj.root, field) else { continue };
            for (k, v) in tree.entries(map) {
                let (Some(key), Some(value)) = (tree.key_str(k), tree.text(v)) else {
                    continue;
                };
                if !is_sensitive_name(key) || is_trivial_value(value) {
                    continue;
                }
                let f = out.emit(
                    cx.at(&Route::root().key(field).key(key.to_string())),
                    format!(
                        "ConfigMap `{}` key `{key}` looks like a credential ({})",
                        obj.name().unwrap_or("<unnamed>"),
                        redact(value)
                    ),
                );
                f.label("credential in a ConfigMap");
            }
        }
    }
}
