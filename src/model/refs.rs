//! References by name between objects, for the `ref-*` rules (workload-checks.md §2): what
//! pod templates read (ConfigMaps, Secrets, claims, priority classes), what provides
//! ConfigMaps and Secrets (§0.5), Ingress backends and TLS Secrets, StatefulSet governing
//! Services, Prometheus Operator monitors, Argo Rollout Services and storage classes. Read
//! from the tree (most of these kinds are custom resources), kept compact, and indexed once.

use super::intern::{Interner, Pair, PairMap, Str, Triple};
use super::object::{Object, ObjectRef};
use super::selector::Selector;
use super::services::ServiceFact;
use super::views::Workload;
use crate::source::resolve::Value;
use crate::source::{FileId, Loc, NodeId, Tree, Walk, grip};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    ConfigMap,
    Secret,
    /// `imagePullSecrets[].name`.
    PullSecret,
    /// `persistentVolumeClaim.claimName`.
    Claim,
    PriorityClass,
    StorageClass,
    /// An Argo Rollout's stable, canary, active or preview Service.
    RolloutService,
}

/// A reference by name, with the keys it reads.
#[derive(Debug, Clone)]
pub struct RefFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub target: Target,
    pub name: Str,
    /// The entry that holds the name.
    pub loc: Loc,
    /// Keys read (`*KeyRef.key`, volume `items[].key`), each with its entry.
    pub keys: Box<[(Str, Loc)]>,
    /// `optional: true`.
    pub optional: bool,
    /// The field that holds the reference, for messages (`stableService`).
    pub field: &'static str,
}

/// An object that provides a ConfigMap or a Secret of a name (§0.5).
#[derive(Debug, Clone)]
pub struct ProviderFact {
    pub obj: Arc<ObjectRef>,
    /// `Target::ConfigMap` or `Target::Secret`.
    pub target: Target,
    pub namespace: Str,
    pub name: Str,
    /// The keys it provides, sorted; `None` when they are unknown.
    pub keys: Option<Box<[Str]>>,
    /// Where the provided name is written (else the object's grip).
    pub loc: Loc,
}

impl ProviderFact {
    /// Whether it provides `key` (`true` when its keys are unknown).
    pub fn may_have(&self, key: &str) -> bool {
        self.keys.as_ref().is_none_or(|k| k.iter().any(|x| &**x == key))
    }
}

/// A backend port of an Ingress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendPort {
    Number(i64),
    Name(Str),
}

impl std::fmt::Display for BackendPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackendPort::Number(n) => write!(f, "{n}"),
            BackendPort::Name(n) => write!(f, "{n}"),
        }
    }
}

/// An Ingress backend that names a Service.
#[derive(Debug, Clone)]
pub struct BackendFact {
    pub service: Str,
    pub port: Option<BackendPort>,
    /// `None` for `spec.defaultBackend`.
    pub host: Option<Str>,
    pub path: Option<Str>,
    pub default: bool,
    /// The `backend.service` entry.
    pub loc: Loc,
}

/// A `networking.k8s.io/v1` Ingress: its Service backends and TLS Secrets.
#[derive(Debug, Clone)]
pub struct IngressFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    pub backends: Box<[BackendFact]>,
    /// `tls[].secretName`, each with its entry.
    pub tls: Box<[(Str, Loc)]>,
}

/// A StatefulSet's `spec.serviceName`.
#[derive(Debug, Clone)]
pub struct StatefulSetFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    pub service: Str,
    /// The `spec.serviceName` entry.
    pub loc: Loc,
}

/// The namespaces a monitor looks in.
#[derive(Debug, Clone)]
pub enum MonitorScope {
    /// Absent or empty `namespaceSelector`: the monitor's own namespace.
    Own,
    /// `any: true`.
    Any,
    /// `matchNames`.
    Names(Box<[Str]>),
}

/// A Prometheus Operator `ServiceMonitor` or `PodMonitor`.
#[derive(Debug, Clone)]
pub struct MonitorFact {
    pub obj: Arc<ObjectRef>,
    pub namespace: Str,
    pub name: Str,
    /// A `PodMonitor` (its selector matches pod template labels).
    pub pod: bool,
    pub scope: MonitorScope,
    pub selector: Selector,
    /// The `spec.selector` entry, else the nearest existing parent.
    pub selector_loc: Loc,
    /// `endpoints[].port` (Service port names) or `podMetricsEndpoints[].port` (container
    /// port names), each with its entry.
    pub ports: Box<[(Str, Loc)]>,
}

/// The reference facts of one file, or of the whole set.
#[derive(Debug, Default, Clone)]
pub struct RefFacts {
    pub refs: Vec<RefFact>,
    pub providers: Vec<ProviderFact>,
    pub ingresses: Vec<IngressFact>,
    pub statefulsets: Vec<StatefulSetFact>,
    pub monitors: Vec<MonitorFact>,
}

/// ConfigMaps the control plane publishes in every namespace.
pub const BUILTIN_CONFIGMAPS: &[&str] = &["kube-root-ca.crt", "openshift-service-ca.crt"];

/// Reads a few fields of a document: values, and the locations of entries.
struct Reader<'a, 't> {
    tree: &'a Tree<'t>,
    file: FileId,
}

impl<'a> Reader<'a, '_> {
    fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        if !self.tree.is_map(map) {
            return None;
        }
        self.tree.get(map, key)
    }

    fn path(&self, mut node: NodeId, keys: &[&str]) -> Option<NodeId> {
        for k in keys {
            node = self.get(node, k)?;
        }
        Some(node)
    }

    /// A non-empty string value.
    fn str(&self, map: NodeId, key: &str) -> Option<&'a str> {
        self.get(map, key)
            .and_then(|v| self.tree.str(v))
            .filter(|s| !s.is_empty())
    }

    fn items(&self, map: NodeId, key: &str) -> &'a [NodeId] {
        self.get(map, key).map_or(&[], |v| self.tree.items(v))
    }

    fn is_true(&self, map: NodeId, key: &str) -> bool {
        matches!(
            self.get(map, key).and_then(|v| self.tree.value(v)),
            Some(Value::Bool(true))
        )
    }

    /// The `key: value` entry of a mapping, as findings underline it.
    fn entry(&self, map: NodeId, key: &str) -> Option<Loc> {
        let (k, v) = self.tree.get_entry(map, key)?;
        Some(Loc {
            file: self.file,
            span: Walk {
                node: v,
                key: Some(k),
                matched: 1,
            }
            .span(self.tree),
        })
    }

    /// The entry of `key`, else the grip of `map`.
    fn entry_or(&self, map: NodeId, key: &str) -> Loc {
        self.entry(map, key).unwrap_or_else(|| self.grip(map))
    }

    fn grip(&self, node: NodeId) -> Loc {
        Loc {
            file: self.file,
            span: grip(self.tree, node),
        }
    }

    /// The keys of a mapping value.
    fn keys(&self, map: NodeId, key: &str) -> Vec<&'a str> {
        let Some(m) = self.get(map, key).filter(|m| self.tree.is_map(*m)) else {
            return Vec::new();
        };
        self.tree.entries(m).filter_map(|(k, _)| self.tree.key_str(k)).collect()
    }

    /// A `LabelSelector` written at `node`.
    fn label_selector(&self, node: NodeId) -> LabelSelector {
        let match_labels: BTreeMap<String, String> = self
            .get(node, "matchLabels")
            .filter(|m| self.tree.is_map(*m))
            .map(|m| {
                self.tree
                    .entries(m)
                    .filter_map(|(k, v)| Some((self.tree.key_str(k)?.to_string(), self.tree.text(v)?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let exprs: Vec<LabelSelectorRequirement> = self
            .items(node, "matchExpressions")
            .iter()
            .map(|e| LabelSelectorRequirement {
                key: self.str(*e, "key").unwrap_or_default().to_string(),
                operator: self.str(*e, "operator").unwrap_or_default().to_string(),
                values: self.get(*e, "values").map(|v| {
                    self.tree
                        .items(v)
                        .iter()
                        .filter_map(|x| self.tree.text(*x).map(str::to_string))
                        .collect()
                }),
            })
            .collect();
        LabelSelector {
            match_labels: (!match_labels.is_empty()).then_some(match_labels),
            match_expressions: (!exprs.is_empty()).then_some(exprs),
        }
    }
}

fn sorted(interner: &Interner, keys: impl IntoIterator<Item = impl AsRef<str>>) -> Box<[Str]> {
    let mut v: Vec<Str> = keys.into_iter().map(|k| interner.intern(k.as_ref())).collect();
    v.sort();
    v.dedup();
    v.into_boxed_slice()
}

impl RefFacts {
    pub fn shrink(&mut self) {
        self.refs.shrink_to_fit();
        self.providers.shrink_to_fit();
        self.ingresses.shrink_to_fit();
        self.statefulsets.shrink_to_fit();
        self.monitors.shrink_to_fit();
    }

    pub fn append(&mut self, other: &mut RefFacts) {
        self.refs.append(&mut other.refs);
        self.providers.append(&mut other.providers);
        self.ingresses.append(&mut other.ingresses);
        self.statefulsets.append(&mut other.statefulsets);
        self.monitors.append(&mut other.monitors);
    }

    /// The references a pod template makes: ConfigMaps and Secrets read by the containers
    /// (main, sidecar and init) and the volumes, image pull Secrets, claims, and the
    /// priority class.
    #[allow(clippy::too_many_arguments)]
    pub fn add_pod(
        &mut self,
        w: &Workload<'_>,
        obj: &Object,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: &Str,
        interner: &Interner,
    ) {
        let r = Reader { tree, file };
        let walk = w.spec_route().walk(tree, obj.root);
        if walk.matched < w.spec_route().segs().len() {
            return;
        }
        let spec = walk.node;
        let mut push = |target: Target, map: NodeId, name_key: &str, keys: Vec<(Str, Loc)>, field: &'static str| {
            let Some(name) = r.str(map, name_key) else { return };
            self.refs.push(RefFact {
                obj: oref.clone(),
                namespace: namespace.clone(),
                target,
                name: interner.intern(name),
                loc: r.entry_or(map, name_key),
                keys: keys.into_boxed_slice(),
                optional: r.is_true(map, "optional"),
                field,
            });
        };
        let item_keys = |map: NodeId| -> Vec<(Str, Loc)> {
            r.items(map, "items")
                .iter()
                .filter_map(|i| Some((interner.intern(r.str(*i, "key")?), r.entry_or(*i, "key"))))
                .collect()
        };
        let key_of = |map: NodeId| -> Vec<(Str, Loc)> {
            r.str(map, "key")
                .map(|k| (interner.intern(k), r.entry_or(map, "key")))
                .into_iter()
                .collect()
        };
        for list in ["initContainers", "containers"] {
            for c in r.items(spec, list) {
                for e in r.items(*c, "env") {
                    if let Some(from) = r.get(*e, "valueFrom") {
                        if let Some(m) = r.get(from, "configMapKeyRef") {
                            push(Target::ConfigMap, m, "name", key_of(m), "configMapKeyRef");
                        }
                        if let Some(m) = r.get(from, "secretKeyRef") {
                            push(Target::Secret, m, "name", key_of(m), "secretKeyRef");
                        }
                    }
                }
                for e in r.items(*c, "envFrom") {
                    if let Some(m) = r.get(*e, "configMapRef") {
                        push(Target::ConfigMap, m, "name", Vec::new(), "configMapRef");
                    }
                    if let Some(m) = r.get(*e, "secretRef") {
                        push(Target::Secret, m, "name", Vec::new(), "secretRef");
                    }
                }
            }
        }
        // A StatefulSet replaces each pod volume named like one of its volumeClaimTemplates
        // with the claim it creates (`<template>-<pod>`): such a `claimName` is never read.
        let claim_templates: Vec<&str> = match &obj.typed {
            crate::model::Typed::StatefulSet(s) => s
                .spec
                .volume_claim_templates
                .iter()
                .flatten()
                .filter_map(|t| t.metadata.name.as_deref())
                .collect(),
            _ => Vec::new(),
        };
        for v in r.items(spec, "volumes") {
            if r.str(*v, "name").is_some_and(|n| claim_templates.contains(&n)) {
                continue;
            }
            if let Some(m) = r.get(*v, "configMap") {
                push(Target::ConfigMap, m, "name", item_keys(m), "configMap");
            }
            if let Some(m) = r.get(*v, "secret") {
                push(Target::Secret, m, "secretName", item_keys(m), "secret");
            }
            if let Some(m) = r.get(*v, "persistentVolumeClaim") {
                push(Target::Claim, m, "claimName", Vec::new(), "persistentVolumeClaim");
            }
            if let Some(p) = r.get(*v, "projected") {
                for s in r.items(p, "sources") {
                    if let Some(m) = r.get(*s, "configMap") {
                        push(Target::ConfigMap, m, "name", item_keys(m), "projected");
                    }
                    if let Some(m) = r.get(*s, "secret") {
                        push(Target::Secret, m, "name", item_keys(m), "projected");
                    }
                }
            }
        }
        for s in r.items(spec, "imagePullSecrets") {
            push(Target::PullSecret, *s, "name", Vec::new(), "imagePullSecrets");
        }
        push(
            Target::PriorityClass,
            spec,
            "priorityClassName",
            Vec::new(),
            "priorityClassName",
        );
    }

    /// The other facts of an object: providers, Ingresses, StatefulSets, monitors, Rollout
    /// Services and storage classes.
    #[allow(clippy::too_many_arguments)]
    pub fn add(
        &mut self,
        obj: &Object,
        tree: &Tree<'_>,
        file: FileId,
        oref: &Arc<ObjectRef>,
        namespace: Option<&Str>,
        default_namespace: &str,
        interner: &Interner,
    ) {
        let r = Reader { tree, file };
        let root = obj.root;
        let group = super::kinds::group_of(&obj.api_version);
        let name = obj.name().filter(|n| !n.is_empty());
        let spec = r.get(root, "spec");
        let meta_name_loc = || {
            r.path(root, &["metadata"])
                .map_or_else(|| r.grip(root), |m| r.entry_or(m, "name"))
        };
        // Kustomization generators, in the namespace they are generated in.
        if group == "kustomize.config.k8s.io" && obj.kind == "Kustomization" {
            let own = r.str(root, "namespace").unwrap_or(default_namespace);
            for (list, target) in [
                ("configMapGenerator", Target::ConfigMap),
                ("secretGenerator", Target::Secret),
            ] {
                for g in r.items(root, list) {
                    let Some(n) = r.str(*g, "name") else { continue };
                    self.providers.push(ProviderFact {
                        obj: oref.clone(),
                        target,
                        namespace: interner.intern(r.str(*g, "namespace").unwrap_or(own)),
                        name: interner.intern(n),
                        keys: None,
                        loc: r.entry_or(*g, "name"),
                    });
                }
            }
            return;
        }
        let Some(ns) = namespace else {
            // Cluster-scoped: nothing here references by name within a namespace.
            return;
        };
        let mut provide = |target: Target, name: &str, keys: Option<Box<[Str]>>, loc: Loc| {
            self.providers.push(ProviderFact {
                obj: oref.clone(),
                target,
                namespace: ns.clone(),
                name: interner.intern(name),
                keys,
                loc,
            })
        };
        match (group, obj.kind.as_str()) {
            ("", "ConfigMap") => {
                if let Some(n) = name {
                    let keys = r.keys(root, "data").into_iter().chain(r.keys(root, "binaryData"));
                    provide(Target::ConfigMap, n, Some(sorted(interner, keys)), meta_name_loc());
                }
            }
            ("", "Secret") => {
                if let Some(n) = name {
                    // The token controller fills a service account token Secret.
                    let keys = (r.str(root, "type") != Some("kubernetes.io/service-account-token")).then(|| {
                        sorted(
                            interner,
                            r.keys(root, "data").into_iter().chain(r.keys(root, "stringData")),
                        )
                    });
                    provide(Target::Secret, n, keys, meta_name_loc());
                }
            }
            ("bitnami.com", "SealedSecret") => {
                let template_name = spec.and_then(|s| r.path(s, &["template", "metadata"]));
                let (n, loc) = match template_name.and_then(|m| Some((r.str(m, "name")?, r.entry_or(m, "name")))) {
                    Some(found) => found,
                    None => match name {
                        Some(n) => (n, meta_name_loc()),
                        None => return,
                    },
                };
                let mut keys = spec.map(|s| r.keys(s, "encryptedData")).unwrap_or_default();
                if let Some(t) = spec.and_then(|s| r.get(s, "template")) {
                    keys.extend(r.keys(t, "data"));
                }
                provide(Target::Secret, n, Some(sorted(interner, keys)), loc);
            }
            ("external-secrets.io", "ExternalSecret") => {
                let target = spec.and_then(|s| r.get(s, "target"));
                let (n, loc) = match target.and_then(|t| Some((r.str(t, "name")?, r.entry_or(t, "name")))) {
                    Some(found) => found,
                    None => match name {
                        Some(n) => (n, meta_name_loc()),
                        None => return,
                    },
                };
                // `dataFrom` brings keys unknown here, and a template may rename them all.
                let unknown = spec.is_some_and(|s| !r.items(s, "dataFrom").is_empty())
                    || target.is_some_and(|t| r.get(t, "template").is_some());
                let keys = (!unknown).then(|| {
                    sorted(
                        interner,
                        spec.map(|s| r.items(s, "data"))
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|d| r.str(*d, "secretKey")),
                    )
                });
                provide(Target::Secret, n, keys, loc);
            }
            ("cert-manager.io", "Certificate") => {
                if let Some(s) = spec
                    && let Some(n) = r.str(s, "secretName")
                {
                    // Extra output formats and keystores add keys.
                    let extra = r.get(s, "additionalOutputFormats").is_some() || r.get(s, "keystores").is_some();
                    let keys = (!extra).then(|| sorted(interner, ["tls.crt", "tls.key", "ca.crt"]));
                    provide(Target::Secret, n, keys, r.entry_or(s, "secretName"));
                }
            }
            ("secrets-store.csi.x-k8s.io", "SecretProviderClass") => {
                for o in spec.map(|s| r.items(s, "secretObjects")).unwrap_or_default() {
                    if let Some(n) = r.str(*o, "secretName") {
                        provide(Target::Secret, n, None, r.entry_or(*o, "secretName"));
                    }
                }
            }
            _ => {}
        }
        match (group, obj.kind.as_str()) {
            ("networking.k8s.io" | "extensions", "Ingress") => {
                let Some(s) = spec else { return };
                let shim = obj.annotations().is_some_and(|a| {
                    a.contains_key("cert-manager.io/issuer") || a.contains_key("cert-manager.io/cluster-issuer")
                });
                let mut tls = Vec::new();
                for t in r.items(s, "tls") {
                    if let Some(n) = r.str(*t, "secretName") {
                        let loc = r.entry_or(*t, "secretName");
                        if shim {
                            provide(Target::Secret, n, None, loc);
                        }
                        tls.push((interner.intern(n), loc));
                    }
                }
                let mut backends = Vec::new();
                // `backend.service` is `networking.k8s.io/v1`; the legacy shape is left to
                // the API lifecycle rules.
                let mut backend = |b: NodeId, host: Option<&str>, path: Option<&str>, default: bool| {
                    let Some(svc) = r.get(b, "service") else { return };
                    let Some(n) = r.str(svc, "name") else { return };
                    let port = r.get(svc, "port").and_then(|p| {
                        if let Some(Value::Int(n)) = r.get(p, "number").and_then(|v| tree.value(v)) {
                            return Some(BackendPort::Number(n));
                        }
                        r.str(p, "name").map(|n| BackendPort::Name(interner.intern(n)))
                    });
                    backends.push(BackendFact {
                        service: interner.intern(n),
                        port,
                        host: host.map(|h| interner.intern(h)),
                        path: path.map(|p| interner.intern(p)),
                        default,
                        loc: r.entry_or(b, "service"),
                    });
                };
                if let Some(b) = r.get(s, "defaultBackend") {
                    backend(b, None, None, true);
                }
                for rule in r.items(s, "rules") {
                    let host = r.str(*rule, "host");
                    for p in r.get(*rule, "http").map(|h| r.items(h, "paths")).unwrap_or_default() {
                        if let Some(b) = r.get(*p, "backend") {
                            backend(b, host, r.str(*p, "path"), false);
                        }
                    }
                }
                if obj.api_version == "networking.k8s.io/v1" {
                    self.ingresses.push(IngressFact {
                        obj: oref.clone(),
                        namespace: ns.clone(),
                        name: interner.intern(name.unwrap_or("<unnamed>")),
                        backends: backends.into_boxed_slice(),
                        tls: tls.into_boxed_slice(),
                    });
                }
            }
            ("apps", "StatefulSet") => {
                let Some(s) = spec else { return };
                if let (Some(svc), Some(n)) = (r.str(s, "serviceName"), name) {
                    self.statefulsets.push(StatefulSetFact {
                        obj: oref.clone(),
                        namespace: ns.clone(),
                        name: interner.intern(n),
                        service: interner.intern(svc),
                        loc: r.entry_or(s, "serviceName"),
                    });
                }
                for t in r.items(s, "volumeClaimTemplates") {
                    if let Some(ts) = r.get(*t, "spec") {
                        self.storage_class(&r, ts, oref, ns, interner);
                    }
                }
            }
            ("", "PersistentVolumeClaim") => {
                if let Some(s) = spec {
                    self.storage_class(&r, s, oref, ns, interner);
                }
            }
            ("monitoring.coreos.com", kind @ ("ServiceMonitor" | "PodMonitor")) => {
                let pod = kind == "PodMonitor";
                let s = spec.unwrap_or(root);
                let scope = match r.get(s, "namespaceSelector") {
                    Some(n) if r.is_true(n, "any") => MonitorScope::Any,
                    Some(n) if !r.items(n, "matchNames").is_empty() => MonitorScope::Names(
                        r.items(n, "matchNames")
                            .iter()
                            .filter_map(|x| tree.str(*x))
                            .map(|x| interner.intern(x))
                            .collect(),
                    ),
                    _ => MonitorScope::Own,
                };
                let sel_node = spec.and_then(|s| r.get(s, "selector"));
                let selector = match sel_node {
                    Some(node) => {
                        let exprs = r.items(node, "matchExpressions");
                        Selector::new(&r.label_selector(node), |i| {
                            exprs.get(i).map_or_else(|| r.grip(node), |e| r.grip(*e))
                        })
                    }
                    // The operator reads an absent selector as the empty one: everything.
                    None => Selector::default(),
                };
                let selector_loc = match spec {
                    Some(s) => r.entry_or(s, "selector"),
                    None => meta_name_loc(),
                };
                let list = if pod { "podMetricsEndpoints" } else { "endpoints" };
                let ports = r
                    .items(s, list)
                    .iter()
                    .filter_map(|e| Some((interner.intern(r.str(*e, "port")?), r.entry_or(*e, "port"))))
                    .collect();
                self.monitors.push(MonitorFact {
                    obj: oref.clone(),
                    namespace: ns.clone(),
                    name: interner.intern(name.unwrap_or("<unnamed>")),
                    pod,
                    scope,
                    selector,
                    selector_loc,
                    ports,
                });
            }
            ("argoproj.io", "Rollout") => {
                let Some(strategy) = spec.and_then(|s| r.get(s, "strategy")) else {
                    return;
                };
                let fields: [(&str, &'static str); 4] = [
                    ("canary", "stableService"),
                    ("canary", "canaryService"),
                    ("blueGreen", "activeService"),
                    ("blueGreen", "previewService"),
                ];
                for (kind, field) in fields {
                    let Some(m) = r.get(strategy, kind) else { continue };
                    let Some(n) = r.str(m, field) else { continue };
                    self.refs.push(RefFact {
                        obj: oref.clone(),
                        namespace: ns.clone(),
                        target: Target::RolloutService,
                        name: interner.intern(n),
                        loc: r.entry_or(m, field),
                        keys: Box::new([]),
                        optional: false,
                        field,
                    });
                }
            }
            _ => {}
        }
    }

    /// `storageClassName` of a claim spec (`""` asks for no class, absent for the default).
    fn storage_class(
        &mut self,
        r: &Reader<'_, '_>,
        spec: NodeId,
        oref: &Arc<ObjectRef>,
        ns: &Str,
        interner: &Interner,
    ) {
        if let Some(n) = r.str(spec, "storageClassName") {
            self.refs.push(RefFact {
                obj: oref.clone(),
                namespace: ns.clone(),
                target: Target::StorageClass,
                name: interner.intern(n),
                loc: r.entry_or(spec, "storageClassName"),
                keys: Box::new([]),
                optional: false,
                field: "storageClassName",
            });
        }
    }
}

/// The reference facts of the set, indexed.
#[derive(Debug, Default)]
pub struct RefIndex {
    pub facts: RefFacts,
    /// Providers by (ConfigMap or Secret, namespace, name), as indices into
    /// `facts.providers`, in file order.
    providers_by_name: FxHashMap<(Target, Str, Str), Vec<usize>>,
    /// Services by (namespace, a pair of their own labels), built only when the set has
    /// ServiceMonitors; and by the pair alone, for `namespaceSelector.any`.
    services_by_label: hashbrown::HashMap<(Str, Str, Str), Vec<usize>, rustc_hash::FxBuildHasher>,
    services_by_label_any: PairMap<Vec<usize>>,
}

impl RefIndex {
    /// The references to one kind of target, in file order.
    pub fn to(&self, target: Target) -> impl Iterator<Item = &RefFact> {
        self.facts.refs.iter().filter(move |r| r.target == target)
    }

    pub fn build(facts: RefFacts, services: &[ServiceFact]) -> RefIndex {
        let mut index = RefIndex::default();
        for (i, p) in facts.providers.iter().enumerate() {
            index
                .providers_by_name
                .entry((p.target, p.namespace.clone(), p.name.clone()))
                .or_default()
                .push(i);
        }
        if facts.monitors.iter().any(|m| !m.pod) {
            for (i, s) in services.iter().enumerate() {
                for (k, v) in s.labels.iter() {
                    index
                        .services_by_label
                        .entry((s.namespace.clone(), k.clone(), v.clone()))
                        .or_default()
                        .push(i);
                    index
                        .services_by_label_any
                        .entry((k.clone(), v.clone()))
                        .or_default()
                        .push(i);
                }
            }
        }
        index.facts = facts;
        index
    }

    /// The providers of a ConfigMap or Secret of this name in this namespace, in file order.
    pub fn providers<'a>(
        &'a self,
        target: Target,
        namespace: &Str,
        name: &Str,
    ) -> impl Iterator<Item = &'a ProviderFact> {
        self.providers_by_name
            .get(&(target, namespace.clone(), name.clone()))
            .into_iter()
            .flatten()
            .map(|i| &self.facts.providers[*i])
    }

    /// Indices of the Services (into the index's `services`) whose own labels carry
    /// `key=value`, in a namespace or (`None`) in any.
    pub fn services_labelled(&self, namespace: Option<&Str>, key: &str, value: &str) -> &[usize] {
        match namespace {
            Some(ns) => self.services_by_label.get(&Triple(ns, key, value)),
            None => self.services_by_label_any.get(&Pair(key, value)),
        }
        .map_or(&[], Vec::as_slice)
    }
}
