//! What the cross-object rules keep of a `Service`: its selector (a label map, equality
//! only), its ports and where they are written. Services are indexed by namespace and by a
//! label pair of their selector, so that "which Services select this pod template" is a
//! lookup (workload-checks.md §7).

use super::intern::{Interner, LabelSet, Labels, Str};
use super::object::{Object, ObjectRef};
use crate::source::{FileId, Loc, Route, Tree};
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::sync::Arc;

/// Labels controllers set on the pods they create, with values no template shows
/// (`statefulset.kubernetes.io/pod-name: web-0`, `job-name`, hashes): a Service selecting one
/// of them is matched on its other pairs only.
pub const CONTROLLER_LABELS: &[&str] = &[
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-hash",
    "job-name",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-completion-index",
];

/// A Service port's `targetPort`: a number or a container port name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TargetPort {
    Number(i32),
    Name(Str),
}

#[derive(Clone, Debug)]
pub struct ServicePortFact {
    pub name: Option<Str>,
    pub port: i32,
    /// `targetPort`, defaulting to `port`.
    pub target: TargetPort,
    /// Whether `targetPort` is written (else it defaults to `port`).
    pub target_written: bool,
    pub protocol: Str,
    /// The `targetPort` entry, else the port entry.
    pub target_loc: Loc,
}

#[derive(Clone, Debug)]
pub struct ServiceFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    /// `spec.type`, default `ClusterIP`.
    pub type_: Str,
    /// `spec.selector`; empty when absent (a Service without a selector selects nothing:
    /// its endpoints are managed by hand or by another controller).
    pub selector: Labels,
    /// `clusterIP: None`.
    pub headless: bool,
    /// The Service's own `metadata.labels` (what ServiceMonitors select).
    pub labels: Labels,
    pub ports: Box<[ServicePortFact]>,
    /// The object's grip (its `metadata.name` entry).
    pub loc: Loc,
    /// The `spec.selector` entry, else the nearest existing parent.
    pub selector_loc: Loc,
}

impl ServiceFact {
    /// `loc` is the object's grip.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        obj: &Object,
        svc: &Service,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: Str,
        loc: Loc,
        interner: &Interner,
    ) -> ServiceFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = svc.spec.as_ref();
        let ports_route = Route::root().keys(&["spec", "ports"]);
        let ports = spec
            .and_then(|s| s.ports.as_ref())
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, p)| {
                let target_route = ports_route.index(i).key("targetPort");
                let written = target_route.walk(tree, obj.root).matched == target_route.segs().len();
                ServicePortFact {
                    name: p.name.as_deref().map(|n| interner.intern(n)),
                    port: p.port,
                    target: match &p.target_port {
                        Some(IntOrString::Int(n)) => TargetPort::Number(*n),
                        Some(IntOrString::String(s)) => match s.parse::<i32>() {
                            Ok(n) => TargetPort::Number(n),
                            Err(_) => TargetPort::Name(interner.intern(s)),
                        },
                        None => TargetPort::Number(p.port),
                    },
                    target_written: written,
                    protocol: interner.intern(p.protocol.as_deref().unwrap_or("TCP")),
                    target_loc: at(&target_route),
                }
            })
            .collect();
        ServiceFact {
            obj: oref.clone(),
            namespace,
            name: interner.intern(obj.name().unwrap_or("<unnamed>")),
            type_: interner.intern(spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP")),
            selector: Labels::new(interner, spec.and_then(|s| s.selector.as_ref()).into_iter().flatten()),
            headless: spec.and_then(|s| s.cluster_ip.as_deref()) == Some("None"),
            labels: Labels::new(interner, obj.labels().into_iter().flatten()),
            ports,
            loc,
            selector_loc: at(&Route::root().keys(&["spec", "selector"])),
        }
    }

    /// Whether the Service routes to pods it selects: a non-empty selector, and a type
    /// other than `ExternalName`.
    pub fn selects_pods(&self) -> bool {
        !self.selector.is_empty() && &*self.type_ != "ExternalName"
    }

    /// The pairs of the selector a pod template can show: those whose key is not a label
    /// that controllers put on the pods they create ([`CONTROLLER_LABELS`]).
    pub fn template_pairs(&self) -> impl Iterator<Item = (&Str, &Str)> {
        self.selector
            .iter()
            .filter(|(k, _)| !CONTROLLER_LABELS.contains(&&***k))
    }

    /// Whether the Service selects pods of a template with these labels: equality on every
    /// pair a template can show (controller-set labels, whose values only the running pods
    /// carry, are taken to match).
    pub fn selects(&self, labels: &impl LabelSet) -> bool {
        self.selects_pods()
            && self.template_pairs().next().is_some()
            && self.template_pairs().all(|(k, v)| labels.label(k) == Some(&**v))
    }

    /// `k=v,k2=v2`, for messages.
    pub fn describe_selector(&self) -> String {
        self.selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}
