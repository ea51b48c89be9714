//! How `plimsoll check` scales: generated corpora of 10k, 100k and 300k documents of a
//! realistic mix (Namespaces, Deployments, Services, HPAs, PodDisruptionBudgets, ConfigMaps,
//! Secrets and NetworkPolicies across many namespaces), and the shapes that once made the
//! cross-object phase quadratic, each next to the realistic mix of the same size:
//!
//! - thousands of namespaces whose NetworkPolicies allow peers by namespace selector;
//! - one namespace with 20,000 workloads and 2,000 NetworkPolicies;
//! - 20,000 apps of a Deployment, an HPA and a PodDisruptionBudget in one namespace;
//! - 20,000 apps of a Deployment, a ServiceAccount, a Role and a RoleBinding in one
//!   namespace, with group bindings and aggregated ClusterRoles that reach every one of them;
//! - 5,000 namespaces whose policies each select another namespace by name;
//! - 20,000 Argo CD Applications beside 20,000 apps of a Deployment and an HPA;
//! - 2,000 namespaces whose policies each name a port of the pods of every namespace;
//!
//! and one 63 MB file of Deployments with many findings each (memory per file).
//!
//! `cargo bench --bench scaling` runs the release binary on each (all rules, JSON to
//! /dev/null, files read as they are; [`RUNS`] times) and prints the median wall time, the
//! input read per second, the check and cross-object phases, peak resident memory (from
//! GNU time) and the findings, so that growth is visible: time and memory per document
//! should stay flat as the corpus grows. A shape's documents may be larger than the mix's
//! (a Deployment against a Service), and may hold more findings: MB/s compares them by the
//! bytes read, and a line under each shape compares it with its mix phase by phase (the
//! cross-object phase is what the shape stresses; the check and the report grow with the
//! documents and the findings). Three shapes have a control besides: the same documents
//! arranged without what the shape stresses (peers selected by pod only; the workloads and
//! policies spread over 1,000 namespaces; ports by number), so that shape / control is what
//! the arrangement itself costs. `cargo bench --bench scaling -- 10000 100000` runs only the
//! given sizes of the realistic mix.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    // `PLIMSOLL_SCALING_DIR=DIR` keeps the generated corpora there (for profiling).
    let keep = std::env::var_os("PLIMSOLL_SCALING_DIR").map(PathBuf::from);
    let root = keep
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("plimsoll-scaling-{}", std::process::id())));
    println!(
        "{:<44} {:>8} {:>7} {:>8} {:>7} {:>8} {:>9} {:>8} {:>9} {:>10} {:>9}",
        "corpus", "docs", "MB", "wall s", "MB/s", "check s", "cross s", "cross %", "peak MB", "KB/doc", "findings"
    );
    let clean = keep.is_none();
    let alone = |name: &str, generate: &dyn Fn(&Path) -> usize| {
        let c = Corpus::generate(&root, name, generate);
        let m = measure_in_turn(&[&c]);
        c.row(&m[0]);
        c.remove(clean);
    };
    if !sizes.is_empty() {
        for n in sizes {
            alone(&format!("realistic mix, {n}"), &|d: &Path| realistic(d, n));
        }
        return;
    }
    for n in [10_000, 100_000, 300_000] {
        alone(&format!("realistic mix, {n}"), &|d: &Path| realistic(d, n));
    }
    // Each shape next to the realistic mix of as many documents, checked in turn, and how
    // the two compare.
    // With a control: the same kinds and numbers of documents, arranged without what the
    // shape stresses, checked in turn with the shape and its mix. The mix holds fewer
    // workloads than a shape made of them; the control holds as many, so that shape / control
    // is what the arrangement itself costs.
    type Generate<'a> = &'a dyn Fn(&Path) -> usize;
    let shape = |name: &str, generate: Generate<'_>, control: Option<(&str, Generate<'_>)>| {
        let shape = Corpus::generate(&root, name, generate);
        let docs = shape.docs;
        let mix = Corpus::generate(&root, &format!("realistic mix, {docs}"), &|d: &Path| realistic(d, docs));
        let control = control.map(|(name, generate)| Corpus::generate(&root, name, generate));
        let mut corpora = vec![&shape, &mix];
        corpora.extend(&control);
        let m = measure_in_turn(&corpora);
        shape.row(&m[0]);
        mix.row(&m[1]);
        if let Some(c) = &control {
            c.row(&m[2]);
        }
        compare("  shape / mix", &m[0], &m[1]);
        if control.is_some() {
            compare("  shape / control", &m[0], &m[2]);
        }
        for c in corpora {
            c.remove(clean);
        }
    };
    shape(
        "1,000 namespaces x selector peers",
        &|d: &Path| namespace_peers(d, 1_000, 20, 20, true),
        Some(("  control: the same, peers by pod only", &|d: &Path| {
            namespace_peers(d, 1_000, 20, 20, false)
        })),
    );
    shape(
        "1 namespace, 20k workloads, 2k policies",
        &|d: &Path| one_namespace(d, 20_000, 2_000, 1),
        Some(("  control: the same in 1,000 namespaces", &|d: &Path| {
            one_namespace(d, 20_000, 2_000, 1_000)
        })),
    );
    shape("20k Deployment+HPA+PDB apps", &|d: &Path| hpa_pdb_apps(d, 20_000), None);
    shape(
        "20k apps with ServiceAccount+Role+binding",
        &|d: &Path| rbac_apps(d, 20_000),
        None,
    );
    // Memory is bounded per file, not only per run: the check reads a large file a part at
    // a time, but its findings (about nine per Deployment here) are all kept.
    // Shapes found by reading every cross-object rule for work that grows with the product
    // of two set sizes (each was quadratic once).
    shape(
        "5,000 namespaces, peers by namespace name",
        &|d: &Path| namespace_name_peers(d, 5_000),
        None,
    );
    shape(
        "20k Argo CD Applications beside 20k HPA apps",
        &|d: &Path| argo_apps(d, 20_000),
        None,
    );
    shape(
        "2,000 namespaces, named ports of any namespace",
        &|d: &Path| named_ports_anywhere(d, 2_000, 10, true),
        Some(("  control: the same, ports by number", &|d: &Path| {
            named_ports_anywhere(d, 2_000, 10, false)
        })),
    );
    alone("one 63 MB file of Deployments", &|d: &Path| large_file(d, 63_000_000));
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
}

/// How many times each corpus is checked: a row shows the median of each phase's time (and
/// of the cross-object phase's share of each run) and the largest peak. This machine's wall times vary by a third from one run to the next,
/// and a shape and its mix are checked in turn, so that both meet it in the same states.
const RUNS: usize = 3;

/// A generated corpus.
struct Corpus {
    name: String,
    dir: PathBuf,
    docs: usize,
}

impl Corpus {
    fn generate(root: &Path, name: &str, generate: &dyn Fn(&Path) -> usize) -> Corpus {
        let dir = root.join(name.trim().replace([' ', ',', '(', ')', '/', '+', ':'], "_"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create corpus dir");
        let docs = generate(&dir);
        Corpus {
            name: name.to_string(),
            dir,
            docs,
        }
    }

    fn row(&self, m: &Measured) {
        println!(
            "{:<44} {:>8} {:>7.1} {:>8.2} {:>7.2} {:>8.3} {:>9.3} {:>7.1}% {:>9.0} {:>10.2} {:>9}",
            self.name,
            self.docs,
            m.bytes as f64 / 1e6,
            m.wall,
            // The shapes' documents are larger than the mix's: time per byte compares them too.
            m.bytes as f64 / 1e6 / m.wall.max(1e-9),
            m.check,
            m.cross,
            100.0 * m.cross_share,
            m.peak_kb as f64 / 1024.0,
            m.peak_kb as f64 / self.docs.max(1) as f64,
            m.findings
        );
    }

    fn remove(&self, clean: bool) {
        if clean {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// [`RUNS`] rounds of checking each corpus in turn; for each, the median of each time and
/// share and the largest peak.
fn measure_in_turn(corpora: &[&Corpus]) -> Vec<Measured> {
    let mut runs: Vec<Vec<Measured>> = corpora.iter().map(|_| Vec::new()).collect();
    for _ in 0..RUNS {
        for (c, runs) in corpora.iter().zip(&mut runs) {
            runs.push(measure(&c.dir));
        }
    }
    runs.into_iter()
        .map(|runs| {
            let median = |f: fn(&Measured) -> f64| {
                let mut v: Vec<f64> = runs.iter().map(f).collect();
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            };
            Measured {
                bytes: runs[0].bytes,
                wall: median(|m| m.wall),
                check: median(|m| m.check),
                cross: median(|m| m.cross),
                cross_share: median(|m| m.cross_share),
                peak_kb: runs.iter().map(|m| m.peak_kb).max().unwrap_or(0),
                findings: runs[0].findings,
            }
        })
        .collect()
}

/// A shape against the mix of as many documents (or against its control): the whole run,
/// and its three parts. The
/// check (parsing and rules on each object) and the report (writing every finding, with its
/// fix lowered) grow with what the documents hold and with the findings; the cross-object
/// phase is what a shape was made to stress.
fn compare(what: &str, shape: &Measured, mix: &Measured) {
    let x = |a: f64, b: f64| a / b.max(1e-9);
    let report = |m: &Measured| (m.wall - m.check - m.cross).max(0.0);
    println!(
        "{:<44} wall {:.2}x, check {:.2}x, cross-object {:.2}x, the rest (report) {:.2}x; {:.2}x the findings",
        what,
        x(shape.wall, mix.wall),
        x(shape.check, mix.check),
        x(shape.cross, mix.cross),
        x(report(shape), report(mix)),
        x(shape.findings as f64, mix.findings as f64)
    );
}

struct Measured {
    bytes: u64,
    wall: f64,
    /// `load + check` of `--statistics`.
    check: f64,
    cross: f64,
    /// The cross-object phase's share of the wall time.
    cross_share: f64,
    peak_kb: u64,
    findings: u64,
}

/// Runs the release binary on `dir` under GNU time.
fn measure(dir: &Path) -> Measured {
    let bytes = walk_size(dir);
    let out = Command::new("/usr/bin/time")
        .args(["-f", "plimsoll-time wall=%e maxrss=%M"])
        .arg(env!("CARGO_BIN_EXE_plimsoll"))
        .args([
            "check",
            "--no-config",
            "--quiet",
            "--format",
            "json",
            "--output",
            "/dev/null",
            "--fail-on",
            "never",
            "--select",
            "all",
            "--kustomize",
            "never",
            "--statistics",
        ])
        .arg(dir)
        .output()
        .expect("run /usr/bin/time (GNU time) and the release binary");
    let err = String::from_utf8_lossy(&out.stderr);
    let field = |prefix: &str| -> f64 {
        err.split_whitespace()
            .find_map(|w| w.strip_prefix(prefix))
            .and_then(|v| v.trim_end_matches('s').parse().ok())
            .unwrap_or(f64::NAN)
    };
    // A phase's time from `--statistics` (`cross-object:   0.123s`).
    let phase = |prefix: &str| -> f64 {
        err.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|v| v.trim().trim_end_matches('s').parse().ok())
            .unwrap_or(f64::NAN)
    };
    // The counts under `findings by rule:` (`   20000  rule-id`).
    let findings = err
        .lines()
        .skip_while(|l| !l.starts_with("findings by rule:"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    let (wall, cross) = (field("wall="), phase("cross-object:"));
    Measured {
        bytes,
        wall,
        check: phase("load + check:"),
        cross,
        cross_share: cross / wall.max(1e-9),
        peak_kb: field("maxrss=") as u64,
        findings,
    }
}

fn walk_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.metadata().map_or(0, |m| m.len()))
                .sum()
        })
        .unwrap_or(0)
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(PathBuf::from(dir).join(name), text).expect("write generated corpus");
}

fn namespace(s: &mut String, ns: &str, n: usize) {
    let _ = write!(
        s,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    team: team-{}\n    env: {}\n    pod-security.kubernetes.io/enforce: {}\n",
        n % 40,
        ["prod", "staging", "dev"][n % 3],
        if n.is_multiple_of(4) { "baseline" } else { "restricted" }
    );
}

fn deployment(s: &mut String, ns: &str, app: &str, team: usize, i: usize) {
    let _ = write!(
        s,
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  namespace: {ns}\n  labels: {{app: {app}, team: team-{team}}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {app}}}\n  template:\n    metadata:\n      labels: {{app: {app}, tier: {}, team: team-{team}}}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n        - name: main\n          image: ghcr.io/example/{app}:1.{i}.0\n          ports: [{{containerPort: 8080, name: http}}]\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{memory: 256Mi}}\n          securityContext:\n            allowPrivilegeEscalation: false\n            capabilities: {{drop: [ALL]}}\n          env:\n            - {{name: MODE, value: production}}\n            - name: DB_PASSWORD\n              valueFrom: {{secretKeyRef: {{name: {app}, key: password}}}}\n",
        ["web", "api", "worker"][i % 3]
    );
}

/// A realistic mix of about `n` documents: namespaces of 25 apps, each app a Deployment,
/// a Service, an HPA, a PDB and a ConfigMap (a Secret for one app in four), each namespace
/// with default-deny policies, a DNS allowance and a policy admitting a sibling team.
fn realistic(dir: &Path, n: usize) -> usize {
    let mut docs = 0;
    let mut ns_i = 0;
    while docs < n {
        let ns = format!("ns-{ns_i:05}");
        let mut s = String::new();
        namespace(&mut s, &ns, ns_i);
        let _ = write!(
            s,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels: {{kubernetes.io/metadata.name: kube-system}}\n      ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-team\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels: {{tier: web}}\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels: {{team: team-{}}}\n          podSelector:\n            matchLabels: {{tier: api}}\n      ports: [{{port: http}}]\n",
            (ns_i + 1) % 40
        );
        docs += 4;
        write(dir, &format!("{ns}.yaml"), &s);
        for a in 0..25 {
            if docs >= n {
                break;
            }
            let app = format!("app-{a:02}");
            let mut s = String::new();
            let _ = writeln!(s, "# {app} in {ns}");
            deployment(&mut s, &ns, &app, ns_i % 40, a);
            let _ = write!(
                s,
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80, targetPort: http}}]\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}\n  minReplicas: 2\n  maxReplicas: 20\n  metrics:\n    - type: Resource\n      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}\n  behavior:\n    scaleDown: {{stabilizationWindowSeconds: 300}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {{app: {app}}}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}\n  namespace: {ns}\ndata:\n  LOG_LEVEL: info\n  config.yaml: |\n    workers: 4\n    timeout: 30s\n"
            );
            docs += 5;
            if a % 4 == 0 {
                let _ = write!(
                    s,
                    "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {app}\n  namespace: {ns}\ntype: Opaque\nstringData:\n  password: \"{{{{ vault:secret/{app} }}}}\"\n"
                );
                docs += 1;
            }
            write(dir, &format!("{ns}-{app}.yaml"), &s);
        }
        ns_i += 1;
    }
    docs
}

/// `namespaces` namespaces, each with `policies` NetworkPolicies allowing peers from other
/// namespaces by label (`team`, `env`) and `workloads` Deployments. Without `by_namespace`
/// (the control), the peers are pods of the policy's own namespace, selected alike.
fn namespace_peers(dir: &Path, namespaces: usize, policies: usize, workloads: usize, by_namespace: bool) -> usize {
    let mut docs = 0;
    for n in 0..namespaces {
        let ns = format!("peer-{n:05}");
        let mut s = String::new();
        namespace(&mut s, &ns, n);
        docs += 1;
        for p in 0..policies {
            let _ = write!(
                s,
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{p}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels: {{app: app-{p}}}\n  policyTypes: [Ingress, Egress]\n"
            );
            if by_namespace {
                let _ = write!(
                    s,
                    "  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels: {{team: team-{}}}\n          podSelector:\n            matchLabels: {{app: app-{}}}\n      ports: [{{port: http}}]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchExpressions: [{{key: env, operator: In, values: [prod, staging]}}]\n      ports: [{{port: 8080}}]\n",
                    (n + p) % 40,
                    (p + 1) % workloads
                );
            } else {
                let _ = write!(
                    s,
                    "  ingress:\n    - from:\n        - podSelector:\n            matchLabels: {{app: app-{}, team: team-{}}}\n      ports: [{{port: http}}]\n  egress:\n    - to:\n        - podSelector:\n            matchExpressions: [{{key: tier, operator: In, values: [web, api]}}]\n      ports: [{{port: 8080}}]\n",
                    (p + 1) % workloads,
                    n % 40
                );
            }
            docs += 1;
        }
        for w in 0..workloads {
            deployment(&mut s, &ns, &format!("app-{w}"), n % 40, w);
            docs += 1;
        }
        write(dir, &format!("{ns}.yaml"), &s);
    }
    docs
}

/// `workloads` Deployments (100 per file) and `policies` policies in `namespaces`
/// namespaces: one (the shape), or many (its control: each namespace holds an equal run of
/// the workloads and of the policies that select them).
fn one_namespace(dir: &Path, workloads: usize, policies: usize, namespaces: usize) -> usize {
    let ns_name = |i: usize| {
        if namespaces == 1 {
            "big".to_string()
        } else {
            format!("big-{i:04}")
        }
    };
    let of_workload = |w: usize| ns_name(w * namespaces / workloads);
    let of_policy = |p: usize| ns_name(p * namespaces / policies);
    let mut docs = 0;
    let mut s = String::new();
    for i in 0..namespaces {
        namespace(&mut s, &ns_name(i), 1);
        docs += 1;
    }
    for p in 0..policies {
        let _ = write!(
            s,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{p}\n  namespace: {}\nspec:\n  podSelector:\n    matchLabels: {{app: app-{}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels: {{tier: web}}\n  egress:\n    - to:\n        - podSelector:\n            matchLabels: {{tier: api}}\n      ports: [{{port: 8080}}]\n",
            of_policy(p),
            p * 10
        );
        docs += 1;
    }
    write(dir, "policies.yaml", &s);
    for f in 0..workloads.div_ceil(100) {
        let mut s = String::new();
        for w in f * 100..((f + 1) * 100).min(workloads) {
            deployment(&mut s, &of_workload(w), &format!("app-{w}"), w % 40, w);
            docs += 1;
        }
        write(dir, &format!("apps-{f:04}.yaml"), &s);
    }
    docs
}

/// `namespaces` namespaces, each with a Deployment and a NetworkPolicy that admits the next
/// namespace and reaches the one after by `kubernetes.io/metadata.name` (one in ten names a
/// namespace that is not there): as many distinct namespace selectors as namespaces.
fn namespace_name_peers(dir: &Path, namespaces: usize) -> usize {
    let mut docs = 0;
    let mut s = String::new();
    for i in 0..namespaces {
        let ns = format!("ns-{i:05}");
        if !s.is_empty() {
            s.push_str("---\n");
        }
        namespace(&mut s, &ns, i);
        let _ = write!(
            s,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: from-next\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels: {{kubernetes.io/metadata.name: {}-{:05}}}\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels: {{kubernetes.io/metadata.name: ns-{:05}}}\n      ports: [{{port: http}}]\n",
            if i % 10 == 0 { "gone" } else { "ns" },
            (i + 1) % namespaces,
            (i + 2) % namespaces
        );
        deployment(&mut s, &ns, "app", i % 40, i);
        docs += 3;
        if i % 100 == 99 || i + 1 == namespaces {
            write(dir, &format!("ns-{:03}.yaml", i / 100), &s);
            s.clear();
        }
    }
    docs
}

/// `apps` apps, each in its own namespace: a Deployment that sets `spec.replicas`, an HPA
/// over it, and the Argo CD Application that syncs the namespace (one in two ignores the
/// Deployment's `/spec/replicas`).
fn argo_apps(dir: &Path, apps: usize) -> usize {
    let mut docs = 0;
    let mut s = String::new();
    for i in 0..apps {
        let ns = format!("app-{i:05}");
        let _ = write!(
            s,
            "---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {ns}\n  namespace: argocd\nspec:\n  project: default\n  source: {{repoURL: https://example.com/apps.git, path: apps/{ns}, targetRevision: main}}\n  destination: {{server: https://kubernetes.default.svc, namespace: {ns}}}\n  syncPolicy:\n    automated: {{selfHeal: true}}\n    syncOptions: [RespectIgnoreDifferences=true]\n  ignoreDifferences:\n    - group: apps\n      kind: Deployment\n      name: {}\n      jsonPointers: [/spec/replicas]\n",
            if i % 2 == 0 { "web" } else { "other" }
        );
        deployment(&mut s, &ns, "web", i % 40, i);
        let _ = write!(
            s,
            "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\n  namespace: {ns}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  minReplicas: 2\n  maxReplicas: 10\n"
        );
        docs += 3;
        if i % 100 == 99 || i + 1 == apps {
            write(dir, &format!("apps-{:03}.yaml", i / 100), &s);
            s.clear();
        }
    }
    docs
}

/// `namespaces` namespaces of `workloads` Deployments each, and in each a NetworkPolicy
/// whose egress names a port (`metrics`, declared by no container) of the pods of every
/// namespace (`namespaceSelector: {}`); without `named` (the control), the port is a number.
fn named_ports_anywhere(dir: &Path, namespaces: usize, workloads: usize, named: bool) -> usize {
    let mut docs = 0;
    let mut s = String::new();
    for i in 0..namespaces {
        let ns = format!("team-{i:04}");
        if !s.is_empty() {
            s.push_str("---\n");
        }
        namespace(&mut s, &ns, i);
        let _ = write!(
            s,
            "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: to-metrics\n  namespace: {ns}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector: {{}}\n      ports: [{{port: {}}}]\n",
            if named { "metrics" } else { "9090" }
        );
        docs += 2;
        for w in 0..workloads {
            deployment(&mut s, &ns, &format!("app-{w}"), i % 40, w);
            docs += 1;
        }
        if i % 20 == 19 || i + 1 == namespaces {
            write(dir, &format!("team-{:03}.yaml", i / 20), &s);
            s.clear();
        }
    }
    docs
}

/// One file of at least `bytes` bytes of Deployments written with no security context,
/// no limits and tags instead of digests, across 50 namespaces: the densest input, and the
/// one with the most findings per byte.
fn large_file(dir: &Path, bytes: usize) -> usize {
    let mut s = String::with_capacity(bytes + 1024);
    let mut docs = 0;
    while s.len() < bytes {
        let i = docs;
        let _ = write!(
            s,
            "{}apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: ns-{}\n  labels:\n    app: app-{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/team/app-{i}:1.{}.0\n          ports:\n            - containerPort: 8080\n          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n          env:\n            - name: MODE\n              value: production\n",
            if i == 0 { "" } else { "---\n" },
            i % 50,
            i % 7
        );
        docs += 1;
    }
    write(dir, "deployments.yaml", &s);
    docs
}

/// `apps` apps of a Deployment, an HPA and a PDB, all in one namespace (100 apps per file).
fn hpa_pdb_apps(dir: &Path, apps: usize) -> usize {
    let ns = "apps";
    let mut docs = 0;
    for f in 0..apps.div_ceil(100) {
        let mut s = String::new();
        for a in f * 100..((f + 1) * 100).min(apps) {
            let app = format!("app-{a}");
            deployment(&mut s, ns, &app, a % 40, a);
            let _ = write!(
                s,
                "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {app}}}\n  minReplicas: 2\n  maxReplicas: 20\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {app}\n  namespace: {ns}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {{app: {app}}}\n"
            );
            docs += 3;
        }
        write(dir, &format!("apps-{f:04}.yaml"), &s);
    }
    docs
}

/// `apps` apps in one namespace, each a Deployment running as its own ServiceAccount, bound
/// by a RoleBinding to its own Role (and, one in ten, to a ClusterRole); ClusterRoles
/// aggregated by label, and bindings of the namespace's service-account group, so that every
/// ServiceAccount's grants are looked up through groups and aggregation too.
fn rbac_apps(dir: &Path, apps: usize) -> usize {
    let ns = "rbac";
    let mut docs = 0;
    let mut s = String::new();
    namespace(&mut s, ns, 1);
    for c in 0..50 {
        let _ = write!(
            s,
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: part-{c}\n  labels: {{aggregate-to-apps: \"true\"}}\nrules:\n  - apiGroups: [\"\"]\n    resources: [configmaps]\n    verbs: [get, list, watch]\n"
        );
    }
    let _ = write!(
        s,
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: apps-aggregate\naggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {{aggregate-to-apps: \"true\"}}\nrules: []\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: all-apps-read\n  namespace: {ns}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: apps-aggregate}}\nsubjects:\n  - {{kind: Group, name: \"system:serviceaccounts:{ns}\", apiGroup: rbac.authorization.k8s.io}}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: all-apps-view\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}}\nsubjects:\n  - {{kind: Group, name: \"system:serviceaccounts\", apiGroup: rbac.authorization.k8s.io}}\n"
    );
    docs += 54;
    write(dir, "rbac-cluster.yaml", &s);
    for f in 0..apps.div_ceil(100) {
        let mut s = String::new();
        for a in f * 100..((f + 1) * 100).min(apps) {
            let app = format!("app-{a}");
            let mut d = String::new();
            deployment(&mut d, ns, &app, a % 40, a);
            s.push_str(&d.replacen(
                "    spec:\n      securityContext:",
                &format!("    spec:\n      serviceAccountName: {app}\n      securityContext:"),
                1,
            ));
            let _ = write!(
                s,
                "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  namespace: {ns}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {app}\n  namespace: {ns}\nrules:\n  - apiGroups: [\"\"]\n    resources: [configmaps]\n    resourceNames: [{app}]\n    verbs: [get, watch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {app}\n  namespace: {ns}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: {kind}, name: {role}}}\nsubjects:\n  - {{kind: ServiceAccount, name: {app}}}\n",
                kind = if a % 10 == 0 { "ClusterRole" } else { "Role" },
                role = if a % 10 == 0 { "edit".to_string() } else { app.clone() },
            );
            docs += 4;
        }
        write(dir, &format!("rbac-{f:04}.yaml"), &s);
    }
    docs
}
