//! What the cross-object rules keep of Flagger Canaries and Argo CD Applications
//! (rule-families §5).

use super::crd::{Application, Canary, CrossRef, IgnoreDifference};
use super::object::{Object, ObjectRef};
use crate::source::{FileId, Loc, Route, Tree};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct CanaryFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: String,
    pub name: String,
    pub target: Option<CrossRef>,
    /// The `targetRef` entry (or `spec`).
    pub target_loc: Loc,
    pub autoscaler: Option<CrossRef>,
    /// The `autoscalerRef` entry (or `spec`).
    pub autoscaler_loc: Loc,
    /// (template name, namespace as written, location of the `templateRef`).
    pub templates: Vec<(String, Option<String>, Loc)>,
}

impl CanaryFact {
    pub fn new(
        obj: &Object,
        c: &Canary,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: String,
    ) -> CanaryFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = Route::root().key("spec");
        let mut templates = Vec::new();
        if let Some((analysis, key)) = c.spec.analysis() {
            for (i, m) in analysis.metrics.iter().flatten().enumerate() {
                if let Some(t) = &m.template_ref {
                    let name = t.name.clone().unwrap_or_default();
                    templates.push((
                        name,
                        t.namespace.clone(),
                        at(&spec.key(key).key("metrics").index(i).key("templateRef")),
                    ));
                }
            }
        }
        CanaryFact {
            obj: oref.clone(),
            namespace,
            name: obj.name().unwrap_or("<unnamed>").to_string(),
            target: c.spec.target_ref.clone(),
            target_loc: at(&spec.key("targetRef")),
            autoscaler: c.spec.autoscaler_ref.clone(),
            autoscaler_loc: at(&spec.key("autoscalerRef")),
            templates,
        }
    }
}

#[derive(Clone, Debug)]
pub struct ApplicationFact {
    pub obj: Arc<ObjectRef>,
    pub name: String,
    pub destination_namespace: Option<String>,
    /// Automated sync is on.
    pub automated: bool,
    pub self_heal: bool,
    /// `RespectIgnoreDifferences=true` is among the sync options.
    pub respects_ignore_differences: bool,
    pub ignore_differences: Vec<IgnoreDifference>,
}

impl ApplicationFact {
    pub fn new(obj: &Object, app: &Application, oref: &Arc<ObjectRef>) -> ApplicationFact {
        let sync = app.spec.sync_policy.as_ref();
        let automated = sync.and_then(|s| s.automated());
        ApplicationFact {
            obj: oref.clone(),
            name: obj.name().unwrap_or("<unnamed>").to_string(),
            destination_namespace: app.spec.destination.as_ref().and_then(|d| d.namespace.clone()),
            automated: automated.is_some(),
            self_heal: automated.and_then(|a| a.self_heal) == Some(true),
            respects_ignore_differences: sync.is_some_and(|s| s.has_option("RespectIgnoreDifferences=true")),
            ignore_differences: app.spec.ignore_differences.clone().unwrap_or_default(),
        }
    }

    /// Whether the sync leaves a field of an object alone: an `ignoreDifferences` entry
    /// matching the object lists the JSON pointer, and the sync respects it.
    pub fn ignores(&self, group: &str, kind: &str, namespace: &str, name: &str, pointer: &str) -> bool {
        self.respects_ignore_differences
            && self.ignore_differences.iter().any(|d| {
                d.group.as_deref().unwrap_or("") == group
                    && d.kind.as_deref() == Some(kind)
                    && d.name.as_deref().is_none_or(|n| n == name)
                    && d.namespace.as_deref().is_none_or(|n| n == namespace)
                    && (d.json_pointers.iter().flatten().any(|p| p == pointer)
                        || d.jq_path_expressions
                            .iter()
                            .flatten()
                            .any(|e| e.replace('.', "/") == pointer))
            })
    }
}
