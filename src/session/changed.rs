//! `--changed-since REV`: the files git says changed since a revision, and which findings
//! concern them.
//!
//! The whole set is linted (cross-object rules need every object); a finding is shown when
//! its location, one of its related locations or its object is in a changed file. A finding
//! of a cross-object rule (one that judges an object by others, on the whole set) elsewhere
//! is shown when the revision did not have it: a change to one object can make another's
//! finding appear, wherever it is. The revision's tree is taken from git (`git archive`)
//! into a temporary directory and linted with the same options, and its cross-object
//! findings are compared by their baseline fingerprints. (A Pod Security finding judged
//! with its namespace's labels points at them as a related location: it is shown when the
//! namespace changed.)

use super::baseline::{Entry, Fingerprints, Workspace};
use super::{ConfigChoice, Error, FixMode, Options, Session};
use crate::discover::kustomize::normalize;
use crate::engine::{Files, Finding};
use crate::report::ChangedCounts;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The files changed since a revision: committed since, staged, unstaged and untracked
/// (not ignored), relative to the top level of the work tree.
#[derive(Clone, Debug)]
pub struct Changed {
    since: String,
    /// The top level of the work tree.
    root: PathBuf,
    workspace: Workspace,
    files: BTreeSet<String>,
}

impl Changed {
    /// Asks git, in the repository that holds `cwd`, what changed since `rev`. No git, no
    /// repository or an unknown revision is an error.
    pub fn since(cwd: &Path, rev: &str) -> Result<Changed, Error> {
        if rev.is_empty() || rev.starts_with('-') {
            return Err(format!("--changed-since: `{rev}` is not a git revision").into());
        }
        let top = git(cwd, &["rev-parse", "--show-toplevel"])?;
        let root = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
        let commit = format!("{rev}^{{commit}}");
        git(
            &root,
            &["rev-parse", "--verify", "--quiet", "--end-of-options", &commit],
        )
        .map_err(|_| {
            format!(
                "--changed-since: unknown revision `{rev}` in the git repository {}",
                root.display()
            )
        })?;
        let mut files = BTreeSet::new();
        for listing in [
            git(
                &root,
                &[
                    "diff",
                    "--name-only",
                    "-z",
                    "--no-renames",
                    "--no-ext-diff",
                    "--no-textconv",
                    rev,
                    "--",
                ],
            )?,
            git(&root, &["ls-files", "-z", "--others", "--exclude-standard"])?,
        ] {
            files.extend(
                listing
                    .split(|b| *b == 0)
                    .filter(|p| !p.is_empty())
                    .map(|p| String::from_utf8_lossy(p).into_owned()),
            );
        }
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        Ok(Changed {
            since: rev.to_string(),
            workspace: Workspace::new(root.clone(), cwd),
            root,
            files,
        })
    }

    /// The changed files, relative to the top level of the work tree.
    pub fn files(&self) -> &BTreeSet<String> {
        &self.files
    }

    /// Keeps the findings that concern the changed files, and the cross-object findings
    /// (of the rules in `cross_object`) that `before` does not hold (see the module's
    /// documentation). `entries[i]` is the baseline entry of `findings[i]`; `before` counts
    /// the fingerprints of the revision's cross-object findings (`None`: no manifest
    /// changed, so none is new).
    pub fn retain(
        &self,
        files: &Files,
        cross_object: &BTreeSet<&'static str>,
        findings: &mut Vec<Finding>,
        entries: &[Entry],
        before: Option<HashMap<String, usize>>,
    ) -> ChangedCounts {
        let touched: HashSet<_> = files
            .ids()
            .filter(|id| self.files.contains(&self.workspace.path(files, *id)))
            .collect();
        let count = findings.len();
        let manifests_changed = before.is_some();
        let mut before = before.unwrap_or_default();
        let mut keep = Vec::with_capacity(count);
        for (f, e) in findings.iter().zip(entries) {
            let about_a_change = touched.contains(&f.loc().file)
                || f.more().related.iter().any(|r| touched.contains(&r.loc.file))
                || f.object.as_ref().is_some_and(|o| touched.contains(&o.file));
            let new = manifests_changed
                && cross_object.contains(f.rule.as_str())
                && match before.get_mut(&e.fingerprint) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        false
                    }
                    _ => true,
                };
            keep.push(about_a_change || new);
        }
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
        ChangedCounts {
            since: self.since.clone(),
            files: self.files.len(),
            hidden: count - findings.len(),
        }
    }

    /// The fingerprints of the cross-object findings of the revision's tree, linted with
    /// `options` (and the configuration file `config`, the one this run read) in a
    /// temporary directory: `None` when no manifest changed, none when the revision's
    /// tree cannot be linted (every cross-object finding is then new).
    pub fn before(&self, options: &Options, config: Option<PathBuf>, cwd: &Path) -> Option<HashMap<String, usize>> {
        if !self.manifest_changed() {
            return None;
        }
        Some(self.lint_revision(options, config, cwd))
    }

    fn lint_revision(&self, options: &Options, config: Option<PathBuf>, cwd: &Path) -> HashMap<String, usize> {
        let mut prints = HashMap::new();
        let Ok(tree) = tempfile::Builder::new().prefix("plimsoll-revision-").tempdir() else {
            return prints;
        };
        let Ok(top) = tree.path().canonicalize() else {
            return prints;
        };
        if extract(&self.root, &self.since, &top).is_err() {
            return prints;
        }
        // The same files, in the revision's tree: paths made absolute there.
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
        let moved = |p: &Path| {
            let absolute = normalize(&cwd.join(p));
            absolute.strip_prefix(&self.root).ok().map(|rel| top.join(rel))
        };
        let Some(paths) = options.paths.iter().map(|p| moved(p)).collect::<Option<Vec<_>>>() else {
            return prints;
        };
        let options = Options {
            paths,
            config: config.map_or(ConfigChoice::None, ConfigChoice::Path),
            // Renders may read the revision's whole tree, as they may read the work tree.
            kustomize_root: Some(
                options
                    .kustomize_root
                    .as_deref()
                    .and_then(moved)
                    .unwrap_or_else(|| top.clone()),
            ),
            cache_dir: options.cache_dir.as_ref().map(|d| cwd.join(d)),
            stdin: None,
            changed_since: None,
            baseline: None,
            write_baseline: None,
            fix: FixMode::Off,
            quiet: true,
            ..options.clone()
        };
        let Ok(mut session) = Session::new(options) else {
            return prints;
        };
        if session.load_inputs().is_err() {
            return prints;
        }
        let Ok(linted) = session.lint() else {
            return prints;
        };
        let mut fingerprints =
            Fingerprints::new(&linted.files, &linted.outcome.masks, Workspace::new(top.clone(), cwd));
        for f in linted
            .outcome
            .findings
            .iter()
            .filter(|f| linted.outcome.cross_object.contains(f.rule.as_str()))
        {
            *prints.entry(fingerprints.entry(f).fingerprint).or_default() += 1;
        }
        prints
    }

    /// Whether a manifest changed (a YAML or JSON file, or a `Kustomization`).
    fn manifest_changed(&self) -> bool {
        self.files.iter().any(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name == "Kustomization" || [".yaml", ".yml", ".json"].iter().any(|ext| name.ends_with(ext))
        })
    }
}

/// Writes the tree of revision `rev` of the repository at `root` into `into`: `git archive`
/// piped into `tar`.
fn extract(root: &Path, rev: &str, into: &Path) -> Result<(), Error> {
    let mut archive = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "--no-pager",
            "-c",
            "core.fsmonitor=false",
            "archive",
            "--format=tar",
            rev,
        ])
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = archive.stdout.take().ok_or("git archive: no output")?;
    let tar = Command::new("tar")
        .args(["-x", "--no-same-owner", "--no-same-permissions", "-f", "-", "-C"])
        .arg(into)
        .stdin(stdout)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    let git = archive.wait()?;
    if !(git.success() && tar.success()) {
        return Err("git archive | tar failed".into());
    }
    Ok(())
}

/// Runs git in `dir` and returns its standard output: no pager, no external diff or
/// textconv program, no file system monitor hook, no prompt, paths not quoted.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, Error> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["--no-pager", "-c", "core.quotepath=false", "-c", "core.fsmonitor=false"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("--changed-since needs git: cannot run it: {e}"))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed").trim();
        return Err(format!("--changed-since: git {}: {why}", args[0]).into());
    }
    Ok(out.stdout)
}
