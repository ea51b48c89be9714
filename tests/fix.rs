//! `check --fix` and `--diff` (`specs/autofix.md` §7): one fixture per fixable rule in
//! `testdata/fix/<rule>/`, whose `--diff` is snapshotted and must be accepted by
//! `git apply`; fixing converges (a second `--fix` changes nothing, in at most 4 passes,
//! every comment kept); and the command line's contract (exit codes, summaries, stdin,
//! masked values).

mod common;

use common::{plimsoll_in, root, run};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Copies a fixture directory into a fresh temporary directory.
fn copy(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_into(from, dir.path());
    dir
}

fn copy_into(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("fixture") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_into(&e.path(), &target);
        } else if e.file_name() != "args" {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// The fixtures: `testdata/fix/<name>/` (the edit-op table in `edit/` aside), with the
/// arguments that select what they test.
fn fixtures() -> Vec<(String, PathBuf, Vec<String>)> {
    let base = root().join("testdata/fix");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&base).expect("testdata/fix") {
        let e = e.expect("entry");
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "edit" || !e.path().is_dir() {
            continue;
        }
        if name == "kustomize" && !common::renderer_or_skip("the kustomize fix fixture") {
            continue;
        }
        let args = match std::fs::read_to_string(e.path().join("args")) {
            Ok(a) => a.split_whitespace().map(String::from).collect(),
            Err(_) => vec!["--select".to_string(), name.clone()],
        };
        out.push((name, e.path(), args));
    }
    out.sort();
    out
}

fn check(dir: &Path, args: &[String], extra: &[&str]) -> std::process::Output {
    plimsoll_in(dir)
        .args(["check", "--no-config", "--fail-on", "never", "--unsafe-fixes"])
        .args(args)
        .args(extra)
        .arg(".")
        .output()
        .expect("run plimsoll")
}

/// The manifests under `dir`: (path relative to `dir`, bytes).
fn texts(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walk(dir) {
        let relative = e.strip_prefix(dir).expect("under dir").to_path_buf();
        out.push((relative, std::fs::read(&e).expect("read")));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
            out.push(p);
        }
    }
    out
}

#[test]
fn every_fix_has_a_diff_that_git_applies() {
    for (name, path, args) in fixtures() {
        let dir = copy(&path);
        let out = check(dir.path(), &args, &["--diff"]);
        let code = out.status.code();
        let diff = String::from_utf8(out.stdout).expect("utf-8");
        assert_eq!(
            code,
            Some(1),
            "{name}: a non-empty diff exits 1\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!diff.is_empty(), "{name}: no diff");
        // `--diff` writes nothing.
        assert_eq!(texts(dir.path()), texts(&path), "{name}: --diff wrote files");
        let patch = dir.path().join("fix.patch");
        std::fs::write(&patch, &diff).expect("patch");
        let apply = Command::new("git")
            .args(["apply", "--check", "fix.patch"])
            .current_dir(dir.path())
            .output()
            .expect("git apply");
        assert!(
            apply.status.success(),
            "{name}: git apply rejects the diff:\n{}\n{diff}",
            String::from_utf8_lossy(&apply.stderr)
        );
        insta::assert_snapshot!(format!("diff_{name}"), diff.replace('\r', "␍"));
    }
}

#[test]
fn fixing_converges_and_keeps_comments() {
    for (name, path, args) in fixtures() {
        let dir = copy(&path);
        let before = texts(dir.path());
        let out = check(dir.path(), &args, &["--fix", "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let passes = doc["fix_summary"]["passes"].as_u64().expect("passes");
        assert!((1..=4).contains(&passes), "{name}: {passes} passes");
        assert_eq!(doc["fix_summary"]["converged"], true, "{name}");
        // No finding with an applicable fix remains.
        for f in doc["findings"].as_array().expect("findings") {
            let applicable = f["fix"]["applicability"]
                .as_str()
                .is_some_and(|a| a == "safe" || a == "unsafe");
            assert!(!applicable, "{name}: a fixable finding remains: {f}");
        }
        let after = texts(dir.path());
        assert_ne!(before, after, "{name}: nothing was fixed");
        for ((_, b), (p, a)) in before.iter().zip(&after) {
            let (b, a) = (String::from_utf8_lossy(b), String::from_utf8_lossy(a));
            let kept: Vec<&str> = a.lines().map(str::trim).collect();
            for line in b.lines().map(str::trim).filter(|l| l.starts_with('#')) {
                assert!(
                    kept.contains(&line),
                    "{name}: {} lost the comment {line:?}",
                    p.display()
                );
            }
            // Line endings are kept.
            assert_eq!(b.contains("\r\n"), a.contains("\r\n"), "{name}: line endings changed");
        }
        // No fix (nor fixes of one pass together) repeats a key.
        let select = ["--select".to_string(), "duplicate-key".to_string()];
        let dup = check(dir.path(), &select, &["--format", "json"]);
        let dup: serde_json::Value = serde_json::from_slice(&dup.stdout).expect("json");
        assert_eq!(dup["findings"], serde_json::json!([]), "{name}: a key is repeated");
        // A second --fix changes no byte.
        let again = check(dir.path(), &args, &["--fix"]);
        assert_eq!(again.status.code(), Some(0), "{name}");
        assert_eq!(texts(dir.path()), after, "{name}: a second --fix changed files");
    }
}

#[test]
fn safe_fixes_need_no_flag_and_unsafe_ones_are_counted() {
    let dir = copy(&root().join("testdata/fix/pss-capabilities-restricted"));
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--select", "pss", "."]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("[*]"), "{}", r.stdout);
    // The safe parts of the merged finding come first; the unsafe part waits for them.
    assert!(
        r.stdout.contains(
            "= fix (safe): drop ALL capabilities in container `tcpdump`; drop ALL capabilities in container `app`"
        ),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 fixable with `--fix`"), "{}", r.stdout);
    insta::assert_snapshot!("fixable_text", r.stdout);

    // A plain --fix applies the safe fixes only, and says what it did.
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--select", "pss", "--fix", "."]));
    assert_eq!(r.code, 1, "an unsafe finding remains: {}", r.stdout);
    assert!(
        r.stdout
            .contains("Applied 1 fix (1 safe, 0 unsafe) to 1 file in 1 pass."),
        "{}",
        r.stdout
    );
    insta::assert_snapshot!("fixed_text", r.stdout);
    assert!(
        r.stdout.contains("= fix (unsafe, --unsafe-fixes): remove NET_RAW"),
        "{}",
        r.stdout
    );
    let fixed = std::fs::read_to_string(dir.path().join("input.yaml")).expect("fixed");
    assert!(fixed.contains("- NET_RAW"), "the unsafe fix was applied:\n{fixed}");
}

#[test]
fn standard_input_gets_a_diff_and_never_a_fix() {
    let input = std::fs::read(root().join("testdata/fix/pss-privileged/input.yaml")).expect("fixture");
    let dir = tempfile::tempdir().expect("tempdir");
    let r = plimsoll_in(dir.path())
        .args(["check", "--no-config", "--select", "pss", "--diff", "--unsafe-fixes"])
        .args(["--stdin-filename", "deploy/agent.yaml", "-"])
        .write_stdin(input.clone())
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(1));
    let diff = String::from_utf8(r.stdout).expect("utf-8");
    assert!(
        diff.starts_with("--- a/deploy/agent.yaml\n+++ b/deploy/agent.yaml\n"),
        "{diff}"
    );
    assert!(
        diff.contains("-            privileged: true\n+            privileged: false\n"),
        "{diff}"
    );

    let r = plimsoll_in(dir.path())
        .args(["check", "--no-config", "--fix", "-"])
        .write_stdin(input)
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("`--fix` cannot write back to standard input; use `--diff`"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}

#[test]
fn secret_values_never_reach_the_diff() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = "hunter2-the-database-password";
    std::fs::write(
        dir.path().join("pod.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27.3\n    env:\n    - name: DB_PASSWORD\n      value: {secret}\n    securityContext:\n      runAsNonRoot: true\n"
        ),
    )
    .expect("write");
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--select", "pss,secret", "--diff", "."]));
    assert!(
        r.stdout.contains("+      allowPrivilegeEscalation: false"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains(secret), "the diff shows a secret:\n{}", r.stdout);
}

#[test]
fn nothing_to_fix_exits_on_findings_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
    )
    .expect("write");
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--diff", "."]));
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn sarif_fixes_apply_to_the_bytes_fix_writes() {
    let mut compared = 0;
    for (name, path, args) in fixtures() {
        let dir = copy(&path);
        let out = check(dir.path(), &args, &["--format", "sarif"]);
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("sarif");
        common::assert_valid_sarif(&sarif);
        let results: Vec<&serde_json::Value> = sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .filter(|r| r["fixes"].is_array())
            .collect();
        let [result] = results.as_slice() else { continue };
        // Apply the one result's replacements to the stored bytes, from the last.
        let change = &result["fixes"][0]["artifactChanges"][0];
        let file = dir
            .path()
            .join(change["artifactLocation"]["uri"].as_str().expect("uri"));
        let mut bytes = std::fs::read(&file).expect("file");
        let mut replacements: Vec<&serde_json::Value> = change["replacements"]
            .as_array()
            .expect("replacements")
            .iter()
            .collect();
        replacements.sort_by_key(|r| std::cmp::Reverse(r["deletedRegion"]["byteOffset"].as_u64()));
        for r in replacements {
            let at = r["deletedRegion"]["byteOffset"].as_u64().expect("offset") as usize;
            let len = r["deletedRegion"]["byteLength"].as_u64().expect("length") as usize;
            let text = r["insertedContent"]["text"].as_str().expect("text");
            bytes.splice(at..at + len, text.bytes());
        }
        let fixed = check(dir.path(), &args, &["--fix", "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&fixed.stdout).expect("json");
        if doc["fix_summary"]["passes"] != 1 {
            continue;
        }
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(&file).expect("fixed")),
            String::from_utf8_lossy(&bytes),
            "{name}: the SARIF fix and --fix disagree"
        );
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} fixtures compared");
}

#[test]
fn kustomize_fixes_land_in_the_base_and_a_patched_field_is_left_to_its_patch() {
    if !common::renderer_or_skip("kustomize fixes") {
        return;
    }
    let dir = copy(&root().join("testdata/fix/kustomize"));
    // The prod overlay turns privilege escalation on: the base cannot fix that.
    std::fs::write(
        dir.path().join("overlays/prod/replicas.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n  template:\n    spec:\n      containers:\n        - name: app\n          securityContext:\n            allowPrivilegeEscalation: true\n",
    )
    .expect("patch");
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--select",
        "pss-allow-privilege-escalation",
        "--format",
        "json",
        ".",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    let by_file = |f: &str| {
        findings
            .iter()
            .find(|x| x["file"].as_str().is_some_and(|p| p.ends_with(f)))
    };
    // dev renders the base as it is: the fix goes into the base.
    let base = by_file("base/deployment.yaml").expect("a finding in the base");
    assert_eq!(
        base["fix"]["edits"][0]["path"]
            .as_str()
            .map(|p| p.ends_with("base/deployment.yaml")),
        Some(true),
        "{base}"
    );
    // prod's value comes from its patch: not fixed in the base.
    let patch = by_file("overlays/prod/replicas.yaml").expect("a finding in the patch");
    assert!(patch["fix"].is_null(), "{patch}");
    assert!(
        patch["not_fixable"].as_str().is_some_and(|w| w.contains("patch")),
        "{patch}"
    );
    // Nothing outside the workspace, and the render is clean after fixing the base
    // except for what the patch sets.
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--select",
        "pss-allow-privilege-escalation",
        "--fix",
        ".",
    ]));
    assert!(r.stdout.contains("Applied 1 fix"), "{}", r.stdout);
    assert!(r.stdout.contains("Found 1 finding"), "{}", r.stdout);
}

#[test]
fn a_file_with_a_broken_document_is_never_edited() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pods.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27.3\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b\n",
    )
    .expect("write");
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--select",
        "pss",
        "--fix",
        "--format",
        "json",
        ".",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let reasons: Vec<&str> = doc["fix_summary"]["not_applied"]
        .as_array()
        .expect("not_applied")
        .iter()
        .filter_map(|n| n["reason"].as_str())
        .collect();
    assert!(
        !reasons.is_empty() && reasons.iter().all(|r| r.contains("does not parse")),
        "{reasons:?}"
    );
    assert_eq!(doc["fix_summary"]["passes"], 0);
}

#[test]
fn a_patch_says_on_stderr_what_it_leaves_out() {
    // The manifests are outside the workspace (the working directory, not a git work tree):
    // nothing is edited, the patch is empty, and stderr says why.
    let manifests = copy(&root().join("testdata/fix/pss-allow-privilege-escalation"));
    let elsewhere = tempfile::tempdir().expect("a working directory");
    let out = plimsoll_in(elsewhere.path())
        .args(["check", "--no-config", "--fail-on", "never", "--diff"])
        .arg(manifests.path())
        .output()
        .expect("run plimsoll");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("notice: not in the patch: ")
            && stderr.contains(": pss-allow-privilege-escalation: outside the workspace ("),
        "{stderr}"
    );
}
