//! When Kubernetes (and a few ecosystem projects) deprecated and stopped serving each
//! `apiVersion` of a kind: `data/api-lifecycle.yaml`, embedded at build time (its sources are
//! in `data/SOURCE.txt`; `scripts/sync-api-lifecycle.sh` refreshes it).

use super::crd::CustomResourceDefinition;
use super::intern::{Interner, Str};
use super::object::{Object, ObjectRef};
use crate::source::{FileId, Loc, Route, Tree};
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::LazyLock;

/// The data file, as embedded.
pub const DATA: &str = include_str!("../../data/api-lifecycle.yaml");

#[derive(Debug, Deserialize)]
pub struct Data {
    pub schema_version: u32,
    /// The newest Kubernetes minor release when the file was generated (`"1.36"`).
    pub latest_release: String,
    pub generated_from_k8s_api_commit: String,
    pub kubernetes: Vec<Entry>,
    pub ecosystem: Vec<EcosystemEntry>,
}

/// One Kubernetes `apiVersion` + kind that upstream deprecated or removed.
#[derive(Debug, Deserialize)]
pub struct Entry {
    pub api_version: String,
    pub kind: String,
    pub stability: String,
    pub introduced_in: Option<String>,
    pub deprecated_in: Option<String>,
    /// The first release that no longer serves it.
    pub removed_in: Option<String>,
    pub replacement: Option<String>,
    pub replacement_since: Option<String>,
    pub source: String,
    pub notes: Option<String>,
}

/// Versions of an ecosystem project's custom resources (cert-manager, Istio …); release
/// numbers are the project's, not Kubernetes'.
#[derive(Debug, Deserialize)]
pub struct EcosystemEntry {
    pub component: String,
    pub api_versions: Vec<String>,
    pub kinds: Vec<String>,
    pub deprecated_in: Option<String>,
    pub removed_in: Option<String>,
    pub replacement: Option<String>,
    pub source: String,
    pub notes: Option<String>,
}

pub struct Lifecycle {
    pub data: Data,
    by_pair: FxHashMap<(String, String), usize>,
    eco_by_pair: FxHashMap<(String, String), usize>,
}

/// [`DATA`] as JSON, made by the build as the run reads YAML: what each run reads (the
/// tests check that it reads as [`DATA`] does).
const DATA_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/api-lifecycle.json"));

/// The data of a YAML text like [`DATA`].
#[cfg(test)]
fn from_yaml(text: &str) -> Result<Data, String> {
    use crate::source::{Limits, de::Context, parse};
    let (tree, docs, err) = parse(text, &Limits::default());
    if let Some(e) = err {
        return Err(format!("{}:{}: {e}", e.pos.line, e.pos.col));
    }
    let doc = docs.first().ok_or("empty file")?;
    Context::new(&tree, 0, false)
        .deserialize(doc.root, false)
        .map_err(|e| format!("{}: {e}", e.route.clone().unwrap_or_default()))
}

impl Lifecycle {
    fn new(data: Data) -> Lifecycle {
        let by_pair = data
            .kubernetes
            .iter()
            .enumerate()
            .map(|(i, e)| ((e.api_version.clone(), e.kind.clone()), i))
            .collect();
        let eco_by_pair = data
            .ecosystem
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                e.api_versions
                    .iter()
                    .flat_map(move |v| e.kinds.iter().map(move |k| ((v.clone(), k.clone()), i)))
            })
            .collect();
        Lifecycle {
            data,
            by_pair,
            eco_by_pair,
        }
    }

    /// The Kubernetes entry of an `apiVersion` + kind, if upstream deprecated or removed it.
    pub fn kubernetes(&self, api_version: &str, kind: &str) -> Option<&Entry> {
        self.by_pair
            .get(&(api_version.to_string(), kind.to_string()))
            .map(|i| &self.data.kubernetes[*i])
    }

    /// The ecosystem entry of an `apiVersion` + kind.
    pub fn ecosystem(&self, api_version: &str, kind: &str) -> Option<&EcosystemEntry> {
        self.eco_by_pair
            .get(&(api_version.to_string(), kind.to_string()))
            .map(|i| &self.data.ecosystem[*i])
    }

    /// The minor of `latest_release`.
    pub fn latest_minor(&self) -> u32 {
        minor(&self.data.latest_release).unwrap_or(0)
    }
}

/// The embedded data, parsed on first use.
pub fn lifecycle() -> &'static Lifecycle {
    static DATA_PARSED: LazyLock<Lifecycle> = LazyLock::new(|| match serde_json::from_str(DATA_JSON) {
        Ok(data) => Lifecycle::new(data),
        // Embedded at build time and parsed by the test suite.
        Err(e) => panic!("data/api-lifecycle.yaml: {e}"),
    });
    &DATA_PARSED
}

/// The minor of a Kubernetes release `"1.25"` → 25.
pub fn minor(release: &str) -> Option<u32> {
    release.strip_prefix("1.")?.parse().ok()
}

/// Kinds whose API versions other rules own: `hpa-deprecated-api-version` keeps the
/// HorizontalPodAutoscaler, `secret-externalsecret-deprecated-api` the External Secrets kinds.
pub fn owned_elsewhere(api_version: &str, kind: &str) -> bool {
    kind == "HorizontalPodAutoscaler" || super::kinds::group_of(api_version) == "external-secrets.io"
}

/// The Kubernetes entry the `api-*` rules judge an object by: none for the kinds other
/// rules own ([`owned_elsewhere`]).
pub fn judged(api_version: &str, kind: &str) -> Option<&'static Entry> {
    if owned_elsewhere(api_version, kind) {
        return None;
    }
    lifecycle().kubernetes(api_version, kind)
}

/// The cluster version the API rules judge against: `kubernetes_version`, else the newest
/// release in the data.
pub struct Target {
    pub minor: u32,
    /// `kubernetes_version` is unset and the newest release was assumed.
    pub assumed: bool,
}

impl Target {
    pub fn of(kubernetes_minor: Option<u32>) -> Target {
        match kubernetes_minor {
            Some(minor) => Target { minor, assumed: false },
            None => Target {
                minor: lifecycle().latest_minor(),
                assumed: true,
            },
        }
    }

    /// What a message adds when the version was assumed.
    pub fn note(&self) -> String {
        if self.assumed {
            format!(" (no kubernetes_version set; assuming v1.{})", self.minor)
        } else {
            String::new()
        }
    }

    /// The help of a finding: the migration notes, and how to set the version when it was
    /// assumed.
    pub fn help(&self, notes: Option<&str>) -> Option<String> {
        let mut parts: Vec<String> = notes
            .map(|n| n.trim_end_matches('.').to_string() + ".")
            .into_iter()
            .collect();
        if self.assumed {
            parts.push(
                "Set `kubernetes_version` in .plimsoll.yaml to judge against your cluster's release.".to_string(),
            );
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The versions a CustomResourceDefinition of the set serves.
#[derive(Debug, Clone)]
pub struct CrdFact {
    pub obj: Arc<ObjectRef>,
    pub group: Str,
    pub kind: Str,
    /// `spec.names.plural` (the resource name admission rules match).
    pub plural: Str,
    /// `spec.scope` is not `Cluster`.
    pub namespaced: bool,
    pub versions: Box<[CrdVersionFact]>,
}

#[derive(Debug, Clone)]
pub struct CrdVersionFact {
    pub name: Str,
    pub served: bool,
    pub deprecated: bool,
    pub warning: Option<Str>,
    /// The version's `name` entry (or the CRD's grip).
    pub loc: Loc,
}

impl CrdFact {
    pub fn new(
        crd: &CustomResourceDefinition,
        tree: &Tree<'_>,
        obj: &Object,
        file: FileId,
        oref: &Arc<ObjectRef>,
        interner: &Interner,
    ) -> CrdFact {
        let at = |route: &Route| Loc {
            file,
            span: route.walk(tree, obj.root).span(tree),
        };
        let spec = &crd.spec;
        let mut versions: Vec<CrdVersionFact> = spec
            .versions
            .iter()
            .enumerate()
            .map(|(i, v)| CrdVersionFact {
                name: interner.intern(&v.name),
                served: v.served.unwrap_or(true),
                deprecated: v.deprecated == Some(true),
                warning: v.deprecation_warning.as_deref().map(|w| interner.intern(w)),
                loc: at(&Route::root().keys(&["spec", "versions"]).index(i).key("name")),
            })
            .collect();
        // `apiextensions.k8s.io/v1beta1`: `version` alone is the one served version.
        if versions.is_empty()
            && let Some(v) = &spec.version
        {
            versions.push(CrdVersionFact {
                name: interner.intern(v),
                served: true,
                deprecated: false,
                warning: None,
                loc: at(&Route::root().keys(&["spec", "version"])),
            });
        }
        CrdFact {
            obj: oref.clone(),
            group: interner.intern(&spec.group),
            kind: interner.intern(&spec.names.kind),
            plural: interner.intern(&spec.names.plural),
            namespaced: spec.scope != "Cluster",
            versions: versions.into_boxed_slice(),
        }
    }
}

/// An object of a group Kubernetes does not serve itself (a custom resource, or a kind of
/// an ecosystem project), with its `apiVersion` entry.
#[derive(Debug, Clone)]
pub struct CustomObjectFact {
    pub obj: Arc<ObjectRef>,
    pub api_version_loc: Loc,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_reads_as_its_json_form() {
        let yaml = from_yaml(DATA).expect("data/api-lifecycle.yaml");
        let json: Data = serde_json::from_str(DATA_JSON).expect("data/api-lifecycle.yaml as JSON");
        assert_eq!(format!("{yaml:?}"), format!("{json:?}"));
    }

    #[test]
    fn the_embedded_data_parses_and_indexes_every_entry() {
        let l = lifecycle();
        assert_eq!(l.data.schema_version, 1);
        assert!(l.latest_minor() >= 30);
        let e = l.kubernetes("extensions/v1beta1", "Deployment").expect("entry");
        assert_eq!(e.removed_in.as_deref(), Some("1.16"));
        assert_eq!(e.replacement.as_deref(), Some("apps/v1"));
        assert!(l.ecosystem("cert-manager.io/v1alpha2", "Certificate").is_some());
        assert!(l.kubernetes("apps/v1", "Deployment").is_none());
        for e in &l.data.kubernetes {
            for r in [&e.deprecated_in, &e.removed_in, &e.replacement_since, &e.introduced_in]
                .into_iter()
                .flatten()
            {
                assert!(minor(r).is_some(), "{} {}: release `{r}`", e.api_version, e.kind);
            }
        }
    }
}
