//! Kustomize inputs: `testdata/kustomize` (a base with a Deployment, a Service and a
//! ConfigMap generator; an overlay `overlays/prod` with a namePrefix, a namespace, a patch
//! file and an inline JSON 6902 patch) is rendered through the installed renderer, and each
//! finding points at the file that defines the field: the base for what the overlay leaves
//! alone, the overlay's patch for what it changes. Without a renderer on PATH the same tree
//! is linted as plain files, after one notice.

mod common;

use common::{plimsoll, run};
use serde_json::Value;

const TREE: &str = "testdata/kustomize";
const BUILD: &str = "(in `kustomize build testdata/kustomize/overlays/prod`)";

fn findings(stdout: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    doc["findings"].as_array().expect("findings").clone()
}

/// The one finding of a rule: (file, line, column, message).
fn one(findings: &[Value], rule: &str) -> (String, u64, u64, String) {
    let found: Vec<&Value> = findings.iter().filter(|f| f["rule"] == rule).collect();
    assert_eq!(found.len(), 1, "{rule}: {found:#?}");
    let f = found[0];
    (
        f["file"].as_str().expect("file").to_string(),
        f["start"]["line"].as_u64().expect("line"),
        f["start"]["column"].as_u64().expect("column"),
        f["message"].as_str().expect("message").to_string(),
    )
}

/// The 1-based line of a file that contains `needle`.
fn line_of(file: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(common::root().join(file)).expect(file);
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i as u64 + 1)
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"))
}

#[test]
fn findings_point_at_the_files_that_define_each_field() {
    if !common::renderer_or_skip("findings_point_at_the_files_that_define_each_field") {
        return;
    }
    let r = run(plimsoll().args(["check", "--no-config", "--format", "json", TREE]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let all = findings(&r.stdout);
    for f in &all {
        let file = f["file"].as_str().expect("file");
        assert!(
            !file.contains("kustomize build"),
            "a finding stayed on the rendered output: {f:#}"
        );
        // A finding on a field the overlay rewrites (the name, under a namePrefix) says so.
        let message = f["message"].as_str().expect("message");
        let renamed = format!(
            "{}, which renders this object differently from this file)",
            &BUILD[..BUILD.len() - 1]
        );
        assert!(message.ends_with(BUILD) || message.ends_with(&renamed), "{f:#}");
    }

    // Unpatched: the base's own line.
    let base = "testdata/kustomize/base/deployment.yaml";
    let (file, line, col, _) = one(&all, "pss-allow-privilege-escalation");
    assert_eq!(
        (file.as_str(), line, col),
        (base, line_of(base, "allowPrivilegeEscalation: true"), 13)
    );

    // Patched by a strategic merge patch file: the patch's line.
    let patch = "testdata/kustomize/overlays/prod/security.yaml";
    let (file, line, _, _) = one(&all, "pss-host-namespaces");
    assert_eq!((file.as_str(), line), (patch, line_of(patch, "hostNetwork: true")));

    // Patched by an inline JSON 6902 patch: its `value` line inside the kustomization, and
    // the tag's columns within it.
    let overlay = "testdata/kustomize/overlays/prod/kustomization.yaml";
    let (file, line, col, _) = one(&all, "image-mutable-tag");
    let value_line = line_of(overlay, "value: ghcr.io/example/web:latest");
    let text = std::fs::read_to_string(common::root().join(overlay)).expect("overlay");
    let value_text = text.lines().nth(value_line as usize - 1).expect("line");
    let tag_col = value_text.find(":latest").expect("tag") as u64 + 1;
    assert_eq!((file.as_str(), line, col), (overlay, value_line, tag_col));

    // Made by a configMapGenerator: the `KEY=value` literal.
    let kustomization = "testdata/kustomize/base/kustomization.yaml";
    let (file, line, _, message) = one(&all, "secret-configmap-sensitive");
    assert_eq!(
        (file.as_str(), line),
        (kustomization, line_of(kustomization, "SMTP_PASSWORD="))
    );
    assert!(message.contains("prod-web-config-"), "the rendered name: {message}");

    // A resource of the overlay itself.
    let ns = "testdata/kustomize/overlays/prod/namespace.yaml";
    let (file, line, _, _) = one(&all, "netpol-namespace-no-default-deny-ingress");
    assert_eq!((file.as_str(), line), (ns, line_of(ns, "name: shop")));

    // A suppression comment in the base applies to the rendered object's finding.
    assert!(all.iter().all(|f| f["rule"] != "pss-capabilities-restricted"));
    let doc: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(doc["summary"]["suppressed"], 1);
}

#[test]
fn text_output_on_a_kustomization() {
    if !common::renderer_or_skip("text_output_on_a_kustomization") {
        return;
    }
    let r = run(plimsoll().args(["check", "--no-config", "--color", "never", TREE]));
    insta::assert_snapshot!(format!("exit: {}\n{}{}", r.code, r.stdout, r.stderr));
}

#[test]
fn without_a_renderer_the_files_are_linted_as_they_are() {
    let empty = tempfile::tempdir().expect("tempdir");
    let r = run(plimsoll()
        .env("PATH", empty.path())
        .args(["check", "--no-config", "--format", "json", TREE]));
    let notices: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("notice:")).collect();
    assert_eq!(
        notices,
        [
            "notice: 1 kustomization found (testdata/kustomize/overlays/prod) but neither `kustomize` nor `kubectl` is on PATH: linting its files as plain manifests"
        ],
        "{}",
        r.stderr
    );
    let all = findings(&r.stdout);
    assert!(
        all.iter()
            .all(|f| !f["message"].as_str().expect("message").contains("kustomize build"))
    );
    let base = "testdata/kustomize/base/deployment.yaml";
    assert!(
        all.iter()
            .any(|f| f["rule"] == "pss-allow-privilege-escalation" && f["file"] == base),
        "the base is linted as a plain file"
    );
}

#[test]
fn never_renders_when_told_not_to() {
    let r = run(plimsoll().args(["check", "--no-config", "--kustomize", "never", "--format", "json", TREE]));
    assert!(!r.stderr.contains("notice"), "{}", r.stderr);
    let all = findings(&r.stdout);
    assert!(
        all.iter()
            .all(|f| !f["message"].as_str().expect("message").contains("kustomize build"))
    );
}

#[test]
fn helm_charts_are_skipped_with_a_notice_and_rendered_output_is_read_from_stdin() {
    let r = run(plimsoll().args(["check", "--no-config", "--format", "json", "testdata/helm"]));
    assert!(
        r.stderr.contains(
            "notice: skipped the Helm chart `testdata/helm/web` (its templates are not YAML); lint what it renders: `helm template testdata/helm/web | plimsoll check -`"
        ),
        "{}",
        r.stderr
    );
    let all = findings(&r.stdout);
    assert!(
        all.iter().all(|f| f["file"] == "testdata/helm/rendered.yaml"),
        "{all:#?}"
    );

    let rendered = std::fs::read_to_string(common::root().join("testdata/helm/rendered.yaml")).expect("rendered");
    let r = run(plimsoll()
        .args([
            "check",
            "--no-config",
            "--format",
            "concise",
            "--select",
            "pss-privileged",
            "-",
        ])
        .write_stdin(rendered.clone()));
    let line = rendered
        .lines()
        .position(|l| l.contains("privileged: true"))
        .expect("privileged")
        + 1;
    // `# Source: web/templates/deployment.yaml` names the chart's template file (found by
    // the chart's name), and the message says the line is in the rendered output.
    assert!(
        r.stdout.contains(&format!(
            "testdata/helm/web/templates/deployment.yaml:{line}:13: error[pss-privileged]"
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("(rendered by `helm template`: line {line} of its output)")),
        "{}",
        r.stdout
    );

    let r = run(plimsoll()
        .args([
            "check",
            "--no-config",
            "--select",
            "pss-privileged",
            "--stdin-filename",
            "charts/web (helm template)",
            "--format",
            "sarif",
            "-",
        ])
        .write_stdin(rendered));
    // SARIF points at the template file, which exists in the repository, without a region
    // (its lines are not those of the rendered output).
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif");
    let at = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        at["artifactLocation"]["uri"],
        "testdata/helm/web/templates/deployment.yaml"
    );
    assert!(at.get("region").is_none(), "{at}");
}
