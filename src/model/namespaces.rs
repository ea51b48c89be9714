//! Pod Security labels of the `Namespace` objects in the set, read before objects are
//! checked so that each workload can be judged at its namespace's level (pss.md §3).

use super::load::{LoadOptions, load};
use super::pss::{PssLevel, PssVersion};
use crate::source::{FileId, Limits, Loc, Route};
use std::collections::BTreeMap;

pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// The resolved `enforce` policy of a namespace.
#[derive(Clone, Debug)]
pub struct Enforce {
    pub level: PssLevel,
    pub version: PssVersion,
    /// The `pod-security.kubernetes.io/enforce` label entry.
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct NamespaceInfo {
    pub name: String,
    pub enforce: Option<Enforce>,
}

/// Namespaces by name (the first definition in file order wins).
pub type Namespaces = BTreeMap<String, NamespaceInfo>;

/// The enforce level and version a namespace's labels resolve to, as upstream resolves them
/// (pss.md §3.2): an invalid level fails closed to `restricted`; an invalid or missing
/// version is `latest`. `None` when there is no enforce label.
pub fn resolve_enforce(labels: &BTreeMap<String, String>) -> Option<(PssLevel, PssVersion)> {
    let level = labels.get("pod-security.kubernetes.io/enforce")?;
    let level = level.parse().unwrap_or(PssLevel::Restricted);
    let version = labels
        .get("pod-security.kubernetes.io/enforce-version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(PssVersion::Latest);
    Some((level, version))
}

/// Reads the `Namespace` objects of a text that mentions Pod Security labels. Cheap for
/// every other file: one substring search.
pub fn prescan(text: &str, file: FileId, limits: &Limits) -> Vec<NamespaceInfo> {
    if !text.contains(LABEL_PREFIX) {
        return Vec::new();
    }
    let loaded = load(
        text,
        &LoadOptions {
            limits: limits.clone(),
            explicit: false,
        },
    );
    let mut out = Vec::new();
    for obj in &loaded.objects {
        if obj.kind != "Namespace" || obj.api_version != "v1" {
            continue;
        }
        let Some(name) = obj.name() else { continue };
        let labels = obj.labels().cloned().unwrap_or_default();
        let enforce = resolve_enforce(&labels).map(|(level, version)| {
            let route = Route::root()
                .keys(&["metadata", "labels"])
                .key("pod-security.kubernetes.io/enforce");
            let walk = route.walk(&loaded.tree, obj.root);
            Enforce {
                level,
                version,
                loc: Loc {
                    file,
                    span: walk.span(&loaded.tree),
                },
            }
        });
        out.push(NamespaceInfo {
            name: name.to_string(),
            enforce,
        });
    }
    out
}
