//! The command line: parsing, setting up a run from the configuration and flags, and
//! mapping the outcome to an exit code (0 clean, 1 findings at or above `--fail-on`,
//! 2 usage, configuration or I/O error).

use crate::config::{self, Config};
use crate::discover::{self, Excludes};
use crate::engine::{
    ActiveRule, Engine, Files, SELECTOR_KEYWORDS, Settings, Severity, Source, Suppression, SuppressionKind, all_meta,
    meta, suppress::selector_matches,
};
use crate::model::pss::{PssLevel, PssVersion};
use crate::report::{self, Format, ReportCx};
use crate::source::{FileId, Loc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(
    name = "plimsoll",
    version,
    about = "A static linter and policy checker for Kubernetes manifests"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint manifests (files, directories, or `-` for stdin)
    Check(Box<CheckArgs>),
    /// List every rule with its id, family, severity and summary
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's full documentation
    Explain {
        /// The rule id, e.g. pss-privileged
        rule: String,
    },
    /// Write a commented starter .plimsoll.yaml in the current directory
    Init {
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script (e.g. `plimsoll completions bash > ~/.local/share/bash-completion/completions/plimsoll`)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `plimsoll man > plimsoll.1`
    Man,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Kustomize {
    /// Render kustomizations when `kustomize` or `kubectl` is on PATH
    Auto,
    /// Lint the files of kustomizations as plain manifests
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files and directories to lint; `-` reads manifests from stdin
    #[arg(default_value = ".")]
    pub paths: Vec<String>,

    /// Output format, optionally with a file: `--format sarif=results.sarif`. Repeat (or
    /// separate with commas) to write several formats in one run: text, concise, json, sarif,
    /// github, junit, markdown
    #[arg(long, short = 'f', value_delimiter = ',', default_value = "text")]
    pub format: Vec<String>,

    /// Write the format that has no file of its own here instead of stdout
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding at or above this severity remains [default: warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    #[arg(long, value_delimiter = ',', help = select_help())]
    pub select: Vec<String>,

    /// Rules not to run: ids or families
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Pod Security Standards level [default: restricted]
    #[arg(long, value_parser = parse_level)]
    pub pss_level: Option<PssLevel>,

    /// Pod Security Standards version: `latest` or `v1.<minor>` [default: latest]
    #[arg(long, value_parser = parse_version)]
    pub pss_version: Option<PssVersion>,

    /// Configuration file [default: nearest .plimsoll.yaml upward]
    #[arg(long, conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read any configuration file
    #[arg(long)]
    pub no_config: bool,

    /// Do not lint paths matching this glob (repeatable)
    #[arg(long)]
    pub exclude: Vec<String>,

    /// Do not honour .gitignore, .ignore and git exclude files
    #[arg(long)]
    pub no_ignore_files: bool,

    /// Namespace of objects that do not set one [default: default]
    #[arg(long)]
    pub default_namespace: Option<String>,

    /// The manifests are the whole cluster: "not in the set" findings keep their severity
    #[arg(long)]
    pub complete_set: bool,

    /// Check the configuration's custom rules against their own examples (`bad` must fire,
    /// `good` must not) instead of linting; exit 2 on a mismatch
    #[arg(long)]
    pub check_custom_rules: bool,

    /// Render directories with a kustomization.yaml and point findings back at their files
    /// [default: auto]
    #[arg(long, value_enum)]
    pub kustomize: Option<Kustomize>,

    /// The directory Kustomize renders may read [default: the Git work tree of the paths,
    /// else their common directory]. A kustomization that reads outside it is not rendered
    /// (`kustomize-build-failed`); widen it only for repositories you trust
    #[arg(long, env = "PLIMSOLL_KUSTOMIZE_ROOT", value_name = "DIR")]
    pub kustomize_root: Option<PathBuf>,

    /// Where Kustomize renders are kept between runs, keyed by the content of every file
    /// they read [default: $XDG_CACHE_HOME/plimsoll, else ~/.cache/plimsoll]
    #[arg(long, env = "PLIMSOLL_CACHE_DIR", value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Render every kustomization again rather than use or keep cached renders
    #[arg(long, env = "PLIMSOLL_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,

    /// Files named on the command line that hold no Kubernetes object (a workflow, a Helm
    /// values file) are skipped as they are when found in a directory, and a run with no
    /// object at all succeeds (for pre-commit, which passes every changed YAML file)
    #[arg(long)]
    pub skip_non_manifests: bool,

    /// Name shown for manifests read from stdin
    #[arg(long, default_value = "<stdin>")]
    pub stdin_filename: String,

    /// Largest file read, e.g. `64MiB`, `200M`, `1000000` [default: 64MiB]; a configuration
    /// file cannot raise it
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub max_file_size: Option<u64>,

    /// Deepest nesting of a YAML document [default: 200]; a configuration file cannot set
    /// more than 255
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,

    /// Most nodes one document may visit through YAML aliases [default: 100000]; a
    /// configuration file cannot set more than 1000000
    #[arg(long, value_name = "N")]
    pub max_alias_nodes: Option<usize>,

    /// Threads to use [default: all cores]
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,

    /// Colour the text output
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Print findings only: no summary, no notices
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print counts per rule, throughput and timings to stderr
    #[arg(long)]
    pub statistics: bool,
}

/// `1000`, `64K`, `64KiB`, `64M`, `64MiB`, `1G`, `1GiB` (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let n: u64 = n.parse().map_err(|_| format!("`{s}` is not a size such as 64MiB"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{s}` is not a size such as 64MiB")),
    };
    n.checked_mul(1 << shift).ok_or_else(|| format!("`{s}` is too large"))
}

fn parse_level(s: &str) -> Result<PssLevel, String> {
    s.parse()
}

fn parse_version(s: &str) -> Result<PssVersion, String> {
    s.parse()
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    ExitCode::from(run(Cli::parse()))
}

/// Runs a command line (`["plimsoll", "check", ...]`) and returns the exit code; used by
/// benchmarks to run in-process.
pub fn run_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(e) => {
            let _ = e.print();
            2
        }
    }
}

fn run(cli: Cli) -> u8 {
    let code = match cli.command {
        Command::Check(args) => check(*args),
        Command::Rules { format } => nearest_custom_rules().and_then(|()| list_rules(format)),
        Command::Explain { rule } => nearest_custom_rules().and_then(|()| explain(&rule)),
        Command::Init { force } => init(force),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
    };
    match code {
        Ok(code) => code,
        // Output cut short by its reader (`plimsoll rules | head -1`): nothing to say.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            0
        }
        Err(e) => {
            say("error", &e.to_string());
            2
        }
    }
}

/// `--select`'s help, with the families of the registry.
fn select_help() -> String {
    let mut families: Vec<&str> = all_meta().iter().map(|m| m.family.as_str()).collect();
    families.sort_unstable();
    families.dedup();
    format!(
        "Rules to run: ids, families ({}), `default` (the rules on by default) or `all`",
        families.join(", ")
    )
}

/// The completion script for `shell`, from the command-line definition.
fn completions(shell: clap_complete::Shell) -> Result<u8, Fatal> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "plimsoll", &mut out);
    write_stdout(&out)
}

/// The manual page, from the command-line definition: the command and one section per
/// subcommand.
fn man() -> Result<u8, Fatal> {
    use clap::CommandFactory;
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("plimsoll {}", sub.get_name());
        out.extend_from_slice(b".SH \"");
        out.extend_from_slice(name.to_uppercase().as_bytes());
        out.extend_from_slice(b"\"\n");
        if let Some(about) = sub.get_about() {
            out.extend_from_slice(about.to_string().replace('\\', "\\\\").as_bytes());
            out.push(b'\n');
        }
        let page = clap_mangen::Man::new(sub.clone());
        page.render_options_section(&mut out)?;
    }
    write_stdout(&out)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn write_stdout(bytes: &[u8]) -> Result<u8, Fatal> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}

/// Prints a diagnostic on stderr: `kind: message` on one line, whatever the message holds
/// (paths and messages from the repository have their control characters escaped, so no
/// line of ours can be read as a CI workflow command).
fn say(kind: &str, message: &str) {
    eprintln!("{kind}: {}", crate::source::escape_control(message));
}

/// An error that ends the run with exit code 2.
type Fatal = Box<dyn std::error::Error>;

fn check(args: CheckArgs) -> Result<u8, Fatal> {
    let started = Instant::now();
    if let Some(jobs) = args.jobs {
        if jobs == 0 {
            return Err("--jobs must be at least 1".into());
        }
        // Fails only when called twice in a process (tests); the first pool then stays.
        let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
    }
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));

    let cwd = std::env::current_dir()?;
    let config = if args.no_config {
        None
    } else {
        let found = || config::find(&cwd).map(|p| p.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(p));
        match args.config.clone().or_else(found) {
            Some(path) => Some(config::load(&path)?),
            None => None,
        }
    };
    let custom = custom_rules(config.as_ref())?;
    let outputs = outputs(&args)?;
    let mut files = Files::default();
    let config_file = config.as_ref().map(|c| {
        files.add(
            discover::display(&c.path),
            Source::Text(Arc::from(c.text.as_str())),
            false,
            false,
        )
    });
    let custom_copies = custom.clone();
    let (mut engine, fail_on) = setup(&args, config.as_ref(), config_file, custom)?;
    if args.check_custom_rules {
        return check_custom_rules(&engine, &custom_copies);
    }
    files.set_max_size(engine.settings.limits.max_file_size);

    // Inputs.
    let mut excludes = vec![Excludes::new(&cwd, &args.exclude)?];
    if let Some(c) = &config {
        excludes.push(Excludes::new(&c.base, c.file.exclude.as_deref().unwrap_or_default())?);
    }
    let mut paths = Vec::new();
    let mut stdin = false;
    for p in &args.paths {
        if p == "-" {
            stdin = true;
        } else {
            paths.push(PathBuf::from(p));
        }
    }
    let found = discover::discover(
        &paths,
        &discover::Options {
            excludes,
            no_ignore_files: args.no_ignore_files,
            threads,
        },
    )?;
    if stdin {
        // Read like a file: at most the size limit; what cannot be read as text is a
        // finding, as it is for a file.
        let source = match crate::source::read_stream(std::io::stdin().lock(), files.max_size()) {
            Ok(bytes) => match crate::source::decode(bytes) {
                Ok(text) => Source::Text(Arc::from(text)),
                Err(e) => Source::Unreadable(crate::source::ReadError::Decode(e)),
            },
            Err(e @ crate::source::ReadError::TooLarge(_)) => Source::Unreadable(e),
            Err(e) => return Err(format!("cannot read stdin: {e}").into()),
        };
        files.add(args.stdin_filename.clone(), source, true, true);
    }
    let mut found = found;
    let kustomize_mode = match args.kustomize {
        Some(k) => k,
        None => match config.as_ref().and_then(|c| c.file.kustomize.as_deref()) {
            None | Some("auto") => Kustomize::Auto,
            Some("never") => Kustomize::Never,
            Some(other) => {
                let m = format!("`{other}` is not `auto` or `never`");
                return Err(match &config {
                    Some(c) => Box::new(c.error("kustomize", m)),
                    None => m.into(),
                });
            }
        },
    };
    let prepared = match kustomize_mode {
        Kustomize::Auto => discover::kustomize::prepare(
            &mut found.files,
            &found.kustomizations,
            &mut files,
            &engine.settings.limits,
            &cwd,
            &match &args.kustomize_root {
                Some(dir) => std::fs::canonicalize(dir)
                    .map_err(|e| format!("--kustomize-root {}: {e}", discover::display(dir)))?,
                None => discover::repository_root(&paths, &cwd),
            },
            match (args.no_cache, &args.cache_dir) {
                (true, _) => None,
                (false, Some(dir)) => Some(cwd.join(dir)),
                (false, None) => discover::kustomize::cache::default_dir(),
            }
            .as_deref(),
        ),
        Kustomize::Never => discover::kustomize::Prepared::default(),
    };
    if !args.quiet {
        for n in &prepared.notices {
            say("notice", n);
        }
    }
    engine.settings.kustomize_failures = prepared.failures;
    engine.relocate = prepared
        .relocator
        .map(|r| Box::new(r) as Box<dyn crate::engine::Relocate>);
    for f in &found.files {
        let explicit = f.explicit && !args.skip_non_manifests;
        files.add(f.display.clone(), Source::Path(f.path.clone()), true, explicit);
    }
    if !args.quiet {
        for chart in &found.charts {
            let c = discover::display(chart);
            say(
                "notice",
                &format!(
                    "skipped the Helm chart `{c}` (its templates are not YAML); lint what it renders: `helm template {c} | plimsoll check -`"
                ),
            );
        }
    }
    for w in &found.warnings {
        if !args.quiet {
            say("warning", &format!("skipped {w}"));
        }
    }
    let inputs = files.ids().filter(|id| files.get(*id).input).count();
    if inputs == 0 {
        return Err(format!(
            "no manifests found in {} (looked for *.yaml, *.yml, *.json; check --exclude and .gitignore)",
            args.paths.join(", ")
        )
        .into());
    }

    let mut outcome = engine.run(&files);
    // Nothing to lint is one clear error, not an empty report followed by one.
    if outcome.stats.objects == 0
        && outcome.findings.is_empty()
        && outcome.io_errors.is_empty()
        && found.errors.is_empty()
        && !args.skip_non_manifests
    {
        let what = if stdin && outcome.stats.bytes == 0 {
            "stdin is empty: no Kubernetes objects to lint".to_string()
        } else {
            format!(
                "no Kubernetes objects found in {inputs} {} (documents need `apiVersion` and `kind`)",
                if inputs == 1 { "file" } else { "files" }
            )
        };
        return Err(what.into());
    }
    if let Ok(cwd) = std::env::current_dir() {
        discover::helm::attribute(&mut files, &mut outcome, &cwd);
    }

    let rules: Vec<(&'static str, crate::engine::Severity)> = {
        let mut ids: Vec<_> = engine.rules.iter().map(|r| (r.id, r.severity)).collect();
        ids.sort_unstable();
        ids
    };
    let stdout_is_tty = std::io::stdout().is_terminal();
    for (format, path) in &outputs {
        let to_stdout = path.is_none();
        let color = *format == Format::Text
            && to_stdout
            && match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => stdout_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
        let cx = ReportCx {
            files: &files,
            outcome: &outcome,
            rules: &rules,
            color,
            quiet: args.quiet,
            elapsed: started.elapsed(),
            fail_on,
            fix_policy: &crate::engine::FixPolicy::default(),
            fix_summary: None,
        };
        match path {
            Some(p) => {
                let file = std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?;
                let mut w = std::io::BufWriter::new(file);
                report::render(*format, &cx, &mut w)?;
                w.flush()?;
            }
            None => {
                // A closed pipe (`| head`) stops the output, not the run: the exit code
                // still says whether there were findings.
                let stdout = std::io::stdout();
                let mut w = std::io::BufWriter::new(stdout.lock());
                match report::render(*format, &cx, &mut w).and_then(|()| w.flush()) {
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                    other => other?,
                }
            }
        }
    }
    if args.statistics {
        statistics(&outcome, &prepared.stats, &rules, started.elapsed());
    }
    for e in &found.errors {
        say("error", &format!("cannot read {e}"));
    }
    for e in &outcome.io_errors {
        say("error", &format!("cannot read {}: {}", e.path, e.message));
    }
    if !outcome.io_errors.is_empty() || !found.errors.is_empty() {
        return Ok(2);
    }
    let failing = fail_on.is_some_and(|min| outcome.findings.iter().any(|f| f.severity >= min));
    Ok(u8::from(failing))
}

/// The formats to write and where: `(format, None)` goes to `--output` or stdout.
fn outputs(args: &CheckArgs) -> Result<Vec<(Format, Option<PathBuf>)>, Fatal> {
    let mut out = Vec::new();
    let mut to_default = 0;
    for spec in &args.format {
        let (name, file) = match spec.split_once('=') {
            Some((n, f)) => (n, Some(PathBuf::from(f))),
            None => (spec.as_str(), None),
        };
        let format: Format = name.parse()?;
        let file = file.or_else(|| {
            to_default += 1;
            args.output.clone()
        });
        out.push((format, file));
    }
    if to_default > 1 {
        return Err(
            "only one --format may go to stdout/--output; give the others a file: --format sarif=results.sarif".into(),
        );
    }
    Ok(out)
}

/// Builds the engine from the registry, the configuration file and the flags.
fn setup(
    args: &CheckArgs,
    config: Option<&Config>,
    config_file: Option<FileId>,
    custom: Vec<crate::policy::custom::CustomRule>,
) -> Result<(Engine, Option<Severity>), Fatal> {
    let cfg = config.map(|c| &c.file);
    let rules_cfg = cfg.and_then(|c| c.rules.as_ref());
    let registry = crate::rules::all();
    let mut known: BTreeSet<&'static str> = BTreeSet::new();
    for m in all_meta() {
        known.insert(m.id.as_str());
        known.insert(m.family.as_str());
    }
    let check_selectors = |list: &[String], route: &str| -> Result<(), Fatal> {
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
    };
    check_selectors(&args.select, "")?;
    check_selectors(&args.ignore, "")?;
    let cfg_select = rules_cfg.and_then(|r| r.select.clone());
    let cfg_ignore = rules_cfg.and_then(|r| r.ignore.clone()).unwrap_or_default();
    if let Some(s) = &cfg_select {
        check_selectors(s, "rules.select")?;
    }
    check_selectors(&cfg_ignore, "rules.ignore")?;

    let select = if args.select.is_empty() {
        cfg_select
    } else {
        Some(args.select.clone())
    };
    let ignore: Vec<String> = cfg_ignore.into_iter().chain(args.ignore.iter().cloned()).collect();

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
            )) as Fatal,
            None => format!("rule `{}`: {e}", entry.id).into(),
        })?;
        let severity = match severity_cfg.get(entry.id) {
            Some(s) => s.parse()?,
            None => m.severity,
        };
        rules.push(ActiveRule {
            id: entry.id,
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
            id,
            severity,
            rule: Box::new(rule),
        });
    }

    // Settings.
    let mut settings = Settings::default();
    if let Some(c) = cfg {
        let c_err = |route: &str, m: String| -> Fatal {
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
    if let Some(ns) = &args.default_namespace {
        settings.default_namespace = ns.clone();
    }
    settings.complete_set |= args.complete_set;
    if let Some(l) = args.pss_level {
        settings.pss.level = l;
    }
    if let Some(n) = args.max_file_size {
        settings.limits.max_file_size = n;
    }
    if let Some(n) = args.max_depth {
        settings.limits.max_depth = n;
    }
    if let Some(n) = args.max_alias_nodes {
        settings.limits.max_alias_nodes = n;
    }
    if let Some(v) = args.pss_version {
        settings.pss.version = v;
    }

    let fail_on = match args.fail_on {
        Some(f) => f,
        None => match cfg.and_then(|c| c.fail_on.as_deref()) {
            None => FailOn::Warning,
            Some(s) => FailOn::from_str(s, false).map_err(|_| {
                let m = format!("`{s}` is not one of error, warning, info, never");
                match config {
                    Some(c) => Box::new(c.error("fail_on", m)) as Fatal,
                    None => m.into(),
                }
            })?,
        },
    };
    let fail_on = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };

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

/// `"1.33"` or `"v1.33"` (a patch is allowed and ignored) → 33.
/// Loads and compiles the configuration's custom rules (`custom_rules`, and the files
/// `custom_rules_files` names) and registers their metadata. Called before anything reads
/// rule metadata.
fn custom_rules(config: Option<&Config>) -> Result<Vec<crate::policy::custom::CustomRule>, Fatal> {
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
            let shown = std::env::current_dir()
                .ok()
                .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
                .unwrap_or(path);
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
    let (rules, metas) = build(&entries, &builtin, minor).map_err(|e| -> Fatal {
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

/// Registers the custom rules of the nearest configuration file, for `rules` and `explain`.
fn nearest_custom_rules() -> Result<(), Fatal> {
    let cwd = std::env::current_dir()?;
    if let Some(path) = config::find(&cwd) {
        let path = path.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(path);
        custom_rules(Some(&config::load(&path)?))?;
    }
    Ok(())
}

/// `--check-custom-rules`: each custom rule's `bad` example must make it fire and its
/// `good` example must not.
fn check_custom_rules(engine: &Engine, custom: &[crate::policy::custom::CustomRule]) -> Result<u8, Fatal> {
    let mut failed = 0;
    let mut checked = 0;
    for r in &engine.rules {
        let Some(m) = meta(r.id).filter(|m| m.custom.is_some()) else {
            continue;
        };
        if m.examples.bad.is_empty() && m.examples.good.is_empty() {
            continue;
        }
        for (which, text, want) in [("bad", &m.examples.bad, true), ("good", &m.examples.good, false)] {
            let mut files = Files::default();
            files.add(
                format!("<{}.examples.{which}>", r.id),
                Source::Text(Arc::from(text.as_str())),
                true,
                true,
            );
            let single = Engine::new(
                vec![ActiveRule {
                    id: r.id,
                    severity: r.severity,
                    rule: custom
                        .iter()
                        .find(|c| c.id() == r.id)
                        .map(|c| Box::new(c.clone()) as Box<dyn crate::engine::Rule>)
                        .ok_or_else(|| format!("custom rule `{}` not found", r.id))?,
                }],
                engine.settings.clone(),
            );
            let outcome = single.run(&files);
            let fired = outcome.findings.iter().any(|f| f.rule == r.id);
            checked += 1;
            if fired == want {
                println!("ok    {} examples.{which}", r.id);
            } else {
                failed += 1;
                println!(
                    "FAIL  {} examples.{which}: {}",
                    r.id,
                    if want {
                        "the rule does not fire"
                    } else {
                        "the rule fires"
                    }
                );
                for f in &outcome.findings {
                    println!("      {}: {}", f.rule, f.message);
                }
            }
        }
    }
    println!("{checked} examples checked, {failed} failed");
    Ok(if failed > 0 { 2 } else { 0 })
}

fn parse_kubernetes_version(v: &str) -> Result<u32, String> {
    let s = v.trim_start_matches('v');
    let mut parts = s.split('.');
    match (parts.next(), parts.next()) {
        (Some("1"), Some(minor)) => minor
            .parse()
            .map_err(|_| format!("`{v}` is not a Kubernetes version like \"1.33\"")),
        _ => Err(format!("`{v}` is not a Kubernetes version like \"1.33\"")),
    }
}

fn statistics(
    outcome: &crate::engine::Outcome,
    renders: &discover::kustomize::RenderStats,
    rules: &[(&'static str, crate::engine::Severity)],
    elapsed: std::time::Duration,
) {
    let s = &outcome.stats;
    let secs = elapsed.as_secs_f64().max(1e-9);
    let mb = s.bytes as f64 / 1_000_000.0;
    eprintln!("files:          {}", s.files);
    eprintln!("bytes:          {} ({mb:.2} MB)", s.bytes);
    eprintln!(
        "documents:      {} ({} skipped: not Kubernetes objects)",
        s.documents, s.skipped_documents
    );
    eprintln!(
        "objects:        {} ({} typed, {} generic, {} with type errors, {} SOPS-encrypted)",
        s.objects, s.typed, s.generic, s.invalid, s.sops
    );
    let mut generic: Vec<_> = s.generic_kinds.iter().collect();
    generic.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !generic.is_empty() {
        eprintln!("read generically (no typed struct), most frequent:");
        for (kind, n) in generic.iter().take(10) {
            eprintln!("  {n:>7}  {}", crate::source::escape_control(kind));
        }
    }
    if renders.kustomizations > 0 {
        eprintln!(
            "kustomize:      {:.3}s, {} kustomizations ({} from the render cache, {} renderer runs)",
            renders.elapsed.as_secs_f64(),
            renders.kustomizations,
            renders.from_cache,
            renders.renderer_runs
        );
    }
    eprintln!("load + check:   {:.3}s", s.load_and_check.as_secs_f64());
    if s.files_read_again > 0 {
        eprintln!(
            "                ({} files read again for their namespaces' Pod Security labels)",
            s.files_read_again
        );
    }
    eprintln!("cross-object:   {:.3}s", s.cross_object.as_secs_f64());
    for (rule, took) in s.set_rules.iter().take(5).filter(|(_, t)| t.as_secs_f64() >= 0.001) {
        eprintln!("  {:>7.3}s  {rule}", took.as_secs_f64());
    }
    eprintln!("total:          {secs:.3}s");
    eprintln!(
        "throughput:     {:.1} MB/s, {:.0} documents/s",
        mb / secs,
        s.documents as f64 / secs
    );
    eprintln!("findings by rule:");
    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in &outcome.findings {
        *by_rule.entry(f.rule).or_default() += 1;
    }
    for (id, _) in rules {
        if let Some(n) = by_rule.get(id) {
            eprintln!("  {n:>7}  {id}");
        }
    }
}

fn list_rules(format: ListFormat) -> Result<u8, Fatal> {
    let stdout = std::io::stdout();
    let mut w = stdout.lock();
    match format {
        ListFormat::Text => {
            let width = all_meta().iter().map(|m| m.id.len()).max().unwrap_or(0);
            let family = all_meta().iter().map(|m| m.family.len()).max().unwrap_or(0);
            writeln!(w, "{:width$}  {:family$}  {:<7}  SUMMARY", "RULE", "FAMILY", "DEFAULT")?;
            for m in all_meta() {
                let off = match &m.custom {
                    Some(c) => format!(" (custom: {}:{})", c.file, c.line),
                    None if !m.enabled => " (off by default)".to_string(),
                    None => String::new(),
                };
                writeln!(
                    w,
                    "{:width$}  {:family$}  {:<7}  {}{off}",
                    m.id,
                    m.family,
                    m.severity.as_str(),
                    m.summary
                )?;
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = all_meta()
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id, "family": m.family, "severity": m.severity,
                        "enabled": m.enabled, "summary": m.summary, "url": m.url(),
                        "custom": m.custom.as_ref().map(|c| format!("{}:{}", c.file, c.line)),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut w, &list)?;
            writeln!(w)?;
        }
        ListFormat::Markdown => write!(w, "{}", crate::docs::index_published())?,
    }
    Ok(0)
}

fn explain(rule: &str) -> Result<u8, Fatal> {
    match meta(rule) {
        Some(m) => write_stdout(crate::docs::rule_page(m).as_bytes()),
        None => Err(format!(
            "unknown rule `{rule}`{} (see `plimsoll rules`)",
            crate::engine::did_you_mean_rule(rule)
        )
        .into()),
    }
}

fn init(force: bool) -> Result<u8, Fatal> {
    let path = Path::new(config::FILE_NAMES[0]);
    if path.exists() && !force {
        return Err(format!("{} exists; use --force to overwrite it", path.display()).into());
    }
    std::fs::write(path, config::starter())?;
    println!("wrote {}", path.display());
    Ok(0)
}
