//! Pod Security labels of the `Namespace` objects in the set, so that each workload can be
//! judged at its namespace's level (pss.md §3). They are read before the check from the
//! files whose text holds [`ENFORCE_LABEL`], and collected again while files are checked;
//! the workloads of namespaces whose labels only the check found (a key written with
//! escapes) are judged again once every namespace is known (`engine::run`).

use super::object::Object;
use super::pss::{PssLevel, PssVersion};
use crate::source::{FileId, Loc, Route, Tree};
use std::collections::BTreeMap;

pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// The label that sets a namespace's enforced level: a file whose text does not spell it
/// out declares no enforced namespace, unless it writes the key with escapes.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// The resolved `enforce` policy of a namespace.
#[derive(Clone, Debug, PartialEq)]
pub struct Enforce {
    pub level: PssLevel,
    pub version: PssVersion,
    /// The `pod-security.kubernetes.io/enforce` label entry.
    pub loc: Loc,
}

#[derive(Clone, Debug, PartialEq)]
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
    let level = labels.get(ENFORCE_LABEL)?;
    let level = level.parse().unwrap_or(PssLevel::Restricted);
    let version = labels
        .get("pod-security.kubernetes.io/enforce-version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(PssVersion::Latest);
    Some((level, version))
}

/// The Pod Security labels of a `v1` `Namespace` object, with the enforce label's position.
pub fn info_of(tree: &Tree<'_>, obj: &Object, file: FileId) -> Option<NamespaceInfo> {
    if obj.kind != "Namespace" || obj.api_version != "v1" {
        return None;
    }
    let name = obj.name()?;
    let labels = obj.labels().cloned().unwrap_or_default();
    let enforce = resolve_enforce(&labels).map(|(level, version)| {
        let route = Route::root().keys(&["metadata", "labels"]).key(ENFORCE_LABEL);
        Enforce {
            level,
            version,
            loc: Loc {
                file,
                span: route.walk(tree, obj.root).span(tree),
            },
        }
    });
    Some(NamespaceInfo {
        name: name.to_string(),
        enforce,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LoadOptions, load};

    #[test]
    fn enforce_labels_with_their_position() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n";
        let loaded = load(text, &LoadOptions::default());
        let found: Vec<NamespaceInfo> = loaded
            .objects
            .iter()
            .filter_map(|o| info_of(&loaded.tree, o, FileId(0)))
            .collect();
        assert_eq!(found.len(), 1);
        let e = found[0].enforce.as_ref().expect("enforce");
        assert_eq!(
            (e.level, e.loc.span.start.line, e.loc.span.start.col),
            (PssLevel::Baseline, 9, 5)
        );
        assert_eq!(
            &text[e.loc.span.bytes()],
            "pod-security.kubernetes.io/enforce: baseline"
        );
    }
}
