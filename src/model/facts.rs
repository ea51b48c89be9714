//! Compact facts kept from every object for the cross-object phase, and the index built
//! from them once. Cross-object rules are lookups in the index, never scans of all pairs.
//! Facts hold resolved locations, so no tree outlives its file's processing.

use super::gitops::{ApplicationFact, CanaryFact};
use super::imagepolicy::ImagePolicyFact;
use super::kinds::Typed;
use super::netpol::NetpolFact;
use super::object::{Object, ObjectRef};
use super::scaling::{HpaFact, HpaView, PdbFact};
use super::secretrefs::{SpcRefFact, StoreRefFact};
use super::selector::{Selector, Tri};
use super::views::ContainerKind;
use super::views::Workload;
use crate::source::{FileId, Loc, Route, Tree, grip};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Every object: identity, effective namespace, labels.
#[derive(Debug, Clone)]
pub struct ObjectFact {
    pub obj: Arc<ObjectRef>,
    /// The API group, with legacy groups read as today's (`extensions` Deployments are
    /// `apps`), so that two writings of one object share an identity.
    pub group: String,
    /// Effective namespace; `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    /// The object's grip: its `metadata.name` entry, else its `kind` entry.
    pub loc: Loc,
}

/// A `Namespace` object of the set.
#[derive(Debug, Clone)]
pub struct NamespaceFact {
    pub name: String,
    pub labels: BTreeMap<String, String>,
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
    pub namespace: String,
    /// The pod template's labels (what selectors match), not the controller's.
    pub template_labels: BTreeMap<String, String>,
    /// The template's `labels` key, else the nearest existing ancestor.
    pub labels_loc: Loc,
    /// The object's grip (its `metadata.name` entry).
    pub loc: Loc,
    pub containers: Vec<ContainerFact>,
    /// `spec.hostNetwork: true`.
    pub host_network: bool,
    /// `spec.replicas` as written, with its location.
    pub replicas: Option<(i32, Loc)>,
    /// The controller's `spec.selector.matchLabels`.
    pub selector_labels: BTreeMap<String, String>,
    /// The `spec.selector` entry (or the nearest existing parent).
    pub selector_loc: Loc,
}

impl WorkloadFact {
    /// `Kind/name`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.obj.kind, self.obj.name.as_deref().unwrap_or("<unnamed>"))
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
    pub name: Option<String>,
    pub port: i32,
    pub protocol: String,
}

#[derive(Debug, Clone)]
pub struct ContainerFact {
    pub name: String,
    pub image: Option<String>,
    /// The `image` entry, else the container's grip.
    pub image_loc: Loc,
    pub ports: Vec<PortDecl>,
    pub kind: ContainerKind,
    /// An init container with `restartPolicy: Always` (a native sidecar).
    pub sidecar: bool,
    /// Resources with a request, or a limit (requests default to limits).
    pub requested: BTreeSet<String>,
    /// The container's grip.
    pub loc: Loc,
}

/// The facts of one file.
#[derive(Debug, Default)]
pub struct FileFacts {
    pub objects: Vec<ObjectFact>,
    pub namespaces: Vec<NamespaceFact>,
    pub workloads: Vec<WorkloadFact>,
    pub netpols: Vec<NetpolFact>,
    pub hpas: Vec<HpaFact>,
    pub pdbs: Vec<PdbFact>,
    /// (namespace, resources with a container default request or limit) of LimitRanges.
    pub limit_ranges: Vec<(String, BTreeSet<String>)>,
    pub canaries: Vec<CanaryFact>,
    pub applications: Vec<ApplicationFact>,
    pub image_policies: Vec<ImagePolicyFact>,
    pub store_refs: Vec<StoreRefFact>,
    pub spc_refs: Vec<SpcRefFact>,
    pub workload_refs: Vec<WorkloadRefFact>,
}

/// A workload that runs another's pod template: an Argo `Rollout` with `spec.workloadRef`
/// (to a Deployment) instead of a template of its own.
#[derive(Debug, Clone)]
pub struct WorkloadRefFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub target_kind: String,
    pub target_name: String,
}

impl FileFacts {
    /// Records the facts of one object.
    pub fn add(&mut self, file: FileId, tree: &Tree<'_>, obj: &Object, oref: &Arc<ObjectRef>, default_namespace: &str) {
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
        if obj.kind == "Namespace" && obj.api_version == "v1" {
            if let Some(name) = obj.name() {
                self.namespaces.push(NamespaceFact {
                    name: name.to_string(),
                    labels: obj.labels().cloned().unwrap_or_default(),
                    obj: oref.clone(),
                    loc,
                    labels_loc: at(&Route::root().keys(&["metadata", "labels"])),
                });
            }
        }
        let namespace = obj.namespace(default_namespace).map(str::to_string);
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
                    let requested = resources
                        .iter()
                        .flat_map(|r| r.requests.iter().flatten().chain(r.limits.iter().flatten()))
                        .map(|(k, _)| k.clone())
                        .collect();
                    ContainerFact {
                        kind: c.kind,
                        sidecar: c.kind == ContainerKind::Init
                            && c.container.restart_policy.as_deref() == Some("Always"),
                        requested,
                        loc: Loc {
                            file,
                            span: grip(tree, c.route.walk(tree, obj.root).node),
                        },
                        name: c.name().to_string(),
                        image: c.container.image.clone(),
                        image_loc,
                        ports: c
                            .container
                            .ports
                            .iter()
                            .flatten()
                            .map(|p| PortDecl {
                                name: p.name.clone(),
                                port: p.container_port,
                                protocol: p.protocol.clone().unwrap_or_else(|| "TCP".to_string()),
                            })
                            .collect(),
                    }
                })
                .collect();
            self.spc_refs.extend(SpcRefFact::of(&w, obj, tree, file, oref, ns));
            self.workloads.push(WorkloadFact {
                obj: oref.clone(),
                namespace: ns.clone(),
                template_labels: w.meta.and_then(|m| m.labels.clone()).unwrap_or_default(),
                labels_loc: at(&w.labels_route()),
                loc,
                containers,
                host_network: w.spec.host_network == Some(true),
                replicas: replicas(obj).map(|r| (r, at(&Route::root().keys(&["spec", "replicas"])))),
                selector_labels: selector_labels(obj),
                selector_loc: at(&Route::root().keys(&["spec", "selector"])),
            });
        }
        match &obj.typed {
            Typed::KyvernoClusterPolicy(p) => self
                .image_policies
                .extend(ImagePolicyFact::kyverno(obj, p, tree, file, oref, None)),
            Typed::ImageValidatingPolicy(p) => self.image_policies.push(ImagePolicyFact::ivp(obj, p, tree, file, oref)),
            Typed::ClusterImagePolicy(p) => self.image_policies.push(ImagePolicyFact::cip(obj, p, tree, file, oref)),
            _ => {}
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
                    self.pdbs.push(PdbFact {
                        obj: oref.clone(),
                        namespace: ns.clone(),
                        name: obj.name().unwrap_or("<unnamed>").to_string(),
                        // A PDB without a selector selects nothing.
                        selector: spec
                            .selector
                            .as_ref()
                            .map(|s| Selector::new(s, |i| at(&sel_route.key("matchExpressions").index(i))))
                            .unwrap_or_else(Selector::nothing),
                        min_available: spec.min_available.clone(),
                        max_unavailable: spec.max_unavailable.clone(),
                        loc: at(&Route::root().keys(&["spec", field])),
                    });
                }
                Typed::LimitRange(l) => {
                    let defaults = l
                        .spec
                        .iter()
                        .flat_map(|s| s.limits.iter())
                        .filter(|i| i.type_ == "Container")
                        .flat_map(|i| i.default_request.iter().flatten().chain(i.default.iter().flatten()))
                        .map(|(k, _)| k.clone())
                        .collect();
                    self.limit_ranges.push((ns.clone(), defaults));
                }
                Typed::Canary(c) => self
                    .canaries
                    .push(CanaryFact::new(obj, c, tree, file, oref, ns.clone())),
                Typed::Application(a) => self.applications.push(ApplicationFact::new(obj, a, oref)),
                Typed::KyvernoPolicy(p) => {
                    self.image_policies
                        .extend(ImagePolicyFact::kyverno(obj, p, tree, file, oref, Some(ns.clone())))
                }
                _ => {}
            }
            if let Some(view) = HpaView::of(obj) {
                self.hpas.push(HpaFact::new(obj, &view, tree, file, oref, ns.clone()));
            }
        }
        self.store_refs
            .extend(StoreRefFact::of(obj, tree, file, oref, namespace.as_deref()));
        if let (Typed::Rollout(r), Some(ns), Some(name)) = (&obj.typed, &namespace, obj.name()) {
            let spec = r.spec.as_ref();
            if let Some(t) = spec
                .filter(|s| s.template.is_none())
                .and_then(|s| s.workload_ref.as_ref())
            {
                self.workload_refs.push(WorkloadRefFact {
                    obj: oref.clone(),
                    namespace: ns.clone(),
                    kind: obj.kind.clone(),
                    name: name.to_string(),
                    target_kind: t.kind.clone().unwrap_or_else(|| "Deployment".to_string()),
                    target_name: t.name.clone().unwrap_or_default(),
                });
            }
        }
        if let (Typed::NetworkPolicy(np), Some(ns)) = (&obj.typed, &namespace) {
            self.netpols
                .push(NetpolFact::new(obj, np, tree, file, oref, ns.clone()));
        }
        self.objects.push(ObjectFact {
            obj: oref.clone(),
            group: super::kinds::canonical_group(super::kinds::group_of(&obj.api_version), &obj.kind).to_string(),
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
fn selector_labels(obj: &Object) -> BTreeMap<String, String> {
    let labels = match &obj.typed {
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
    };
    labels.cloned().unwrap_or_default()
}

/// Where a file of the run sits, to tell apart objects that share an identity: a reference
/// resolves to the candidate closest to the object that makes it.
#[derive(Debug, Clone, Default)]
pub struct FileMeta {
    /// The directory's components (of the overlay, for a rendered kustomization).
    pub dir: Vec<String>,
    /// The file as shown.
    pub display: String,
}

impl FileMeta {
    /// `dir` is the directory as shown (`deploy/base`, `.` or empty for the working
    /// directory).
    pub fn new(display: &str, dir: &str) -> FileMeta {
        FileMeta {
            dir: dir
                .split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .map(str::to_string)
                .collect(),
            display: display.to_string(),
        }
    }
}

/// The label the control plane sets on every namespace.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The namespaces a selector matches, and those it may match (not declared in the set).
#[derive(Debug, Default)]
pub struct NamespaceSelection {
    pub yes: Vec<String>,
    pub unknown: Vec<String>,
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

/// Everything the cross-object phase knows, indexed once.
#[derive(Debug, Default)]
pub struct Index {
    /// The run's files, by [`FileId`].
    pub files: Vec<FileMeta>,
    pub objects: Vec<ObjectFact>,
    pub workloads: Vec<WorkloadFact>,
    /// `Namespace` objects by name (the first one in file order when repeated).
    pub namespaces: BTreeMap<String, NamespaceFact>,
    /// Workloads by effective namespace, as indices into `workloads`.
    pub workloads_by_namespace: BTreeMap<String, Vec<usize>>,
    /// Objects by (kind, effective namespace, name), as indices into `objects`, every
    /// object of that identity in file order (a repository may hold several).
    by_kind_namespace_name: HashMap<(String, Option<String>, String), Vec<usize>>,
    /// How many objects of a kind each namespace holds.
    count_by_kind_namespace: HashMap<(String, Option<String>), usize>,
    /// Every namespace something lives in or that a `Namespace` object declares.
    pub namespace_names: std::collections::BTreeSet<String>,
    /// The labels of each declared namespace as selectors see them (with the
    /// `kubernetes.io/metadata.name` label the control plane sets), computed once.
    namespace_labels: HashMap<String, BTreeMap<String, String>>,
    /// Declared namespaces by label pair, for selector lookups.
    namespaces_by_label: HashMap<(String, String), Vec<String>>,
    /// Namespaces each distinct namespace selector matches, computed once per selector.
    namespace_selections: std::sync::Mutex<HashMap<String, Arc<NamespaceSelection>>>,
    pub netpols: Vec<NetpolFact>,
    /// NetworkPolicies by namespace, as indices into `netpols`.
    pub netpols_by_namespace: BTreeMap<String, Vec<usize>>,
    /// Workloads by (namespace, label key, label value), for selector lookups.
    workloads_by_label: HashMap<(String, String, String), Vec<usize>>,
    /// Workloads by (kind, namespace, name), every one of that identity in file order.
    workload_by_name: HashMap<(String, String, String), Vec<usize>>,
    /// Workloads that run another's template (Rollouts with a `workloadRef`), by (kind,
    /// namespace, name).
    workload_refs: HashMap<(String, String, String), Vec<WorkloadRefFact>>,
    pub hpas: Vec<HpaFact>,
    /// HPAs by (namespace, target kind, target name), as indices into `hpas`.
    pub hpas_by_target: BTreeMap<(String, String, String), Vec<usize>>,
    /// HPAs by (namespace, name).
    hpas_by_name: HashMap<(String, String), Vec<usize>>,
    pub pdbs: Vec<PdbFact>,
    /// PodDisruptionBudgets by (namespace, a label pair their selector requires), and those
    /// whose selector requires no single pair, by namespace.
    pdbs_by_label: HashMap<(String, String, String), Vec<usize>>,
    pdbs_without_pair: HashMap<String, Vec<usize>>,
    /// Resources with a container default in a LimitRange of the namespace.
    pub limit_range_defaults: HashMap<String, BTreeSet<String>>,
    pub canaries: Vec<CanaryFact>,
    pub applications: Vec<ApplicationFact>,
    pub image_policies: Vec<ImagePolicyFact>,
    pub store_refs: Vec<StoreRefFact>,
    pub spc_refs: Vec<SpcRefFact>,
}

impl Index {
    /// Builds the index from per-file facts given in file order, and where each file of
    /// the run sits.
    pub fn build(facts_of_files: Vec<FileFacts>, files: Vec<FileMeta>) -> Index {
        let mut index = Index {
            files,
            ..Index::default()
        };
        for facts in facts_of_files {
            for ns in facts.namespaces {
                index.namespace_names.insert(ns.name.clone());
                index.namespaces.entry(ns.name.clone()).or_insert(ns);
            }
            for w in facts.workloads {
                let i = index.workloads.len();
                if let Some(name) = &w.obj.name {
                    index
                        .workload_by_name
                        .entry((w.obj.kind.clone(), w.namespace.clone(), name.clone()))
                        .or_default()
                        .push(i);
                }
                index
                    .workloads_by_namespace
                    .entry(w.namespace.clone())
                    .or_default()
                    .push(i);
                for (k, v) in &w.template_labels {
                    index
                        .workloads_by_label
                        .entry((w.namespace.clone(), k.clone(), v.clone()))
                        .or_default()
                        .push(i);
                }
                index.workloads.push(w);
            }
            for h in facts.hpas {
                index
                    .hpas_by_name
                    .entry((h.namespace.clone(), h.name.clone()))
                    .or_default()
                    .push(index.hpas.len());
                index
                    .hpas_by_target
                    .entry((h.namespace.clone(), h.target.kind.clone(), h.target.name.clone()))
                    .or_default()
                    .push(index.hpas.len());
                index.hpas.push(h);
            }
            for p in facts.pdbs {
                let i = index.pdbs.len();
                match p.selector.required_pair() {
                    Some((k, v)) => index
                        .pdbs_by_label
                        .entry((p.namespace.clone(), k.to_string(), v.to_string()))
                        .or_default()
                        .push(i),
                    None => index.pdbs_without_pair.entry(p.namespace.clone()).or_default().push(i),
                }
                index.pdbs.push(p);
            }
            for (ns, defaults) in facts.limit_ranges {
                index.limit_range_defaults.entry(ns).or_default().extend(defaults);
            }
            index.canaries.extend(facts.canaries);
            index.applications.extend(facts.applications);
            index.image_policies.extend(facts.image_policies);
            index.store_refs.extend(facts.store_refs);
            for r in facts.workload_refs {
                index
                    .workload_refs
                    .entry((r.kind.clone(), r.namespace.clone(), r.name.clone()))
                    .or_default()
                    .push(r);
            }
            index.spc_refs.extend(facts.spc_refs);
            for p in facts.netpols {
                index.namespace_names.insert(p.namespace.clone());
                index
                    .netpols_by_namespace
                    .entry(p.namespace.clone())
                    .or_default()
                    .push(index.netpols.len());
                index.netpols.push(p);
            }
            for o in facts.objects {
                if let Some(ns) = &o.namespace {
                    index.namespace_names.insert(ns.clone());
                }
                *index
                    .count_by_kind_namespace
                    .entry((o.obj.kind.clone(), o.namespace.clone()))
                    .or_default() += 1;
                if let Some(name) = &o.obj.name {
                    index
                        .by_kind_namespace_name
                        .entry((o.obj.kind.clone(), o.namespace.clone(), name.clone()))
                        .or_default()
                        .push(index.objects.len());
                }
                index.objects.push(o);
            }
        }
        for (name, ns) in &index.namespaces {
            let mut labels = ns.labels.clone();
            labels.insert(NAME_LABEL.to_string(), name.clone());
            for (k, v) in &labels {
                index
                    .namespaces_by_label
                    .entry((k.clone(), v.clone()))
                    .or_default()
                    .push(name.clone());
            }
            index.namespace_labels.insert(name.clone(), labels);
        }
        index
    }

    /// How close a file is to the file `from`: the same file (or kustomize render) first,
    /// then by the number of leading directory components they share.
    fn closeness(&self, from: FileId, to: FileId) -> (bool, usize) {
        let dir = |f: FileId| self.files.get(f.0 as usize).map_or(&[][..], |m| m.dir.as_slice());
        let (a, b) = (dir(from), dir(to));
        (from == to, a.iter().zip(b).take_while(|(x, y)| x == y).count())
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
        let all =
            self.by_kind_namespace_name
                .get(&(kind.to_string(), namespace.map(str::to_string), name.to_string()))?;
        self.closest(
            from,
            all.iter()
                .map(|i| &self.objects[*i])
                .filter(|o| group.is_none_or(|g| o.group == g)),
            |o| o.obj.file,
        )
    }

    /// Whether an object of a kind with this name is in this namespace, whatever its group.
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&ObjectFact> {
        self.by_kind_namespace_name
            .get(&(kind.to_string(), namespace.map(str::to_string), name.to_string()))
            .and_then(|v| v.first())
            .map(|i| &self.objects[*i])
    }

    /// Groups of objects that share an identity (API group, kind, namespace, name), each
    /// group in file order.
    pub fn same_identity(&self) -> impl Iterator<Item = Vec<&ObjectFact>> + '_ {
        let mut groups: Vec<&Vec<usize>> = self.by_kind_namespace_name.values().filter(|v| v.len() > 1).collect();
        groups.sort_unstable();
        groups.into_iter().flat_map(move |v| {
            let mut by_group: BTreeMap<&str, Vec<&ObjectFact>> = BTreeMap::new();
            for i in v {
                let o = &self.objects[*i];
                by_group.entry(o.group.as_str()).or_default().push(o);
            }
            by_group.into_values().filter(|g| g.len() > 1)
        })
    }

    /// Where a file is, as shown.
    pub fn display(&self, file: FileId) -> &str {
        self.files.get(file.0 as usize).map_or("", |m| m.display.as_str())
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
        self.count_by_kind_namespace
            .get(&(kind.to_string(), namespace.map(str::to_string)))
            .copied()
            .unwrap_or(0)
    }

    /// The workloads in a namespace.
    pub fn workloads_in<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a WorkloadFact> + 'a {
        self.workloads_by_namespace
            .get(namespace)
            .into_iter()
            .flatten()
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
        let candidates: &[usize] = match selector.required_pair() {
            Some((k, v)) => self
                .workloads_by_label
                .get(&(namespace.to_string(), k.to_string(), v.to_string()))
                .map_or(&[], Vec::as_slice),
            None => self.workloads_by_namespace.get(namespace).map_or(&[], Vec::as_slice),
        };
        candidates
            .iter()
            .copied()
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
        let key = (kind.to_string(), namespace.to_string(), name.to_string());
        if let Some(all) = self.workload_by_name.get(&key) {
            return self.closest(from, all.iter().map(|i| &self.workloads[*i]), |w| w.obj.file);
        }
        let r = self.closest(from, self.workload_refs.get(&key)?, |r| r.obj.file)?.best;
        let target = (r.target_kind.clone(), namespace.to_string(), r.target_name.clone());
        let all = self.workload_by_name.get(&target)?;
        self.closest(r.obj.file, all.iter().map(|i| &self.workloads[*i]), |w| w.obj.file)
    }

    /// The HPA with this name in this namespace closest to the file `from`.
    pub fn hpa_from(&self, from: FileId, namespace: &str, name: &str) -> Option<Resolved<'_, HpaFact>> {
        let all = self.hpas_by_name.get(&(namespace.to_string(), name.to_string()))?;
        self.closest(from, all.iter().map(|i| &self.hpas[*i]), |h| h.obj.file)
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
        self.namespaces
            .get(name)
            .map(|ns| ns.labels.get(key).map(String::as_str))
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
        let mut consider = |name: &String| match self.namespace_matches(name, selector) {
            Tri::Yes => selection.yes.push(name.clone()),
            Tri::Unknown => selection.unknown.push(name.clone()),
            Tri::No => {}
        };
        match selector.required_pair() {
            Some((k, v)) => {
                let declared = self.namespaces_by_label.get(&(k.to_string(), v.to_string()));
                declared.into_iter().flatten().for_each(&mut consider);
                // Namespaces not declared: only their name label is known.
                self.namespace_names
                    .iter()
                    .filter(|n| !self.namespace_labels.contains_key(*n))
                    .filter(|n| k != NAME_LABEL || n.as_str() == v)
                    .for_each(&mut consider);
            }
            None => self.namespace_names.iter().for_each(&mut consider),
        }
        selection.yes.sort();
        selection.unknown.sort();
        let selection = Arc::new(selection);
        lock(&self.namespace_selections).insert(key, selection.clone());
        selection
    }

    /// The PodDisruptionBudgets of a namespace whose selector matches these pod labels.
    pub fn pdbs_selecting<'a>(
        &'a self,
        namespace: &'a str,
        labels: &'a BTreeMap<String, String>,
    ) -> impl Iterator<Item = &'a PdbFact> + 'a {
        let mut candidates: Vec<usize> = labels
            .iter()
            .filter_map(|(k, v)| self.pdbs_by_label.get(&(namespace.to_string(), k.clone(), v.clone())))
            .flatten()
            .chain(self.pdbs_without_pair.get(namespace).into_iter().flatten())
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .map(|i| &self.pdbs[i])
            .filter(|p| p.selector.matches(labels))
    }
}
