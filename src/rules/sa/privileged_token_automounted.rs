//! `sa-privileged-token-automounted`: pods carry a token (effective automount true, or a
//! projected `serviceAccountToken` volume) for a ServiceAccount that, through any subject
//! form (group subjects included), holds an admin-equivalent role, a dangerous permission
//! of §3.1 (cluster-wide or in any namespace), or the built-in `edit`/`admin`. A compromised
//! container gets those rights. When no binding of the set names the ServiceAccount and the
//! set is not complete, what the token can do is unknown: that is said at info, unless
//! `sa-automount-token` runs and says it at the same place.
//!
//! What a ServiceAccount holds is computed once per ServiceAccount, and what a group
//! subject brings once per group (the group of a namespace's ServiceAccounts once per
//! namespace).

use super::Automount;
use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};
use crate::model::intern::{Pair, PairMap, Str};
use crate::model::rbac::{Builtin, RbacIndex};
use crate::rules::rbac::{and_list, scope};
use crate::source::Loc;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

declare_rule!(PrivilegedTokenAutomounted, "sa-privileged-token-automounted");

/// How many grants a finding lists (as `engine::first_few` does) and points at.
const SHOWN: usize = 5;

/// A privileged grant: what it is, and the subject entry that gives it.
#[derive(Clone, Debug)]
struct Privilege {
    what: String,
    loc: Loc,
}

/// The privileged grants of (binding, subject) pairs.
fn privileges(rbac: &RbacIndex, pairs: impl Iterator<Item = (u32, u32)>) -> Vec<Privilege> {
    let mut out: Vec<Privilege> = Vec::new();
    for (b, s) in pairs {
        let binding = &rbac.bindings[b as usize];
        let Some(g) = &rbac.grants[b as usize] else {
            continue;
        };
        // Most bindings grant nothing privileged: nothing is written for them.
        let (kind, name) = (binding.kind(), binding.display());
        let what = if g.admin_equivalent() {
            format!("{} {} through {kind} `{name}`", g.admin_display(), scope(binding))
        } else if matches!(g.builtin, Some(Builtin::Edit | Builtin::Admin)) {
            format!(
                "the built-in `{}` role {} through {kind} `{name}`",
                binding.role_name,
                scope(binding)
            )
        } else {
            let perms: Vec<String> = g
                .summary
                .perms
                .iter()
                .filter(|p| !p.restricted)
                .map(|p| p.what.clone())
                .collect();
            if perms.is_empty() {
                continue;
            }
            format!(
                "{} {} ({} through {kind} `{name}`)",
                and_list(&perms),
                scope(binding),
                g.role
            )
        };
        if out.iter().all(|p| p.what != what) {
            out.push(Privilege {
                what,
                loc: binding.subjects[s as usize].loc,
            });
        }
    }
    out
}

impl Rule for PrivilegedTokenAutomounted {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        let rbac = &index.rbac;
        // What the groups of every ServiceAccount and of every authenticated user bring,
        // once for all pods.
        let everyone = [
            privileges(rbac, rbac.bindings_of_group("system:serviceaccounts").iter().copied()),
            privileges(rbac, rbac.bindings_of_group("system:authenticated").iter().copied()),
        ];
        let mut by_namespace: FxHashMap<Str, Arc<Vec<Privilege>>> = FxHashMap::default();
        let mut by_sa: PairMap<Arc<Vec<Privilege>>> = PairMap::default();
        for p in &rbac.pods {
            let mount = Automount::of(index, p);
            if !(mount.mounts() || p.projected_token) {
                continue;
            }
            let sa = p.effective();
            // Direct subjects once per ServiceAccount, the group of a namespace's
            // ServiceAccounts once per namespace; the lists are shared, never copied per
            // workload.
            let direct = match by_sa.get(&Pair(&p.namespace, sa)) {
                Some(found) => found.clone(),
                None => {
                    let found = Arc::new(privileges(rbac, rbac.bindings_of_sa(&p.namespace, sa).iter().copied()));
                    by_sa.insert((p.namespace.clone(), Str::from(sa)), found.clone());
                    found
                }
            };
            let namespace = match by_namespace.get(&p.namespace) {
                Some(found) => found.clone(),
                None => {
                    let pairs = rbac.bindings_of_namespace_accounts(&p.namespace).iter().copied();
                    let found = Arc::new(privileges(rbac, pairs));
                    by_namespace.insert(p.namespace.clone(), found.clone());
                    found
                }
            };
            let lists: [&[Privilege]; 4] = [&direct, &namespace, &everyone[0], &everyone[1]];
            let mut seen: FxHashSet<&str> = FxHashSet::default();
            let found: Vec<&Privilege> = lists
                .iter()
                .flat_map(|l| l.iter())
                .filter(|x| seen.insert(x.what.as_str()))
                .collect();
            let how = if mount.mounts() {
                "mount a token"
            } else {
                "mount a token (projected serviceAccountToken volume)"
            };
            if found.is_empty() {
                // When `sa-automount-token` runs, its finding at the same place already says
                // that no binding names the ServiceAccount (and that its rights are unknown).
                if cx.settings.complete_set
                    || (mount.mounts() && cx.settings.enabled("sa-automount-token"))
                    || rbac.bindings_reaching_sa(&p.namespace, sa, false).next().is_some()
                {
                    continue;
                }
                let n = rbac.bindings.len();
                out.emit_for(
                    &p.obj,
                    p.sa_loc(),
                    format!(
                        "Pods of `{}` {how} for `{sa}`, whose bindings are not in the set (no RoleBinding or ClusterRoleBinding of the {n} searched names it); what the token can do is unknown",
                        p.display()
                    ),
                )
                .label("bindings unknown")
                .at_most(Severity::Info);
                continue;
            }
            // The first few, then how many more (as `first_few` writes lists).
            let shown: Vec<&str> = found.iter().take(SHOWN).map(|f| f.what.as_str()).collect();
            let what = match found.len() - shown.len() {
                0 => shown.join(", "),
                more => format!("{} and {more} more", shown.join(", ")),
            };
            let f = out.emit_for(
                &p.obj,
                p.sa_loc(),
                format!(
                    "Pods of `{}` {how} for `{sa}`, which holds {}; a compromised container gets those rights",
                    p.display(),
                    what
                ),
            );
            f.label("a privileged ServiceAccount");
            // As many as the message shows: a namespace may bind many privileged roles to
            // the group of all its ServiceAccounts, and every workload there would list them.
            for x in found.iter().take(SHOWN) {
                f.related(x.loc, format!("this subject receives {}", x.what));
            }
        }
    }
}
