//! `rbac-roleref-not-found`: a binding's `roleRef` names a Role not in the binding's
//! namespace, or a ClusterRole not in the set (built-ins never are): the API accepts it and
//! the binding grants nothing until the role appears (info without `complete_set`). A
//! ClusterRoleBinding to a `Role`, a `roleRef.kind` other than Role/ClusterRole, or an
//! `apiGroup` other than `rbac.authorization.k8s.io` is rejected by the API (error).

use super::rbac_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::rbac::{Builtin, RBAC_GROUP};

rbac_rule!(RolerefNotFound, "rbac-roleref-not-found");

impl Rule for RolerefNotFound {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let rbac = &cx.index.rbac;
        for b in &rbac.bindings {
            if self.0.binding_ignored(b) {
                continue;
            }
            let (kind, name) = (b.kind(), b.display());
            if &*b.role_api_group != RBAC_GROUP {
                out.emit_for(
                    &b.obj,
                    b.role_api_group_loc,
                    format!(
                        "{kind} `{name}` refers to its role in API group `{}`; the API server accepts only `{RBAC_GROUP}`",
                        b.role_api_group
                    ),
                )
                .label("rejected by the API server")
                .severity = Severity::Error;
                continue;
            }
            match (&*b.role_kind, b.cluster) {
                ("ClusterRole", _) | ("Role", false) => {}
                ("Role", true) => {
                    out.emit_for(
                        &b.obj,
                        b.role_kind_loc,
                        format!(
                            "ClusterRoleBinding `{name}` refers to Role `{}`; the API server rejects a ClusterRoleBinding to a Role",
                            b.role_name
                        ),
                    )
                    .label("must be ClusterRole")
                    .severity = Severity::Error;
                    continue;
                }
                (other, _) => {
                    out.emit_for(
                        &b.obj,
                        b.role_kind_loc,
                        format!(
                            "{kind} `{name}` refers to a role of kind `{other}`; the API server accepts only Role and ClusterRole"
                        ),
                    )
                    .label("rejected by the API server")
                    .severity = Severity::Error;
                    continue;
                }
            }
            if Builtin::of(&b.role_kind, &b.role_name).is_some()
                || builtin_role(&b.role_kind, b.namespace.as_deref(), &b.role_name)
                || rbac.role_of(b).is_some()
            {
                continue;
            }
            let (where_, searched) = match (&b.namespace, &*b.role_kind) {
                (Some(ns), "Role") => {
                    let n = rbac.roles_searched(Some(ns));
                    (
                        format!("namespace `{ns}`"),
                        format!("searched {n} Role{} there", if n == 1 { "" } else { "s" }),
                    )
                }
                _ => {
                    let n = rbac.roles_searched(None);
                    (
                        "the set".to_string(),
                        format!(
                            "searched {n} ClusterRole{} and the built-in roles",
                            if n == 1 { "" } else { "s" }
                        ),
                    )
                }
            };
            let f = out.emit_for(
                &b.obj,
                b.role_name_loc,
                format!(
                    "{kind} `{name}` refers to {} `{}`, which is not in {where_} ({searched}); the binding grants nothing until it exists",
                    b.role_kind, b.role_name
                ),
            );
            f.label(format!("no {} of this name", b.role_kind));
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}

/// The Roles the API server's bootstrap policy creates in `kube-system` and `kube-public`:
/// `extension-apiserver-authentication-reader` (which aggregated API servers bind) and the
/// `system:` component Roles. They exist in every cluster.
fn builtin_role(kind: &str, namespace: Option<&str>, name: &str) -> bool {
    kind == "Role"
        && matches!(namespace, Some("kube-system" | "kube-public"))
        && (name == "extension-apiserver-authentication-reader" || name.starts_with("system:"))
}
