//! Admission policies of the set evaluated offline (`policy-*`), on fixtures under
//! `testdata/policies`: what users see.

mod common;

use common::{plimsoll, run};

fn check(args: &[&str]) -> common::Run {
    run(plimsoll()
        .args(["check", "--no-config", "--select", "policy"])
        .args(args))
}

/// `check --select policy --format concise .` in `dir`, with no configuration file.
fn concise_in(dir: &std::path::Path) -> common::Run {
    run(common::plimsoll_in(dir).args(["check", "--no-config", "--select", "policy", "--format", "concise", "."]))
}

/// A ConfigMap param bound by name: the object in the param's namespace is judged against
/// it and pointed at the offending image; the object whose namespace has no such param is
/// not evaluated (and said so, once).
#[test]
fn params_from_the_set() {
    let r = check(&["testdata/policies/params"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(r.stdout);
}

/// A binding may select its params by labels instead of by name: every labelled object of
/// the param kind is read, whatever its name, and judges as the named one does.
#[test]
fn params_selected_by_labels() {
    let fixture = common::root().join("testdata/policies/params");
    let workloads = |policy: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("policy.yaml"), policy).expect("policy");
        std::fs::copy(fixture.join("workloads.yaml"), dir.path().join("workloads.yaml")).expect("copy");
        let r = concise_in(dir.path());
        let lines: Vec<String> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("workloads.yaml"))
            .map(str::to_string)
            .collect();
        lines
    };
    let by_name = std::fs::read_to_string(fixture.join("policy.yaml")).expect("read");
    let by_labels = by_name
        .replace(
            "    name: registries\n",
            "    selector: {matchLabels: {role: registries}}\n",
        )
        .replace(
            "  name: registries\n  namespace: storefront\n",
            "  name: allowed\n  namespace: storefront\n  labels: {role: registries}\n",
        );
    assert!(by_labels.contains("matchLabels") && by_labels.contains("name: allowed"));
    let expected = workloads(&by_name);
    assert!(
        expected
            .iter()
            .any(|l| l.starts_with("workloads.yaml:20:11: warning[policy-violation]")),
        "{expected:?}"
    );
    let got: Vec<String> = workloads(&by_labels)
        .iter()
        .map(|l| l.replace("ConfigMap storefront/allowed", "ConfigMap storefront/registries"))
        .collect();
    assert_eq!(got, expected);
}

/// With `complete_set: true` a missing param under `parameterNotFoundAction: Deny` is the
/// API server's configuration error, not an unknown (at the binding's severity: Warn).
#[test]
fn params_missing_from_a_complete_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(".plimsoll.yaml"), "complete_set: true\n").expect("config");
    for f in ["policy.yaml", "workloads.yaml"] {
        std::fs::copy(
            common::root().join("testdata/policies/params").join(f),
            dir.path().join(f),
        )
        .expect("copy");
    }
    let r = run(common::plimsoll_in(dir.path()).args(["check", "--select", "policy", "--format", "concise", "."]));
    assert!(
        r.stdout.contains("warning[policy-evaluation-error]")
            && r.stdout.contains(
                "failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"
            ),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("policy-not-evaluated"), "{}", r.stdout);
}

/// Custom rules of `.plimsoll.yaml` (and of a `custom_rules_files` file) fire with their own
/// id, severity and message, at the field their expression reads; an object the
/// condition exempts is skipped.
#[test]
fn custom_rules_fire_with_their_own_id() {
    let dir = common::root().join("testdata/policies/custom");
    let r = run(common::plimsoll_in(&dir).args(["check", "--color", "never", "--select", "custom", "."]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(common::normalize(&r.stdout));
    let r = run(common::plimsoll_in(&dir).args(["rules"]));
    assert!(
        r.stdout.contains("acme-team-label") && r.stdout.contains("(custom: .plimsoll.yaml:3)"),
        "{}",
        r.stdout
    );
    let r = run(common::plimsoll_in(&dir).args(["explain", "acme-memory-limit"]));
    assert!(
        r.stdout.contains("## Expression") && r.stdout.contains("quantity('2Gi')"),
        "{}",
        r.stdout
    );
    let r = run(common::plimsoll_in(&dir).args(["check", "--format", "sarif", "."]));
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif");
    common::assert_valid_sarif(&sarif);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules");
    let team = rules.iter().find(|r| r["id"] == "acme-team-label").expect("descriptor");
    assert_eq!(team["helpUri"], "https://wiki.acme.example/k8s/labels#team");
    assert!(
        team["properties"]["tags"]
            .as_array()
            .expect("tags")
            .contains(&"custom".into())
    );
}

/// A custom rule is suppressed like a built-in one.
#[test]
fn custom_rules_are_suppressed_like_built_in_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = common::root().join("testdata/policies/custom");
    std::fs::copy(src.join(".plimsoll.yaml"), dir.path().join(".plimsoll.yaml")).expect("copy");
    std::fs::create_dir(dir.path().join("policies")).expect("mkdir");
    std::fs::copy(
        src.join("policies/resources.yaml"),
        dir.path().join("policies/resources.yaml"),
    )
    .expect("copy");
    let text = std::fs::read_to_string(src.join("workloads.yaml")).expect("read");
    let text = text.replacen(
        "  name: search\n",
        "  name: search\n  annotations:\n    ignore.plimsoll.dev/acme-team-label: \"owned by the platform team\"\n",
        1,
    );
    std::fs::write(dir.path().join("workloads.yaml"), text).expect("write");
    let r =
        run(common::plimsoll_in(dir.path()).args(["check", "--format", "concise", "--select", "acme-team-label", "."]));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

/// `--check-custom-rules` runs each rule's examples: exit 0 when `bad` fires and `good`
/// does not, 2 otherwise.
#[test]
fn check_custom_rules_runs_the_examples() {
    let r =
        run(common::plimsoll_in(&common::root().join("testdata/policies/custom"))
            .args(["check", "--check-custom-rules"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("ok    acme-team-label examples.bad"), "{}", r.stdout);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".plimsoll.yaml"),
        "custom_rules:\n  - id: acme-replicas\n    summary: at most 3 replicas\n    expression: \"object.spec.?replicas.orValue(1) <= 3\"\n    examples:\n      bad: |\n        apiVersion: apps/v1\n        kind: Deployment\n        metadata: {name: a}\n        spec: {replicas: 2}\n      good: |\n        apiVersion: apps/v1\n        kind: Deployment\n        metadata: {name: a}\n        spec: {replicas: 1}\n",
    )
    .expect("config");
    let r = run(common::plimsoll_in(dir.path()).args(["check", "--check-custom-rules"]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("FAIL  acme-replicas examples.bad: the rule does not fire"),
        "{}",
        r.stdout
    );
}

/// Ids that are not kebab-case `<family>-<name>`, that take a built-in family, and
/// expressions that do not compile or read undeclared names are configuration errors (exit
/// 2) that name the file, line and key.
#[test]
fn custom_rule_configuration_errors() {
    let mut out = String::new();
    for (id, expression) in [
        ("acme", "true"),
        ("pss-mine", "true"),
        ("acme-x", "object.spec.replicas >"),
        ("acme-x", "objet.spec.replicas > 1"),
        ("acme-x", "variables.nope"),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join(".plimsoll.yaml"),
            format!("custom_rules:\n  - id: {id}\n    summary: s\n    expression: \"{expression}\"\n"),
        )
        .expect("config");
        std::fs::write(
            dir.path().join("a.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        )
        .expect("write");
        let r = run(common::plimsoll_in(dir.path()).args(["check", "."]));
        assert_eq!(r.code, 2, "{id}: {expression}: {}", r.stderr);
        out.push_str(&r.stderr);
    }
    insta::assert_snapshot!(out);
}

/// A Kyverno ValidatingPolicy about Pods judges Pods and, through autogen, the pod
/// templates of controllers (positions inside the template); a PolicyException excepts the
/// objects its match conditions select; a policy in HTTP mode is said not evaluated.
#[test]
fn kyverno_autogen_exceptions_and_modes() {
    let r = check(&["--format", "concise", "testdata/policies/kyverno"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(common::normalize(&r.stdout));
}

/// Kyverno ClusterPolicy rules with `validate.cel`: matched by Kyverno's resource filters
/// (kinds, namespaces), applied to controllers' pod templates by autogen (`autogen-<rule>`),
/// severities from `validationFailureAction`; a rule with JMESPath preconditions is said not
/// evaluated.
#[test]
fn kyverno_cluster_policy_cel_rules() {
    let r = check(&["--format", "concise", "testdata/policies/kyverno-cel"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    insta::assert_snapshot!(common::normalize(&r.stdout));
}

/// A qualified id (`policy-violation.<policy>`) suppresses one policy's findings, in an
/// annotation, a comment or the configuration, and is reported when it matches nothing.
#[test]
fn qualified_suppressions_name_one_policy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = common::root().join("testdata/policies/kyverno");
    std::fs::copy(src.join("policy.yaml"), dir.path().join("policy.yaml")).expect("copy");
    let text = std::fs::read_to_string(src.join("workloads.yaml")).expect("read");
    let text = text.replacen(
        "  name: debug\n  namespace: apps\n",
        "  name: debug\n  namespace: apps\n  annotations:\n    ignore.plimsoll.dev/policy-violation.disallow-host-network: \"debugging pod, removed after the incident\"\n",
        1,
    );
    let text = text.replacen(
        "      hostNetwork: true\n      containers:\n        - name: proxy",
        "      # plimsoll: ignore[policy-violation.some-other-policy] not this policy\n      hostNetwork: true\n      containers:\n        - name: proxy",
        1,
    );
    std::fs::write(dir.path().join("workloads.yaml"), text).expect("write");
    let r = run(common::plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--format",
        "concise",
        "--select",
        "policy-violation,unused-suppression",
        ".",
    ]));
    // The Pod's violation is suppressed; the Deployment's is not (the comment names another
    // policy), and that comment is reported as unused.
    assert!(!r.stdout.contains("workloads.yaml:10:"), "{}", r.stdout);
    assert!(r.stdout.contains("autogen for Deployment"), "{}", r.stdout);
    assert!(r.stdout.contains("unused-suppression"), "{}", r.stdout);
    assert_eq!(r.stdout.matches("[policy-violation]").count(), 1, "{}", r.stdout);
}

/// A manifest vendored twice (the same document, byte for byte, in two files) is judged
/// as each copy: every copy that breaks the policy is reported, at its own place, and an
/// object the policy cannot judge offline is counted once per copy. (A clean copy is not
/// read again: its evaluation is the first one's.)
#[test]
fn copies_of_a_document_are_judged_as_each_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("policy.yaml"),
        "apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: few-replicas
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: [apps]
        apiVersions: [v1]
        operations: [CREATE]
        resources: [deployments]
  validations:
    - expression: object.spec.replicas <= 3
      message: at most 3 replicas
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: few-replicas
spec:
  policyName: few-replicas
  validationActions: [Deny]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: named-users
spec:
  matchConstraints:
    resourceRules:
      - apiGroups: ['']
        apiVersions: [v1]
        operations: [CREATE]
        resources: [configmaps]
  validations:
    - expression: request.userInfo.username != ''
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: named-users
spec:
  policyName: named-users
  validationActions: [Deny]
",
    )
    .expect("policy");
    let deployment = |name: &str, replicas: u32| {
        format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: app, image: app:1}}]
"
        )
    };
    let vendored = format!(
        "{}---\n{}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings, namespace: shop}}\n",
        deployment("big", 5),
        deployment("small", 2)
    );
    for copy in ["a.yaml", "b.yaml"] {
        std::fs::write(dir.path().join(copy), &vendored).expect("copy");
    }
    // The same document in another place of a file: its own line, the same verdict.
    std::fs::write(
        dir.path().join("c.yaml"),
        format!("# moved\n\n{}", deployment("big", 5)),
    )
    .expect("c");
    let r = concise_in(dir.path());
    let lines: Vec<&str> = r.stdout.lines().filter(|l| l.contains("[policy-")).collect();
    insta::assert_snapshot!(lines.join("\n"));
}
