//! `plimsoll posture`: the numbers against counts made by hand, the comparison of two
//! states, every format as its consumer reads it (the HTML page validated by the Nu HTML
//! checker and rendered by headless Chromium), and text from the repository kept inert.

mod common;

use common::{plimsoll_in, root, run, shared_or_skip, skip};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `plimsoll posture -f json` in `dir` on `path`, parsed.
fn posture(dir: &Path, path: &str) -> Value {
    let r = run(plimsoll_in(dir).args(["posture", "--format", "json", path]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    serde_json::from_str(&r.stdout).expect("posture JSON")
}

fn namespace<'a>(p: &'a Value, name: &str) -> &'a Value {
    p["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .find(|n| n["name"] == name)
        .unwrap_or_else(|| panic!("no namespace {name} in {p:#}"))
}

/// Per control: (status, the control's figures as `key=value`).
fn figures(n: &Value, control: &str, keys: &[&str]) -> (String, String) {
    let c = &n[control];
    let shown: Vec<String> = keys.iter().map(|k| format!("{k}={}", c[*k])).collect();
    (c["status"].as_str().expect("status").to_string(), shown.join(" "))
}

/// Every figure of a namespace, one line per control, for comparison with a hand count.
fn card(p: &Value, name: &str) -> Vec<(String, String)> {
    let n = namespace(p, name);
    vec![
        figures(n, "pod_security", &["enforce", "templates", "passing"]),
        figures(
            n,
            "network",
            &[
                "default_deny_ingress",
                "default_deny_egress",
                "dns_allowed",
                "workloads",
                "isolated_ingress",
                "isolated_egress",
            ],
        ),
        figures(n, "supply_chain", &["images", "pinned", "verified"]),
        figures(
            n,
            "secrets",
            &["plaintext_secrets", "literal_credentials", "managed", "material"],
        ),
        figures(n, "scaling", &["hpas", "hpas_working", "canaries", "canaries_gating"]),
        figures(n, "rbac", &["admin_bindings", "wildcard_bindings"]),
    ]
}

fn expect(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter().map(|(s, f)| (s.to_string(), f.to_string())).collect()
}

/// The fixture's three namespaces, counted by hand from `testdata/posture` (its README says
/// what each namespace holds).
#[test]
fn fixture_matches_the_hand_count() {
    let p = posture(&root(), "testdata/posture");
    assert_eq!(p["version"], 1);
    assert_eq!(p["pss"]["level"], "restricted");

    // payments: enforces restricted and its one template complies; default-deny both ways
    // with DNS allowed to kube-dns; one image, pinned and matched by the enforcing
    // `ghcr.io/example/*` policy; one SealedSecret; the HPA has its target, requests and a
    // behaviour, and the Canary analyses two metrics with thresholds; a RoleBinding to
    // `view` only.
    assert_eq!(
        card(&p, "payments"),
        expect(&[
            ("under", r#"enforce="restricted" templates=1 passing=1"#),
            (
                "under",
                "default_deny_ingress=true default_deny_egress=true dns_allowed=true workloads=1 isolated_ingress=1 isolated_egress=1"
            ),
            ("under", "images=1 pinned=1 verified=1"),
            (
                "under",
                "plaintext_secrets=0 literal_credentials=0 managed=1 material=1"
            ),
            ("under", "hpas=1 hpas_working=1 canaries=1 canaries_gating=1"),
            ("under", "admin_bindings=0 wildcard_bindings=0"),
        ])
    );
    // orders: enforces only baseline, and its template sets none of the restricted fields;
    // only ingress is denied by default; `ghcr.io/example/web@sha256:…` is pinned and
    // verified, `nginx:1.27.2` neither; one ExternalSecret; the HPA names `web-v1`, which
    // does not exist, and the Canary skips its analysis; `edit` grants no wildcard.
    assert_eq!(
        card(&p, "orders"),
        expect(&[
            ("not", r#"enforce="baseline" templates=1 passing=0"#),
            (
                "not",
                "default_deny_ingress=true default_deny_egress=false dns_allowed=false workloads=1 isolated_ingress=1 isolated_egress=0"
            ),
            ("not", "images=2 pinned=1 verified=1"),
            (
                "under",
                "plaintext_secrets=0 literal_credentials=0 managed=1 material=1"
            ),
            ("not", "hpas=1 hpas_working=0 canaries=1 canaries_gating=0"),
            ("under", "admin_bindings=0 wildcard_bindings=0"),
        ])
    );
    // legacy: no label, no policy, `busybox:latest`, a password literal in `env`, a
    // ClusterRoleBinding of cluster-admin to its ServiceAccount and a RoleBinding to a Role
    // with `*` verbs and resources; nothing to scale.
    assert_eq!(
        card(&p, "legacy"),
        expect(&[
            ("not", "enforce=null templates=1 passing=0"),
            (
                "not",
                "default_deny_ingress=false default_deny_egress=false dns_allowed=false workloads=1 isolated_ingress=0 isolated_egress=0"
            ),
            ("not", "images=1 pinned=0 verified=0"),
            ("not", "plaintext_secrets=0 literal_credentials=1 managed=0 material=0"),
            ("not-applicable", "hpas=0 hpas_working=0 canaries=0 canaries_gating=0"),
            ("not", "admin_bindings=1 wildcard_bindings=1"),
        ])
    );
    // The headline: namespaces under each control of those it applies to, and under all.
    let s = &p["summary"];
    let tally = |c: &str| {
        (
            s["controls"][c]["under"].clone(),
            s["controls"][c]["applicable"].clone(),
        )
    };
    assert_eq!(s["namespaces"], 3);
    assert_eq!(tally("pod-security"), (1.into(), 3.into()));
    assert_eq!(tally("network"), (1.into(), 3.into()));
    assert_eq!(tally("supply-chain"), (1.into(), 3.into()));
    assert_eq!(tally("secrets"), (2.into(), 3.into()));
    assert_eq!(tally("scaling"), (1.into(), 2.into()));
    assert_eq!(tally("rbac"), (2.into(), 3.into()));
    assert_eq!(s["under_all"], 1);
    // What keeps them out names the objects.
    let responsible = |ns: &str, c: &str| -> Vec<String> {
        namespace(&p, ns)[c]["responsible"]
            .as_array()
            .expect("responsible")
            .iter()
            .map(|r| r["object"].as_str().expect("object").to_string())
            .collect()
    };
    assert_eq!(
        responsible("orders", "scaling"),
        ["Canary/orders/web", "HorizontalPodAutoscaler/orders/web"]
    );
    assert_eq!(
        responsible("legacy", "rbac"),
        [
            "ClusterRoleBinding/old-app-admin",
            "Deployment/legacy/old-app",
            "Role/legacy/everything"
        ]
    );
}

/// `corpora/bench/microservices-demo`, counted by hand. Every object lands in `default`
/// (no manifest names a namespace, and none is declared). The set holds:
/// - the render of `kustomize/` (its `base`: 12 Deployments, 12 images, one pinned: the
///   loadgenerator's busybox init container) and of the three `kustomize/tests/*`
///   kustomizations (the base plus components: 12, 13 and 12 Deployments; 14, 15 and 14
///   images; 3 pinned each), and `components/shopping-assistant` linted as a plain file (1
///   Deployment, 1 image): 50 templates, 57 images, 10 pinned;
/// - the render of `kubernetes-manifests/` (its kustomization leaves out the loadgenerator:
///   11 Deployments, 11 images, none pinned);
/// - `release/kubernetes-manifests.yaml` (12 Deployments, 13 images, 1 pinned).
///
/// In all 73 templates and 81 images, 11 pinned. No manifest sets a seccomp profile, so no
/// template passes `restricted`. The `network-policies` component's `deny-all` selects every
/// pod for both directions (73 of 73 isolated each way), but allows no DNS, and other
/// policies of the component allow all sources (warnings). No Secret, no credential, no
/// autoscaler, no binding; no signature policy, so verification is not counted.
#[test]
fn microservices_demo_matches_the_hand_count() {
    let Some(shared) = shared_or_skip("the microservices-demo posture") else {
        return;
    };
    if !common::renderer_or_skip("the microservices-demo posture") {
        return;
    }
    let p = posture(&shared.join("corpora/bench"), "microservices-demo");
    assert_eq!(p["summary"]["namespaces"], 1);
    assert_eq!(
        card(&p, "default"),
        expect(&[
            ("not", "enforce=null templates=73 passing=0"),
            (
                "not",
                "default_deny_ingress=true default_deny_egress=true dns_allowed=false workloads=73 isolated_ingress=73 isolated_egress=73"
            ),
            ("not", "images=81 pinned=11 verified=null"),
            (
                "under",
                "plaintext_secrets=0 literal_credentials=0 managed=0 material=0"
            ),
            ("not-applicable", "hpas=0 hpas_working=0 canaries=0 canaries_gating=0"),
            ("under", "admin_bindings=0 wildcard_bindings=0"),
        ])
    );
    assert_eq!(
        namespace(&p, "default")["pod_security"]["gaps"][0],
        "no Namespace object in the set: its Pod Security labels are unknown"
    );
    assert_eq!(p["summary"]["under_all"], 0);
}

/// A copy of the fixture with the files of `testdata/posture-next` over it.
fn next_state(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    copy_tree(&root().join("testdata/posture"), &repo);
    copy_tree(&root().join("testdata/posture-next"), &repo);
    std::fs::remove_file(repo.join("README.md")).expect("readme");
    repo
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// `--compare` lists exactly what moved: `orders` entered the network policy, `payments`
/// left the supply-chain policy (and so every policy), `legacy` is not mentioned.
#[test]
fn compare_lists_exactly_the_namespaces_that_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = dir.path().join("before.json");
    let r = run(plimsoll_in(&root())
        .args(["posture", "--format"])
        .arg(format!("json={}", before.display()))
        .arg("testdata/posture"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let repo = next_state(dir.path());

    let r = run(plimsoll_in(&repo)
        .args(["posture", "--format", "json", "--compare"])
        .arg(&before)
        .arg("."));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let now: Value = serde_json::from_str(&r.stdout).expect("json");
    let c = &now["comparison"];
    let moves = |k: &str| -> Vec<(String, String)> {
        c[k].as_array()
            .expect("moves")
            .iter()
            .map(|m| {
                (
                    m["namespace"].as_str().expect("ns").to_string(),
                    m["control"].as_str().expect("c").to_string(),
                )
            })
            .collect()
    };
    assert_eq!(moves("entered"), [("orders".to_string(), "network".to_string())]);
    assert_eq!(moves("left"), [("payments".to_string(), "supply-chain".to_string())]);
    assert_eq!(c["left_all"], serde_json::json!(["payments"]));
    assert_eq!(c["entered_all"], serde_json::json!([]));
    assert_eq!(c["added"], serde_json::json!([]));
    assert_eq!(c["removed"], serde_json::json!([]));
    assert_eq!(c["left"][0]["responsible"][0]["object"], "Deployment/payments/api");
    assert_eq!(
        c["left"][0]["responsible"][0]["rules"],
        serde_json::json!(["image-not-digest-pinned"])
    );
    assert_eq!(c["before"]["under_all"], 1);

    // What users read, in each format.
    let text = run(plimsoll_in(&repo).args(["posture", "--compare"]).arg(&before).arg("."));
    insta::assert_snapshot!("compare_text", text.stdout);
    let md = run(plimsoll_in(&repo)
        .args(["posture", "-f", "markdown", "--compare"])
        .arg(&before)
        .arg("."));
    insta::assert_snapshot!("compare_markdown", md.stdout);

    // A regression fails the run only when asked; a posture compared with itself has
    // nothing to say.
    let r = run(plimsoll_in(&repo)
        .args(["posture", "-q", "-f", "json", "--fail-on-regression", "--compare"])
        .arg(&before)
        .arg("."));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let again = dir.path().join("again.json");
    std::fs::write(&again, now.to_string()).expect("write");
    let r = run(plimsoll_in(&repo)
        .args(["posture", "--fail-on-regression", "--compare"])
        .arg(&again)
        .arg("."));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Since the earlier posture: under all 0 → 0\n  no namespace moved\n"),
        "{}",
        r.stdout
    );
}

/// An unreadable earlier posture is a usage error naming the file.
#[test]
fn compare_refuses_what_is_not_a_posture() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text, says) in [
        (
            "findings.json",
            r#"{"version": 1, "tool": {"name": "plimsoll"}, "findings": []}"#,
            "not a plimsoll posture",
        ),
        ("future.json", r#"{"version": 99}"#, "posture version 99, expected 1"),
        ("garbage.json", "not json", "not JSON"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        let r = run(plimsoll_in(&root())
            .args(["posture", "--compare"])
            .arg(&path)
            .arg("testdata/posture"));
        assert_eq!(r.code, 2, "{name}: {}", r.stdout);
        assert!(
            r.stderr.contains(name) && r.stderr.contains(says),
            "{name}: {}",
            r.stderr
        );
    }
}

/// The text table and the Markdown summary of the fixture, as users see them.
#[test]
fn text_and_markdown_show_the_table_and_what_keeps_namespaces_out() {
    let text = run(plimsoll_in(&root()).args(["posture", "testdata/posture"]));
    assert_eq!(text.code, 0, "{}", text.stderr);
    insta::assert_snapshot!("fixture_text", text.stdout);
    let md = run(plimsoll_in(&root()).args(["posture", "-f", "markdown", "testdata/posture"]));
    insta::assert_snapshot!("fixture_markdown", md.stdout);
}

/// The Nu HTML checker (`vnu.jar`, installed by scripts/ci-tools.sh), if it is there.
fn vnu() -> Option<PathBuf> {
    let jar = root().join("target/ci-tools/npm/node_modules/vnu-jar/build/dist/vnu.jar");
    if !jar.is_file() {
        skip(
            "HTML validation",
            "target/ci-tools has no vnu.jar (run scripts/ci-tools.sh)",
        );
        return None;
    }
    Some(jar)
}

fn html_of(dir: &Path, path: &str, out: &Path, extra: &[&str]) {
    let r = run(plimsoll_in(dir)
        .args(["posture", "--format"])
        .arg(format!("html={}", out.display()))
        .args(extra)
        .arg(path));
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The page is valid HTML and needs nothing from the network: no script, no URL, and a
/// Content-Security-Policy that forbids every fetch.
#[test]
fn html_is_valid_and_self_contained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("posture.html");
    html_of(&root(), "testdata/posture", &page, &[]);
    let html = std::fs::read_to_string(&page).expect("html");
    assert!(
        html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'\""),
        "{html}"
    );
    for banned in [
        "<script", "http:", "https:", "src=", "href=", "url(", "@import", "<link", "<iframe",
    ] {
        assert!(!html.contains(banned), "the page holds `{banned}`");
    }
    // With a comparison too.
    let before = dir.path().join("before.json");
    let r = run(plimsoll_in(&root())
        .args(["posture", "--format"])
        .arg(format!("json={}", before.display()))
        .arg("testdata/posture"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let repo = next_state(dir.path());
    let compared = dir.path().join("compared.html");
    html_of(&repo, ".", &compared, &["--compare", before.to_str().expect("utf-8")]);
    assert!(
        std::fs::read_to_string(&compared)
            .expect("html")
            .contains("payments left Supply chain")
    );

    let Some(jar) = vnu() else { return };
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--also-check-svg"])
        .arg(&page)
        .arg(&compared)
        .output()
        .expect("java");
    assert!(
        out.status.success(),
        "the Nu HTML checker reports errors:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Headless Chromium, if it is there (Debian's `chromium`, installed by scripts/ci-tools.sh).
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    });
    if found.is_none() {
        skip("the HTML screenshot", "no chromium on PATH (run scripts/ci-tools.sh)");
    }
    found
}

/// Headless Chromium with a fresh profile in `dir`, as offline as it can be made: no
/// background connections, and every host name fails to resolve, so the page cannot fetch
/// anything.
fn headless(browser: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ])
    .arg(format!("--user-data-dir={}", dir.join("profile").display()));
    cmd
}

/// Pixels of exactly this colour in an RGB(A) screenshot.
fn pixels_of(png: &Path, rgb: [u8; 3]) -> usize {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).expect("png")));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let step = info.color_type.samples();
    assert!(step >= 3, "{:?}", info.color_type);
    buf[..info.buffer_size()].chunks(step).filter(|p| p[..3] == rgb).count()
}

/// The page rendered offline by headless Chromium shows the table with rows in each state:
/// the cells' backgrounds (under: #d6f5dc, out: #fcdcdc, not applicable: #eef1f4) cover
/// whole cells of the screenshot. A page whose table was empty, hidden or unstyled would
/// have none of them.
#[test]
fn html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("posture.html");
    html_of(&root(), "testdata/posture", &page, &[]);
    let shot = dir.path().join("posture.png");
    let out = headless(&browser, dir.path())
        .args([
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1400,1000",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium");
    assert!(
        out.status.success() && shot.is_file(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let under = pixels_of(&shot, [0xd6, 0xf5, 0xdc]);
    let out_of = pixels_of(&shot, [0xfc, 0xdc, 0xdc]);
    let na = pixels_of(&shot, [0xee, 0xf1, 0xf4]);
    // A cell is about 150 × 30 pixels: the fixture has 9 cells under policy (and the All
    // cell of payments), 9 out, and 1 not applicable.
    assert!(under > 9 * 2000, "cells under policy: {under} pixels");
    assert!(out_of > 9 * 2000, "cells out of policy: {out_of} pixels");
    assert!(na > 2000, "cells not applicable: {na} pixels");

    // And printed: a PDF of the page.
    let pdf = dir.path().join("posture.pdf");
    let out = headless(&browser, dir.path())
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium");
    let printed = std::fs::read(&pdf).unwrap_or_default();
    assert!(
        printed.starts_with(b"%PDF") && printed.len() > 10_000,
        "chromium printed {} bytes: {}",
        printed.len(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Names from the repository cannot inject markup into the Markdown summary or the page.
#[test]
fn repository_text_stays_inert_in_markdown_and_html() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("evil.yaml"),
        r#"apiVersion: v1
kind: Namespace
metadata:
  name: "<img src=x onerror=alert(1)>|[link](javascript:alert(1))"
---
apiVersion: v1
kind: Pod
metadata:
  name: "<script>alert(1)</script>"
  namespace: "<img src=x onerror=alert(1)>|[link](javascript:alert(1))"
spec:
  containers:
    - name: app
      image: nginx
"#,
    )
    .expect("write");
    let md = run(plimsoll_in(dir.path()).args(["posture", "-f", "markdown", "."]));
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(
        !md.stdout.contains("<img") && !md.stdout.contains("<script"),
        "{}",
        md.stdout
    );
    // Every `](` that could close a link text is escaped.
    assert!(
        md.stdout
            .match_indices("](")
            .all(|(i, _)| md.stdout[..i].ends_with('\\')),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("&lt;img src=x onerror=alert(1)&gt;\\|\\[link\\](javascript:alert(1))"),
        "{}",
        md.stdout
    );
    let page = dir.path().join("p.html");
    html_of(dir.path(), ".", &page, &[]);
    let html = std::fs::read_to_string(&page).expect("html");
    assert!(!html.contains("<img") && !html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    if let Some(jar) = vnu() {
        let out = Command::new("java")
            .arg("-jar")
            .arg(jar)
            .arg("--errors-only")
            .arg(&page)
            .output()
            .expect("java");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
