//! `secret-high-entropy-literal`: a long random-looking string (20 characters or more) in an
//! env value, a ConfigMap value or an annotation: base64-like text above 4.5 bits of entropy
//! per character, or hex above 3.0 (detect-secrets' thresholds). Informational: randomness
//! is a hint, not proof. Names that announce a hash, digest, checksum or ID are skipped.

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(HighEntropyLiteral, "secret-high-entropy-literal");

impl Rule for HighEntropyLiteral {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        for (route, h, chars) in cx
            .string_hits()
            .iter()
            .filter_map(|hit| Some((&hit.route, hit.entropy?, hit.chars)))
        {
            let f = out.emit(
                cx.at(route),
                format!(
                    "high-entropy string at `{route}` of {} (H={h:.2} bits per character, {chars} chars)",
                    cx.obj.display_name(),
                ),
            );
            f.label("looks like a secret");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::suspicious;

    #[test]
    fn entropy_thresholds() {
        assert!(suspicious("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzExampleKey").is_some());
        assert!(suspicious("aaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_none());
        assert!(suspicious("short").is_none());
        assert!(suspicious("this is a sentence with spaces in it").is_none());
        assert!(suspicious("0123456789abcdef0123456789abcdef").is_some());
    }
}
