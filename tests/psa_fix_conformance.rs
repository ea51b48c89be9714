//! The Pod Security Admission conformance corpus, fixed (`specs/autofix.md` §7.4): every
//! upstream fixture is copied, `check --fix --unsafe-fixes` runs on the copy at the
//! fixture's level and version, and then:
//!
//! - every `fail` fixture with a fix is judged passing (no `pss-*` finding remains);
//! - the fixtures whose only problem has no fix (`hostPathVolumes`, `restrictedVolumes`)
//!   stay byte-identical and are reported not fixable;
//! - every `pass` fixture gets no edit;
//! - the fixed pod differs from the original only under the routes Pod Security fixes may
//!   touch;
//! - every comment line of the original is still there.
//!
//! Plimsoll's verdicts agree with Pod Security Admission on every fixture
//! (`psa_conformance.rs`), so "plimsoll passes it" stands for "admission admits it".

mod common;

use common::{plimsoll_in, run};
use plimsoll::engine::fix::value_of;
use plimsoll::source::edit::Value;
use plimsoll::source::{Limits, parse};
use std::collections::BTreeMap;
use std::path::Path;

/// Checks with no fix: replacing storage changes what the workload is.
const NO_FIX: &[&str] = &["hostPathVolumes", "restrictedVolumes"];

struct Fixture {
    path: String,
    expected: String,
    check: String,
}

/// The check a restricted fixture named after a baseline check is judged by (pss.md §1.3).
fn overriding(check: &str, level: &str, minor: u32) -> String {
    let replaced = match check {
        "hostPathVolumes" => Some(("restrictedVolumes", 0)),
        "seccompProfile_baseline" => Some(("seccompProfile_restricted", 19)),
        "capabilities_baseline" => Some(("capabilities_restricted", 22)),
        "procMount" => Some(("procMount_restricted", 35)),
        _ => None,
    };
    match replaced {
        Some((by, from)) if level == "restricted" && minor >= from => by.to_string(),
        _ => check.to_string(),
    }
}

/// Whether a changed route is one Pod Security fixes may touch.
fn allowed(route: &str) -> bool {
    let pod = route.strip_prefix("spec.").unwrap_or("");
    let container = ["containers[", "initContainers[", "ephemeralContainers["]
        .iter()
        .find_map(|p| pod.strip_prefix(p))
        .and_then(|r| r.split_once("]."))
        .map(|(_, rest)| rest);
    pod.starts_with("hostNetwork")
        || pod.starts_with("hostPID")
        || pod.starts_with("hostIPC")
        || pod.starts_with("securityContext")
        || container.is_some_and(|c| {
            c.starts_with("securityContext")
                || (c.starts_with("ports[") && c.ends_with("hostPort"))
                || ((c.contains("Probe.") || c.starts_with("lifecycle.")) && c.ends_with(".host"))
        })
        || route.starts_with("metadata.annotations.seccomp.security.alpha.kubernetes.io")
        || route.starts_with("metadata.annotations.container.seccomp.security.alpha.kubernetes.io")
        || route.starts_with("metadata.annotations.container.apparmor.security.beta.kubernetes.io")
}

/// The routes at which two values differ.
fn differences(route: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Map(x)), Some(Value::Map(y))) => {
            let keys: std::collections::BTreeSet<&String> = x.iter().chain(y).map(|(k, _)| k).collect();
            for k in keys {
                let get = |m: &[(String, Value)]| m.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
                let sub = if route.is_empty() {
                    k.clone()
                } else {
                    format!("{route}.{k}")
                };
                differences(&sub, get(x).as_ref(), get(y).as_ref(), out);
            }
        }
        (Some(Value::Seq(x)), Some(Value::Seq(y))) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{route}[{i}]"), Some(p), Some(q), out);
            }
        }
        (x, y) if x == y => {}
        _ => out.push(route.to_string()),
    }
}

fn value(text: &str) -> Option<Value> {
    let (tree, docs, err) = parse(text, &Limits::default());
    if err.is_some() {
        return None;
    }
    value_of(&tree, docs.first()?.root)
}

fn comment_lines(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| l.starts_with('#')).collect()
}

/// Runs `check --fix` on a copy of the group's fixtures; returns the copy.
fn fix_group(psa: &Path, level: &str, version: &str, fixtures: &[Fixture], unsafe_fixes: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (i, f) in fixtures.iter().enumerate() {
        std::fs::copy(psa.join(&f.path), dir.path().join(format!("{i:04}.yaml"))).expect("copy");
    }
    let mut cmd = plimsoll_in(dir.path());
    cmd.args([
        "check",
        "--no-config",
        "--select",
        "pss",
        "--fix",
        "--fail-on",
        "never",
        "--quiet",
    ])
    .args(["--pss-level", level, "--pss-version", version])
    .args(["--format", "json=fixed.json", "."]);
    if unsafe_fixes {
        cmd.arg("--unsafe-fixes");
    }
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{level} {version}: {}", r.stderr);
    dir
}

/// The rules of the findings left in each fixture after fixing, and whether each says it
/// is not fixable.
fn remaining(dir: &Path) -> BTreeMap<String, Vec<(String, bool)>> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("fixed.json")).expect("fixed.json")).expect("json");
    let mut by_file: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for f in doc["findings"].as_array().expect("findings") {
        let file = f["file"].as_str().expect("file").trim_start_matches("./").to_string();
        by_file.entry(file).or_default().push((
            f["rule"].as_str().expect("rule").to_string(),
            f["not_fixable"].is_string(),
        ));
    }
    by_file
}

#[test]
fn fixed_fixtures_pass_pod_security_admission() {
    let Some(shared) = common::shared_or_skip("PSA fix conformance") else {
        return;
    };
    let psa = shared.join("corpora/psa");
    let tsv = std::fs::read_to_string(psa.join("EXPECTATIONS.tsv")).expect("EXPECTATIONS.tsv");
    let mut groups: BTreeMap<(String, String), Vec<Fixture>> = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        groups
            .entry((f[1].to_string(), f[2].to_string()))
            .or_default()
            .push(Fixture {
                path: f[0].to_string(),
                expected: f[3].to_string(),
                check: f[4].to_string(),
            });
    }
    // level → (fail, fixed, exempt, pass, untouched passes, safe-only fixed)
    let mut counts: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    let mut failures = Vec::new();
    for ((level, version), fixtures) in &groups {
        let minor: u32 = version.trim_start_matches("v1.").parse().expect("version");
        let dir = fix_group(&psa, level, version, fixtures, true);
        let left = remaining(dir.path());
        let safe_dir = (level == "restricted").then(|| fix_group(&psa, level, version, fixtures, false));
        let safe_left = safe_dir.as_ref().map(|d| remaining(d.path()));
        let c = counts.entry(level.clone()).or_default();
        for (i, f) in fixtures.iter().enumerate() {
            let name = format!("{i:04}.yaml");
            let before = std::fs::read_to_string(psa.join(&f.path)).expect("fixture");
            let after = std::fs::read_to_string(dir.path().join(&name)).expect("fixed");
            let findings = left.get(&name).cloned().unwrap_or_default();
            let what = format!("{level} {version} {} ({})", f.path, f.check);
            if f.expected == "pass" {
                c[3] += 1;
                if after == before {
                    c[4] += 1;
                } else {
                    failures.push(format!("{what}: a pass fixture was edited"));
                }
                continue;
            }
            c[0] += 1;
            if NO_FIX.contains(&overriding(&f.check, level, minor).as_str()) {
                c[2] += 1;
                if after != before {
                    failures.push(format!("{what}: a fixture without a fix was edited"));
                }
                if findings.is_empty() || !findings.iter().all(|(_, not_fixable)| *not_fixable) {
                    failures.push(format!("{what}: not reported as not fixable: {findings:?}"));
                }
                continue;
            }
            if !findings.is_empty() {
                failures.push(format!("{what}: still fails after fixing: {findings:?}"));
                continue;
            }
            let mut changed = Vec::new();
            differences("", value(&before).as_ref(), value(&after).as_ref(), &mut changed);
            let outside: Vec<&String> = changed.iter().filter(|r| !allowed(r)).collect();
            if !outside.is_empty() {
                failures.push(format!("{what}: changed outside the allowed routes: {outside:?}"));
                continue;
            }
            let kept = comment_lines(&after);
            if comment_lines(&before).iter().any(|l| !kept.contains(l)) {
                failures.push(format!("{what}: a comment line was lost"));
                continue;
            }
            c[1] += 1;
            if safe_left.as_ref().is_some_and(|s| !s.contains_key(&name)) {
                c[5] += 1;
            }
        }
    }
    for (level, c) in &counts {
        println!(
            "{level}: {} of {} fail fixtures pass after fixing, {} have no fix, {}/{} pass fixtures untouched{}",
            c[1],
            c[0],
            c[2],
            c[4],
            c[3],
            if level == "restricted" {
                format!("; safe fixes alone repair {}", c[5])
            } else {
                String::new()
            }
        );
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let restricted = counts["restricted"];
    assert_eq!((restricted[0], restricted[1], restricted[2]), (2364, 1528, 836));
    let baseline = counts["baseline"];
    assert_eq!((baseline[0], baseline[1], baseline[2]), (1122, 1046, 76));
    assert_eq!((restricted[3], restricted[4]), (618, 618));
    assert_eq!((baseline[3], baseline[4]), (433, 433));
}
