//! Conformance with Kyverno's own tests for its pod-security ValidatingPolicies
//! (`../shared/corpora/policies/kyverno-pod-security-vpol`, kyverno/policies
//! `pod-security-vpol/`): for every `.kyverno-test/kyverno-test.yaml`, plimsoll runs on the
//! test's policies and resources, and each expected result must agree: `fail` ⇔ at least one
//! `policy-violation` of that policy on that (kind, name), `pass` ⇔ none; and no
//! `policy-invalid`, `policy-evaluation-error` or `policy-not-evaluated` at all. The
//! chainsaw tests' `pod-good`/`podcontroller-good` files must pass and every object of
//! `pod-bad`/`podcontroller-bad` must fail. Positions: every bad resource of each policy is
//! blamed on a field, not the object (checked against the expected field of each policy).

mod common;

use common::{plimsoll, run};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The YAML documents of a file, as JSON.
fn documents(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (tree, docs, err) = plimsoll::source::parse(&text, &plimsoll::source::Limits::default());
    assert!(err.is_none(), "{}: {err:?}", path.display());
    docs.iter()
        .filter_map(|d| plimsoll::celhost::value::json_of_node(&tree, d.root).ok())
        .collect()
}

/// (policy, kind, name) of every finding of `rule`, and the routes of the violations.
struct Outcome {
    violations: BTreeMap<(String, String, String), Vec<String>>,
    others: Vec<String>,
}

fn check(files: &[PathBuf]) -> Outcome {
    let r = run(plimsoll()
        .args([
            "check",
            "--no-config",
            "--select",
            "policy",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .args(files));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let mut out = Outcome {
        violations: BTreeMap::new(),
        others: Vec::new(),
    };
    for f in doc["findings"].as_array().expect("findings") {
        let rule = f["rule"].as_str().expect("rule");
        let message = f["message"].as_str().expect("message");
        if rule != "policy-violation" {
            out.others.push(format!("{rule}: {message}"));
            continue;
        }
        let policy = message
            .split('\'')
            .nth(1)
            .expect("the message names the policy")
            .to_string();
        let kind = f["object"]["kind"].as_str().expect("kind").to_string();
        let name = f["object"]["name"].as_str().expect("name").to_string();
        out.violations
            .entry((policy, kind, name))
            .or_default()
            .push(f["route"].as_str().unwrap_or("").to_string());
    }
    out
}

/// The field each policy's violations must point into (a route containing this text).
fn expected_field(policy: &str) -> &'static [&'static str] {
    match policy {
        "disallow-capabilities" | "disallow-capabilities-strict" | "adding-capabilities-strict" => &["capabilities"],
        "disallow-host-namespaces" => &["hostNetwork", "hostPID", "hostIPC"],
        "disallow-host-path" => &["hostPath"],
        "disallow-host-ports" => &["hostPort"],
        "disallow-host-process" => &["hostProcess"],
        "disallow-privileged-containers" => &["privileged"],
        "disallow-proc-mount" => &["procMount"],
        "disallow-selinux" => &["seLinuxOptions"],
        "restrict-seccomp" | "restrict-seccomp-strict" => &["seccompProfile"],
        "restrict-sysctls" => &["sysctls"],
        "disallow-privilege-escalation" => &["allowPrivilegeEscalation", "securityContext"],
        "require-run-as-non-root-user" => &["runAsUser", "securityContext"],
        "require-run-as-nonroot" => &["runAsNonRoot", "securityContext"],
        "restrict-volume-types" => &["volumes"],
        _ => &[],
    }
}

#[test]
fn kyverno_test_expectations() {
    let Some(shared) = common::shared_or_skip("Kyverno ValidatingPolicy conformance") else {
        return;
    };
    let root = shared.join("corpora/policies/kyverno-pod-security-vpol");
    let mut tests: Vec<PathBuf> = Vec::new();
    for level in ["baseline", "restricted"] {
        for entry in std::fs::read_dir(root.join(level)).expect("corpus") {
            let t = entry.expect("entry").path().join(".kyverno-test");
            if !t.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&t).expect("kyverno test dir") {
                let f = f.expect("entry").path();
                let doc = documents(&f);
                if doc.first().is_some_and(|d| d["kind"] == "Test") {
                    tests.push(f);
                }
            }
        }
    }
    tests.sort();
    assert_eq!(tests.len(), 16, "one kyverno-test.yaml per policy folder");
    let (mut total, mut agree, mut blamed, mut violations) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for test in &tests {
        let dir = test.parent().expect("dir");
        let spec = &documents(test)[0];
        let files: Vec<PathBuf> = ["policies", "resources"]
            .iter()
            .flat_map(|k| spec[k].as_array().cloned().unwrap_or_default())
            .map(|p| dir.join(p.as_str().expect("path")))
            .collect();
        let outcome = check(&files);
        for o in &outcome.others {
            failures.push(format!("{}: unexpected {o}", test.display()));
        }
        for result in spec["results"].as_array().expect("results") {
            let policy = result["policy"].as_str().expect("policy");
            let kind = result["kind"].as_str().expect("kind");
            let fail = result["result"] == "fail";
            for name in result["resources"].as_array().expect("resources") {
                let name = name.as_str().expect("name");
                let name = name.rsplit('/').next().unwrap_or(name);
                total += 1;
                let key = (policy.to_string(), kind.to_string(), name.to_string());
                let found = outcome.violations.get(&key);
                if found.is_some() == fail {
                    agree += 1;
                } else {
                    failures.push(format!(
                        "{}: {policy} {kind}/{name}: expected {}, got {found:?}",
                        test.display(),
                        result["result"]
                    ));
                }
                for route in found.into_iter().flatten() {
                    violations += 1;
                    if expected_field(policy).iter().any(|f| route.contains(f)) {
                        blamed += 1;
                    } else {
                        failures.push(format!("{policy} {kind}/{name}: blamed on `{route}`"));
                    }
                }
            }
        }
    }
    println!(
        "Kyverno test expectations: {agree}/{total} agree; {blamed}/{violations} violations at the policy's field"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn chainsaw_good_and_bad_resources() {
    let Some(shared) = common::shared_or_skip("Kyverno chainsaw conformance") else {
        return;
    };
    let root = shared.join("corpora/policies/kyverno-pod-security-vpol");
    let mut failures = Vec::new();
    let mut checked = 0;
    for level in ["baseline", "restricted"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(level))
            .expect("corpus")
            .map(|e| e.expect("entry").path())
            .collect();
        dirs.sort();
        for dir in dirs.into_iter().filter(|d| d.is_dir()) {
            let name = dir.file_name().expect("name").to_string_lossy().to_string();
            let chainsaw = dir.join(".chainsaw-test");
            let policy = dir.join(format!("{name}.yaml"));
            for case in ["pod-good", "pod-bad", "podcontroller-good", "podcontroller-bad"] {
                let file = chainsaw.join(format!("{case}.yaml"));
                if !file.exists() {
                    continue;
                }
                let outcome = check(&[policy.clone(), file.clone()]);
                for o in &outcome.others {
                    failures.push(format!("{}: unexpected {o}", file.display()));
                }
                let failed: BTreeSet<(String, String)> = outcome
                    .violations
                    .keys()
                    .map(|(_, k, n)| (k.clone(), n.clone()))
                    .collect();
                for d in documents(&file) {
                    let key = (
                        d["kind"].as_str().unwrap_or_default().to_string(),
                        d["metadata"]["name"].as_str().unwrap_or_default().to_string(),
                    );
                    checked += 1;
                    if failed.contains(&key) != case.ends_with("bad") {
                        failures.push(format!("{}: {}/{} expected {case}", file.display(), key.0, key.1));
                    }
                }
            }
        }
    }
    println!("chainsaw resources checked: {checked}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Where each policy's findings on its chainsaw `pod-bad.yaml` point: the field, not the
/// object (the spec's worked examples: the first disallowed capability, the host namespace
/// set, the first volume of a disallowed type).
#[test]
fn positions_on_bad_pods() {
    let Some(shared) = common::shared_or_skip("Kyverno ValidatingPolicy positions") else {
        return;
    };
    let root = shared.join("corpora/policies/kyverno-pod-security-vpol");
    let mut table = String::new();
    for level in ["baseline", "restricted"] {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(level))
            .expect("corpus")
            .map(|e| e.expect("entry").path())
            .filter(|d| d.is_dir())
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir.file_name().expect("name").to_string_lossy().to_string();
            let r = run(plimsoll()
                .args([
                    "check",
                    "--no-config",
                    "--select",
                    "policy-violation",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                ])
                .arg(dir.join(format!("{name}.yaml")))
                .arg(dir.join(".chainsaw-test/pod-bad.yaml")));
            let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
            for f in doc["findings"].as_array().expect("findings") {
                let related: Vec<&str> = f["related"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["message"].as_str())
                    .filter(|m| m.starts_with("also: "))
                    .collect();
                table.push_str(&format!(
                    "{name} {} → {}:{} `{}`{}\n",
                    f["object"]["name"].as_str().unwrap_or("?"),
                    f["start"]["line"],
                    f["start"]["column"],
                    f["route"].as_str().unwrap_or("?"),
                    if related.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", related.join("; "))
                    }
                ));
            }
        }
    }
    insta::assert_snapshot!("kyverno_pod_security_positions", table);
}
