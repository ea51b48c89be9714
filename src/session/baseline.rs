//! Baselines: the findings a repository has today, recorded (`--write-baseline`) so that
//! later runs report only new ones (`--baseline`).
//!
//! A finding is recorded as a fingerprint that survives edits elsewhere: a truncated
//! SHA-256 of the rule, the file (relative to the workspace), the object's API group, kind,
//! namespace and name, the finding's qualifier, its route (and the missing part of it), and
//! the normalised source text of the node it points at (trimmed lines, comments dropped,
//! values that may be secret left out). Never a line number: inserting lines above an
//! object, or bumping its `apiVersion` within the group, does not change it. Entries carry
//! the rule, file, object and route to be readable, and no message: nothing of a value is
//! written, only the hash.
//!
//! A baseline is a multiset: two entries of one fingerprint absorb at most two findings.

use super::Error;
use crate::discover::kustomize::normalize;
use crate::engine::{Files, Finding, Masks, Source};
use crate::report::{BaselineCounts, LineIndex};
use crate::source::FileId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The version of the baseline file's format, bumped on any incompatible change.
pub const BASELINE_VERSION: u32 = 1;

/// One recorded finding. Only `fingerprint` is matched; the rest is there to read.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub file: String,
    pub rule: String,
    /// `Kind/namespace/name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The admission policy or CustomResourceDefinition the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// 32 hexadecimal digits.
    pub fingerprint: String,
}

/// A baseline: its entries, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Header {
    version: u32,
    tool: String,
}

impl Baseline {
    /// A baseline of these entries.
    pub fn new(mut entries: Vec<Entry>) -> Baseline {
        entries.sort_unstable();
        Baseline { entries }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Reads a baseline file. A missing, unreadable or malformed file, or one of another
    /// version, is an error that names it.
    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let name = crate::discover::display(path);
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the baseline {name}: {e}"))?;
        Baseline::parse(&text).map_err(|e| format!("{name}: {e}").into())
    }

    /// Reads a baseline from its JSON text.
    pub fn parse(text: &str) -> Result<Baseline, String> {
        let corrupt =
            |e: serde_json::Error| format!("not a plimsoll baseline ({e}); write it again with --write-baseline");
        let value: serde_json::Value = serde_json::from_str(text).map_err(corrupt)?;
        let header: Header = serde_json::from_value(value.clone()).map_err(corrupt)?;
        if header.tool != "plimsoll" {
            return Err(format!("a baseline of `{}`, not of plimsoll", header.tool));
        }
        if header.version != BASELINE_VERSION {
            return Err(format!(
                "baseline version {} is not supported (this plimsoll reads version {BASELINE_VERSION}); write it again with --write-baseline",
                header.version
            ));
        }
        let findings = value.get("findings").cloned().unwrap_or(serde_json::Value::Null);
        let entries: Vec<Entry> = serde_json::from_value(findings).map_err(corrupt)?;
        if let Some(i) = entries.iter().position(|e| !is_fingerprint(&e.fingerprint)) {
            return Err(format!(
                "finding {} has no fingerprint of 32 hexadecimal digits; write the baseline again with --write-baseline",
                i + 1
            ));
        }
        Ok(Baseline::new(entries))
    }

    /// The file's text: a versioned JSON document, one entry per line, sorted, so that it
    /// is the same for the same findings and diffs stay small.
    pub fn to_json(&self) -> String {
        let mut out = format!("{{\n  \"version\": {BASELINE_VERSION},\n  \"tool\": \"plimsoll\",\n  \"findings\": [");
        for (i, e) in self.entries.iter().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(e).expect("an entry serializes"));
        }
        out.push_str(if self.entries.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        out
    }

    /// Writes the file (replacing it).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_json())
            .map_err(|e| format!("cannot write the baseline {}: {e}", crate::discover::display(path)).into())
    }

    /// Removes from `findings` those the baseline holds, each entry absorbing one finding
    /// (`entries[i]` is the entry of `findings[i]`). Returns the counts and the entries that
    /// matched (what the baseline keeps once pruned).
    pub fn absorb(&self, file: &str, findings: &mut Vec<Finding>, entries: Vec<Entry>) -> (BaselineCounts, Baseline) {
        let mut left: HashMap<&str, usize> = HashMap::new();
        for e in &self.entries {
            *left.entry(e.fingerprint.as_str()).or_default() += 1;
        }
        let mut matched = Vec::new();
        let mut keep = Vec::with_capacity(entries.len());
        for e in entries {
            match left.get_mut(e.fingerprint.as_str()) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    matched.push(e);
                    keep.push(false);
                }
                _ => keep.push(true),
            }
        }
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
        let counts = BaselineCounts {
            file: file.to_string(),
            matched: matched.len(),
            stale: left.values().sum(),
        };
        (counts, Baseline::new(matched))
    }
}

fn is_fingerprint(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where paths in baselines and `--changed-since` are relative to.
#[derive(Clone, Debug)]
pub struct Workspace {
    root: PathBuf,
    cwd: PathBuf,
}

impl Workspace {
    pub fn new(root: PathBuf, cwd: PathBuf) -> Workspace {
        Workspace { root, cwd }
    }

    /// The top level of the git repository that holds `cwd` (the nearest directory upward
    /// with a `.git`), else `cwd`: the root SARIF URIs are relative to as well.
    pub fn find(cwd: &Path) -> Workspace {
        let root = crate::discover::work_tree(cwd);
        Workspace::new(root.to_path_buf(), cwd.to_path_buf())
    }

    /// A file's path relative to the root, with forward slashes: absolute when it is
    /// outside; what is not a path (`<stdin>`, a template `helm template` rendered) as it
    /// is shown.
    pub fn path(&self, files: &Files, id: FileId) -> String {
        let entry = files.get(id);
        let path = match &entry.source {
            Source::Path(p) => p.clone(),
            _ if entry.rendered || entry.display.starts_with('<') => return entry.display.clone(),
            _ => PathBuf::from(&entry.display),
        };
        let absolute = normalize(&self.cwd.join(path));
        let shown = absolute.strip_prefix(&self.root).unwrap_or(&absolute);
        shown.to_string_lossy().replace('\\', "/")
    }
}

/// Computes the entries of findings, reading each file they point into once.
pub struct Fingerprints<'a> {
    files: &'a Files,
    masks: &'a Masks,
    workspace: Workspace,
    texts: HashMap<FileId, Option<(Arc<str>, LineIndex)>>,
}

impl<'a> Fingerprints<'a> {
    pub fn new(files: &'a Files, masks: &'a Masks, workspace: Workspace) -> Fingerprints<'a> {
        Fingerprints {
            files,
            masks,
            workspace,
            texts: HashMap::new(),
        }
    }

    /// The entry of a finding.
    pub fn entry(&mut self, f: &Finding) -> Entry {
        let file = self.workspace.path(self.files, f.loc().file);
        let value = self.node_text(f);
        let mut h = Sha256::new();
        let mut part = |s: &str| {
            h.update(s.as_bytes());
            h.update([0]);
        };
        part("plimsoll-baseline-1");
        part(f.rule.as_str());
        part(&file);
        if let Some(o) = &f.object {
            // The API group, not the version: `autoscaling/v2beta2` → `autoscaling/v2`
            // keeps the findings of the object.
            part(o.api_version.rsplit_once('/').map_or("", |(group, _)| group));
            part(&o.kind);
            part(o.namespace.as_deref().unwrap_or(""));
            part(o.name.as_deref().unwrap_or(""));
        }
        part(f.more().qualifier.as_deref().unwrap_or(""));
        part(f.target.route().unwrap_or(""));
        part(f.target.missing().unwrap_or(""));
        part(&value);
        let fingerprint = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
        Entry {
            file,
            rule: f.rule.to_string(),
            object: f.object.as_ref().map(|o| {
                [Some(&*o.kind), o.namespace.as_deref(), o.name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("/")
            }),
            route: f.target.route().map(str::to_string),
            about: f.more().qualifier.as_deref().map(str::to_string),
            fingerprint,
        }
    }

    /// The source text a finding points at, normalised: the lines of its span (only the
    /// first without a route), each without its comment and trimmed, blank ones dropped,
    /// and the spans that may hold secret values replaced by a marker. Empty when the file
    /// cannot be read.
    fn node_text(&mut self, f: &Finding) -> String {
        let loc = f.loc();
        let files = self.files;
        let Some((text, index)) = self
            .texts
            .entry(loc.file)
            .or_insert_with(|| files.text(loc.file).map(|t| (t.clone(), LineIndex::new(&t))))
        else {
            return String::new();
        };
        let (start, end) = (loc.span.start, loc.span.end);
        let last = match f.target.route() {
            None => start.line,
            // A span that ends at the start of a line does not hold that line.
            Some(_) if end.col <= 1 && end.line > start.line => end.line - 1,
            Some(_) => end.line.max(start.line),
        };
        let range = index.lines(text, start.line, last);
        let mut masked: Vec<std::ops::Range<usize>> = self
            .masks
            .get(&loc.file)
            .into_iter()
            .flatten()
            .map(|s| s.bytes())
            .filter(|b| b.start < range.end && b.end > range.start)
            .collect();
        masked.sort_unstable_by_key(|b| b.start);
        let mut out = String::new();
        let mut at = range.start;
        for m in masked {
            if m.start > at {
                out.push_str(&text[at..m.start]);
            }
            out.push('\u{1}');
            at = at.max(m.end.min(range.end));
        }
        out.push_str(&text[at..range.end]);
        let lines: Vec<&str> = out
            .lines()
            .map(|l| without_comment(l).trim())
            .filter(|l| !l.is_empty())
            .collect();
        lines.join("\n")
    }
}

/// A YAML line without its trailing comment: from a `#` that starts the line or follows
/// white space, outside quotes.
fn without_comment(line: &str) -> &str {
    let (mut single, mut double, mut escaped, mut after_space) = (false, false, false, true);
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && !escaped => double = !double,
            '#' if !single && !double && after_space => return &line[..i],
            _ => {}
        }
        escaped = double && c == '\\' && !escaped;
        after_space = c.is_whitespace();
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(file: &str, fingerprint: &str) -> Entry {
        Entry {
            file: file.to_string(),
            rule: "pss-privileged".to_string(),
            object: Some("Pod/a".to_string()),
            route: None,
            about: None,
            fingerprint: fingerprint.to_string(),
        }
    }

    fn finding() -> Finding {
        Finding::new(
            "pss-privileged",
            crate::engine::Severity::Error,
            String::new(),
            crate::source::Loc {
                file: FileId(0),
                span: Default::default(),
            }
            .into(),
            None,
        )
    }

    #[test]
    fn each_entry_absorbs_one_finding() {
        let (x, y) = ("00000000000000000000000000000001", "00000000000000000000000000000002");
        let baseline = Baseline::new(vec![entry("a.yaml", x), entry("a.yaml", x), entry("a.yaml", y)]);
        let mut findings = vec![finding(), finding(), finding(), finding()];
        let entries = vec![
            entry("a.yaml", x),
            entry("a.yaml", x),
            entry("a.yaml", x),
            entry("a.yaml", "3".repeat(32).as_str()),
        ];
        let (counts, kept) = baseline.absorb("b.json", &mut findings, entries);
        assert_eq!((counts.matched, counts.stale, findings.len()), (2, 1, 2));
        assert_eq!(kept.entries(), [entry("a.yaml", x), entry("a.yaml", x)]);
    }

    #[test]
    fn comments_are_dropped_outside_quotes() {
        assert_eq!(without_comment("image: nginx # pinned later"), "image: nginx ");
        assert_eq!(without_comment("value: \"a # b\" # c"), "value: \"a # b\" ");
        assert_eq!(without_comment("value: 'it''s # here'"), "value: 'it''s # here'");
        assert_eq!(without_comment("url: http://x/#anchor"), "url: http://x/#anchor");
        assert_eq!(without_comment("# whole line"), "");
    }

    #[test]
    fn a_baseline_reads_what_it_writes_and_rejects_the_rest() {
        let b = Baseline::new(vec![
            entry("b.yaml", "00112233445566778899aabbccddeeff"),
            entry("a.yaml", "ffeeddccbbaa99887766554433221100"),
        ]);
        let json = b.to_json();
        assert!(json.starts_with(
            "{\n  \"version\": 1,\n  \"tool\": \"plimsoll\",\n  \"findings\": [\n    {\"file\":\"a.yaml\""
        ));
        assert_eq!(Baseline::parse(&json).unwrap(), b);
        assert_eq!(
            Baseline::parse(&Baseline::default().to_json()).unwrap(),
            Baseline::default()
        );
        let e = Baseline::parse(&json.replace("\"version\": 1", "\"version\": 2")).unwrap_err();
        assert!(e.starts_with("baseline version 2 is not supported"), "{e}");
        let e = Baseline::parse(&json.replace("00112233", "zz112233")).unwrap_err();
        assert!(e.starts_with("finding 2 has no fingerprint"), "{e}");
        assert!(Baseline::parse("{").unwrap_err().starts_with("not a plimsoll baseline"));
        assert!(Baseline::parse("{\"version\": 1, \"tool\": \"plimsoll\"}").is_err());
    }
}
