//! The files to lint: discovery, standard input, and the rendering of kustomizations.

use super::{Error, KustomizeMode, Loaded, Session, Stdin, files_with_config};
use crate::discover::{self, Excludes};
use crate::engine::Source;
use crate::source::{ReadError, decode, read_stream};
use std::sync::Arc;

impl Session {
    /// Walks the paths, reads standard input and prepares kustomizations: the set of files
    /// to lint, replacing any set loaded before. Notices and warnings are kept (see
    /// [`Session::notices`]) even when it fails because there is nothing to lint.
    pub fn load_inputs(&mut self) -> Result<(), Error> {
        self.loaded = Loaded::default();
        let options = &self.options;
        let config = self.config.as_ref();
        let cwd = &self.cwd;
        let (mut files, _) = files_with_config(config);
        files.set_max_size(self.engine.settings.limits.max_file_size);
        let threads = options
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));

        let mut excludes = vec![Excludes::new(cwd, &options.exclude)?];
        if let Some(c) = config {
            excludes.push(Excludes::new(&c.base, c.file.exclude.as_deref().unwrap_or_default())?);
        }
        let mut found = discover::discover(
            &options.paths,
            &discover::Options {
                excludes,
                no_ignore_files: options.no_ignore_files,
                threads,
            },
        )?;
        if let Some(stdin) = &options.stdin {
            // Read like a file: at most the size limit; what cannot be read as text is a
            // finding, as it is for a file.
            let read = match stdin {
                Stdin::Read => read_stream(std::io::stdin().lock(), files.max_size()),
                Stdin::Bytes(bytes) => read_stream(bytes.as_slice(), files.max_size()),
            };
            let source = match read {
                Ok(bytes) => match decode(bytes) {
                    Ok(text) => Source::Text(Arc::from(text)),
                    Err(e) => Source::Unreadable(ReadError::Decode(e)),
                },
                Err(e @ ReadError::TooLarge(_)) => Source::Unreadable(e),
                Err(e) => return Err(format!("cannot read stdin: {e}").into()),
            };
            files.add(options.stdin_filename.clone(), source, true, true);
        }
        let kustomize = match options.kustomize {
            Some(k) => k,
            None => match config.and_then(|c| c.file.kustomize.as_deref()) {
                None => KustomizeMode::Auto,
                Some(s) => s.parse().map_err(|m: String| -> Error {
                    match config {
                        Some(c) => Box::new(c.error("kustomize", m)),
                        None => m.into(),
                    }
                })?,
            },
        };
        let prepared = match kustomize {
            KustomizeMode::Auto => discover::kustomize::prepare(
                &mut found.files,
                &found.kustomizations,
                &mut files,
                &self.engine.settings.limits,
                cwd,
                &match &options.kustomize_root {
                    Some(dir) => std::fs::canonicalize(dir)
                        .map_err(|e| format!("--kustomize-root {}: {e}", discover::display(dir)))?,
                    None => discover::repository_root(&options.paths, cwd),
                },
                match (options.no_cache, &options.cache_dir) {
                    (true, _) => None,
                    (false, Some(dir)) => Some(cwd.join(dir)),
                    (false, None) => discover::kustomize::cache::default_dir(),
                }
                .as_deref(),
            ),
            KustomizeMode::Never => discover::kustomize::Prepared::default(),
        };
        let mut loaded = Loaded {
            notices: prepared.notices,
            warnings: found.warnings,
            errors: found.errors,
            renders: prepared.stats,
        };
        self.engine.settings.kustomize_failures = prepared.failures;
        self.engine.relocate = prepared
            .relocator
            .map(|r| Box::new(r) as Box<dyn crate::engine::Relocate>);
        files.reserve(found.files.len());
        for f in &found.files {
            let explicit = f.explicit && !options.skip_non_manifests;
            files.add(f.display.clone(), Source::Path(f.path.clone()), true, explicit);
        }
        for chart in &found.charts {
            let c = discover::display(chart);
            loaded.notices.push(format!(
                "skipped the Helm chart `{c}` (its templates are not YAML); lint what it renders: `helm template {c} | plimsoll check -`"
            ));
        }
        let inputs = files.ids().filter(|id| files.get(*id).input).count();
        let paths: Vec<String> = options.paths.iter().map(|p| p.display().to_string()).collect();
        self.files = files;
        self.loaded = loaded;
        if self.incremental.is_some() {
            // File ids may now name other files.
            self.keep_outputs();
        }
        if inputs == 0 {
            return Err(format!(
                "no manifests found in {} (looked for *.yaml, *.yml, *.json; check --exclude and .gitignore)",
                paths.join(", ")
            )
            .into());
        }
        Ok(())
    }
}
