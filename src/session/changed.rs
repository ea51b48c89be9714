//! `--changed-since REV`: the files git says changed since a revision, and which findings
//! concern them.
//!
//! The whole set is linted (cross-object rules need every object); a finding is shown when
//! its location, one of its related locations or its object is in a changed file, and a
//! finding of a cross-object rule (one that judges an object by others, on the whole set)
//! whenever a manifest changed: a change to one object can make another's finding appear
//! or go, wherever it is. (A Pod Security finding judged with its namespace's labels points
//! at them as a related location: it is shown when the namespace changed.)

use super::Error;
use super::baseline::Workspace;
use crate::engine::{Files, Finding};
use crate::report::ChangedCounts;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The files changed since a revision: committed since, staged, unstaged and untracked
/// (not ignored), relative to the top level of the work tree.
#[derive(Clone, Debug)]
pub struct Changed {
    since: String,
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
            workspace: Workspace::new(root, cwd),
            files,
        })
    }

    /// The changed files, relative to the top level of the work tree.
    pub fn files(&self) -> &BTreeSet<String> {
        &self.files
    }

    /// Whether a manifest changed (a YAML or JSON file, or a `Kustomization`).
    fn manifest_changed(&self) -> bool {
        self.files.iter().any(|f| {
            let name = f.rsplit('/').next().unwrap_or(f);
            name == "Kustomization" || [".yaml", ".yml", ".json"].iter().any(|ext| name.ends_with(ext))
        })
    }

    /// Keeps the findings that concern the changed files (see the module's documentation);
    /// `cross_object` names the rules that judge objects by others.
    pub fn retain(
        &self,
        files: &Files,
        cross_object: &BTreeSet<&'static str>,
        findings: &mut Vec<Finding>,
    ) -> ChangedCounts {
        let touched: HashSet<_> = files
            .ids()
            .filter(|id| self.files.contains(&self.workspace.path(files, *id)))
            .collect();
        let others = self.manifest_changed();
        let before = findings.len();
        findings.retain(|f| {
            touched.contains(&f.loc().file)
                || f.related.iter().any(|r| touched.contains(&r.loc.file))
                || f.object.as_ref().is_some_and(|o| touched.contains(&o.file))
                || (others && cross_object.contains(f.rule))
        });
        ChangedCounts {
            since: self.since.clone(),
            files: self.files.len(),
            hidden: before - findings.len(),
        }
    }
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
