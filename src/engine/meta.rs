//! Rule metadata, read from the embedded `rules/<id>.yaml` files.

use super::finding::Severity;
use crate::model::pss::PssLevel;
use crate::source::{Limits, de::Context, parse};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::LazyLock;

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// Where the rule documentation is published (`docs/rules/<id>.md` in the repository).
pub const DOCS_BASE: &str = "https://plimsoll.dev/rules/";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    /// The id prefix that groups rules (`pss`, `image`, …).
    pub family: String,
    /// Default severity.
    pub severity: Severity,
    /// On unless deselected (`false`: only when selected explicitly).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// One line: what the rule finds.
    pub summary: String,
    /// Why it matters.
    pub rationale: String,
    /// How to fix it.
    pub remediation: String,
    /// Where findings point.
    pub position: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// Options with their defaults.
    #[serde(default)]
    pub options: BTreeMap<String, OptionMeta>,
    /// For Pod Security Standards rules: the upstream check id and level.
    #[serde(default)]
    pub pss: Option<PssMeta>,
    /// How often a finding is a true positive (SARIF `precision`); heuristics say `low`.
    #[serde(default)]
    pub precision: Precision,
    /// One of the worst holes (a privileged container, a live credential): code scanning
    /// rates its errors critical.
    #[serde(default)]
    pub critical: bool,
    pub examples: Examples,
    /// Whether and how findings of this rule are fixed (`check --fix`).
    #[serde(default)]
    pub fix: Option<FixMeta>,
    /// A rule of the repository (`custom_rules:` in `.plimsoll.yaml`), not a built-in one.
    #[serde(skip)]
    pub custom: Option<CustomSource>,
}

/// Where a custom rule is defined, and what it evaluates.
#[derive(Debug, Clone)]
pub struct CustomSource {
    /// The file that defines it, as shown, and the line of its entry.
    pub file: String,
    pub line: u32,
    pub expression: String,
    pub docs_url: Option<String>,
}

/// SARIF's `precision` rule property, which code scanning uses to rank and filter alerts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    VeryHigh,
    #[default]
    High,
    Medium,
    Low,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::VeryHigh => "very-high",
            Precision::High => "high",
            Precision::Medium => "medium",
            Precision::Low => "low",
        }
    }
}

/// What a rule declares about its fixes (`specs/autofix.md` §2.1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixMeta {
    /// Whether every finding has a fix (`always`), some do (`sometimes`) or none (`never`).
    pub availability: FixAvailability,
    /// The usual applicability (`safe`, `unsafe`, or `safe-or-unsafe` when it depends on the
    /// object).
    pub applicability: String,
    /// What the fix does, in general ("set allowPrivilegeEscalation: false").
    pub title: String,
    /// What the fix can still break, and when it is unsafe.
    #[serde(default)]
    pub notes: Option<String>,
    /// Rules whose findings the fix may reveal rather than create (`hpa-scaleup-extreme`).
    #[serde(default)]
    pub reveals: Vec<String>,
    /// A manifest and what `--fix --unsafe-fixes` makes of it, for the docs.
    #[serde(default)]
    pub before: Option<String>,
    #[serde(default)]
    pub after: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    Always,
    Sometimes,
    Never,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionMeta {
    pub default: serde_json::Value,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PssMeta {
    /// The check id in `k8s.io/pod-security-admission` (`privileged`, `hostNamespaces`, …).
    pub check: String,
    pub level: PssLevel,
}

/// Minimal manifests: `bad` makes the rule fire, `good` does not (with `options`, when the
/// rule needs some to fire at all).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub bad: String,
    pub good: String,
    #[serde(default)]
    pub options: BTreeMap<String, serde_json::Value>,
    /// When set, the examples are this file of a directory (`kustomization.yaml`), and the
    /// directory is what is linted.
    #[serde(default)]
    pub file: Option<String>,
}

fn yes() -> bool {
    true
}

impl RuleMeta {
    /// Whether findings are security problems (Pod Security, network isolation, images and
    /// their signatures, secrets, namespace Pod Security labels), as opposed to
    /// reliability, delivery and schema problems.
    pub fn is_security(&self) -> bool {
        matches!(self.family.as_str(), "pss" | "netpol" | "image" | "secret" | "ns")
    }

    /// The rule's documentation: its published page, or a custom rule's `docs_url`.
    pub fn url(&self) -> Option<String> {
        match &self.custom {
            Some(c) => c.docs_url.clone(),
            None => Some(format!("{DOCS_BASE}{}", self.id)),
        }
    }

    /// The options' defaults as one JSON object.
    pub fn default_options(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.options
                .iter()
                .map(|(k, o)| (k.clone(), o.default.clone()))
                .collect(),
        )
    }
}

/// Parses one rule metadata file.
pub fn parse_meta(text: &str) -> Result<RuleMeta, String> {
    let (tree, docs, err) = parse(text, &Limits::default());
    if let Some(e) = err {
        return Err(format!("{}:{}: {e}", e.pos.line, e.pos.col));
    }
    let doc = docs.first().ok_or("empty file")?;
    let cx = Context::new(&tree, 0, true);
    let meta: RuleMeta = cx
        .deserialize(doc.root, false)
        .map_err(|e| format!("{}: {e}", e.route.clone().unwrap_or_default()))?;
    if let Some(u) = cx.take_unknown().first() {
        return Err(format!("unknown key `{}`", u.route));
    }
    Ok(meta)
}

/// Built-in and custom rules, once custom rules are registered.
static WITH_CUSTOM: std::sync::OnceLock<Vec<RuleMeta>> = std::sync::OnceLock::new();

/// Registers the metadata of the repository's custom rules (once per process: the command
/// line does it after loading the configuration).
pub fn register_custom(mut metas: Vec<RuleMeta>) -> Result<(), String> {
    if metas.is_empty() {
        return Ok(());
    }
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    let mut all = builtin();
    all.extend(metas);
    WITH_CUSTOM
        .set(all)
        .map_err(|_| "custom rules are already registered".to_string())
}

fn builtin() -> Vec<RuleMeta> {
    // Every run reads them (rule ids, families and severities): from the JSON the build
    // made of each file, which reads as its YAML does (the tests check it).
    let mut all: Vec<RuleMeta> = RULE_JSON
        .iter()
        .map(|(stem, json)| match serde_json::from_str(json) {
            Ok(m) => m,
            // Embedded at build time and checked by the test suite.
            Err(e) => panic!("rules/{stem}.yaml: {e}"),
        })
        .collect();
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

static ALL: LazyLock<Vec<RuleMeta>> = LazyLock::new(builtin);

/// Every rule's metadata: the built-in rules sorted by id, then the custom ones.
pub fn all_meta() -> &'static [RuleMeta] {
    match WITH_CUSTOM.get() {
        Some(all) => all,
        None => &ALL,
    }
}

/// One rule's metadata.
pub fn meta(id: &str) -> Option<&'static RuleMeta> {
    all_meta().iter().find(|m| m.id == id)
}

/// The built-in rule families (custom rules may not use them).
pub fn builtin_families() -> Vec<String> {
    let mut families: Vec<String> = ALL.iter().map(|m| m.family.clone()).collect();
    families.extend(["policy", "crd", "custom"].map(String::from));
    families.sort();
    families.dedup();
    families
}

/// The candidate closest to a misspelt name, when one is close enough to be what was meant.
pub fn closest_name<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(c, wanted), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)` for a misspelt rule id or family, or nothing.
pub fn did_you_mean_rule(wanted: &str) -> String {
    let names = all_meta()
        .iter()
        .flat_map(|m| [m.id.as_str(), m.family.as_str()])
        .chain(super::suppress::SELECTOR_KEYWORDS);
    closest_name(wanted, names)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{RULE_FILES, RULE_JSON, RuleMeta, parse_meta};

    /// The JSON form each run reads of a rule's metadata (made by `build.rs`) is what the
    /// rule's YAML file reads into.
    #[test]
    fn every_rule_file_reads_as_its_json_form() {
        assert_eq!(RULE_FILES.len(), RULE_JSON.len());
        for ((stem, yaml), (json_stem, json)) in RULE_FILES.iter().zip(RULE_JSON) {
            assert_eq!(stem, json_stem);
            let from_yaml = parse_meta(yaml).unwrap_or_else(|e| panic!("rules/{stem}.yaml: {e}"));
            let from_json: RuleMeta =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("rules/{stem}.yaml as JSON: {e}"));
            assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"), "rules/{stem}.yaml");
        }
    }
}
