//! `rbac-wildcard-rule`: a Role or ClusterRole rule with `*` in `verbs` or `resources`
//! (warning), or only in `apiGroups` (info): it also grants what is added to the API later.
//! Aggregated ClusterRoles are skipped (their rules are computed from other roles).

use super::{and_list, extension_note, rbac_rule};
use crate::engine::{Out, Rule, SetCx, Severity};

rbac_rule!(WildcardRule, "rbac-wildcard-rule");

impl Rule for WildcardRule {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for role in &cx.index.rbac.roles {
            if role.aggregation.is_some() || self.0.role_ignored(&role.name) {
                continue;
            }
            let note = extension_note(role);
            for rule in role.rules.iter() {
                let star = |l: &[crate::model::intern::Str]| l.iter().any(|x| &**x == "*");
                let fields: Vec<(&str, crate::source::Loc)> = [
                    ("verbs", star(&rule.verbs), rule.verbs_loc),
                    ("resources", star(&rule.resources), rule.resources_loc),
                    ("apiGroups", star(&rule.api_groups), rule.api_groups_loc),
                ]
                .into_iter()
                .filter(|(_, s, _)| *s)
                .map(|(f, _, l)| (f, l))
                .collect();
                let Some((field, loc)) = fields.first().copied() else {
                    continue;
                };
                let names: Vec<String> = fields.iter().map(|(f, _)| format!("`{f}`")).collect();
                let f = out.emit_for(
                    &role.obj,
                    loc,
                    format!(
                        "{} `{}` rule {} uses `*` in {}; it also covers resources and verbs added later{note}",
                        role.kind(),
                        role.name,
                        rule.index,
                        and_list(&names)
                    ),
                );
                f.label(format!("`*` in `{field}`"));
                for (other, l) in &fields[1..] {
                    f.related(*l, format!("`*` in `{other}`"));
                }
                if field == "apiGroups" {
                    f.at_most(Severity::Info);
                }
            }
        }
    }
}
