//! `pss-app-armor` (upstream check `appArmorProfile`, baseline, v1.0): AppArmor profiles,
//! as fields (`appArmorProfile.type`, checked by Kubernetes 1.30+ at every policy version)
//! and as the deprecated pod-template annotations
//! `container.apparmor.security.beta.kubernetes.io/*`.

use super::{Check, Pod, cluster_minor, ctrs, go_quote, q};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;
use k8s_openapi::api::core::v1::AppArmorProfile;

const CHECK: Check = Check {
    id: "appArmorProfile",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: None,
};

const ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

declare_rule!(AppArmor, "pss-app-armor");

fn bad_type(p: &Option<AppArmorProfile>) -> Option<&str> {
    let t = p.as_ref()?.type_.as_str();
    (t != "RuntimeDefault" && t != "Localhost").then_some(t)
}

fn detail(setter: &str, value: &str) -> String {
    format!("{setter} must not set AppArmor profile type to {}", q(&[value]))
}

impl Rule for AppArmor {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        const REASON: &str = "forbidden AppArmor profile";
        if cluster_minor(cx) >= 30 {
            if let Some(t) = pod.security_context().and_then(|s| bad_type(&s.app_armor_profile)) {
                let route = pod
                    .workload
                    .spec_route()
                    .keys(&["securityContext", "appArmorProfile", "type"]);
                pod.emit(out, pod.at(&route), REASON, &detail("pod", t))
                    .label("forbidden AppArmor profile")
                    .with_fix(apparmor_default(&pod, &route, "the pod"));
            }
            for c in pod.containers() {
                if let Some(t) = c
                    .container
                    .security_context
                    .as_ref()
                    .and_then(|s| bad_type(&s.app_armor_profile))
                {
                    let route = c.route.keys(&["securityContext", "appArmorProfile", "type"]);
                    let setter = format!("{} `{}`", c.kind.noun(), c.name());
                    pod.emit(out, pod.at(&route), REASON, &detail(&ctrs(&[c.name()]), t))
                        .label("forbidden AppArmor profile")
                        .with_fix(apparmor_default(&pod, &route, &setter));
                }
            }
        }
        for (key, value) in pod.annotations() {
            if !key.starts_with(ANNOTATION) {
                continue;
            }
            if value.is_empty() || value == "runtime/default" || value.starts_with("localhost/") {
                continue;
            }
            let shown = format!("{key}={}", go_quote(value));
            let route = pod
                .workload
                .template_route()
                .keys(&["metadata", "annotations"])
                .key(key.clone());
            pod.emit(out, pod.at(&route), REASON, &detail("annotation", &shown))
                .label("forbidden AppArmor profile")
                .with_fix(
                    pod.fix(
                        Applicability::Unsafe,
                        format!("set the annotation {key} to runtime/default"),
                    )
                    .set(route.clone(), Value::Str("runtime/default".into())),
                );
        }
    }
}

/// Sets an AppArmor profile type (`route`) to `RuntimeDefault`, dropping a
/// `localhostProfile` the API would then reject.
fn apparmor_default(pod: &Pod<'_, '_>, route: &crate::source::Route, setter: &str) -> crate::engine::Fix {
    let mut fix = pod
        .fix(
            Applicability::Unsafe,
            format!("set the AppArmor profile of {setter} to RuntimeDefault"),
        )
        .set(route.clone(), Value::Str("RuntimeDefault".into()));
    if let Some(profile) = super::parent(route).map(|p| p.key("localhostProfile"))
        && pod.cx.exists(&profile)
    {
        fix = fix.remove(profile, false);
    }
    fix
}
