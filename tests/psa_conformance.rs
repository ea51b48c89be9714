//! Conformance with upstream Pod Security Admission: every fixture of
//! `kubernetes/pod-security-admission` `test/testdata` (in `../shared/corpora/psa`) is judged
//! at its level and version. `pass` fixtures must produce no `pss-*` finding; `fail`
//! fixtures must produce a finding from the rule of the check named in their file name.

mod common;

use common::{plimsoll, run};
use std::collections::{BTreeMap, BTreeSet};

/// Upstream check id → rule id.
fn rule_for(check: &str) -> Option<&'static str> {
    Some(match check {
        "appArmorProfile" => "pss-app-armor",
        "capabilities_baseline" => "pss-capabilities-baseline",
        "hostNamespaces" => "pss-host-namespaces",
        "hostPathVolumes" => "pss-host-path-volumes",
        "hostPorts" => "pss-host-ports",
        "hostProbesAndHostLifecycle" => "pss-host-probes",
        "privileged" => "pss-privileged",
        "procMount" => "pss-proc-mount",
        "seLinuxOptions" => "pss-selinux",
        "seccompProfile_baseline" => "pss-seccomp-baseline",
        "sysctls" => "pss-sysctls",
        "windowsHostProcess" => "pss-windows-host-process",
        "allowPrivilegeEscalation" => "pss-allow-privilege-escalation",
        "capabilities_restricted" => "pss-capabilities-restricted",
        "procMount_restricted" => "pss-proc-mount-restricted",
        "restrictedVolumes" => "pss-restricted-volumes",
        "runAsNonRoot" => "pss-run-as-non-root",
        "runAsUser" => "pss-run-as-user",
        "seccompProfile_restricted" => "pss-seccomp-restricted",
        _ => return None,
    })
}

/// Under restricted, some baseline checks are replaced by restricted ones (pss.md §1.3);
/// the restricted folders hold fixtures named after the baseline check.
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

/// (path, expected verdict, check id) of one fixture.
type Fixture = (String, String, String);

#[test]
fn upstream_fixtures() {
    let Some(shared) = common::shared_or_skip("PSA conformance") else {
        return;
    };
    let psa = shared.join("corpora/psa");
    let tsv = std::fs::read_to_string(psa.join("EXPECTATIONS.tsv")).expect("EXPECTATIONS.tsv");
    // (level, version) → [(path, expected, check)]
    let mut groups: BTreeMap<(String, String), Vec<Fixture>> = BTreeMap::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        groups.entry((f[1].to_string(), f[2].to_string())).or_default().push((
            f[0].to_string(),
            f[3].to_string(),
            f[4].to_string(),
        ));
    }
    let mut total = 0;
    let mut agree = 0;
    let mut per_level: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut extra_rules = 0;
    let mut failures = Vec::new();
    for ((level, version), fixtures) in &groups {
        let dir = psa.join("test/testdata").join(level).join(version);
        let r = run(plimsoll()
            .args([
                "check",
                "--no-config",
                "--select",
                "pss",
                "--format",
                "json",
                "--fail-on",
                "never",
            ])
            .args(["--pss-level", level, "--pss-version", version])
            .arg(&dir));
        assert_eq!(r.code, 0, "{level} {version}: {}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        let mut by_file: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in doc["findings"].as_array().expect("findings") {
            let file = f["file"].as_str().expect("file");
            let name = last_two(file);
            by_file
                .entry(name)
                .or_default()
                .insert(f["rule"].as_str().expect("rule").to_string());
        }
        for (path, expected, check) in fixtures {
            let name = &last_two(path);
            let rules = by_file.get(name).cloned().unwrap_or_default();
            let ok = match expected.as_str() {
                "pass" => rules.is_empty(),
                _ => {
                    let minor: u32 = version.trim_start_matches("v1.").parse().expect("version");
                    let want =
                        rule_for(&overriding(check, level, minor)).unwrap_or_else(|| panic!("unknown check {check}"));
                    let others: Vec<&str> = rules.iter().map(String::as_str).filter(|r| *r != want).collect();
                    if !others.is_empty() {
                        extra_rules += 1;
                        if !others.iter().all(|o| also_violated(check, o)) {
                            failures.push(format!(
                                "{level} {version} {name}: unexpected extra findings {others:?}"
                            ));
                        }
                    }
                    rules.contains(want)
                }
            };
            total += 1;
            let e = per_level.entry(level.clone()).or_default();
            e.0 += 1;
            if ok {
                agree += 1;
                e.1 += 1;
            } else {
                failures.push(format!(
                    "{level} {version} {name} (expected {expected} {check}, got {rules:?})"
                ));
            }
        }
    }
    println!("PSA conformance: {agree}/{total} fixtures agree");
    for (level, (n, ok)) in &per_level {
        println!("  {level}: {ok}/{n}");
    }
    println!("  fail fixtures with findings from other PSS rules too: {extra_rules}");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(total, 4537, "EXPECTATIONS.tsv should list 4,537 fixtures");
}

/// A few upstream `fail` fixtures violate a second check on purpose, because API validation
/// or the first violation requires it; upstream Pod Security Admission reports both:
/// - `windowsHostProcess`: a HostProcess pod must also set `hostNetwork: true`;
/// - `privileged` (restricted level): API validation rejects `privileged: true` together with
///   `allowPrivilegeEscalation: false`, so the privileged container does not set it;
/// - `allowPrivilegeEscalation` (restricted): the fixture's container without a
///   `securityContext` also does not drop `ALL` capabilities.
fn also_violated(check: &str, other_rule: &str) -> bool {
    matches!(
        (check, other_rule),
        ("windowsHostProcess", "pss-host-namespaces")
            | ("privileged", "pss-allow-privilege-escalation")
            | ("allowPrivilegeEscalation", "pss-capabilities-restricted")
    )
}

/// `pass/x.yaml` from `…/v1.30/pass/x.yaml` (pass and fail fixtures share file names).
fn last_two(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let dir = parts.next().unwrap_or_default();
    format!("{dir}/{name}")
}
