//! `unused-suppression`: a suppression comment, annotation or configuration entry that
//! suppresses nothing, names an unknown rule, or cannot be understood. Stale suppressions
//! hide the next real finding.

use crate::declare_rule;
use crate::engine::{Out, Rule, Suppression, SuppressionKind};

declare_rule!(UnusedSuppression, "unused-suppression");

impl Rule for UnusedSuppression {
    fn check_suppressions(&self, unused: &[&Suppression], out: &mut Out<'_>) {
        for s in unused {
            let what = match s.kind {
                SuppressionKind::Comment { .. } => "suppression comment",
                SuppressionKind::Annotation => "suppression annotation",
                SuppressionKind::Config => "configuration `ignore` entry",
            };
            let message = if let Some(why) = &s.malformed {
                format!("malformed {what}: {why}")
            } else if !s.unknown.is_empty() {
                let names: Vec<_> = s.unknown.iter().map(|n| format!("`{n}`")).collect();
                format!("{what} names unknown rule {}", names.join(", "))
            } else {
                format!("{what} for `{}` matches no finding", s.rules.join(", "))
            };
            let f = out.emit(s.loc, message);
            f.object = s.object.clone();
            f.label("remove it, or fix the rule id");
        }
    }
}
