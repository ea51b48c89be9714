//! Baselines (`--write-baseline`, `--baseline`) and `--changed-since`, on copies of the demo
//! application in temporary directories.

mod common;

use common::{git, plimsoll_in, root, run};
use std::path::Path;

/// A copy of `testdata/demo` in a temporary directory, as `demo/`.
fn demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&root().join("testdata/demo"), &dir.path().join("demo"));
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the directory");
    for entry in std::fs::read_dir(from).expect("read the directory") {
        let entry = entry.expect("a directory entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("the file type").is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy the file");
        }
    }
}

fn check(dir: &Path, args: &[&str]) -> common::Run {
    let mut all = vec!["check", "--no-config", "--color", "never"];
    all.extend_from_slice(args);
    run(plimsoll_in(dir).args(&all))
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read the file");
    std::fs::write(&path, f(text)).expect("write the file");
}

fn json(r: &common::Run) -> serde_json::Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr))
}

/// `(file, rule)` of each finding of a JSON report.
fn findings(r: &common::Run) -> Vec<(String, String)> {
    json(r)["findings"]
        .as_array()
        .expect("a list of findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().expect("a string").to_string(),
                f["rule"].as_str().expect("a string").to_string(),
            )
        })
        .collect()
}

fn write_baseline(dir: &Path) {
    let r = check(dir, &["--write-baseline", "baseline.json", "demo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("notice: wrote 45 findings to the baseline baseline.json"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_baseline_hides_known_findings_through_unrelated_edits_and_shows_new_ones() {
    let dir = demo();
    let dir = dir.path();
    write_baseline(dir);

    // Nothing changed: nothing to report.
    let r = check(dir, &["--baseline", "baseline.json", "demo"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "Baseline baseline.json: 45 known findings not shown.\nNo findings. Checked 10 files, 12 objects in [TIME]s.\n"
    );

    // Comments and a new, unrelated document above every object: every line moves.
    for file in [
        "demo/api/deployment.yaml",
        "demo/api/hpa.yaml",
        "demo/api/service.yaml",
        "demo/base/namespace.yaml",
        "demo/base/network-policies.yaml",
        "demo/base/secrets.yaml",
        "demo/frontend/deployment.yaml",
        "demo/frontend/service.yaml",
        "demo/redis/statefulset.yaml",
        "demo/worker/deployment.yaml",
    ] {
        edit(dir, file, |text| {
            let documents: Vec<String> = text
                .split("\n---\n")
                .map(|d| format!("# moved down by this comment\n\n# and this one\n{d}"))
                .collect();
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  mode: fast\n---\n{}",
                documents.join("\n---\n")
            )
        });
    }
    let r = check(dir, &["--baseline", "baseline.json", "--format", "json", "demo"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(findings(&r), []);
    assert_eq!(
        json(&r)["baseline"],
        serde_json::json!({"file": "baseline.json", "matched": 45, "stale": 0})
    );

    // One new violation: exactly one finding.
    edit(dir, "demo/frontend/deployment.yaml", |text| {
        text.replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n            privileged: true",
        )
    });
    let r = check(dir, &["--baseline", "baseline.json", "--format", "json", "demo"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        findings(&r),
        [(
            "demo/frontend/deployment.yaml".to_string(),
            "pss-privileged".to_string()
        )]
    );
}

#[test]
fn entries_that_match_nothing_are_counted_and_pruned() {
    let dir = demo();
    let dir = dir.path();
    write_baseline(dir);
    edit(dir, "demo/worker/deployment.yaml", |text| {
        text.replace("privileged: true", "privileged: false")
    });
    let r = check(dir, &["--baseline", "baseline.json", "demo"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "Baseline baseline.json: 44 known findings not shown; 1 entry of the baseline baseline.json no longer matches any finding: prune with `--baseline baseline.json --write-baseline baseline.json`.\nNo findings. Checked 10 files, 12 objects in [TIME]s.\n"
    );
    // Formats that cannot say it get a notice.
    let r = check(dir, &["--baseline", "baseline.json", "--format", "sarif", "demo"]);
    assert!(r.stderr.contains("notice: 1 entry of the baseline"), "{}", r.stderr);

    // Pruning keeps what still matches, adds nothing new, and reports the new findings.
    edit(dir, "demo/frontend/deployment.yaml", |text| {
        text.replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: true\n            privileged: true",
        )
    });
    let r = check(
        dir,
        &[
            "--baseline",
            "baseline.json",
            "--write-baseline",
            "baseline.json",
            "--format",
            "concise",
            "demo",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("wrote 44 findings"), "{}", r.stderr);
    assert!(r.stdout.contains("error[pss-privileged]"), "{}", r.stdout);
    let r = check(dir, &["--baseline", "baseline.json", "--format", "json", "demo"]);
    assert_eq!(json(&r)["baseline"]["stale"], 0);
    assert_eq!(json(&r)["findings"].as_array().expect("an array").len(), 1);
}

#[test]
fn the_baseline_file_is_deterministic_readable_and_holds_no_secret() {
    let dir = demo();
    let dir = dir.path();
    write_baseline(dir);
    let first = std::fs::read(dir.join("baseline.json")).expect("read the file");
    let r = check(dir, &["--write-baseline", "baseline.json", "--jobs", "1", "demo"]);
    assert_eq!(r.code, 0);
    assert_eq!(std::fs::read(dir.join("baseline.json")).expect("read the file"), first);

    let text = String::from_utf8(first).expect("UTF-8");
    // The demo's Secret holds `c3VwZXItc2VjcmV0LTIwMjQ=` (base64 of `super-secret-2024`).
    for secret in ["c3VwZXItc2VjcmV0LTIwMjQ", "super-secret", "c2hvcA=="] {
        assert!(!text.contains(secret), "the baseline holds `{secret}`:\n{text}");
    }
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "{",
            "  \"version\": 1,",
            "  \"tool\": \"plimsoll\",",
            "  \"findings\": ["
        ]
    );
    let secret = lines
        .iter()
        .find(|l| l.contains("secret-plaintext-in-manifest"))
        .expect("the Secret's finding");
    assert!(
        secret.starts_with(
            r#"    {"file":"demo/base/secrets.yaml","rule":"secret-plaintext-in-manifest","object":"Secret/shop/db-credentials","#
        ),
        "{secret}"
    );
    // One entry per line, sorted.
    let entries = &lines[4..lines.len() - 2];
    assert_eq!(entries.len(), 45);
    let mut sorted = entries.to_vec();
    sorted.sort_unstable();
    assert_eq!(entries, &sorted[..]);
}

#[test]
fn a_bad_baseline_is_a_configuration_error_naming_the_file() {
    let dir = demo();
    let dir = dir.path();
    let r = check(dir, &["--baseline", "missing.json", "demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: cannot read the baseline missing.json: "),
        "{}",
        r.stderr
    );

    std::fs::write(
        dir.join("corrupt.json"),
        "{\"version\": 1, \"tool\": \"plimsoll\", \"findings\": [{\"file\": 1}]}",
    )
    .expect("write the file");
    let r = check(dir, &["--baseline", "corrupt.json", "demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: corrupt.json: not a plimsoll baseline ("),
        "{}",
        r.stderr
    );

    std::fs::write(
        dir.join("future.json"),
        "{\"version\": 2, \"tool\": \"plimsoll\", \"findings\": []}",
    )
    .expect("write the file");
    let r = check(dir, &["--baseline", "future.json", "demo"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr, @"error: future.json: baseline version 2 is not supported (this plimsoll reads version 1); write it again with --write-baseline");
}

#[test]
fn nonsensical_combinations_are_refused() {
    let dir = demo();
    let dir = dir.path();
    let r = check(dir, &["--write-baseline", "b.json", "--changed-since", "HEAD", "demo"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr, @"error: `--write-baseline` records every finding; it cannot be combined with `--changed-since`");
    let r = check(dir, &["--write-baseline", "b.json", "--fix", "demo"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr, @"error: `--write-baseline` cannot be combined with `--fix` or `--diff`: fix first, then record what remains");
    assert!(!dir.join("b.json").exists());
}

/// The demo, committed in a new git repository.
fn committed_demo() -> Option<tempfile::TempDir> {
    if std::process::Command::new("git").arg("--version").output().is_err() {
        common::skip("--changed-since tests", "git is not on PATH");
        return None;
    }
    let dir = demo();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "demo"]);
    Some(dir)
}

#[test]
fn changed_since_reports_the_changed_files_and_cross_object_findings() {
    let Some(dir) = committed_demo() else {
        return;
    };
    let dir = dir.path();
    let all = findings(&check(dir, &["--format", "json", "demo"]));

    // A new file that is not a manifest: no finding concerns it.
    std::fs::write(dir.join("NOTES.txt"), "deploy on Tuesdays\n").expect("write the file");
    let r = check(dir, &["--changed-since", "HEAD", "demo"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "Changed since HEAD: 1 file; 45 findings about unchanged files not shown.\nNo findings. Checked 10 files, 12 objects in [TIME]s.\n"
    );

    // An edited manifest (unstaged): every finding in it, and no finding of an unchanged
    // file (the revision has the same cross-object findings).
    edit(dir, "demo/redis/statefulset.yaml", |text| text + "# tuned\n");
    let r = check(dir, &["--changed-since", "HEAD", "--format", "json", "demo"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let shown = findings(&r);
    let in_redis: Vec<_> = all.iter().filter(|(f, _)| f == "demo/redis/statefulset.yaml").collect();
    assert!(in_redis.len() > 5);
    assert_eq!(shown.iter().collect::<Vec<_>>(), in_redis);
    assert_eq!(
        json(&r)["changed_since"],
        serde_json::json!({"ref": "HEAD", "files": 2, "hidden": all.len() - in_redis.len()})
    );

    // A new NetworkPolicy that lets the API reach its database but not DNS: the finding it
    // causes on the unchanged API Deployment is shown, as a cross-object finding the
    // revision does not have.
    std::fs::write(
        dir.join("demo/base/api-egress.yaml"),
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api-to-db\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - port: 5432\n          protocol: TCP\n",
    )
    .expect("write the policy");
    let r = check(dir, &["--changed-since", "HEAD", "--format", "json", "demo"]);
    let elsewhere: Vec<(String, String)> = findings(&r)
        .into_iter()
        .filter(|(f, _)| f != "demo/redis/statefulset.yaml" && f != "demo/base/api-egress.yaml")
        .collect();
    assert!(
        elsewhere.contains(&(
            "demo/api/deployment.yaml".to_string(),
            "netpol-egress-deny-without-dns".to_string()
        )),
        "{elsewhere:?}"
    );
    for (file, rule) in &elsewhere {
        assert!(
            !all.contains(&(file.clone(), rule.clone())) || rule == "netpol-egress-deny-without-dns",
            "a finding the revision has is shown: {file} {rule}"
        );
    }
    std::fs::remove_file(dir.join("demo/base/api-egress.yaml")).expect("remove the policy");

    // Staged and committed changes count too; run from a subdirectory.
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "tune"]);
    let r = run(plimsoll_in(&dir.join("demo")).args([
        "check",
        "--no-config",
        "--changed-since",
        "HEAD~1",
        "--format",
        "concise",
        "redis",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("redis/statefulset.yaml:17:7: error[pss-host-namespaces]"),
        "{}",
        r.stdout
    );
}

#[test]
fn changed_since_a_bad_revision_or_outside_git_is_an_error() {
    let Some(dir) = committed_demo() else {
        return;
    };
    let r = check(dir.path(), &["--changed-since", "no-such-branch", "demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("error: --changed-since: unknown revision `no-such-branch` in the git repository "),
        "{}",
        r.stderr
    );
    let r = check(dir.path(), &["--changed-since=--output=x", "demo"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not a git revision"), "{}", r.stderr);

    let outside = demo();
    let r = check(outside.path(), &["--changed-since", "HEAD", "demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: --changed-since: git rev-parse: "),
        "{}",
        r.stderr
    );
}

#[test]
fn changed_since_compares_with_the_revision_s_renders() {
    if !common::renderer_or_skip("changed_since_compares_with_the_revision_s_renders") {
        return;
    }
    if std::process::Command::new("git").arg("--version").output().is_err() {
        common::skip("--changed-since on a kustomization", "git is not on PATH");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&root().join("testdata/kustomize"), &dir.path().join("k"));
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "kustomize"]);
    let all = findings(&check(dir.path(), &["--format", "json", "k"]));
    assert!(
        all.iter().any(|(f, _)| f == "k/overlays/prod/namespace.yaml"),
        "{all:?}"
    );

    // One replica instead of three, in the base: the base's findings are shown (the
    // PodDisruptionBudget finding is gone), nothing the revision's render already had.
    edit(dir.path(), "k/base/deployment.yaml", |t| {
        t.replace("replicas: 3", "replicas: 1")
    });
    let r = check(dir.path(), &["--changed-since", "HEAD", "--format", "json", "k"]);
    let shown = findings(&r);
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|(f, _)| f == "k/base/deployment.yaml"), "{shown:?}");
    assert!(
        !shown.iter().any(|(_, rule)| rule == "workload-pdb-missing"),
        "{shown:?}"
    );
    // From the overlay's directory too: its renders read the base above it.
    let r = check(
        &dir.path().join("k/overlays/prod"),
        &["--changed-since", "HEAD", "--format", "json", "."],
    );
    let shown = findings(&r);
    assert!(!shown.is_empty());
    assert!(
        shown.iter().all(|(f, _)| f.ends_with("/k/base/deployment.yaml")),
        "{shown:?}"
    );
}
