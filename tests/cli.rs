//! The command line as a user and a CI system see it: exit codes, formats, configuration,
//! suppressions, determinism.

mod common;

use common::{plimsoll, plimsoll_in, root, run};

fn check(args: &[&str]) -> common::Run {
    let mut all = vec!["check", "--no-config", "--color", "never"];
    all.extend_from_slice(args);
    run(plimsoll().args(&all))
}

#[test]
fn demo_text() {
    let r = check(&["testdata/demo"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn demo_json() {
    let r = check(&["--format", "json", "testdata/demo"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn demo_github() {
    let r = check(&["--format", "github", "testdata/demo"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn demo_sarif() {
    let r = check(&["--format", "sarif", "testdata/demo"]);
    assert_eq!(r.code, 1);
    let cwd = root().display().to_string();
    insta::assert_snapshot!(r.stdout.replace(&cwd, "[ROOT]"));
}

#[test]
fn clean_manifest_exits_0() {
    let r = check(&["testdata/cli/clean"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "No findings. Checked 1 file, 3 objects in [TIME]s.\n")
    );
}

#[test]
fn missing_path_exits_2() {
    let r = check(&["testdata/does-not-exist"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("testdata/does-not-exist"), "{}", r.stderr);
}

#[test]
fn no_manifests_exits_2() {
    let r = check(&["testdata/cli/empty-dir"]);
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr, @"error: no manifests found in testdata/cli/empty-dir (looked for *.yaml, *.yml, *.json; check --exclude and .gitignore)");
}

#[test]
fn bad_config_exits_2_naming_key_and_file() {
    let r = run(plimsoll_in(&root().join("testdata/cli/bad-config")).args(["check", "."]));
    assert_eq!(r.code, 2);
    insta::assert_snapshot!(r.stderr, @"error: .plimsoll.yaml:4:3: unknown key `rules.sevirity` (did you mean `severity`? expected one of: select, ignore, severity, options)");
}

#[test]
fn unknown_rule_exits_2() {
    let r = check(&["--select", "pss-privilegd", "testdata/demo"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("unknown rule or family `pss-privilegd` (did you mean `pss-privileged`?)"),
        "{}",
        r.stderr
    );
}

#[test]
fn fix_refuses_stdin_and_the_fix_section_names_known_rules() {
    let r = run(plimsoll().args(["check", "--no-config", "--fix", "-"]).write_stdin(""));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: `--fix` cannot write back to standard input; use `--diff` to print a patch for it\n"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        root().join("testdata/demo/frontend/deployment.yaml"),
        dir.path().join("web.yaml"),
    )
    .expect("copy");
    let config = dir.path().join(".plimsoll.yaml");
    std::fs::write(
        &config,
        "fix:\n  unsafe: true\n  unfixable: [pss, all]\n  opt_in: [image-mutable-tag]\n",
    )
    .expect("write");
    let r = run(plimsoll_in(dir.path()).args(["check", "--fail-on", "never", "."]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(&config, "fix:\n  extend_safe:\n    - pss\n    - image-mutable-tga\n").expect("write");
    let r = run(plimsoll_in(dir.path()).args(["check", "."]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "error: .plimsoll.yaml:4:7: unknown rule or family `image-mutable-tga` (did you mean `image-mutable-tag`?)"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn fail_on_thresholds() {
    // The demo has errors and warnings.
    assert_eq!(check(&["--fail-on", "never", "testdata/demo"]).code, 0);
    assert_eq!(check(&["--fail-on", "error", "testdata/demo"]).code, 1);
    // Only warnings selected: `--fail-on error` passes, `warning` fails.
    assert_eq!(
        check(&["--select", "image", "--fail-on", "error", "testdata/demo"]).code,
        0
    );
    assert_eq!(
        check(&["--select", "image", "--fail-on", "warning", "testdata/demo"]).code,
        1
    );
}

#[test]
fn select_and_ignore_by_family_and_id() {
    // Without the demo's Namespace (which enforces restricted), the CLI's level applies.
    let r = check(&[
        "--format",
        "json",
        "--select",
        "pss,image",
        "--ignore",
        "image-mutable-tag",
        "--pss-level",
        "baseline",
        "testdata/demo/api",
        "testdata/demo/redis",
        "testdata/demo/worker",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let mut rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(
        rules,
        ["image-not-digest-pinned", "pss-host-namespaces", "pss-privileged"]
    );
}

#[test]
fn output_is_identical_across_thread_counts() {
    for format in ["text", "json", "sarif", "github"] {
        let one = check(&["--jobs", "1", "--format", format, "testdata"]);
        let two = check(&["--jobs", "2", "--format", format, "testdata"]);
        assert_eq!(one.stdout, two.stdout, "{format} differs between --jobs 1 and --jobs 2");
    }
    if let Some(shared) = common::shared_or_skip("the bench corpus part of this test") {
        let bench = shared.join("corpora/bench");
        let bench = bench.to_str().expect("utf-8 path");
        let one = check(&["--jobs", "1", "--format", "json", bench]);
        let two = check(&["--jobs", "2", "--format", "json", bench]);
        assert_eq!(
            one.stdout, two.stdout,
            "bench output differs between --jobs 1 and --jobs 2"
        );
    }
}

#[test]
fn text_and_sarif_in_one_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sarif = dir.path().join("out.sarif");
    let spec = format!("sarif={}", sarif.display());
    let r = check(&["--format", "text", "--format", &spec, "testdata/demo"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[pss-privileged]"));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).expect("sarif written")).expect("json");
    assert_eq!(doc["version"], "2.1.0");
    assert!(!doc["runs"][0]["results"].as_array().expect("results").is_empty());
}

#[test]
fn two_formats_on_stdout_is_a_usage_error() {
    let r = check(&["--format", "text,json", "testdata/demo"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("only one --format may go to stdout"));
}

#[test]
fn stdin_with_a_name() {
    let text = std::fs::read_to_string(root().join("testdata/rules/pss-privileged/bad.yaml")).expect("fixture");
    let r = run(plimsoll()
        .args([
            "check",
            "--no-config",
            "--select",
            "pss-privileged",
            "--format",
            "github",
            "--stdin-filename",
            "rendered.yaml",
            "-",
        ])
        .write_stdin(text));
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(r.stdout);
    let r = run(plimsoll().args(["check", "--no-config", "-"]).write_stdin(""));
    assert_eq!(r.code, 2, "empty stdin must not pass silently");
    assert!(r.stderr.contains("stdin is empty"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "one message, no empty report: {}", r.stdout);
}

#[test]
fn suppressions_of_every_kind() {
    let r = run(plimsoll_in(&root().join("testdata/cli/suppress")).args(["check", "--color", "never", "."]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    insta::assert_snapshot!(r.stdout);
}

#[test]
fn rules_explain_init() {
    let r = run(plimsoll().args(["rules"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("pss-privileged"));
    let r = run(plimsoll().args(["rules", "--format", "json"]));
    let list: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert!(list.as_array().is_some_and(|l| l.len() >= 9));
    let r = run(plimsoll().args(["explain", "pss-privileged"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("# `pss-privileged`"));
    assert_eq!(run(plimsoll().args(["explain", "nope"])).code, 2);

    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(plimsoll_in(dir.path()).args(["init"]));
    assert_eq!(r.code, 0);
    // The starter configuration is valid: a run with it succeeds.
    std::fs::copy(root().join("testdata/cli/clean/app.yaml"), dir.path().join("app.yaml")).expect("copy");
    let r = run(plimsoll_in(dir.path()).args(["check", "."]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        run(plimsoll_in(dir.path()).args(["init"])).code,
        2,
        "init must not overwrite"
    );
}

#[test]
fn excludes_and_gitignore() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = std::fs::read_to_string(root().join("testdata/rules/pss-privileged/bad.yaml")).expect("fixture");
    for sub in ["keep", "vendor", "generated"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        std::fs::write(dir.path().join(sub).join("a.yaml"), &bad).expect("write");
    }
    std::fs::write(dir.path().join(".gitignore"), "generated/\n").expect("write");
    let files = |args: &[&str]| {
        let mut all = vec!["check", "--no-config", "--format", "json", "--select", "pss-privileged"];
        all.extend_from_slice(args);
        let r = run(plimsoll_in(dir.path()).args(&all));
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        let mut files: Vec<String> = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["file"].as_str().expect("file").to_string())
            .collect();
        files.dedup();
        files
    };
    assert_eq!(files(&["--exclude", "vendor", "."]), ["keep/a.yaml"]);
    assert_eq!(
        files(&["--no-ignore-files", "--exclude", "vendor/**", "."]),
        ["generated/a.yaml", "keep/a.yaml"]
    );
    // An explicit file is read even when excluded or ignored.
    assert_eq!(
        files(&["--exclude", "generated", "generated/a.yaml"]),
        ["generated/a.yaml"]
    );
}

#[test]
fn demo_concise() {
    let r = check(&["--format", "concise", "testdata/demo"]);
    assert_eq!(r.code, 1);
    insta::assert_snapshot!(common::normalize(&r.stdout));
}

/// GitHub code scanning's limits and conventions (docs/formats.md, SARIF section).
#[test]
fn sarif_fits_code_scanning() {
    let r = check(&["--format", "sarif", "--select", "all", "testdata/demo"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif");
    let run = &doc["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "plimsoll/");
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        let full = rule["fullDescription"]["text"].as_str().unwrap_or_default();
        assert!(
            full.chars().count() <= 1024,
            "{}: {} characters",
            rule["id"],
            full.chars().count()
        );
        let props = &rule["properties"];
        let security = props["tags"].as_array().expect("tags").iter().any(|t| t == "security");
        assert_eq!(security, props.get("security-severity").is_some(), "{}", rule["id"]);
        assert_eq!(!security, props.get("problem.severity").is_some(), "{}", rule["id"]);
    }
    // Critical holes rate critical; related locations are linked from the message.
    let privileged = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "pss-privileged")
        .expect("pss-privileged");
    assert_eq!(privileged["properties"]["security-severity"], "9.5");
    for result in run["results"].as_array().expect("results") {
        if let Some(related) = result["relatedLocations"].as_array() {
            let text = result["message"]["text"].as_str().expect("text");
            assert!(text.contains("](0)"), "{text}");
            assert!(related.len() <= 1000);
        }
    }
}

#[test]
fn sarif_uris_are_relative_to_the_repository_root_from_any_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("git");
    std::fs::create_dir_all(dir.path().join("deploy/apps")).expect("dirs");
    std::fs::write(
        dir.path().join("deploy/apps/pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: app\n      image: nginx\n",
    )
    .expect("write");
    for (cwd, arg) in [("deploy/apps", "pod.yaml"), ("deploy", "apps"), (".", "deploy")] {
        let r = run(plimsoll_in(&dir.path().join(cwd)).args(["check", "--no-config", "--format", "sarif", arg]));
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif");
        let run = &doc["runs"][0];
        let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().expect("root");
        assert!(root.ends_with('/') && root.starts_with("file://"), "{root}");
        for result in run["results"].as_array().expect("results") {
            let at = &result["locations"][0]["physicalLocation"]["artifactLocation"];
            assert_eq!(at["uri"], "deploy/apps/pod.yaml", "from {cwd}");
            assert_eq!(at["uriBaseId"], "%SRCROOT%");
        }
    }
}

#[test]
fn sarif_keeps_the_most_severe_results_code_scanning_shows_and_says_how_many_it_left_out() {
    // 2,600 pods: a warning (mutable tag) each, and an error (privileged) for every 10th.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut yaml = String::new();
    for i in 0..2600 {
        let privileged = if i % 10 == 0 {
            "\n      securityContext: {privileged: true}"
        } else {
            ""
        };
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\nspec:\n  containers:\n    - name: app\n      image: nginx{privileged}\n    - name: side\n      image: busybox\n"
        ));
    }
    std::fs::write(dir.path().join("pods.yaml"), yaml).expect("write");
    let args = [
        "check",
        "--no-config",
        "--select",
        "image-mutable-tag,pss-privileged",
        "pods.yaml",
    ];
    let json = run(plimsoll_in(dir.path()).args(args).args(["--format", "json"]));
    let total = serde_json::from_str::<serde_json::Value>(&json.stdout).expect("json")["findings"]
        .as_array()
        .expect("findings")
        .len();
    assert_eq!(total, 2600 * 2 + 260);
    let sarif = run(plimsoll_in(dir.path()).args(args).args(["--format", "sarif"]));
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    let run = &doc["runs"][0];
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 5000);
    let errors = results.iter().filter(|r| r["level"] == "error").count();
    assert_eq!(errors, 260, "every error is kept");
    assert!(
        results[..260].iter().all(|r| r["level"] == "error"),
        "the most severe first"
    );
    let note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .expect("notification");
    assert!(
        note.starts_with(&format!("{} of {total} results left out", total - 5000)),
        "{note}"
    );
    assert!(note.contains("--format json"), "{note}");
    common::assert_valid_sarif(&doc);
    // The same input, the same results.
    let again = run_again(dir.path(), &args);
    assert_eq!(again, sarif.stdout);
}

fn run_again(dir: &std::path::Path, args: &[&str]) -> String {
    run(plimsoll_in(dir).args(args).args(["--format", "sarif"])).stdout
}

/// One finding per root cause on real repositories: no two findings of one rule start at
/// the same place, and a namespace without policies is reported once per direction, not
/// once per workload (`../shared/corpora/bench`).
#[test]
fn one_finding_per_rule_and_position_on_the_bench_corpus() {
    let Some(shared) = common::shared_or_skip("one_finding_per_rule_and_position_on_the_bench_corpus") else {
        return;
    };
    let bench = shared.join("corpora/bench");
    let r = run(plimsoll().args([
        "check",
        "--no-config",
        "--format",
        "json",
        bench.to_str().expect("path"),
    ]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let findings = doc["findings"].as_array().expect("findings");
    let mut seen = std::collections::HashSet::new();
    for f in findings {
        let key = (
            f["rule"].to_string(),
            f["file"].to_string(),
            f["start"]["line"].as_u64(),
            f["start"]["column"].as_u64(),
        );
        assert!(seen.insert(key.clone()), "two findings at {key:?}");
    }
    // An image reference is reported once: no reference is both mutable and unpinned.
    let at = |rule: &str| -> std::collections::HashSet<(String, u64)> {
        findings
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| (f["file"].to_string(), f["start"]["line"].as_u64().unwrap_or_default()))
            .collect()
    };
    assert!(at("image-mutable-tag").is_disjoint(&at("image-not-digest-pinned")));
}

#[test]
fn completions_source_in_bash_and_the_man_page_lists_every_command() {
    let r = run(plimsoll().args(["completions", "bash"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("plimsoll.bash");
    std::fs::write(&script, &r.stdout).expect("write");
    let sourced = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p plimsoll", script.display()))
        .output()
        .expect("bash");
    assert!(sourced.status.success(), "{}", String::from_utf8_lossy(&sourced.stderr));
    assert!(String::from_utf8_lossy(&sourced.stdout).contains("plimsoll"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert_eq!(run(plimsoll().args(["completions", shell])).code, 0, "{shell}");
    }
    let man = run(plimsoll().arg("man"));
    assert_eq!(man.code, 0);
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH plimsoll 1"),
        "{}",
        &man.stdout[..200]
    );
    for section in ["PLIMSOLL CHECK", "PLIMSOLL RULES", "PLIMSOLL EXPLAIN", "PLIMSOLL INIT"] {
        assert!(man.stdout.contains(section), "{section}");
    }
    assert!(man.stdout.contains("\\-\\-fail\\-on") || man.stdout.contains("fail-on"));
}

/// `.plimsoll.yaml` as JSON, read with the project's own YAML reader.
fn yaml_to_json(text: &str) -> serde_json::Value {
    let (tree, docs, err) = plimsoll::source::parse(text, &plimsoll::source::Limits::default());
    assert!(err.is_none(), "{err:?}");
    let cx = plimsoll::source::de::Context::new(&tree, 0, false);
    cx.deserialize(docs[0].root, false).expect("json")
}

#[test]
fn the_config_schema_accepts_what_init_writes_and_rejects_a_misspelt_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(plimsoll_in(dir.path()).arg("init"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let written = std::fs::read_to_string(dir.path().join(".plimsoll.yaml")).expect("written");
    assert!(
        written.starts_with("# yaml-language-server: $schema=https://plimsoll.dev/plimsoll.schema.json\n"),
        "{written}"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/plimsoll.schema.json")).expect("schema"))
            .expect("json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let config = yaml_to_json(&written);
    assert!(
        validator.is_valid(&config),
        "{:?}",
        validator
            .iter_errors(&config)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
    // Every commented key of the starter, uncommented, is valid too.
    let full = yaml_to_json(
        "fail_on: error\nkubernetes_version: \"1.33\"\nrules:\n  select: [pss, image-mutable-tag]\n  severity: { image-not-digest-pinned: error }\n  options: { hpa-min-replicas-low: { min: 2 } }\nignore:\n  - rules: [secret-plaintext-in-manifest]\n    paths: [\"test/**\"]\n    reason: fake credentials\n",
    );
    assert!(
        validator.is_valid(&full),
        "{:?}",
        validator.iter_errors(&full).map(|e| e.to_string()).collect::<Vec<_>>()
    );
    for bad in [
        "fail_onn: error\n",
        "rules:\n  sevirity: {}\n",
        "rules:\n  select: [psss]\n",
        "rules:\n  severity: { image-not-digest-pinned: fatal }\n",
        "pss:\n  level: strict\n",
    ] {
        assert!(!validator.is_valid(&yaml_to_json(bad)), "{bad}");
    }
}

#[test]
fn every_configuration_key_and_family_is_documented() {
    let doc = std::fs::read_to_string(root().join("docs/configuration.md")).expect("docs");
    let schema = plimsoll::config::schema();
    let defs = &schema["$defs"];
    let mut keys = Vec::new();
    fn walk(prefix: &str, props: &serde_json::Value, defs: &serde_json::Value, keys: &mut Vec<String>) {
        for (k, v) in props.as_object().into_iter().flatten() {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            keys.push(key.clone());
            let reference = v
                .get("$ref")
                .or_else(|| v.pointer("/anyOf/0/$ref"))
                .or_else(|| v.pointer("/items/$ref"))
                .and_then(|r| r.as_str());
            if let Some(name) = reference.and_then(|r| r.strip_prefix("#/$defs/")) {
                let prefix = if v.get("items").is_some() {
                    format!("{key}[]")
                } else {
                    key
                };
                walk(&prefix, &defs[name]["properties"], defs, keys);
            }
        }
    }
    walk("", &schema["properties"], defs, &mut keys);
    assert!(keys.len() > 15, "{keys:?}");
    for key in keys {
        assert!(
            doc.contains(&format!("`{key}`")),
            "docs/configuration.md does not document `{key}`"
        );
    }
    let mut families: Vec<&str> = plimsoll::engine::all_meta().iter().map(|m| m.family.as_str()).collect();
    families.sort_unstable();
    families.dedup();
    for family in families {
        assert!(
            doc.contains(&format!("`{family}`")),
            "docs/configuration.md does not list the family `{family}`"
        );
    }
}

/// The rules of one finding each, with their severities, from a JSON report.
fn rules_and_severities(stdout: &str) -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("json");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().expect("rule").to_string(),
                f["severity"].as_str().expect("severity").to_string(),
            )
        })
        .collect()
}

#[test]
fn cross_object_workload_verdicts_follow_complete_set_and_the_rules_that_run() {
    // A budget that selects no template of the set is `info`, unless the set is complete.
    let no_match = "testdata/rules/workload-pdb-selector/bad-no-match.yaml";
    let pair = |s: &str| vec![("workload-pdb-selector".to_string(), s.to_string())];
    let r = check(&["--format", "json", "--select", "workload-pdb-selector", no_match]);
    assert_eq!(rules_and_severities(&r.stdout), pair("info"));
    let r = check(&[
        "--format",
        "json",
        "--complete-set",
        "--select",
        "workload-pdb-selector",
        no_match,
    ]);
    assert_eq!(rules_and_severities(&r.stdout), pair("warning"));
    // When an HPA scales the workload, hpa-pdb-blocks-eviction reports the budget, if it runs.
    let hpa = "testdata/rules/workload-pdb-blocks-eviction/bad-hpa.yaml";
    let r = check(&["--format", "json", "--select", "workload-pdb-blocks-eviction", hpa]);
    assert_eq!(
        rules_and_severities(&r.stdout),
        [("workload-pdb-blocks-eviction".to_string(), "warning".to_string())]
    );
    let both = "workload-pdb-blocks-eviction,hpa-pdb-blocks-eviction";
    let r = check(&["--format", "json", "--select", both, hpa]);
    assert_eq!(
        rules_and_severities(&r.stdout),
        [("hpa-pdb-blocks-eviction".to_string(), "warning".to_string())]
    );
}

/// `default` selects the rules on by default, so an off rule can be added to them.
#[test]
fn select_default_adds_an_off_rule_to_the_defaults() {
    let both = run(plimsoll().args([
        "check",
        "--no-config",
        "--format",
        "concise",
        "--select",
        "default,api-alpha-version",
        "testdata/rules/api-alpha-version/bad.yaml",
        "testdata/rules/api-removed/bad.yaml",
    ]));
    assert!(both.stdout.contains("info[api-alpha-version]"), "{}", both.stdout);
    assert!(both.stdout.contains("error[api-removed]"), "{}", both.stdout);
    let defaults = run(plimsoll().args([
        "check",
        "--no-config",
        "--format",
        "concise",
        "--select",
        "default",
        "testdata/rules/api-alpha-version/bad.yaml",
        "testdata/rules/api-removed/bad.yaml",
    ]));
    assert!(!defaults.stdout.contains("api-alpha-version"), "{}", defaults.stdout);
    assert!(defaults.stdout.contains("error[api-removed]"), "{}", defaults.stdout);
}
