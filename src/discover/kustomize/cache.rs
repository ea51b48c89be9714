//! Renders kept across runs, content-addressed (docs/configuration.md, "Render cache").
//!
//! The key of a render is a SHA-256 over everything its output depends on: the cache
//! format and plimsoll's version (the wrapper it builds), the renderer (its canonical path,
//! size and modification time, and how it is called), the output size limit, the working
//! directory (renderer messages name paths relative to it), the top-level kustomization's
//! directory, which kustomization file names exist in each directory of its chain, and the
//! path, size and content of every file of the chain (kustomization files, resources,
//! patches, generator sources, replacement, CRD and plugin configuration files — every file
//! the render may read, as the paths checks allow nothing else). Changing any of them
//! changes the key, so an entry is never used for inputs it was not rendered from. A render
//! whose origin annotations name a file outside that set is not stored.
//!
//! Entries are single files written to a temporary name and renamed into place, so
//! concurrent runs see a whole entry or none; each holds its key, its length and its
//! payload's SHA-256, checked on every read. The directory is bounded: past
//! [`MAX_BYTES`], the least recently used entries are removed.

use super::{FILE_NAMES, Failure, Rendered, Renderer, Root, normalize};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The entry format; bumped when entries or keys change meaning.
const FORMAT: &str = "plimsoll-render-cache-1";

/// The most the cache directory holds; pruned to three quarters of it when exceeded.
pub const MAX_BYTES: u64 = 256 << 20;

/// Temporary files older than this are left by a run that died and are removed.
const STALE: Duration = Duration::from_secs(3600);

/// The renders directory under the cache directory.
const SUBDIR: &str = "renders";

/// The platform cache directory for plimsoll: `$XDG_CACHE_HOME/plimsoll`, else
/// `$HOME/.cache/plimsoll`.
pub fn default_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| std::env::var_os("HOME").and_then(absolute).map(|h| h.join(".cache")))
        .map(|d| d.join("plimsoll"))
}

/// A render as stored: its output (and the wrapper directory its origin paths are relative
/// to), or the renderer's message when it failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    Rendered { text: String, base: PathBuf },
    Failed(String),
}

/// The render cache of a run.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// What every key of this run shares: format, version, renderer, limits, directory.
    prefix: Vec<u8>,
    max_bytes: u64,
}

/// A render's key and the files it was computed from.
#[derive(Debug, Clone)]
pub struct Key {
    hex: String,
    inputs: Vec<PathBuf>,
}

impl Cache {
    /// The cache in `dir` (created, readable by the user only), for renders by `renderer`
    /// with outputs of at most `max_output` bytes run from `cwd`. `None` when the directory
    /// cannot be used or the renderer cannot be identified: the run renders everything.
    pub fn open(dir: &Path, renderer: &Renderer, max_output: u64, cwd: &Path) -> Result<Cache, String> {
        let renders = dir.join(SUBDIR);
        create_private(&renders).map_err(|e| format!("{}: {e}", crate::discover::display(&renders)))?;
        let program = std::fs::canonicalize(&renderer.program).map_err(|e| e.to_string())?;
        let meta = std::fs::metadata(&program).map_err(|e| e.to_string())?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|m| m.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let mut prefix = Vec::new();
        for part in [
            FORMAT.as_bytes(),
            env!("CARGO_PKG_VERSION").as_bytes(),
            program.as_os_str().as_encoded_bytes(),
            meta.len().to_string().as_bytes(),
            modified.to_string().as_bytes(),
            renderer.verb.as_bytes(),
            max_output.to_string().as_bytes(),
            cwd.as_os_str().as_encoded_bytes(),
        ] {
            field(&mut prefix, part);
        }
        Ok(Cache {
            dir: renders,
            prefix,
            max_bytes: MAX_BYTES,
        })
    }

    /// The key of `root`'s render: `None` when one of its files cannot be read (the render
    /// then runs, and is not stored).
    pub fn key(&self, root: &Root, max_file: u64) -> Option<Key> {
        let mut h = Sha256::new();
        h.update(&self.prefix);
        let mut buf = Vec::new();
        field(&mut buf, root.kustomization.dir.as_os_str().as_encoded_bytes());
        for k in &root.chain {
            field(&mut buf, k.dir.as_os_str().as_encoded_bytes());
            for name in FILE_NAMES {
                let present = std::fs::symlink_metadata(k.dir.join(name)).is_ok();
                field(&mut buf, if present { b"1" } else { b"0" });
            }
        }
        h.update(&buf);
        for path in &root.files {
            let content = crate::source::read_file(path, max_file).ok()?;
            let mut b = Vec::new();
            field(&mut b, path.as_os_str().as_encoded_bytes());
            field(&mut b, &Sha256::digest(&content));
            h.update(&b);
        }
        Some(Key {
            hex: hex(&h.finalize()),
            inputs: root.files.iter().cloned().collect(),
        })
    }

    fn entry(&self, key: &Key) -> PathBuf {
        self.dir.join(&key.hex)
    }

    /// The stored render of `key`, when there is a whole one.
    pub fn get(&self, key: &Key) -> Option<Stored> {
        let path = self.entry(key);
        let bytes = std::fs::read(&path).ok()?;
        let stored = decode(&bytes, &key.hex)?;
        // Most recently used first when pruning.
        if let Ok(f) = std::fs::File::options().write(true).open(&path) {
            let _ = f.set_modified(SystemTime::now());
        }
        Some(stored)
    }

    /// Stores the render of `key`. A render whose origin annotations name a file that is
    /// not among the key's inputs is not stored: its key would not cover what it read.
    pub fn put(&self, key: &Key, result: &Result<Rendered, Failure>) {
        let stored = match result {
            Ok(r) => {
                if !origins_within(&r.text, &r.base, &key.inputs) {
                    return;
                }
                Stored::Rendered {
                    text: r.text.clone(),
                    base: r.base.clone(),
                }
            }
            Err(f) => Stored::Failed(f.message.clone()),
        };
        let bytes = encode(&stored, &key.hex);
        let Ok(mut tmp) = tempfile::Builder::new().prefix(".tmp-").tempfile_in(&self.dir) else {
            return;
        };
        if tmp.write_all(&bytes).is_err() {
            return;
        }
        let _ = tmp.persist(self.entry(key));
    }

    /// Removes the least recently used entries while the directory holds more than its
    /// bound, and temporary files a dead run left.
    pub fn prune(&self) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let now = SystemTime::now();
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        for e in dir.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            if !meta.is_file() {
                continue;
            }
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            let path = e.path();
            if e.file_name().to_string_lossy().starts_with(".tmp-") {
                if now.duration_since(modified).is_ok_and(|age| age > STALE) {
                    let _ = std::fs::remove_file(&path);
                }
                continue;
            }
            entries.push((modified, meta.len(), path));
        }
        let mut total: u64 = entries.iter().map(|e| e.1).sum();
        if total <= self.max_bytes {
            return;
        }
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.max_bytes / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// Creates `dir` and its parents, readable by the user only when created here.
fn create_private(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// Appends a length-prefixed field, so that no two sequences of fields hash alike.
fn field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An entry: a header line (format, key, kind, base, payload length and SHA-256), then the
/// payload.
fn encode(stored: &Stored, key: &str) -> Vec<u8> {
    let (kind, base, payload) = match stored {
        Stored::Rendered { text, base } => ("rendered", base.to_string_lossy().into_owned(), text.as_str()),
        Stored::Failed(message) => ("failed", String::new(), message.as_str()),
    };
    let header = serde_json::json!({
        "format": FORMAT,
        "key": key,
        "kind": kind,
        "base": base,
        "len": payload.len(),
        "sha256": hex(&Sha256::digest(payload.as_bytes())),
    });
    let mut out = header.to_string().into_bytes();
    out.push(b'\n');
    out.extend_from_slice(payload.as_bytes());
    out
}

fn decode(bytes: &[u8], key: &str) -> Option<Stored> {
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let header: serde_json::Value = serde_json::from_slice(&bytes[..newline]).ok()?;
    let payload = &bytes[newline + 1..];
    let ok = header["format"] == FORMAT
        && header["key"] == key
        && header["len"].as_u64() == Some(payload.len() as u64)
        && header["sha256"].as_str() == Some(hex(&Sha256::digest(payload)).as_str());
    if !ok {
        return None;
    }
    let payload = String::from_utf8(payload.to_vec()).ok()?;
    match header["kind"].as_str()? {
        "rendered" => Some(Stored::Rendered {
            text: payload,
            base: PathBuf::from(header["base"].as_str()?),
        }),
        "failed" => Some(Stored::Failed(payload)),
        _ => None,
    }
}

/// Whether every file the render's origin annotations name (`path:` of a resource,
/// `configuredIn:` of a generated object), resolved against `base`, is among `inputs`.
fn origins_within(text: &str, base: &Path, inputs: &[PathBuf]) -> bool {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if !line.trim_start().starts_with("config.kubernetes.io/origin:") {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        for l in lines.by_ref() {
            if l.len() - l.trim_start().len() <= indent || l.trim().is_empty() {
                break;
            }
            let l = l.trim();
            let Some(path) = l.strip_prefix("path: ").or_else(|| l.strip_prefix("configuredIn: ")) else {
                continue;
            };
            let resolved = normalize(&base.join(path.trim_matches(['"', '\''])));
            if inputs.binary_search(&resolved).is_err() {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_reject_damage() {
        let stored = Stored::Rendered {
            text: "apiVersion: v1\nkind: ConfigMap\n".into(),
            base: PathBuf::from("/tmp/plimsoll-kustomize-x"),
        };
        let bytes = encode(&stored, "abc");
        assert_eq!(decode(&bytes, "abc"), Some(stored.clone()));
        assert_eq!(decode(&bytes, "abd"), None, "another key");
        assert_eq!(decode(&bytes[..bytes.len() - 1], "abc"), None, "truncated");
        let mut flipped = bytes.clone();
        let last = flipped.len() - 2;
        flipped[last] ^= 1;
        assert_eq!(decode(&flipped, "abc"), None, "changed payload");
        let failed = Stored::Failed("kustomize build failed: no".into());
        assert_eq!(decode(&encode(&failed, "k"), "k"), Some(failed));
    }

    #[test]
    fn origins_outside_the_inputs_are_found() {
        let text = "metadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../repo/app/deploy.yaml\n  name: x\n";
        let base = Path::new("/tmp/w");
        let inside = vec![PathBuf::from("/tmp/repo/app/deploy.yaml")];
        assert!(origins_within(text, base, &inside));
        assert!(!origins_within(
            text,
            base,
            &[PathBuf::from("/tmp/repo/app/other.yaml")]
        ));
        let generated = "    config.kubernetes.io/origin: |\n      configuredIn: ../repo/kustomization.yaml\n      configuredBy:\n        kind: ConfigMapGenerator\n";
        assert!(!origins_within(generated, base, &inside));
    }

    #[test]
    fn pruning_removes_the_least_recently_used_entries_and_dead_temporaries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache {
            dir: dir.path().to_path_buf(),
            prefix: Vec::new(),
            max_bytes: 1000,
        };
        let old = SystemTime::now() - Duration::from_secs(7200);
        for i in 0..10u64 {
            let path = dir.path().join(format!("entry{i}"));
            std::fs::write(&path, [0u8; 200]).expect("write");
            let f = std::fs::File::options().write(true).open(&path).expect("open");
            f.set_modified(old + Duration::from_secs(i)).expect("set mtime");
        }
        let tmp = dir.path().join(".tmp-dead");
        std::fs::write(&tmp, b"x").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&tmp)
            .expect("open")
            .set_modified(old)
            .expect("set mtime");
        cache.prune();
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .expect("read")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["entry7", "entry8", "entry9"]);
    }
}
