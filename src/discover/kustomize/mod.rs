//! Kustomize inputs (DESIGN §8): the kustomizations of the set are read, the top-level ones
//! (those no other kustomization of the set uses as a resource or component) are rendered by
//! `kustomize build` or `kubectl kustomize`, and the raw files they are made of are not linted
//! again. Rendering never fetches anything: remote resources are refused before the renderer
//! runs, the renderer runs with its network pointed at a closed port and under a time limit.
//! The user's files are never written: each kustomization is built through a generated
//! wrapper in a temporary directory that adds origin annotations, which [`origin`] uses to
//! move findings back to the files that define each field.

pub mod origin;

use crate::engine::{Files, Source};
use crate::source::{FileId, Limits, NodeId, Span, Tree, parse};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// A reference from a kustomization to a local path, or a remote one.
#[derive(Clone, Debug)]
pub struct Reference {
    /// As written.
    pub text: String,
    /// The canonical local path, when it exists.
    pub local: Option<PathBuf>,
    pub remote: bool,
    /// Where it is written in the kustomization file.
    pub span: Span,
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
    /// `resources` (and the deprecated `bases`) and `components`.
    pub references: Vec<Reference>,
    /// Other local files it reads: patches, generator sources, replacements, CRDs.
    pub files: Vec<PathBuf>,
    /// It renders Helm charts (`helmCharts`), which needs `--enable-helm` and a download.
    pub helm: bool,
    /// Where to report a failure to render it: its `resources` key, else its first entry.
    pub anchor: Span,
}

impl Kustomization {
    /// Reads a kustomization file. Paths are resolved against its directory.
    pub fn read(file: &Path, limits: &Limits) -> Result<Kustomization, String> {
        let file = std::fs::canonicalize(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let text = crate::source::decode(bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        let (tree, docs, error) = parse(&text, limits);
        if let Some(e) = error {
            return Err(format!(
                "{}:{}:{}: {}",
                file.display(),
                e.pos.line,
                e.pos.col,
                e.message
            ));
        }
        let mut k = Kustomization {
            dir: dir.clone(),
            file: file.clone(),
            component: false,
            references: Vec::new(),
            files: Vec::new(),
            helm: false,
            anchor: Span::default(),
        };
        let Some(root) = docs.first().map(|d| d.root).filter(|r| tree.is_map(*r)) else {
            return Ok(k);
        };
        k.anchor = match tree.get_entry(root, "resources") {
            Some((key, _)) => tree.span(key),
            None => crate::source::grip(&tree, root),
        };
        k.component = tree.get(root, "kind").and_then(|n| tree.str(n)) == Some("Component");
        k.helm = tree.get(root, "helmCharts").is_some();
        for field in ["resources", "bases", "components"] {
            for item in strings_of(&tree, root, field) {
                let (text, span) = item;
                let local = std::fs::canonicalize(dir.join(&text)).ok();
                let remote = local.is_none() && looks_remote(&text);
                k.references.push(Reference {
                    text,
                    local,
                    remote,
                    span,
                });
            }
        }
        let mut local_file = |p: &str| {
            let p = p.split_once('=').map_or(p, |(_, path)| path);
            if let Ok(c) = std::fs::canonicalize(dir.join(p)) {
                k.files.push(c);
            }
        };
        for field in ["patches", "patchesJson6902", "replacements"] {
            for item in items_of(&tree, root, field) {
                if let Some(p) = tree.get(item, "path").and_then(|n| tree.str(n)) {
                    local_file(p);
                }
            }
        }
        for (p, _) in strings_of(&tree, root, "patchesStrategicMerge") {
            if !p.contains('\n') {
                local_file(&p);
            }
        }
        for field in ["crds", "configurations", "transformers", "generators", "validators"] {
            for (p, _) in strings_of(&tree, root, field) {
                local_file(&p);
            }
        }
        for field in ["configMapGenerator", "secretGenerator"] {
            for item in items_of(&tree, root, field) {
                for list in ["files", "envs"] {
                    for (p, _) in strings_of(&tree, item, list) {
                        local_file(&p);
                    }
                }
                if let Some(p) = tree.get(item, "env").and_then(|n| tree.str(n)) {
                    local_file(p);
                }
            }
        }
        if let Some(p) = tree.path(root, &["openapi", "path"]).and_then(|n| tree.str(n)) {
            local_file(p);
        }
        Ok(k)
    }

    /// The directories it uses as resources or components.
    pub fn dirs(&self) -> impl Iterator<Item = &Path> {
        self.references
            .iter()
            .filter_map(|r| r.local.as_deref())
            .filter(|p| p.is_dir())
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

/// Kustomize's remote forms: URLs, `git@host:`, `github.com/…`, `?ref=`.
fn looks_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("git@")
        || s.starts_with("git::")
        || s.contains("?ref=")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|h| s.starts_with(h))
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
    /// Remote references anywhere in the chain: (kustomization file, reference).
    pub remote: Vec<(PathBuf, Reference)>,
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
}

impl Plan {
    /// Reads the kustomization files found and everything they reference.
    pub fn new(found: &[PathBuf], limits: &Limits) -> Plan {
        let mut plan = Plan::default();
        let mut known: BTreeMap<PathBuf, Kustomization> = BTreeMap::new();
        for f in found {
            match Kustomization::read(f, limits) {
                Ok(k) => {
                    known.entry(k.dir.clone()).or_insert(k);
                }
                Err(e) => plan.errors.push((f.clone(), e)),
            }
        }
        let used: BTreeSet<PathBuf> = known
            .values()
            .flat_map(|k| k.dirs().map(Path::to_path_buf).collect::<Vec<_>>())
            .collect();
        let tops: Vec<PathBuf> = known.keys().filter(|d| !used.contains(*d)).cloned().collect();
        for dir in tops {
            let Some(top) = known.get(&dir).cloned() else { continue };
            let component = top.component;
            let mut root = Root {
                kustomization: top.clone(),
                chain: Vec::new(),
                files: BTreeSet::new(),
                remote: Vec::new(),
            };
            let mut queue = vec![top];
            let mut seen = BTreeSet::new();
            while let Some(k) = queue.pop() {
                if !seen.insert(k.dir.clone()) || seen.len() > 1000 {
                    continue;
                }
                root.files.insert(k.file.clone());
                root.files.extend(k.files.iter().cloned());
                for r in &k.references {
                    if r.remote {
                        root.remote.push((k.file.clone(), r.clone()));
                    }
                    match &r.local {
                        Some(p) if p.is_dir() => {
                            let next = known
                                .get(p)
                                .cloned()
                                .or_else(|| kustomization_in(p).and_then(|f| Kustomization::read(&f, limits).ok()));
                            if let Some(next) = next {
                                queue.insert(0, next);
                            }
                        }
                        Some(p) => {
                            root.files.insert(p.clone());
                        }
                        None => {}
                    }
                }
                root.chain.push(k);
            }
            if component {
                plan.components.push(root);
            } else {
                plan.roots.push(root);
            }
        }
        plan
    }
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

/// What stops a kustomization from rendering before the renderer runs: a remote resource,
/// or Helm charts.
fn precheck(root: &Root) -> Result<(), Failure> {
    if let Some((file, r)) = root.remote.first() {
        return Err(Failure {
            file: file.clone(),
            span: r.span,
            message: format!(
                "the kustomization uses the remote resource `{}`, and plimsoll never fetches anything: vendor it, or lint the output of `kustomize build` on stdin",
                r.text
            ),
        });
    }
    if let Some(k) = root.chain.iter().find(|k| k.helm) {
        return Err(Failure {
            file: k.file.clone(),
            span: k.anchor,
            message: "the kustomization renders Helm charts (`helmCharts`), which needs a download; lint the output of `kustomize build --enable-helm` on stdin".to_string(),
        });
    }
    Ok(())
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

/// Renders a top-level kustomization through a wrapper that adds origin annotations.
pub fn render(root: &Root, renderer: &Renderer, time_limit: Duration, cwd: &Path) -> Result<Rendered, Failure> {
    let top = &root.kustomization;
    let fail = |message: String| Failure {
        file: top.file.clone(),
        span: top.anchor,
        message,
    };
    precheck(root)?;
    let (_dir, base) = wrapper(&[&top.dir]).map_err(fail)?;
    let target = relative(&base, &top.dir);
    let output = run(renderer, &base, time_limit).map_err(|e| fail(tidy(&e, &base, &target, cwd)))?;
    Ok(Rendered { text: output, base })
}

/// Renders several top-level kustomizations in one renderer run (the renderer's start-up
/// dominates small builds) and splits the output by the name suffix
/// each build got. `None` when the batch fails or an object cannot be attributed (a kind
/// kustomize does not rename); the caller then renders them one by one.
fn render_batch(roots: &[&Root], renderer: &Renderer, time_limit: Duration, limits: &Limits) -> Option<Vec<Rendered>> {
    let targets: Vec<&Path> = roots.iter().map(|r| r.kustomization.dir.as_path()).collect();
    let (_dir, base) = wrapper(&targets).ok()?;
    let output = run(renderer, &base, time_limit).ok()?;
    let (tree, docs, error) = parse(&output, limits);
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

/// The renderer's error without what changes from run to run or machine to machine:
/// kubectl's log prefix (`E1123 22:30:27.816123   32354 run.go:72] "command failed"
/// err="…"`), the temporary wrapper's paths, and the working directory.
fn tidy(message: &str, wrapper: &Path, target: &Path, cwd: &Path) -> String {
    let mut out = String::new();
    for line in message.lines() {
        let mut line = line;
        // klog: severity letter, MMDD, time, thread id, file:line]
        let bytes = line.as_bytes();
        if bytes.len() > 5 && b"EWIF".contains(&bytes[0]) && bytes[1..5].iter().all(u8::is_ascii_digit) {
            if let Some(i) = line.find("] ") {
                line = &line[i + 2..];
            }
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

/// Runs the renderer with no way out to the network, under a time limit.
fn run(renderer: &Renderer, dir: &Path, time_limit: Duration) -> Result<String, String> {
    let closed = "http://127.0.0.1:9";
    let mut child = Command::new(&renderer.program)
        .arg(renderer.verb)
        .arg(dir)
        // Reading files beside the kustomization's directory is harmless for a linter, and
        // GitOps tools commonly allow it.
        .arg("--load-restrictor=LoadRestrictionsNone")
        .env("HTTP_PROXY", closed)
        .env("HTTPS_PROXY", closed)
        .env("http_proxy", closed)
        .env("https_proxy", closed)
        .env("ALL_PROXY", closed)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ALLOW_PROTOCOL", "file")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", renderer.program.display()))?;
    // Drain both pipes while waiting, so a large output cannot block the child.
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let out_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = stdout.as_mut() {
            let _ = o.read_to_end(&mut s);
        }
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = stderr.as_mut() {
            let _ = e.read_to_end(&mut s);
        }
        s
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > time_limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{} did not finish within {} s",
                    renderer.name,
                    time_limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("{}: {e}", renderer.name)),
        }
    };
    let out = out_thread.join().unwrap_or_default();
    let err = err_thread.join().unwrap_or_default();
    if !status.success() {
        let err = String::from_utf8_lossy(&err);
        return Err(format!("{} failed:\n{}", renderer.name, err.trim_end()));
    }
    String::from_utf8(out).map_err(|_| format!("{} printed invalid UTF-8", renderer.name))
}

/// Renders every root; results in the roots' order. Roots are rendered in batches, one
/// per thread; a batch that fails is split until each failure is reported where it
/// belongs.
pub fn render_all(
    plan: &Plan,
    renderer: &Renderer,
    time_limit: Duration,
    cwd: &Path,
    limits: &Limits,
) -> Vec<Result<Rendered, Failure>> {
    const BATCH: usize = 32;
    let mut results: Vec<Option<Result<Rendered, Failure>>> = plan.roots.iter().map(|_| None).collect();
    let mut pending = Vec::new();
    for (i, root) in plan.roots.iter().enumerate() {
        match precheck(root) {
            Ok(()) => pending.push(i),
            Err(f) => results[i] = Some(Err(f)),
        }
    }
    // One batch per thread, at most BATCH roots each.
    let count = rayon::current_num_threads().max(pending.len().div_ceil(BATCH)).max(1);
    let mut batches: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (n, i) in pending.into_iter().enumerate() {
        batches[n % count].push(i);
    }
    batches.retain(|b| !b.is_empty());
    let group = Group {
        plan,
        renderer,
        time_limit,
        cwd,
        limits,
    };
    let rendered: Vec<Vec<(usize, Result<Rendered, Failure>)>> =
        batches.par_iter().map(|members| group.render(members)).collect();
    for (i, r) in rendered.into_iter().flatten() {
        results[i] = Some(r);
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

/// What rendering a group of roots needs.
struct Group<'a> {
    plan: &'a Plan,
    renderer: &'a Renderer,
    time_limit: Duration,
    cwd: &'a Path,
    limits: &'a Limits,
}

impl Group<'_> {
    /// Renders roots together; when that fails, each half on its own, down to single roots,
    /// so that one broken kustomization costs a few more runs, not one per root.
    fn render(&self, members: &[usize]) -> Vec<(usize, Result<Rendered, Failure>)> {
        if let [only] = members {
            return vec![(
                *only,
                render(&self.plan.roots[*only], self.renderer, self.time_limit, self.cwd),
            )];
        }
        let roots: Vec<&Root> = members.iter().map(|i| &self.plan.roots[*i]).collect();
        if let Some(outs) = render_batch(&roots, self.renderer, self.time_limit, self.limits) {
            return members.iter().copied().zip(outs.into_iter().map(Ok)).collect();
        }
        let (a, b) = members.split_at(members.len() / 2);
        let (mut left, right) = rayon::join(|| self.render(a), || self.render(b));
        left.extend(right);
        left
    }
}

/// Removes the files of a kustomization (its chain's files, and every file in the
/// directories of its chain) from the files to lint, unless named on the command line.
fn disown(found: &mut Vec<super::Found>, root: &Root) {
    let dirs: BTreeSet<&Path> = root.chain.iter().map(|k| k.dir.as_path()).collect();
    found.retain(|f| {
        if f.explicit {
            return true;
        }
        let Ok(c) = std::fs::canonicalize(&f.path) else {
            return true;
        };
        !(root.files.contains(&c) || c.parent().is_some_and(|p| dirs.contains(p)))
    });
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
) -> Prepared {
    let mut out = Prepared::default();
    if kustomizations.is_empty() {
        return out;
    }
    let plan = Plan::new(kustomizations, limits);
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let shown: HashMap<PathBuf, String> = found
        .iter()
        .filter_map(|f| std::fs::canonicalize(&f.path).ok().map(|c| (c, f.display.clone())))
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
            let patches: BTreeSet<&PathBuf> = c
                .chain
                .iter()
                .flat_map(|k| std::iter::once(&k.file).chain(&k.files))
                .collect();
            found.retain(|f| f.explicit || std::fs::canonicalize(&f.path).is_ok_and(|p| !patches.contains(&p)));
        }
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
    let results = render_all(&plan, &renderer, TIME_LIMIT, &cwd, limits);
    let shown_files: BTreeSet<PathBuf> = shown.keys().cloned().collect();
    let mut sources: HashMap<PathBuf, FileId> = HashMap::new();
    let mut sets = Vec::new();
    for (root, result) in plan.roots.iter().zip(results) {
        let overlay = display(&root.kustomization.dir);
        let rendered = match result {
            Ok(r) => r,
            Err(f) => {
                let shown = display(&f.file);
                // The finding is reported on the kustomization file, so it must be read: a
                // `Kustomization` (no extension) or a base outside the paths given is not.
                if !shown_files.contains(&f.file) {
                    found.push(super::Found {
                        display: shown.clone(),
                        path: f.file.clone(),
                        explicit: false,
                    });
                }
                out.failures.insert(shown, (f.span, f.message));
                continue;
            }
        };
        disown(found, root);
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
        ] {
            assert!(looks_remote(r), "{r}");
        }
        for l in ["../base", "deployment.yaml", "overlays/prod"] {
            assert!(!looks_remote(l), "{l}");
        }
    }
}
