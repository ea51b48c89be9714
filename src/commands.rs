//! The commands besides `check` (`rules`, `explain`, `init`) and the report of
//! `check --check-custom-rules`: what they print, for the command line to write.

use crate::config;
use crate::engine::meta::FixAvailability;
use crate::engine::{all_meta, did_you_mean_rule, meta};
use crate::session::{Error, ExampleCheck};
use std::fmt::Write;
use std::path::Path;

/// How `plimsoll rules` lists the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    /// A table: id, family, default severity, summary.
    Text,
    Json,
    /// The published index.
    Markdown,
}

/// Every rule (custom ones included, once registered) with its id, family, severity and
/// summary.
pub fn rules(format: RulesFormat) -> Result<String, Error> {
    let mut w = String::new();
    match format {
        RulesFormat::Text => {
            let width = all_meta().iter().map(|m| m.id.len()).max().unwrap_or(0);
            let family = all_meta().iter().map(|m| m.family.len()).max().unwrap_or(0);
            writeln!(
                w,
                "{:width$}  {:family$}  {:<7}  {:<6}  SUMMARY",
                "RULE", "FAMILY", "DEFAULT", "FIX"
            )?;
            for m in all_meta() {
                let off = match &m.custom {
                    Some(c) => format!(" (custom: {}:{})", c.file, c.line),
                    None if !m.enabled => " (off by default)".to_string(),
                    None => String::new(),
                };
                writeln!(
                    w,
                    "{:width$}  {:family$}  {:<7}  {:<6}  {}{off}",
                    m.id,
                    m.family,
                    m.severity.as_str(),
                    fix_column(m),
                    m.summary
                )?;
            }
        }
        RulesFormat::Json => {
            let list: Vec<_> = all_meta()
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id, "family": m.family, "severity": m.severity,
                        "enabled": m.enabled, "summary": m.summary, "url": m.url(),
                        "custom": m.custom.as_ref().map(|c| format!("{}:{}", c.file, c.line)),
                        "fix": m.fix.as_ref().filter(|f| f.availability != FixAvailability::Never).map(|f| f.applicability.as_str()),
                    })
                })
                .collect();
            w = serde_json::to_string_pretty(&list)?;
            w.push('\n');
        }
        RulesFormat::Markdown => w = crate::docs::index_published(),
    }
    Ok(w)
}

/// The fix column of `plimsoll rules`: `safe`, `unsafe`, `both` (safe or unsafe depending
/// on the object), or `-`.
fn fix_column(m: &crate::engine::RuleMeta) -> &'static str {
    match m.fix.as_ref().filter(|f| f.availability != FixAvailability::Never) {
        None => "-",
        Some(f) => match f.applicability.as_str() {
            "safe" => "safe",
            "unsafe" => "unsafe",
            _ => "both",
        },
    }
}

/// A rule's full documentation.
pub fn explain(rule: &str) -> Result<String, Error> {
    match meta(rule) {
        Some(m) => Ok(crate::docs::rule_page(m)),
        None => Err(format!(
            "unknown rule `{rule}`{} (see `plimsoll rules`)",
            did_you_mean_rule(rule)
        )
        .into()),
    }
}

/// Writes the commented starter configuration file in `dir` (unless one exists and not
/// `force`); returns the line to print.
pub fn init(dir: &Path, force: bool) -> Result<String, Error> {
    let name = Path::new(config::FILE_NAMES[0]);
    if dir.join(name).exists() && !force {
        return Err(format!("{} exists; use --force to overwrite it", name.display()).into());
    }
    std::fs::write(dir.join(name), config::starter())?;
    Ok(format!("wrote {}\n", name.display()))
}

/// The report of `--check-custom-rules`, and whether every example passed.
pub fn custom_rules_report(checks: &[ExampleCheck]) -> (String, bool) {
    let mut out = String::new();
    let mut failed = 0;
    for c in checks {
        if c.passed() {
            let _ = writeln!(out, "ok    {} examples.{}", c.rule, c.example);
            continue;
        }
        failed += 1;
        let why = if c.should_fire {
            "the rule does not fire"
        } else {
            "the rule fires"
        };
        let _ = writeln!(out, "FAIL  {} examples.{}: {why}", c.rule, c.example);
        for (rule, message) in &c.findings {
            let _ = writeln!(out, "      {rule}: {message}");
        }
    }
    let _ = writeln!(out, "{} examples checked, {failed} failed", checks.len());
    (out, failed == 0)
}
