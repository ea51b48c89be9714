//! Helm: `helm template` writes `# Source: <chart>/templates/<file>` before each document.
//! Findings on documents read from stdin name that template file instead of `<stdin>` (the
//! chart directory found by the `name:` of the repository's `Chart.yaml` files), and say
//! that their lines are those of the rendered output, since a template is not YAML and
//! its own lines cannot be known.

use crate::engine::{Files, Outcome, Source, sort_findings};
use crate::source::FileId;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The `# Source:` of each document: (first byte, end byte, path as written).
pub fn sources(text: &str) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    let mut doc_start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if trimmed == "---" || trimmed.starts_with("--- ") {
            if let Some(last) = out.last_mut().filter(|l| l.1 == usize::MAX) {
                last.1 = at;
            }
            doc_start = at;
        } else if let Some(path) = trimmed.strip_prefix("# Source: ") {
            let path = path.trim();
            if !path.is_empty() && out.last().is_none_or(|l| l.0 != doc_start) {
                if let Some(last) = out.last_mut().filter(|l| l.1 == usize::MAX) {
                    last.1 = doc_start;
                }
                out.push((doc_start, usize::MAX, path.to_string()));
            }
        }
        at += line.len();
    }
    out
}

/// Charts of the repository under `base` by name (`Chart.yaml`'s `name:`), to their
/// directories relative to `base`. Walks at most a few levels, honouring `.gitignore`.
fn charts(base: &Path) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let walker = ignore::WalkBuilder::new(base).max_depth(Some(8)).build();
    for entry in walker.flatten().take(200_000) {
        if entry.file_name() != "Chart.yaml" || !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        if meta.len() > 1 << 20 {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let name = text.lines().find_map(|l| l.strip_prefix("name:")).map(|n| {
            n.split('#')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches(['"', '\''])
                .to_string()
        });
        if let (Some(name), Some(dir)) = (name.filter(|n| !n.is_empty()), entry.path().parent()) {
            let rel = dir.strip_prefix(base).unwrap_or(dir).to_path_buf();
            out.entry(name).or_insert(rel);
        }
    }
    out
}

/// The repository file a `# Source:` path names, as shown (relative to `base`), or the
/// path as written when no such file exists.
fn resolve(source: &str, base: &Path, charts: &HashMap<String, PathBuf>) -> String {
    let shown = |p: &Path| p.to_string_lossy().replace('\\', "/");
    // Only paths inside a chart directory are looked up: no `..`, no absolute path, so the
    // lookup never touches anything outside the repository.
    let inside = Path::new(source)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    if !inside {
        return source.to_string();
    }
    if let Some((chart, rest)) = source.split_once('/')
        && let Some(dir) = charts.get(chart)
    {
        let p = dir.join(rest);
        if base.join(&p).is_file() {
            return shown(&p);
        }
    }
    source.to_string()
}

/// Names the template file of every finding on a `helm template` document read from
/// stdin (and of related locations there), keeping rendered positions and saying so.
pub fn attribute(files: &mut Files, outcome: &mut Outcome, base: &Path) {
    let stdin: Vec<FileId> = files
        .ids()
        .filter(|id| files.get(*id).input && matches!(files.get(*id).source, Source::Text(_)))
        .collect();
    let mut charts_found: Option<HashMap<String, PathBuf>> = None;
    // Findings are sorted again only if one moved to a template (they came sorted).
    let mut moved = false;
    for id in stdin {
        let Some(text) = files.text(id) else { continue };
        let docs = sources(&text);
        if docs.is_empty() {
            continue;
        }
        let charts = charts_found.get_or_insert_with(|| charts(base));
        // One file per template, sharing the rendered text (and its masks).
        let mut ids: HashMap<String, FileId> = HashMap::new();
        let mut file_of = |byte: u32, files: &mut Files, outcome_masks: &mut crate::engine::Masks| {
            let i = docs.partition_point(|d| d.0 <= byte as usize).checked_sub(1)?;
            let (_, end, source) = &docs[i];
            if byte as usize >= *end {
                return None;
            }
            let display = resolve(source, base, charts);
            let new = *ids.entry(display.clone()).or_insert_with(|| {
                let new = files.add(display, Source::Text(text.clone()), false, false);
                files.set_rendered(new);
                if let Some(m) = outcome_masks.get(&id).cloned() {
                    outcome_masks.insert(new, m);
                }
                new
            });
            Some(new)
        };
        for f in outcome.findings.iter_mut() {
            if f.loc().file == id
                && let Some(new) = file_of(f.loc().span.start.byte, files, &mut outcome.masks)
            {
                f.target.loc.file = new;
                moved = true;
                f.message = crate::engine::shared(&format!(
                    "{} (rendered by `helm template`: line {} of its output)",
                    f.message,
                    f.loc().span.start.line
                ));
            }
            for r in f.related_locs_mut() {
                if r.loc.file == id
                    && let Some(new) = file_of(r.loc.span.start.byte, files, &mut outcome.masks)
                {
                    r.loc.file = new;
                }
            }
        }
    }
    if moved {
        sort_findings(files, &mut outcome.findings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_follow_document_markers() {
        let text = "---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/charts/db/templates/b.yaml\nkind: B\n---\nkind: C\n";
        let s = sources(text);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].2, "web/templates/a.yaml");
        assert_eq!(&text[s[0].0..s[0].1], "---\n# Source: web/templates/a.yaml\nkind: A\n");
        assert_eq!(s[1].2, "web/charts/db/templates/b.yaml");
        assert_eq!(
            &text[s[1].0..s[1].1],
            "---\n# Source: web/charts/db/templates/b.yaml\nkind: B\n"
        );
    }

    #[test]
    fn sources_outside_a_chart_are_not_looked_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("charts/web/templates")).expect("dirs");
        std::fs::write(dir.path().join("charts/web/templates/a.yaml"), "x").expect("write");
        let charts = HashMap::from([("web".to_string(), PathBuf::from("charts/web"))]);
        assert_eq!(
            resolve("web/templates/a.yaml", dir.path(), &charts),
            "charts/web/templates/a.yaml"
        );
        assert_eq!(
            resolve("web/../../etc/passwd", dir.path(), &charts),
            "web/../../etc/passwd"
        );
        assert_eq!(resolve("/etc/passwd", dir.path(), &charts), "/etc/passwd");
    }
}
