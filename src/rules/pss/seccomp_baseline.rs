//! `pss-seccomp-baseline` (upstream check `seccompProfile_baseline`, baseline, v1.0 and
//! v1.19): before v1.19 the seccomp annotations, from v1.19 the `seccompProfile` fields,
//! may not name a profile other than the runtime default or a local one. `Unconfined` is
//! the usual offender. Under restricted from v1.19 `pss-seccomp-restricted` replaces it.

use super::{Check, Pod, ctrs, go_quote, q};
use crate::declare_rule;
use crate::engine::Applicability;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::pss::PssLevel;
use crate::source::edit::Value;
use k8s_openapi::api::core::v1::SeccompProfile;

const CHECK: Check = Check {
    id: "seccompProfile_baseline",
    level: PssLevel::Baseline,
    since: 0,
    overridden_from: Some(19),
};

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";

declare_rule!(SeccompBaseline, "pss-seccomp-baseline");

/// A present profile whose type is neither `RuntimeDefault` nor `Localhost`.
pub(super) fn bad_type(p: &Option<SeccompProfile>) -> Option<&str> {
    let t = p.as_ref()?.type_.as_str();
    (t != "RuntimeDefault" && t != "Localhost").then_some(t)
}

impl Rule for SeccompBaseline {
    fn reads_namespace_labels(&self) -> bool {
        true
    }

    fn merge(&self, found: &mut Vec<crate::engine::Finding>) {
        super::merge(found);
    }

    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(pod) = Pod::for_check(cx, &CHECK) else { return };
        if pod.policy.minor < 19 {
            annotations(&pod, out);
            return;
        }
        let detail = |setter: &str, t: &str| {
            format!(
                "{setter} must not set securityContext.seccompProfile.type to {}",
                q(&[t])
            )
        };
        if let Some(t) = pod.security_context().and_then(|s| bad_type(&s.seccomp_profile)) {
            let route = pod.sc_route("seccompProfile").key("type");
            pod.emit(out, pod.at(&route), "seccompProfile", &detail("pod", t))
                .label("forbidden seccomp profile")
                .with_fix(super::runtime_default(&pod, &route, "the pod"));
        }
        for c in pod.containers() {
            if let Some(t) = c
                .container
                .security_context
                .as_ref()
                .and_then(|s| bad_type(&s.seccomp_profile))
            {
                let route = c.security_context_route("seccompProfile").key("type");
                let setter = format!("{} `{}`", c.kind.noun(), c.name());
                pod.emit(out, pod.at(&route), "seccompProfile", &detail(&ctrs(&[c.name()]), t))
                    .label("forbidden seccomp profile")
                    .with_fix(super::runtime_default(&pod, &route, &setter));
            }
        }
    }
}

/// Policy versions before v1.19 read the alpha annotations only. An empty value is
/// forbidden (unlike AppArmor's).
fn annotations(pod: &Pod<'_, '_>, out: &mut Out<'_>) {
    let names: Vec<String> = pod.containers().map(|c| c.name().to_string()).collect();
    for (key, value) in pod.annotations() {
        let applies = key == POD_ANNOTATION
            || key
                .strip_prefix(CONTAINER_ANNOTATION)
                .is_some_and(|n| names.iter().any(|c| c == n));
        if !applies {
            continue;
        }
        if value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/") {
            continue;
        }
        let route = pod
            .workload
            .template_route()
            .keys(&["metadata", "annotations"])
            .key(key.clone());
        let detail = format!("forbidden annotation {key}={}", go_quote(value));
        pod.emit(out, pod.at(&route), "seccompProfile", &detail)
            .label("forbidden seccomp profile")
            .with_fix(
                pod.fix(
                    Applicability::Unsafe,
                    format!("set the annotation {key} to runtime/default"),
                )
                .set(route.clone(), Value::Str("runtime/default".into())),
            );
    }
}
