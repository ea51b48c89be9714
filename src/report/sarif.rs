//! SARIF 2.1.0, as GitHub code scanning accepts it: relative URIs under `%SRCROOT%`, full
//! regions in Unicode code points, one rule descriptor per rule that ran (with help and
//! `helpUri`), logical locations for the object and route, and `partialFingerprints` that
//! survive line shifts.
//!
//! Within GitHub's limits: at most [`MAX_RESULTS`] results (the most severe first; a run
//! notification says how many were left out), `fullDescription` at most 1,024 characters,
//! related locations linked from the message (GitHub shows them only then), URIs relative
//! to the repository's top level.

use super::ReportCx;
use crate::engine::{Finding, Severity, meta};
use crate::source::Loc;
use serde_sarif::sarif::{
    ArtifactChange, ArtifactContent, ArtifactLocation, Fix as SarifFix, Invocation, Location, LogicalLocation, Message,
    MultiformatMessageString, Notification, PhysicalLocation, PropertyBag, Region, Replacement, ReportingConfiguration,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Results GitHub code scanning shows per upload (it rejects runs of more than 25,000).
pub const MAX_RESULTS: usize = 5000;
/// The longest `fullDescription` GitHub accepts.
const MAX_FULL_DESCRIPTION: usize = 1024;
/// Related locations kept per result (GitHub's limit is 1,000), and linked from a message.
const MAX_RELATED: usize = 1000;
const MAX_LINKED: usize = 10;

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    let rule_index: HashMap<&str, usize> = cx.rules.iter().enumerate().map(|(i, (r, _))| (*r, i)).collect();
    let rules: Vec<ReportingDescriptor> = cx.rules.iter().map(|(id, sev)| descriptor(id, *sev)).collect();
    let root = Root::find();
    let total = cx.outcome.findings.len();
    let mut kept: Vec<usize> = (0..total).collect();
    let mut invocation = Invocation::builder().execution_successful(true).build();
    if total > MAX_RESULTS {
        // The most severe first; among equals, the order of the findings (file, position).
        kept.sort_by_key(|i| std::cmp::Reverse(cx.outcome.findings[*i].severity));
        kept.truncate(MAX_RESULTS);
        invocation.tool_execution_notifications = Some(vec![
            Notification::builder()
                .level(serde_json::json!("warning"))
                .message(
                    Message::builder()
                        .text(format!(
                            "{} of {total} results left out: code scanning shows at most {MAX_RESULTS} per upload, so the most severe are kept. `plimsoll check --format json` lists every finding.",
                            total - MAX_RESULTS
                        ))
                        .build(),
                )
                .build(),
        ]);
    }
    // Fingerprints count earlier findings with the same key, so keys are counted over every
    // finding in order (by their digest); a fingerprint is written out only for the
    // findings kept.
    let mut is_kept = vec![false; total];
    for i in &kept {
        is_kept[*i] = true;
    }
    let mut lines = Lines::default();
    let mut seen: HashMap<[u8; 16], usize> = HashMap::new();
    let mut fingerprints: HashMap<usize, String> = HashMap::with_capacity(kept.len());
    for (i, f) in cx.outcome.findings.iter().enumerate() {
        let key = fingerprint(cx, f, &mut lines);
        let n = seen.entry(key).or_insert(0);
        *n += 1;
        if is_kept[i] {
            fingerprints.insert(i, format!("{}:{n}", hex(&key)));
        }
    }
    // Fixes are lowered in parallel a file at a time, so that each document they edit is
    // parsed once; results keep their order.
    use rayon::prelude::*;
    let mut by_file: BTreeMap<crate::source::FileId, Vec<usize>> = BTreeMap::new();
    for (k, i) in kept.iter().enumerate() {
        let f = &cx.outcome.findings[*i];
        if let Some(x) = &f.fix
            && cx
                .fix_policy
                .applicability(f)
                .is_some_and(|a| a != crate::engine::Applicability::DisplayOnly)
        {
            by_file.entry(x.file).or_default().push(k);
        }
    }
    // A file with many fixes is lowered in slices, in parallel, each with a copy of a
    // lowering that read the file once.
    const FIXES_AT_ONCE: usize = 4096;
    let mut jobs: Vec<(crate::engine::fix::Lowering, &[usize])> = Vec::new();
    for (file, ks) in &by_file {
        let mut lowering = crate::engine::fix::Lowering::default();
        if ks.len() > FIXES_AT_ONCE {
            lowering.read(cx.files, *file);
        }
        jobs.extend(ks.chunks(FIXES_AT_ONCE).map(|c| (lowering.clone(), c)));
    }
    let lowered: Vec<Vec<(usize, Option<SarifFix>)>> = jobs
        .into_par_iter()
        .with_max_len(1)
        .map(|(mut lowering, ks)| {
            let found: Vec<&Finding> = ks.iter().map(|k| &cx.outcome.findings[kept[*k]]).collect();
            let fixes = lowering.for_findings(cx.files, &found);
            ks.iter()
                .zip(found)
                .zip(fixes)
                .map(|((k, f), l)| (*k, fix(cx, &root, f, l, &mut lowering)))
                .collect()
        })
        .collect();
    let mut fixes: Vec<Option<SarifFix>> = (0..kept.len()).map(|_| None).collect();
    for (k, x) in lowered.into_iter().flatten() {
        fixes[k] = x;
    }
    let results: Vec<SarifResult> = kept
        .par_iter()
        .zip(fixes)
        .map(|(i, x)| {
            let f = &cx.outcome.findings[*i];
            let mut r = result(cx, &root, f, rule_index.get(f.rule.as_str()).copied(), &fingerprints[i]);
            r.fixes = x.map(|x| vec![x]);
            r
        })
        .collect();

    let mut base_ids = BTreeMap::new();
    let mut uri = format!("file://{}", uri_path(&root.dir.to_string_lossy()));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    base_ids.insert(SRCROOT.to_string(), ArtifactLocation::builder().uri(uri).build());
    let driver = ToolComponent::builder()
        .name("plimsoll")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://plimsoll.dev")
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id("plimsoll/").build())
        .invocations(vec![invocation])
        .results(results)
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .original_uri_base_ids(base_ids)
        .build();
    let sarif = Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *w, &sarif)?;
    writeln!(w)
}

/// What URIs are relative to: the top level of the git repository that holds the working
/// directory, else the working directory.
struct Root {
    dir: PathBuf,
    cwd: PathBuf,
}

impl Root {
    fn find() -> Root {
        let cwd = std::env::current_dir().unwrap_or_default();
        let dir = crate::discover::work_tree(&cwd).to_path_buf();
        Root { dir, cwd }
    }

    /// A displayed path as a URI: relative to the root when the file is under it, else
    /// absolute.
    fn artifact(&self, display: &str) -> ArtifactLocation {
        let path = Path::new(display);
        let absolute = crate::discover::kustomize::normalize(&if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.cwd.join(path)
        });
        match absolute.strip_prefix(&self.dir) {
            Ok(rel) => ArtifactLocation::builder()
                .uri(uri_path(&rel.to_string_lossy().replace('\\', "/")))
                .uri_base_id(SRCROOT)
                .build(),
            Err(_) => ArtifactLocation::builder()
                .uri(format!(
                    "file://{}",
                    uri_path(&absolute.to_string_lossy().replace('\\', "/"))
                ))
                .build(),
        }
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn level_str(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's numeric security severity: critical (≥ 9.0) for the errors of the worst holes,
/// high, medium and low for errors, warnings and advice.
fn security_severity(s: Severity, critical: bool) -> &'static str {
    match s {
        Severity::Error if critical => "9.5",
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "2.0",
    }
}

/// GitHub's `problem.severity` for rules that are not about security.
fn problem_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "recommendation",
    }
}

/// The descriptor of a rule as configured (`severity`: its effective severity).
fn descriptor(id: &str, severity: Severity) -> ReportingDescriptor {
    let Some(m) = meta(id) else {
        return ReportingDescriptor::builder().id(id).build();
    };
    let text = |s: &str| MultiformatMessageString::builder().text(s.trim()).build();
    let help_text = format!(
        "{}\n\n{}\n\nRemediation: {}",
        m.summary,
        m.rationale.trim(),
        m.remediation.trim()
    );
    let help_md = format!(
        "**{}**\n\n{}\n\n**Remediation.** {}\n\n[Documentation]({})",
        m.summary,
        m.rationale.trim(),
        m.remediation.trim(),
        m.url().unwrap_or_else(|| format!("plimsoll explain {}", m.id))
    );
    let full = if m.rationale.trim().chars().count() <= MAX_FULL_DESCRIPTION {
        m.rationale.trim()
    } else {
        m.summary.as_str()
    };
    let mut props = BTreeMap::new();
    let mut tags = vec![m.family.clone()];
    if let Some(pss) = &m.pss {
        tags.push(format!("pss-{}", pss.level));
    }
    if m.custom.is_some() {
        tags.push("custom".to_string());
    }
    if m.is_security() {
        tags.push("security".to_string());
        props.insert(
            "security-severity".to_string(),
            serde_json::json!(security_severity(severity, m.critical)),
        );
    } else {
        props.insert(
            "problem.severity".to_string(),
            serde_json::json!(problem_severity(severity)),
        );
    }
    props.insert("precision".to_string(), serde_json::json!(m.precision.as_str()));
    let mut descriptor = ReportingDescriptor::builder()
        .id(id)
        .name(camel(id))
        .short_description(text(&m.summary))
        .full_description(text(full))
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level_str(severity)))
                .enabled(m.enabled)
                .build(),
        )
        .properties(PropertyBag::builder().tags(tags).additional_properties(props).build())
        .build();
    // A custom rule without `docs_url` has no page to link.
    descriptor.help_uri = m.url();
    descriptor
}

/// `pss-privileged` → `PssPrivileged` (SARIF `name`).
fn camel(id: &str) -> String {
    id.split('-')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn location(root: &Root, loc: Loc, file: &crate::engine::FileEntry, message: Option<&str>) -> Location {
    let s = loc.span;
    // SARIF regions are 1-based and end after the last character; an empty span (a point)
    // keeps start == end.
    let region = Region::builder()
        .start_line(s.start.line as i64)
        .start_column(s.start.col as i64)
        .end_line(s.end.line as i64)
        .end_column(s.end.col as i64)
        .build();
    let artifact = root.artifact(&file.display);
    // Positions in rendered output (a Helm template) are not lines of the file: the
    // location is the file alone.
    let physical = if file.rendered {
        PhysicalLocation::builder().artifact_location(artifact).build()
    } else {
        PhysicalLocation::builder()
            .artifact_location(artifact)
            .region(region)
            .build()
    };
    let mut l = Location::builder().physical_location(physical).build();
    if let Some(m) = message {
        l.message = Some(Message::builder().text(m).build());
    }
    l
}

/// Percent-encodes what a URI path may not contain.
fn uri_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'@' | b'+' | b'=' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn result(cx: &ReportCx<'_>, root: &Root, f: &Finding, index: Option<usize>, fingerprint: &str) -> SarifResult {
    let loc = f.loc();
    let mut physical = location(root, loc, cx.files.get(loc.file), f.shown_label().as_deref());
    if let Some(o) = &f.object {
        let object = match &o.namespace {
            Some(ns) => format!("{}/{}/{}", o.kind, ns, o.name.as_deref().unwrap_or("")),
            None => format!("{}/{}", o.kind, o.name.as_deref().unwrap_or("")),
        };
        let mut logical = vec![
            LogicalLocation::builder()
                .name(o.name.as_deref().unwrap_or_default().to_string())
                .fully_qualified_name(object.clone())
                .kind("object")
                .build(),
        ];
        if let Some(route) = f.target.route() {
            logical.push(
                LogicalLocation::builder()
                    .name(route.to_string())
                    .fully_qualified_name(format!("{object}#{route}"))
                    .kind("member")
                    .build(),
            );
        }
        physical.logical_locations = Some(logical);
    }
    let mut message = f.message.to_string();
    if let Some(h) = &f.more().help {
        message.push_str(&format!(" ({h})"));
    }
    let related = &f.more().related[..f.more().related.len().min(MAX_RELATED)];
    // GitHub shows related locations only when the message links them: `[text](id)`.
    if !related.is_empty() {
        let links: Vec<String> = related
            .iter()
            .take(MAX_LINKED)
            .enumerate()
            .map(|(i, r)| format!("[{}]({i})", link_text(&r.message)))
            .collect();
        message.push_str("\nRelated: ");
        message.push_str(&links.join(", "));
        if related.len() > MAX_LINKED {
            message.push_str(&format!(" and {} more", related.len() - MAX_LINKED));
        }
    }
    let mut builder_result = SarifResult::builder()
        .rule_id(f.rule.as_str())
        .level(level(f.severity))
        .message(Message::builder().text(message).build())
        .locations(vec![physical])
        .build();
    if let Some(i) = index {
        builder_result.rule_index = Some(i as i64);
    }
    if !related.is_empty() {
        builder_result.related_locations = Some(
            related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = location(root, r.loc, cx.files.get(r.loc.file), Some(&r.message));
                    l.id = Some(i as i64);
                    l
                })
                .collect(),
        );
    }
    let mut fp = BTreeMap::new();
    fp.insert("plimsoll/v1".to_string(), fingerprint.to_string());
    builder_result.partial_fingerprints = Some(fp);
    builder_result
}

/// A result's fix, when it has a safe or unsafe one that lowers (`lowered`, as
/// [`crate::engine::fix::Lowering::for_finding`] lowered it): one artifact change with a
/// replacement per edit. Regions are 1-based lines and `unicodeCodePoints` columns as
/// elsewhere; `byteOffset` counts in the stored file (after a UTF-8 BOM).
fn fix(
    cx: &ReportCx<'_>,
    root: &Root,
    f: &Finding,
    lowered: Option<Result<(crate::source::FileId, crate::source::edit::Lowered), String>>,
    lowering: &mut crate::engine::fix::Lowering,
) -> Option<SarifFix> {
    let applicability = cx.fix_policy.applicability(f)?;
    if applicability == crate::engine::Applicability::DisplayOnly {
        return None;
    }
    let (file, lowered) = lowered?.ok()?;
    let bom = lowering.bom_len(cx.files, file) as i64;
    let replacements: Vec<Replacement> = lowered
        .edits
        .iter()
        .map(|e| {
            let start = lowering.pos(cx.files, file, e.range.start).ok()?;
            let end = lowering.pos(cx.files, file, e.range.end).ok()?;
            let region = Region::builder()
                .start_line(start.line as i64)
                .start_column(start.col as i64)
                .end_line(end.line as i64)
                .end_column(end.col as i64)
                .byte_offset(e.range.start as i64 + bom)
                .byte_length((e.range.end - e.range.start) as i64)
                .build();
            Some(
                Replacement::builder()
                    .deleted_region(region)
                    .inserted_content(ArtifactContent::builder().text(e.content.clone()).build())
                    .build(),
            )
        })
        .collect::<Option<_>>()?;
    let title = &f.fix.as_deref()?.title;
    let mut props = BTreeMap::new();
    props.insert(
        "applicability".to_string(),
        serde_json::Value::from(applicability.as_str()),
    );
    Some(
        SarifFix::builder()
            .description(
                Message::builder()
                    .text(format!("{title} ({})", applicability.as_str()))
                    .build(),
            )
            .artifact_changes(vec![
                ArtifactChange::builder()
                    .artifact_location(root.artifact(cx.files.display(file)))
                    .replacements(replacements)
                    .build(),
            ])
            .properties(PropertyBag::builder().additional_properties(props).build())
            .build(),
    )
}

/// A related location's message as link text: brackets escaped as SARIF messages escape
/// them, on one line.
fn link_text(m: &str) -> String {
    let mut out = String::with_capacity(m.len());
    for c in m.chars() {
        match c {
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A hash (the first 16 bytes of a SHA-256) of what identifies a finding regardless of
/// where its lines moved: the rule, the file, the object, the policy or CRD it is about,
/// and the route (or the trimmed source line when there is no route).
fn fingerprint(cx: &ReportCx<'_>, f: &Finding, lines: &mut Lines) -> [u8; 16] {
    let mut h = Sha256::new();
    h.update(f.rule.as_bytes());
    h.update([0]);
    h.update(cx.files.display(f.loc().file).as_bytes());
    h.update([0]);
    if let Some(o) = &f.object {
        for part in [
            &o.api_version,
            &o.kind,
            o.namespace.as_deref().unwrap_or(""),
            o.name.as_deref().unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    // Two policies (or CRDs) flagging one field are two alerts.
    if let Some(q) = &f.more().qualifier {
        h.update(q.as_bytes());
        h.update([0]);
    }
    match f.target.route() {
        Some(route) => h.update(route.as_bytes()),
        None => {
            let line = lines.trimmed(cx, f.loc().file, f.loc().span.start.line);
            h.update(line.as_bytes());
        }
    }
    let digest = h.finalize();
    let mut key = [0; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Bytes in lowercase hexadecimal.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// Source lines for fingerprints, each file read and indexed once.
#[derive(Default)]
struct Lines {
    files: HashMap<crate::source::FileId, Option<(std::sync::Arc<str>, super::LineIndex)>>,
}

impl Lines {
    /// Line `line` of `file`, trimmed (empty when the file cannot be read).
    fn trimmed(&mut self, cx: &ReportCx<'_>, file: crate::source::FileId, line: u32) -> &str {
        let entry = self.files.entry(file).or_insert_with(|| {
            cx.files.text(file).map(|t| {
                let idx = super::LineIndex::new(&t);
                (t, idx)
            })
        });
        match entry {
            Some((t, idx)) => t[idx.line(t, line)].trim(),
            None => "",
        }
    }
}
