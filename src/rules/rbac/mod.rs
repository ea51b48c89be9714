//! RBAC analysis across the whole set (workload-checks §3): roles, bindings and what they
//! grant, read from the index's RBAC part (roles by identity, aggregation resolved, each
//! binding's grant computed once). Every rule takes `ignore_role_prefixes` and
//! `ignore_bindings`.

use crate::model::rbac::{BindingFact, SubjectFact};
use serde::Deserialize;

pub mod broad_group_subject;
pub mod cluster_admin_binding;
pub mod cluster_admin_to_serviceaccount;
pub mod escalation_verbs;
pub mod roleref_not_found;
pub mod secrets_read;
pub mod wildcard_rule;

/// The options every rbac rule takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RbacOptions {
    /// Roles (and bindings to roles) whose name starts with one of these are not judged.
    pub ignore_role_prefixes: Vec<String>,
    /// Bindings not judged: `name`, or `namespace/name` for a RoleBinding.
    pub ignore_bindings: Vec<String>,
}

impl RbacOptions {
    /// Whether a role of this name is skipped.
    pub fn role_ignored(&self, name: &str) -> bool {
        self.ignore_role_prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }

    /// Whether a binding is skipped: named in `ignore_bindings`, or bound to an ignored role.
    pub fn binding_ignored(&self, b: &BindingFact) -> bool {
        b.ignored(&self.ignore_bindings) || self.role_ignored(&b.role_name)
    }
}

/// Declares an rbac rule: a struct holding [`RbacOptions`] and its `RuleDef`.
macro_rules! rbac_rule {
    ($ty:ident, $id:literal) => {
        pub struct $ty(super::RbacOptions);
        impl $crate::engine::RuleDef for $ty {
            const ID: &'static str = $id;
            type Options = super::RbacOptions;
            fn new(options: super::RbacOptions) -> Self {
                $ty(options)
            }
        }
    };
}
pub(crate) use rbac_rule;

/// The subjects of a binding as a message lists them.
/// Points a finding about an admin-equivalent grant at the rule that makes it so (for roles
/// of the set; built-in `cluster-admin` has none to show).
pub fn relate_admin_rule(f: &mut crate::engine::Finding, g: &crate::model::rbac::Grant) {
    if let Some(loc) = g.summary.admin_loc {
        let why = if g.lower_bound {
            format!(
                "this rule grants every verb on every resource; aggregation gathers it into {}",
                g.role
            )
        } else {
            format!("this rule of {} grants every verb on every resource", g.role)
        };
        f.related(loc, why);
    }
}

pub fn describe_subjects(subjects: &[&SubjectFact]) -> String {
    let shown: Vec<String> = subjects.iter().map(|s| s.subject.describe()).collect();
    crate::engine::first_few(&shown)
}

/// `cluster-wide` for a ClusterRoleBinding, ``in namespace `ns``` for a RoleBinding.
pub fn scope(b: &BindingFact) -> String {
    match (&b.namespace, b.cluster) {
        (Some(ns), false) => format!("in namespace `{ns}`"),
        _ => "cluster-wide".to_string(),
    }
}

/// When a ClusterRole extends built-in roles through `aggregate-to-*` labels: `; its
/// `aggregate-to-edit` label adds it to the built-in `edit` and `admin` roles, so every
/// holder of those has it`.
pub fn extension_note(role: &crate::model::rbac::RoleFact) -> String {
    let extends = role.extends();
    if extends.is_empty() {
        return String::new();
    }
    let names: Vec<String> = extends.iter().map(|b| format!("`{}`", b.name())).collect();
    format!(
        "; its `aggregate-to-*` label adds it to the built-in {} role{}, so every holder of {} has it",
        names.join(" and "),
        if names.len() == 1 { "" } else { "s" },
        if names.len() == 1 { "that role" } else { "those roles" }
    )
}

/// `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
