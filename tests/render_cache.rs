//! The render cache (docs/configuration.md, "Render cache"): a kustomization rendered once is
//! not rendered again while none of its files changes, a changed file (not a touched one)
//! renders it again, damaged entries are ignored, `--no-cache` writes nothing, renderer
//! failures are kept too, and a batch that fails is split by the member kustomize names,
//! not in halves. `--statistics` says how many renders came from the cache and how many
//! renderer processes ran.

mod common;

use common::{plimsoll_in, run};
use std::path::Path;

/// `testdata/kustomize` copied into a fresh directory (a repository of its own).
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let from = common::root().join("testdata/kustomize");
    for sub in ["base", "overlays/prod"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        for e in std::fs::read_dir(from.join(sub)).expect("read testdata") {
            let e = e.expect("entry");
            std::fs::copy(e.path(), dir.path().join(sub).join(e.file_name())).expect("copy");
        }
    }
    dir
}

/// A run with the cache in `cache`: (stdout, the statistics' kustomize line).
fn check(dir: &Path, cache: &Path, extra: &[&str]) -> (String, String) {
    let mut cmd = plimsoll_in(dir);
    cmd.env_remove("PLIMSOLL_NO_CACHE")
        .env("RAYON_NUM_THREADS", "1")
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "--statistics",
            "--cache-dir",
        ])
        .arg(cache)
        .args(extra)
        .arg(".");
    let r = run(&mut cmd);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("kustomize:"))
        .map(|l| l.split_once(", ").map_or(l, |(_, rest)| rest).to_string())
        .unwrap_or_default();
    (r.stdout, line)
}

fn entries(cache: &Path) -> Vec<std::path::PathBuf> {
    let Ok(dir) = std::fs::read_dir(cache.join("renders")) else {
        return Vec::new();
    };
    let mut out: Vec<_> = dir.flatten().map(|e| e.path()).collect();
    out.sort();
    out
}

#[test]
fn renders_are_reused_until_a_file_they_read_changes() {
    if !common::renderer_or_skip("the render cache") {
        return;
    }
    let repo = tree();
    let cache = tempfile::tempdir().expect("tempdir");
    let (cold, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(stats, "1 kustomizations (0 from the render cache, 1 renderer runs)");
    assert_eq!(entries(cache.path()).len(), 1);

    let (warm, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(stats, "1 kustomizations (1 from the render cache, 0 renderer runs)");
    assert_eq!(warm, cold, "a cached render gives the same findings");

    // Touched, not changed: still the same content.
    let patch = repo.path().join("overlays/prod/security.yaml");
    let text = std::fs::read_to_string(&patch).expect("read patch");
    std::fs::write(&patch, &text).expect("rewrite patch");
    let (_, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(stats, "1 kustomizations (1 from the render cache, 0 renderer runs)");

    // A file of the base changes: rendered again, and the change is seen.
    let deployment = repo.path().join("base/deployment.yaml");
    let text = std::fs::read_to_string(&deployment).expect("read base");
    assert!(text.contains("replicas: "), "{text}");
    std::fs::write(
        &deployment,
        text.replacen("replicas: ", "replicas:  ", 1) + "\n# changed\n",
    )
    .expect("write base");
    let (changed, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(stats, "1 kustomizations (0 from the render cache, 1 renderer runs)");
    assert_eq!(entries(cache.path()).len(), 2);
    assert_ne!(changed, cold, "positions in the base moved");
}

#[test]
fn damaged_entries_are_rendered_again_and_no_cache_writes_nothing() {
    if !common::renderer_or_skip("the render cache") {
        return;
    }
    let repo = tree();
    let cache = tempfile::tempdir().expect("tempdir");
    let (cold, _) = check(repo.path(), cache.path(), &[]);
    let [entry] = entries(cache.path()).try_into().expect("one entry");
    let bytes = std::fs::read(&entry).expect("read entry");
    std::fs::write(&entry, &bytes[..bytes.len() - 10]).expect("truncate entry");
    let (again, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(stats, "1 kustomizations (0 from the render cache, 1 renderer runs)");
    assert_eq!(again, cold);
    let (_, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(
        stats, "1 kustomizations (1 from the render cache, 0 renderer runs)",
        "rewritten whole"
    );

    let unused = cache.path().join("unused");
    let (off, stats) = check(repo.path(), &unused, &["--no-cache"]);
    assert_eq!(stats, "1 kustomizations (0 from the render cache, 1 renderer runs)");
    assert_eq!(off, cold);
    assert!(!unused.exists(), "--no-cache created the cache directory");
}

#[test]
fn a_failing_batch_is_split_by_the_member_at_fault_and_failures_are_kept() {
    if !common::renderer_or_skip("the render cache") {
        return;
    }
    let repo = tempfile::tempdir().expect("tempdir");
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n";
    for (name, extra) in [
        ("a", ""),
        // Fails only when rendered: no Deployment is called `web`.
        ("b", "replicas:\n  - name: web\n    count: 2\n"),
        ("c", ""),
        ("d", ""),
    ] {
        let dir = repo.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("cm.yaml"), config_map).expect("write");
        std::fs::write(
            dir.join("kustomization.yaml"),
            format!("resources:\n  - cm.yaml\n{extra}"),
        )
        .expect("write");
    }
    let cache = tempfile::tempdir().expect("tempdir");
    let (cold, stats) = check(repo.path(), cache.path(), &[]);
    // One batch of four fails naming `b`; `b` alone, then the other three together.
    assert_eq!(stats, "4 kustomizations (0 from the render cache, 3 renderer runs)");
    assert!(cold.contains("kustomize-build-failed"), "{cold}");
    let (warm, stats) = check(repo.path(), cache.path(), &[]);
    assert_eq!(stats, "4 kustomizations (4 from the render cache, 0 renderer runs)");
    assert_eq!(warm, cold);
}
