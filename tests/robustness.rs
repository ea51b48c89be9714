//! Hostile and broken input: every case gives a finding or a clear error with the right
//! exit code, never a panic or a hang.

mod common;

use common::{plimsoll_in, run};
use std::path::Path;

/// Lints one file written into a temporary directory, by its explicit name.
fn lint_bytes(name: &str, bytes: &[u8], extra: &[&str]) -> common::Run {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), bytes).expect("write");
    lint_in(dir.path(), name, extra)
}

fn lint_in(dir: &Path, name: &str, extra: &[&str]) -> common::Run {
    let mut args = vec!["check", "--no-config", "--color", "never", "--format", "json"];
    args.extend_from_slice(extra);
    args.push(name);
    let r = run(plimsoll_in(dir).args(&args));
    assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
    r
}

/// (rule, line, column, message) of each finding.
fn findings(r: &common::Run) -> Vec<(String, u64, u64, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["start"]["line"].as_u64().unwrap_or_default(),
                f["start"]["column"].as_u64().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27.3@sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa\n      securityContext:\n        privileged: true\n";

#[test]
fn binary_file() {
    let r = lint_bytes("blob.yaml", b"\x7fELF\x02\x01\x01\x00\x00\x00", &[]);
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].0, "invalid-manifest");
    assert!(f[0].3.contains("binary"), "{f:?}");
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let r = lint_bytes(
        "bad.yaml",
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: caf\xe9\n",
        &[],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r),
        [(
            "invalid-manifest".into(),
            4,
            9,
            "cannot read the file as text: invalid UTF-8".into()
        )]
    );
}

#[test]
fn utf8_bom_and_crlf_keep_positions() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(POD.replace('\n', "\r\n").as_bytes());
    let r = lint_bytes("pod.yaml", &bytes, &["--select", "pss-privileged"]);
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!((f[0].0.as_str(), f[0].1, f[0].2), ("pss-privileged", 10, 9));
    // The text output shows the line without a stray carriage return.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("pod.yaml"), &bytes).expect("write");
    let t = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--color",
        "never",
        "--select",
        "pss-privileged",
        "pod.yaml",
    ]));
    assert!(t.stdout.contains("10 |         privileged: true\n"), "{}", t.stdout);
}

#[test]
fn utf16_is_read() {
    let mut bytes = vec![0xFF, 0xFE];
    for u in POD.encode_utf16() {
        bytes.extend(u.to_le_bytes());
    }
    let r = lint_bytes("pod.yaml", &bytes, &["--select", "pss-privileged"]);
    assert_eq!(findings(&r)[0].1, 10);
}

#[test]
fn tab_indentation() {
    let r = lint_bytes("tabs.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata:\n\ta: b\n", &[]);
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!((f[0].0.as_str(), f[0].1), ("invalid-manifest", 4));
}

#[test]
fn unterminated_quote() {
    let r = lint_bytes(
        "q.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"oops\n",
        &[],
    );
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!((f[0].0.as_str(), f[0].1, f[0].2), ("invalid-manifest", 4, 9));
}

#[test]
fn deeply_nested_list() {
    let text = format!("{}{}", "[".repeat(20_000), "]".repeat(20_000));
    let r = lint_bytes("deep.yaml", text.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(findings(&r)[0].3.contains("too deep"), "{:?}", findings(&r));
    // Block nesting too.
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n");
    for i in 0..20_000 {
        text.push_str(&" ".repeat(i + 2));
        text.push_str("- \n");
    }
    let r = lint_bytes("deep-block.yaml", text.as_bytes(), &[]);
    assert_eq!(r.code, 1);
}

#[test]
fn alias_bomb() {
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n",
    );
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str(
        "spec:\n  containers:\n    - name: app\n      image: nginx:1.27.3\n      args: *a11\n      command: *a11\n",
    );
    let r = lint_bytes("bomb.yaml", text.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert!(f.iter().any(|f| f.0 == "invalid-manifest"), "{f:?}");
}

#[test]
fn bare_scalar_document() {
    let r = lint_bytes("scalar.yaml", b"hello\n", &[]);
    assert_eq!(r.code, 1);
    assert_eq!(
        findings(&r),
        [(
            "invalid-manifest".into(),
            1,
            1,
            "this document is a scalar, not a Kubernetes object".into()
        )]
    );
}

#[test]
fn empty_file_alone_is_an_error() {
    let r = lint_bytes("empty.yaml", b"", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no Kubernetes objects found in 1 file"),
        "{}",
        r.stderr
    );
    let r = lint_bytes("comments.yaml", b"# nothing here\n---\n", &[]);
    assert_eq!(r.code, 2);
}

#[test]
fn empty_file_among_others_is_fine() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("empty.yaml"), "").expect("write");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let r = lint_in(dir.path(), ".", &["--select", "pss-host-namespaces"]);
    assert_eq!(r.code, 0);
}

#[test]
fn directory_named_like_a_manifest() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("x.yaml")).expect("mkdir");
    let r = lint_in(dir.path(), "x.yaml", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no manifests found"), "{}", r.stderr);
    // Walking over it is fine too.
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let r = lint_in(dir.path(), ".", &["--select", "pss-privileged"]);
    assert_eq!(r.code, 1);
}

#[test]
fn unreadable_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    #[cfg(unix)]
    {
        // A dangling symlink cannot be read whatever the user's privileges.
        std::os::unix::fs::symlink(dir.path().join("gone.yaml"), dir.path().join("dangling.yaml")).expect("symlink");
        let r = lint_in(dir.path(), "dangling.yaml", &[]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("dangling.yaml"), "{}", r.stderr);
        // While walking, the other files are still linted; the run ends with 2.
        let r = lint_in(dir.path(), ".", &["--select", "pss-privileged"]);
        assert!(r.stderr.contains("dangling.yaml"), "{}", r.stderr);
        assert_eq!(findings(&r).len(), 1);
        assert_eq!(r.code, 2);
    }
}

#[test]
fn symlink_loop() {
    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("a")).expect("mkdir");
        std::fs::write(dir.path().join("a/pod.yaml"), POD).expect("write");
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/loop")).expect("symlink");
        let r = lint_in(dir.path(), ".", &["--select", "pss-privileged"]);
        assert_eq!(findings(&r).len(), 1);
        assert!(r.stderr.contains("loop"), "{}", r.stderr);
    }
}

#[test]
fn file_size_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".plimsoll.yaml"), "limits:\n  max_file_size: 100\n").expect("write");
    std::fs::write(dir.path().join("pod.yaml"), POD).expect("write");
    let r = run(plimsoll_in(dir.path()).args(["check", "--format", "json", "pod.yaml"]));
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert!(f[0].3.contains("larger than the limit of 100 bytes"), "{f:?}");
}

#[test]
fn json_manifests_and_lists() {
    let json = r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
   "spec": {"hostPID": true, "containers": [{"name": "c", "image": "nginx:1.27.3"}]}}
]}"#;
    let r = lint_bytes("list.json", json.as_bytes(), &["--select", "pss-host-namespaces"]);
    assert_eq!(r.code, 1);
    let f = findings(&r);
    assert_eq!((f[0].0.as_str(), f[0].1, f[0].2), ("pss-host-namespaces", 3, 13));
}
