//! `.plimsoll.yaml`: found upward from the working directory (or given with `--config`),
//! read with the same spanned loader as manifests so that every error names the file, the
//! line and the key.

use crate::source::{Limits, Route, Span, de::Context, parse};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const FILE_NAMES: &[&str] = &[".plimsoll.yaml", ".plimsoll.yml"];

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Lowest severity that makes the run fail: error, warning, info or never.
    #[schemars(extend("enum" = ["error", "warning", "info", "never"]))]
    pub fail_on: Option<String>,
    /// Target cluster version, e.g. "1.33": drives PSS `latest`.
    pub kubernetes_version: Option<String>,
    /// Namespace of objects that do not name one.
    pub default_namespace: Option<String>,
    /// The set is the whole cluster: "not found in the set" keeps its severity.
    pub complete_set: Option<bool>,
    /// Render kustomizations: auto (when a renderer is on PATH) or never.
    #[schemars(extend("enum" = ["auto", "never"]))]
    pub kustomize: Option<String>,
    pub pss: Option<PssConfig>,
    pub rules: Option<RulesConfig>,
    /// Globs of paths not to lint, relative to this file's directory.
    pub exclude: Option<Vec<String>>,
    pub ignore: Option<Vec<IgnoreEntry>>,
    pub limits: Option<LimitsConfig>,
    /// Rules of this repository, written in CEL (see docs/custom-rules.md).
    pub custom_rules: Option<Vec<CustomRuleConfig>>,
    /// Globs of files (relative to this file's directory) each holding a list of custom rules.
    pub custom_rules_files: Option<Vec<String>>,
    /// Which fixes `plimsoll check --fix` applies, and what they need to know.
    pub fix: Option<FixSection>,
}

/// The `fix` section: which fixes are applied.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixSection {
    /// Apply unsafe fixes too, as `--unsafe-fixes` does.
    #[serde(rename = "unsafe")]
    pub unsafe_: Option<bool>,
    /// Rules (ids or families) whose fixes are never applied.
    pub unfixable: Option<Vec<String>>,
    /// Rules whose unsafe fixes are applied as safe ones.
    pub extend_safe: Option<Vec<String>>,
    /// Rules whose safe fixes are applied only with unsafe fixes.
    pub extend_unsafe: Option<Vec<String>>,
    /// Rules whose fixes are off unless named here.
    pub opt_in: Option<Vec<String>>,
}

impl FixSection {
    /// The lists of rules, with their keys under `fix`.
    pub fn rule_lists(&self) -> [(&'static str, &[String]); 4] {
        [
            ("unfixable", self.unfixable.as_deref().unwrap_or_default()),
            ("extend_safe", self.extend_safe.as_deref().unwrap_or_default()),
            ("extend_unsafe", self.extend_unsafe.as_deref().unwrap_or_default()),
            ("opt_in", self.opt_in.as_deref().unwrap_or_default()),
        ]
    }
}

/// A rule of the repository: a CEL expression every matching object must satisfy.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleConfig {
    /// `<family>-<name>`, kebab-case; the family must not be a built-in one.
    pub id: String,
    /// error, warning (default) or info.
    #[schemars(extend("enum" = ["error", "warning", "info"]))]
    pub severity: Option<String>,
    /// One line: what the rule finds.
    pub summary: String,
    /// Which objects the rule judges (default: every object).
    #[serde(rename = "match")]
    pub match_: Option<CustomMatch>,
    /// A CEL expression: objects for which it is false are skipped.
    pub condition: Option<String>,
    /// Named CEL expressions, readable as `variables.<name>` by later ones.
    pub variables: Option<Vec<CustomVariable>>,
    /// The CEL expression every matching object must make true.
    pub expression: String,
    /// The finding's message.
    pub message: Option<String>,
    /// A CEL expression for the message (a string).
    #[serde(rename = "messageExpression")]
    pub message_expression: Option<String>,
    /// Why it matters.
    pub rationale: Option<String>,
    /// How to fix it.
    pub remediation: Option<String>,
    /// Where the rule is documented.
    pub docs_url: Option<String>,
    /// Manifests on which the rule must fire (`bad`) and must not (`good`):
    /// `plimsoll check --check-custom-rules` runs them.
    pub examples: Option<CustomExamples>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomMatch {
    /// `Kind` or `group/version/Kind` (`apps/v1/Deployment`, `v1/ConfigMap`).
    pub kinds: Option<Vec<String>>,
    /// Globs of namespaces (default: all).
    pub namespaces: Option<Vec<String>>,
    /// Globs of namespaces not to judge.
    pub exclude_namespaces: Option<Vec<String>>,
    /// A label selector on the object's own labels.
    pub selector: Option<CustomSelector>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomSelector {
    #[serde(rename = "matchLabels")]
    pub match_labels: Option<BTreeMap<String, String>>,
    #[serde(rename = "matchExpressions")]
    pub match_expressions: Option<Vec<CustomRequirement>>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomRequirement {
    pub key: String,
    /// In, NotIn, Exists or DoesNotExist.
    pub operator: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomVariable {
    pub name: String,
    pub expression: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomExamples {
    pub bad: String,
    pub good: String,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PssConfig {
    /// The Pod Security Standards level pods are judged at.
    #[schemars(extend("enum" = ["privileged", "baseline", "restricted"]))]
    pub level: Option<String>,
    /// The policy version: latest or v1.<minor>.
    #[schemars(extend("pattern" = "^(latest|v1\\.[0-9]+)$"))]
    pub version: Option<String>,
    /// respect (default) or ignore.
    #[schemars(extend("enum" = ["respect", "ignore"]))]
    pub namespace_labels: Option<String>,
    /// Namespaces the cluster's admission configuration exempts.
    pub exempt_namespaces: Option<Vec<String>>,
    /// Runtime classes the cluster's admission configuration exempts.
    pub exempt_runtime_classes: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Rule ids or families to run, or `all` (default: every rule on by default).
    pub select: Option<Vec<String>>,
    /// Rule ids or families not to run.
    pub ignore: Option<Vec<String>>,
    /// Severity by rule id: error, warning or info.
    pub severity: Option<BTreeMap<String, String>>,
    /// Options by rule id (see each rule's documentation).
    pub options: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    /// Rule ids or families, or `all`.
    pub rules: Vec<String>,
    /// Globs of paths, relative to this file's directory (default: everywhere).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Why these findings are ignored.
    pub reason: String,
}

#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    pub max_depth: Option<usize>,
    pub max_file_size: Option<u64>,
    pub max_alias_nodes: Option<usize>,
}

impl LimitsConfig {
    /// Applies the limits a configuration file sets. The file comes with the repository,
    /// which is untrusted: it may lower a limit but not raise it past [`Limits::CAPS`] (only
    /// a command-line flag can). Returns the key and message of the first value over its cap.
    pub fn apply(&self, limits: &mut Limits) -> Result<(), (&'static str, String)> {
        let caps = Limits::CAPS;
        let over = |key: &'static str, value: u64, cap: u64, flag: &str| {
            (
                key,
                format!(
                    "`{key}: {value}` is more than a configuration file may set ({cap}); a command-line flag (`{flag}`) may go beyond"
                ),
            )
        };
        if let Some(d) = self.max_depth {
            if d > caps.max_depth {
                return Err(over("limits.max_depth", d as u64, caps.max_depth as u64, "--max-depth"));
            }
            limits.max_depth = d;
        }
        if let Some(s) = self.max_file_size {
            if s > caps.max_file_size {
                return Err(over("limits.max_file_size", s, caps.max_file_size, "--max-file-size"));
            }
            limits.max_file_size = s;
        }
        if let Some(a) = self.max_alias_nodes {
            if a > caps.max_alias_nodes {
                return Err(over(
                    "limits.max_alias_nodes",
                    a as u64,
                    caps.max_alias_nodes as u64,
                    "--max-alias-nodes",
                ));
            }
            limits.max_alias_nodes = a;
        }
        Ok(())
    }
}

/// A configuration error: the file, a position when known, and what is wrong.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub span: Option<Span>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(s) => write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                s.start.line,
                s.start.col,
                self.message
            ),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// A loaded configuration file.
#[derive(Debug)]
pub struct Config {
    pub path: PathBuf,
    /// The directory the file's globs are relative to (absolute).
    pub base: PathBuf,
    pub text: String,
    pub file: ConfigFile,
    spans: BTreeMap<String, Span>,
}

impl Config {
    /// The span of a route in the file (e.g. `ignore[2]`, `rules.select[0]`), for errors
    /// and for findings about the file (unused `ignore` entries).
    pub fn span(&self, route: &str) -> Option<Span> {
        self.spans.get(route).copied()
    }

    pub fn error(&self, route: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.clone(),
            span: self.span(route),
            message: message.into(),
        }
    }
}

/// The nearest configuration file from `start` upward.
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = d.parent();
    }
    None
}

/// Records the spans of a custom rule's keys (`custom_rules[0].expression` …).
fn record_custom_rule(record: &mut impl FnMut(Route), at: Route, rule: &CustomRuleConfig) {
    record(at.clone());
    for key in [
        "id",
        "severity",
        "expression",
        "condition",
        "messageExpression",
        "match",
        "examples",
    ] {
        record(at.key(key));
    }
    for j in 0..rule.variables.as_ref().map_or(0, Vec::len) {
        record(at.key("variables").index(j).key("expression"));
    }
    if rule.examples.is_some() {
        record(at.keys(&["examples", "bad"]));
        record(at.keys(&["examples", "good"]));
    }
}

/// A file of `custom_rules_files`: a list of custom rules, with the spans of their keys.
#[derive(Debug)]
pub struct CustomRulesFile {
    pub path: PathBuf,
    pub text: String,
    pub rules: Vec<CustomRuleConfig>,
    spans: BTreeMap<String, Span>,
}

impl CustomRulesFile {
    pub fn span(&self, route: &str) -> Option<Span> {
        self.spans.get(route).copied()
    }

    pub fn error(&self, route: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.clone(),
            span: self.span(route),
            message: message.into(),
        }
    }
}

/// Reads a file of custom rules (a YAML list of entries as under `custom_rules:`).
pub fn load_custom_rules(path: &Path) -> Result<CustomRulesFile, ConfigError> {
    let err = |span: Option<Span>, message: String| ConfigError {
        path: path.to_path_buf(),
        span,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(None, format!("cannot read: {e}")))?;
    let text = crate::source::decode(bytes).map_err(|e| err(Some(Span::new(e.pos(), e.pos())), e.to_string()))?;
    let (tree, docs, perr) = parse(&text, &Limits::default());
    if let Some(e) = perr {
        return Err(err(Some(Span::new(e.pos, e.pos)), format!("invalid YAML: {e}")));
    }
    let Some(doc) = docs.first() else {
        return Ok(CustomRulesFile {
            path: path.to_path_buf(),
            text,
            rules: Vec::new(),
            spans: BTreeMap::new(),
        });
    };
    let cx = Context::new(&tree, 0, true);
    let rules: Vec<CustomRuleConfig> = cx.deserialize(doc.root, false).map_err(|e| {
        let span = e.node.map(|n| tree.span(n));
        err(span, format!("expected a list of custom rules: {e}"))
    })?;
    if let Some(u) = cx.take_unknown().into_iter().next() {
        return Err(err(Some(tree.span(u.key)), format!("unknown key `{}`", u.route)));
    }
    let mut spans = BTreeMap::new();
    let mut record = |route: Route| {
        let w = route.walk(&tree, doc.root);
        if w.matched == route.segs().len() {
            spans.insert(route.to_string(), w.span(&tree));
        }
    };
    for (i, rule) in rules.iter().enumerate() {
        record_custom_rule(&mut record, Route::root().index(i), rule);
    }
    Ok(CustomRulesFile {
        path: path.to_path_buf(),
        text,
        rules,
        spans,
    })
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let err = |span: Option<Span>, message: String| ConfigError {
        path: path.to_path_buf(),
        span,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(None, format!("cannot read: {e}")))?;
    let text = crate::source::decode(bytes).map_err(|e| err(Some(Span::new(e.pos(), e.pos())), e.to_string()))?;
    let (file, spans) = {
        let (tree, docs, perr) = parse(&text, &Limits::default());
        if let Some(e) = perr {
            return Err(err(Some(Span::new(e.pos, e.pos)), format!("invalid YAML: {e}")));
        }
        if docs.len() > 1 {
            return Err(err(None, "expected a single YAML document".to_string()));
        }
        let file = match docs.first() {
            None => ConfigFile::default(),
            Some(doc) => {
                if !tree.is_map(doc.root) && !tree.is_null(doc.root) {
                    return Err(err(
                        Some(tree.span(doc.root)),
                        "expected a mapping of settings".to_string(),
                    ));
                }
                let cx = Context::new(&tree, 0, true);
                let file: ConfigFile = cx.deserialize(doc.root, false).map_err(|e| {
                    let span = e.node.map(|n| tree.span(n));
                    let route = e
                        .route
                        .clone()
                        .filter(|r| !r.is_empty())
                        .map(|r| format!("`{r}`: "))
                        .unwrap_or_default();
                    err(span, format!("{route}{e}"))
                })?;
                if let Some(u) = cx.take_unknown().into_iter().next() {
                    let expected = u.expected.join(", ");
                    let hint = crate::engine::closest_name(&u.name, u.expected.iter().copied())
                        .map(|c| format!("did you mean `{c}`? "))
                        .unwrap_or_default();
                    return Err(err(
                        Some(tree.span(u.key)),
                        format!("unknown key `{}` ({hint}expected one of: {expected})", u.route),
                    ));
                }
                file
            }
        };
        // Record the spans of the routes that errors and findings may name.
        let mut spans = BTreeMap::new();
        if let Some(doc) = docs.first() {
            let mut record = |route: Route| {
                let w = route.walk(&tree, doc.root);
                if w.matched == route.segs().len() {
                    spans.insert(route.to_string(), w.span(&tree));
                }
            };
            for key in [
                "fail_on",
                "kubernetes_version",
                "default_namespace",
                "complete_set",
                "kustomize",
                "exclude",
                "limits",
            ] {
                record(Route::root().key(key));
            }
            for key in ["level", "version", "namespace_labels"] {
                record(Route::root().keys(&["pss", key]));
            }
            if let Some(r) = &file.rules {
                for (key, n) in [
                    ("select", r.select.as_ref().map_or(0, Vec::len)),
                    ("ignore", r.ignore.as_ref().map_or(0, Vec::len)),
                ] {
                    for i in 0..n {
                        record(Route::root().keys(&["rules", key]).index(i));
                    }
                }
                for id in r.severity.iter().flat_map(|m| m.keys()) {
                    record(Route::root().keys(&["rules", "severity"]).key(id.clone()));
                }
                for id in r.options.iter().flat_map(|m| m.keys()) {
                    record(Route::root().keys(&["rules", "options"]).key(id.clone()));
                }
            }
            for (i, rule) in file.custom_rules.iter().flatten().enumerate() {
                record_custom_rule(&mut record, Route::root().key("custom_rules").index(i), rule);
            }
            if let Some(fix) = &file.fix {
                record(Route::root().key("fix"));
                record(Route::root().keys(&["fix", "unsafe"]));
                for (key, list) in fix.rule_lists() {
                    for i in 0..list.len() {
                        record(Route::root().keys(&["fix", key]).index(i));
                    }
                }
            }
            for i in 0..file.custom_rules_files.as_ref().map_or(0, Vec::len) {
                record(Route::root().key("custom_rules_files").index(i));
            }
            for (i, entry) in file.ignore.iter().flatten().enumerate() {
                record(Route::root().key("ignore").index(i));
                for j in 0..entry.rules.len() {
                    record(Route::root().key("ignore").index(i).key("rules").index(j));
                }
                for j in 0..entry.paths.len() {
                    record(Route::root().key("ignore").index(i).key("paths").index(j));
                }
            }
        }
        (file, spans)
    };
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let base = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Config {
        path: path.to_path_buf(),
        base,
        text,
        file,
        spans,
    })
}

/// Where the JSON schema of this file is published (`docs/plimsoll.schema.json` in the
/// repository).
pub const SCHEMA_URL: &str = "https://plimsoll.dev/plimsoll.schema.json";

/// The commented starter file written by `plimsoll init`: [`STARTER`] with the schema line
/// for editors and the families of the registry.
pub fn starter() -> String {
    let mut families: Vec<&str> = crate::engine::all_meta().iter().map(|m| m.family.as_str()).collect();
    families.sort_unstable();
    families.dedup();
    // Rules off by default (opinionated, or advice), listed so that a team can opt in.
    let mut off: Vec<&crate::engine::RuleMeta> = crate::engine::all_meta().iter().filter(|m| !m.enabled).collect();
    off.sort_by(|a, b| a.id.cmp(&b.id));
    let width = off.iter().map(|m| m.id.len()).max().unwrap_or(0);
    let off: String = off
        .iter()
        .map(|m| format!("  #   - {:width$}  # {}\n", m.id, m.summary))
        .collect();
    format!("# yaml-language-server: $schema={SCHEMA_URL}\n{}", STARTER)
        .replace("{families}", &families.join(", "))
        .replace("{off}\n", &off)
}

/// The JSON schema of the configuration file, from its types, with rule ids, families and
/// severities from the registry.
pub fn schema() -> serde_json::Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(ConfigFile)).unwrap_or_default();
    let mut ids: Vec<&str> = crate::engine::all_meta().iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    let mut names: Vec<&str> = crate::engine::all_meta()
        .iter()
        .flat_map(|m| [m.id.as_str(), m.family.as_str()])
        .chain(crate::engine::SELECTOR_KEYWORDS)
        .collect();
    names.sort_unstable();
    names.dedup();
    // Rule ids, families and keywords: one definition that every list of rules refers to.
    let selector = serde_json::json!({ "$ref": "#/$defs/RuleSelector" });
    let ids = serde_json::json!({ "type": "string", "enum": ids });
    let severity = serde_json::json!({ "type": "string", "enum": ["error", "warning", "info"] });
    if let Some(defs) = schema.get_mut("$defs") {
        defs["RuleSelector"] = serde_json::json!({
            "description": "A rule id, a family, `default`, `custom` or `all`.",
            "type": "string",
            "enum": names,
        });
        if let Some(rules) = defs.pointer_mut("/RulesConfig/properties") {
            for key in ["select", "ignore"] {
                rules[key]["items"] = selector.clone();
            }
            rules["severity"]["propertyNames"] = ids.clone();
            rules["severity"]["additionalProperties"] = severity;
            rules["options"]["propertyNames"] = ids;
        }
        if let Some(fix) = defs.pointer_mut("/FixSection/properties") {
            for key in ["unfixable", "extend_safe", "extend_unsafe", "opt_in"] {
                fix[key]["items"] = selector.clone();
            }
        }
        if let Some(entry) = defs.pointer_mut("/IgnoreEntry/properties") {
            // Or a qualified id: `policy-violation.<policy>`, `crd-schema-violation.<crd>`.
            entry["rules"]["items"] = serde_json::json!({
                "anyOf": [selector, { "type": "string", "pattern": "^[a-z][a-z0-9-]*\\..+$" }]
            });
        }
    }
    schema["$id"] = serde_json::json!(SCHEMA_URL);
    schema
}

/// The starter file's text; `{families}` is filled in by [`starter`].
const STARTER: &str = r#"# plimsoll configuration. Every key is optional; the values shown are the defaults.
# Documentation: https://plimsoll.dev/configuration

# Lowest severity that fails the run: error, warning, info or never.
fail_on: warning

# Target cluster version. PSS `latest` means the newest checks this cluster runs.
# kubernetes_version: "1.33"

# Namespace of objects that do not set metadata.namespace.
default_namespace: default

# true when these manifests are the whole cluster: "referenced object not in the set"
# findings then keep their severity instead of dropping to info.
complete_set: false

# Directories with a kustomization.yaml are rendered with `kustomize build` (or
# `kubectl kustomize`) and findings point back at the files that define each field:
# auto (when a renderer is on PATH) or never (lint the files as they are).
kustomize: auto

pss:
  level: restricted          # privileged, baseline or restricted
  version: latest            # latest or v1.<minor>
  namespace_labels: respect  # respect pod-security.kubernetes.io/enforce labels, or ignore
  exempt_namespaces: []      # as exempted in the cluster's PodSecurity admission configuration
  exempt_runtime_classes: []

rules:
  # select: [all]            # rule ids or families ({families}); default:
  #                          # every rule that is on by default (`default`)
  # Rules off by default (opinionated, or advice); to run some on top of the defaults:
  # select:
  #   - default
{off}
  ignore: []
  # severity: { image-not-digest-pinned: error }
  # options: { some-rule: { option: value } }

# Paths not to lint, relative to this file.
exclude: []

# Findings to ignore, with the reason.
# ignore:
#   - rules: [secret-plaintext-in-manifest]
#     paths: ["test/fixtures/**"]
#     reason: test fixtures hold fake credentials
"#;
