//! Helpers shared by the integration tests: run the real binary, normalise its output.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, when present.
pub fn shared() -> Option<PathBuf> {
    let p = root().join("../shared");
    p.is_dir().then_some(p)
}

/// Says that (part of) a test does not run, and why, where a developer sees it: written to
/// the terminal directly (`cargo test` captures `eprintln!` of passing tests) and counted.
/// With `PLIMSOLL_REQUIRE_TOOLS=1` (as `.ci/run` sets) nothing may skip: it fails instead.
pub fn skip(what: &str, why: &str) {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    static SKIPPED: AtomicUsize = AtomicUsize::new(0);
    assert!(
        std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
        "{what} cannot run: {why} (PLIMSOLL_REQUIRE_TOOLS forbids skipping)"
    );
    let n = SKIPPED.fetch_add(1, Ordering::Relaxed) + 1;
    let _ = writeln!(std::io::stderr(), "SKIPPED ({n} in this test binary): {what}: {why}");
}

/// `../shared`, or `None` after saying that `what` is skipped.
pub fn shared_or_skip(what: &str) -> Option<PathBuf> {
    let found = shared();
    if found.is_none() {
        skip(what, "../shared is absent");
    }
    found
}

/// Whether a renderer is on PATH; says that `what` is skipped when none is.
pub fn renderer_or_skip(what: &str) -> bool {
    let found = has_kustomize();
    if !found {
        skip(what, "no kustomize or kubectl on PATH");
    }
    found
}

/// The binary, run from `dir`, with an environment that does not leak into output.
pub fn plimsoll_in(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("plimsoll").expect("binary");
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env("RAYON_NUM_THREADS", "2")
        // Renders are not kept in the user's cache; tests/render_cache.rs tests the cache.
        .env("PLIMSOLL_NO_CACHE", "1");
    cmd
}

pub fn plimsoll() -> assert_cmd::Command {
    plimsoll_in(&root())
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut assert_cmd::Command) -> Run {
    let Output { status, stdout, stderr } = cmd.output().expect("run plimsoll");
    Run {
        code: status.code().unwrap_or(-1),
        stdout: normalize(&String::from_utf8_lossy(&stdout)),
        stderr: normalize(&String::from_utf8_lossy(&stderr)),
    }
}

/// Replaces what changes between runs (timings, the version).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let line = match line.find(" in ").zip(line.rfind("s.")) {
            Some((i, j)) if line.starts_with("Found") || line.starts_with("No findings") => {
                if line[i + 4..j].chars().all(|c| c.is_ascii_digit() || c == '.') && j > i + 4 {
                    format!("{} in [TIME]s.{}", &line[..i], &line[j + 2..])
                } else {
                    line.to_string()
                }
            }
            _ => line.to_string(),
        };
        out.push_str(&line.replace(concat!("\"", env!("CARGO_PKG_VERSION"), "\""), "\"[VERSION]\""));
        out.push('\n');
    }
    out
}

/// Whether a kustomization renderer (`kustomize`, or `kubectl` with kustomize) is on PATH.
pub fn has_kustomize() -> bool {
    ["kustomize", "kubectl"].iter().any(|p| {
        std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(p).is_file()))
    })
}

/// Validates a SARIF document against the SARIF 2.1.0 schema in `../shared/schemas`
/// (skipped with a message when `../shared` is absent).
pub fn assert_valid_sarif(sarif: &serde_json::Value) {
    let Some(shared) = shared_or_skip("SARIF schema validation") else {
        return;
    };
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(shared.join("schemas/sarif-2.1.0.json")).expect("schema"))
            .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
}

/// `git` in `dir`, with an identity and without the user's configuration.
pub fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
