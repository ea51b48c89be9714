//! `pss-seccomp-restricted` (upstream check `seccompProfile_restricted`, restricted, v1.19
//! and v1.25): the pod (inherited by containers without a profile of their own) or every
//! container must set `seccompProfile.type` to `RuntimeDefault` or `Localhost`. From v1.25
//! Windows pods are exempt. Replaces `pss-seccomp-baseline` under restricted.

use super::seccomp_baseline::bad_type;
use super::{Check, Pod, ctrs, q};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;
use crate::source::{Loc, grip};

const CHECK: Check = Check {
    id: "seccompProfile_restricted",
    level: PssLevel::Restricted,
    since: 19,
    overridden_from: None,
};

declare_rule!(SeccompRestricted, "pss-seccomp-restricted");

impl Rule for SeccompRestricted {
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
        let pod_profile = pod.security_context().and_then(|s| s.seccomp_profile.as_ref());
        let pod_valid = pod_profile.is_some()
            && pod
                .security_context()
                .and_then(|s| bad_type(&s.seccomp_profile))
                .is_none();
        let mut explicit = Vec::new();
        if let Some(t) = pod.security_context().and_then(|s| bad_type(&s.seccomp_profile)) {
            explicit.push((
                "pod".to_string(),
                pod.sc_route("seccompProfile").key("type"),
                t.to_string(),
            ));
        }
        let mut implicit = Vec::new();
        for c in pod.containers() {
            let profile = &c
                .container
                .security_context
                .as_ref()
                .and_then(|s| s.seccomp_profile.clone());
            match (profile, bad_type(profile)) {
                (Some(_), Some(t)) => explicit.push((
                    ctrs(&[c.name()]),
                    c.security_context_route("seccompProfile").key("type"),
                    t.to_string(),
                )),
                (Some(_), None) => {}
                (None, _) if pod_valid => {}
                (None, _) => implicit.push(c),
            }
        }
        if !explicit.is_empty() {
            for (setter, route, t) in explicit {
                let detail = format!(
                    "{setter} must not set securityContext.seccompProfile.type to {}",
                    q(&[t])
                );
                let f = pod.emit(out, pod.at(&route), "seccompProfile", &detail);
                f.label("not a confining profile");
                if pod.is_windows() {
                    f.not_fixable("a Windows pod cannot set a seccomp profile");
                } else {
                    f.with_fix(super::runtime_default(&pod, &route, &setter));
                }
            }
            return;
        }
        if implicit.is_empty() {
            return;
        }
        let names: Vec<&str> = implicit.iter().map(|c| c.name()).collect();
        let detail = format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            ctrs(&names)
        );
        let f = pod.emit(
            out,
            pod.at(&pod.sc_route("seccompProfile").key("type")),
            "seccompProfile",
            &detail,
        );
        if pod.is_windows() {
            f.not_fixable("a Windows pod cannot set a seccomp profile");
        } else {
            f.with_fix(
                pod.fix(Applicability::Safe, "set the pod's seccompProfile to RuntimeDefault")
                    .set(
                        pod.sc_route("seccompProfile").key("type"),
                        Value::Str("RuntimeDefault".into()),
                    ),
            );
        }
        for c in &implicit {
            let node = c.route.walk(cx.tree, cx.obj.root).node;
            f.related(
                Loc {
                    file: cx.file,
                    span: grip(cx.tree, node),
                },
                format!("{} `{}` has no seccomp profile", c.kind.noun(), c.name()),
            );
        }
    }
}
