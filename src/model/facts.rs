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
        if let (Typed::NetworkPolicy(np), Some(ns)) = (&obj.typed, &namespace) {
            self.netpols
                .push(NetpolFact::new(obj, np, tree, file, oref, ns.clone()));
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
        _ => None,
    };
    labels.cloned().unwrap_or_default()
}

/// Everything the cross-object phase knows, indexed once.
#[derive(Debug, Default)]
pub struct Index {
    pub objects: Vec<ObjectFact>,
    pub workloads: Vec<WorkloadFact>,
    /// `Namespace` objects by name (the first one in file order when repeated).
    pub namespaces: BTreeMap<String, NamespaceFact>,
    /// Workloads by effective namespace, as indices into `workloads`.
    pub workloads_by_namespace: BTreeMap<String, Vec<usize>>,
    /// Objects by (kind, effective namespace, name), as indices into `objects`.
    by_kind_namespace_name: HashMap<(String, Option<String>, String), usize>,
    /// How many objects of a kind each namespace holds.
    count_by_kind_namespace: HashMap<(String, Option<String>), usize>,
    /// Every namespace something lives in or that a `Namespace` object declares.
    pub namespace_names: std::collections::BTreeSet<String>,
    pub netpols: Vec<NetpolFact>,
    /// NetworkPolicies by namespace, as indices into `netpols`.
    pub netpols_by_namespace: BTreeMap<String, Vec<usize>>,
    /// Workloads by (namespace, label key, label value), for selector lookups.
    workloads_by_label: HashMap<(String, String, String), Vec<usize>>,
    /// Workloads by (kind, namespace, name).
    workload_by_name: HashMap<(String, String, String), usize>,
    pub hpas: Vec<HpaFact>,
    /// HPAs by (namespace, target kind, target name), as indices into `hpas`.
    pub hpas_by_target: BTreeMap<(String, String, String), Vec<usize>>,
    pub pdbs: Vec<PdbFact>,
    /// Resources with a container default in a LimitRange of the namespace.
    pub limit_range_defaults: HashMap<String, BTreeSet<String>>,
    pub canaries: Vec<CanaryFact>,
    pub applications: Vec<ApplicationFact>,
    pub image_policies: Vec<ImagePolicyFact>,
    pub store_refs: Vec<StoreRefFact>,
    pub spc_refs: Vec<SpcRefFact>,
}

impl Index {
    /// Builds the index from per-file facts given in file order.
    pub fn build(files: Vec<FileFacts>) -> Index {
        let mut index = Index::default();
        for facts in files {
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
                        .or_insert(i);
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
                    .hpas_by_target
                    .entry((h.namespace.clone(), h.target.kind.clone(), h.target.name.clone()))
                    .or_default()
                    .push(index.hpas.len());
                index.hpas.push(h);
            }
            index.pdbs.extend(facts.pdbs);
            for (ns, defaults) in facts.limit_ranges {
                index.limit_range_defaults.entry(ns).or_default().extend(defaults);
            }
            index.canaries.extend(facts.canaries);
            index.applications.extend(facts.applications);
            index.image_policies.extend(facts.image_policies);
            index.store_refs.extend(facts.store_refs);
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
                        .or_insert(index.objects.len());
                }
                index.objects.push(o);
            }
        }
        index
    }

    /// The object of a kind with this name, in this namespace (`None` for cluster-scoped).
    pub fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&ObjectFact> {
        self.by_kind_namespace_name
            .get(&(kind.to_string(), namespace.map(str::to_string), name.to_string()))
            .map(|i| &self.objects[*i])
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

    /// The workload of a kind with this name in this namespace.
    pub fn workload(&self, kind: &str, namespace: &str, name: &str) -> Option<&WorkloadFact> {
        self.workload_by_name
            .get(&(kind.to_string(), namespace.to_string(), name.to_string()))
            .map(|i| &self.workloads[*i])
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
        const NAME_LABEL: &str = "kubernetes.io/metadata.name";
        match self.namespaces.get(name) {
            Some(ns) => {
                let mut labels = ns.labels.clone();
                labels.insert(NAME_LABEL.to_string(), name.to_string());
                if selector.matches(&labels) { Tri::Yes } else { Tri::No }
            }
            None => {
                let labels = BTreeMap::from([(NAME_LABEL.to_string(), name.to_string())]);
                selector.matches_partial(&labels, |k| k == NAME_LABEL)
            }
        }
    }
}
