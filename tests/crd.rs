//! Custom resources validated against the CustomResourceDefinitions of the set
//! (`crd-schema-violation`, `crd-invalid`, and `unknown-field` for custom resources), on
//! the CRD corpora with their examples: every finding is recorded here with the reason it
//! is right, so that a false positive (or a lost true one) fails the test.

mod common;

use common::{plimsoll, run, shared_or_skip};
use std::collections::BTreeSet;

/// Findings as (file relative to `corpora/`, rule, route).
type Found = BTreeSet<(String, String, String)>;

#[derive(Debug)]
struct Finding {
    file: String,
    rule: String,
    route: String,
    message: String,
}

fn check(args: &[&str]) -> Vec<Finding> {
    let r = run(plimsoll()
        .args(["check", "--no-config", "--format", "json", "--fail-on", "never"])
        .args(args));
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| Finding {
            file: f["file"].as_str().expect("file").split_once("corpora/").map_or_else(
                || f["file"].as_str().unwrap_or_default().to_string(),
                |(_, p)| p.to_string(),
            ),
            rule: f["rule"].as_str().expect("rule").to_string(),
            route: f["route"].as_str().unwrap_or_default().to_string(),
            message: f["message"].as_str().expect("message").to_string(),
        })
        .collect()
}

fn set(rows: &[(&str, &str, &str)]) -> Found {
    rows.iter()
        .map(|(f, r, p)| (f.to_string(), r.to_string(), p.to_string()))
        .collect()
}

/// Only `Required value` violations (one or several merged at one mapping).
fn only_required(message: &str) -> bool {
    let text = message.rsplit_once(" (CRD ").map_or(message, |(m, _)| m);
    text.split("; ").all(|p| p.ends_with(": Required value"))
}

/// What the CRD corpora hold, judged against the CRDs shipped with them (Flagger, sigstore
/// policy-controller, Argo Workflows in `crd/argocd`), the 13 Gateway API CRDs of Istio's
/// test data and Argo CD's `install.yaml` (Application, AppProject, ApplicationSet).
const RECORDED: &[(&str, &str, &str)] = &[
    // Argo CD ApplicationSet design documents predate fields the CRD now requires: a
    // template's `project`, a git generator's `revision`; the `filters` proposal was never
    // implemented as written.
    (
        "crd/argocd/applicationset/examples/design-doc/applicationset-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/applicationset.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-directory-discovery-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.generators[0].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-directory-discovery-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-directory-discovery.yaml",
        "crd-schema-violation",
        "spec.generators[0].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-directory-discovery.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-discovery-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.generators[0].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-discovery-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-discovery.yaml",
        "crd-schema-violation",
        "spec.generators[0].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-discovery.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-literal-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.generators[0].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-literal-fasttemplate.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-literal.yaml",
        "crd-schema-violation",
        "spec.generators[0].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/git-files-literal.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/proposal/filters.yaml",
        "crd-schema-violation",
        "spec.generators[1].git.revision",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/proposal/filters.yaml",
        "crd-schema-violation",
        "spec.template.spec.project",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/proposal/filters.yaml",
        "unknown-field",
        "spec.generators[0].clusters.filters",
    ),
    (
        "crd/argocd/applicationset/examples/design-doc/proposal/filters.yaml",
        "unknown-field",
        "spec.generators[1].git.filters",
    ),
    // Argo CD's annotated ApplicationSet reference is not a valid object: keys of the
    // clusterDecisionResource generator are indented one level too high, `revision` for
    // `targetRevision`, `values` under `scmProvider.github`, `awsCodeCommit` (a newer
    // generator than the CRD), a `matrix.generators:` left empty (null, so pruned:
    // required), `helm.useCredentials` and `source.parameters` that do not exist.
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "crd-schema-violation",
        "spec.generators[6].matrix.generators",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[0].list.template.spec.source.revision",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[3].scmProvider.github.values",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[4].configMapRef",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[4].labelSelector",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[4].name",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[4].requeueAfterSeconds",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[5].pullRequest.awsCodeCommit",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[8].configMapRef",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.generators[8].input",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.template.spec.source.helm.useCredentials",
    ),
    (
        "crd/argocd/docs/operator-manual/applicationset.yaml",
        "unknown-field",
        "spec.template.spec.source.parameters",
    ),
    // Snippets of Argo CD's documentation that are wrong as objects: `destinations: ['*']`
    // (destinations are objects), `generators:` as a mapping, `github: ...` as an elision
    // (a string; two Applications with `spec: ...` are `invalid-manifest`'s, which reads
    // Applications into a struct of its own: one finding per root cause), a top-level
    // `annotations` (the `metadata:` above it is empty),
    // proposals for fields that were named differently or never made (`impersonate` under
    // a destination, `deletionSync`, `source.valueFiles`), a `syncSource.path: .` the
    // pattern forbids, and an annotation value `123` (annotations are strings).
    (
        "crd/argocd/extracted-docs/docs__operator-manual__app-sync-using-impersonation.md.0.yaml",
        "crd-schema-violation",
        "spec.destinations[0]",
    ),
    (
        "crd/argocd/extracted-docs/docs__operator-manual__applicationset__Appset-Any-Namespace.md.4.yaml",
        "crd-schema-violation",
        "spec.generators",
    ),
    (
        "crd/argocd/extracted-docs/docs__operator-manual__applicationset__Generators-Plugin.md.1.yaml",
        "crd-schema-violation",
        "spec.generators[0].matrix.generators[0].pullRequest.github",
    ),
    (
        "crd/argocd/extracted-docs/docs__operator-manual__notifications__services__webex.md.0.yaml",
        "unknown-field",
        "annotations",
    ),
    (
        "crd/argocd/extracted-docs/docs__proposals__decouple-application-sync-user-using-impersonation.md.0.yaml",
        "crd-schema-violation",
        "spec.destinations[0]",
    ),
    (
        "crd/argocd/extracted-docs/docs__proposals__decouple-application-sync-user-using-impersonation.md.6.yaml",
        "unknown-field",
        "spec.destinations[0].impersonate",
    ),
    (
        "crd/argocd/extracted-docs/docs__proposals__deletion-strategy-progressive-sync.md.2.yaml",
        "unknown-field",
        "spec.strategy.deletionSync",
    ),
    (
        "crd/argocd/extracted-docs/docs__proposals__manifest-hydrator.md.0.yaml",
        "crd-schema-violation",
        "spec.sourceHydrator.syncSource.path",
    ),
    (
        "crd/argocd/extracted-docs/docs__proposals__multiple-sources-for-applications.md.0.yaml",
        "unknown-field",
        "spec.source.valueFiles",
    ),
    (
        "crd/argocd/extracted-docs/docs__user-guide__sync-options.md.17.yaml",
        "crd-schema-violation",
        "spec.syncPolicy.managedNamespaceMetadata.annotations.abc",
    ),
    // Argo CD health-check fixtures: Canaries read back from a cluster with `spec: {}`
    // (only their status matters there); the CRD requires `targetRef` and `analysis`.
    (
        "crd/flagger/argo-cd/resource_customizations/flagger.app/Canary/testdata/degraded.yaml",
        "crd-schema-violation",
        "spec.targetRef",
    ),
    (
        "crd/flagger/argo-cd/resource_customizations/flagger.app/Canary/testdata/finalising.yaml",
        "crd-schema-violation",
        "spec.targetRef",
    ),
    (
        "crd/flagger/argo-cd/resource_customizations/flagger.app/Canary/testdata/initialized.yaml",
        "crd-schema-violation",
        "spec.targetRef",
    ),
    (
        "crd/flagger/argo-cd/resource_customizations/flagger.app/Canary/testdata/progressing.yaml",
        "crd-schema-violation",
        "spec.targetRef",
    ),
    (
        "crd/flagger/argo-cd/resource_customizations/flagger.app/Canary/testdata/promoting.yaml",
        "crd-schema-violation",
        "spec.targetRef",
    ),
    (
        "crd/flagger/argo-cd/resource_customizations/flagger.app/Canary/testdata/succeeded.yaml",
        "crd-schema-violation",
        "spec.targetRef",
    ),
    // Flagger's alerting page sets both `address` and `secretRef` on an AlertProvider,
    // whose schema wants exactly one of them (`oneOf`).
    (
        "crd/flagger/extracted-docs/docs__gitbook__usage__alerting.md.0.yaml",
        "crd-schema-violation",
        "spec",
    ),
];

/// Snippets extracted from Markdown documentation (`*/extracted-docs/`) show only the
/// fields a page is about (`spec: ...`, an Application without `destination` or
/// `project`, an ApplicationSet without `template`, a Canary without `analysis`, a
/// MetricTemplate without `query`): the API server would reject each for the required
/// fields it leaves out. They are counted rather than listed.
const FRAGMENTS_MISSING_REQUIRED: usize = 166;

#[test]
fn crd_corpora_findings_are_all_recorded() {
    let Some(shared) = shared_or_skip("crd_corpora_findings_are_all_recorded") else {
        return;
    };
    let corpora = shared.join("corpora");
    let paths = [
        corpora.join("crd"),
        corpora.join("bench/istio/tests/integration/pilot/testdata/gateway-api-crd.yaml"),
        corpora.join("bench/argocd-install/manifests/install.yaml"),
    ];
    let mut args = vec!["--select".to_string(), "crd,unknown-field".to_string()];
    args.extend(paths.iter().map(|p| p.to_string_lossy().into_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let findings = check(&args);

    // Every CRD of the corpora is one the API server accepts.
    let invalid: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "crd-invalid")
        .map(|f| &f.message)
        .collect();
    assert!(invalid.is_empty(), "crd-invalid on accepted CRDs: {invalid:#?}");
    // sigstore policy-controller: the CRDs declare no value validations the `invalid/`
    // examples break (they are rejected by the webhook's own validation: modes, key
    // formats, one of key/keyless, ...), so none of its 24 invalid examples is
    // schema-invalid, and the valid ones are clean too.
    let sigstore: Vec<_> = findings
        .iter()
        .filter(|f| f.file.contains("sigstore-policy-controller"))
        .map(|f| (&f.file, &f.message))
        .collect();
    assert!(sigstore.is_empty(), "{sigstore:#?}");

    let mut fragments = 0;
    let mut found = Found::new();
    for f in &findings {
        if f.file.contains("/extracted-docs/") && f.rule == "crd-schema-violation" && only_required(&f.message) {
            fragments += 1;
            continue;
        }
        found.insert((f.file.clone(), f.rule.clone(), f.route.clone()));
    }
    let recorded = set(RECORDED);
    let unexpected: Vec<_> = found.difference(&recorded).collect();
    let lost: Vec<_> = recorded.difference(&found).collect();
    assert!(
        unexpected.is_empty() && lost.is_empty(),
        "unrecorded findings: {unexpected:#?}\nrecorded but not found: {lost:#?}"
    );
    assert_eq!(
        fragments, FRAGMENTS_MISSING_REQUIRED,
        "documentation fragments missing required fields"
    );
}

/// The Gateway API objects of Istio's test data against the Gateway API CRDs (including a
/// stub CRD of an old release in the analyzer test data, which the objects do not fit:
/// each object is judged by the serving CRD it fits best).
#[test]
fn istio_gateway_api_objects_are_valid_but_for_recorded_test_inputs() {
    let Some(shared) = shared_or_skip("istio_gateway_api_objects_are_valid_but_for_recorded_test_inputs") else {
        return;
    };
    let istio = shared.join("corpora/bench/istio");
    let findings = check(&["--select", "crd,unknown-field", &istio.to_string_lossy()]);
    let mut partial_gateways = 0;
    let mut found = Found::new();
    for f in findings
        .iter()
        .filter(|f| f.rule != "unknown-field" || f.message.contains("(CRD "))
    {
        // Inputs of Istio's gateway deployment tests: Gateways with only the metadata the
        // deployment controller reads (no `spec`).
        if f.file.contains("gatewaycommon/testdata/deployment/") && f.route == "spec" && only_required(&f.message) {
            partial_gateways += 1;
            continue;
        }
        found.insert((f.file.clone(), f.rule.clone(), f.route.clone()));
    }
    let recorded = set(&[
        // A test of a Gateway with `listeners: []`, which the CRD rejects (minItems 1).
        (
            "bench/istio/pilot/pkg/config/kube/gateway/testdata/listenerset-empty-listeners.yaml",
            "crd-schema-violation",
            "spec.listeners",
        ),
        // A test of BackendTLSPolicy merging: three references to one Service, one without
        // `sectionName`, which the CRD's CEL rule forbids (all or none of the references to
        // a target name a section).
        (
            "bench/istio/pilot/pkg/config/kube/gateway/testdata/backend-tls-policy.yaml",
            "crd-validation-rule",
            "spec.targetRefs[0].sectionName",
        ),
        // The sample is for a newer SPIRE controller manager than the CRD of the quick
        // start beside it, which has no `className`.
        (
            "bench/istio/samples/security/spire-trust-domain-federation/cluster-federated-trust-domain.yaml",
            "unknown-field",
            "spec.className",
        ),
    ]);
    assert_eq!(found, recorded);
    assert_eq!(partial_gateways, 28);
}

/// A broken copy of a Gateway API HTTPRoute and of an Argo CD Application is caught, at
/// the field, with the API server's words: the schemas are really applied.
#[test]
fn broken_gateway_api_and_argocd_objects_are_reported() {
    let Some(shared) = shared_or_skip("broken_gateway_api_and_argocd_objects_are_reported") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: default
spec:
  parentRefs:
    - name: gateway
  hostnames: ["Not_A_Host"]
  rules:
    - backendRefs:
        - name: web
          port: 70000
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: guestbook
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevison: HEAD
    path: guestbook
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
"#,
    )
    .expect("write");
    let corpora = shared.join("corpora");
    let findings = check(&[
        "--select",
        "crd,unknown-field",
        &file.to_string_lossy(),
        &corpora
            .join("bench/istio/tests/integration/pilot/testdata/gateway-api-crd.yaml")
            .to_string_lossy(),
        &corpora
            .join("bench/argocd-install/manifests/install.yaml")
            .to_string_lossy(),
    ]);
    let got: Vec<(String, String, String)> = findings
        .iter()
        .filter(|f| f.file.ends_with("broken.yaml"))
        .map(|f| (f.rule.clone(), f.route.clone(), f.message.clone()))
        .collect();
    let routes: Vec<(&str, &str)> = got.iter().map(|(r, p, _)| (r.as_str(), p.as_str())).collect();
    assert_eq!(
        routes,
        vec![
            ("crd-schema-violation", "spec.hostnames[0]"),
            ("crd-schema-violation", "spec.rules[0].backendRefs[0].port"),
            ("unknown-field", "spec.source.targetRevison"),
        ],
        "{got:#?}"
    );
    assert!(
        got[1]
            .2
            .starts_with("spec.rules[0].backendRefs[0].port: Invalid value: 70000: spec.rules[0].backendRefs[0].port in body should be less than or equal to 65535"),
        "{}",
        got[1].2
    );
    assert_eq!(
        got[2].2,
        "unknown field \"spec.source.targetRevison\" (CRD applications.argoproj.io); did you mean \"targetRevision\"?"
    );
}

/// One finding per root cause: a type error in a kind plimsoll reads into a struct of its
/// own is `invalid-manifest`'s, and a version the CRD does not serve is `api-crd-version`'s
/// (the resource is then not validated).
#[test]
fn one_finding_per_root_cause() {
    let Some(shared) = shared_or_skip("one_finding_per_root_cause") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("resources.yaml");
    std::fs::write(
        &file,
        r#"apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service: {port: 9898}
  analysis:
    interval: 1m
    threshold: "five"
    maxWeight: 50
    stepWeight: 10
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Backup, plural: backups, singular: backup}
  versions:
    - name: v1alpha1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object, properties: {spec: {type: object, required: [schedule]}}}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, properties: {spec: {type: object, required: [schedule]}}}
---
apiVersion: example.com/v1alpha1
kind: Backup
metadata:
  name: old
spec:
  typo: 1
"#,
    )
    .expect("write");
    let crd = shared.join("corpora/crd/flagger/artifacts/flagger/crd.yaml");
    let findings = check(&[
        "--select",
        "crd,unknown-field,invalid-manifest,api-crd-version",
        &file.to_string_lossy(),
        &crd.to_string_lossy(),
    ]);
    let got: Vec<(&str, &str)> = findings
        .iter()
        .filter(|f| f.file.ends_with("resources.yaml"))
        .map(|f| (f.rule.as_str(), f.route.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("invalid-manifest", "spec.analysis.threshold"), ("api-crd-version", ""),]
    );
}

/// The Gateway API CRDs' CEL rules run: an HTTPRoute whose path match is not absolute is
/// rejected by the rule of the CRD, at the path value, with the CRD's message.
#[test]
fn gateway_api_cel_rules_are_evaluated() {
    let Some(shared) = shared_or_skip("gateway_api_cel_rules_are_evaluated") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("route.yaml");
    std::fs::write(
        &file,
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  parentRefs:\n    - name: gateway\n  rules:\n    - matches:\n        - path:\n            type: PathPrefix\n            value: shop\n      backendRefs:\n        - name: web\n          port: 80\n",
    )
    .expect("write");
    let crds = shared.join("corpora/bench/istio/tests/integration/pilot/testdata/gateway-api-crd.yaml");
    let findings = check(&["--select", "crd", &crds.to_string_lossy(), &file.to_string_lossy()]);
    let rules: Vec<&Finding> = findings.iter().filter(|f| f.rule == "crd-validation-rule").collect();
    assert_eq!(rules.len(), 1, "{findings:?}");
    assert_eq!(rules[0].route, "spec.rules[0].matches[0].path.value", "{:?}", rules[0]);
    assert!(rules[0].message.contains("must be an absolute path"), "{:?}", rules[0]);
    assert!(!findings.iter().any(|f| f.rule == "crd-invalid"), "{findings:?}");
}
