//! Suppressions: YAML comments, object annotations and configuration entries, each with a
//! reason; matched against findings after every rule has run, so that those that match
//! nothing can be reported.

use super::finding::Finding;
use crate::model::ObjectRef;
use crate::source::{FileId, Loc};
use globset::GlobSet;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The annotation prefix: `ignore.plimsoll.dev/<rule-id>: "reason"`.
pub const ANNOTATION_PREFIX: &str = "ignore.plimsoll.dev/";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuppressionKind {
    /// `# plimsoll: ignore[...] reason` on the finding's line or the line above.
    Comment { own_line: bool },
    /// `ignore.plimsoll.dev/<rule-id>` on the object.
    Annotation,
    /// An `ignore:` entry of the configuration file.
    Config,
}

#[derive(Clone, Debug)]
pub struct Suppression {
    pub kind: SuppressionKind,
    /// Rule ids or families (`pss`), or `all`.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Where it is written.
    pub loc: Loc,
    /// The object an annotation belongs to.
    pub object: Option<Arc<ObjectRef>>,
    /// Path globs of a configuration entry (relative to the configuration file).
    pub paths: Option<Arc<GlobSet>>,
    /// Why a comment could not be understood.
    pub malformed: Option<String>,
    /// Names that are neither a rule id, nor a family, nor `all`.
    pub unknown: Vec<String>,
    pub used: bool,
}

impl Suppression {
    fn names(&self, f: &Finding) -> bool {
        self.rules.iter().any(|r| match r.split_once('.') {
            // `policy-violation.<policy>`: one policy's (or CRD's) findings of a rule.
            Some((id, qualifier)) => {
                f.more().qualifier.as_deref() == Some(qualifier) && selector_matches(id, f.rule.as_str())
            }
            None => selector_matches(r, f.rule.as_str()),
        })
    }
}

/// The rule or family part of a suppression name (`policy-violation.<policy>` →
/// `policy-violation`): rule ids and families never contain a dot.
pub fn unqualified(name: &str) -> &str {
    name.split_once('.').map_or(name, |(id, _)| id)
}

/// Selectors that are neither a rule id nor a family: `all` rules, and the `default` ones
/// (on by default), so that `[default, workload-cpu-limit-missing]` adds a rule to them.
pub const SELECTOR_KEYWORDS: [&str; 3] = ["all", "default", "custom"];

/// Whether a selector (`all`, `default`, a family such as `pss`, or an id) names `rule`.
pub fn selector_matches(selector: &str, rule: &str) -> bool {
    selector == "all"
        || selector == rule
        || super::meta::meta(rule).is_some_and(|m| {
            m.family == selector || (selector == "default" && m.enabled) || (selector == "custom" && m.custom.is_some())
        })
}

/// Removes suppressed findings, marking the suppressions that matched. Returns the number
/// removed. `relative_path` gives a file's path relative to the configuration file's
/// directory, for configuration entries.
pub fn apply<'p>(
    findings: &mut Vec<Finding>,
    suppressions: &mut [Suppression],
    relative_path: impl Fn(FileId) -> Option<&'p Path>,
) -> usize {
    let mut comments: HashMap<FileId, Vec<usize>> = HashMap::new();
    let mut annotations: HashMap<(FileId, u32), Vec<usize>> = HashMap::new();
    let mut config = Vec::new();
    for (i, s) in suppressions.iter().enumerate() {
        if s.malformed.is_some() {
            continue;
        }
        match s.kind {
            SuppressionKind::Comment { .. } => comments.entry(s.loc.file).or_default().push(i),
            SuppressionKind::Annotation => {
                if let Some(o) = &s.object {
                    annotations.entry((o.file, o.index)).or_default().push(i);
                }
            }
            SuppressionKind::Config => config.push(i),
        }
    }
    // Most runs suppress nothing: the (large) list of findings is not walked.
    if comments.is_empty() && annotations.is_empty() && config.is_empty() {
        return 0;
    }
    let mut path_matches: HashMap<(FileId, usize), bool> = HashMap::new();
    let before = findings.len();
    findings.retain(|f| {
        let loc = f.loc();
        let mut hit = None;
        if let Some(idx) = comments.get(&loc.file) {
            hit = idx.iter().copied().find(|i| {
                let s = &suppressions[*i];
                let own_line = matches!(s.kind, SuppressionKind::Comment { own_line: true });
                let line = loc.span.start.line;
                s.names(f) && (line == s.loc.span.start.line || (own_line && line == s.loc.span.start.line + 1))
            });
        }
        if hit.is_none()
            && let Some(o) = &f.object
            && let Some(idx) = annotations.get(&(o.file, o.index))
        {
            hit = idx.iter().copied().find(|i| suppressions[*i].names(f));
        }
        if hit.is_none() {
            hit = config.iter().copied().find(|i| {
                let s = &suppressions[*i];
                s.names(f)
                    && *path_matches.entry((loc.file, *i)).or_insert_with(|| {
                        match (&s.paths, relative_path(loc.file)) {
                            (None, _) => true,
                            (Some(globs), Some(path)) => globs.is_match(path),
                            (Some(_), None) => false,
                        }
                    })
            });
        }
        match hit {
            Some(i) => {
                suppressions[i].used = true;
                false
            }
            None => true,
        }
    });
    before - findings.len()
}
