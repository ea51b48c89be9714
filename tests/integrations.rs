//! Where users run plimsoll: the pre-commit hooks, the GitHub Action and the JUnit report,
//! checked with the tools of those ecosystems (installed by `scripts/ci-tools.sh` into
//! `target/ci-tools`; without them these checks are skipped with a message, unless
//! `PLIMSOLL_REQUIRE_TOOLS=1`, as in CI), and the action's run script executed with the
//! `GITHUB_*` files it writes to pointed at temporary files.

mod common;

use common::{plimsoll, root, run};
use std::path::PathBuf;
use std::process::Command;

/// A checker installed by `scripts/ci-tools.sh`, or `None` (skip) when it is absent.
fn tool(relative: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("PLIMSOLL_CI_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/ci-tools"));
    let path = dir.join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
        "{} is missing: run scripts/ci-tools.sh",
        path.display()
    );
    eprintln!("{} is missing (run scripts/ci-tools.sh): check skipped", path.display());
    None
}

/// The fenced YAML block after `<!-- example: NAME -->` in docs/ci.md.
fn example(name: &str) -> String {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).expect("docs/ci.md");
    let marker = format!("<!-- example: {name} -->");
    let after = doc.split_once(&marker).expect("marker").1;
    let block = after.split_once("```yaml\n").expect("yaml block").1;
    block.split_once("```").expect("end of block").0.to_string()
}

fn succeeds(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run the checker");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

#[test]
fn pre_commit_accepts_the_hooks_and_the_documented_config() {
    let Some(pre_commit) = tool("venv/bin/pre-commit") else {
        return;
    };
    succeeds(
        Command::new(&pre_commit)
            .arg("validate-manifest")
            .arg(root().join(".pre-commit-hooks.yaml")),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join(".pre-commit-config.yaml");
    std::fs::write(&config, example("pre-commit-config")).expect("config");
    succeeds(Command::new(&pre_commit).arg("validate-config").arg(&config));
}

#[test]
fn action_validator_accepts_the_action_and_the_documented_workflow() {
    let Some(validator) = tool("npm/node_modules/.bin/action-validator") else {
        return;
    };
    succeeds(Command::new(&validator).arg(root().join("action.yml")));
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("dir");
    let workflow = workflows.join("manifests.yml");
    std::fs::write(&workflow, example("workflow")).expect("workflow");
    succeeds(Command::new(&validator).arg(&workflow));
}

#[test]
fn action_run_script_writes_annotations_sarif_summary_and_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step-summary.md");
    let output = dir.path().join("github-output");
    std::fs::write(&summary, "").expect("summary");
    std::fs::write(&output, "").expect("output");
    let sarif = dir.path().join("out.sarif");
    let out = Command::new("bash")
        .arg(root().join("action/run.sh"))
        .env("PLIMSOLL_BIN", assert_cmd::cargo::cargo_bin("plimsoll"))
        .env("PLIMSOLL_PATHS", "testdata/demo\ntestdata/helm/rendered.yaml")
        .env("PLIMSOLL_FAIL_ON", "error")
        .env("PLIMSOLL_CONFIG", "")
        .env("PLIMSOLL_SARIF", &sarif)
        .env("GITHUB_WORKSPACE", root())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env_remove("GITHUB_SERVER_URL")
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Annotations on stdout, for both paths.
    assert!(
        stdout.contains("::error file=testdata/demo/worker/deployment.yaml,line=23,col=13,"),
        "{stdout}"
    );
    assert!(stdout.contains("file=testdata/helm/rendered.yaml,"), "{stdout}");

    // SARIF that validates.
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif")).expect("sarif json");
    common::assert_valid_sarif(&sarif);
    assert!(!sarif["runs"][0]["results"].as_array().expect("results").is_empty());

    // The job summary and the step outputs.
    let summary = std::fs::read_to_string(&summary).expect("summary");
    assert!(summary.starts_with("## plimsoll\n"), "{summary}");
    assert!(summary.contains("| `pss` |"), "{summary}");
    let outputs = std::fs::read_to_string(&output).expect("outputs");
    assert_eq!(
        outputs,
        format!("sarif-file={}\nexit-code=1\n", dir.path().join("out.sarif").display())
    );
}

#[test]
fn junit_report_is_valid_xml_with_one_case_per_rule_and_object() {
    let r = run(plimsoll().args(["check", "--no-config", "--format", "junit", "testdata/demo"]));
    assert_eq!(r.code, 1, "{}", r.stderr);

    // Well-formed, and the counts add up.
    let mut reader = quick_xml::Reader::from_str(&r.stdout);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    let mut declared_tests = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => match e.name().as_ref() {
                b"testsuites" => {
                    declared_tests = e
                        .try_get_attribute("tests")
                        .expect("attribute")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                }
                b"testsuite" => suites += 1,
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                _ => {}
            },
            _ => {}
        }
    }
    assert_eq!(declared_tests, Some(cases.to_string()));
    let rules = run(plimsoll().args(["check", "--no-config", "--format", "json", "testdata/demo"]));
    let doc: serde_json::Value = serde_json::from_str(&rules.stdout).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    let failing: std::collections::BTreeSet<(String, String)> = findings
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| (f["rule"].to_string(), f["object"].to_string()))
        .collect();
    assert_eq!(failures, failing.len(), "one failing case per rule and object");
    assert!(suites > 50, "every rule that ran is a suite");

    // Valid against the Jenkins JUnit schema.
    let (Some(python), Some(xsd)) = (tool("venv/bin/python"), tool("junit-10.xsd")) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("junit.xml");
    std::fs::write(&report, &r.stdout).expect("report");
    succeeds(
        Command::new(python)
            .arg("-c")
            .arg("import sys, xmlschema; xmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])")
            .arg(xsd)
            .arg(&report),
    );
}

#[test]
fn markdown_summary_counts_and_lists_findings() {
    let r = run(plimsoll()
        .args(["check", "--no-config", "--format", "markdown", "testdata/demo"])
        .env_remove("GITHUB_SERVER_URL"));
    insta::assert_snapshot!(r.stdout);
}
