//! `workload-selector-mismatch`: a controller's selector that the API server (or the Rollout
//! controller) rejects because it does not select the controller's own pod template: absent,
//! empty or invalid in an `apps/v1` Deployment, ReplicaSet, StatefulSet or DaemonSet, or one
//! that does not match the template labels; a ReplicationController's non-empty selector that
//! does not match; a Job's (or a CronJob's `jobTemplate`'s) selector written without
//! `manualSelector: true` (the API generates it), or a manual one that does not match; a
//! Rollout with a template and no matching selector. DeploymentConfigs are skipped until
//! their selector validation is verified.

use super::{job_spec, name};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::Typed;
use crate::model::selector::Selector;
use crate::source::Route;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

declare_rule!(SelectorMismatch, "workload-selector-mismatch");

/// What a selector of the object must be.
enum Required<'a> {
    /// A LabelSelector that must be present (`apps/v1`, Rollout), non-empty, valid and match.
    Strict(Option<&'a LabelSelector>),
    /// A LabelSelector defaulted from the labels when absent or empty (legacy apiVersions).
    Defaulted(Option<&'a LabelSelector>),
    /// A ReplicationController's map, defaulted from the labels when empty.
    Map(Option<&'a BTreeMap<String, String>>),
}

impl Rule for SelectorMismatch {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        let empty = BTreeMap::new();
        let labels = w.meta.and_then(|m| m.labels.as_ref()).unwrap_or(&empty);
        let apps_v1 = cx.obj.api_version == "apps/v1";
        let (required, route) = match &cx.obj.typed {
            Typed::Deployment(d) => (apps(apps_v1, cx, &d.spec.selector), selector_route()),
            Typed::ReplicaSet(d) => (apps(apps_v1, cx, &d.spec.selector), selector_route()),
            Typed::StatefulSet(d) => (apps(apps_v1, cx, &d.spec.selector), selector_route()),
            Typed::DaemonSet(d) => (apps(apps_v1, cx, &d.spec.selector), selector_route()),
            Typed::ReplicationController(d) => (
                Required::Map(d.spec.as_ref().and_then(|s| s.selector.as_ref())),
                selector_route(),
            ),
            Typed::Rollout(r) => {
                let Some(spec) = r.spec.as_ref().filter(|s| s.template.is_some()) else {
                    return;
                };
                (Required::Strict(spec.selector.as_ref()), selector_route())
            }
            Typed::Job(_) | Typed::CronJob(_) => {
                let Some((spec, route)) = job_spec(cx) else { return };
                let route = route.key("selector");
                if spec.manual_selector != Some(true) {
                    // The API generates the selector; a written one that requires anything
                    // conflicts with the generated `controller-uid`.
                    if spec.selector.as_ref().is_some_and(|s| !is_empty(s)) {
                        out.emit(
                            cx.at(&route),
                            format!(
                                "The selector of {} `{}` is written without manualSelector: true; the API server generates it and rejects this one",
                                cx.obj.kind,
                                name(cx)
                            ),
                        )
                        .label("remove it (or set manualSelector: true)");
                    }
                    return;
                }
                (Required::Strict(spec.selector.as_ref()), route)
            }
            _ => return,
        };
        let (kind, name) = (&cx.obj.kind, name(cx));
        let rejected = if matches!(cx.obj.typed, Typed::Rollout(_)) {
            "the Rollout controller marks it InvalidSpec"
        } else {
            "the API server rejects it"
        };
        let problem = match required {
            Required::Strict(None) => Some(format!("{kind} `{name}` has no selector")),
            Required::Strict(Some(s)) if is_empty(s) => Some(format!("{kind} `{name}` has an empty selector")),
            Required::Strict(Some(s)) | Required::Defaulted(Some(s)) if !is_empty(s) => {
                let sel = Selector::new(s, |i| cx.at(&route.key("matchExpressions").index(i)).loc);
                if let Some(invalid) = sel.invalid.first() {
                    let message = format!("The selector of {kind} `{name}` is invalid: {}", invalid.reason);
                    out.emit(invalid.loc, format!("{message}; {rejected}"))
                        .label("not a valid requirement");
                    return;
                } else if sel.matches(labels) {
                    None
                } else {
                    Some(mismatch(kind, name, &sel.to_string(), labels))
                }
            }
            Required::Map(Some(m)) if !m.is_empty() => {
                if m.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                    None
                } else {
                    let sel: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    Some(mismatch(kind, name, &sel.join(", "), labels))
                }
            }
            _ => None,
        };
        let Some(problem) = problem else { return };
        out.emit(cx.at(&route), format!("{problem}; {rejected}"))
            .label("must select the template's labels")
            .related(cx.at(&w.labels_route()).loc, "the pod template's labels");
    }
}

fn selector_route() -> Route {
    Route::root().keys(&["spec", "selector"])
}

/// An `apps` controller's selector: required in `apps/v1`, defaulted from the template
/// labels in the legacy apiVersions. k8s-openapi fills an absent selector with an empty one:
/// presence is read from the source.
fn apps<'a>(apps_v1: bool, cx: &ObjectCx<'_>, s: &'a LabelSelector) -> Required<'a> {
    let s = cx.exists(&selector_route()).then_some(s);
    if apps_v1 {
        Required::Strict(s)
    } else {
        Required::Defaulted(s)
    }
}

fn is_empty(s: &LabelSelector) -> bool {
    s.match_labels.iter().flatten().next().is_none() && s.match_expressions.iter().flatten().next().is_none()
}

fn mismatch(kind: &str, name: &str, selector: &str, labels: &BTreeMap<String, String>) -> String {
    let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let labels = if labels.is_empty() {
        "no labels".to_string()
    } else {
        labels.join(", ")
    };
    format!("The selector of {kind} `{name}` does not match its pod template labels ({selector} vs {labels})")
}
