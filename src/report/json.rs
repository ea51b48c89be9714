//! A stable, versioned JSON document (schema described in `docs/formats.md`).

use super::{ReportCx, counts};
use crate::engine::Finding;
use crate::source::{Loc, Pos};
use serde::Serialize;
use std::io::{self, Write};

/// Bumped on any incompatible change to the document's shape.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a, 'c> {
    version: u32,
    tool: Tool,
    findings: Runs<'a, 'c>,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix_summary: Option<FixSummaryJson<'a>>,
    /// With `--baseline`: what it hid, and its entries that match nothing any more.
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<BaselineJson<'a>>,
    /// With `--changed-since`: the revision, how many files changed, what was hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    changed_since: Option<ChangedJson<'a>>,
}

#[derive(Serialize)]
struct BaselineJson<'a> {
    file: &'a str,
    matched: usize,
    stale: usize,
}

#[derive(Serialize)]
struct ChangedJson<'a> {
    #[serde(rename = "ref")]
    since: &'a str,
    files: usize,
    hidden: usize,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    file: &'a str,
    start: Position,
    end: Position,
    #[serde(skip_serializing_if = "Option::is_none")]
    route: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<Object<'a>>,
    /// The admission policy or CustomResourceDefinition the finding is about (`policy-*`,
    /// `crd-*`, `unknown-field` on custom resources): what a qualified suppression names.
    #[serde(skip_serializing_if = "Option::is_none")]
    about: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedJson<'a>>,
    /// The finding's fix, lowered against the file as read (each applies on its own), or
    /// `null`; absent for rules that never fix.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<Option<FixJson<'a>>>,
    /// Why a rule that fixes findings has no fix for this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_fixable: Option<String>,
}

#[derive(Serialize)]
struct FixJson<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<EditJson<'a>>,
}

#[derive(Serialize)]
struct EditJson<'a> {
    path: &'a str,
    start: Position,
    end: Position,
    content: String,
}

#[derive(Serialize)]
struct FixSummaryJson<'a> {
    passes: usize,
    per_pass: &'a [usize],
    applied: &'a std::collections::BTreeMap<&'static str, usize>,
    files_changed: &'a [String],
    not_applied: Vec<NotAppliedJson<'a>>,
    converged: bool,
}

#[derive(Serialize)]
struct NotAppliedJson<'a> {
    rule: &'a str,
    path: &'a str,
    line: u32,
    reason: &'a str,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
    byte: u32,
}

impl From<Pos> for Position {
    fn from(p: Pos) -> Position {
        Position {
            line: p.line,
            column: p.col,
            byte: p.byte,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Object<'a> {
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    /// 0-based index of the YAML document in its file.
    document: usize,
}

#[derive(Serialize)]
struct RelatedJson<'a> {
    message: &'a str,
    file: &'a str,
    start: Position,
    end: Position,
}

/// The findings, one run per file, lowered and written a slice of files at a time: each
/// file's fixes are lowered on one thread (reading the file once; lowering and verifying
/// every fix costs parses), and only one slice's lowered findings are held at once.
struct Runs<'a, 'c> {
    cx: &'a ReportCx<'c>,
    runs: Vec<&'a [Finding]>,
}

/// Files whose findings are lowered together before they are written.
const FILES_AT_ONCE: usize = 128;

impl Serialize for Runs<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use rayon::prelude::*;
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(None)?;
        for slice in self.runs.chunks(FILES_AT_ONCE) {
            let lowered: Vec<Vec<JsonFinding<'_>>> = slice
                .par_iter()
                .map(|run| {
                    let mut lowering = crate::engine::fix::Lowering::default();
                    let all: Vec<&Finding> = run.iter().collect();
                    let fixes = lowering.for_findings(self.cx.files, &all);
                    run.iter()
                        .zip(fixes)
                        .map(|(f, lowered)| finding(self.cx, f, lowered, &mut lowering))
                        .collect()
                })
                .collect();
            for f in lowered.iter().flatten() {
                seq.serialize_element(f)?;
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    documents: usize,
    objects: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    suppressed: usize,
}

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    let o = cx.outcome;
    let (errors, warnings, info) = counts(&o.findings);
    let doc = Document {
        version: JSON_VERSION,
        tool: Tool {
            name: "plimsoll",
            version: env!("CARGO_PKG_VERSION"),
        },
        // Findings are sorted by file.
        findings: Runs {
            cx,
            runs: o.findings.chunk_by(|a, b| a.loc().file == b.loc().file).collect(),
        },
        summary: Summary {
            files: o.stats.files,
            documents: o.stats.documents,
            objects: o.stats.objects,
            findings: o.findings.len(),
            errors,
            warnings,
            info,
            suppressed: o.suppressed,
        },
        fix_summary: cx.fix_summary.map(|s| FixSummaryJson {
            passes: s.passes,
            per_pass: &s.per_pass,
            applied: &s.applied,
            files_changed: &s.files_changed,
            not_applied: s
                .not_applied
                .iter()
                .map(|n| NotAppliedJson {
                    rule: n.rule,
                    path: &n.path,
                    line: n.line,
                    reason: &n.reason,
                })
                .collect(),
            converged: !s.did_not_converge,
        }),
        baseline: cx.narrowing.baseline.as_ref().map(|b| BaselineJson {
            file: &b.file,
            matched: b.matched,
            stale: b.stale,
        }),
        changed_since: cx.narrowing.changed_since.as_ref().map(|c| ChangedJson {
            since: &c.since,
            files: c.files,
            hidden: c.hidden,
        }),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    writeln!(w)
}

/// A finding as written, with its fix as [`crate::engine::fix::Lowering::for_finding`]
/// lowered it.
fn finding<'a>(
    cx: &'a ReportCx<'_>,
    f: &'a Finding,
    lowered: Option<Result<(crate::source::FileId, crate::source::edit::Lowered), String>>,
    lowering: &mut crate::engine::fix::Lowering,
) -> JsonFinding<'a> {
    let loc: Loc = f.loc();
    let declares = crate::engine::meta(f.rule).is_some_and(|m| m.fix.is_some());
    let mut not_fixable = f.not_fixable.clone();
    let fix = match (cx.fix_policy.applicability(f), lowered) {
        (Some(a), Some(Ok((file, lowered)))) => {
            let fix = f.fix.as_deref().expect("lowered a fix");
            let mut at = |byte: usize| {
                let pos = lowering.pos(cx.files, file, byte);
                Position::from(pos.unwrap_or_else(|_| crate::source::pos_of_byte(b"", byte)))
            };
            Some(Some(FixJson {
                title: &fix.title,
                applicability: a.as_str(),
                edits: lowered
                    .edits
                    .iter()
                    .map(|e| EditJson {
                        path: cx.files.display(file),
                        start: at(e.range.start),
                        end: at(e.range.end),
                        content: e.content.clone(),
                    })
                    .collect(),
            }))
        }
        (_, Some(Err(why))) => {
            not_fixable.get_or_insert(why);
            declares.then_some(None)
        }
        _ => declares.then_some(None),
    };
    JsonFinding {
        rule: f.rule,
        severity: f.severity.as_str(),
        message: &f.message,
        file: cx.files.display(loc.file),
        start: loc.span.start.into(),
        end: loc.span.end.into(),
        route: f.target.route.as_deref(),
        missing: f.target.missing.as_deref(),
        label: f.shown_label(),
        help: f.help.as_deref(),
        object: f.object.as_ref().map(|o| Object {
            api_version: &o.api_version,
            kind: &o.kind,
            namespace: o.namespace.as_deref(),
            name: o.name.as_deref(),
            document: o.doc as usize,
        }),
        about: f.qualifier.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| RelatedJson {
                message: &r.message,
                file: cx.files.display(r.loc.file),
                start: r.loc.span.start.into(),
                end: r.loc.span.end.into(),
            })
            .collect(),
        fix,
        not_fixable,
    }
}
