//! Run-wide settings that rules may read (from the configuration file and the CLI).

use crate::model::pss::{PssLevel, PssVersion};
use crate::source::{Limits, Span};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Namespace of objects that do not name one.
    pub default_namespace: String,
    /// The set holds every object of the cluster: "referenced object not in the set" keeps
    /// its severity instead of dropping to `info`.
    pub complete_set: bool,
    /// Target cluster minor version (`kubernetes_version: "1.33"` → 33).
    pub kubernetes_minor: Option<u32>,
    pub pss: PssSettings,
    pub limits: Limits,
    /// Kustomizations that could not be rendered, by the displayed path of their
    /// kustomization file: where to report it and why.
    pub kustomize_failures: BTreeMap<String, (Span, String)>,
    /// Ids of the rules that run, sorted: a rule leaves a root cause to another rule's
    /// finding only when that rule runs.
    pub enabled: Vec<&'static str>,
}

impl Settings {
    /// Whether rule `id` runs.
    pub fn enabled(&self, id: &str) -> bool {
        self.enabled.binary_search(&id).is_ok()
    }
}

#[derive(Clone, Debug)]
pub struct PssSettings {
    pub level: PssLevel,
    pub version: PssVersion,
    /// Judge workloads by their namespace's `pod-security.kubernetes.io/enforce` labels.
    pub respect_namespace_labels: bool,
    /// Namespaces the cluster exempts from Pod Security Admission.
    pub exempt_namespaces: Vec<String>,
    /// Runtime classes the cluster exempts.
    pub exempt_runtime_classes: Vec<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            default_namespace: "default".to_string(),
            complete_set: false,
            kubernetes_minor: None,
            pss: PssSettings {
                level: PssLevel::Restricted,
                version: PssVersion::Latest,
                respect_namespace_labels: true,
                exempt_namespaces: Vec::new(),
                exempt_runtime_classes: Vec::new(),
            },
            limits: Limits::default(),
            kustomize_failures: BTreeMap::new(),
            enabled: Vec::new(),
        }
    }
}
