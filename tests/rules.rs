//! Every rule's fixtures under `testdata/rules/<id>/`, linted with only that rule selected;
//! the rendered text (what a user sees, underlines included) is snapshot-tested. Files named
//! `bad*.yaml` must make the rule fire and `good*.yaml` must not. Pod Security rules run at
//! their own level (a fixture's Namespace labels can set another). A rule directory may hold
//! a `config.yml` with the options its fixtures need.

mod common;

use common::{plimsoll, run};

#[test]
fn fixtures() {
    insta::glob!("../testdata/rules", "*/*.yaml", |path| {
        let rule = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .expect("rule dir");
        let file = path.file_name().and_then(|s| s.to_str()).expect("file name");
        let rel = format!("testdata/rules/{rule}/{file}");
        let level = plimsoll::engine::meta(rule)
            .and_then(|m| m.pss.as_ref())
            .map_or("restricted", |p| p.level.as_str());
        let config = format!("testdata/rules/{rule}/config.yml");
        let config_args: Vec<&str> = if common::root().join(&config).exists() {
            vec!["--config", &config]
        } else {
            vec!["--no-config"]
        };
        let r = run(plimsoll().arg("check").args(&config_args).args([
            "--color",
            "never",
            "--select",
            rule,
            "--pss-level",
            level,
            &rel,
        ]));
        let fired = r.stdout.contains(&format!("[{rule}]: "));
        if file.starts_with("bad") {
            assert!(fired, "{rel}: `{rule}` did not fire:\n{}{}", r.stdout, r.stderr);
        } else if file.starts_with("good") {
            assert!(!fired, "{rel}: `{rule}` fired on a good fixture:\n{}", r.stdout);
        }
        insta::assert_snapshot!(format!("exit: {}\n{}{}", r.code, r.stdout, r.stderr));
    });
}

/// Fixtures that are directories (`testdata/rules/<id>/bad*/`, `good*/`): kustomizations,
/// linted as a whole. They need a renderer; without one they are skipped with a message.
#[test]
fn directory_fixtures() {
    if !common::renderer_or_skip("directory_fixtures") {
        return;
    }
    let rules = common::root().join("testdata/rules");
    let mut dirs: Vec<(String, String)> = std::fs::read_dir(&rules)
        .expect("testdata/rules")
        .filter_map(Result::ok)
        .flat_map(|rule| {
            let id = rule.file_name().to_string_lossy().into_owned();
            std::fs::read_dir(rule.path())
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .filter(|e| e.path().is_dir())
                .map(move |e| (id.clone(), e.file_name().to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    dirs.sort();
    for (rule, dir) in dirs {
        let rel = format!("testdata/rules/{rule}/{dir}");
        let r = run(plimsoll().args(["check", "--no-config", "--color", "never", "--select", &rule, &rel]));
        let fired = r.stdout.contains(&format!("[{rule}]: "));
        if dir.starts_with("bad") {
            assert!(fired, "{rel}: `{rule}` did not fire:\n{}{}", r.stdout, r.stderr);
        } else if dir.starts_with("good") {
            assert!(!fired, "{rel}: `{rule}` fired on a good fixture:\n{}", r.stdout);
        }
        // The renderer's own wording changes between kustomize versions.
        insta::with_settings!({
            snapshot_suffix => format!("{rule}__{dir}"),
            filters => vec![(
                r"(?m)(?:kubectl kustomize|kustomize build) failed:\n(?:.*\n)*?( *-->)",
                "[renderer] failed:\n[renderer error]\n$1",
            )],
        }, {
            insta::assert_snapshot!(format!("exit: {}\n{}{}", r.code, r.stdout, r.stderr));
        });
    }
}

/// Options of the workload rules that their fixtures (one configuration per rule directory)
/// cannot show: each fixture is linted again with the option changed.
#[test]
fn workload_rule_options() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        (
            // Every main container without a readinessProbe, selected by a Service or not.
            "workload-readiness-probe-missing",
            "require_service: false",
            "testdata/rules/workload-readiness-probe-missing/good.yaml",
            &[
                "Container `logs` of Deployment `web` has no readinessProbe",
                "Container `app` of Deployment `batch` has no readinessProbe",
                "Container `app` of Deployment `other` has no readinessProbe",
            ],
        ),
        (
            "workload-image-pull-policy",
            "required: IfNotPresent",
            "testdata/rules/workload-image-pull-policy/good.yaml",
            &[
                "Container `app` of Pod `web` pulls its image with imagePullPolicy Always, not IfNotPresent",
                "Container `tools` of Pod `web` pulls its image with imagePullPolicy Always (the default for this image), not IfNotPresent",
                "Container `cache` of Pod `web` pulls its image with imagePullPolicy Always (the default for this image), not IfNotPresent",
            ],
        ),
    ];
    for (rule, option, file, expected) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("plimsoll.yaml");
        std::fs::write(&config, format!("rules:\n  options:\n    {rule}:\n      {option}\n")).expect("config");
        let r = run(plimsoll()
            .args([
                "check", "--color", "never", "--format", "concise", "--select", rule, "--config",
            ])
            .arg(&config)
            .arg(common::root().join(file)));
        let found: Vec<&str> = r.stdout.lines().filter(|l| l.contains(&format!("[{rule}]"))).collect();
        assert_eq!(
            found.len(),
            expected.len(),
            "{rule} with {option}:\n{}{}",
            r.stdout,
            r.stderr
        );
        for e in *expected {
            assert!(
                found.iter().any(|l| l.contains(e)),
                "{rule} with {option}: no `{e}` in\n{}",
                r.stdout
            );
        }
    }
    // An imagePullPolicy that does not exist is a configuration error.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("plimsoll.yaml");
    std::fs::write(
        &config,
        "rules:\n  options:\n    workload-image-pull-policy:\n      required: always\n",
    )
    .expect("config");
    let r = run(plimsoll()
        .args(["check", "--select", "workload-image-pull-policy", "--config"])
        .arg(&config)
        .arg(common::root().join("testdata/rules/workload-image-pull-policy/good.yaml")));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("`always` is not an imagePullPolicy"), "{}", r.stderr);
}
