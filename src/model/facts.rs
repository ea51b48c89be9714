//! Compact facts kept from every object for the cross-object phase, and the index built
//! from them once. Cross-object rules are lookups in the index, never scans of all pairs.
//! Facts hold resolved locations, so no tree outlives its file's processing.

use super::apilifecycle::{CrdFact, CustomObjectFact};
use super::controllers::{ControllerFact, SpreadFact};
use super::gitops::{ApplicationFact, CanaryFact};
use super::grouped::{Grouped, Keyless};
use super::imagepolicy::ImagePolicyFact;
use super::intern::{Interner, Labels, Pair, Str, Triple};
use super::kinds::Typed;
use super::netpol::NetpolFact;
use super::object::{Object, ObjectRef};
use super::rbac::{RbacFacts, RbacIndex};
use super::refs::{RefFacts, RefIndex};
use super::resources::{Amounts, ContainerDefaults};
use super::scaling::{HpaFact, HpaView, PdbFact, PdbSelectorForm};
use super::secretrefs::{SpcRefFact, StoreRefFact};
use super::selector::{Selector, Tri};
use super::services::ServiceFact;
use super::views::ContainerKind;
use super::views::Workload;
use crate::source::{FileId, Loc, Route, Tree, grip};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every object: identity, effective namespace, labels.
#[derive(Debug, Clone)]
pub struct ObjectFact {
    pub obj: Arc<ObjectRef>,
    /// Effective namespace; `None` for cluster-scoped kinds.
    pub namespace: Option<Str>,
    /// The object's grip: its `metadata.name` entry, else its `kind` entry.
    pub loc: Loc,
}

impl ObjectFact {
    /// The API group, with legacy groups read as today's (`extensions` Deployments are
    /// `apps`), so that two writings of one object share an identity.
    pub fn group(&self) -> &str {
        super::kinds::canonical_group(super::kinds::group_of(&self.obj.api_version), &self.obj.kind)
    }
}

/// A `Namespace` object of the set.
#[derive(Debug, Clone)]
pub struct NamespaceFact {
    pub name: Str,
    pub labels: Labels,
    pub obj: Arc<ObjectRef>,
    /// The `metadata.name` entry.
    pub loc: Loc,
    /// The `metadata.labels` key, or `metadata` when there are no labels.
    pub labels_loc: Loc,
}

/// A pod-bearing object.
#[derive(Debug, Clone)]
pub struct WorkloadFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    /// The pod template's labels (what selectors match), not the controller's.
    pub template_labels: Labels,
    /// The template's `labels` key, else the nearest existing ancestor.
    pub labels_loc: Loc,
    /// The object's grip (its `metadata.name` entry).
    pub loc: Loc,
    pub containers: Box<[ContainerFact]>,
    /// `spec.hostNetwork: true`.
    pub host_network: bool,
    /// `spec.replicas` as written, with its location.
    pub replicas: Option<(i32, Loc)>,
    /// The controller's `spec.selector.matchLabels`.
    pub selector_labels: Labels,
    /// The `spec.selector` entry (or the nearest existing parent).
    pub selector_loc: Loc,
    /// The template's `spec.containers` entry (or the nearest existing parent).
    pub containers_loc: Loc,
    /// The pod-level `spec.resources` of the tracked resources.
    pub pod_resources: Amounts,
    /// Ownership and rollout strategy of the controller.
    pub controller: ControllerFact,
    /// How the pod template spreads its own replicas.
    pub spread: SpreadFact,
}

impl WorkloadFact {
    /// `Kind/name`.
    pub fn display(&self) -> super::object::Qualified<'_> {
        super::object::Qualified(Some(&self.obj.kind), self.obj.name.as_deref().unwrap_or("<unnamed>"))
    }

    /// Whether a container declares a port with this name.
    pub fn has_port_name(&self, name: &str) -> bool {
        self.containers
            .iter()
            .any(|c| c.ports.iter().any(|p| p.name.as_deref() == Some(name)))
    }
}

/// A declared container port.
#[derive(Debug, Clone)]
pub struct PortDecl {
    pub name: Option<Str>,
    pub port: i32,
    pub protocol: Str,
}

#[derive(Debug, Clone)]
pub struct ContainerFact {
    pub name: Str,
    pub image: Option<Str>,
    /// The `image` entry, else the container's grip.
    pub image_loc: Loc,
    pub ports: Box<[PortDecl]>,
    pub kind: ContainerKind,
    /// An init container with `restartPolicy: Always` (a native sidecar).
    pub sidecar: bool,
    /// An automatic OpenShift `ImageChange` trigger sets the image at deploy time.
    pub image_from_trigger: bool,
    /// Resources with a request, or a limit (requests default to limits), sorted.
    pub requested: Box<[Str]>,
    /// The requests and limits of the tracked resources.
    pub resources: Amounts,
    /// Where the resource rules point: the `resources.requests` and `resources.limits`
    /// entries when present, and the `resources` entry (else the container's grip).
    pub requests_loc: Option<Loc>,
    pub limits_loc: Option<Loc>,
    pub resources_loc: Loc,
    /// The container has a `readinessProbe`.
    pub readiness_probe: bool,
    /// The container's grip.
    pub loc: Loc,
}

/// The facts of one file.
#[derive(Debug, Default, Clone)]
pub struct FileFacts {
    pub objects: Vec<ObjectFact>,
    pub namespaces: Vec<NamespaceFact>,
    pub workloads: Vec<WorkloadFact>,
    pub netpols: Vec<NetpolFact>,
    pub hpas: Vec<HpaFact>,
    pub pdbs: Vec<PdbFact>,
    /// (namespace, container defaults) of LimitRanges.
    pub limit_ranges: Vec<(Str, ContainerDefaults)>,
    pub canaries: Vec<CanaryFact>,
    pub applications: Vec<ApplicationFact>,
    pub image_policies: Vec<ImagePolicyFact>,
    pub store_refs: Vec<StoreRefFact>,
    pub spc_refs: Vec<SpcRefFact>,
    /// The effective namespace of each SOPS-encrypted `Secret`.
    pub sops_secrets: Vec<Str>,
    pub workload_refs: Vec<WorkloadRefFact>,
    pub services: Vec<ServiceFact>,
    /// Files (or parts) with documents that could not be read as objects, and how many.
    pub unreadable: Vec<(FileId, usize)>,
    pub crds: Vec<CrdFact>,
    pub custom_objects: Vec<CustomObjectFact>,
    pub refs: RefFacts,
    /// Roles, bindings, ServiceAccounts and the ServiceAccount side of pod templates.
    pub rbac: RbacFacts,
}

/// A workload that runs another's pod template: an Argo `Rollout` with `spec.workloadRef`
/// (to a Deployment) instead of a template of its own.
#[derive(Debug, Clone)]
pub struct WorkloadRefFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub kind: Str,
    pub name: Str,
    pub target_kind: Str,
    pub target_name: Str,
    /// The object's grip (its `metadata.name` entry).
    pub loc: Loc,
    /// `spec.replicas` as written, with its location.
    pub replicas: Option<(i32, Loc)>,
    /// Its own rollout strategy.
    pub controller: ControllerFact,
}

impl FileFacts {
    /// Releases the spare capacity of every list: a file holds a few facts each, and they
    /// are kept until the whole set is read.
    pub fn shrink(&mut self) {
        self.objects.shrink_to_fit();
        self.namespaces.shrink_to_fit();
        self.workloads.shrink_to_fit();
        self.netpols.shrink_to_fit();
        self.hpas.shrink_to_fit();
        self.pdbs.shrink_to_fit();
        self.limit_ranges.shrink_to_fit();
        self.canaries.shrink_to_fit();
        self.applications.shrink_to_fit();
        self.image_policies.shrink_to_fit();
        self.store_refs.shrink_to_fit();
        self.spc_refs.shrink_to_fit();
        self.sops_secrets.shrink_to_fit();
        self.workload_refs.shrink_to_fit();
        self.services.shrink_to_fit();
        self.crds.shrink_to_fit();
        self.custom_objects.shrink_to_fit();
        self.refs.shrink();
        self.rbac.shrink();
    }

    /// Appends another file's facts (file order is kept by appending in order).
    pub fn append(&mut self, mut other: FileFacts) {
        self.objects.append(&mut other.objects);
        self.namespaces.append(&mut other.namespaces);
        self.workloads.append(&mut other.workloads);
        self.netpols.append(&mut other.netpols);
        self.hpas.append(&mut other.hpas);
        self.pdbs.append(&mut other.pdbs);
        self.limit_ranges.append(&mut other.limit_ranges);
        self.canaries.append(&mut other.canaries);
        self.applications.append(&mut other.applications);
        self.image_policies.append(&mut other.image_policies);
        self.store_refs.append(&mut other.store_refs);
        self.spc_refs.append(&mut other.spc_refs);
        self.sops_secrets.append(&mut other.sops_secrets);
        self.workload_refs.append(&mut other.workload_refs);
        self.services.append(&mut other.services);
        self.unreadable.append(&mut other.unreadable);
        self.crds.append(&mut other.crds);
        self.custom_objects.append(&mut other.custom_objects);
        self.refs.append(&mut other.refs);
        self.rbac.append(other.rbac);
    }

    /// Records the facts of one object.
    pub fn add(
        &mut self,
        file: FileId,
        tree: &Tree<'_>,
        obj: &Object,
        oref: &Arc<ObjectRef>,
        default_namespace: &str,
        interner: &Interner,
    ) {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let name_route = Route::root().keys(&["metadata", "name"]);
        let loc = if name_route.walk(tree, obj.root).matched == 2 {
            at(&name_route)
        } else {
            at(&Route::root().key("kind"))
        };
        if obj.kind == "Namespace"
            && obj.api_version == "v1"
            && let Some(name) = obj.name()
        {
            self.namespaces.push(NamespaceFact {
                name: interner.intern(name),
                labels: Labels::new(interner, obj.labels().into_iter().flatten()),
                obj: oref.clone(),
                loc,
                labels_loc: at(&Route::root().keys(&["metadata", "labels"])),
            });
        }
        let namespace = obj.namespace(default_namespace).map(|n| interner.intern(n));
        if let (true, "Secret", Some(ns)) = (obj.sops, obj.kind.as_str(), &namespace) {
            self.sops_secrets.push(ns.clone());
        }
        if let (Some(w), Some(ns)) = (Workload::of(obj, tree), &namespace) {
            let containers = w
                .containers()
                .map(|c| {
                    let image_route = c.route.key("image");
                    let image_loc = if image_route.walk(tree, obj.root).matched == image_route.segs().len() {
                        at(&image_route)
                    } else {
                        Loc {
                            file,
                            span: grip(tree, c.route.walk(tree, obj.root).node),
                        }
                    };
                    let resources = c.container.resources.as_ref();
                    let mut requested: Vec<Str> = resources
                        .iter()
                        .flat_map(|r| r.requests.iter().flatten().chain(r.limits.iter().flatten()))
                        .map(|(k, _)| interner.intern(k))
                        .collect();
                    requested.sort();
                    requested.dedup();
                    let present =
                        |route: Route| (route.walk(tree, obj.root).matched == route.segs().len()).then(|| at(&route));
                    ContainerFact {
                        kind: c.kind,
                        sidecar: c.kind == ContainerKind::Init
                            && c.container.restart_policy.as_deref() == Some("Always"),
                        image_from_trigger: super::views::image_from_trigger(obj, c.name()),
                        requested: requested.into_boxed_slice(),
                        resources: Amounts::of(resources),
                        requests_loc: present(c.route.keys(&["resources", "requests"])),
                        limits_loc: present(c.route.keys(&["resources", "limits"])),
                        resources_loc: at(&c.route.key("resources")),
                        readiness_probe: c.container.readiness_probe.is_some(),
                        loc: Loc {
                            file,
                            span: grip(tree, c.route.walk(tree, obj.root).node),
                        },
                        name: interner.intern(c.name()),
                        image: c.container.image.as_deref().map(|i| interner.intern(i)),
                        image_loc,
                        ports: c
                            .container
                            .ports
                            .iter()
                            .flatten()
                            .map(|p| PortDecl {
                                name: p.name.as_deref().map(|n| interner.intern(n)),
                                port: p.container_port,
                                protocol: interner.intern(p.protocol.as_deref().unwrap_or("TCP")),
                            })
                            .collect(),
                    }
                })
                .collect();
            self.spc_refs.extend(SpcRefFact::of(&w, obj, tree, file, oref, ns));
            self.refs.add_pod(&w, obj, tree, file, oref, ns, interner);
            self.rbac.add_pod(&w, obj, tree, file, oref, ns, interner);
            self.workloads.push(WorkloadFact {
                obj: oref.clone(),
                namespace: ns.clone(),
                template_labels: Labels::new(interner, w.meta.and_then(|m| m.labels.as_ref()).into_iter().flatten()),
                labels_loc: at(&w.labels_route()),
                loc,
                containers,
                host_network: w.spec.host_network == Some(true),
                replicas: replicas(obj).map(|r| (r, at(&Route::root().keys(&["spec", "replicas"])))),
                selector_labels: Labels::new(interner, selector_labels(obj).into_iter().flatten()),
                selector_loc: at(&Route::root().keys(&["spec", "selector"])),
                containers_loc: at(&w.spec_route().key("containers")),
                pod_resources: Amounts::of(w.spec.resources.as_ref()),
                controller: ControllerFact::of(obj, at),
                spread: SpreadFact::of(&w, ns, at, interner),
            });
        }
        match &obj.typed {
            Typed::KyvernoClusterPolicy(p) => self
                .image_policies
                .extend(ImagePolicyFact::kyverno(obj, p, tree, file, oref, None)),
            Typed::ImageValidatingPolicy(p) => self.image_policies.push(ImagePolicyFact::ivp(obj, p, tree, file, oref)),
            Typed::ClusterImagePolicy(p) => self.image_policies.push(ImagePolicyFact::cip(obj, p, tree, file, oref)),
            Typed::CustomResourceDefinition(c) => self.crds.push(CrdFact::new(c, tree, obj, file, oref, interner)),
            _ => {}
        }
        if !super::builtin::is_builtin_group(super::kinds::group_of(&obj.api_version)) {
            self.custom_objects.push(CustomObjectFact {
                obj: oref.clone(),
                api_version_loc: at(&Route::root().key("apiVersion")),
            });
        }
        if let Some(ns) = &namespace {
            match &obj.typed {
                Typed::PodDisruptionBudget(p) => {
                    let spec = p.spec.clone().unwrap_or_default();
                    let field = if spec.max_unavailable.is_some() {
                        "maxUnavailable"
                    } else {
                        "minAvailable"
                    };
                    let sel_route = Route::root().keys(&["spec", "selector"]);
                    let v1 = obj.api_version == "policy/v1";
                    let selector = spec
                        .selector
                        .as_ref()
                        .map(|s| Selector::new(s, |i| at(&sel_route.key("matchExpressions").index(i))));
                    let form = match &selector {
                        None => PdbSelectorForm::Absent,
                        Some(s) if s.is_empty() => PdbSelectorForm::Empty,
                        Some(_) => PdbSelectorForm::Written,
                    };
                    self.pdbs.push(PdbFact {
                        obj: oref.clone(),
                        namespace: ns.clone(),
                        name: interner.intern(obj.name().unwrap_or("<unnamed>")),
                        // A PDB without a selector selects nothing; so does an empty one in
                        // policy/v1beta1 (in policy/v1 it selects every pod).
                        selector: selector
                            .filter(|_| v1 || form != PdbSelectorForm::Empty)
                            .unwrap_or_else(Selector::nothing),
                        selector_form: form,
                        v1,
                        min_available: spec.min_available.clone(),
                        max_unavailable: spec.max_unavailable.clone(),
                        loc: at(&Route::root().keys(&["spec", field])),
                        selector_loc: at(&sel_route),
                    });
                }
                Typed::LimitRange(l) => self.limit_ranges.push((ns.clone(), ContainerDefaults::of(l))),
                Typed::Canary(c) => self
                    .canaries
                    .push(CanaryFact::new(obj, c, tree, file, oref, ns.to_string())),
                Typed::Application(a) => self.applications.push(ApplicationFact::new(obj, a, oref)),
                Typed::Service(svc) => {
                    self.services
                        .push(ServiceFact::new(obj, svc, tree, file, oref, ns.clone(), loc, interner))
                }
                Typed::KyvernoPolicy(p) => {
                    self.image_policies
                        .extend(ImagePolicyFact::kyverno(obj, p, tree, file, oref, Some(ns.to_string())))
                }
                _ => {}
            }
            if let Some(view) = HpaView::of(obj) {
                self.hpas
                    .push(HpaFact::new(obj, &view, tree, file, oref, ns.clone(), interner));
            }
        }
        self.store_refs
            .extend(StoreRefFact::of(obj, tree, file, oref, namespace.as_deref()));
        self.refs
            .add(obj, tree, file, oref, namespace.as_ref(), default_namespace, interner);
        self.rbac.add(obj, tree, file, oref, namespace.as_ref(), interner);
        if let (Typed::Rollout(r), Some(ns), Some(name)) = (&obj.typed, &namespace, obj.name()) {
            let spec = r.spec.as_ref();
            if let Some(t) = spec
                .filter(|s| s.template.is_none())
                .and_then(|s| s.workload_ref.as_ref())
            {
                self.workload_refs.push(WorkloadRefFact {
                    obj: oref.clone(),
                    namespace: ns.clone(),
                    kind: oref.kind.clone(),
                    name: interner.intern(name),
                    target_kind: interner.intern(t.kind.as_deref().unwrap_or("Deployment")),
                    target_name: interner.intern(t.name.as_deref().unwrap_or_default()),
                    loc,
                    replicas: spec
                        .and_then(|s| s.replicas)
                        .map(|r| (r, at(&Route::root().keys(&["spec", "replicas"])))),
                    controller: ControllerFact::of(obj, at),
                });
            }
        }
        if let (Typed::NetworkPolicy(np), Some(ns)) = (&obj.typed, &namespace) {
            self.netpols
                .push(NetpolFact::new(obj, np, tree, file, oref, ns.to_string()));
        }
        self.objects.push(ObjectFact {
            obj: oref.clone(),
            namespace,
            loc,
        });
    }
}

/// `spec.replicas` of a scalable workload, as written.
fn replicas(obj: &Object) -> Option<i32> {
    match &obj.typed {
        Typed::Deployment(d) => d.spec.replicas,
        Typed::StatefulSet(d) => d.spec.replicas,
        Typed::ReplicaSet(d) => d.spec.replicas,
        Typed::ReplicationController(d) => d.spec.as_ref().and_then(|s| s.replicas),
        Typed::DeploymentConfig(d) => d.spec.as_ref().and_then(|s| s.replicas),
        Typed::Rollout(d) => d.spec.as_ref().and_then(|s| s.replicas),
        _ => None,
    }
}

/// The controller's `spec.selector.matchLabels`.
fn selector_labels(obj: &Object) -> Option<&BTreeMap<String, String>> {
    match &obj.typed {
        Typed::Deployment(d) => d.spec.selector.match_labels.as_ref(),
        Typed::StatefulSet(d) => d.spec.selector.match_labels.as_ref(),
        Typed::DaemonSet(d) => d.spec.selector.match_labels.as_ref(),
        Typed::ReplicaSet(d) => d.spec.selector.match_labels.as_ref(),
        Typed::Job(d) => d
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .and_then(|s| s.match_labels.as_ref()),
        Typed::ReplicationController(d) => d.spec.as_ref().and_then(|s| s.selector.as_ref()),
        Typed::DeploymentConfig(d) => d.spec.as_ref().and_then(|s| s.selector.as_ref()),
        Typed::Rollout(d) => d
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .and_then(|s| s.match_labels.as_ref()),
        _ => None,
    }
}

/// The kinds that keep a number of replicas of their template (workload-checks §1.4).
/// DeploymentConfigs are left out until their replica semantics are verified (§8, decision
/// 4).
const REPLICATED_KINDS: &[&str] = &["Deployment", "ReplicaSet", "StatefulSet", "Rollout"];

/// A controller that keeps replicas of a pod template running: a Deployment, a ReplicaSet no
/// other controller owns, a StatefulSet or a Rollout, or a Rollout that runs another
/// workload's template (`workloadRef`, which Argo Rollouts scales down).
#[derive(Debug, Clone, Copy)]
pub struct Replicated<'a> {
    pub obj: &'a Arc<ObjectRef>,
    pub namespace: &'a Str,
    /// The controller's grip (its `metadata.name` entry).
    pub loc: Loc,
    /// `spec.replicas` as written, with its location.
    pub replicas: Option<(i32, Loc)>,
    pub controller: &'a ControllerFact,
    /// The pod template: the controller's own, or the one its `workloadRef` names.
    pub template: &'a WorkloadFact,
    /// Of the HPAs of the set that scale it, the one with the lowest `minReplicas`.
    pub hpa: Option<&'a HpaFact>,
}

impl Replicated<'_> {
    /// The fewest replicas it runs: the HPA's `minReplicas`, else `spec.replicas`
    /// (default 1).
    pub fn floor(&self) -> i32 {
        match self.hpa {
            Some(h) => h.min_replicas,
            None => self.replicas.map_or(1, |(n, _)| n),
        }
    }

    pub fn kind(&self) -> &str {
        &self.obj.kind
    }

    pub fn name(&self) -> &str {
        self.obj.name.as_deref().unwrap_or("<unnamed>")
    }

    /// `3 replicas`, or `at least 2 replicas (HPA `web` minReplicas)`, for messages.
    pub fn describe_count(&self) -> String {
        let n = self.floor();
        let s = if n == 1 { "" } else { "s" };
        match self.hpa {
            Some(h) => format!("at least {n} replica{s} (HPA `{}` minReplicas)", h.name),
            None => format!("{n} replica{s}"),
        }
    }
}

/// Where a file of the run sits, to tell apart objects that share an identity: a reference
/// resolves to the candidate closest to the object that makes it.
#[derive(Debug, Clone, Default)]
pub struct FileMeta {
    /// The directory's components (of the overlay, for a rendered kustomization), interned,
    /// and shared by the files of the directory.
    pub dir: Arc<[Str]>,
    /// The file as shown.
    pub display: Box<str>,
}

/// The components of the directories met so far, by directory as shown: the files of a
/// directory share one list.
pub type Dirs = FxHashMap<Box<str>, Arc<[Str]>>;

impl FileMeta {
    /// `dir` is the directory as shown (`deploy/base`, `.` or empty for the working
    /// directory); `dirs` holds the directories of the files before this one.
    pub fn new(display: &str, dir: &str, interner: &Interner, dirs: &mut Dirs) -> FileMeta {
        let dir = match dirs.get(dir) {
            Some(known) => known.clone(),
            None => {
                let components: Arc<[Str]> = dir
                    .split('/')
                    .filter(|c| !c.is_empty() && *c != ".")
                    .map(|c| interner.intern(c))
                    .collect();
                dirs.insert(dir.into(), components.clone());
                components
            }
        };
        FileMeta {
            dir,
            display: display.into(),
        }
    }
}

/// What an object is found by: (kind, effective namespace, name); `None` without a name.
fn identity(o: &ObjectFact) -> Option<(&str, Option<&str>, &str)> {
    Some((&o.obj.kind, o.namespace.as_deref(), o.obj.name.as_deref()?))
}

/// The label the control plane sets on every namespace.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The namespaces a selector matches, and those it may match (not declared in the set).
#[derive(Debug, Default)]
pub struct NamespaceSelection {
    pub yes: Vec<Str>,
    pub unknown: Vec<Str>,
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A reference resolved among objects that share an identity: the closest candidate and
/// those exactly as close (an ambiguous reference), in file order.
#[derive(Debug)]
pub struct Resolved<'a, T> {
    pub best: &'a T,
    pub ties: Vec<&'a T>,
}

impl<'a, T> Resolved<'a, T> {
    /// Every candidate as close as the best one, the best first.
    pub fn candidates(&self) -> impl Iterator<Item = &'a T> + '_ {
        std::iter::once(self.best).chain(self.ties.iter().copied())
    }
}

/// Everything the cross-object phase knows, indexed once. Keys are the run's interned
/// strings; a lookup by a text the run never saw finds nothing.
#[derive(Debug, Default)]
pub struct Index {
    /// The run's files, by [`FileId`].
    pub files: Vec<FileMeta>,
    /// The run's interned strings, read-only.
    strings: FxHashSet<Str>,
    pub objects: Vec<ObjectFact>,
    pub workloads: Vec<WorkloadFact>,
    /// `Namespace` objects by name (the first one in file order when repeated).
    pub namespaces: BTreeMap<Str, NamespaceFact>,
    /// Workloads by effective namespace, as indices into `workloads`.
    pub workloads_by_namespace: BTreeMap<Str, Vec<usize>>,
    /// Objects by (kind, effective namespace, name), as indices into `objects`, every
    /// object of that identity in file order (a repository may hold several).
    by_kind_namespace_name: Keyless,
    /// How many objects of a kind each namespace holds.
    count_by_kind_namespace: FxHashMap<(Str, Option<Str>), usize>,
    /// Every namespace something lives in or that a `Namespace` object declares.
    pub namespace_names: std::collections::BTreeSet<Str>,
    /// The namespaces of `namespace_names` that no `Namespace` object declares (their
    /// labels are unknown but for their name), in order.
    undeclared_namespaces: Vec<Str>,
    /// The labels of each declared namespace as selectors see them (with the
    /// `kubernetes.io/metadata.name` label the control plane sets), computed once.
    namespace_labels: FxHashMap<Str, Labels>,
    /// Declared namespaces by label pair, for selector lookups.
    namespaces_by_label: FxHashMap<(Str, Str), Vec<Str>>,
    /// Namespaces each distinct namespace selector matches, computed once per selector.
    namespace_selections: std::sync::Mutex<FxHashMap<String, Arc<NamespaceSelection>>>,
    pub netpols: Vec<NetpolFact>,
    /// NetworkPolicies by namespace, as indices into `netpols`.
    pub netpols_by_namespace: BTreeMap<String, Vec<usize>>,
    /// Workloads by (namespace, label key, label value), for selector lookups.
    workloads_by_label: Grouped<(Str, Str, Str)>,
    /// Workloads by (kind, namespace, name), every one of that identity in file order.
    workload_by_name: Grouped<(Str, Str, Str)>,
    /// Workloads that run another's template (Rollouts with a `workloadRef`), in file order.
    workload_refs: Vec<WorkloadRefFact>,
    /// `workload_refs` by (kind, namespace, name), as indices.
    workload_refs_by_name: Grouped<(Str, Str, Str)>,
    /// `workload_refs` by the (kind, namespace, name) of the workload they run, as indices.
    workload_refs_by_target: Grouped<(Str, Str, Str)>,
    pub hpas: Vec<HpaFact>,
    /// HPAs by (namespace, target kind, target name), as indices into `hpas`.
    pub hpas_by_target: Grouped<(Str, Str, Str)>,
    /// HPAs by (namespace, name).
    hpas_by_name: Grouped<(Str, Str)>,
    pub pdbs: Vec<PdbFact>,
    /// PodDisruptionBudgets by (namespace, a label pair their selector requires), and those
    /// whose selector requires no single pair, by namespace.
    pdbs_by_label: Grouped<(Str, Str, Str)>,
    pdbs_without_pair: FxHashMap<Str, Vec<usize>>,
    /// The container defaults of the LimitRanges of each namespace.
    pub limit_range_defaults: FxHashMap<Str, ContainerDefaults>,
    pub canaries: Vec<CanaryFact>,
    pub applications: Vec<ApplicationFact>,
    /// Argo CD Applications by destination namespace, as indices into `applications`.
    applications_by_namespace: FxHashMap<String, Vec<usize>>,
    pub image_policies: Vec<ImagePolicyFact>,
    pub store_refs: Vec<StoreRefFact>,
    pub spc_refs: Vec<SpcRefFact>,
    /// The effective namespace of each SOPS-encrypted `Secret`.
    pub sops_secrets: Vec<Str>,
    pub services: Vec<ServiceFact>,
    /// Services by namespace, as indices into `services`.
    services_by_namespace: FxHashMap<Str, Vec<usize>>,
    /// Services that select pods, by (namespace, the first pair of their selector a template
    /// can show).
    services_by_pair: Grouped<(Str, Str, Str)>,
    /// Services by (namespace, name), every one of that identity in file order.
    services_by_name: Grouped<(Str, Str)>,
    /// How many documents of each file could not be read as objects.
    unreadable: FxHashMap<FileId, usize>,
    pub crds: Vec<CrdFact>,
    /// CustomResourceDefinitions by (group, kind), as indices into `crds`.
    crds_by_group_kind: Grouped<(Str, Str)>,
    pub custom_objects: Vec<CustomObjectFact>,
    /// References by name and what provides ConfigMaps and Secrets (`ref-*` rules).
    pub refs: RefIndex,
    /// Roles, bindings and ServiceAccounts, with what each binding grants.
    pub rbac: RbacIndex,
}

/// The groupings of workloads and HPAs, which [`Index::build`] builds beside the rest of
/// the index (they are its largest part on sets of many applications).
struct WorkloadGroups {
    by_name: Grouped<(Str, Str, Str)>,
    by_namespace: BTreeMap<Str, Vec<usize>>,
    by_label: Grouped<(Str, Str, Str)>,
    hpas_by_name: Grouped<(Str, Str)>,
    hpas_by_target: Grouped<(Str, Str, Str)>,
}

impl WorkloadGroups {
    fn build(workloads: &[WorkloadFact], hpas: &[HpaFact]) -> WorkloadGroups {
        let by_name = Grouped::build(workloads.iter().enumerate().filter_map(|(i, w)| {
            let name = w.obj.name.clone()?;
            Some(((w.obj.kind.clone(), w.namespace.clone(), name), i))
        }));
        let mut by_namespace: BTreeMap<Str, Vec<usize>> = BTreeMap::new();
        for (i, w) in workloads.iter().enumerate() {
            by_namespace.entry(w.namespace.clone()).or_default().push(i);
        }
        let by_label = Grouped::build(workloads.iter().enumerate().flat_map(|(i, w)| {
            w.template_labels
                .iter()
                .map(move |(k, v)| ((w.namespace.clone(), k.clone(), v.clone()), i))
        }));
        let hpas_by_name = Grouped::build(
            hpas.iter()
                .enumerate()
                .map(|(i, h)| ((h.namespace.clone(), h.name.clone()), i)),
        );
        let hpas_by_target = Grouped::build(
            hpas.iter()
                .enumerate()
                .map(|(i, h)| ((h.namespace.clone(), h.target.kind.clone(), h.target.name.clone()), i)),
        );
        WorkloadGroups {
            by_name,
            by_namespace,
            by_label,
            hpas_by_name,
            hpas_by_target,
        }
    }
}

impl Index {
    /// Builds the index from per-file facts given in file order, where each file of the
    /// run sits, and the run's interned strings.
    pub fn build(mut facts: FileFacts, files: Vec<FileMeta>, interner: &Interner) -> Index {
        // The RBAC index (resolving every binding's grants takes a while on sets with many
        // bindings), the objects by identity (the largest part) and the groupings of
        // workloads and HPAs are built beside the rest.
        let rbac = std::mem::take(&mut facts.rbac);
        let objects = std::mem::take(&mut facts.objects);
        let workloads = std::mem::take(&mut facts.workloads);
        let hpas = std::mem::take(&mut facts.hpas);
        let ((rbac, by_identity), (groups, mut index)) = rayon::join(
            || {
                rayon::join(
                    || RbacIndex::build(rbac),
                    || Keyless::build(objects.len(), |i| identity(&objects[i])),
                )
            },
            || {
                rayon::join(
                    || WorkloadGroups::build(&workloads, &hpas),
                    || Index::build_all_but_rbac(facts, &objects, files, interner),
                )
            },
        );
        index.rbac = rbac;
        index.by_kind_namespace_name = by_identity;
        index.objects = objects;
        index.workload_by_name = groups.by_name;
        index.workloads_by_namespace = groups.by_namespace;
        index.workloads_by_label = groups.by_label;
        index.workloads = workloads;
        index.hpas_by_name = groups.hpas_by_name;
        index.hpas_by_target = groups.hpas_by_target;
        index.hpas = hpas;
        index
    }

    /// Drops the index on the pool's threads: its largest parts (every object, every
    /// workload, the RBAC index) each beside the rest, as threads are free. Freeing a large
    /// set's facts one after another is a serial step of the cross-object phase, and which
    /// part is largest depends on the set.
    pub fn drop_in_parallel(mut self) {
        use rayon::prelude::*;
        let parts: Vec<Box<dyn Send>> = vec![
            Box::new(std::mem::take(&mut self.objects)),
            Box::new(std::mem::take(&mut self.workloads)),
            Box::new(std::mem::take(&mut self.rbac)),
            Box::new(self),
        ];
        parts.into_par_iter().with_max_len(1).for_each(drop);
    }

    /// [`Index::build`] without the RBAC index, the objects by identity and the groupings of
    /// workloads and HPAs; `objects` are the facts' objects (taken out of them).
    fn build_all_but_rbac(
        facts: FileFacts,
        objects: &[ObjectFact],
        files: Vec<FileMeta>,
        interner: &Interner,
    ) -> Index {
        let mut index = Index {
            files,
            ..Index::default()
        };
        let FileFacts {
            objects: _,
            namespaces,
            workloads: _,
            netpols,
            hpas: _,
            pdbs,
            limit_ranges,
            canaries,
            applications,
            image_policies,
            store_refs,
            spc_refs,
            sops_secrets,
            workload_refs,
            services,
            unreadable,
            crds,
            custom_objects,
            refs,
            rbac: _,
        } = facts;
        // Namespaces are gathered in a hash set, then sorted once.
        let mut namespace_names: FxHashSet<Str> = FxHashSet::default();
        for ns in namespaces {
            namespace_names.insert(ns.name.clone());
            index.namespaces.entry(ns.name.clone()).or_insert(ns);
        }
        let mut pdbs_by_label = Vec::new();
        for (i, p) in pdbs.iter().enumerate() {
            match p.selector.required_pair() {
                Some((k, v)) => pdbs_by_label.push(((p.namespace.clone(), interner.intern(k), interner.intern(v)), i)),
                None => index.pdbs_without_pair.entry(p.namespace.clone()).or_default().push(i),
            }
        }
        index.pdbs_by_label = Grouped::build(pdbs_by_label);
        index.pdbs = pdbs;
        for (ns, defaults) in limit_ranges {
            index.limit_range_defaults.entry(ns).or_default().merge(defaults);
        }
        index.canaries = canaries;
        for (i, a) in applications.iter().enumerate() {
            if let Some(ns) = &a.destination_namespace {
                index.applications_by_namespace.entry(ns.clone()).or_default().push(i);
            }
        }
        index.applications = applications;
        index.image_policies = image_policies;
        index.store_refs = store_refs;
        index.spc_refs = spc_refs;
        index.sops_secrets = sops_secrets;
        for (i, s) in services.iter().enumerate() {
            index
                .services_by_namespace
                .entry(s.namespace.clone())
                .or_default()
                .push(i);
        }
        index.services_by_name = Grouped::build(
            services
                .iter()
                .enumerate()
                .map(|(i, s)| ((s.namespace.clone(), s.name.clone()), i)),
        );
        // A Service that selects by controller-set labels only (`statefulset.kubernetes.io/
        // pod-name`) picks pods no template shows: it is not known to select any.
        index.services_by_pair = Grouped::build(services.iter().enumerate().filter_map(|(i, s)| {
            let (k, v) = s.template_pairs().next().filter(|_| s.selects_pods())?;
            Some(((s.namespace.clone(), k.clone(), v.clone()), i))
        }));
        index.refs = RefIndex::build(refs, &services);
        index.services = services;
        index.crds_by_group_kind = Grouped::build(
            crds.iter()
                .enumerate()
                .map(|(i, c)| ((c.group.clone(), c.kind.clone()), i)),
        );
        index.crds = crds;
        for (file, n) in unreadable {
            *index.unreadable.entry(file).or_default() += n;
        }
        index.custom_objects = custom_objects;
        index.workload_refs_by_name = Grouped::build(
            workload_refs
                .iter()
                .enumerate()
                .map(|(i, r)| ((r.kind.clone(), r.namespace.clone(), r.name.clone()), i)),
        );
        index.workload_refs_by_target = Grouped::build(
            workload_refs
                .iter()
                .enumerate()
                .map(|(i, r)| ((r.target_kind.clone(), r.namespace.clone(), r.target_name.clone()), i)),
        );
        index.workload_refs = workload_refs;
        for (i, p) in netpols.iter().enumerate() {
            namespace_names.insert(interner.intern(&p.namespace));
            index
                .netpols_by_namespace
                .entry(p.namespace.clone())
                .or_default()
                .push(i);
        }
        index.netpols = netpols;
        for o in objects {
            if let Some(ns) = &o.namespace
                && !namespace_names.contains(ns)
            {
                namespace_names.insert(ns.clone());
            }
            *index
                .count_by_kind_namespace
                .entry((o.obj.kind.clone(), o.namespace.clone()))
                .or_default() += 1;
        }

        index.namespace_names = namespace_names.into_iter().collect();
        let name_label = interner.intern(NAME_LABEL);
        for (name, ns) in &index.namespaces {
            let labels = ns.labels.with(name_label.clone(), name.clone());
            for (k, v) in labels.iter() {
                index
                    .namespaces_by_label
                    .entry((k.clone(), v.clone()))
                    .or_default()
                    .push(name.clone());
            }
            index.namespace_labels.insert(name.clone(), labels);
        }
        index.undeclared_namespaces = index
            .namespace_names
            .iter()
            .filter(|n| !index.namespace_labels.contains_key(*n))
            .cloned()
            .collect();
        index.strings = interner.to_set();
        index
    }

    /// The run's copy of a string, if the run has seen it.
    fn sym(&self, s: &str) -> Option<Str> {
        self.strings.get(s).cloned()
    }

    /// How close a file is to the file `from`: the same file (or kustomize render) first,
    /// then by the number of leading directory components they share.
    fn closeness(&self, from: FileId, to: FileId) -> (bool, usize) {
        let dir = |f: FileId| self.files.get(f.0 as usize).map_or(&[][..], |m| &m.dir[..]);
        let (a, b) = (dir(from), dir(to));
        (from == to, a.iter().zip(b).take_while(|(x, y)| x == y).count())
    }

    /// Sorts objects closest to the file `from` first (the same file or render, then by
    /// shared directories), keeping file order among equals.
    pub fn sort_by_closeness<T>(&self, from: FileId, items: &mut [&T], file: impl Fn(&T) -> FileId) {
        items.sort_by_key(|t| std::cmp::Reverse(self.closeness(from, file(t))));
    }

    /// The candidates closest to `from` (in file order), or `None` when there are none.
    pub fn closest<'a, T>(
        &self,
        from: FileId,
        candidates: impl IntoIterator<Item = &'a T>,
        file: impl Fn(&T) -> FileId,
    ) -> Option<Resolved<'a, T>> {
        let mut best: Option<((bool, usize), Resolved<'a, T>)> = None;
        for c in candidates {
            let key = self.closeness(from, file(c));
            match &mut best {
                Some((k, r)) if *k == key => r.ties.push(c),
                Some((k, _)) if *k > key => {}
                _ => {
                    best = Some((
                        key,
                        Resolved {
                            best: c,
                            ties: Vec::new(),
                        },
                    ))
                }
            }
        }
        best.map(|(_, r)| r)
    }

    /// Objects of a kind with this name in this namespace, in file order.
    fn by_identity(&self, kind: &str, namespace: Option<&str>, name: &str) -> &[u32] {
        self.by_kind_namespace_name
            .get(&(kind, namespace, name), |i| identity(&self.objects[i]))
    }

    /// The object of a kind (and API group, when given) with this name, in this namespace
    /// (`None` for cluster-scoped), closest to the file `from`.
    pub fn find_from(
        &self,
        from: FileId,
        group: Option<&str>,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Resolved<'_, ObjectFact>> {
        let group = group.map(|g| super::kinds::canonical_group(g, kind));
        self.closest(
            from,
            self.by_identity(kind, namespace, name)
                .iter()
                .map(|i| &self.objects[*i as usize])
                .filter(|o| group.is_none_or(|g| o.group() == g)),
            |o| o.obj.file,
        )
    }

    /// Whether an object of a kind with this name is in this namespace, whatever its group.
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&ObjectFact> {
        self.by_identity(kind, namespace, name)
            .first()
            .map(|i| &self.objects[*i as usize])
    }

    /// Groups of objects that share an identity (API group, kind, namespace, name), each
    /// group in file order.
    pub fn same_identity(&self) -> impl Iterator<Item = Vec<&ObjectFact>> + '_ {
        let mut groups: Vec<&[u32]> = self.by_kind_namespace_name.groups().filter(|v| v.len() > 1).collect();
        groups.sort_unstable();
        groups.into_iter().flat_map(move |v| {
            let mut by_group: BTreeMap<&str, Vec<&ObjectFact>> = BTreeMap::new();
            for i in v {
                let o = &self.objects[*i as usize];
                by_group.entry(o.group()).or_default().push(o);
            }
            by_group.into_values().filter(|g| g.len() > 1)
        })
    }

    /// Where a file is, as shown.
    pub fn display(&self, file: FileId) -> &str {
        self.files.get(file.0 as usize).map_or("", |m| &m.display)
    }

    /// When a reference resolved among equally close workloads, what a finding about one
    /// of them says: `; the reference is ambiguous: 2 Deployments named `web` in `default`
    /// are equally close (a.yaml, b.yaml); this is the one in b.yaml`.
    pub fn ambiguity(&self, r: &Resolved<'_, WorkloadFact>, this: &WorkloadFact) -> String {
        if r.ties.is_empty() {
            return String::new();
        }
        let files: Vec<&str> = r.candidates().map(|w| self.display(w.obj.file)).collect();
        format!(
            "; the reference is ambiguous: {} {}s named `{}` in `{}` are equally close ({}); this is the one in {}",
            files.len(),
            this.obj.kind,
            this.obj.name.as_deref().unwrap_or(""),
            this.namespace,
            files.join(", "),
            self.display(this.obj.file)
        )
    }

    /// How many objects of a kind are in this namespace (`None` for cluster-scoped).
    pub fn count(&self, kind: &str, namespace: Option<&str>) -> usize {
        let key = || {
            let ns = match namespace {
                Some(n) => Some(self.sym(n)?),
                None => None,
            };
            Some((self.sym(kind)?, ns))
        };
        key()
            .and_then(|k| self.count_by_kind_namespace.get(&k))
            .copied()
            .unwrap_or(0)
    }

    /// The workloads in a namespace.
    pub fn workloads_in<'a>(&'a self, namespace: &str) -> impl ExactSizeIterator<Item = &'a WorkloadFact> + 'a {
        self.workloads_by_namespace
            .get(namespace)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|i| &self.workloads[*i])
    }

    /// The workloads of a namespace whose pod-template labels match `selector`. A selector
    /// that requires a label is answered from the label index (no scan of the namespace).
    pub fn workloads_matching<'a>(
        &'a self,
        namespace: &str,
        selector: &'a Selector,
    ) -> impl Iterator<Item = &'a WorkloadFact> + 'a {
        self.workload_indices_matching(namespace, selector)
            .map(|i| &self.workloads[i])
    }

    /// Like [`Index::workloads_matching`], as indices into `workloads`.
    pub fn workload_indices_matching<'a>(
        &'a self,
        namespace: &str,
        selector: &'a Selector,
    ) -> impl Iterator<Item = usize> + 'a {
        // The fewest workloads that carry one of the pairs the selector requires (each
        // group lists its workloads in order, so the matches come in order whichever is
        // taken): a pair many selectors share (`app.kubernetes.io/instance` of a release) is
        // not scanned for each of them.
        let fewest = selector
            .required_pairs()
            .map(|(k, v)| self.workloads_by_label.get(&Triple(namespace, k, v)))
            .min_by_key(|group| group.len());
        let (by_label, in_namespace): (&[u32], &[usize]) = match fewest {
            Some(group) => (group, &[]),
            None => (
                &[],
                self.workloads_by_namespace.get(namespace).map_or(&[], Vec::as_slice),
            ),
        };
        by_label
            .iter()
            .map(|i| *i as usize)
            .chain(in_namespace.iter().copied())
            .filter(|i| selector.matches(&self.workloads[*i].template_labels))
    }

    /// The workload of a kind with this name in this namespace closest to the file `from`.
    /// A Rollout that runs a Deployment's template (`workloadRef`) resolves to that
    /// Deployment.
    pub fn workload_from(
        &self,
        from: FileId,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Resolved<'_, WorkloadFact>> {
        let key = Triple(kind, namespace, name);
        let all = self.workload_by_name.get(&key);
        if !all.is_empty() {
            return self.closest(from, all.iter().map(|i| &self.workloads[*i as usize]), |w| w.obj.file);
        }
        let refs = self
            .workload_refs_by_name
            .get(&key)
            .iter()
            .map(|i| &self.workload_refs[*i as usize]);
        let r = self.closest(from, refs, |r| r.obj.file)?.best;
        let all = self
            .workload_by_name
            .get(&Triple(&r.target_kind, namespace, &r.target_name));
        self.closest(r.obj.file, all.iter().map(|i| &self.workloads[*i as usize]), |w| {
            w.obj.file
        })
    }

    /// Every replicated controller of the set (workload-checks §1.4), in file order, the
    /// Rollouts that run another workload's template last. Those that set `spec.replicas: 0`
    /// are left out.
    pub fn replicated(&self) -> impl Iterator<Item = Replicated<'_>> + '_ {
        let own = self.workloads.iter().filter_map(|w| self.replicated_self(w));
        let runners = self.workload_refs.iter().filter_map(|r| self.replicated_ref(r));
        own.chain(runners).filter(|r| r.replicas.is_none_or(|(n, _)| n != 0))
    }

    /// The replicated controllers that keep the pods of this template running: the Rollouts
    /// that run it (`workloadRef`), else the workload itself. Empty for other kinds (Pods,
    /// DaemonSets, Jobs, DeploymentConfigs …).
    pub fn replicated_for<'a>(&'a self, w: &'a WorkloadFact) -> Vec<Replicated<'a>> {
        let mut runners: Vec<Replicated<'a>> = self
            .runners_of(w)
            .filter_map(|i| self.replicated_ref(&self.workload_refs[i]))
            .filter(|r| std::ptr::eq(r.template, w))
            .collect();
        if runners.is_empty() {
            runners.extend(self.replicated_self(w));
        }
        runners
    }

    /// The Rollouts of the set that run this workload's template, as indices into
    /// `workload_refs`.
    fn runners_of<'a>(&'a self, w: &WorkloadFact) -> impl Iterator<Item = usize> + 'a {
        let key = w.obj.name.as_ref().map(|n| Triple(&w.obj.kind, &w.namespace, n));
        key.map_or(&[][..], |k| self.workload_refs_by_target.get(&k))
            .iter()
            .map(|i| *i as usize)
    }

    /// A workload as a replicated controller of its own template, when its kind is one and
    /// no other controller (an owning Deployment, a Rollout that runs it) scales it.
    fn replicated_self<'a>(&'a self, w: &'a WorkloadFact) -> Option<Replicated<'a>> {
        let kind = &*w.obj.kind;
        if !REPLICATED_KINDS.contains(&kind)
            || (kind == "ReplicaSet" && w.controller.owned)
            || self.runners_of(w).next().is_some()
        {
            return None;
        }
        Some(Replicated {
            obj: &w.obj,
            namespace: &w.namespace,
            loc: w.loc,
            replicas: w.replicas,
            controller: &w.controller,
            template: w,
            hpa: self.lowest_hpa(&w.namespace, kind, w.obj.name.as_deref()?),
        })
    }

    /// A Rollout that runs another workload's template, when that workload is in the set
    /// (the closest one to the Rollout).
    fn replicated_ref<'a>(&'a self, r: &'a WorkloadRefFact) -> Option<Replicated<'a>> {
        let key = (r.target_kind.clone(), r.namespace.clone(), r.target_name.clone());
        let all = self.workload_by_name.get(&key);
        let template = self
            .closest(r.obj.file, all.iter().map(|i| &self.workloads[*i as usize]), |w| {
                w.obj.file
            })?
            .best;
        Some(Replicated {
            obj: &r.obj,
            namespace: &r.namespace,
            loc: r.loc,
            replicas: r.replicas,
            controller: &r.controller,
            template,
            hpa: self.lowest_hpa(&r.namespace, &r.kind, &r.name),
        })
    }

    /// Of the HPAs that scale this workload, the one with the lowest `minReplicas`.
    fn lowest_hpa(&self, namespace: &str, kind: &str, name: &str) -> Option<&HpaFact> {
        self.hpas_targeting(namespace, kind, name)
            .min_by_key(|h| h.min_replicas)
    }

    /// The HPAs that scale a workload of this kind and name in this namespace.
    pub fn hpas_targeting<'a>(
        &'a self,
        namespace: &str,
        kind: &str,
        name: &str,
    ) -> impl Iterator<Item = &'a HpaFact> + 'a {
        self.hpas_by_target
            .get(&Triple(namespace, kind, name))
            .iter()
            .map(|i| &self.hpas[*i as usize])
    }

    /// The HPA with this name in this namespace closest to the file `from`.
    pub fn hpa_from(&self, from: FileId, namespace: &str, name: &str) -> Option<Resolved<'_, HpaFact>> {
        let all = self.hpas_by_name.get(&Pair(namespace, name));
        self.closest(from, all.iter().map(|i| &self.hpas[*i as usize]), |h| h.obj.file)
    }

    /// The NetworkPolicies of a namespace.
    pub fn netpols_in<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a NetpolFact> + 'a {
        self.netpols_by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .map(|i| &self.netpols[*i])
    }

    /// A label of a namespace: `None` when the set does not declare the Namespace (its labels
    /// are unknown), `Some(None)` when it is declared without that label.
    pub fn namespace_label(&self, name: &str, key: &str) -> Option<Option<&str>> {
        self.namespaces.get(name).map(|ns| ns.labels.get(key))
    }

    /// Whether an Argo CD Application that syncs into `namespace` leaves `pointer` of the
    /// object (group, kind, name) in it alone on sync ([`ApplicationFact::ignores`]).
    pub fn gitops_ignores(&self, namespace: &str, group: &str, kind: &str, name: &str, pointer: &str) -> bool {
        self.applications_by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
            .any(|i| self.applications[*i].ignores(group, kind, namespace, name, pointer))
    }

    /// Whether `selector` matches namespace `name`: against its `Namespace` object's labels
    /// when the set declares it, else only the `kubernetes.io/metadata.name` label the
    /// control plane sets is known (three-valued, rule-families §0.4).
    pub fn namespace_matches(&self, name: &str, selector: &Selector) -> Tri {
        match self.namespace_labels.get(name) {
            Some(labels) => {
                if selector.matches(labels) {
                    Tri::Yes
                } else {
                    Tri::No
                }
            }
            None => {
                let labels = BTreeMap::from([(NAME_LABEL.to_string(), name.to_string())]);
                selector.matches_partial(&labels, |k| k == NAME_LABEL)
            }
        }
    }

    /// The namespaces of the set a namespace selector matches (`Yes`) or may match
    /// (`Unknown`: a namespace not declared in the set), computed once per distinct
    /// selector: a selector that requires a label pair is answered from the label index.
    pub fn namespaces_matching(&self, selector: &Selector) -> Arc<NamespaceSelection> {
        let key = selector.to_string();
        if let Some(found) = lock(&self.namespace_selections).get(&key) {
            return found.clone();
        }
        let mut selection = NamespaceSelection::default();
        let mut consider = |name: &Str| match self.namespace_matches(name, selector) {
            Tri::Yes => selection.yes.push(name.clone()),
            Tri::Unknown => selection.unknown.push(name.clone()),
            Tri::No => {}
        };
        match selector.required_pair() {
            Some((k, v)) => {
                let declared = (|| self.namespaces_by_label.get(&(self.sym(k)?, self.sym(v)?)))();
                declared.into_iter().flatten().for_each(&mut consider);
                // Namespaces not declared: only their name label is known (a selector of
                // one name is looked up, not tested against every namespace).
                if k == NAME_LABEL {
                    self.namespace_names
                        .get(v)
                        .filter(|n| !self.namespace_labels.contains_key(*n))
                        .into_iter()
                        .for_each(&mut consider);
                } else {
                    self.undeclared_namespaces.iter().for_each(&mut consider);
                }
            }
            None => self.namespace_names.iter().for_each(&mut consider),
        }
        selection.yes.sort();
        selection.unknown.sort();
        let selection = Arc::new(selection);
        lock(&self.namespace_selections).insert(key, selection.clone());
        selection
    }

    /// How many documents of a file could not be read as objects (a template, a syntax
    /// error): what they define is unknown to cross-object rules.
    pub fn unreadable_in(&self, file: FileId) -> usize {
        self.unreadable.get(&file).copied().unwrap_or(0)
    }

    /// The CustomResourceDefinitions of the set that define this kind of this API group.
    pub fn crds_for<'a>(&'a self, group: &str, kind: &str) -> impl Iterator<Item = &'a CrdFact> + 'a {
        self.crds_by_group_kind
            .get(&Pair(group, kind))
            .iter()
            .map(|i| &self.crds[*i as usize])
    }

    /// The Services of a namespace.
    pub fn services_in<'a>(&'a self, namespace: &str) -> impl ExactSizeIterator<Item = &'a ServiceFact> + 'a {
        self.services_by_namespace
            .get(namespace)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|i| &self.services[*i])
    }

    /// The Service with this name in this namespace closest to the file `from`.
    pub fn service_from(&self, from: FileId, namespace: &str, name: &str) -> Option<Resolved<'_, ServiceFact>> {
        let all = self.services_by_name.get(&Pair(namespace, name));
        self.closest(from, all.iter().map(|i| &self.services[*i as usize]), |s| s.obj.file)
    }

    /// The Services of a namespace that select pods with these labels, in file order: a
    /// Service's selector requires its first pair, so only Services keyed by one of the
    /// labels' pairs are candidates.
    pub fn services_selecting<'a>(
        &'a self,
        namespace: &'a Str,
        labels: &'a Labels,
    ) -> impl Iterator<Item = &'a ServiceFact> + 'a {
        let mut candidates: Vec<u32> = labels
            .iter()
            .flat_map(|(k, v)| self.services_by_pair.get(&Triple(namespace, k, v)))
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|i| &self.services[i as usize])
            .filter(|s| s.selects(labels))
    }

    /// The workloads of a namespace a Service selects (their template labels carry every
    /// pair of its selector), answered from the label index.
    pub fn workloads_selected_by<'a>(&'a self, svc: &'a ServiceFact) -> impl Iterator<Item = &'a WorkloadFact> + 'a {
        // The fewest workloads that carry one of its pairs (groups list them in order).
        let candidates: &[u32] = if svc.selects_pods() {
            svc.template_pairs()
                .map(|(k, v)| self.workloads_by_label.get(&Triple(&svc.namespace, k, v)))
                .min_by_key(|group| group.len())
                .unwrap_or(&[])
        } else {
            &[]
        };
        candidates
            .iter()
            .map(|i| &self.workloads[*i as usize])
            .filter(|w| svc.selects(&w.template_labels))
    }

    /// The PodDisruptionBudgets of a namespace whose selector matches these pod labels.
    pub fn pdbs_selecting<'a>(
        &'a self,
        namespace: &'a Str,
        labels: &'a Labels,
    ) -> impl Iterator<Item = &'a PdbFact> + 'a {
        let mut candidates: Vec<usize> = labels
            .iter()
            .flat_map(|(k, v)| self.pdbs_by_label.get(&Triple(namespace, k, v)))
            .map(|i| *i as usize)
            .chain(self.pdbs_without_pair.get(namespace).into_iter().flatten().copied())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|i| &self.pdbs[i])
            .filter(|p| p.selector.matches(labels))
    }
}
