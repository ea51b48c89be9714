//! `secret-token-pattern`: a string of an object, or a Secret's `data` value once
//! base64-decoded, matches a credential pattern of the public detector rule sets (AWS access
//! keys, GitHub and GitLab tokens, Slack tokens and webhooks, Stripe keys, Google API keys,
//! JWTs; see the rule's documentation for the patterns and their sources). Patterns are
//! compiled once and guarded by a literal prefilter. The token is never printed.

use super::{decoded_values, find_token, redact};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(TokenPattern, "secret-token-pattern");

impl Rule for TokenPattern {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if cx.obj.sops {
            return;
        }
        let mut found: Vec<_> = cx
            .string_hits()
            .iter()
            .filter_map(|h| Some((h.route.clone(), h.token.clone()?, false)))
            .collect();
        for (route, _, text) in decoded_values(cx.tree, cx.obj) {
            if let Some(hit) = find_token(&text) {
                found.push((route, hit, true));
            }
        }
        for (route, (pattern, token), decoded) in found {
            let f = out.emit(
                cx.at(&route),
                format!(
                    "value at `{route}` of {} matches {} ({} credential {}){}",
                    cx.obj.display_name(),
                    pattern.id,
                    pattern.provider,
                    redact(&token),
                    if decoded { " after base64 decoding" } else { "" }
                ),
            );
            f.label(format!("{} credential", pattern.provider));
        }
    }
}
