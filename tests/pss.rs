//! Pod Security Standards across the set: namespace labels, levels, versions, target
//! cluster version and exemptions.

mod common;

use common::{plimsoll_in, root, run};
use std::collections::BTreeSet;

/// (namespace/name, rule) of each pss finding.
fn pss_findings(config: &str, args: &[&str]) -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["namespaces.yaml", "pods.yaml"] {
        std::fs::copy(root().join("testdata/pss").join(f), dir.path().join(f)).expect("copy");
    }
    std::fs::write(dir.path().join(".plimsoll.yaml"), config).expect("config");
    let mut all = vec!["check", "--select", "pss", "--format", "json", "--fail-on", "never"];
    all.extend_from_slice(args);
    all.push(".");
    let r = run(plimsoll_in(dir.path()).args(&all));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let o = &f["object"];
            (
                format!(
                    "{}/{}",
                    o["namespace"].as_str().unwrap_or(""),
                    o["name"].as_str().unwrap_or("")
                ),
                f["rule"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn objects(f: &BTreeSet<(String, String)>) -> BTreeSet<&str> {
    f.iter().map(|(o, _)| o.as_str()).collect()
}

#[test]
fn namespace_labels_raise_the_level_and_never_lower_it() {
    // Config: baseline. strict → restricted; typo → restricted (fail closed); plain →
    // baseline (the pod there is baseline-clean; kata is privileged); loose enforces
    // privileged, which does not lower the bar: its privileged pod is judged at baseline.
    let f = pss_findings("pss: {level: baseline}\n", &[]);
    assert_eq!(
        objects(&f),
        BTreeSet::from(["strict/web", "typo/web", "plain/kata", "loose/web"])
    );
    assert!(f.contains(&("strict/web".into(), "pss-run-as-non-root".into())));
    assert!(f.contains(&("plain/kata".into(), "pss-privileged".into())));
    assert!(f.contains(&("loose/web".into(), "pss-privileged".into())));
}

#[test]
fn a_namespace_that_admits_the_pod_is_named_in_the_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in ["namespaces.yaml", "pods.yaml"] {
        std::fs::copy(root().join("testdata/pss").join(f), dir.path().join(f)).expect("copy");
    }
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--select",
        "pss-privileged",
        "--format",
        "json",
        ".",
    ]));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let loose: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["object"]["namespace"] == "loose")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert_eq!(loose.len(), 1, "{}", r.stdout);
    assert!(
        loose[0].ends_with("; admitted today: namespace `loose` enforces `privileged:latest`"),
        "{}",
        loose[0]
    );
}

#[test]
fn namespace_labels_can_be_ignored() {
    let f = pss_findings("pss: {level: baseline, namespace_labels: ignore}\n", &[]);
    // Everything at baseline: only the two privileged pods.
    assert_eq!(objects(&f), BTreeSet::from(["loose/web", "plain/kata"]));
}

#[test]
fn exemptions() {
    let f = pss_findings(
        "pss: {level: baseline, exempt_namespaces: [strict], exempt_runtime_classes: [kata]}\n",
        &[],
    );
    assert_eq!(objects(&f), BTreeSet::from(["typo/web", "loose/web"]));
}

#[test]
fn privileged_level_checks_nothing() {
    let f = pss_findings("pss: {namespace_labels: ignore}\n", &["--pss-level", "privileged"]);
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn versions_select_behaviour() {
    // runAsUser exists from v1.23; at v1.22 a root pod passes that check.
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: root}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n  containers: [{name: app, image: nginx, securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}}]\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).expect("write");
    let rules = |args: &[&str]| {
        let mut all = vec![
            "check",
            "--no-config",
            "--select",
            "pss",
            "--format",
            "json",
            "--fail-on",
            "never",
        ];
        all.extend_from_slice(args);
        all.push("pod.yaml");
        let r = run(plimsoll_in(dir.path()).args(&all));
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| f["rule"].as_str().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&["--pss-version", "v1.22"]), Vec::<String>::new());
    assert_eq!(rules(&["--pss-version", "v1.23"]), ["pss-run-as-user"]);
    // A too-new version is clamped to the newest checks; the message keeps the request.
    let r = run(plimsoll_in(dir.path()).args([
        "check",
        "--no-config",
        "--select",
        "pss",
        "--pss-version",
        "v1.99",
        "pod.yaml",
    ]));
    assert!(
        r.stdout
            .contains("would violate PodSecurity \"restricted:v1.99\": runAsUser=0"),
        "{}",
        r.stdout
    );
}

#[test]
fn target_cluster_version_bounds_latest() {
    // Probe hosts are checked from policy v1.34: a 1.33 cluster's `latest` does not have it.
    let dir = tempfile::tempdir().expect("tempdir");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    livenessProbe: {tcpSocket: {host: localhost, port: 80}}\n";
    std::fs::write(dir.path().join("pod.yaml"), pod).expect("write");
    let count = |config: &str| {
        std::fs::write(dir.path().join(".plimsoll.yaml"), config).expect("config");
        let r = run(plimsoll_in(dir.path()).args([
            "check",
            "--select",
            "pss-host-probes",
            "--format",
            "json",
            "--fail-on",
            "never",
            "pod.yaml",
        ]));
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        doc["findings"].as_array().expect("findings").len()
    };
    assert_eq!(count("pss: {level: baseline}\n"), 1);
    assert_eq!(count("kubernetes_version: \"1.33\"\npss: {level: baseline}\n"), 0);
    assert_eq!(count("kubernetes_version: \"1.34\"\npss: {level: baseline}\n"), 1);
}

#[test]
fn a_namespace_label_written_with_escapes_is_found_too() {
    // The labels are read before the check from files that spell the enforce label out;
    // one written with YAML escapes is found by the check, and its namespace's workloads
    // are judged again: the findings are those of the plain spelling.
    let run_with = |namespaces: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("namespaces.yaml"), namespaces).expect("write");
        std::fs::copy(root().join("testdata/pss/pods.yaml"), dir.path().join("pods.yaml")).expect("copy");
        let r = run(plimsoll_in(dir.path()).args([
            "check",
            "--no-config",
            "--pss-level",
            "baseline",
            "--select",
            "pss",
            "--format",
            "concise",
            "--fail-on",
            "never",
            ".",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    let plain = std::fs::read_to_string(root().join("testdata/pss/namespaces.yaml")).expect("read");
    let escaped = plain.replace(
        "pod-security.kubernetes.io/enforce:",
        "\"pod-security.kubernetes.io\\x2Fenforce\":",
    );
    assert!(!escaped.contains("pod-security.kubernetes.io/enforce"));
    // Spelled out in the first Namespace only, and a large document after it: what is read
    // before the check stops there, and the other two are found by the check.
    let (head, tail) = plain.split_at(plain.find("---").expect("a second document"));
    let padding = format!(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: padding\n  namespace: plain\ndata:\n  blob: {}\n",
        "x".repeat(16 << 10)
    );
    let padded = format!("{head}{padding}{tail}");
    let first_only = format!(
        "{head}{padding}{}",
        tail.replace(
            "pod-security.kubernetes.io/enforce:",
            "\"pod-security.kubernetes.io\\x2Fenforce\":"
        )
    );
    assert_eq!(first_only.matches("pod-security.kubernetes.io/enforce").count(), 1);
    let (plain, escaped) = (run_with(&plain), run_with(&escaped));
    assert!(plain.contains("strict"), "{plain}");
    assert_eq!(plain, escaped);
    let (padded, first_only) = (run_with(&padded), run_with(&first_only));
    assert!(padded.contains("strict"), "{padded}");
    assert_eq!(padded, first_only);
}
