//! `pss-run-as-non-root` (upstream check `runAsNonRoot`, restricted, v1.0 and v1.35): the
//! pod must set `runAsNonRoot: true` (containers inherit it) or every container must; an
//! explicit `false` anywhere fails. A non-zero `runAsUser` does not count. Windows pods are
//! not exempt. From v1.35 a pod with `hostUsers: false` passes.

use super::{Check, Pod, ctrs};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;
use crate::source::grip;

const CHECK: Check = Check {
    id: "runAsNonRoot",
    level: PssLevel::Restricted,
    since: 0,
    overridden_from: None,
};

const REASON: &str = "runAsNonRoot != true";

declare_rule!(RunAsNonRoot, "pss-run-as-non-root");

impl Rule for RunAsNonRoot {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        if pod.policy.minor >= 35 && pod.host_users_false() {
            return;
        }
        let pod_value = pod.security_context().and_then(|s| s.run_as_non_root);
        let mut explicit = Vec::new();
        if pod_value == Some(false) {
            explicit.push(("pod".to_string(), pod.sc_route("runAsNonRoot")));
        }
        let mut implicit = Vec::new();
        for c in pod.containers() {
            match c.container.security_context.as_ref().and_then(|s| s.run_as_non_root) {
                Some(false) => explicit.push((ctrs(&[c.name()]), c.security_context_route("runAsNonRoot"))),
                Some(true) => {}
                None if pod_value == Some(true) => {}
                None => implicit.push(c),
            }
        }
        // kubelet refuses to start a container that must run as non-root with user 0.
        let root_user = pod.security_context().and_then(|s| s.run_as_user) == Some(0)
            || pod
                .containers()
                .any(|c| c.container.security_context.as_ref().and_then(|s| s.run_as_user) == Some(0));
        let fix = |f: &mut crate::engine::Finding, route: &crate::source::Route, title: String| {
            if root_user {
                f.not_fixable(
                    "runAsUser is 0: the container would not start with runAsNonRoot: true; fix pss-run-as-user first",
                );
            } else {
                f.with_fix(
                    pod.fix(Applicability::Unsafe, title)
                        .set(route.clone(), Value::Bool(true)),
                );
            }
        };
        if !explicit.is_empty() {
            for (setter, route) in explicit {
                let detail = format!("{setter} must not set securityContext.runAsNonRoot=false");
                let f = pod.emit(out, pod.at(&route), REASON, &detail);
                f.label("may run as root");
                fix(f, &route, format!("set runAsNonRoot: true on {setter}"));
            }
            return;
        }
        if implicit.is_empty() {
            return;
        }
        // One finding at the pod's securityContext, where one line fixes every container.
        let names: Vec<&str> = implicit.iter().map(|c| c.name()).collect();
        let detail = format!("pod or {} must set securityContext.runAsNonRoot=true", ctrs(&names));
        let f = pod.emit(out, pod.at(&pod.sc_route("runAsNonRoot")), REASON, &detail);
        fix(
            f,
            &pod.sc_route("runAsNonRoot"),
            "set runAsNonRoot: true on the pod".into(),
        );
        for c in &implicit {
            let node = c.route.walk(cx.tree, cx.obj.root).node;
            f.related(
                crate::source::Loc {
                    file: cx.file,
                    span: grip(cx.tree, node),
                },
                format!("{} `{}` does not set runAsNonRoot", c.kind.noun(), c.name()),
            );
        }
    }
}
