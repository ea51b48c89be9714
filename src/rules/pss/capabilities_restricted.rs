//! `pss-capabilities-restricted` (upstream check `capabilities_restricted`, restricted, v1.22
//! and v1.25): every container must drop `ALL` and may add back only `NET_BIND_SERVICE`.
//! From v1.25 Windows pods are exempt. Replaces `pss-capabilities-baseline` under restricted.

use super::{Check, Pod, ctrs, q, sorted_distinct};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;

const CHECK: Check = Check {
    id: "capabilities_restricted",
    level: PssLevel::Restricted,
    since: 22,
    overridden_from: None,
};

const REASON: &str = "unrestricted capabilities";

declare_rule!(CapabilitiesRestricted, "pss-capabilities-restricted");

impl Rule for CapabilitiesRestricted {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        if pod.policy.minor >= 25 && pod.is_windows() {
            return;
        }
        for c in pod.containers() {
            let caps = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.capabilities.as_ref());
            let base = c.route.keys(&["securityContext", "capabilities"]);
            let drops_all = caps
                .and_then(|c| c.drop.as_ref())
                .is_some_and(|d| d.iter().any(|x| x == "ALL"));
            if !drops_all {
                let detail = format!(
                    "{} must set securityContext.capabilities.drop=[\"ALL\"]",
                    ctrs(&[c.name()])
                );
                let f = pod.emit(out, pod.at(&base.key("drop")), REASON, &detail);
                f.label("does not drop ALL capabilities");
                if pod.is_windows() {
                    f.not_fixable("a Windows pod cannot set capabilities");
                } else {
                    // Without ambient capabilities a non-root process holds none after
                    // exec: dropping them all changes nothing for it (S3). A root one loses
                    // what it may use.
                    let applicability = if pod.known_non_root(&c) {
                        Applicability::Safe
                    } else {
                        Applicability::Unsafe
                    };
                    f.with_fix(
                        pod.fix(
                            applicability,
                            format!("drop ALL capabilities in {} `{}`", c.kind.noun(), c.name()),
                        )
                        .ensure_item(base.key("drop"), Value::Str("ALL".into())),
                    );
                }
            }
            let adds = caps.and_then(|c| c.add.as_ref());
            let bad: Vec<(usize, &String)> = adds
                .iter()
                .flat_map(|a| a.iter().enumerate())
                .filter(|(_, a)| *a != "NET_BIND_SERVICE")
                .collect();
            if let Some((first, _)) = bad.first() {
                let names = sorted_distinct(&bad.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>());
                let detail = format!(
                    "{} must not include {} in securityContext.capabilities.add",
                    ctrs(&[c.name()]),
                    q(&names)
                );
                let all: Vec<String> = adds.into_iter().flatten().cloned().collect();
                pod.emit(out, pod.at(&base.key("add").index(*first)), REASON, &detail)
                    .label("only NET_BIND_SERVICE may be added")
                    .with_fix(super::keep_items(
                        pod.fix(
                            Applicability::Unsafe,
                            format!(
                                "remove {} from the added capabilities of {} `{}`",
                                names.join(", "),
                                c.kind.noun(),
                                c.name()
                            ),
                        ),
                        base.key("add"),
                        &all,
                        |a| a == "NET_BIND_SERVICE",
                    ));
            }
        }
    }
}
