//! `unused-suppression`: a suppression comment, annotation or configuration entry that
//! suppresses nothing, names an unknown rule, or cannot be understood. Stale suppressions
//! hide the next real finding.

use crate::declare_rule;
use crate::engine::suppress::ANNOTATION_PREFIX;
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
            // An annotation names one rule: unused, the whole entry goes. Comments and
            // configuration entries are edited by hand.
            let fix = match (&s.kind, s.rules.as_slice(), &s.object) {
                (SuppressionKind::Annotation, [rule], Some(object)) if s.malformed.is_none() => {
                    crate::engine::Fix::for_object(
                        object,
                        crate::engine::Applicability::Unsafe,
                        format!("remove the annotation {ANNOTATION_PREFIX}{rule}"),
                    )
                    .map(|fix| {
                        fix.remove(
                            crate::source::Route::root()
                                .keys(&["metadata", "annotations"])
                                .key(format!("{ANNOTATION_PREFIX}{rule}")),
                            true,
                        )
                    })
                }
                _ => None,
            };
            match fix {
                Some(fix) => {
                    f.with_fix(fix);
                }
                None => {
                    f.not_fixable("only suppression annotations are removed automatically");
                }
            }
        }
    }
}
