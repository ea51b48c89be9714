//! The command-line definition (clap) and its conversion into session [`Options`].

use crate::engine::all_meta;
use crate::model::pss::{PssLevel, PssVersion};
use crate::session::{self, ConfigChoice, FixMode, KustomizeMode, Options, Stdin};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Where each namespace stands on Pod Security, network isolation, supply chain,
    /// secrets, scaling and RBAC, and how many are under each policy (see docs/posture.md)
    Posture(Box<PostureArgs>),
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
    /// Serve the Language Server Protocol on stdin/stdout (for editors; see docs/editors.md)
    Lsp,
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

    /// Apply the safe fixes of the findings to the files they are in
    #[arg(long)]
    pub fix: bool,

    /// Apply unsafe fixes too (fixes that may change what the manifests deploy); with
    /// `--fix` or `--diff`
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them (also for stdin)
    #[arg(long)]
    pub diff: bool,

    /// Report only findings this baseline file does not hold (written by
    /// `--write-baseline`), and count its entries that match nothing any more
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the findings in this baseline file and exit 0: every finding, or with
    /// `--baseline` only those it still holds (to prune it)
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Lint everything but report only findings about files changed since this git
    /// revision (committed, staged, unstaged or untracked), and cross-object findings
    /// elsewhere that the revision does not have
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,

    #[arg(long, value_delimiter = ',', help = select_help())]
    pub select: Vec<String>,

    /// Rules not to run: ids or families
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Check the configuration's custom rules against their own examples (`bad` must fire,
    /// `good` must not) instead of linting; exit 2 on a mismatch
    #[arg(long)]
    pub check_custom_rules: bool,

    /// Colour the text output
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// Print findings only: no summary, no notices
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print counts per rule, throughput and timings to stderr
    #[arg(long)]
    pub statistics: bool,

    // What to read and how, listed after the command's own options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// What to read and how: the arguments `check` and `posture` share.
#[derive(Args, Debug)]
pub struct InputArgs {
    /// Files and directories to lint; `-` reads manifests from stdin
    #[arg(default_value = ".")]
    pub paths: Vec<String>,

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
}

#[derive(Args, Debug)]
pub struct PostureArgs {
    /// Output format, optionally with a file: `--format html=posture.html`. Repeat (or
    /// separate with commas) to write several: text, markdown, json, html
    #[arg(long, short = 'f', value_delimiter = ',', default_value = "text")]
    pub format: Vec<String>,

    /// Write the format that has no file of its own here instead of stdout
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,

    /// An earlier JSON posture (`--format json`) to compare with: the namespaces that
    /// entered or left each policy, and why
    #[arg(long, value_name = "FILE")]
    pub compare: Option<PathBuf>,

    /// Exit with 1 when a namespace left a policy since the `--compare` posture
    #[arg(long, requires = "compare")]
    pub fail_on_regression: bool,

    /// Print nothing on stderr but errors
    #[arg(long, short = 'q')]
    pub quiet: bool,

    // What to read and how, listed after the command's own options.
    #[command(flatten)]
    pub input: InputArgs,
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

impl InputArgs {
    /// The session options these arguments say (the paths `-` is standard input), with
    /// everything else at its default.
    pub fn options(&self) -> Options {
        let (stdin, paths): (Vec<&String>, Vec<&String>) = self.paths.iter().partition(|p| *p == "-");
        Options {
            paths: paths.into_iter().map(PathBuf::from).collect(),
            stdin: (!stdin.is_empty()).then_some(Stdin::Read),
            stdin_filename: self.stdin_filename.clone(),
            config: match (&self.config, self.no_config) {
                (_, true) => ConfigChoice::None,
                (Some(path), false) => ConfigChoice::Path(path.clone()),
                (None, false) => ConfigChoice::Nearest,
            },
            pss_level: self.pss_level,
            pss_version: self.pss_version,
            default_namespace: self.default_namespace.clone(),
            complete_set: self.complete_set,
            exclude: self.exclude.clone(),
            no_ignore_files: self.no_ignore_files,
            skip_non_manifests: self.skip_non_manifests,
            kustomize: self.kustomize.map(|k| match k {
                Kustomize::Auto => KustomizeMode::Auto,
                Kustomize::Never => KustomizeMode::Never,
            }),
            kustomize_root: self.kustomize_root.clone(),
            cache_dir: self.cache_dir.clone(),
            no_cache: self.no_cache,
            max_file_size: self.max_file_size,
            max_depth: self.max_depth,
            max_alias_nodes: self.max_alias_nodes,
            jobs: self.jobs,
            ..Options::default()
        }
    }
}

impl CheckArgs {
    /// The session options these arguments say.
    pub fn options(&self) -> Options {
        Options {
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            fail_on: self.fail_on.map(|f| match f {
                FailOn::Error => session::FailOn::Error,
                FailOn::Warning => session::FailOn::Warning,
                FailOn::Info => session::FailOn::Info,
                FailOn::Never => session::FailOn::Never,
            }),
            quiet: self.quiet,
            fix: match (self.diff, self.fix) {
                (true, _) => FixMode::Diff,
                (false, true) => FixMode::Apply,
                (false, false) => FixMode::Off,
            },
            unsafe_fixes: self.unsafe_fixes,
            baseline: self.baseline.clone(),
            write_baseline: self.write_baseline.clone(),
            changed_since: self.changed_since.clone(),
            ..self.input.options()
        }
    }
}

impl PostureArgs {
    /// The session options these arguments say: the posture's rules, whatever the
    /// configuration selects.
    pub fn options(&self) -> Options {
        Options {
            quiet: self.quiet,
            posture: true,
            ..self.input.options()
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
