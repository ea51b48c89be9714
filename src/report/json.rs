//! A stable, versioned JSON document (schema described in `docs/formats.md`).

use super::{ReportCx, counts};
use crate::engine::Finding;
use crate::source::{Loc, Pos};
use serde::Serialize;
use std::io::{self, Write};

/// Bumped on any incompatible change to the document's shape.
pub const JSON_VERSION: u32 = 1;

/// The document's fields after `findings`, in order.
#[derive(Serialize)]
struct Rest<'a> {
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

/// How many findings are lowered and serialised together (in parallel, a file on each
/// thread) before they are written: each file's fixes are lowered on one thread (reading the
/// file once; lowering and verifying every fix costs parses), and only one slice's written
/// findings are held at once (a file with more is written a slice at a time).
const FINDINGS_AT_ONCE: usize = 4096;

/// The fields before `findings`.
#[derive(Serialize)]
struct Head {
    version: u32,
    tool: Tool,
}

/// The document, written as [`Spliced`] writes it: each slice of findings lowered and
/// serialised in parallel, then written in order.
fn write_document(cx: &ReportCx<'_>, rest: &Rest<'_>, w: &mut dyn Write) -> io::Result<()> {
    let head = Head {
        version: JSON_VERSION,
        tool: Tool {
            name: "plimsoll",
            version: env!("CARGO_PKG_VERSION"),
        },
    };
    let mut doc = Spliced::start(w, &head, "findings")?;
    // Findings are sorted by file.
    let runs: Vec<&[Finding]> = cx
        .outcome
        .findings
        .chunk_by(|a, b| a.loc().file == b.loc().file)
        .collect();
    // Consecutive files, split after the file that brings a slice to FINDINGS_AT_ONCE and
    // before a file that has more on its own.
    let mut held = 0;
    for slice in runs.chunk_by(|run, next| {
        held += run.len();
        if held >= FINDINGS_AT_ONCE || next.len() > FINDINGS_AT_ONCE {
            held = 0;
        }
        held > 0
    }) {
        // A file with more findings than a slice holds: a few slices of its findings at a
        // time, in parallel, each lowered with a copy of a lowering that read the file once.
        if let [run] = slice
            && run.len() > FINDINGS_AT_ONCE
        {
            let mut base = crate::engine::fix::Lowering::default();
            base.read(cx.files, run[0].loc().file);
            let parts: Vec<&[Finding]> = run.chunks(FINDINGS_AT_ONCE).collect();
            for parts in parts.chunks(PARTS_AT_ONCE) {
                for written in write_runs(cx, parts, &base) {
                    for f in written? {
                        doc.element(&f)?;
                    }
                }
            }
            continue;
        }
        for written in write_runs(cx, slice, &crate::engine::fix::Lowering::default()) {
            for f in written? {
                doc.element(&f)?;
            }
        }
    }
    doc.end(rest)
}

/// How many slices of one large file's findings are lowered and written at once.
const PARTS_AT_ONCE: usize = 4;

/// Each run of findings lowered (with a copy of `lowering`) and written, in parallel, in
/// the runs' order.
fn write_runs(
    cx: &ReportCx<'_>,
    runs: &[&[Finding]],
    lowering: &crate::engine::fix::Lowering,
) -> Vec<io::Result<Vec<Vec<u8>>>> {
    use rayon::prelude::*;
    runs.par_iter()
        .with_max_len(1)
        .map(|run| {
            let mut lowering = lowering.clone();
            let all: Vec<&Finding> = run.iter().collect();
            let fixes = lowering.for_findings(cx.files, &all);
            run.iter()
                .zip(fixes)
                .map(|(f, lowered)| pretty_at(&finding(cx, f, lowered, &mut lowering), 2))
                .collect()
        })
        .collect()
}

/// A pretty JSON object written as `serde_json::to_writer_pretty` writes it, byte for byte,
/// whose members are `head`'s, then an array under `key` whose elements come already
/// written (by [`pretty_at`] at depth 2, so that they can be written in parallel), then
/// `rest`'s.
struct Spliced<'w> {
    w: &'w mut dyn Write,
    empty: bool,
}

impl<'w> Spliced<'w> {
    fn start(w: &'w mut dyn Write, head: &impl Serialize, key: &str) -> io::Result<Spliced<'w>> {
        let head = pretty_at(head, 0)?;
        match head.strip_suffix(b"\n}") {
            Some(members) => {
                w.write_all(members)?;
                w.write_all(b",")?;
            }
            None => w.write_all(b"{")?,
        }
        w.write_all(b"\n  ")?;
        serde_json::to_writer(&mut *w, key)?;
        w.write_all(b": [")?;
        Ok(Spliced { w, empty: true })
    }

    fn element(&mut self, written: &[u8]) -> io::Result<()> {
        self.w.write_all(if self.empty { b"\n    " } else { b",\n    " })?;
        self.empty = false;
        self.w.write_all(written)
    }

    fn end(self, rest: &impl Serialize) -> io::Result<()> {
        self.w.write_all(if self.empty { b"]" } else { b"\n  ]" })?;
        let rest = pretty_at(rest, 0)?;
        match rest.strip_prefix(b"{").filter(|members| *members != b"}") {
            Some(members) => {
                self.w.write_all(b",")?;
                self.w.write_all(members)?;
            }
            None => self.w.write_all(b"\n}")?,
        }
        writeln!(self.w)
    }
}

/// `value` written pretty, its lines after the first indented `depth` levels (two spaces
/// each), as it reads at that depth of a pretty document: what `serde_json::to_vec_pretty`
/// writes, with `depth` more levels after each line break, in one pass.
fn pretty_at(value: &impl Serialize, depth: usize) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(512);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PrettyAt::new(depth));
    value.serialize(&mut ser)?;
    Ok(out)
}

/// `serde_json`'s `PrettyFormatter` (two spaces) starting `depth` levels in.
struct PrettyAt {
    depth: usize,
    has_value: bool,
}

impl PrettyAt {
    fn new(depth: usize) -> PrettyAt {
        PrettyAt {
            depth,
            has_value: false,
        }
    }

    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        self.break_and_indent(w, if first { 1 } else { 0 })
    }

    /// `,\n` (from byte `skip` on: 1 leaves the comma out) then the indentation, in one
    /// write unless it is deep: every member of the output starts a line.
    fn break_and_indent<W: ?Sized + Write>(&self, w: &mut W, skip: usize) -> io::Result<()> {
        const SHALLOW: &[u8; 34] = b",\n                                ";
        let width = 2 * self.depth;
        if width <= SHALLOW.len() - 2 {
            return w.write_all(&SHALLOW[skip..2 + width]);
        }
        w.write_all(&SHALLOW[skip..2])?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.break_and_indent(w, 1)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for PrettyAt {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
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
    let rest = Rest {
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
    write_document(cx, &rest, w)
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
    let declares = crate::engine::meta(f.rule.as_str()).is_some_and(|m| m.fix.is_some());
    let mut not_fixable = f.more().not_fixable.as_deref().map(str::to_owned);
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
        rule: f.rule.as_str(),
        severity: f.severity.as_str(),
        message: &f.message,
        file: cx.files.display(loc.file),
        start: loc.span.start.into(),
        end: loc.span.end.into(),
        route: f.target.route(),
        missing: f.target.missing(),
        label: f.shown_label(),
        help: f.more().help.as_deref(),
        object: f.object.as_ref().map(|o| Object {
            api_version: &o.api_version,
            kind: &o.kind,
            namespace: o.namespace.as_deref(),
            name: o.name.as_deref(),
            document: o.doc as usize,
        }),
        about: f.more().qualifier.as_deref(),
        related: f
            .more()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Elem {
        name: &'static str,
        lines: Vec<u32>,
        nested: Option<Box<Elem>>,
        empty: Vec<u32>,
    }

    fn elem(name: &'static str) -> Elem {
        Elem {
            name,
            lines: vec![1, 2],
            nested: Some(Box::new(Elem {
                name: "inner\nline \"quoted\"",
                lines: vec![],
                nested: None,
                empty: vec![],
            })),
            empty: vec![],
        }
    }

    #[derive(Serialize)]
    struct Whole {
        version: u32,
        tool: Tool,
        findings: Vec<Elem>,
        summary: Vec<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra: Option<&'static str>,
    }

    #[derive(Serialize)]
    struct After {
        summary: Vec<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        extra: Option<&'static str>,
    }

    #[derive(Serialize)]
    struct Nothing {}

    /// What `Spliced` writes is what serde_json writes for the whole document.
    #[test]
    fn spliced_is_byte_for_byte_the_pretty_document() {
        let tool = || Tool {
            name: "plimsoll",
            version: "1",
        };
        for names in [vec![], vec!["a"], vec!["a", "b", "c"]] {
            for extra in [None, Some("x")] {
                let whole = Whole {
                    version: 1,
                    tool: tool(),
                    findings: names.iter().map(|n| elem(n)).collect(),
                    summary: vec![3],
                    extra,
                };
                let mut expected = serde_json::to_vec_pretty(&whole).unwrap();
                expected.push(b'\n');

                let mut got = Vec::new();
                let head = Head {
                    version: 1,
                    tool: tool(),
                };
                let mut doc = Spliced::start(&mut got, &head, "findings").unwrap();
                for n in &names {
                    doc.element(&pretty_at(&elem(n), 2).unwrap()).unwrap();
                }
                doc.end(&After {
                    summary: vec![3],
                    extra,
                })
                .unwrap();
                assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(expected).unwrap());
            }
        }
    }

    /// Nothing before or after the array.
    #[test]
    fn spliced_array_alone() {
        #[derive(Serialize)]
        struct Only {
            findings: Vec<Elem>,
        }
        for names in [vec![], vec!["a", "b"]] {
            let mut expected = serde_json::to_vec_pretty(&Only {
                findings: names.iter().map(|n| elem(n)).collect(),
            })
            .unwrap();
            expected.push(b'\n');
            let mut got = Vec::new();
            let mut doc = Spliced::start(&mut got, &Nothing {}, "findings").unwrap();
            for n in &names {
                doc.element(&pretty_at(&elem(n), 2).unwrap()).unwrap();
            }
            doc.end(&Nothing {}).unwrap();
            assert_eq!(String::from_utf8(got).unwrap(), String::from_utf8(expected).unwrap());
        }
    }
}
