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
/// every other text: one substring search; and only the YAML documents that mention both a
/// Namespace and the labels are parsed.
pub fn prescan(text: &str, file: FileId, limits: &Limits) -> Vec<NamespaceInfo> {
    if !text.contains(LABEL_PREFIX) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (start, line0, doc) in documents(text) {
        if doc.contains(LABEL_PREFIX) && doc.contains("Namespace") {
            scan_document(doc, start, line0, file, limits, &mut out);
        }
    }
    out
}

/// Splits a YAML stream at its document markers: a line starting with `---` or `...`
/// followed by a space or the line's end always delimits documents (such a line cannot be
/// content, even inside a block or quoted scalar). Yields (byte offset, 0-based line,
/// text).
fn documents(text: &str) -> impl Iterator<Item = (usize, u32, &str)> {
    let mut bounds = vec![(0usize, 0u32)];
    let mut line = 0u32;
    let mut at = 0usize;
    for l in text.split_inclusive('\n') {
        let marker =
            (l.starts_with("---") || l.starts_with("...")) && l[3..].chars().next().is_none_or(char::is_whitespace);
        if marker && at > 0 {
            bounds.push((at, line));
        }
        at += l.len();
        line += 1;
    }
    bounds.push((text.len(), line));
    bounds
        .windows(2)
        .map(move |w| (w[0].0, w[0].1, &text[w[0].0..w[1].0]))
        .collect::<Vec<_>>()
        .into_iter()
}

fn scan_document(doc: &str, start: usize, line0: u32, file: FileId, limits: &Limits, out: &mut Vec<NamespaceInfo>) {
    let loaded = load(
        doc,
        &LoadOptions {
            limits: limits.clone(),
            explicit: false,
        },
    );
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
            let mut span = route.walk(&loaded.tree, obj.root).span(&loaded.tree);
            for p in [&mut span.start, &mut span.end] {
                p.line += line0;
                p.byte += start as u32;
            }
            Enforce {
                level,
                version,
                loc: Loc { file, span },
            }
        });
        out.push(NamespaceInfo {
            name: name.to_string(),
            enforce,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_at_markers_only() {
        let text = "a: 1\n---\nb: |\n  ---not a marker\n--- # c\nc: 3\n...\n";
        let docs: Vec<_> = documents(text).collect();
        assert_eq!(docs.iter().map(|d| d.1).collect::<Vec<_>>(), vec![0, 1, 4, 6]);
        assert_eq!(docs[1].2, "---\nb: |\n  ---not a marker\n");
    }

    #[test]
    fn positions_are_absolute() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: baseline\n";
        let found = prescan(text, FileId(0), &Limits::default());
        let e = found[0].enforce.as_ref().unwrap();
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
