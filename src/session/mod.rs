//! The run as a library: configure once ([`Session::new`]), gather the files to lint
//! ([`Session::load_inputs`]), replace a file's text with an in-memory buffer
//! ([`Session::set_text`]) and lint ([`Session::lint`]) as often as needed. The command
//! line, `--fix` and the editor server all go through it; none of it prints.

pub mod baseline;
pub mod changed;
pub mod fix;
mod inputs;
mod options;
mod setup;

pub use options::{ConfigChoice, FailOn, FixConfig, FixMode, KustomizeMode, Options, Stdin};

use crate::config::{self, Config};
use crate::discover::{self, kustomize::RenderStats};
use crate::engine::{ActiveRule, Engine, Files, Incremental, Outcome, Severity, Source, meta};
use crate::policy::custom::CustomRule;
use crate::report::Narrowing;
use crate::source::FileId;
use baseline::{Baseline, Fingerprints, Workspace};
use changed::Changed;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An error that ends the run (exit code 2 on the command line): a configuration error
/// with its position ([`config::ConfigError`]), an I/O error, or a message.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A configured run: the configuration, the engine, and the files to lint.
pub struct Session {
    options: Options,
    cwd: PathBuf,
    config: Option<Config>,
    engine: Engine,
    /// The custom rules, as compiled (for `--check-custom-rules`).
    custom: Vec<CustomRule>,
    fail_on: Option<Severity>,
    fix: FixConfig,
    files: Files,
    loaded: Loaded,
    /// Each file's output from the last lint, when the session keeps them
    /// ([`Session::keep_outputs`]).
    incremental: Option<std::sync::Mutex<Incremental>>,
    /// The baseline read (`--baseline`).
    baseline: Option<Baseline>,
    /// What git says changed (`--changed-since`).
    changed: Option<Changed>,
}

/// What gathering the inputs found besides the files.
#[derive(Default)]
struct Loaded {
    notices: Vec<String>,
    warnings: Vec<String>,
    errors: Vec<String>,
    renders: RenderStats,
}

/// The result of one lint: the outcome, and the files its findings point into (the
/// session's files, and the templates `helm template` output was attributed to).
pub struct Linted {
    pub files: Files,
    pub outcome: Outcome,
}

/// A custom rule's example, checked: `bad` must make the rule fire, `good` must not.
pub struct ExampleCheck {
    pub rule: &'static str,
    /// `bad` or `good`.
    pub example: &'static str,
    pub should_fire: bool,
    pub fired: bool,
    /// The findings of every rule on the example: (rule, message).
    pub findings: Vec<(&'static str, String)>,
}

/// What [`Session::narrow`] did: what it left out, and the baseline to write.
pub struct Narrowed {
    pub narrowing: Narrowing,
    /// With `--write-baseline`: every finding, or with `--baseline` those it still holds.
    pub record: Option<Baseline>,
}

impl ExampleCheck {
    pub fn passed(&self) -> bool {
        self.fired == self.should_fire
    }
}

impl Session {
    /// Reads the configuration, compiles and registers its custom rules, and builds the
    /// engine: everything done once. Errors are fatal (a configuration error names the
    /// file, the line and the key).
    pub fn new(options: Options) -> Result<Session, Error> {
        options.validate()?;
        if let Some(jobs) = options.jobs {
            // Fails only when called twice in a process (tests); the first pool then stays.
            let _ = rayon::ThreadPoolBuilder::new().num_threads(jobs).build_global();
        }
        let cwd = std::env::current_dir()?;
        let config = match &options.config {
            ConfigChoice::None => None,
            ConfigChoice::Path(path) => Some(config::load(path)?),
            ConfigChoice::Nearest => match config::find(&cwd) {
                Some(p) => Some(config::load(&p.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(p))?),
                None => None,
            },
        };
        let custom = setup::custom_rules(config.as_ref(), &cwd)?;
        let (mut files, config_file) = files_with_config(config.as_ref());
        let (engine, fail_on) = setup::engine(&options, config.as_ref(), config_file, custom.clone())?;
        let fix = setup::fix_config(&options, config.as_ref())?;
        files.set_max_size(engine.settings.limits.max_file_size);
        let baseline = options.baseline.as_deref().map(Baseline::load).transpose()?;
        let changed = options
            .changed_since
            .as_deref()
            .map(|rev| Changed::since(&cwd, rev))
            .transpose()?;
        Ok(Session {
            options,
            cwd,
            config,
            engine,
            custom,
            fail_on,
            fix,
            files,
            loaded: Loaded::default(),
            incremental: None,
            baseline,
            changed,
        })
    }

    /// Keeps each file's output between lints, so that a lint after [`Session::set_text`]
    /// checks only the files whose text changed (the cross-object phase still sees the
    /// whole set). For sessions that lint many times: an editor's, a `--fix` loop's.
    pub fn keep_outputs(&mut self) {
        self.incremental = Some(std::sync::Mutex::new(Incremental::default()));
    }

    /// How many files the last lint checked rather than took as kept (all of them unless
    /// [`Session::keep_outputs`]).
    pub fn last_checked(&self) -> Option<usize> {
        self.incremental
            .as_ref()
            .map(|k| k.lock().unwrap_or_else(|p| p.into_inner()).checked)
    }

    /// The file standard input was read into, if it was.
    pub fn stdin_file(&self) -> Option<FileId> {
        self.options.stdin.as_ref()?;
        let name = crate::source::escape_control(&self.options.stdin_filename);
        self.files.ids().find(|id| {
            let e = self.files.get(*id);
            e.input && e.explicit && e.display == name && !matches!(e.source, crate::engine::Source::Path(_))
        })
    }

    /// Which fixes this session applies: the `fix:` section and the flags.
    pub fn fix_policy(&self) -> crate::engine::FixPolicy {
        crate::engine::FixPolicy {
            unsafe_fixes: self.fix.unsafe_fixes,
            unfixable: self.fix.unfixable.clone(),
            extend_safe: self.fix.extend_safe.clone(),
            extend_unsafe: self.fix.extend_unsafe.clone(),
            opt_in: self.fix.opt_in.clone(),
        }
    }

    /// Replaces a file's text with an in-memory buffer (an editor's unsaved buffer, a fix
    /// pass's edited text); the next [`Session::lint`] reads it instead of the file.
    pub fn set_text(&mut self, file: FileId, text: Arc<str>) {
        self.files.set_text(file, text);
    }

    /// Drops a file's in-memory buffer: the next lint reads the file again (an editor closed
    /// it without saving).
    pub fn clear_text(&mut self, file: FileId) {
        self.files.clear_text(file);
    }

    /// Adds a file to lint that the inputs did not include (an editor opened a new file).
    /// `path` is relative to the working directory or absolute.
    pub fn add_input(&mut self, path: &Path) -> FileId {
        self.files
            .add(discover::display(path), Source::Path(path.to_path_buf()), true, false)
    }

    /// The working directory the session resolves paths against.
    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// Lints the current files: the outcome (findings sorted, statistics, I/O errors),
    /// after `helm template` output is attributed to its templates. Finding no Kubernetes
    /// object at all is an error (unless `skip_non_manifests`): a pipeline must not pass
    /// on empty input.
    pub fn lint(&self) -> Result<Linted, Error> {
        self.lint_observed(|_| ()).map(|(linted, ())| linted)
    }

    /// [`Session::lint`], also handing the cross-object phase's context to `observe` (see
    /// [`Engine::run_observed`]).
    pub fn lint_observed<T>(&self, observe: impl FnOnce(&crate::engine::SetCx<'_>) -> T) -> Result<(Linted, T), Error> {
        // Each lint reads the files afresh: what a report shows is what this lint read.
        self.lint_files(self.files.clone(), observe)
    }

    /// [`Session::lint_observed`] for a session that lints no more (a one-shot command):
    /// its files move into the result instead of being copied, so that a large run does
    /// not hold its file registry twice. The session has no files afterwards.
    pub fn lint_once_observed<T>(
        &mut self,
        observe: impl FnOnce(&crate::engine::SetCx<'_>) -> T,
    ) -> Result<(Linted, T), Error> {
        let files = std::mem::take(&mut self.files);
        self.lint_files(files, observe)
    }

    /// [`Session::lint_once_observed`], observing nothing.
    pub fn lint_once(&mut self) -> Result<Linted, Error> {
        self.lint_once_observed(|_| ()).map(|(linted, ())| linted)
    }

    /// Lints `files` (the session's, as they stand).
    fn lint_files<T>(
        &self,
        mut files: Files,
        observe: impl FnOnce(&crate::engine::SetCx<'_>) -> T,
    ) -> Result<(Linted, T), Error> {
        let mut guard = self
            .incremental
            .as_ref()
            .map(|i| i.lock().unwrap_or_else(|p| p.into_inner()));
        let (mut outcome, observed) = self.engine.run_observed(&files, guard.as_deref_mut(), observe);
        drop(guard);
        if outcome.stats.objects == 0
            && outcome.findings.is_empty()
            && outcome.io_errors.is_empty()
            && self.loaded.errors.is_empty()
            && !self.options.skip_non_manifests
        {
            let inputs = files.ids().filter(|id| files.get(*id).input).count();
            let what = if self.options.stdin.is_some() && outcome.stats.bytes == 0 {
                "stdin is empty: no Kubernetes objects to lint".to_string()
            } else {
                format!(
                    "no Kubernetes objects found in {inputs} {} (documents need `apiVersion` and `kind`)",
                    if inputs == 1 { "file" } else { "files" }
                )
            };
            return Err(what.into());
        }
        discover::helm::attribute(&mut files, &mut outcome, &self.cwd);
        Ok((Linted { files, outcome }, observed))
    }

    /// Narrows the findings of a lint to what `--baseline` and `--changed-since` ask for:
    /// the baseline's findings are taken out first (so that its stale entries are counted
    /// over every finding), then those that do not concern a changed file. Also builds the
    /// baseline `--write-baseline` records.
    pub fn narrow(&self, linted: &mut Linted) -> Narrowed {
        let mut narrowing = Narrowing::default();
        let mut record = None;
        let outcome = &mut linted.outcome;
        let mut prints = Fingerprints::new(&linted.files, &outcome.masks, Workspace::find(&self.cwd));
        let baselines = self.baseline.is_some() || self.options.write_baseline.is_some();
        if !baselines && self.changed.is_none() {
            return Narrowed {
                narrowing,
                record: None,
            };
        }
        let mut entries: Vec<_> = outcome.findings.iter().map(|f| prints.entry(f)).collect();
        if baselines {
            match (&self.baseline, &self.options.baseline) {
                (Some(baseline), Some(path)) => {
                    let (counts, kept) =
                        baseline.absorb(&discover::display(path), &mut outcome.findings, entries.clone());
                    narrowing.baseline = Some(counts);
                    // The entries of the findings left.
                    entries = outcome.findings.iter().map(|f| prints.entry(f)).collect();
                    record = Some(kept);
                }
                _ => record = Some(Baseline::new(entries.clone())),
            }
        }
        if let Some(changed) = &self.changed {
            let config = self.config.as_ref().map(|c| self.cwd.join(&c.path));
            let before = changed.before(&self.options, config, &self.cwd);
            narrowing.changed_since = Some(changed.retain(
                &linted.files,
                &outcome.cross_object,
                &mut outcome.findings,
                &entries,
                before,
            ));
        }
        Narrowed {
            narrowing,
            record: record.filter(|_| self.options.write_baseline.is_some()),
        }
    }

    /// Runs each custom rule on its own `bad` and `good` examples.
    pub fn check_custom_rules(&self) -> Result<Vec<ExampleCheck>, Error> {
        let mut checks = Vec::new();
        for r in &self.engine.rules {
            let Some(m) = meta(r.id.as_str()).filter(|m| m.custom.is_some()) else {
                continue;
            };
            if m.examples.bad.is_empty() && m.examples.good.is_empty() {
                continue;
            }
            for (example, text, should_fire) in [("bad", &m.examples.bad, true), ("good", &m.examples.good, false)] {
                let mut files = Files::default();
                files.add(
                    format!("<{}.examples.{example}>", r.id),
                    Source::Text(Arc::from(text.as_str())),
                    true,
                    true,
                );
                let rule = self
                    .custom
                    .iter()
                    .find(|c| c.id() == r.id)
                    .map(|c| Box::new(c.clone()) as Box<dyn crate::engine::Rule>)
                    .ok_or_else(|| format!("custom rule `{}` not found", r.id))?;
                let single = Engine::new(
                    vec![ActiveRule {
                        id: r.id,
                        severity: r.severity,
                        rule,
                    }],
                    self.engine.settings.clone(),
                );
                let outcome = single.run(&files);
                checks.push(ExampleCheck {
                    rule: r.id.as_str(),
                    example,
                    should_fire,
                    fired: outcome.findings.iter().any(|f| f.rule == r.id),
                    findings: outcome
                        .findings
                        .into_iter()
                        .map(|f| (f.rule.as_str(), f.message.to_string()))
                        .collect(),
                });
            }
        }
        Ok(checks)
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The configuration file read, if any.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The files to lint (and the configuration file, which findings may point into).
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// The lowest severity that fails the run (`None`: never).
    pub fn fail_on(&self) -> Option<Severity> {
        self.fail_on
    }

    /// Which fixes are applied.
    pub fn fix_config(&self) -> &FixConfig {
        &self.fix
    }

    /// The rules that run, sorted by id, with their configured severities.
    pub fn rules(&self) -> Vec<(&'static str, Severity)> {
        let mut ids: Vec<_> = self.engine.rules.iter().map(|r| (r.id.as_str(), r.severity)).collect();
        ids.sort_unstable();
        ids
    }

    /// Notices of the last [`Session::load_inputs`]: renders skipped or limited, Helm charts
    /// skipped.
    pub fn notices(&self) -> &[String] {
        &self.loaded.notices
    }

    /// Paths skipped by the last [`Session::load_inputs`] (symbolic link loops, devices…).
    pub fn warnings(&self) -> &[String] {
        &self.loaded.warnings
    }

    /// Paths that could not be read while walking: the run fails (exit code 2).
    pub fn discovery_errors(&self) -> &[String] {
        &self.loaded.errors
    }

    /// What rendering kustomizations cost, for `--statistics`.
    pub fn render_stats(&self) -> &RenderStats {
        &self.loaded.renders
    }
}

/// Registers the custom rules of the nearest configuration file (for `plimsoll rules` and
/// `plimsoll explain`, which list them with the built-in ones).
pub fn register_nearest_custom_rules() -> Result<(), Error> {
    let cwd = std::env::current_dir()?;
    if let Some(path) = config::find(&cwd) {
        let path = path.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or(path);
        setup::custom_rules(Some(&config::load(&path)?), &cwd)?;
    }
    Ok(())
}

/// The files of a session before any input: the configuration file, which findings about
/// it (unused `ignore` entries) point into.
fn files_with_config(config: Option<&Config>) -> (Files, Option<FileId>) {
    let mut files = Files::default();
    let id = config.map(|c| {
        files.add(
            discover::display(&c.path),
            Source::Text(Arc::from(c.text.as_str())),
            false,
            false,
        )
    });
    (files, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n    - name: c\n      image: nginx\n      securityContext:\n        privileged: true\n";

    fn options(stdin: &str) -> Options {
        Options {
            stdin: Some(Stdin::Bytes(stdin.as_bytes().to_vec())),
            config: ConfigChoice::None,
            select: vec!["pss-privileged".to_string()],
            kustomize: Some(KustomizeMode::Never),
            ..Options::default()
        }
    }

    fn fired(linted: &Linted) -> Vec<&'static str> {
        linted.outcome.findings.iter().map(|f| f.rule.as_str()).collect()
    }

    #[test]
    fn a_session_lints_its_inputs_again_after_a_buffer_replaces_one() {
        let mut session = Session::new(options(PRIVILEGED)).unwrap();
        session.load_inputs().unwrap();
        assert_eq!(fired(&session.lint().unwrap()), ["pss-privileged"]);
        let stdin = session.files().ids().find(|id| session.files().get(*id).input).unwrap();
        assert_eq!(session.files().display(stdin), "<stdin>");
        session.set_text(stdin, Arc::from(PRIVILEGED.replace("true", "false")));
        assert!(fired(&session.lint().unwrap()).is_empty());
        // Nothing to lint is still an error.
        session.set_text(stdin, Arc::from(""));
        let e = session.lint().err().unwrap();
        assert_eq!(e.to_string(), "stdin is empty: no Kubernetes objects to lint");
    }

    #[test]
    fn fix_options_are_checked_before_anything_is_read() {
        let e = Session::new(Options {
            fix: FixMode::Apply,
            ..options(PRIVILEGED)
        })
        .err()
        .unwrap();
        assert!(
            e.to_string().starts_with("`--fix` cannot write back to standard input"),
            "{e}"
        );
        let session = Session::new(Options {
            fix: FixMode::Diff,
            unsafe_fixes: true,
            ..options(PRIVILEGED)
        })
        .unwrap();
        assert!(session.fix_config().unsafe_fixes);
    }
}
