//! `secret-private-key-literal`: private key material (`-----BEGIN … PRIVATE KEY-----`,
//! gitleaks `private-key`) in any string of an object, or in a plaintext Secret's data once
//! base64-decoded. The key is never printed.

use super::{decoded_values, has_private_key};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(PrivateKeyLiteral, "secret-private-key-literal");

impl Rule for PrivateKeyLiteral {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if cx.obj.sops {
            return;
        }
        let mut found: Vec<(crate::source::Route, bool)> = cx
            .string_hits()
            .iter()
            .filter(|h| h.private_key)
            .map(|h| (h.route.clone(), false))
            .collect();
        for (route, _, text) in decoded_values(cx.tree, cx.obj) {
            if has_private_key(&text) {
                found.push((route, true));
            }
        }
        for (route, decoded) in found {
            let f = out.emit(
                cx.at(&route),
                format!(
                    "private key material found in `{route}` of {}{}",
                    cx.obj.display_name(),
                    if decoded { " (base64-encoded)" } else { "" }
                ),
            );
            f.label("private key");
        }
    }
}
