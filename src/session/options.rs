//! What a run is configured with, as plain data: the command line converts its arguments
//! into [`Options`]; other callers (the editor server, tests) build them directly.

use crate::engine::Severity;
use crate::model::pss::{PssLevel, PssVersion};
use std::path::PathBuf;

/// Everything a run is configured with besides the configuration file, which these
/// override.
#[derive(Clone, Debug)]
pub struct Options {
    /// Files and directories to lint.
    pub paths: Vec<PathBuf>,
    /// Manifests from standard input too, shown as [`Options::stdin_filename`].
    pub stdin: Option<Stdin>,
    pub stdin_filename: String,
    /// The configuration file: the nearest `.plimsoll.yaml` upward, this one, or none.
    pub config: ConfigChoice,
    /// Rules to run (replaces `rules.select`): ids, families or keywords.
    pub select: Vec<String>,
    /// Rules not to run (adds to `rules.ignore`).
    pub ignore: Vec<String>,
    pub pss_level: Option<PssLevel>,
    pub pss_version: Option<PssVersion>,
    pub default_namespace: Option<String>,
    /// The manifests are the whole cluster (`true` overrides the file; `false` leaves it).
    pub complete_set: bool,
    pub fail_on: Option<FailOn>,
    /// Globs of paths not to lint, relative to the working directory.
    pub exclude: Vec<String>,
    /// Do not honour `.gitignore`, `.ignore` and git excludes.
    pub no_ignore_files: bool,
    /// Files named explicitly that hold no Kubernetes object are skipped, and a run with
    /// no object succeeds.
    pub skip_non_manifests: bool,
    pub kustomize: Option<KustomizeMode>,
    /// The directory Kustomize renders may read (default: the Git work tree of the paths,
    /// else their common directory).
    pub kustomize_root: Option<PathBuf>,
    /// Where renders are cached (default: the user's cache directory).
    pub cache_dir: Option<PathBuf>,
    /// Neither use nor keep cached renders.
    pub no_cache: bool,
    pub max_file_size: Option<u64>,
    pub max_depth: Option<usize>,
    pub max_alias_nodes: Option<usize>,
    /// Threads (default: all cores).
    pub jobs: Option<usize>,
    /// Findings only: no summary, no notices.
    pub quiet: bool,
    /// Whether fixes are applied, shown as a diff, or neither.
    pub fix: FixMode,
    /// Unsafe fixes too (`--unsafe-fixes`; `fix.unsafe` in the configuration file).
    pub unsafe_fixes: bool,
    /// Findings this baseline file holds are not shown (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// Record the findings in this baseline file (`--write-baseline`): every finding, or
    /// with [`Options::baseline`] those it still holds (pruning it).
    pub write_baseline: Option<PathBuf>,
    /// Show only findings about files changed since this git revision (`--changed-since`).
    pub changed_since: Option<String>,
    /// Run exactly the rules of the posture's controls ([`crate::posture::FAMILIES`]),
    /// whatever `select`, `ignore` and the configuration file's `rules` choose: every
    /// repository is measured against the same controls.
    pub posture: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            paths: Vec::new(),
            stdin: None,
            stdin_filename: "<stdin>".to_string(),
            config: ConfigChoice::Nearest,
            select: Vec::new(),
            ignore: Vec::new(),
            pss_level: None,
            pss_version: None,
            default_namespace: None,
            complete_set: false,
            fail_on: None,
            exclude: Vec::new(),
            no_ignore_files: false,
            skip_non_manifests: false,
            kustomize: None,
            kustomize_root: None,
            cache_dir: None,
            no_cache: false,
            max_file_size: None,
            max_depth: None,
            max_alias_nodes: None,
            jobs: None,
            quiet: false,
            fix: FixMode::Off,
            unsafe_fixes: false,
            baseline: None,
            write_baseline: None,
            changed_since: None,
            posture: false,
        }
    }
}

impl Options {
    /// Checks what the options say on their own, before anything is read.
    pub fn validate(&self) -> Result<(), super::Error> {
        if self.jobs == Some(0) {
            return Err("--jobs must be at least 1".into());
        }
        if self.fix == FixMode::Apply && self.stdin.is_some() {
            return Err("`--fix` cannot write back to standard input; use `--diff` to print a patch for it".into());
        }
        if self.write_baseline.is_some() {
            if self.changed_since.is_some() {
                return Err(
                    "`--write-baseline` records every finding; it cannot be combined with `--changed-since`".into(),
                );
            }
            if self.fix != FixMode::Off {
                return Err("`--write-baseline` cannot be combined with `--fix` or `--diff`: fix first, then record what remains".into());
            }
        }
        if self.changed_since.is_some() && self.stdin.is_some() {
            return Err("`--changed-since` cannot be used with standard input, which git does not track".into());
        }
        Ok(())
    }
}

/// Where manifests on standard input come from.
#[derive(Clone, Debug)]
pub enum Stdin {
    /// The process's standard input.
    Read,
    /// These bytes, read as standard input would be (size limit, decoding).
    Bytes(Vec<u8>),
}

/// Which configuration file is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigChoice {
    /// The nearest `.plimsoll.yaml` (or `.yml`) from the working directory upward.
    Nearest,
    Path(PathBuf),
    None,
}

/// The lowest severity that fails the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    /// The lowest failing severity; `None` for `never`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<FailOn, String> {
        match s {
            "error" => Ok(FailOn::Error),
            "warning" => Ok(FailOn::Warning),
            "info" => Ok(FailOn::Info),
            "never" => Ok(FailOn::Never),
            _ => Err(format!("`{s}` is not one of error, warning, info, never")),
        }
    }
}

/// Whether kustomizations are rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KustomizeMode {
    /// When `kustomize` or `kubectl` is on PATH.
    Auto,
    /// Their files are linted as plain manifests.
    Never,
}

impl std::str::FromStr for KustomizeMode {
    type Err = String;

    fn from_str(s: &str) -> Result<KustomizeMode, String> {
        match s {
            "auto" => Ok(KustomizeMode::Auto),
            "never" => Ok(KustomizeMode::Never),
            _ => Err(format!("`{s}` is not `auto` or `never`")),
        }
    }
}

/// What is done with fixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixMode {
    /// Findings only.
    #[default]
    Off,
    /// Fixes are written to the files (`--fix`).
    Apply,
    /// A unified diff of the fixes is printed; nothing is written (`--diff`).
    Diff,
}

/// Which fixes are applied, from the configuration file's `fix` section and the flags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixConfig {
    /// Unsafe fixes are applied too (`--unsafe-fixes` or `fix.unsafe: true`).
    pub unsafe_fixes: bool,
    /// Rules (ids, families or keywords) whose fixes are never applied.
    pub unfixable: Vec<String>,
    /// Rules whose unsafe fixes are applied as safe ones.
    pub extend_safe: Vec<String>,
    /// Rules whose safe fixes are applied only with unsafe fixes.
    pub extend_unsafe: Vec<String>,
    /// Rules whose fixes are off unless named here.
    pub opt_in: Vec<String>,
}
