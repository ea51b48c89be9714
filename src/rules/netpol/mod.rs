//! NetworkPolicy analysis across the whole set (rule-families §1). Every rule is a lookup in
//! the index (policies and workloads by namespace, workloads by label), never a scan of all
//! pairs of objects.

use crate::engine::SetCx;
use crate::model::ObjectRef;
use crate::model::netpol::Direction;
use crate::source::Loc;
use serde::Deserialize;
use std::sync::Arc;

pub mod allow_all;
pub mod allow_all_rule;
pub mod dangling_peer;
pub mod dangling_policy;
pub mod egress_deny_without_dns;
pub mod egress_only_denies_ingress;
pub mod invalid_selector;
pub mod ipblock_except_outside_cidr;
pub mod named_port_unresolved;
pub mod namespace_no_default_deny_egress;
pub mod namespace_no_default_deny_ingress;
pub mod rules_ignored_by_policytypes;
pub mod workload_not_isolated;

/// What counts as a namespace's default deny.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A policy selects every pod, has the direction in its types, and allows nothing.
    Strict,
    /// Any policy that selects every pod for the direction (explicit allows included).
    Isolated,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultDenyOptions {
    pub mode: Mode,
    pub exempt_namespaces: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptOptions {
    pub exempt_namespaces: Vec<String>,
}

/// Where a finding about a namespace points: its `Namespace` object when the set has one,
/// otherwise the first workload in it.
pub fn namespace_target(cx: &SetCx<'_>, namespace: &str) -> Option<(Arc<ObjectRef>, Loc)> {
    if let Some(ns) = cx.index.namespaces.get(namespace) {
        return Some((ns.obj.clone(), ns.loc));
    }
    cx.index.workloads_in(namespace).next().map(|w| (w.obj.clone(), w.loc))
}

/// Reports namespaces holding workloads without a default deny for `dir`.
pub fn check_default_deny(cx: &SetCx<'_>, out: &mut crate::engine::Out<'_>, dir: Direction, opts: &DefaultDenyOptions) {
    for namespace in cx.index.workloads_by_namespace.keys() {
        if opts.exempt_namespaces.iter().any(|e| **e == **namespace) {
            continue;
        }
        let covered = cx.index.netpols_in(namespace).any(|p| match opts.mode {
            Mode::Strict => p.default_deny(dir),
            Mode::Isolated => p.isolates_all() && p.has_type(dir),
        });
        if covered {
            continue;
        }
        let Some((obj, loc)) = namespace_target(cx, namespace) else {
            continue;
        };
        let message = match dir {
            Direction::Ingress => format!(
                "Namespace `{namespace}` has no default-deny ingress NetworkPolicy; pods not selected by any policy accept traffic from anywhere"
            ),
            Direction::Egress => format!(
                "Namespace `{namespace}` has no default-deny egress NetworkPolicy (egress is only isolated when policyTypes lists Egress explicitly)"
            ),
        };
        let label = if cx.index.namespaces.contains_key(namespace) {
            format!("no default-deny {} policy in this namespace", dir.key())
        } else {
            format!(
                "first workload of namespace `{namespace}`, which has no default-deny {} policy",
                dir.key()
            )
        };
        let f = out.emit_for(&obj, loc, message);
        f.label(label);
        // With no policy at all, this finding stands for every workload of the namespace
        // (`netpol-workload-not-isolated` does not repeat it): name them.
        if cx.index.netpols_in(namespace).next().is_none() {
            for w in cx.index.workloads_in(namespace).filter(|w| !w.host_network) {
                f.related(
                    w.labels_loc,
                    format!("{} accepts all {} traffic", w.display(), dir.key()),
                );
            }
        }
    }
}
