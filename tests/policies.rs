//! Admission policies of the set evaluated offline (`policy-*`), on fixtures under
//! `testdata/policies`: what users see.

mod common;

use common::{plimsoll, run};

fn check(args: &[&str]) -> common::Run {
    run(plimsoll()
        .args(["check", "--no-config", "--select", "policy"])
        .args(args))
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
