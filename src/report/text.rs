//! rustc/ruff-style text: the finding, the YAML lines with the span underlined, help and a
//! link to the rule's documentation, then a summary.

use super::{LineIndex, ReportCx, counts, remediation};
use crate::engine::{Finding, Related, Severity, meta};
use crate::source::{FileId, Loc, Span};
use annotate_snippets::{AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet};
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    use rayon::prelude::*;
    let renderer = if cx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Findings come sorted by file. Each file's findings are rendered on their own (its
    // text read once, and the texts of related files), several files in parallel, and
    // written in order; a bounded number of files at a time, so output is not all held.
    const FILES_AT_ONCE: usize = 64;
    let findings = &cx.outcome.findings;
    let mut groups: Vec<&[Finding]> = Vec::new();
    let mut start = 0;
    for i in 1..=findings.len() {
        if i == findings.len() || findings[i].loc().file != findings[start].loc().file {
            groups.push(&findings[start..i]);
            start = i;
        }
    }
    for chunk in groups.chunks(FILES_AT_ONCE) {
        let texts: Vec<String> = chunk.par_iter().map(|g| render_file(cx, &renderer, g)).collect();
        for t in texts {
            w.write_all(t.as_bytes())?;
        }
    }
    if !cx.quiet {
        summary(cx, w)?;
    }
    Ok(())
}

/// The findings of one file, rendered.
fn render_file(cx: &ReportCx<'_>, renderer: &Renderer, findings: &[Finding]) -> String {
    use std::fmt::Write as _;
    let mut cache: HashMap<FileId, Option<(Arc<str>, LineIndex)>> = HashMap::new();
    let mut out = String::new();
    for f in findings {
        let needed = std::iter::once(f.loc().file).chain(f.related.iter().map(|r| r.loc.file));
        for id in needed {
            cache.entry(id).or_insert_with(|| {
                cx.files.text(id).map(|t| {
                    let idx = LineIndex::new(&t);
                    (t, idx)
                })
            });
        }
        let report = finding_report(cx, f, &cache);
        let _ = writeln!(out, "{}\n", renderer.render(&report));
    }
    out
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    }
}

fn finding_report<'a>(
    cx: &'a ReportCx<'_>,
    f: &'a Finding,
    cache: &'a HashMap<FileId, Option<(Arc<str>, LineIndex)>>,
) -> Vec<Group<'a>> {
    // Every value that may be secret is hidden from every snippet, whatever ran.
    let masks = |file: FileId| cx.outcome.masks.get(&file).map_or(&[][..], Vec::as_slice);
    let loc = f.loc();
    let title = level(f.severity).primary_title(f.message.as_str()).id(f.rule);
    let mut elements: Vec<Element<'a>> = Vec::new();
    // Related locations a few lines from the finding share its snippet; farther ones (and
    // those in other files) get their own, so a snippet never spans a whole file.
    const NEAR: u32 = 10;
    let near = |r: &Related| {
        r.loc.file == loc.file
            && r.loc.span.start.line + NEAR >= loc.span.start.line
            && r.loc.span.end.line <= loc.span.end.line + NEAR
    };
    let same_file: Vec<_> = f.related.iter().filter(|r| near(r)).collect();
    match cache.get(&loc.file).and_then(|c| c.as_ref()) {
        Some((text, index)) => {
            let first = same_file
                .iter()
                .map(|r| r.loc.span.start.line)
                .fold(loc.span.start.line, u32::min);
            let last = same_file
                .iter()
                .map(|r| r.loc.span.end.line)
                .fold(loc.span.end.line, u32::max);
            let range = index.lines(text, first, last);
            let slice: Cow<'a, str> = mask(&text[range.clone()], range.start, masks(loc.file));
            let len = slice.len();
            let mut snippet = Snippet::source(slice)
                .line_start(first as usize)
                .path(cx.files.display(loc.file))
                .annotation(annotation(
                    AnnotationKind::Primary,
                    loc,
                    range.start,
                    len,
                    f.shown_label(),
                ));
            for r in &same_file {
                snippet = snippet.annotation(annotation(
                    AnnotationKind::Context,
                    r.loc,
                    range.start,
                    len,
                    Some(r.message.clone()),
                ));
            }
            elements.push(snippet.into());
        }
        None => {
            elements.push(
                Origin::path(cx.files.display(loc.file))
                    .line(loc.span.start.line as usize)
                    .char_column(loc.span.start.col as usize)
                    .into(),
            );
        }
    }
    for r in f.related.iter().filter(|r| !near(r)) {
        match cache.get(&r.loc.file).and_then(|c| c.as_ref()) {
            Some((text, index)) => {
                let range = index.lines(text, r.loc.span.start.line, r.loc.span.end.line);
                let slice: Cow<'a, str> = mask(&text[range.clone()], range.start, masks(r.loc.file));
                let len = slice.len();
                elements.push(
                    Snippet::source(slice)
                        .line_start(r.loc.span.start.line as usize)
                        .path(cx.files.display(r.loc.file))
                        .annotation(annotation(
                            AnnotationKind::Context,
                            r.loc,
                            range.start,
                            len,
                            Some(r.message.clone()),
                        ))
                        .into(),
                );
            }
            None => {
                elements.push(
                    Level::NOTE
                        .message(format!(
                            "{}: {}:{}",
                            r.message,
                            cx.files.display(r.loc.file),
                            r.loc.span
                        ))
                        .into(),
                );
            }
        }
    }
    if let Some(help) = &f.help {
        elements.push(Level::HELP.message(help.as_str()).into());
    }
    if let Some(fix) = remediation(f.rule) {
        elements.push(Level::HELP.message(fix).into());
    }
    if let Some(m) = meta(f.rule) {
        elements.push(Level::NOTE.message(format!("see {}", m.url())).into());
    }
    vec![title.elements(elements)]
}

fn annotation<'a>(
    kind: AnnotationKind,
    loc: Loc,
    base: usize,
    len: usize,
    label: Option<String>,
) -> annotate_snippets::Annotation<'a> {
    let start = (loc.span.start.byte as usize).saturating_sub(base).min(len);
    let end = (loc.span.end.byte as usize).saturating_sub(base).clamp(start, len);
    let a = kind.span(start..end);
    match label {
        Some(l) => a.label(l),
        None => a,
    }
}

/// The snippet text with masked spans replaced by `*` (as many bytes as each character, so
/// that offsets and underlines stay in place; line breaks are kept), and line breaks
/// written as a lone carriage return (which YAML counts as one) turned into line feeds.
fn mask<'a>(slice: &'a str, base: usize, masks: &[Span]) -> Cow<'a, str> {
    let end = base + slice.len();
    let mut hits: Vec<(usize, usize)> = masks
        .iter()
        .map(|m| (m.start.byte as usize, m.end.byte as usize))
        .filter(|(s, e)| *s < end && *e > base)
        .collect();
    // In order and merged, so that one cursor walks them with the text.
    hits.sort_unstable();
    hits.dedup_by(|next, kept| {
        let overlaps = next.0 <= kept.1;
        if overlaps {
            kept.1 = kept.1.max(next.1);
        }
        overlaps
    });
    let lone_cr = slice.contains('\r') && slice.as_bytes().windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n')
        || slice.ends_with('\r');
    if hits.is_empty() && !lone_cr {
        return Cow::Borrowed(slice);
    }
    let bytes = slice.as_bytes();
    let mut out = String::with_capacity(slice.len());
    let mut next = 0;
    for (i, c) in slice.char_indices() {
        let at = base + i;
        while next < hits.len() && hits[next].1 <= at {
            next += 1;
        }
        let hidden = next < hits.len() && hits[next].0 <= at;
        if c == '\r' && bytes.get(i + 1) != Some(&b'\n') {
            out.push('\n');
        } else if c != '\n' && c != '\r' && hidden {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn summary(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    let o = cx.outcome;
    let (e, wa, i) = counts(&o.findings);
    let n = o.findings.len();
    let plural = |n: usize, s: &str, p: &str| if n == 1 { s.to_string() } else { p.to_string() };
    if n == 0 {
        write!(w, "No findings")?;
    } else {
        write!(
            w,
            "Found {n} {}: {e} {}, {wa} {}, {i} info",
            plural(n, "finding", "findings"),
            plural(e, "error", "errors"),
            plural(wa, "warning", "warnings"),
        )?;
    }
    if o.suppressed > 0 {
        write!(w, " ({} suppressed)", o.suppressed)?;
    }
    let s = &o.stats;
    writeln!(
        w,
        ". Checked {} {}, {} {} in {:.2}s.",
        s.files,
        plural(s.files, "file", "files"),
        s.objects,
        plural(s.objects, "object", "objects"),
        cx.elapsed.as_secs_f64()
    )?;
    if s.skipped_documents > 0 {
        writeln!(
            w,
            "Skipped {} YAML {} without `apiVersion` and `kind` (not Kubernetes objects).",
            s.skipped_documents,
            plural(s.skipped_documents, "document", "documents")
        )?;
    }
    Ok(())
}
