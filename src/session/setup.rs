//! What is done once per session: the configuration's custom rules, the engine built from
//! the registry, the configuration file and the options, and the fix configuration.

use super::{Error, FailOn, FixConfig, Options};
use crate::config::{self, Config};
use crate::discover;
use crate::engine::{
    ActiveRule, Engine, RuleId, SELECTOR_KEYWORDS, Settings, Severity, Suppression, SuppressionKind, all_meta, meta,
    suppress::selector_matches,
};
use crate::policy::custom::CustomRule;
use crate::source::{FileId, Loc};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Builds the engine from the registry, the configuration file and the options; returns
/// it with the lowest severity that fails the run (`None`: never).
pub(super) fn engine(
    options: &Options,
    config: Option<&Config>,
    config_file: Option<FileId>,
    custom: Vec<CustomRule>,
) -> Result<(Engine, Option<Severity>), Error> {
    let cfg = config.map(|c| &c.file);
    let rules_cfg = cfg.and_then(|c| c.rules.as_ref());
    let registry = crate::rules::all();
    let known = known_names();
    let check_selectors = |list: &[String], route: &str| check_selectors(&known, config, list, route);
    check_selectors(&options.select, "")?;
    check_selectors(&options.ignore, "")?;
    let cfg_select = rules_cfg.and_then(|r| r.select.clone());
    let cfg_ignore = rules_cfg.and_then(|r| r.ignore.clone()).unwrap_or_default();
    if let Some(s) = &cfg_select {
        check_selectors(s, "rules.select")?;
    }
    check_selectors(&cfg_ignore, "rules.ignore")?;

    let (select, ignore): (Option<Vec<String>>, Vec<String>) = if options.posture {
        let families = crate::posture::FAMILIES.iter().map(|f| f.to_string()).collect();
        (Some(families), Vec::new())
    } else if options.select.is_empty() {
        (
            cfg_select,
            cfg_ignore.into_iter().chain(options.ignore.iter().cloned()).collect(),
        )
    } else {
        (
            Some(options.select.clone()),
            cfg_ignore.into_iter().chain(options.ignore.iter().cloned()).collect(),
        )
    };

    // Severities and options from the configuration, validated against the registry.
    let severity_cfg = rules_cfg.and_then(|r| r.severity.clone()).unwrap_or_default();
    for (id, sev) in &severity_cfg {
        let route = format!("rules.severity.{id}");
        let c = config.ok_or("severity without configuration")?;
        if meta(id).is_none() {
            return Err(Box::new(c.error(
                &route,
                format!("unknown rule `{id}`{}", crate::engine::did_you_mean_rule(id)),
            )));
        }
        sev.parse::<Severity>().map_err(|e| c.error(&route, e))?;
    }
    let options_cfg = rules_cfg.and_then(|r| r.options.clone()).unwrap_or_default();
    for id in options_cfg.keys() {
        if meta(id).is_none() {
            let c = config.ok_or("options without configuration")?;
            return Err(Box::new(c.error(
                &format!("rules.options.{id}"),
                format!("unknown rule `{id}`{}", crate::engine::did_you_mean_rule(id)),
            )));
        }
    }

    let mut rules = Vec::new();
    for entry in &registry {
        let m = meta(entry.id).ok_or_else(|| format!("rule `{}` has no metadata", entry.id))?;
        let selected = match &select {
            Some(list) => list.iter().any(|s| selector_matches(s, entry.id)),
            None => m.enabled,
        };
        if !selected || ignore.iter().any(|s| selector_matches(s, entry.id)) {
            continue;
        }
        let mut options = m.default_options();
        if let (Some(user), serde_json::Value::Object(map)) = (options_cfg.get(entry.id), &mut options) {
            let serde_json::Value::Object(user) = user else {
                let c = config.ok_or("options without configuration")?;
                return Err(Box::new(c.error(
                    &format!("rules.options.{}", entry.id),
                    "expected a mapping of options",
                )));
            };
            for (k, v) in user {
                if !m.options.contains_key(k) {
                    let c = config.ok_or("options without configuration")?;
                    let expected: Vec<_> = m.options.keys().map(String::as_str).collect();
                    return Err(Box::new(c.error(
                        &format!("rules.options.{}", entry.id),
                        format!(
                            "unknown option `{k}` for rule `{}` (options: {})",
                            entry.id,
                            if expected.is_empty() {
                                "none".to_string()
                            } else {
                                expected.join(", ")
                            }
                        ),
                    )));
                }
                map.insert(k.clone(), v.clone());
            }
        }
        let rule = (entry.build)(options).map_err(|e| match config {
            Some(c) => Box::new(c.error(
                &format!("rules.options.{}", entry.id),
                format!("rule `{}`: {e}", entry.id),
            )) as Error,
            None => format!("rule `{}`: {e}", entry.id).into(),
        })?;
        let severity = match severity_cfg.get(entry.id) {
            Some(s) => s.parse()?,
            None => m.severity,
        };
        rules.push(ActiveRule {
            id: RuleId::new(entry.id),
            severity,
            rule,
        });
    }

    // Custom rules, after the built-in ones; `--select custom` selects them all.
    for rule in custom {
        let id = rule.id();
        let m = meta(id).ok_or_else(|| format!("custom rule `{id}` has no metadata"))?;
        let selected = match &select {
            Some(list) => list.iter().any(|s| selector_matches(s, id)),
            None => m.enabled,
        };
        if !selected || ignore.iter().any(|s| selector_matches(s, id)) {
            continue;
        }
        let severity = match severity_cfg.get(id) {
            Some(s) => s.parse()?,
            None => m.severity,
        };
        rules.push(ActiveRule {
            id: RuleId::new(id),
            severity,
            rule: Box::new(rule),
        });
    }

    // Settings.
    let mut settings = Settings::default();
    if let Some(c) = cfg {
        let c_err = |route: &str, m: String| -> Error {
            match config {
                Some(conf) => Box::new(conf.error(route, m)),
                None => m.into(),
            }
        };
        if let Some(ns) = &c.default_namespace {
            settings.default_namespace = ns.clone();
        }
        if let Some(b) = c.complete_set {
            settings.complete_set = b;
        }
        if let Some(v) = &c.kubernetes_version {
            settings.kubernetes_minor = Some(parse_kubernetes_version(v).map_err(|e| c_err("kubernetes_version", e))?);
        }
        if let Some(p) = &c.pss {
            if let Some(l) = &p.level {
                settings.pss.level = l.parse().map_err(|e| c_err("pss.level", e))?;
            }
            if let Some(v) = &p.version {
                settings.pss.version = v.parse().map_err(|e| c_err("pss.version", e))?;
            }
            if let Some(n) = &p.exempt_namespaces {
                settings.pss.exempt_namespaces = n.clone();
            }
            if let Some(r) = &p.exempt_runtime_classes {
                settings.pss.exempt_runtime_classes = r.clone();
            }
            if let Some(n) = &p.namespace_labels {
                settings.pss.respect_namespace_labels = match n.as_str() {
                    "respect" => true,
                    "ignore" => false,
                    other => {
                        return Err(c_err(
                            "pss.namespace_labels",
                            format!("`{other}` is not `respect` or `ignore`"),
                        ));
                    }
                };
            }
        }
        if let Some(l) = &c.limits {
            l.apply(&mut settings.limits).map_err(|(key, m)| c_err(key, m))?;
        }
    }
    if let Some(ns) = &options.default_namespace {
        settings.default_namespace = ns.clone();
    }
    settings.complete_set |= options.complete_set;
    if let Some(l) = options.pss_level {
        settings.pss.level = l;
    }
    if let Some(n) = options.max_file_size {
        settings.limits.max_file_size = n;
    }
    if let Some(n) = options.max_depth {
        settings.limits.max_depth = n;
    }
    if let Some(n) = options.max_alias_nodes {
        settings.limits.max_alias_nodes = n;
    }
    if let Some(v) = options.pss_version {
        settings.pss.version = v;
    }

    let fail_on = match options.fail_on {
        Some(f) => f,
        None => match cfg.and_then(|c| c.fail_on.as_deref()) {
            None => FailOn::Warning,
            Some(s) => s.parse::<FailOn>().map_err(|m| match config {
                Some(c) => Box::new(c.error("fail_on", m)) as Error,
                None => m.into(),
            })?,
        },
    }
    .severity();

    // Suppressions from the configuration.
    let mut config_suppressions = Vec::new();
    if let (Some(c), Some(file)) = (config, config_file) {
        for (i, entry) in c.file.ignore.iter().flatten().enumerate() {
            let route = format!("ignore[{i}]");
            if entry.rules.is_empty() {
                return Err(Box::new(c.error(&route, "an ignore entry needs at least one rule")));
            }
            if entry.reason.trim().is_empty() {
                return Err(Box::new(c.error(&route, "an ignore entry needs a reason")));
            }
            let mut globs = globset::GlobSetBuilder::new();
            for (j, p) in entry.paths.iter().enumerate() {
                let glob = globset::GlobBuilder::new(p.trim_start_matches("./"))
                    .literal_separator(true)
                    .build()
                    .map_err(|e| c.error(&format!("ignore[{i}].paths[{j}]"), format!("invalid glob: {e}")))?;
                globs.add(glob);
            }
            let known_names: Vec<&'static str> = known.iter().copied().collect();
            let unknown: Vec<String> = entry
                .rules
                .iter()
                .filter(|r| {
                    let r = crate::engine::suppress::unqualified(r);
                    !SELECTOR_KEYWORDS.contains(&r) && !known_names.contains(&r)
                })
                .cloned()
                .collect();
            config_suppressions.push(Suppression {
                kind: SuppressionKind::Config,
                rules: entry.rules.clone(),
                reason: Some(entry.reason.clone()),
                loc: Loc {
                    file,
                    span: c.span(&route).unwrap_or_default(),
                },
                object: None,
                paths: (!entry.paths.is_empty())
                    .then(|| globs.build().map(Arc::new))
                    .transpose()
                    .map_err(|e| c.error(&route, e.to_string()))?,
                malformed: None,
                unknown,
                used: false,
            });
        }
    }

    let mut engine = Engine::new(rules, settings);
    engine.config_suppressions = config_suppressions;
    engine.config_base = config.map(|c| c.base.clone());
    Ok((engine, fail_on))
}

/// Every rule id and family (custom ones included, once registered).
fn known_names() -> BTreeSet<&'static str> {
    let mut known = BTreeSet::new();
    for m in all_meta() {
        known.insert(m.id.as_str());
        known.insert(m.family.as_str());
    }
    known
}

/// Checks that `list` names rules, families or selector keywords; an error names
/// `route[i]` in the configuration file (the flags when `route` is empty).
fn check_selectors(
    known: &BTreeSet<&'static str>,
    config: Option<&Config>,
    list: &[String],
    route: &str,
) -> Result<(), Error> {
    for (i, s) in list.iter().enumerate() {
        if !SELECTOR_KEYWORDS.contains(&s.as_str()) && !known.contains(s.as_str()) {
            let message = format!(
                "unknown rule or family `{s}`{} (see `plimsoll rules`)",
                crate::engine::did_you_mean_rule(s)
            );
            return Err(match config {
                Some(c) if !route.is_empty() => Box::new(c.error(&format!("{route}[{i}]"), message)),
                _ => message.into(),
            });
        }
    }
    Ok(())
}

/// The fix configuration: the configuration file's `fix` section, its rules checked
/// against the registry, and `--unsafe-fixes`.
pub(super) fn fix_config(options: &Options, config: Option<&Config>) -> Result<FixConfig, Error> {
    let mut fix = FixConfig {
        unsafe_fixes: options.unsafe_fixes,
        ..FixConfig::default()
    };
    let Some(section) = config.and_then(|c| c.file.fix.as_ref()) else {
        return Ok(fix);
    };
    let known = known_names();
    for (key, list) in section.rule_lists() {
        check_selectors(&known, config, list, &format!("fix.{key}"))?;
    }
    fix.unsafe_fixes |= section.unsafe_.unwrap_or(false);
    fix.unfixable = section.unfixable.clone().unwrap_or_default();
    fix.extend_safe = section.extend_safe.clone().unwrap_or_default();
    fix.extend_unsafe = section.extend_unsafe.clone().unwrap_or_default();
    fix.opt_in = section.opt_in.clone().unwrap_or_default();
    Ok(fix)
}

/// Loads and compiles the configuration's custom rules (`custom_rules`, and the files
/// `custom_rules_files` names) and registers their metadata. Called before anything reads
/// rule metadata.
pub(super) fn custom_rules(config: Option<&Config>, cwd: &Path) -> Result<Vec<CustomRule>, Error> {
    use crate::policy::custom::{Entry, build};
    let Some(c) = config else {
        return Ok(Vec::new());
    };
    let minor = match &c.file.kubernetes_version {
        Some(v) => parse_kubernetes_version(v).map_err(|e| c.error("kubernetes_version", e))?,
        None => crate::model::apilifecycle::lifecycle().latest_minor(),
    };
    let line_of = |span: Option<crate::source::Span>| span.map_or(1, |s| s.start.line);
    let mut files = Vec::new();
    for (i, pattern) in c.file.custom_rules_files.iter().flatten().enumerate() {
        let glob = globset::Glob::new(pattern)
            .map_err(|e| c.error(&format!("custom_rules_files[{i}]"), format!("`{pattern}`: {e}")))?
            .compile_matcher();
        let mut found: Vec<PathBuf> = ignore::WalkBuilder::new(&c.base)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok)
            .map(|e| e.into_path())
            .filter(|p| p.is_file() && p.strip_prefix(&c.base).is_ok_and(|r| glob.is_match(r)))
            .collect();
        found.sort();
        if found.is_empty() {
            return Err(Box::new(c.error(
                &format!("custom_rules_files[{i}]"),
                format!("`{pattern}` matches no file"),
            )));
        }
        for path in found {
            let shown = path.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or(path);
            files.push(config::load_custom_rules(&shown)?);
        }
    }
    let mut entries = Vec::new();
    for (i, rule) in c.file.custom_rules.iter().flatten().enumerate() {
        let route = crate::source::Route::root().key("custom_rules").index(i);
        entries.push(Entry {
            rule,
            file: discover::display(&c.path),
            line: line_of(c.span(&route.to_string())),
            route,
        });
    }
    let inline = entries.len();
    for f in &files {
        for (i, rule) in f.rules.iter().enumerate() {
            let route = crate::source::Route::root().index(i);
            entries.push(Entry {
                rule,
                file: discover::display(&f.path),
                line: line_of(f.span(&route.to_string())),
                route,
            });
        }
    }
    let builtin = crate::engine::meta::builtin_families();
    let (rules, metas) = build(&entries, &builtin, minor).map_err(|e| -> Error {
        if e.entry < inline {
            return Box::new(c.error(&e.route, e.message));
        }
        let mut at = e.entry - inline;
        for f in &files {
            if at < f.rules.len() {
                return Box::new(f.error(&e.route, e.message));
            }
            at -= f.rules.len();
        }
        e.message.into()
    })?;
    crate::engine::meta::register_custom(metas)?;
    Ok(rules)
}

/// `"1.33"` or `"v1.33"` (a patch is allowed and ignored) → 33.
pub(super) fn parse_kubernetes_version(v: &str) -> Result<u32, String> {
    let s = v.trim_start_matches('v');
    let mut parts = s.split('.');
    match (parts.next(), parts.next()) {
        (Some("1"), Some(minor)) => minor
            .parse()
            .map_err(|_| format!("`{v}` is not a Kubernetes version like \"1.33\"")),
        _ => Err(format!("`{v}` is not a Kubernetes version like \"1.33\"")),
    }
}
