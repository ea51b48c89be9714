//! The repository is untrusted (docs/security.md): each test below is an attack a fork could
//! make, run against the real binary, and named after what it defends. No environment
//! variable, no host file and no secret value (raw or base64) may appear in any output
//! format; no request may reach a loopback server; special and oversized inputs end quickly
//! with bounded memory and a clear message.

mod common;

use common::{plimsoll_in, run};
use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const FORMATS: &[&str] = &["text", "concise", "json", "sarif", "github", "junit", "markdown"];

/// A repository in a temporary directory (with a `.git`, so that it is the root renders
/// are confined to), from `(path, content)` pairs.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    dir
}

/// Every output format (and stderr) of `plimsoll check ARGS` in `dir`, concatenated.
fn all_outputs(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut all = String::new();
    for format in FORMATS {
        let mut cmd = plimsoll_in(dir);
        cmd.args(["check", "--no-config", "--color", "never", "--format", format]);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let r = run(&mut cmd);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        all.push_str(&r.stdout);
        all.push_str(&r.stderr);
    }
    all
}

fn needs_renderer() -> bool {
    common::renderer_or_skip("rendering")
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:1.27\n";

#[test]
fn kustomize_cannot_copy_the_runner_environment_into_a_message() {
    if !needs_renderer() {
        return;
    }
    let canary = "plimsoll-canary-7f3a9c1e";
    let dir = repo(&[
        ("app/pod.yaml", POD),
        (
            "app/kustomization.yaml",
            "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: env\n    envs: [/proc/self/environ]\nreplacements:\n  - source: {kind: ConfigMap, name: env, fieldPath: data.PLIMSOLL_CANARY}\n    targets:\n      - select: {kind: Pod}\n        fieldPaths: [spec.containers.0.image]\n",
        ),
    ]);
    let out = all_outputs(dir.path(), &["app"], &[("PLIMSOLL_CANARY", canary)]);
    assert!(!out.contains(canary), "the environment leaked:\n{out}");
    assert!(out.contains("`/proc/self/environ` is outside the repository"), "{out}");
}

#[test]
fn kustomize_cannot_read_files_outside_the_repository() {
    if !needs_renderer() {
        return;
    }
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = "outside-secret-d41d8cd9";
    std::fs::write(outside.path().join("secret.env"), format!("TOKEN={secret}\n")).expect("write");
    std::fs::write(
        outside.path().join("outside.yaml"),
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {secret}\n"),
    )
    .expect("write");
    let env = outside.path().join("secret.env");
    let up = "../../../../../../../../../..";
    let cases = [
        format!("configMapGenerator:\n  - name: a\n    files: [{}]\n", env.display()),
        "configMapGenerator:\n  - name: a\n    files: [/etc/passwd]\n".to_string(),
        format!("resources: [{up}{}]\n", outside.path().join("outside.yaml").display()),
        // A symbolic link inside the repository to a file outside it.
        "configMapGenerator:\n  - name: a\n    envs: [link.env]\n".to_string(),
        format!("resources: [pod.yaml]\npatches:\n  - path: {up}/etc/passwd\n"),
    ];
    for kustomization in &cases {
        let dir = repo(&[("app/pod.yaml", POD), ("app/kustomization.yaml", kustomization)]);
        std::os::unix::fs::symlink(&env, dir.path().join("app/link.env")).expect("symlink");
        let out = all_outputs(dir.path(), &["app"], &[]);
        assert!(
            !out.contains(secret),
            "{kustomization} read outside the repository:\n{out}"
        );
        assert!(!out.contains("root:x:0:0"), "{kustomization} read /etc/passwd:\n{out}");
        assert!(out.contains("outside the repository"), "{kustomization}\n{out}");
    }
}

/// A loopback HTTP server that counts the connections it accepts.
fn loopback() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let _ = stream.read(&mut buf);
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 200 OK\r\nContent-Length: 52\r\n\r\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
            );
        }
    });
    (port, hits)
}

#[test]
fn kustomize_fetches_no_url_not_even_on_loopback() {
    if !needs_renderer() {
        return;
    }
    let (port, hits) = loopback();
    let url = |path: &str| format!("http://127.0.0.1:{port}/{path}");
    let fields = [
        format!("resources: [{}]\n", url("r.yaml")),
        format!("resources: [pod.yaml]\ncomponents: [{}]\n", url("c")),
        format!("resources: [pod.yaml]\npatches:\n  - path: {}\n", url("p.yaml")),
        format!(
            "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: a\n    files: [{}]\n",
            url("f")
        ),
        format!(
            "resources: [pod.yaml]\nconfigMapGenerator:\n  - name: a\n    envs: [{}]\n",
            url("e")
        ),
        format!("resources: [pod.yaml]\nopenapi:\n  path: {}\n", url("o.json")),
        format!("resources: [pod.yaml]\ncrds: [{}]\n", url("crd.yaml")),
        format!("resources: [pod.yaml]\ntransformers: [{}]\n", url("t.yaml")),
        format!("resources: [pod.yaml]\ngenerators: [{}]\n", url("g.yaml")),
        format!(
            "resources: [pod.yaml]\nhelmCharts:\n  - name: x\n    repo: {}\n",
            url("charts")
        ),
        format!("resources: [127.0.0.1:{port}/org/repo.git]\n"),
        format!("resources: [git::{}]\n", url("repo")),
        format!("resources: [ssh://git@127.0.0.1:{port}/org/repo]\n"),
        format!("resources: [127.0.0.1:{port}/org/repo.git//deploy?ref=main]\n"),
        format!(
            "resources: [pod.yaml]\ntransformers:\n  - |\n    apiVersion: builtin\n    kind: PatchTransformer\n    metadata: {{name: p}}\n    path: {}\n",
            url("inline.yaml")
        ),
    ];
    for k in &fields {
        let dir = repo(&[("app/pod.yaml", POD), ("app/kustomization.yaml", k)]);
        let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--format", "json", "app"]));
        assert!(
            r.stdout.contains("kustomize-build-failed"),
            "{k}\n{}{}",
            r.stdout,
            r.stderr
        );
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(hits.load(Ordering::SeqCst), 0, "a render reached the loopback server");
}

#[test]
fn the_renderers_message_shows_no_generator_literal() {
    if !needs_renderer() {
        return;
    }
    let dir = repo(&[(
        "app/kustomization.yaml",
        "secretGenerator:\n  - name: s\n    literals: [\"=hunter2-zx81\", \"password=Sup3r-S3cret-77\"]\n",
    )]);
    let out = all_outputs(dir.path(), &["app"], &[]);
    assert!(out.contains("kustomize-build-failed"), "{out}");
    for secret in ["hunter2-zx81", "Sup3r-S3cret-77"] {
        assert!(!out.contains(secret), "{secret} printed:\n{out}");
    }
}

#[test]
fn kustomize_cycles_are_reported_not_skipped() {
    if !needs_renderer() {
        return;
    }
    let dir = repo(&[
        ("self/kustomization.yaml", "resources: [., pod.yaml]\n"),
        ("self/pod.yaml", POD),
        ("a/kustomization.yaml", "resources: [../b]\n"),
        ("b/kustomization.yaml", "resources: [../a]\n"),
    ]);
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--format", "json", "."]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let cycles: Vec<String> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "kustomize-build-failed")
        .map(|f| format!("{}: {}", f["file"], f["message"]))
        .collect();
    assert_eq!(cycles.len(), 2, "{cycles:#?}");
    assert!(cycles.iter().any(|c| c.contains("self → self")), "{cycles:#?}");
    assert!(cycles.iter().any(|c| c.contains("a → b → a")), "{cycles:#?}");
}

/// A Pod whose snippet shows a Secret's value and a credential argument, with findings of
/// other families on the same lines.
const SECRETS: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Tr0ub4dor-and-3 # plimsoll: ignore[secret-plaintext-in-manifest] test data\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api\n  annotations:\n    ignore.plimsoll.dev/secret-env-literal: test data\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n      args: [\"--db-password=Corr3ct-Horse-9\", \"--token\", \"ghp_R4nd0mT0kenV4lue1234567890abcdEF\"]\n      securityContext: {privileged: true}\n";

#[test]
fn snippets_hide_secrets_whatever_rules_run_or_are_suppressed() {
    let dir = repo(&[("secrets.yaml", SECRETS)]);
    for selection in [
        vec![],
        vec!["--ignore", "secret"],
        vec!["--select", "pss,image"],
        vec!["--select", "all"],
    ] {
        let mut args = selection.clone();
        args.push("secrets.yaml");
        let out = all_outputs(dir.path(), &args, &[]);
        for value in [
            "Tr0ub4dor-and-3",
            "Corr3ct-Horse-9",
            "ghp_R4nd0mT0kenV4lue1234567890abcdEF",
            "R4nd0mT0kenV4lue",
        ] {
            assert!(!out.contains(value), "{selection:?} printed {value}:\n{out}");
        }
    }
}

#[test]
fn credentials_on_a_command_line_are_reported() {
    let dir = repo(&[(
        "pod.yaml",
        &SECRETS.replace("ignore.plimsoll.dev/secret-env-literal", "note"),
    )]);
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--format",
        "json",
        "--select",
        "secret-env-literal",
        "pod.yaml",
    ]));
    for flag in ["--db-password", "--token"] {
        assert!(
            r.stdout
                .contains(&format!("passes a credential on its command line (`{flag}`")),
            "{flag}: {}",
            r.stdout
        );
    }
}

#[test]
fn special_files_are_refused_not_read() {
    let dir = repo(&[("ok.yaml", POD)]);
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.yaml")).expect("symlink");
    std::os::unix::fs::symlink("/dev/urandom", dir.path().join("random.yaml")).expect("symlink");
    let fifo = dir.path().join("fifo.yaml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    assert!(made, "mkfifo");
    for args in [vec!["zero.yaml", "random.yaml", "fifo.yaml", "ok.yaml"], vec!["."]] {
        let started = Instant::now();
        let mut full = vec!["check", "--no-config", "--format", "json"];
        full.extend(&args);
        let r = run(plimsoll_in(dir.path()).args(&full).timeout(Duration::from_secs(10)));
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        for name in ["zero.yaml", "random.yaml", "fifo.yaml"] {
            assert!(
                r.stderr
                    .contains(&format!("warning: skipped {name}: not a regular file")),
                "{args:?}: {}",
                r.stderr
            );
        }
    }
}

/// Peak memory (kB) and elapsed time of a command under GNU time, when it is installed.
fn measured(cmd: std::process::Command, stdin: Option<std::fs::File>) -> Option<(u64, Duration, i32)> {
    if !Path::new("/usr/bin/time").exists() {
        common::skip("measuring memory", "/usr/bin/time is absent");
        return None;
    }
    let mut timed = std::process::Command::new("/usr/bin/time");
    timed
        .arg("-f")
        .arg("maxrss=%M")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    if let Some(f) = stdin {
        timed.stdin(f);
    }
    let started = Instant::now();
    let out = timed.output().expect("run");
    let elapsed = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(u64::MAX);
    Some((kb, elapsed, out.status.code().unwrap_or(-1)))
}

fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("plimsoll")
}

#[test]
fn oversized_stdin_and_files_end_quickly_in_little_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 200 MB on stdin.
    let big = dir.path().join("big.stream");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(200_000_000).expect("sparse");
    let mut cmd = std::process::Command::new(binary());
    cmd.args(["check", "--no-config", "-"]).current_dir(dir.path());
    if let Some((kb, elapsed, code)) = measured(cmd, Some(std::fs::File::open(&big).expect("open"))) {
        assert_eq!(code, 1, "stdin over the limit is a finding");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        assert!(kb < 300_000, "{kb} kB");
    }
    // A 1 GB one-line file, rendered in every format.
    let huge = dir.path().join("huge.yaml");
    std::fs::File::create(&huge)
        .expect("create")
        .set_len(1 << 30)
        .expect("sparse");
    for format in FORMATS {
        let mut cmd = std::process::Command::new(binary());
        cmd.args(["check", "--no-config", "--format", format, "huge.yaml"])
            .current_dir(dir.path());
        if let Some((kb, elapsed, code)) = measured(cmd, None) {
            assert_eq!(code, 1, "{format}");
            assert!(elapsed < Duration::from_secs(5), "{format}: {elapsed:?}");
            assert!(kb < 300_000, "{format}: {kb} kB");
        }
    }
}

#[test]
fn a_render_larger_than_the_limit_is_stopped() {
    if !needs_renderer() {
        return;
    }
    let big = "x".repeat(200_000);
    let dir = repo(&[
        ("app/data.txt", &big),
        (
            "app/kustomization.yaml",
            "configMapGenerator:\n  - name: big\n    files: [data.txt, copy1=data.txt, copy2=data.txt]\n",
        ),
    ]);
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--max-file-size",
        "300K",
        "--format",
        "json",
        "app",
    ]));
    assert!(
        r.stdout.contains("printed more than 307200 bytes"),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn a_repository_config_cannot_raise_the_limits() {
    let dir = repo(&[
        (".plimsoll.yaml", "limits:\n  max_file_size: 10000000000\n"),
        ("pod.yaml", POD),
    ]);
    let r = run(plimsoll_in(dir.path()).args(["check", "pod.yaml"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("limits.max_file_size"), "{}", r.stderr);
    assert!(r.stderr.contains("--max-file-size"), "{}", r.stderr);
    // Lowering is fine, and a flag may go beyond the cap.
    std::fs::write(dir.path().join(".plimsoll.yaml"), "limits:\n  max_file_size: 1000000\n").expect("write");
    assert_ne!(run(plimsoll_in(dir.path()).args(["check", "pod.yaml"])).code, 2);
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--max-file-size", "1GiB", "pod.yaml"]));
    assert_ne!(r.code, 2, "{}", r.stderr);
}

#[test]
fn no_path_or_message_can_start_a_workflow_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil = "x\n::error title=pwned::owned\n.yaml";
    std::fs::write(dir.path().join(evil), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"a\\n::warning::b\"\nspec:\n  containers:\n    - {name: \"c\\n::error::d\", image: \"nginx\\n::error::e\"}\n")
        .expect("write");
    std::fs::create_dir(dir.path().join("chart\n::error::chart")).expect("mkdir");
    std::fs::write(dir.path().join("chart\n::error::chart/Chart.yaml"), "name: c\n").expect("write");
    for format in FORMATS {
        let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--format", format, "."]));
        let commands = r.stdout.lines().filter(|l| l.starts_with("::")).count();
        let expected = if *format == "github" {
            r.stdout.lines().count()
        } else {
            0
        };
        assert_eq!(commands, expected, "{format}:\n{}", r.stdout);
        assert!(!r.stderr.lines().any(|l| l.starts_with("::")), "{}", r.stderr);
        if *format == "github" {
            assert!(!r.stdout.contains("pwned::owned"), "{}", r.stdout);
        }
    }
}

#[test]
fn junit_stays_well_formed_whatever_names_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"web\\uFFFE\\uFFFF\\u0001\"\nspec:\n  containers:\n    - {name: app, image: nginx}\n",
    )
    .expect("write");
    let r = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--format", "junit", "pod.yaml"]));
    let mut reader = quick_xml::Reader::from_str(&r.stdout);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{}", r.stdout),
        }
    }
    for bad in ['\u{fffe}', '\u{ffff}', '\u{1}'] {
        assert!(!r.stdout.contains(bad), "{:?} in the report", bad);
    }
}

/// Where findings start: `(line, column)` each.
type Positions = Vec<(u64, u64)>;

/// The positions of the findings in the concise output (`file:line:col: …`) and in JSON.
fn positions(dir: &Path, file: &str) -> (Positions, Positions) {
    let text = run(plimsoll_in(dir).args([
        "check",
        "--no-config",
        "--format",
        "concise",
        "-q",
        "--select",
        "all",
        file,
    ]));
    let json = run(plimsoll_in(dir).args(["check", "--no-config", "--format", "json", "--select", "all", file]));
    let mut t: Positions = text
        .stdout
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(at, _)| at))
        .filter_map(|l| {
            let mut parts = l.rsplitn(3, ':');
            let col = parts.next()?.parse().ok()?;
            let line = parts.next()?.parse().ok()?;
            Some((line, col))
        })
        .collect();
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let mut j: Positions = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["start"]["line"].as_u64().unwrap_or_default(),
                f["start"]["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    t.sort_unstable();
    j.sort_unstable();
    (t, j)
}

#[test]
fn every_format_agrees_on_positions() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx\n      securityContext:\n        privileged: true\n";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("lf.yaml", pod.as_bytes().to_vec()),
        ("crlf.yaml", pod.replace('\n', "\r\n").into_bytes()),
        ("cr.yaml", pod.replace('\n', "\r").into_bytes()),
        ("utf8.yaml", pod.replace("web", "wéb-ü").into_bytes()),
        (
            "decode.yaml",
            b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: caf\xe9\n".to_vec(),
        ),
        (
            "nul.yaml",
            b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: \x00\n".to_vec(),
        ),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, bytes) in cases {
        std::fs::write(dir.path().join(name), &bytes).expect("write");
        let (text, json) = positions(dir.path(), name);
        assert!(!json.is_empty(), "{name}");
        assert_eq!(text, json, "{name}");
        assert!(json.iter().all(|(l, c)| *l >= 1 && *c >= 1), "{name}: {json:?}");
    }
}

#[test]
fn unreadable_stdin_is_a_finding_like_a_file() {
    for bytes in [&b"apiVersion: v1\x00\n"[..], &b"a: caf\xe9\n"[..]] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("in.yaml"), bytes).expect("write");
        let file = run(plimsoll_in(dir.path()).args(["check", "--no-config", "--format", "json", "in.yaml"]));
        let stdin = run(plimsoll_in(dir.path())
            .args([
                "check",
                "--no-config",
                "--format",
                "json",
                "--stdin-filename",
                "in.yaml",
                "-",
            ])
            .write_stdin(bytes));
        assert_eq!(file.code, 1);
        assert_eq!(stdin.code, file.code, "{}", stdin.stderr);
        assert_eq!(stdin.stdout, file.stdout);
    }
}
