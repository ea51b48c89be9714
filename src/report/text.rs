//! rustc/ruff-style text, grouped by object: a header per object, then its findings with
//! the YAML lines and the spans underlined. Findings on the same span share one snippet
//! (the Pod Security checks of one container, say), a rule's remediation and documentation
//! link are shown with its first finding, and a summary closes the run.

use super::{LineIndex, ReportCx, counts, remediation};
use crate::engine::{Applicability, Finding, Related, Severity, meta};
use crate::model::ObjectRef;
use crate::source::{FileId, Loc, Span};
use annotate_snippets::{AnnotationKind, Element, Group, Level, Origin, Renderer, Snippet};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;

/// Related locations shown per finding; `--format json` lists them all.
const RELATED_SHOWN: usize = 8;

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    let renderer = if cx.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    // Findings come sorted by file. Each file's findings are rendered on their own (its
    // text read once, and the texts of related files), several files in parallel, and
    // written in order; a bounded number of files and findings at a time, so output is not
    // all held. A file with many findings is rendered in runs of whole objects, so that
    // threads share it and its output is not all held either.
    const FILES_AT_ONCE: usize = 64;
    const FINDINGS_AT_ONCE: usize = 1 << 13;
    const FINDINGS_PER_RUN: usize = 1 << 10;
    let findings = &cx.outcome.findings;
    // The first finding of each rule carries its remediation and documentation link.
    let mut seen = HashSet::new();
    let explained: HashSet<usize> = (0..findings.len()).filter(|i| seen.insert(findings[*i].rule)).collect();
    let mut jobs: Vec<(usize, &[Finding])> = Vec::new();
    let mut start = 0;
    for i in 1..=findings.len() {
        if i == findings.len() || findings[i].loc().file != findings[start].loc().file {
            jobs.extend(runs_of_objects(start, &findings[start..i], FINDINGS_PER_RUN));
            start = i;
        }
    }
    // The text of a file that several runs show (a file rendered in several runs, a file
    // findings of other files point into) is read and indexed once for the runs rendered
    // at once, and kept while they are.
    let mut shared: HashMap<FileId, Loaded> = HashMap::new();
    let mut rest = &jobs[..];
    while !rest.is_empty() {
        let mut n = 0;
        let mut held = 0;
        while n < rest.len() && n < FILES_AT_ONCE && (n == 0 || held + rest[n].1.len() <= FINDINGS_AT_ONCE) {
            held += rest[n].1.len();
            n += 1;
        }
        let (slice, later) = rest.split_at(n);
        rest = later;
        let mut runs_showing: HashMap<FileId, usize> = HashMap::new();
        for (_, g) in slice {
            let shown: HashSet<FileId> = g.iter().flat_map(shown_files).collect();
            for file in shown {
                *runs_showing.entry(file).or_default() += 1;
            }
        }
        shared.retain(|file, _| runs_showing.get(file).is_some_and(|n| *n > 1));
        let missing: Vec<FileId> = runs_showing
            .iter()
            .filter(|(file, n)| **n > 1 && !shared.contains_key(*file))
            .map(|(file, _)| *file)
            .collect();
        shared.extend(
            missing
                .into_par_iter()
                .map(|file| (file, load(cx, file)))
                .collect::<Vec<_>>(),
        );
        // The files with the most findings first.
        let texts: Vec<String> = crate::engine::par::largest_first(
            slice.to_vec(),
            |(_, g)| g.len(),
            |(first, g)| render_file(cx, &renderer, first, g, &explained, &shared),
        );
        for t in texts {
            w.write_all(t.as_bytes())?;
        }
    }
    if !cx.quiet {
        summary(cx, w)?;
    }
    Ok(())
}

/// `file:line:col: severity[rule] message`, one line per finding (for grep and editors).
pub fn render_concise(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    for f in &cx.outcome.findings {
        let loc = f.loc();
        writeln!(
            w,
            "{}:{}:{}: {}[{}] {}",
            cx.files.display(loc.file),
            loc.span.start.line,
            loc.span.start.col,
            f.severity,
            f.rule,
            f.message.replace('\n', " ")
        )?;
    }
    if !cx.quiet {
        summary(cx, w)?;
    }
    Ok(())
}

/// `Deployment shop/frontend`, with control characters escaped (names come from the
/// repository).
fn object_name(o: &ObjectRef) -> String {
    let name = o.name.as_deref().unwrap_or("(no name)");
    let text = match &o.namespace {
        Some(ns) => format!("{} {ns}/{name}", o.kind),
        None => format!("{} {name}", o.kind),
    };
    crate::engine::printable(text)
}

/// A file's text and where its lines start; `None` when it cannot be read.
type Loaded = Option<Arc<(Arc<str>, LineIndex)>>;

fn load(cx: &ReportCx<'_>, id: FileId) -> Loaded {
    cx.files.text(id).map(|t| {
        let index = LineIndex::new(&t);
        Arc::new((t, index))
    })
}

/// One file's findings (from index `first` of the run's) in runs of at least `size`
/// findings (the last may have fewer), cut only where no object has findings on both
/// sides: a run groups its findings by object as the whole file would, in the same order.
fn runs_of_objects(first: usize, findings: &[Finding], size: usize) -> Vec<(usize, &[Finding])> {
    if findings.len() <= size {
        return vec![(first, findings)];
    }
    let mut last: HashMap<Option<(FileId, u32)>, usize> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        last.insert(object_key(f), i);
    }
    let mut runs = Vec::new();
    let (mut start, mut reach) = (0, 0);
    for (i, f) in findings.iter().enumerate() {
        reach = reach.max(last[&object_key(f)]);
        if reach == i && i + 1 - start >= size && i + 1 < findings.len() {
            runs.push((first + start, &findings[start..=i]));
            start = i + 1;
        }
    }
    runs.push((first + start, &findings[start..]));
    runs
}

/// The files whose text a finding's snippets may show: its own, and those of the related
/// locations shown.
fn shown_files(f: &Finding) -> impl Iterator<Item = FileId> + '_ {
    std::iter::once(f.loc().file).chain(f.more().related.iter().take(RELATED_SHOWN).map(|r| r.loc.file))
}

/// The object a finding is grouped under.
fn object_key(f: &Finding) -> Option<(FileId, u32)> {
    f.object.as_ref().map(|o| (o.file, o.index))
}

/// The findings of one file (or of a run of its objects), rendered: by object (in order of
/// their first finding), then by span. `shared` holds texts already read.
fn render_file(
    cx: &ReportCx<'_>,
    renderer: &Renderer,
    first: usize,
    findings: &[Finding],
    explained: &HashSet<usize>,
    shared: &HashMap<FileId, Loaded>,
) -> String {
    use std::fmt::Write as _;
    let mut cache: HashMap<FileId, Loaded> = HashMap::new();
    let key = object_key;
    let mut order: Vec<Option<(FileId, u32)>> = Vec::new();
    let mut by_object: HashMap<Option<(FileId, u32)>, Vec<usize>> = HashMap::new();
    for (i, f) in findings.iter().enumerate() {
        let k = key(f);
        let list = by_object.entry(k).or_default();
        if list.is_empty() {
            order.push(k);
        }
        list.push(i);
    }
    let mut out = String::new();
    for k in order {
        let members = &by_object[&k];
        let head = &findings[members[0]];
        let loc = head.loc();
        let place = format!("{}:{}", cx.files.display(loc.file), loc.span.start.line);
        let _ = match &head.object {
            Some(o) if k.is_some() => writeln!(out, "── {} ── {place}", object_name(o)),
            _ => writeln!(out, "── {place}"),
        };
        // Findings on the same span share a snippet.
        let mut clusters: Vec<Vec<usize>> = Vec::new();
        let mut at: BTreeMap<(u32, u32), usize> = BTreeMap::new();
        for &i in members {
            let span = findings[i].loc().span;
            match at.get(&(span.start.byte, span.end.byte)) {
                Some(c) => clusters[*c].push(i),
                None => {
                    at.insert((span.start.byte, span.end.byte), clusters.len());
                    clusters.push(vec![i]);
                }
            }
        }
        for cluster in clusters {
            let fs: Vec<&Finding> = cluster.iter().map(|i| &findings[*i]).collect();
            for f in &fs {
                for id in shown_files(f) {
                    cache
                        .entry(id)
                        .or_insert_with(|| shared.get(&id).cloned().unwrap_or_else(|| load(cx, id)));
                }
            }
            let explain: Vec<bool> = cluster.iter().map(|i| explained.contains(&(first + i))).collect();
            let report = cluster_report(cx, &fs, &explain, &cache);
            let _ = writeln!(out, "{}\n", renderer.render(&report));
        }
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

fn cluster_report<'a>(
    cx: &'a ReportCx<'_>,
    fs: &[&'a Finding],
    explain: &[bool],
    cache: &'a HashMap<FileId, Loaded>,
) -> Vec<Group<'a>> {
    // Every value that may be secret is hidden from every snippet, whatever ran.
    let masks = |file: FileId| cx.outcome.masks.get(&file).map_or(&[][..], Vec::as_slice);
    let f = fs[0];
    let loc = f.loc();
    let headline: Cow<'a, str> = if cx.fix_policy.would_apply(f) {
        Cow::Owned(format!("{} [*]", f.message))
    } else {
        Cow::Borrowed(&*f.message)
    };
    let title = level(f.severity).primary_title(headline).id(f.rule.as_str());
    let mut elements: Vec<Element<'a>> = Vec::new();
    // Related locations, once each, the first few per finding.
    let mut related: Vec<&'a Related> = Vec::new();
    let mut hidden = 0;
    for g in fs {
        let mut shown = 0;
        for r in &g.more().related {
            if related.iter().any(|k| k.loc == r.loc && k.message == r.message) {
                continue;
            }
            if shown == RELATED_SHOWN {
                hidden += 1;
                continue;
            }
            shown += 1;
            related.push(r);
        }
    }
    // Related locations a few lines from the finding share its snippet; farther ones (and
    // those in other files) get their own, so a snippet never spans a whole file.
    const NEAR: u32 = 10;
    let near = |r: &Related| {
        r.loc.file == loc.file
            && r.loc.span.start.line + NEAR >= loc.span.start.line
            && r.loc.span.end.line <= loc.span.end.line + NEAR
    };
    let same_file: Vec<_> = related.iter().filter(|r| near(r)).collect();
    let label = |g: &Finding| match (fs.len(), g.shown_label()) {
        (1, l) => l,
        (_, Some(l)) => Some(format!("[{}] {l}", g.rule)),
        (_, None) => Some(format!("[{}]", g.rule)),
    };
    match cache.get(&loc.file).and_then(|c| c.as_deref()) {
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
            // The object's header names the file: the snippet shows line numbers only.
            let mut snippet = Snippet::source(slice).line_start(first as usize);
            for g in fs {
                snippet = snippet.annotation(annotation(AnnotationKind::Primary, loc, range.start, len, label(g)));
            }
            for r in &same_file {
                snippet = snippet.annotation(annotation(
                    AnnotationKind::Context,
                    r.loc,
                    range.start,
                    len,
                    Some(r.message.to_string()),
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
    for r in related.iter().filter(|r| !near(r)) {
        match cache.get(&r.loc.file).and_then(|c| c.as_deref()) {
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
                            Some(r.message.to_string()),
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
    if hidden > 0 {
        elements.push(
            Level::NOTE
                .message(format!(
                    "{hidden} more related locations (`--format json` lists them all)"
                ))
                .into(),
        );
    }
    for (g, explain) in fs.iter().zip(explain) {
        if let Some(help) = &g.more().help {
            elements.push(Level::HELP.message(help.as_str()).into());
        }
        if let (Some(fix), Some(a)) = (g.fix.as_deref(), cx.fix_policy.applicability(g)) {
            let name = match a {
                Applicability::Unsafe if !cx.fix_policy.applies(a) => "fix (unsafe, --unsafe-fixes)",
                Applicability::Unsafe => "fix (unsafe)",
                Applicability::Safe => "fix (safe)",
                Applicability::DisplayOnly => "fix (not applied)",
            };
            elements.push(Level::NOTE.with_name(name).message(&*fix.title).into());
        } else if let Some(why) = &g.more().not_fixable {
            elements.push(Level::NOTE.with_name("no fix").message(why.as_str()).into());
        }
        if *explain {
            if let Some(fix) = remediation(g.rule.as_str()) {
                elements.push(Level::HELP.message(fix).into());
            }
            if let Some(m) = meta(g.rule.as_str()) {
                let see = m.url().unwrap_or_else(|| format!("`plimsoll explain {}`", m.id));
                elements.push(Level::NOTE.message(format!("see {see}")).into());
            }
        }
    }
    let mut groups = vec![title.elements(elements)];
    for g in &fs[1..] {
        groups.push(Group::with_title(
            level(g.severity).secondary_title(&*g.message).id(g.rule.as_str()),
        ));
    }
    groups
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
    if n > 0 {
        // The rules that found the most, the objects and namespaces they concern, and
        // where to look next.
        let mut by_rule: HashMap<&str, (usize, Severity)> = HashMap::new();
        let mut objects = HashSet::new();
        let mut namespaces = HashSet::new();
        for f in &o.findings {
            let r = by_rule.entry(f.rule.as_str()).or_insert((0, f.severity));
            r.0 += 1;
            r.1 = r.1.max(f.severity);
            if let Some(obj) = &f.object {
                objects.insert((obj.file, obj.index));
                namespaces.insert(obj.namespace.as_deref().unwrap_or(""));
            }
        }
        let mut top: Vec<(&str, usize, Severity)> = by_rule.into_iter().map(|(r, (n, s))| (r, n, s)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        writeln!(w, "Most frequent:")?;
        for (rule, count, severity) in top.iter().take(5) {
            writeln!(w, "  {count:>6}  {severity:<7}  {rule}")?;
        }
        if top.len() > 5 {
            writeln!(
                w,
                "  and {} more {}",
                top.len() - 5,
                plural(top.len() - 5, "rule", "rules")
            )?;
        }
        if !objects.is_empty() {
            write!(
                w,
                "In {} {} of {} {}. ",
                objects.len(),
                plural(objects.len(), "object", "objects"),
                namespaces.len(),
                plural(namespaces.len(), "namespace", "namespaces"),
            )?;
        }
        writeln!(
            w,
            "Next: `plimsoll explain {}`, or one family at a time: `--select {}`; `--format concise` for one line each.",
            top[0].0,
            meta(top[0].0).map_or("pss", |m| m.family.as_str()),
        )?;
    }
    if let Some(s) = cx.fix_summary {
        fix_summary(s, w)?;
    }
    if let Some(b) = &cx.narrowing.baseline {
        writeln!(w, "{}", crate::source::escape_control(&super::baseline_line(b)))?;
    }
    if let Some(c) = &cx.narrowing.changed_since {
        writeln!(w, "{}", crate::source::escape_control(&super::changed_line(c)))?;
    }
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
    let (now, more) = super::fixable(cx);
    if cx.fix_summary.is_none() {
        match (now, more) {
            (0, 0) => {}
            (0, m) => write!(w, "; {m} fixable with `--fix --unsafe-fixes`")?,
            (n, 0) => write!(w, "; {n} fixable with `--fix`")?,
            (n, m) => write!(w, "; {n} fixable with `--fix` ({m} more with `--unsafe-fixes`)")?,
        }
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

/// What `--fix` did: how many findings it fixed, where, in how many passes, and the fixes
/// it did not apply, with why.
fn fix_summary(s: &crate::engine::fix::FixSummary, w: &mut dyn Write) -> io::Result<()> {
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let fixed = s.safe + s.unsafe_;
    let files = s.files_changed.len();
    writeln!(
        w,
        "Applied {fixed} {} ({} safe, {} unsafe) to {files} {} in {} {}.",
        plural(fixed, "fix", "fixes"),
        s.safe,
        s.unsafe_,
        plural(files, "file", "files"),
        s.passes,
        plural(s.passes, "pass", "passes"),
    )?;
    if s.did_not_converge {
        writeln!(
            w,
            "Fixes did not converge: the last verified state was kept (please report this, with the files named below)."
        )?;
    }
    if !s.not_applied.is_empty() {
        writeln!(w, "Not applied:")?;
        for n in &s.not_applied {
            writeln!(w, "  {}:{}: {}: {}", n.path, n.line, n.rule, n.reason)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Pos;

    /// A finding about object `object` (none when `None`) of file 0.
    fn about(object: Option<u32>) -> Finding {
        let o = object.map(|i| {
            Arc::new(ObjectRef {
                file: FileId(0),
                index: i,
                doc: i,
                prefix: "".into(),
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                namespace: None,
                name: Some(format!("app-{i}").into()),
            })
        });
        let at = Pos::default();
        let loc = Loc {
            file: FileId(0),
            span: Span::new(at, at),
        };
        Finding::new("test", Severity::Info, String::new(), loc.into(), o)
    }

    /// Cuts fall only between objects, never inside one, and the runs cover the file in
    /// order.
    #[test]
    fn a_file_is_cut_into_runs_of_whole_objects() {
        // Objects 0 and 1 interleave, so no cut may fall between their findings; so do the
        // findings about no object (-1).
        let objects = [0, 1, 0, 1, 2, 2, -1, 3, -1, 4];
        let findings: Vec<Finding> = objects.iter().map(|o| about(u32::try_from(*o).ok())).collect();
        let runs = runs_of_objects(10, &findings, 2);
        let lens: Vec<(usize, usize)> = runs.iter().map(|(first, r)| (*first, r.len())).collect();
        assert_eq!(lens, [(10, 4), (14, 2), (16, 3), (19, 1)]);
        let whole = runs_of_objects(10, &findings, 100);
        assert_eq!(whole.len(), 1);
        assert_eq!(whole[0].1.len(), findings.len());
        // No cut when one object has findings at both ends.
        let findings: Vec<Finding> = [0, 1, 2, 0].into_iter().map(|o| about(Some(o))).collect();
        assert_eq!(runs_of_objects(0, &findings, 1).len(), 1);
    }
}
