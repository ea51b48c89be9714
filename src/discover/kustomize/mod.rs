//! Kustomize inputs (DESIGN §8): the kustomizations of the set are read, the top-level ones
//! (those no other kustomization of the set uses as a resource or component) are rendered by
//! `kustomize build` or `kubectl kustomize`, and the raw files they are made of are not linted
//! again. Rendering never fetches anything: remote resources are refused before the renderer
//! runs, the renderer runs with its network pointed at a closed port and under a time limit.
//! The user's files are never written: each kustomization is built through a generated
//! wrapper in a temporary directory that adds origin annotations, which [`origin`] uses to
//! move findings back to the files that define each field.

pub mod cache;
pub mod origin;
mod sandbox;

pub use sandbox::landlock_available;

use crate::engine::{Files, Source};
use crate::source::{FileId, Limits, NodeId, Span, Tree, parse};
use rayon::prelude::*;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// The names a kustomization file may have.
pub const FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// How long one rendering may take.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

pub fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// The kustomization file of a directory, if it has one.
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// A program that renders kustomizations.
#[derive(Clone, Debug)]
pub struct Renderer {
    pub program: PathBuf,
    /// Arguments before the directory: `build` for kustomize, `kustomize` for kubectl.
    pub verb: &'static str,
    /// `kustomize` or `kubectl kustomize`, for messages.
    pub name: &'static str,
}

impl Renderer {
    /// `kustomize` if it is on PATH, else `kubectl` (which embeds kustomize).
    pub fn find() -> Option<Renderer> {
        if let Ok(program) = which::which("kustomize") {
            return Some(Renderer {
                program,
                verb: "build",
                name: "kustomize build",
            });
        }
        which::which("kubectl").ok().map(|program| Renderer {
            program,
            verb: "kustomize",
            name: "kubectl kustomize",
        })
    }
}

/// A reference from a kustomization to a resource, a component or a plugin configuration.
#[derive(Clone, Debug)]
pub struct Reference {
    /// As written.
    pub text: String,
    /// The canonical local path, when it exists inside the root.
    pub local: Option<PathBuf>,
    /// The local path is a directory (a kustomization).
    pub dir: bool,
    pub remote: bool,
    /// Where it is written in the kustomization file.
    pub span: Span,
}

/// A path a kustomization names that its render may not read: a URL or any other remote
/// form, a path that does not exist, or one that resolves outside the root (through `..`,
/// an absolute path or a symbolic link).
#[derive(Clone, Debug)]
pub struct Refusal {
    pub span: Span,
    pub message: String,
}

/// What planning needs of one kustomization file.
#[derive(Clone, Debug)]
pub struct Kustomization {
    /// Canonical directory.
    pub dir: PathBuf,
    /// Canonical path of the kustomization file.
    pub file: PathBuf,
    /// `kind: Component`: only rendered through a kustomization that uses it.
    pub component: bool,
    /// `resources` (and the deprecated `bases`), `components`, and directories listed as
    /// `generators`, `transformers` or `validators`.
    pub references: Vec<Reference>,
    /// Other local files it reads: patches, generator sources, replacements, CRDs, plugin
    /// configurations.
    pub files: Vec<PathBuf>,
    /// What it names that a render may not read; the first one stops the render.
    pub refused: Vec<Refusal>,
    /// Where to report a failure to render it: its `resources` key, else its first entry.
    pub anchor: Span,
}

/// The fields of a kustomization (and of the built-in plugin configurations it lists) that
/// name files to read. Everything else kustomize reads is a resource, a component or a
/// plugin configuration, handled apart.
const FILE_LISTS: &[&str] = &["crds", "configurations"];

/// Checks every path a kustomization reads against the root the render is confined to.
struct Paths<'a> {
    dir: &'a Path,
    root: &'a Path,
    files: Vec<PathBuf>,
    refused: Vec<Refusal>,
}

impl Paths<'_> {
    /// The canonical path of `text`, when it may be read; otherwise the refusal is
    /// recorded.
    fn resolve(&mut self, text: &str, span: Span, what: &str) -> Option<PathBuf> {
        let refuse = |message: String| Refusal { span, message };
        if looks_remote(text) {
            self.refused.push(refuse(format!(
                "the {what} `{}` is remote, and plimsoll never fetches anything: vendor it into the repository, or lint the output of `kustomize build` on stdin",
                crate::source::excerpt(text)
            )));
            return None;
        }
        let joined = self.dir.join(text);
        match std::fs::canonicalize(&joined) {
            Ok(c) if c.starts_with(self.root) => Some(c),
            Ok(_) => {
                let link = std::fs::symlink_metadata(&joined).is_ok_and(|m| m.file_type().is_symlink());
                self.refused.push(refuse(format!(
                    "the {what} `{}` {} outside the repository, which a render may not read (see `--kustomize-root`)",
                    crate::source::excerpt(text),
                    if link { "is a symbolic link that resolves" } else { "is" }
                )));
                None
            }
            Err(_) => {
                self.refused.push(refuse(format!(
                    "the {what} `{}` does not exist in the repository (plimsoll never fetches anything)",
                    crate::source::excerpt(text)
                )));
                None
            }
        }
    }

    /// A file the render reads.
    fn file(&mut self, text: &str, span: Span, what: &str) {
        if let Some(c) = self.resolve(text, span, what) {
            self.files.push(c);
        }
    }

    /// `configMapGenerator`/`secretGenerator` sources: `files` (`key=path` or `path`),
    /// `envs` and the deprecated `env`.
    fn generator(&mut self, tree: &Tree<'_>, item: NodeId) {
        for (p, span) in strings_of(tree, item, "files") {
            let path = p.split_once('=').map_or(p.as_str(), |(_, path)| path);
            self.file(path, span, "generator source");
        }
        for (p, span) in strings_of(tree, item, "envs") {
            self.file(&p, span, "env file");
        }
        if let Some(n) = tree.get(item, "env")
            && let Some(p) = tree.str(n)
        {
            self.file(p, tree.span(n), "env file");
        }
    }

    /// A built-in plugin configuration (listed under `generators`, `transformers` or
    /// `validators`): the files its kind reads. Helm charts need a download.
    fn plugin(&mut self, tree: &Tree<'_>, doc: NodeId, at: Span) {
        let kind = tree.get(doc, "kind").and_then(|n| tree.str(n)).unwrap_or_default();
        match kind {
            "ConfigMapGenerator" | "SecretGenerator" => self.generator(tree, doc),
            "PatchTransformer" | "PatchJson6902Transformer" => {
                if let Some(n) = tree.get(doc, "path")
                    && let Some(p) = tree.str(n)
                {
                    self.file(p, at, "patch");
                }
            }
            "PatchStrategicMergeTransformer" => {
                for (p, _) in strings_of(tree, doc, "paths") {
                    self.file(&p, at, "patch");
                }
            }
            "ReplacementTransformer" => {
                for item in items_of(tree, doc, "replacements") {
                    if let Some(p) = tree.get(item, "path").and_then(|n| tree.str(n)) {
                        self.file(p, at, "replacement");
                    }
                }
            }
            "HelmChartInflationGenerator" => self.refused.push(Refusal {
                span: at,
                message: HELM.to_string(),
            }),
            _ => {}
        }
    }
}

/// Why Helm charts are not rendered.
const HELM: &str = "the kustomization renders Helm charts, which needs a download; lint the output of `kustomize build --enable-helm` on stdin";

impl Kustomization {
    /// Reads a kustomization file. Paths are resolved against its directory, and every
    /// path it would read is checked to be inside `root` (symbolic links followed).
    pub fn read(file: &Path, limits: &Limits, root: &Path) -> Result<Kustomization, String> {
        let file = std::fs::canonicalize(file).map_err(|e| format!("{}: {e}", super::display(file)))?;
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let shown = super::display(&file);
        let text = crate::source::read_text(&file, limits.max_file_size)
            .map_err(|e| format!("{shown}: {e}"))?
            .0;
        let (tree, docs, error) = parse(&text, limits);
        if let Some(e) = error {
            return Err(format!("{shown}:{}:{}: {}", e.pos.line, e.pos.col, e.message));
        }
        let mut k = Kustomization {
            dir: dir.clone(),
            file: file.clone(),
            component: false,
            references: Vec::new(),
            files: Vec::new(),
            refused: Vec::new(),
            anchor: Span::default(),
        };
        let Some(root_node) = docs.first().map(|d| d.root).filter(|r| tree.is_map(*r)) else {
            return Ok(k);
        };
        let node = root_node;
        k.anchor = match tree.get_entry(node, "resources") {
            Some((key, _)) => tree.span(key),
            None => crate::source::grip(&tree, node),
        };
        k.component = tree.get(node, "kind").and_then(|n| tree.str(n)) == Some("Component");
        let mut paths = Paths {
            dir: &dir,
            root,
            files: Vec::new(),
            refused: Vec::new(),
        };
        for field in ["helmCharts", "helmChartInflationGenerator", "helmGlobals"] {
            if let Some((key, _)) = tree.get_entry(node, field) {
                paths.refused.push(Refusal {
                    span: tree.span(key),
                    message: HELM.to_string(),
                });
            }
        }
        for field in ["resources", "bases", "components"] {
            for (text, span) in strings_of(&tree, node, field) {
                let local = paths.resolve(&text, span, "resource");
                k.references.push(reference(text, local, span));
            }
        }
        for field in ["generators", "transformers", "validators"] {
            for item in items_of(&tree, node, field) {
                let span = tree.span(item);
                let Some(text) = tree.str(item) else { continue };
                if text.contains('\n') {
                    // An inline plugin configuration.
                    let (ptree, pdocs, _) = parse(text, limits);
                    for d in &pdocs {
                        paths.plugin(&ptree, d.root, span);
                    }
                    continue;
                }
                let Some(local) = paths.resolve(text, span, "plugin configuration") else {
                    continue;
                };
                if local.is_dir() {
                    k.references.push(reference(text.to_string(), Some(local), span));
                    continue;
                }
                match crate::source::read_text(&local, limits.max_file_size) {
                    Ok((ptext, _)) => {
                        let (ptree, pdocs, _) = parse(&ptext, limits);
                        for d in &pdocs {
                            paths.plugin(&ptree, d.root, span);
                        }
                    }
                    Err(e) => paths.refused.push(Refusal {
                        span,
                        message: format!(
                            "cannot read the plugin configuration `{}`: {e}",
                            crate::source::excerpt(text)
                        ),
                    }),
                }
                paths.files.push(local);
            }
        }
        for field in ["patches", "patchesJson6902", "replacements"] {
            for item in items_of(&tree, node, field) {
                if let Some(n) = tree.get(item, "path")
                    && let Some(p) = tree.str(n)
                {
                    paths.file(p, tree.span(n), "patch");
                }
            }
        }
        for item in items_of(&tree, node, "patchesStrategicMerge") {
            // A string with a line break is an inline patch.
            if let Some(p) = tree.str(item).filter(|p| !p.contains('\n')) {
                paths.file(p, tree.span(item), "patch");
            }
        }
        for field in FILE_LISTS {
            for (p, span) in strings_of(&tree, node, field) {
                paths.file(&p, span, "file");
            }
        }
        for field in ["configMapGenerator", "secretGenerator"] {
            for item in items_of(&tree, node, field) {
                paths.generator(&tree, item);
            }
        }
        if let Some(n) = tree.path(node, &["openapi", "path"])
            && let Some(p) = tree.str(n)
        {
            paths.file(p, tree.span(n), "OpenAPI schema");
        }
        k.files = paths.files;
        k.refused = paths.refused;
        Ok(k)
    }

    /// The directories it uses as resources, components or plugin sources.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        self.references
            .iter()
            .filter(|r| r.dir)
            .filter_map(|r| r.local.as_deref())
    }
}

fn reference(text: String, local: Option<PathBuf>, span: Span) -> Reference {
    let remote = local.is_none() && looks_remote(&text);
    let dir = local.as_deref().is_some_and(Path::is_dir);
    Reference {
        text,
        local,
        dir,
        remote,
        span,
    }
}

/// The string items of a sequence field, with their spans.
fn strings_of(tree: &Tree<'_>, map: NodeId, field: &str) -> Vec<(String, Span)> {
    items_of(tree, map, field)
        .into_iter()
        .filter_map(|n| tree.str(n).map(|s| (s.to_string(), tree.span(n))))
        .collect()
}

fn items_of(tree: &Tree<'_>, map: NodeId, field: &str) -> Vec<NodeId> {
    tree.get(map, field)
        .filter(|n| tree.is_seq(*n))
        .map(|n| tree.items(n).to_vec())
        .unwrap_or_default()
}

/// Kustomize's remote forms, and anything it might take for one: URLs (`https://`,
/// `ssh://`, `file://`), `git::` and `gh:` prefixes, scp-like `user@host:org/repo`, a
/// `.git` or Azure `_git/` repository part, query parameters (`?ref=`, `?timeout=`), and
/// scheme-less hosts of the Git forges. Such a reference is refused even when a local path
/// of that name exists, since kustomize tries it as a repository first.
fn looks_remote(s: &str) -> bool {
    let first = s.split('/').next().unwrap_or_default();
    s.contains("://")
        || s.starts_with("git::")
        || s.starts_with("gh:")
        || (first.contains('@') && first.contains(':'))
        || (first.contains(':') && !first.contains('@') && s.contains(".git"))
        || s.split(['/', '?']).any(|part| part.ends_with(".git"))
        || s.contains("_git/")
        || s.split_once('?').is_some_and(|(_, q)| q.contains('='))
        || [
            "github.com",
            "gitlab.com",
            "bitbucket.org",
            "dev.azure.com",
            "ssh.dev.azure.com",
            "git-codecommit.",
        ]
        .iter()
        .any(|h| first.starts_with(h))
}

/// One top-level kustomization and everything it is made of.
#[derive(Clone, Debug)]
pub struct Root {
    pub kustomization: Kustomization,
    /// The kustomizations it uses, transitively, itself first (the order in which their
    /// patches are searched when a finding is moved back).
    pub chain: Vec<Kustomization>,
    /// Every local file of the chain: kustomization files, resources, patches.
    pub files: BTreeSet<PathBuf>,
    /// A cycle among the kustomizations of its chain: kustomize cannot build it.
    pub cycle: Option<Failure>,
}

/// What to do with the kustomizations of a set.
#[derive(Debug, Default)]
pub struct Plan {
    pub roots: Vec<Root>,
    /// Kustomizations that could not be read: (file, message).
    pub errors: Vec<(PathBuf, String)>,
    /// Top-level components: not rendered on their own; their resources are linted as plain
    /// manifests, their patches (not whole objects) are not.
    pub components: Vec<Root>,
    /// Cycles that no top-level kustomization reaches (a kustomization that lists itself,
    /// two that list each other): nothing renders them, so they are reported here.
    pub cycles: Vec<Failure>,
}

/// The most kustomizations one run reads.
const MAX_KUSTOMIZATIONS: usize = 10_000;

impl Plan {
    /// Reads the kustomization files found and every kustomization they use, checks the
    /// paths each reads against `root`, and finds the top-level ones and the cycles.
    pub fn new(found: &[PathBuf], limits: &Limits, root: &Path) -> Plan {
        let mut plan = Plan::default();
        let mut known: BTreeMap<PathBuf, Kustomization> = BTreeMap::new();
        for f in found {
            match Kustomization::read(f, limits, root) {
                Ok(k) => {
                    known.entry(k.dir.clone()).or_insert(k);
                }
                Err(e) => plan.errors.push((f.clone(), e)),
            }
        }
        // Everything they use, once each.
        let mut pending: Vec<PathBuf> = known.values().flat_map(|k| k.dirs().map(Path::to_path_buf)).collect();
        while let Some(dir) = pending.pop() {
            if known.contains_key(&dir) || known.len() >= MAX_KUSTOMIZATIONS {
                continue;
            }
            let Some(file) = kustomization_in(&dir) else { continue };
            match Kustomization::read(&file, limits, root) {
                Ok(k) => {
                    pending.extend(k.dirs().map(Path::to_path_buf));
                    known.insert(dir, k);
                }
                Err(e) => plan.errors.push((file, e)),
            }
        }
        let (cycles, cycle_of) = cycles(&known, root);
        let used: BTreeSet<&Path> = known.values().flat_map(|k| k.dirs()).collect();
        let mut reached: BTreeSet<usize> = BTreeSet::new();
        for (dir, top) in known.iter().filter(|(d, _)| !used.contains(d.as_path())) {
            let mut root = Root {
                kustomization: top.clone(),
                chain: Vec::new(),
                files: BTreeSet::new(),
                cycle: None,
            };
            let mut queue = std::collections::VecDeque::from([dir.as_path()]);
            let mut seen = BTreeSet::new();
            while let Some(d) = queue.pop_front() {
                let Some(k) = known.get(d) else { continue };
                if !seen.insert(d) {
                    continue;
                }
                if let Some(i) = cycle_of.get(d) {
                    reached.insert(*i);
                    root.cycle.get_or_insert_with(|| cycles[*i].clone());
                }
                root.files.insert(k.file.clone());
                root.files.extend(k.files.iter().cloned());
                for r in &k.references {
                    match &r.local {
                        Some(p) if r.dir => queue.push_back(p),
                        Some(p) => {
                            root.files.insert(p.clone());
                        }
                        None => {}
                    }
                }
                root.chain.push(k.clone());
            }
            if top.component {
                plan.components.push(root);
            } else {
                plan.roots.push(root);
            }
        }
        plan.cycles = cycles
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !reached.contains(i))
            .map(|(_, f)| f)
            .collect();
        plan
    }
}

/// The cycles among kustomizations (a depth-first search; each back edge closes one), as
/// failures at the reference that closes each, and the cycle each member belongs to.
fn cycles(known: &BTreeMap<PathBuf, Kustomization>, root: &Path) -> (Vec<Failure>, BTreeMap<PathBuf, usize>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Color {
        White,
        Gray,
        Black,
    }
    let mut color: BTreeMap<&Path, Color> = known.keys().map(|k| (k.as_path(), Color::White)).collect();
    let mut failures = Vec::new();
    let mut cycle_of: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let shown = |d: &Path| super::display(&relative(root, d));
    for start in known.keys() {
        if color.get(start.as_path()) != Some(&Color::White) {
            continue;
        }
        // (node, index of the next reference to follow)
        let mut stack: Vec<(&Path, usize)> = vec![(start.as_path(), 0)];
        color.insert(start, Color::Gray);
        while let Some((node, next)) = stack.last().copied() {
            let refs = &known[node].references;
            let Some(r) = refs.get(next) else {
                color.insert(node, Color::Black);
                stack.pop();
                continue;
            };
            if let Some(top) = stack.last_mut() {
                top.1 += 1;
            }
            let Some(target) = r.local.as_deref().filter(|_| r.dir) else {
                continue;
            };
            match color.get(target) {
                Some(Color::White) => {
                    color.insert(target, Color::Gray);
                    stack.push((target, 0));
                }
                Some(Color::Gray) => {
                    let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                    let members: Vec<&Path> = stack[from..].iter().map(|(n, _)| *n).collect();
                    let mut path: Vec<String> = members.iter().map(|m| shown(m)).collect();
                    path.push(shown(target));
                    let i = failures.len();
                    failures.push(Failure {
                        file: known[node].file.clone(),
                        span: r.span,
                        message: format!(
                            "the kustomizations form a cycle ({}), which kustomize cannot build",
                            path.join(" → ")
                        ),
                    });
                    for m in members {
                        cycle_of.entry(m.to_path_buf()).or_insert(i);
                    }
                }
                _ => {}
            }
        }
    }
    (failures, cycle_of)
}

/// The output of one rendering.
#[derive(Debug)]
pub struct Rendered {
    pub text: String,
    /// The wrapper directory the origin annotations are relative to (already removed).
    pub base: PathBuf,
}

/// Why a kustomization could not be rendered, and where to say so.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The kustomization file at fault.
    pub file: PathBuf,
    pub span: Span,
    pub message: String,
}

/// What stops a kustomization from rendering before the renderer runs: a path it may not
/// read (remote, missing or outside the root), a Helm chart, or a cycle.
fn precheck(root: &Root) -> Result<(), Failure> {
    for k in &root.chain {
        if let Some(r) = k.refused.first() {
            return Err(Failure {
                file: k.file.clone(),
                span: r.span,
                message: r.message.clone(),
            });
        }
    }
    match &root.cycle {
        Some(f) => Err(f.clone()),
        None => Ok(()),
    }
}

/// A temporary build directory with a wrapper kustomization that asks for origin
/// annotations and lists `targets`. With more than one target, each goes through its own
/// sub-wrapper that appends a unique name suffix (`-plimsoll-007`), so that builds that
/// define objects of the same name can share one renderer run; the suffix tells the
/// outputs apart and is removed afterwards.
fn wrapper(targets: &[&Path]) -> Result<(tempfile::TempDir, PathBuf), String> {
    const HEADER: &str = "# Generated by plimsoll to record where each object comes from.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
    let dir = tempfile::Builder::new()
        .prefix("plimsoll-kustomize-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let base = std::fs::canonicalize(dir.path()).map_err(|e| e.to_string())?;
    let entry = |from: &Path, to: &Path| -> Result<String, String> {
        let rel = relative(from, to);
        serde_json::to_string(&rel.to_string_lossy()).map_err(|e| e.to_string())
    };
    let mut text = format!("{HEADER}buildMetadata: [originAnnotations]\nresources:\n");
    if let [only] = targets {
        text.push_str(&format!("  - {}\n", entry(&base, only)?));
    } else {
        for (i, t) in targets.iter().enumerate() {
            let sub = base.join(format!("b{i:03}"));
            std::fs::create_dir(&sub).map_err(|e| e.to_string())?;
            let sub_text = format!(
                "{HEADER}nameSuffix: {}\nresources:\n  - {}\n",
                batch_suffix(i),
                entry(&sub, t)?
            );
            std::fs::write(sub.join("kustomization.yaml"), sub_text).map_err(|e| e.to_string())?;
            text.push_str(&format!("  - b{i:03}\n"));
        }
    }
    std::fs::write(base.join("kustomization.yaml"), text).map_err(|e| e.to_string())?;
    Ok((dir, base))
}

/// The name suffix of the `i`th build of a batch (fixed width: no suffix is a prefix of
/// another).
fn batch_suffix(i: usize) -> String {
    format!("-plimsoll-{i:03}")
}

/// How renders run: the renderer, where they are confined, their limits.
pub struct Renders<'a> {
    pub renderer: &'a Renderer,
    /// The directory renders may read (the repository).
    pub root: &'a Path,
    pub cwd: &'a Path,
    pub limits: &'a Limits,
    pub time_limit: Duration,
    /// Renders kept across runs, unless disabled.
    pub cache: Option<&'a cache::Cache>,
    /// Renderer processes started.
    pub runs: std::sync::atomic::AtomicUsize,
    /// Renders taken from the cache.
    pub cached: std::sync::atomic::AtomicUsize,
}

impl Renders<'_> {
    /// Renders a top-level kustomization through a wrapper that adds origin annotations.
    fn render_one(&self, root: &Root) -> Outcome {
        let top = &root.kustomization;
        let fail = |message: String| Failure {
            file: top.file.clone(),
            span: top.anchor,
            message,
        };
        if let Err(f) = precheck(root) {
            return (Err(f), true);
        }
        let (_dir, base) = match wrapper(&[&top.dir]) {
            Ok(w) => w,
            Err(e) => return (Err(fail(e)), false),
        };
        let target = relative(&base, &top.dir);
        match self.run(&base) {
            Ok(text) => (Ok(Rendered { text, base }), true),
            Err(e) => (
                Err(fail(redact(&tidy(&e.message, &base, &target, self.cwd)))),
                e.reproducible,
            ),
        }
    }

    /// Renders several top-level kustomizations in one renderer run (the renderer's
    /// start-up dominates small builds) and splits the output by the name suffix each build
    /// got. `None` when the batch fails or an object cannot be attributed (a kind kustomize
    /// does not rename), with the member the renderer's message names, if any; the caller
    /// then renders them apart.
    fn render_batch(&self, roots: &[&Root]) -> Result<Vec<Rendered>, Option<usize>> {
        let targets: Vec<&Path> = roots.iter().map(|r| r.kustomization.dir.as_path()).collect();
        let (_dir, base) = wrapper(&targets).map_err(|_| None)?;
        let output = self.run(&base).map_err(|e| batch_member_at_fault(&e.message))?;
        self.split_batch(roots, output, base).ok_or(None)
    }

    /// The outputs of a batch, by member, from the name suffix each object got.
    fn split_batch(&self, roots: &[&Root], output: String, base: PathBuf) -> Option<Vec<Rendered>> {
        let (tree, docs, error) = parse(&output, self.limits);
        if error.is_some() {
            return None;
        }
        let suffixes: Vec<String> = (0..roots.len()).map(batch_suffix).collect();
        let mut texts = vec![String::new(); roots.len()];
        for doc in &docs {
            let name = tree.path(doc.root, &["metadata", "name"]).and_then(|n| tree.str(n))?;
            let owner = suffixes.iter().position(|s| name.contains(s.as_str()))?;
            let out = &mut texts[owner];
            out.push_str("---\n");
            out.push_str(output.get(tree.span(doc.root).bytes())?);
            out.push('\n');
        }
        Some(
            texts
                .into_iter()
                .zip(&suffixes)
                .map(|(text, suffix)| Rendered {
                    // Sub-wrappers are one directory below the base, as the origin paths are
                    // relative to the base.
                    text: text.replace(suffix.as_str(), ""),
                    base: base.clone(),
                })
                .collect(),
        )
    }

    /// Runs the renderer on the wrapper in `scratch`, confined (see [`sandbox`]): it reads
    /// nothing outside the root, reaches no network, sees no environment variable, and is
    /// stopped past the time limit, the size limit of its output or its memory limit.
    fn run(&self, scratch: &Path) -> Result<String, RunError> {
        let r = self.renderer;
        let confine = sandbox::Confinement {
            root: self.root,
            scratch,
            max_output: self.limits.max_file_size,
            time_limit: self.time_limit,
        };
        let args = [
            std::ffi::OsStr::new(r.verb),
            scratch.as_os_str(),
            // Overlays read files beside their own directory; plimsoll itself keeps every
            // read inside the root (the paths are checked, and the renderer is confined).
            std::ffi::OsStr::new("--load-restrictor=LoadRestrictionsNone"),
        ];
        let error = |message: String, reproducible: bool| RunError { message, reproducible };
        self.runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match sandbox::run(&r.program, &args, &confine) {
            Err(e) => Err(error(format!("cannot run {}: {e}", r.name), false)),
            Ok(sandbox::Ended::Success(out)) => {
                String::from_utf8(out).map_err(|_| error(format!("{} printed invalid UTF-8", r.name), true))
            }
            Ok(sandbox::Ended::Failed(err)) => {
                let err = String::from_utf8_lossy(&err);
                // Out of memory depends on the machine as much as on the inputs.
                let reproducible = !err.contains("out of memory");
                Err(error(format!("{} failed:\n{}", r.name, err.trim_end()), reproducible))
            }
            Ok(sandbox::Ended::TooLarge) => Err(error(
                format!(
                    "{} printed more than {} bytes (limits.max_file_size) and was stopped",
                    r.name, self.limits.max_file_size
                ),
                true,
            )),
            Ok(sandbox::Ended::TimedOut) => Err(error(
                format!(
                    "{} did not finish within {} s and was stopped",
                    r.name,
                    self.time_limit.as_secs()
                ),
                false,
            )),
        }
    }

    /// Renders every root; results in the roots' order. Roots are rendered in batches, one
    /// per thread; a batch that fails is split until each failure is reported where it
    /// belongs.
    pub fn render_all(&self, plan: &Plan) -> Vec<Result<Rendered, Failure>> {
        const BATCH: usize = 32;
        let mut results: Vec<Option<Result<Rendered, Failure>>> = plan.roots.iter().map(|_| None).collect();
        let mut pending = Vec::new();
        let mut keys: Vec<Option<cache::Key>> = vec![None; plan.roots.len()];
        for (i, root) in plan.roots.iter().enumerate() {
            if let Err(f) = precheck(root) {
                results[i] = Some(Err(f));
                continue;
            }
            if let Some(c) = self.cache {
                keys[i] = c.key(root, self.limits.max_file_size);
                let stored = keys[i].as_ref().and_then(|k| c.get(k));
                if let Some(stored) = stored {
                    self.cached.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    results[i] = Some(match stored {
                        cache::Stored::Rendered { text, base } => Ok(Rendered { text, base }),
                        cache::Stored::Failed(message) => Err(Failure {
                            file: root.kustomization.file.clone(),
                            span: root.kustomization.anchor,
                            message,
                        }),
                    });
                    continue;
                }
            }
            pending.push(i);
        }
        // One batch per thread, at most BATCH roots each.
        let count = rayon::current_num_threads().max(pending.len().div_ceil(BATCH)).max(1);
        let mut batches: Vec<Vec<usize>> = vec![Vec::new(); count];
        for (n, i) in pending.into_iter().enumerate() {
            batches[n % count].push(i);
        }
        batches.retain(|b| !b.is_empty());
        let rendered: Vec<Vec<(usize, Outcome)>> = batches
            .par_iter()
            .map(|members| self.render_group(plan, members))
            .collect();
        for (i, (r, reproducible)) in rendered.into_iter().flatten() {
            if let (Some(c), Some(k), true) = (self.cache, &keys[i], reproducible) {
                c.put(k, &r);
            }
            results[i] = Some(r);
        }
        if let Some(c) = self.cache {
            c.prune();
        }
        results
            .into_iter()
            .zip(&plan.roots)
            .map(|(r, root)| {
                r.unwrap_or_else(|| {
                    Err(Failure {
                        file: root.kustomization.file.clone(),
                        span: root.kustomization.anchor,
                        message: "not rendered".to_string(),
                    })
                })
            })
            .collect()
    }

    /// Renders roots together. When that fails and the renderer's message names the member
    /// at fault (`accumulating resources from 'b007'`), that member is rendered on its own
    /// (for its own message) and the others together again, so that each kustomization is
    /// rendered once more at most; otherwise each half on its own, down to single roots.
    fn render_group(&self, plan: &Plan, members: &[usize]) -> Vec<(usize, Outcome)> {
        if let [only] = members {
            return vec![(*only, self.render_one(&plan.roots[*only]))];
        }
        let roots: Vec<&Root> = members.iter().map(|i| &plan.roots[*i]).collect();
        match self.render_batch(&roots) {
            Ok(outs) => members
                .iter()
                .copied()
                .zip(outs.into_iter().map(|r| (Ok(r), true)))
                .collect(),
            Err(Some(at_fault)) if at_fault < members.len() => {
                let rest: Vec<usize> = members
                    .iter()
                    .enumerate()
                    .filter(|(n, _)| *n != at_fault)
                    .map(|(_, i)| *i)
                    .collect();
                let only = members[at_fault];
                let (one, mut others) = rayon::join(
                    || (only, self.render_one(&plan.roots[only])),
                    || self.render_group(plan, &rest),
                );
                others.push(one);
                others
            }
            Err(_) => {
                let (a, b) = members.split_at(members.len() / 2);
                let (mut left, right) = rayon::join(|| self.render_group(plan, a), || self.render_group(plan, b));
                left.extend(right);
                left
            }
        }
    }
}

/// Why the renderer gave no output.
#[derive(Debug)]
struct RunError {
    message: String,
    /// The same inputs fail the same way (not a time limit, not a process that could not
    /// start).
    reproducible: bool,
}

/// A render's result, and whether the same inputs give the same result (a renderer that
/// ran to its end; not one stopped by a limit or that could not start), so it may be kept.
type Outcome = (Result<Rendered, Failure>, bool);

/// The member of a batch the renderer's message names: kustomize reports the first
/// resource it could not accumulate, and the wrapper lists members as `b000`, `b001`, ….
fn batch_member_at_fault(message: &str) -> Option<usize> {
    static FROM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"accumulating resources from 'b(\d{3})'").expect("static regex"));
    FROM.captures(message)?.get(1)?.as_str().parse().ok()
}

/// A renderer's message with what may be secret taken out: generator literals (kustomize
/// echoes `literal sources [password=…]`), `KEY=value` pairs, credentials in URLs, private
/// keys and anything matching a token pattern; on one line, at most 600 characters.
pub fn redact(message: &str) -> String {
    use crate::model::sensitive::{find_token, has_private_key, url_credentials};
    static LITERALS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"literal sources? \[[^\]]*\]").expect("static regex"));
    static LITERAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"invalid literal source \S+").expect("static regex"));
    static PAIRS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b([A-Za-z_][A-Za-z0-9_.-]*)=([^\s,;\]\x22'`]+)").expect("static regex"));
    if has_private_key(message) {
        return "the renderer's message holds private key material and is not shown".to_string();
    }
    let mut text = message.split_whitespace().collect::<Vec<_>>().join(" ");
    text = LITERALS.replace_all(&text, "literal sources […]").into_owned();
    text = LITERAL.replace_all(&text, "invalid literal source […]").into_owned();
    text = PAIRS.replace_all(&text, "$1=…").into_owned();
    while let Some((_, token)) = find_token(&text) {
        text = text.replace(&token, "[token]");
    }
    while let Some((_, password)) = url_credentials(&text) {
        text = text.replace(&format!(":{password}@"), ":…@");
    }
    if text.chars().count() > 600 {
        text = text.chars().take(600).collect::<String>() + "…";
    }
    text
}

/// The renderer's error without what changes from run to run or machine to machine:
/// kubectl's log prefix (`E1123 22:30:27.816123   32354 run.go:72] "command failed"
/// err="…"`), the temporary wrapper's paths, and the working directory.
fn tidy(message: &str, wrapper: &Path, target: &Path, cwd: &Path) -> String {
    let mut out = String::new();
    for line in message.lines() {
        let mut line = line;
        // klog: severity letter, MMDD, time, thread id, file:line]
        let bytes = line.as_bytes();
        if bytes.len() > 5
            && b"EWIF".contains(&bytes[0])
            && bytes[1..5].iter().all(u8::is_ascii_digit)
            && let Some(i) = line.find("] ")
        {
            line = &line[i + 2..];
        }
        let unquoted;
        if let Some(rest) = line.strip_prefix("\"command failed\" err=\"") {
            unquoted = rest.trim_end_matches('"').replace("\\\"", "\"").replace("\\\\", "\\");
            line = &unquoted;
            out.push_str(line);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    let target = target.to_string_lossy();
    out.replace(&format!("'{target}'"), "'.'")
        .replace(&wrapper.to_string_lossy().into_owned(), "<build>")
        .replace(&format!("{}/", cwd.to_string_lossy()), "")
        .trim_end()
        .to_string()
}

/// Removes the files of a kustomization (its chain's files, and every file in the
/// directories of its chain) from the files to lint, unless named on the command line.
/// `canonical` holds each found file's canonical path, computed once per run.
fn disown(found: &mut Vec<super::Found>, root: &Root, canonical: &Canonical) {
    let dirs: FxHashSet<&[u8]> = root.chain.iter().map(|k| bytes(&k.dir)).collect();
    let files: FxHashSet<&[u8]> = root.files.iter().map(|f| bytes(f)).collect();
    found.retain(|f| {
        if f.explicit {
            return true;
        }
        let Some(c) = canonical.get(bytes(&f.path)) else {
            return true;
        };
        !(files.contains(bytes(c)) || c.parent().is_some_and(|p| dirs.contains(bytes(p))))
    });
}

/// Each found file's canonical path, by the path it was found at (as written).
///
/// These maps and sets are tested for every found file against each root, so their keys
/// are a path's bytes: hashed a word at a time, where a `Path` is hashed a byte at a time.
/// For canonical paths (and a file's own path) bytes and components agree.
type Canonical = FxHashMap<Vec<u8>, PathBuf>;

fn bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_encoded_bytes()
}

/// The relative path from directory `from` to `to` (both absolute).
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..a.len() {
        out.push("..");
    }
    for c in &b[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `base/../x/./y` → `x/y`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// What rendering the kustomizations of a run gave.
#[derive(Default)]
pub struct Prepared {
    /// Moves findings on rendered output back to the files, when anything was rendered.
    pub relocator: Option<origin::Relocator>,
    /// Kustomizations that could not be rendered (their files are linted as they are), by
    /// the displayed path of the kustomization file at fault.
    pub failures: BTreeMap<String, (Span, String)>,
    pub notices: Vec<String>,
    pub stats: RenderStats,
}

/// What rendering cost, for `--statistics`.
#[derive(Debug, Default, Clone)]
pub struct RenderStats {
    /// Top-level kustomizations.
    pub kustomizations: usize,
    /// Of those, taken from the render cache.
    pub from_cache: usize,
    /// Renderer processes started.
    pub renderer_runs: usize,
    /// Wall time of discovery, rendering and the cache.
    pub elapsed: Duration,
}

/// Renders the top-level kustomizations among `kustomizations`, registers each output as
/// an input and the files it is made of as sources findings may point into, and removes
/// those files from `found` (unless named on the command line).
pub fn prepare(
    found: &mut Vec<super::Found>,
    kustomizations: &[PathBuf],
    files: &mut Files,
    limits: &Limits,
    cwd: &Path,
    root: &Path,
    cache_dir: Option<&Path>,
) -> Prepared {
    let started = std::time::Instant::now();
    let mut out = Prepared::default();
    if kustomizations.is_empty() {
        return out;
    }
    let plan = Plan::new(kustomizations, limits, root);
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    // Each found file is canonicalized once (a readlink per component).
    let canonical: Canonical = found
        .iter()
        .filter_map(|f| {
            std::fs::canonicalize(&f.path)
                .ok()
                .map(|c| (bytes(&f.path).to_vec(), c))
        })
        .collect();
    let shown: HashMap<PathBuf, String> = found
        .iter()
        .filter_map(|f| canonical.get(bytes(&f.path)).map(|c| (c.clone(), f.display.clone())))
        .collect();
    // Directories as the user wrote them, from the files found in them.
    let shown_dirs: HashMap<PathBuf, String> = shown
        .iter()
        .filter_map(|(c, d)| {
            let dir = c.parent()?.to_path_buf();
            let shown = match Path::new(d).parent() {
                Some(p) if !p.as_os_str().is_empty() => super::display(p),
                _ => ".".to_string(),
            };
            Some((dir, shown))
        })
        .collect();
    let display = |p: &Path| -> String {
        if let Some(d) = shown.get(p).or_else(|| shown_dirs.get(p)) {
            return d.clone();
        }
        if let Some(d) = p.parent().and_then(|parent| shown_dirs.get(parent)) {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            return if d == "." { name } else { format!("{d}/{name}") };
        }
        match p.strip_prefix(&cwd) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".to_string(),
            Ok(rel) => super::display(rel),
            Err(_) => super::display(p),
        }
    };
    if !plan.components.is_empty() {
        let names: Vec<String> = plan.components.iter().map(|c| display(&c.kustomization.dir)).collect();
        out.notices.push(format!(
            "not rendered: {} kustomize {} that no kustomization uses ({}); their resources are linted as plain manifests, their patches are not",
            names.len(),
            if names.len() == 1 { "Component" } else { "Components" },
            names.join(", ")
        ));
        for c in &plan.components {
            let patches: FxHashSet<&[u8]> = c
                .chain
                .iter()
                .flat_map(|k| std::iter::once(&k.file).chain(&k.files))
                .map(|p| bytes(p))
                .collect();
            found.retain(|f| {
                f.explicit
                    || canonical
                        .get(bytes(&f.path))
                        .is_some_and(|p| !patches.contains(bytes(p)))
            });
        }
    }
    let shown_files: BTreeSet<PathBuf> = shown.keys().cloned().collect();
    // A failure is reported on the kustomization file, so it must be read: a
    // `Kustomization` (no extension) or a base outside the paths given is not.
    let mut fail = |found: &mut Vec<super::Found>, f: Failure| {
        let shown = display(&f.file);
        if !shown_files.contains(&f.file) && !found.iter().any(|x| x.path == f.file) {
            found.push(super::Found {
                display: shown.clone(),
                path: f.file.clone(),
                explicit: false,
            });
        }
        out.failures.entry(shown).or_insert((f.span, f.message));
    };
    for f in &plan.cycles {
        fail(found, f.clone());
    }
    if plan.roots.is_empty() {
        return out;
    }
    let Some(renderer) = Renderer::find() else {
        out.notices.push(format!(
            "{} {} found ({}) but neither `kustomize` nor `kubectl` is on PATH: linting {} files as plain manifests",
            plan.roots.len(),
            if plan.roots.len() == 1 {
                "kustomization"
            } else {
                "kustomizations"
            },
            display(&plan.roots[0].kustomization.dir),
            if plan.roots.len() == 1 { "its" } else { "their" },
        ));
        return out;
    };
    let cache = cache_dir.and_then(
        |dir| match cache::Cache::open(dir, &renderer, limits.max_file_size, &cwd) {
            Ok(c) => Some(c),
            Err(e) => {
                out.notices.push(format!("renders are not cached: {e}"));
                None
            }
        },
    );
    let renders = Renders {
        renderer: &renderer,
        root,
        cwd: &cwd,
        limits,
        time_limit: TIME_LIMIT,
        cache: cache.as_ref(),
        runs: Default::default(),
        cached: Default::default(),
    };
    let results = renders.render_all(&plan);
    out.stats = RenderStats {
        kustomizations: plan.roots.len(),
        from_cache: renders.cached.load(std::sync::atomic::Ordering::Relaxed),
        renderer_runs: renders.runs.load(std::sync::atomic::Ordering::Relaxed),
        elapsed: Duration::ZERO,
    };
    let mut sources: HashMap<PathBuf, FileId> = HashMap::new();
    let mut sets = Vec::new();
    for (root, result) in plan.roots.iter().zip(results) {
        let overlay = display(&root.kustomization.dir);
        let rendered = match result {
            Ok(r) => r,
            Err(f) => {
                fail(found, f);
                continue;
            }
        };
        disown(found, root, &canonical);
        for path in &root.files {
            if !sources.contains_key(path) {
                let id = files.add(display(path), Source::Path(path.clone()), false, false);
                sources.insert(path.clone(), id);
            }
        }
        let file = files.add(
            format!("{overlay} (kustomize build)"),
            Source::Text(Arc::from(rendered.text)),
            true,
            false,
        );
        files.set_dir(file, &overlay);
        sets.push(origin::RenderedSet {
            file,
            base: rendered.base,
            overlay,
            chain: root.chain.iter().map(|k| k.file.clone()).collect(),
        });
    }
    if !sets.is_empty() {
        out.relocator = Some(origin::Relocator {
            sets,
            sources,
            limits: limits.clone(),
        });
    }
    out.stats.elapsed = started.elapsed();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/tmp/w"), Path::new("/repo/k/base")),
            PathBuf::from("../../repo/k/base")
        );
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b/c")), PathBuf::from("c"));
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("/tmp/w/../../repo/./k")), PathBuf::from("/repo/k"));
    }

    #[test]
    fn remote_forms() {
        for r in [
            "https://github.com/org/repo//deploy?ref=v1",
            "github.com/org/repo/deploy?ref=main",
            "git@github.com:org/repo.git",
            "git::https://example.com/repo",
            "ssh://git@example.com/org/repo",
            "example.com:org/repo.git",
            "example.com/org/repo.git//deploy?ref=v1",
            "gh:org/repo",
            "http://127.0.0.1:8080/patch.yaml",
            "file:///etc",
            "dev.azure.com/org/project/_git/repo",
            "deploy?timeout=10",
        ] {
            assert!(looks_remote(r), "{r}");
        }
        for l in ["../base", "deployment.yaml", "overlays/prod"] {
            assert!(!looks_remote(l), "{l}");
        }
    }

    #[test]
    fn renderer_messages_are_redacted() {
        let m =
            "loading KV pairs: literal sources [=hunter2xyz]: invalid literal source =hunter2xyz, expected key=value";
        let r = redact(m);
        assert!(!r.contains("hunter2xyz"), "{r}");
        let r = redact(
            "merging from generator &{password=Sup3rS3cret}:\nbad token ghp_1234567890abcdefghijABCDEFGHIJ123456",
        );
        assert!(!r.contains("Sup3rS3cret") && !r.contains("ghp_123"), "{r}");
        assert!(!r.contains('\n'), "{r}");
        let r = redact("cannot reach postgres://app:Pa55word@db:5432/x");
        assert!(!r.contains("Pa55word"), "{r}");
    }
}
