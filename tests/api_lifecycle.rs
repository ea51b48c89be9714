//! The API lifecycle data (`data/api-lifecycle.yaml`) and the `api-*` rules judged against
//! a target release: the same manifest is deprecated for one cluster and rejected by the
//! next.

mod common;

use common::{plimsoll, run};
use plimsoll::model::apilifecycle::{lifecycle, minor};
use plimsoll::model::pss::PssVersion;

fn at(version: &str) -> common::Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("plimsoll.yaml");
    std::fs::write(&config, format!("kubernetes_version: \"{version}\"\n")).expect("config");
    run(plimsoll()
        .args([
            "check", "--color", "never", "--format", "concise", "--select", "api", "--config",
        ])
        .arg(&config)
        .arg("testdata/api-lifecycle/apps-v1beta2.yaml"))
}

#[test]
fn apps_v1beta2_is_deprecated_for_1_15_and_removed_for_1_16() {
    let old = at("1.15");
    assert!(old.stdout.contains("warning[api-deprecated]"), "{}", old.stdout);
    assert!(
        old.stdout.contains("deprecated since v1.9 and removed in v1.16"),
        "{}",
        old.stdout
    );
    assert!(!old.stdout.contains("api-removed"), "{}", old.stdout);
    assert_eq!(old.code, 1);

    let new = at("1.16");
    assert!(new.stdout.contains("error[api-removed]"), "{}", new.stdout);
    assert!(
        new.stdout
            .contains("Kubernetes v1.16 and later no longer serve; use apps/v1"),
        "{}",
        new.stdout
    );
    assert!(!new.stdout.contains("api-deprecated"), "{}", new.stdout);
    // The version was given: no assumption is mentioned.
    assert!(!new.stdout.contains("assuming"), "{}", new.stdout);
}

#[test]
fn without_kubernetes_version_the_newest_release_is_assumed_and_named() {
    let r = run(plimsoll().args([
        "check",
        "--no-config",
        "--color",
        "never",
        "--select",
        "api",
        "testdata/api-lifecycle/apps-v1beta2.yaml",
    ]));
    let latest = &lifecycle().data.latest_release;
    assert!(
        r.stdout
            .contains(&format!("no kubernetes_version set; assuming v{latest}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Set `kubernetes_version` in .plimsoll.yaml"),
        "{}",
        r.stdout
    );
}

/// The data must be re-synced every Kubernetes minor: it may lag the newest release plimsoll
/// knows (the Pod Security versions) by one minor, not two.
#[test]
fn the_lifecycle_data_is_at_most_one_minor_behind() {
    let latest = lifecycle().latest_minor();
    assert!(
        latest + 2 > PssVersion::NEWEST,
        "data/api-lifecycle.yaml names v1.{latest} as the latest release, but plimsoll knows v1.{}: \
         refresh it with `bash scripts/sync-api-lifecycle.sh`",
        PssVersion::NEWEST
    );
}

/// Every release in the data is a Kubernetes minor, and removals come after deprecations.
#[test]
fn the_lifecycle_data_is_consistent() {
    for e in &lifecycle().data.kubernetes {
        let id = format!("{} {}", e.api_version, e.kind);
        let d = e
            .deprecated_in
            .as_deref()
            .map(|r| minor(r).unwrap_or_else(|| panic!("{id}: {r}")));
        let r = e
            .removed_in
            .as_deref()
            .map(|r| minor(r).unwrap_or_else(|| panic!("{id}: {r}")));
        if let (Some(d), Some(r)) = (d, r) {
            assert!(d <= r, "{id}: deprecated in 1.{d} after its removal in 1.{r}");
        }
        if let Some(s) = &e.replacement_since {
            assert!(minor(s).is_some(), "{id}: {s}");
        }
    }
}

/// The embedded copy is the one maintained in `../shared/data`.
#[test]
fn the_embedded_data_matches_the_shared_copy() {
    let Some(shared) = common::shared_or_skip("comparing data/api-lifecycle.yaml with ../shared") else {
        return;
    };
    let ours = std::fs::read_to_string(common::root().join("data/api-lifecycle.yaml")).expect("ours");
    let theirs = std::fs::read_to_string(shared.join("data/api-lifecycle.yaml")).expect("shared");
    assert!(
        ours == theirs,
        "data/api-lifecycle.yaml differs from ../shared/data/api-lifecycle.yaml: run `bash scripts/sync-api-lifecycle.sh`"
    );
}
