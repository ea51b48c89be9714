//! `secret-private-key-literal`: private key material (`-----BEGIN … PRIVATE KEY-----`,
//! gitleaks `private-key`) in any string of an object, or in a plaintext Secret's data once
//! base64-decoded. The key is never printed.

use super::{decoded_values, for_each_string, has_private_key, masked};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(PrivateKeyLiteral, "secret-private-key-literal");

impl Rule for PrivateKeyLiteral {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if cx.obj.sops {
            return;
        }
        let mut found: Vec<(crate::source::Route, crate::source::NodeId, bool)> = Vec::new();
        for_each_string(cx.tree, cx.obj.root, &mut |leaf| {
            if has_private_key(leaf.text) {
                found.push((leaf.route(), leaf.node, false));
            }
        });
        for (route, node, text) in decoded_values(cx) {
            if has_private_key(&text) {
                found.push((route, node, true));
            }
        }
        for (route, node, decoded) in found {
            let f = out.emit(
                cx.at(&route),
                format!(
                    "private key material found in `{route}` of {}{}",
                    cx.obj.display_name(),
                    if decoded { " (base64-encoded)" } else { "" }
                ),
            );
            f.label("private key");
            masked(f, cx.tree.span(node));
        }
    }
}
