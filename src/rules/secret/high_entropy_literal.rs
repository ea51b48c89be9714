//! `secret-high-entropy-literal`: a long random-looking string (20 characters or more) in an
//! env value, a ConfigMap value or an annotation: base64-like text above 4.5 bits of entropy
//! per character, or hex above 3.0 (detect-secrets' thresholds). Informational: randomness
//! is a hint, not proof. Names that announce a hash, digest, checksum or ID are skipped.

use super::{entropy, for_each_string, masked};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(HighEntropyLiteral, "secret-high-entropy-literal");

/// The entropy of a string when it looks like an encoded secret: (entropy, threshold).
pub fn suspicious(s: &str) -> Option<f64> {
    if s.len() < 20 || s.contains(char::is_whitespace) {
        return None;
    }
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        let mut h = entropy(s);
        if s.bytes().all(|b| b.is_ascii_digit()) {
            h -= 1.2 / (s.len() as f64).log2();
        }
        return (s.len() >= 32 && h > 3.0).then_some(h);
    }
    let b64 = s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b));
    let h = entropy(s);
    (b64 && h > 4.5).then_some(h)
}

fn innocent_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "hash", "digest", "checksum", "sha", "uid", "uuid", "id", "version", "revision", "commit", "image",
    ]
    .iter()
    .any(|w| n.contains(w))
}

impl Rule for HighEntropyLiteral {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.sops || obj.kind == "Secret" {
            return;
        }
        let is_configmap = obj.kind == "ConfigMap" && obj.api_version == "v1";
        let mut found = Vec::new();
        for_each_string(cx.tree, obj.root, &mut |leaf| {
            // Where a credential would be written by hand.
            let in_env = leaf.key(0) == Some("value") && leaf.key(2) == Some("env");
            let in_annotations = leaf.key(1) == Some("annotations");
            let in_configmap = is_configmap && leaf.path.len() == 2 && leaf.key(1) == Some("data");
            if !(in_env || in_annotations || in_configmap) {
                return;
            }
            let name = if in_env {
                leaf.parent
                    .and_then(|p| cx.tree.get(p, "name"))
                    .and_then(|n| cx.tree.str(n))
                    .unwrap_or_default()
            } else {
                leaf.key(0).unwrap_or_default()
            };
            if innocent_name(name) {
                return;
            }
            if let Some(h) = suspicious(leaf.text) {
                found.push((leaf.route(), leaf.node, h, leaf.text.chars().count()));
            }
        });
        for (route, node, h, chars) in found {
            let f = out.emit(
                cx.at(&route),
                format!(
                    "high-entropy string at `{route}` of {} (H={h:.2} bits per character, {chars} chars)",
                    obj.display_name(),
                ),
            );
            f.label("looks like a secret");
            masked(f, cx.tree.span(node));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::suspicious;

    #[test]
    fn entropy_thresholds() {
        assert!(suspicious("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzExampleKey").is_some());
        assert!(suspicious("aaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_none());
        assert!(suspicious("short").is_none());
        assert!(suspicious("this is a sentence with spaces in it").is_none());
        assert!(suspicious("0123456789abcdef0123456789abcdef").is_some());
    }
}
