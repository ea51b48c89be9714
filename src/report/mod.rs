//! Renderers: they know findings and rule metadata, not particular rules.

pub mod diff;
mod github;
mod json;
mod junit;
mod lines;
mod markdown;
mod sarif;
mod statistics;
mod text;

pub use lines::LineIndex;
pub use statistics::statistics;

use crate::engine::fix::FixSummary;
use crate::engine::{Files, Finding, FixPolicy, Outcome, Severity, meta};
use std::io::{self, Write};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    /// One line per finding: `file:line:col: severity[rule] message`.
    Concise,
    Json,
    Sarif,
    Github,
    Junit,
    Markdown,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "text" => Ok(Format::Text),
            "concise" => Ok(Format::Concise),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            "junit" => Ok(Format::Junit),
            "markdown" => Ok(Format::Markdown),
            _ => Err(format!(
                "unknown format `{s}` (text, concise, json, sarif, github, junit, markdown)"
            )),
        }
    }
}

/// What a renderer needs besides the findings.
pub struct ReportCx<'a> {
    pub files: &'a Files,
    pub outcome: &'a Outcome,
    /// Ids of the rules that ran, sorted, with their configured severities.
    pub rules: &'a [(&'static str, Severity)],
    pub color: bool,
    /// Text: omit the closing summary.
    pub quiet: bool,
    /// Wall time of the run, for the text summary.
    pub elapsed: Duration,
    /// The lowest severity that fails the run (`None`: never), for JUnit failures.
    pub fail_on: Option<Severity>,
    /// Which fixes this run applies (the `[*]` marker and the fixable counts).
    pub fix_policy: &'a FixPolicy,
    /// What `--fix`/`--diff` did.
    pub fix_summary: Option<&'a FixSummary>,
    /// What `--baseline` and `--changed-since` left out.
    pub narrowing: &'a Narrowing,
}

/// What `--baseline` and `--changed-since` left out of the findings shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Narrowing {
    pub baseline: Option<BaselineCounts>,
    pub changed_since: Option<ChangedCounts>,
}

/// How a baseline matched the findings of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineCounts {
    /// The baseline file, as given.
    pub file: String,
    /// Findings the baseline holds, not shown.
    pub matched: usize,
    /// Entries of the baseline that match no finding any more: fixed, or changed past
    /// recognition. Writing the baseline again drops them.
    pub stale: usize,
}

/// What `--changed-since` kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedCounts {
    /// The revision compared with.
    pub since: String,
    /// Files changed since it (committed, staged, unstaged or untracked).
    pub files: usize,
    /// Findings about unchanged files, not shown.
    pub hidden: usize,
}

/// How many shown findings this run would fix, and how many more `--unsafe-fixes` would.
pub fn fixable(cx: &ReportCx<'_>) -> (usize, usize) {
    let mut now = 0;
    let mut more = 0;
    for f in &cx.outcome.findings {
        match cx.fix_policy.applicability(f) {
            Some(a) if cx.fix_policy.applies(a) => now += 1,
            Some(crate::engine::Applicability::Unsafe) => more += 1,
            _ => {}
        }
    }
    (now, more)
}

pub fn render(format: Format, cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Text => text::render(cx, w),
        Format::Concise => text::render_concise(cx, w),
        Format::Json => json::render(cx, w),
        Format::Sarif => sarif::render(cx, w),
        Format::Github => github::render(cx, w),
        Format::Junit => junit::render(cx, w),
        Format::Markdown => markdown::render(cx, w),
    }
}

/// Counts by severity: (errors, warnings, info).
pub fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for f in findings {
        match f.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
            Severity::Info => c.2 += 1,
        }
    }
    c
}

/// The line that says how a baseline matched: what it hid, and its stale entries.
pub fn baseline_line(b: &BaselineCounts) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut line = format!(
        "Baseline {}: {} known finding{} not shown",
        b.file,
        b.matched,
        plural(b.matched)
    );
    if b.stale > 0 {
        line.push_str("; ");
        line.push_str(&stale_baseline(b));
    } else {
        line.push('.');
    }
    line
}

/// Says that a baseline has entries that match nothing, and how to drop them.
pub fn stale_baseline(b: &BaselineCounts) -> String {
    format!(
        "{} {} of the baseline {} no longer {} any finding: prune with `--baseline {} --write-baseline {}`.",
        b.stale,
        if b.stale == 1 { "entry" } else { "entries" },
        b.file,
        if b.stale == 1 { "matches" } else { "match" },
        b.file,
        b.file
    )
}

/// The line that says what `--changed-since` left out.
pub fn changed_line(c: &ChangedCounts) -> String {
    format!(
        "Changed since {}: {} {}; {} {} about unchanged files not shown.",
        c.since,
        c.files,
        if c.files == 1 { "file" } else { "files" },
        c.hidden,
        if c.hidden == 1 { "finding" } else { "findings" }
    )
}

/// The first paragraph of a rule's remediation, on one line.
pub fn remediation(rule: &str) -> Option<String> {
    let m = meta(rule)?;
    let para = m.remediation.split("\n\n").next()?;
    Some(para.split_whitespace().collect::<Vec<_>>().join(" "))
}
