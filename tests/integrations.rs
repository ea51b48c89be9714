//! Where users run plimsoll: the pre-commit hooks, the GitHub Action and the JUnit report,
//! checked with the tools of those ecosystems (installed by `scripts/ci-tools.sh` into
//! `target/ci-tools`; without them these checks are skipped with a message, unless
//! `PLIMSOLL_REQUIRE_TOOLS=1`, as in CI), the project's workflows, the action's run script
//! executed with the `GITHUB_*` files it writes to pointed at temporary files, and the
//! release archives installed by the action's install script.

mod common;

use common::{plimsoll, root, run};
use std::path::{Path, PathBuf};
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
    common::skip(
        &format!("the check with {relative}"),
        &format!("{} is missing (run scripts/ci-tools.sh)", path.display()),
    );
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

    // The project's own workflows: CI and the release.
    let mut ours: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .expect(".github/workflows")
        .map(|e| e.expect("entry").path())
        .collect();
    ours.sort();
    let names: Vec<String> = ours
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"ci.yml".to_string()) && names.contains(&"release.yml".to_string()),
        "{names:?}"
    );
    for workflow in &ours {
        succeeds(Command::new(&validator).arg(workflow));
    }
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
        .env("PLIMSOLL_POSTURE_FILE", dir.path().join("posture.json"))
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
        format!(
            "sarif-file={}\nposture-file={}\nexit-code=1\n",
            dir.path().join("out.sarif").display(),
            dir.path().join("posture.json").display()
        )
    );
    // The posture follows the findings in the job summary.
    assert!(summary.contains("\n### plimsoll posture\n"), "{summary}");
    assert!(summary.contains("| shop | ❌ restricted, 1/4 pass |"), "{summary}");
}

/// What one run of `action/run.sh` did.
struct ActionRun {
    code: Option<i32>,
    /// The annotations.
    stdout: String,
    stderr: String,
    /// What it appended to `$GITHUB_STEP_SUMMARY`.
    summary: String,
    /// What it wrote to `$GITHUB_OUTPUT`.
    outputs: String,
    /// Holds the summary and output files, and the SARIF report unless `PLIMSOLL_SARIF` says
    /// otherwise (`out.sarif`).
    dir: tempfile::TempDir,
}

/// Runs `action/run.sh` in `workspace` as the action does, with the action's inputs in `env`
/// (`PLIMSOLL_PATHS`, `PLIMSOLL_FAIL_ON`, ...; unset ones are absent).
fn run_action(workspace: &Path, env: &[(&str, &str)]) -> ActionRun {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step-summary.md");
    let output = dir.path().join("github-output");
    std::fs::write(&summary, "").expect("summary");
    std::fs::write(&output, "").expect("output");
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("action/run.sh"))
        .current_dir(dir.path())
        .env("PLIMSOLL_BIN", assert_cmd::cargo::cargo_bin("plimsoll"))
        .env("PLIMSOLL_SARIF", dir.path().join("out.sarif"))
        .env("PLIMSOLL_POSTURE_FILE", dir.path().join("posture.json"))
        .env("PLIMSOLL_NO_CACHE", "1")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .env_remove("GITHUB_SERVER_URL");
    for var in [
        "PLIMSOLL_PATHS",
        "PLIMSOLL_FAIL_ON",
        "PLIMSOLL_CONFIG",
        "PLIMSOLL_CHANGED_SINCE",
        "PLIMSOLL_BASELINE",
        "PLIMSOLL_POSTURE",
        "PLIMSOLL_POSTURE_COMPARE",
        "PLIMSOLL_BASE_SHA",
        "GITHUB_EVENT_NAME",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash");
    ActionRun {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        summary: std::fs::read_to_string(&summary).expect("summary"),
        outputs: std::fs::read_to_string(&output).expect("outputs"),
        dir,
    }
}

/// A repository with one Pod whose image uses `latest` (an `image-mutable-tag` warning)
/// and `config` as its `.plimsoll.yaml`.
fn workspace_with(config: &str) -> tempfile::TempDir {
    let ws = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(ws.path().join("deploy")).expect("dir");
    std::fs::write(
        ws.path().join("deploy/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx:latest\n",
    )
    .expect("manifest");
    std::fs::write(ws.path().join(".plimsoll.yaml"), config).expect("config");
    ws
}

/// Without the `fail-on` input the configuration's `fail_on` decides; with it, the input.
#[test]
fn action_run_script_respects_fail_on_from_the_configuration() {
    let ws = workspace_with("fail_on: error\nrules:\n  select: [image-mutable-tag]\n");
    // The action passes an empty input as an empty variable.
    let r = run_action(ws.path(), &[("PLIMSOLL_PATHS", "deploy"), ("PLIMSOLL_FAIL_ON", "")]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("::warning file=deploy/pod.yaml,line=8,col=19,"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.outputs,
        format!(
            "sarif-file={}\nposture-file={}\nexit-code=0\n",
            r.dir.path().join("out.sarif").display(),
            r.dir.path().join("posture.json").display()
        )
    );

    let r = run_action(
        ws.path(),
        &[("PLIMSOLL_PATHS", "deploy"), ("PLIMSOLL_FAIL_ON", "warning")],
    );
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.outputs.ends_with("exit-code=1\n"), "{}", r.outputs);
}

/// The `changed-since` input: only the findings of the file added since the commit; the
/// `baseline` input: the findings it holds are not reported.
#[test]
fn action_run_script_passes_changed_since_and_baseline() {
    let ws = workspace_with("rules:\n  select: [image-mutable-tag]\n");
    let git = |args: &[&str]| common::git(ws.path(), args);
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "pod"]);
    let pod = std::fs::read_to_string(ws.path().join("deploy/pod.yaml")).expect("pod");
    std::fs::write(ws.path().join("deploy/new.yaml"), pod.replace("name: web", "name: new")).expect("new");

    let r = run_action(
        ws.path(),
        &[("PLIMSOLL_PATHS", "deploy"), ("PLIMSOLL_CHANGED_SINCE", "HEAD")],
    );
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("file=deploy/new.yaml,"), "{}", r.stdout);
    assert!(!r.stdout.contains("file=deploy/pod.yaml,"), "{}", r.stdout);

    let baseline = r.dir.path().join("baseline.json");
    let out = Command::new(assert_cmd::cargo::cargo_bin("plimsoll"))
        .current_dir(ws.path())
        .args(["check", "--write-baseline"])
        .arg(&baseline)
        .arg("deploy")
        .output()
        .expect("plimsoll");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = run_action(
        ws.path(),
        &[
            ("PLIMSOLL_PATHS", "deploy"),
            ("PLIMSOLL_BASELINE", baseline.to_str().unwrap()),
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("::warning"), "{}", r.stdout);
}

/// In a pull request the job summary holds the posture compared with the base commit's
/// (measured from its tree), and the JSON posture is an output; a file given as
/// `posture-compare` is compared with instead; `posture: false` leaves it out.
#[test]
fn action_run_script_compares_the_posture_with_the_pull_request_base() {
    let ws = tempfile::tempdir().expect("tempdir");
    let copy = |from: &str| {
        let out = Command::new("cp")
            .arg("-R")
            .arg(format!("{}/.", root().join(from).display()))
            .arg(ws.path())
            .output()
            .expect("cp");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    let git = |args: &[&str]| common::git(ws.path(), args);
    copy("testdata/posture");
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "three namespaces"]);
    let base = Command::new("git")
        .current_dir(ws.path())
        .args(["rev-parse", "HEAD"])
        .output()
        .expect("git");
    let base = String::from_utf8_lossy(&base.stdout).trim().to_string();
    copy("testdata/posture-next");

    let pr = [
        ("PLIMSOLL_FAIL_ON", "never"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("PLIMSOLL_BASE_SHA", base.as_str()),
    ];
    let r = run_action(ws.path(), &pr);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("::warning title=plimsoll posture"), "{}", r.stdout);
    assert!(r.summary.contains("\n### plimsoll posture\n"), "{}", r.summary);
    assert!(r.summary.contains("#### Since the earlier posture"), "{}", r.summary);
    assert!(r.summary.contains("- ⬆️ orders entered Network\n"), "{}", r.summary);
    assert!(r.summary.contains("- ⬇️ payments left Supply chain"), "{}", r.summary);
    assert!(
        !r.summary.contains("legacy entered") && !r.summary.contains("legacy left"),
        "{}",
        r.summary
    );
    let posture_file = r.dir.path().join("posture.json");
    assert!(
        r.outputs
            .contains(&format!("posture-file={}\n", posture_file.display())),
        "{}",
        r.outputs
    );
    let now: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&posture_file).expect("posture")).expect("json");
    assert_eq!(now["summary"]["under_all"], 0);

    // An earlier run's posture file: nothing moved since.
    let kept = tempfile::tempdir().expect("tempdir");
    let earlier = kept.path().join("earlier.json");
    std::fs::copy(&posture_file, &earlier).expect("copy");
    let r = run_action(
        ws.path(),
        &[
            ("PLIMSOLL_FAIL_ON", "never"),
            ("PLIMSOLL_POSTURE_COMPARE", earlier.to_str().expect("utf-8")),
        ],
    );
    assert!(r.summary.contains("No namespace moved."), "{}", r.summary);

    // A revision the checkout does not have: a warning, and the posture alone.
    let r = run_action(
        ws.path(),
        &[
            ("PLIMSOLL_FAIL_ON", "never"),
            ("PLIMSOLL_POSTURE_COMPARE", "no-such-branch"),
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("::warning title=plimsoll posture::posture-compare: no-such-branch is neither a file nor a revision of the checkout"),
        "{}",
        r.stdout
    );
    assert!(
        r.summary.contains("### plimsoll posture") && !r.summary.contains("Since the earlier"),
        "{}",
        r.summary
    );

    let r = run_action(
        ws.path(),
        &[("PLIMSOLL_FAIL_ON", "never"), ("PLIMSOLL_POSTURE", "false")],
    );
    assert!(!r.summary.contains("posture"), "{}", r.summary);
    assert!(!r.outputs.contains("posture-file"), "{}", r.outputs);
}

/// A configuration error: an annotation on the key's line, the error in the job summary,
/// exit code 2, and no `sarif-file` output (no report was written, and a stale one from an
/// earlier step is not passed off as this run's).
#[test]
fn action_run_script_annotates_a_configuration_error_and_writes_no_sarif_output() {
    let ws = workspace_with("rules:\n  ignore:\n    - pss-privileged\n  selec: [all]\n");
    std::fs::write(ws.path().join("plimsoll.sarif"), "stale").expect("stale report");
    let r = run_action(
        ws.path(),
        &[("PLIMSOLL_PATHS", "deploy"), ("PLIMSOLL_SARIF", "plimsoll.sarif")],
    );
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("::error file=.plimsoll.yaml,line=4,col=3,title=plimsoll::unknown key `rules.selec`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("error: .plimsoll.yaml:4:3: unknown key"),
        "{}",
        r.stderr
    );
    assert_eq!(r.outputs, "exit-code=2\n");
    assert!(!ws.path().join("plimsoll.sarif").exists(), "the stale report is gone");
    assert!(r.summary.starts_with("## plimsoll\n"), "{}", r.summary);
    assert!(r.summary.contains("stopped with an error"), "{}", r.summary);
    assert!(
        r.summary.contains(".plimsoll.yaml:4:3: unknown key `rules.selec`"),
        "{}",
        r.summary
    );

    // A configuration named by an absolute path is annotated by its repository path.
    std::fs::create_dir_all(ws.path().join("ci")).expect("dir");
    std::fs::write(ws.path().join("ci/plimsoll.yaml"), "fail_on: sometimes\n").expect("config");
    let config = ws.path().join("ci/plimsoll.yaml");
    let r = run_action(
        ws.path(),
        &[
            ("PLIMSOLL_PATHS", "deploy"),
            ("PLIMSOLL_CONFIG", config.to_str().expect("utf-8")),
        ],
    );
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("::error file=ci/plimsoll.yaml,line=1,"),
        "{}",
        r.stdout
    );
    assert_eq!(r.outputs, "exit-code=2\n");
}

/// Absolute paths inside the workspace are linted as repository paths (annotations and
/// SARIF name `testdata/...`, not `/...`), and globs are expanded.
#[test]
fn action_run_script_makes_absolute_paths_relative_and_expands_globs() {
    let demo = root().join("testdata/demo");
    let paths = format!("{}\ntestdata/helm/*.yaml", demo.display());
    let r = run_action(&root(), &[("PLIMSOLL_PATHS", &paths), ("PLIMSOLL_FAIL_ON", "never")]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("::error file=testdata/demo/worker/deployment.yaml,line=23,col=13,"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("file=testdata/helm/rendered.yaml,"), "{}", r.stdout);
    assert!(!r.stdout.contains("file=/"), "{}", r.stdout);

    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(r.dir.path().join("out.sarif")).expect("sarif"))
            .expect("sarif json");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri.starts_with("testdata/"), "{uri}");
    }

    // A `**` glob, and a glob that matches nothing: a missing path, exit 2, annotated.
    let r = run_action(&root(), &[("PLIMSOLL_PATHS", "testdata/demo/**/deployment.yaml")]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("file=testdata/demo/worker/deployment.yaml,"),
        "{}",
        r.stdout
    );
    let r = run_action(&root(), &[("PLIMSOLL_PATHS", "testdata/no-such-dir/*.yaml")]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("::error title=plimsoll::testdata/no-such-dir/*.yaml: No such file"),
        "{}",
        r.stdout
    );
}

/// The installed tool is cached whether or not `version` is set, by version and source, so
/// a release without a binary for the runner is built once, not on every run.
#[test]
fn action_caches_the_tool_by_version_too() {
    let action = std::fs::read_to_string(root().join("action.yml")).expect("action.yml");
    let steps: Vec<&str> = action.split("\n    - name: ").collect();
    let cache = steps
        .iter()
        .find(|s| s.contains("uses: actions/cache@") && s.contains("path: ${{ runner.tool_cache }}/plimsoll\n"))
        .expect("a cache step for the tool cache");
    assert!(
        !cache.contains("\n      if:"),
        "the tool cache step is conditional:\n{cache}"
    );
    assert!(
        cache.contains("inputs.version"),
        "the key does not name the version:\n{cache}"
    );
    assert!(
        cache.contains("steps.source.outputs.hash"),
        "the key does not name the source:\n{cache}"
    );
}

/// An archive packed by `scripts/package.sh` (what the release workflow publishes) is what
/// `action/install.sh` downloads, checks and runs; a checksum that does not match fails.
#[test]
fn release_archives_are_what_the_action_installs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = "x86_64-unknown-linux-musl";
    let releases = dir.path().join("releases");
    for version in ["v9.9.8", "v9.9.9"] {
        succeeds(
            Command::new("bash")
                .arg(root().join("scripts/package.sh"))
                .arg(target)
                .arg(assert_cmd::cargo::cargo_bin("plimsoll"))
                .arg(releases.join(version)),
        );
    }
    let archive = format!("plimsoll-{target}.tar.gz");
    let sum = std::fs::read_to_string(releases.join("v9.9.9").join(format!("{archive}.sha256"))).expect("sha256");
    let (hex, name) = sum.trim_end().split_once("  ").expect("`<hex>  <name>`");
    assert_eq!((hex.len(), name), (64, archive.as_str()), "{sum}");
    // A release whose checksum does not match its archive.
    std::fs::write(
        releases.join("v9.9.8").join(format!("{archive}.sha256")),
        format!("{}  {archive}\n", "0".repeat(64)),
    )
    .expect("bad sum");

    let install = |version: &str| {
        let output = dir.path().join("github-output");
        std::fs::write(&output, "").expect("output");
        let runner_temp = dir.path().join("runner-temp");
        std::fs::create_dir_all(&runner_temp).expect("dir");
        let out = Command::new("bash")
            .arg(root().join("action/install.sh"))
            .env("PLIMSOLL_VERSION", version)
            .env("PLIMSOLL_TARGET", target)
            .env("PLIMSOLL_RELEASES_URL", format!("file://{}", releases.display()))
            .env("PLIMSOLL_TOOL_CACHE", dir.path().join("tool-cache"))
            // Never fall back to building the source here.
            .env("PLIMSOLL_ACTION_PATH", dir.path().join("no-source"))
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_OUTPUT", &output)
            .output()
            .expect("bash");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (
            out.status.code(),
            text,
            std::fs::read_to_string(&output).expect("output"),
        )
    };

    let (code, text, outputs) = install("v9.9.9");
    assert_eq!(code, Some(0), "{text}");
    let bin = dir.path().join("tool-cache/9.9.9/plimsoll");
    assert_eq!(outputs, format!("bin={}\n", bin.display()));
    assert!(text.contains(concat!("plimsoll ", env!("CARGO_PKG_VERSION"))), "{text}");
    assert!(dir.path().join("tool-cache/9.9.9/LICENSE").is_file());

    let (code, text, outputs) = install("9.9.8");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("does not match its .sha256"), "{text}");
    assert_eq!(outputs, "");
    assert!(!dir.path().join("tool-cache/9.9.8/plimsoll").exists());
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
