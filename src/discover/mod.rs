//! Finding the files to lint: explicit files always, directories walked in parallel with
//! `.gitignore` honoured and exclude globs applied; kustomizations found on the way are
//! rendered ([`kustomize`]).

pub mod helm;
pub mod kustomize;

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Extensions of manifest files found by walking.
pub const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// Exclude globs relative to a base directory.
#[derive(Clone, Debug)]
pub struct Excludes {
    base: PathBuf,
    set: GlobSet,
}

impl Excludes {
    /// Globs with a `/` are anchored at `base`; globs without one match a file or directory
    /// name at any depth (as in `.gitignore`). A trailing `/` is ignored.
    pub fn new(base: &Path, globs: &[String]) -> Result<Excludes, String> {
        let mut b = GlobSetBuilder::new();
        for g in globs {
            let g = g.trim_end_matches('/');
            let pattern = if g.contains('/') {
                g.trim_start_matches("./").to_string()
            } else {
                format!("**/{g}")
            };
            let glob = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid exclude glob `{g}`: {e}"))?;
            b.add(glob);
            // `dir/**` also excludes `dir` itself.
            if let Some(dir) = pattern.strip_suffix("/**") {
                b.add(Glob::new(dir).map_err(|e| format!("invalid exclude glob `{g}`: {e}"))?);
            }
        }
        Ok(Excludes {
            base: base.to_path_buf(),
            set: b.build().map_err(|e| e.to_string())?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    fn matches(&self, abs: &Path) -> bool {
        abs.strip_prefix(&self.base).is_ok_and(|rel| self.set.is_match(rel))
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub excludes: Vec<Excludes>,
    /// Do not honour `.gitignore`, `.ignore` and git excludes.
    pub no_ignore_files: bool,
    pub threads: usize,
}

/// A file to lint.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    /// As shown to the user.
    pub display: String,
    pub path: PathBuf,
    /// Named on the command line.
    pub explicit: bool,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<Found>,
    /// Paths that could not be read while walking (a dangling symlink, an unreadable
    /// directory): the run ends with exit code 2.
    pub errors: Vec<String>,
    /// Paths skipped: symbolic link loops, and FIFOs, devices and sockets (named on the
    /// command line or met while walking with a manifest's extension), which are never read.
    pub warnings: Vec<String>,
    /// Kustomization files met while walking directories (`kustomization.yaml`,
    /// `kustomization.yml`, `Kustomization`).
    pub kustomizations: Vec<PathBuf>,
    /// Helm chart directories (with a `Chart.yaml`): their templates are not YAML, so their
    /// files are skipped unless named explicitly.
    pub charts: Vec<PathBuf>,
}

/// Walks `paths` (files or directories; `-` is handled by the caller).
pub fn discover(paths: &[PathBuf], opts: &Options) -> Result<Discovered, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let out = Mutex::new(Discovered::default());
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", display(path)))?;
        if let Some(what) = crate::source::special_kind(&meta) {
            lock(&out)
                .warnings
                .push(format!("{}: not a regular file ({what})", display(path)));
            continue;
        }
        if !meta.is_dir() {
            lock(&out).files.push(Found {
                display: display(path),
                path: path.clone(),
                explicit: true,
            });
            continue;
        }
        let mut walker = WalkBuilder::new(path);
        walker
            .hidden(true)
            .follow_links(true)
            .require_git(false)
            .git_ignore(!opts.no_ignore_files)
            .git_global(!opts.no_ignore_files)
            .git_exclude(!opts.no_ignore_files)
            .ignore(!opts.no_ignore_files)
            .parents(!opts.no_ignore_files)
            .threads(opts.threads);
        let excludes = opts.excludes.clone();
        if excludes.iter().any(|e| !e.is_empty()) {
            let cwd = cwd.clone();
            walker.filter_entry(move |entry| {
                let abs = cwd.join(entry.path());
                !excludes.iter().any(|e| e.matches(&abs))
            });
        }
        walker.build_parallel().run(|| {
            let out = &out;
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let is_file = e.file_type().is_some_and(|t| t.is_file());
                        let ext_ok = e
                            .path()
                            .extension()
                            .and_then(|x| x.to_str())
                            .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()));
                        if is_file
                            && e.file_name() == "Chart.yaml"
                            && let Some(dir) = e.path().parent()
                        {
                            lock(out).charts.push(dir.to_path_buf());
                        }
                        if is_file && kustomize::is_kustomization_file(e.path()) {
                            lock(out).kustomizations.push(e.path().to_path_buf());
                        }
                        let special = e.file_type().is_some_and(|t| !t.is_file() && !t.is_dir());
                        if special && ext_ok {
                            let what = e
                                .metadata()
                                .ok()
                                .and_then(|m| crate::source::special_kind(&m))
                                .unwrap_or("not a file or a directory");
                            lock(out)
                                .warnings
                                .push(format!("{}: not a regular file ({what})", display(e.path())));
                        }
                        if is_file && ext_ok {
                            lock(out).files.push(Found {
                                display: display(e.path()),
                                path: e.path().to_path_buf(),
                                explicit: false,
                            });
                        }
                    }
                    Err(err) if is_loop(&err) => lock(out)
                        .warnings
                        .push(crate::source::escape_control(&err.to_string()).into_owned()),
                    Err(err) => lock(out)
                        .errors
                        .push(crate::source::escape_control(&err.to_string()).into_owned()),
                }
                WalkState::Continue
            })
        });
    }
    let mut out = out.into_inner().unwrap_or_else(|p| p.into_inner());
    out.files.sort();
    // The same file reached twice: keep the explicit mention.
    out.files.dedup_by(|b, a| {
        if a.path == b.path || a.display == b.display {
            a.explicit |= b.explicit;
            true
        } else {
            false
        }
    });
    out.errors.sort();
    out.warnings.sort();
    out.charts.sort();
    out.charts.dedup();
    let charts = out.charts.clone();
    let in_chart = |p: &Path| charts.iter().any(|c| p.starts_with(c));
    out.files.retain(|f| f.explicit || !in_chart(&f.path));
    out.kustomizations.retain(|k| !in_chart(k));
    out.kustomizations.sort();
    out.kustomizations.dedup();
    Ok(out)
}

/// The top level of the Git work tree that holds `dir` (the nearest directory upward with a
/// `.git`), else `dir` itself: where fixes may write, and what baselines, `--changed-since`
/// and SARIF URIs are relative to.
pub fn work_tree(dir: &Path) -> &Path {
    dir.ancestors().find(|a| a.join(".git").exists()).unwrap_or(dir)
}

/// The repository the paths belong to: the top level of the Git work tree that holds the
/// common ancestor of the paths (a directory with `.git`), else that common ancestor. Renders
/// read nothing outside it.
pub fn repository_root(paths: &[PathBuf], cwd: &Path) -> PathBuf {
    let mut common: Option<PathBuf> = None;
    for p in paths {
        let abs = std::fs::canonicalize(cwd.join(p)).unwrap_or_else(|_| cwd.join(p));
        let dir = if abs.is_dir() {
            abs
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        };
        common = Some(match common {
            None => dir,
            Some(c) => c
                .ancestors()
                .find(|a| dir.starts_with(a))
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        });
    }
    let common = common.unwrap_or_else(|| std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf()));
    work_tree(&common).to_path_buf()
}

fn is_loop(err: &ignore::Error) -> bool {
    match err {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        ignore::Error::Partial(errs) => errs.iter().all(is_loop),
        _ => false,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A path as shown: forward slashes, no leading `./`, control characters escaped (a file
/// name may hold a line break).
pub fn display(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    crate::source::escape_control(s).into_owned()
}
