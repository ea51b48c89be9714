//! `netpol-workload-not-isolated`: a workload no NetworkPolicy selects for a direction
//! accepts all traffic in that direction. Ingress findings have the rule's severity; egress
//! findings are `info`. Host-network pods are skipped (policies do not reliably apply).
//!
//! A namespace with no NetworkPolicy at all is one root cause: when
//! `netpol-namespace-no-default-deny-<direction>` runs, that namespace finding names its
//! workloads and this rule does not repeat it per workload. Workloads that escape the
//! policies a namespace does have are reported here.

use super::ExemptOptions;
use crate::engine::{Out, Rule, RuleDef, SetCx, Severity};
use crate::model::netpol::Direction;
use std::collections::HashSet;

pub struct WorkloadNotIsolated(ExemptOptions);

impl RuleDef for WorkloadNotIsolated {
    const ID: &'static str = "netpol-workload-not-isolated";
    type Options = ExemptOptions;
    fn new(options: ExemptOptions) -> Self {
        WorkloadNotIsolated(options)
    }
}

impl Rule for WorkloadNotIsolated {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        let index = cx.index;
        for (namespace, workloads) in &index.workloads_by_namespace {
            if self.0.exempt_namespaces.iter().any(|e| **e == **namespace) {
                continue;
            }
            let has_policies = index.netpols_in(namespace).next().is_some();
            // Mark what each policy selects (through the label index), then report the rest.
            let mut isolated: [HashSet<usize>; 2] = [HashSet::new(), HashSet::new()];
            for p in index.netpols_in(namespace) {
                for (d, set) in Direction::BOTH.iter().zip(isolated.iter_mut()) {
                    if p.has_type(*d) {
                        set.extend(index.workload_indices_matching(namespace, &p.pod_selector));
                    }
                }
            }
            for i in workloads {
                let w = &index.workloads[*i];
                if w.host_network {
                    continue;
                }
                for (d, set) in Direction::BOTH.iter().zip(&isolated) {
                    if set.contains(i) || (!has_policies && cx.settings.enabled(namespace_rule(*d))) {
                        continue;
                    }
                    let f = out.emit_for(
                        &w.obj,
                        w.labels_loc,
                        format!(
                            "Pods of {} in `{namespace}` are not selected by any NetworkPolicy for {}; all {} traffic is allowed",
                            w.display(),
                            d.key(),
                            d.key()
                        ),
                    );
                    f.label(format!("no policy selects these labels for {}", d.key()));
                    if *d == Direction::Egress {
                        f.at_most(Severity::Info);
                    }
                }
            }
        }
    }
}

/// The rule that reports a namespace without a default deny for `d`.
fn namespace_rule(d: Direction) -> &'static str {
    match d {
        Direction::Ingress => "netpol-namespace-no-default-deny-ingress",
        Direction::Egress => "netpol-namespace-no-default-deny-egress",
    }
}
