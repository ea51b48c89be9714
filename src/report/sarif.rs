//! SARIF 2.1.0, as GitHub code scanning accepts it: relative URIs under `%SRCROOT%`, full
//! regions in Unicode code points, one rule descriptor per rule that ran (with help and
//! `helpUri`), logical locations for the object and route, and `partialFingerprints` that
//! survive line shifts.

use super::ReportCx;
use crate::engine::{Finding, Severity, meta};
use crate::source::Loc;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool,
    ToolComponent,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    let rule_index: HashMap<&str, usize> = cx.rules.iter().enumerate().map(|(i, r)| (*r, i)).collect();
    let rules: Vec<ReportingDescriptor> = cx.rules.iter().map(|id| descriptor(id)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let results: Vec<SarifResult> = cx
        .outcome
        .findings
        .iter()
        .map(|f| result(cx, f, rule_index.get(f.rule).copied(), &mut seen))
        .collect();

    let mut base_ids = BTreeMap::new();
    if let Ok(cwd) = std::env::current_dir() {
        let mut uri = format!("file://{}", uri_path(&cwd.to_string_lossy()));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        base_ids.insert(SRCROOT.to_string(), ArtifactLocation::builder().uri(uri).build());
    }
    let driver = ToolComponent::builder()
        .name("plimsoll")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://plimsoll.dev")
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
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

/// GitHub's numeric security severity for a default severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.5",
        Severity::Info => "2.0",
    }
}

fn descriptor(id: &str) -> ReportingDescriptor {
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
        m.url()
    );
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        serde_json::json!(security_severity(m.severity)),
    );
    props.insert("precision".to_string(), serde_json::json!(m.precision.as_str()));
    let mut tags = vec![m.family.clone()];
    if let Some(pss) = &m.pss {
        tags.push(format!("pss-{}", pss.level));
    }
    tags.push("security".to_string());
    ReportingDescriptor::builder()
        .id(id)
        .name(camel(id))
        .short_description(text(&m.summary))
        .full_description(text(&m.rationale))
        .help(
            MultiformatMessageString::builder()
                .text(help_text)
                .markdown(help_md)
                .build(),
        )
        .help_uri(m.url())
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level_str(m.severity)))
                .enabled(m.enabled)
                .build(),
        )
        .properties(PropertyBag::builder().tags(tags).additional_properties(props).build())
        .build()
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

fn location(cx: &ReportCx<'_>, loc: Loc, message: Option<&str>) -> Location {
    let s = loc.span;
    // SARIF regions are 1-based and end after the last character; an empty span (a point)
    // keeps start == end.
    let region = Region::builder()
        .start_line(s.start.line as i64)
        .start_column(s.start.col as i64)
        .end_line(s.end.line as i64)
        .end_column(s.end.col as i64)
        .build();
    let artifact = artifact(cx.files.display(loc.file));
    let physical = PhysicalLocation::builder()
        .artifact_location(artifact)
        .region(region)
        .build();
    let mut l = Location::builder().physical_location(physical).build();
    if let Some(m) = message {
        l.message = Some(Message::builder().text(m).build());
    }
    l
}

fn artifact(display: &str) -> ArtifactLocation {
    let path = display.replace('\\', "/");
    if path.starts_with('/') {
        ArtifactLocation::builder()
            .uri(format!("file://{}", uri_path(&path)))
            .build()
    } else {
        ArtifactLocation::builder()
            .uri(uri_path(&path))
            .uri_base_id(SRCROOT)
            .build()
    }
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

fn result(cx: &ReportCx<'_>, f: &Finding, index: Option<usize>, seen: &mut HashMap<String, usize>) -> SarifResult {
    let loc = f.loc();
    let mut physical = location(cx, loc, f.shown_label().as_deref());
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
        if let Some(route) = &f.target.route {
            logical.push(
                LogicalLocation::builder()
                    .name(route.clone())
                    .fully_qualified_name(format!("{object}#{route}"))
                    .kind("member")
                    .build(),
            );
        }
        physical.logical_locations = Some(logical);
    }
    let mut message = f.message.clone();
    if let Some(h) = &f.help {
        message.push_str(&format!(" ({h})"));
    }
    let mut builder_result = SarifResult::builder()
        .rule_id(f.rule)
        .level(level(f.severity))
        .message(Message::builder().text(message).build())
        .locations(vec![physical])
        .build();
    if let Some(i) = index {
        builder_result.rule_index = Some(i as i64);
    }
    if !f.related.is_empty() {
        builder_result.related_locations = Some(
            f.related
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let mut l = location(cx, r.loc, Some(&r.message));
                    l.id = Some(i as i64);
                    l
                })
                .collect(),
        );
    }
    let key = fingerprint(cx, f);
    let n = seen.entry(key.clone()).or_insert(0);
    *n += 1;
    let mut fp = BTreeMap::new();
    fp.insert("plimsoll/v1".to_string(), format!("{key}:{n}"));
    builder_result.partial_fingerprints = Some(fp);
    builder_result
}

/// A hash of what identifies a finding regardless of where its lines moved: the rule, the
/// file, the object and the route (or the trimmed source line when there is no route).
fn fingerprint(cx: &ReportCx<'_>, f: &Finding) -> String {
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
    match &f.target.route {
        Some(route) => h.update(route.as_bytes()),
        None => {
            let line = cx.files.text(f.loc().file).map(|t| {
                let idx = super::LineIndex::new(&t);
                t[idx.line(&t, f.loc().span.start.line)].trim().to_string()
            });
            h.update(line.unwrap_or_default().as_bytes());
        }
    }
    let digest = h.finalize();
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}
