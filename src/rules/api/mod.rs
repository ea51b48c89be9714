//! `api-*`: apiVersions the target cluster no longer serves or has deprecated, alpha
//! versions, and custom resource versions their CustomResourceDefinition does not serve
//! (workload-checks.md §4). The data is `data/api-lifecycle.yaml`; `hpa-deprecated-api-version`
//! keeps HorizontalPodAutoscalers and `secret-externalsecret-deprecated-api` the External
//! Secrets kinds.

pub mod alpha_version;
pub mod crd_version;
pub mod deprecated;
pub mod removed;

use crate::engine::{Applicability, Fix, ObjectCx};
use crate::source::Route;
use crate::source::edit::Value;

/// Same-schema moves: (apiVersion, kind or `*`, replacement).
const RENAMES: &[(&str, &str, &str)] = &[
    ("batch/v1beta1", "CronJob", "batch/v1"),
    ("extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1"),
    ("rbac.authorization.k8s.io/v1beta1", "*", "rbac.authorization.k8s.io/v1"),
    (
        "rbac.authorization.k8s.io/v1alpha1",
        "*",
        "rbac.authorization.k8s.io/v1",
    ),
    ("policy/v1beta1", "PodDisruptionBudget", "policy/v1"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass", "scheduling.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "StorageClass", "storage.k8s.io/v1"),
    ("coordination.k8s.io/v1beta1", "Lease", "coordination.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "IPAddress", "networking.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "ServiceCIDR", "networking.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "VolumeAttributesClass", "storage.k8s.io/v1"),
    // Dynamic resource allocation: v1 is v1beta2 promoted without change (v1beta1's
    // device requests had another shape, so it is not here).
    ("resource.k8s.io/v1beta2", "*", "resource.k8s.io/v1"),
];

/// Gives a finding about an object's apiVersion the object's move to its replacement, or
/// says why it has none (the replacement is not served at the target minor `target`, or
/// the schemas differ).
pub fn attach_conversion(
    cx: &ObjectCx<'_>,
    f: &mut crate::engine::Finding,
    replacement_since: Option<&str>,
    target: u32,
) {
    let served = replacement_since
        .and_then(crate::model::apilifecycle::minor)
        .is_none_or(|s| s <= target);
    match conversion(cx) {
        Ok(fix) if served => {
            f.with_fix(fix);
        }
        Ok(_) => {
            f.not_fixable("the replacement is not served by the target release yet");
        }
        Err(why) => {
            f.not_fixable(why);
        }
    }
}

/// The fix of an object at a removed or deprecated apiVersion: its move to the replacement
/// that keeps the object and its behaviour (`specs/autofix.md` §6), or why there is none.
///
/// Workloads move to `apps/v1` with what the old versions defaulted written out, where
/// `apps/v1` defaults differently (`pkg/apis/{extensions,apps}/v1beta*/defaults.go`): an
/// absent `spec.selector` becomes the template labels; `extensions/v1beta1` Deployments
/// kept every old ReplicaSet, never timed out and rolled 1 pod at a time
/// (`revisionHistoryLimit` and `progressDeadlineSeconds` 2147483647, `maxSurge` and
/// `maxUnavailable` 1); `apps/v1beta1` Deployments kept 2 ReplicaSets; `apps/v1beta1`
/// StatefulSets and `extensions/v1beta1` DaemonSets were updated on delete.
pub fn conversion(cx: &ObjectCx<'_>) -> Result<Fix, String> {
    let (api_version, kind) = (cx.obj.api_version.as_str(), cx.obj.kind.as_str());
    let root = Route::root();
    let title = |to: &str| format!("move to {to}");
    if let Some((_, _, to)) = RENAMES
        .iter()
        .find(|(v, k, _)| *v == api_version && (*k == "*" || *k == kind))
    {
        if kind == "PodDisruptionBudget" {
            let selector = root.keys(&["spec", "selector"]);
            let walk = selector.walk(cx.tree, cx.obj.root);
            if walk.matched == selector.segs().len()
                && cx.tree.is_map(walk.node)
                && cx.tree.entries(walk.node).len() == 0
            {
                return Err("an empty selector matches no pod in policy/v1beta1 and every pod in policy/v1".into());
            }
        }
        return Ok(cx
            .fix(Applicability::Safe, title(to))
            .set(root.key("apiVersion"), Value::Str((*to).into())));
    }
    let workload = matches!(kind, "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet");
    if !workload || !matches!(api_version, "extensions/v1beta1" | "apps/v1beta1" | "apps/v1beta2") {
        return Err(format!(
            "{kind} at {api_version} has a different schema in its replacement: move it by hand"
        ));
    }
    let spec = root.key("spec");
    if cx.exists(&spec.key("rollbackTo")) {
        return Err("`spec.rollbackTo` has no equivalent in apps/v1".into());
    }
    let mut fix = cx
        .fix(Applicability::Safe, title("apps/v1"))
        .set(root.key("apiVersion"), Value::Str("apps/v1".into()));
    if !cx.exists(&spec.key("selector")) {
        let labels = spec.keys(&["template", "metadata", "labels"]);
        let walk = labels.walk(cx.tree, cx.obj.root);
        let value = (walk.matched == labels.segs().len())
            .then(|| crate::engine::fix::value_of(cx.tree, walk.node))
            .flatten();
        match value {
            Some(Value::Map(m)) if !m.is_empty() => {
                fix = fix.set(spec.keys(&["selector", "matchLabels"]), Value::Map(m));
            }
            _ => return Err("no template labels to make the required `spec.selector` from".into()),
        }
    }
    let unset = |route: &Route| !cx.exists(route);
    let default = |fix: Fix, route: Route, value: Value| if unset(&route) { fix.set(route, value) } else { fix };
    const MAX: i64 = 2_147_483_647;
    match (api_version, kind) {
        ("extensions/v1beta1", "Deployment") => {
            fix = default(fix, spec.key("revisionHistoryLimit"), Value::Int(MAX));
            fix = default(fix, spec.key("progressDeadlineSeconds"), Value::Int(MAX));
            let strategy = spec.key("strategy");
            let rolling = cx
                .tree
                .str(strategy.key("type").walk(cx.tree, cx.obj.root).node)
                .filter(|_| cx.exists(&strategy.key("type")))
                .is_none_or(|t| t == "RollingUpdate");
            if rolling {
                fix = default(fix, strategy.keys(&["rollingUpdate", "maxUnavailable"]), Value::Int(1));
                fix = default(fix, strategy.keys(&["rollingUpdate", "maxSurge"]), Value::Int(1));
            }
        }
        ("apps/v1beta1", "Deployment") => {
            fix = default(fix, spec.key("revisionHistoryLimit"), Value::Int(2));
        }
        ("apps/v1beta1", "StatefulSet") | ("extensions/v1beta1", "DaemonSet") => {
            fix = default(
                fix,
                spec.keys(&["updateStrategy", "type"]),
                Value::Str("OnDelete".into()),
            );
        }
        _ => {}
    }
    Ok(fix)
}
