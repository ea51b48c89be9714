//! `pss-selinux` (upstream check `seLinuxOptions`, baseline, v1.0 and v1.31): SELinux
//! `type` only one of the container types, `user` and `role` unset; `level` is free.

use super::{Check, Pod, ctrs, or_empty, q};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::Route;
use k8s_openapi::api::core::v1::SELinuxOptions;

const CHECK: Check = Check {
    id: "seLinuxOptions",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

declare_rule!(Selinux, "pss-selinux");

impl Rule for Selinux {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        let minor = pod.policy.minor;
        let judge = |setter: &str, opts: Option<&SELinuxOptions>, base: Route, out: &mut Out<'_>| {
            let Some(o) = opts else { return };
            let t = or_empty(&o.type_);
            let type_ok = matches!(t, "" | "container_t" | "container_init_t" | "container_kvm_t")
                || (minor >= 31 && t == "container_engine_t");
            let mut parts = Vec::new();
            let mut first = None;
            if !type_ok {
                parts.push(format!("type {}", q(&[t])));
                first.get_or_insert("type");
            }
            if !or_empty(&o.user).is_empty() {
                parts.push("user may not be set".to_string());
                first.get_or_insert("user");
            }
            if !or_empty(&o.role).is_empty() {
                parts.push("role may not be set".to_string());
                first.get_or_insert("role");
            }
            let Some(field) = first else { return };
            let opts = base.keys(&["securityContext", "seLinuxOptions"]);
            let mut fix = pod.fix(
                Applicability::Unsafe,
                format!("remove the forbidden seLinuxOptions of {setter}"),
            );
            let remaining = [!or_empty(&o.level).is_empty(), type_ok && !t.is_empty()];
            if remaining.iter().any(|r| *r) {
                if !type_ok {
                    fix = fix.remove(opts.key("type"), false);
                }
                for (set, key) in [
                    (!or_empty(&o.user).is_empty(), "user"),
                    (!or_empty(&o.role).is_empty(), "role"),
                ] {
                    if set {
                        fix = fix.remove(opts.key(key), false);
                    }
                }
            } else {
                fix = fix.remove(opts.clone(), true);
            }
            let detail = format!(
                "{setter} set forbidden securityContext.seLinuxOptions: {}",
                parts.join("; ")
            );
            pod.emit(
                out,
                pod.at(&base.keys(&["securityContext", "seLinuxOptions", field])),
                "seLinuxOptions",
                &detail,
            )
            .label("forbidden SELinux option")
            .with_fix(fix);
        };
        judge(
            "pod",
            pod.security_context().and_then(|s| s.se_linux_options.as_ref()),
            pod.workload.spec_route(),
            out,
        );
        for c in pod.containers() {
            judge(
                &ctrs(&[c.name()]),
                c.container
                    .security_context
                    .as_ref()
                    .and_then(|s| s.se_linux_options.as_ref()),
                c.route.clone(),
                out,
            );
        }
    }
}
