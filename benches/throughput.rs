//! Throughput of a whole lint next to the parse floor, on the corpora in
//! `../shared/corpora/bench`, on a generated set of 100,000 objects, and on generated large
//! ConfigMaps (the secret scanners' worst case: megabytes of string values).
//!
//! `cargo bench --bench throughput` prints, for each corpus: the raw YAML event-parse rate
//! of saphyr-parser (one thread and all threads), and the rate of a full `plimsoll check`
//! in-process (all rules, JSON output to /dev/null, files read as they are), in MB/s and
//! documents/s; then, where the corpus has kustomizations, the same check with them
//! rendered (one renderer process per batch of kustomizations). On `corpora/bench` it then
//! runs the release binary with default settings (text to /dev/null), median of 5 runs
//! each: with an empty render cache (cold), with the cache filled (warm), and with
//! `--kustomize never`, next to the single-thread parse floor of the same files. Peak
//! memory is measured on the release binary by `scripts/bench.sh`.

use rayon::prelude::*;
use saphyr_parser::{Event, Parser};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The allocator the program uses (`src/main.rs`), so that the in-process lint and the
/// parse floor are measured as the binary runs them: with the system allocator, the lint of
/// the generated set took 10.1 s, against 3.5 s with this one (4.0 s for the release binary).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut corpora: Vec<(String, PathBuf)> = Vec::new();
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/bench");
    if shared.is_dir() {
        corpora.push(("corpora/bench".into(), shared));
    } else {
        eprintln!("../shared/corpora/bench is absent: benchmarking the generated corpus only");
    }
    let generated = tempdir();
    let (files, objects) = generate(&generated, 1_000, 100);
    corpora.push((
        format!("generated ({files} files, {objects} objects)"),
        generated.clone(),
    ));
    let large = std::env::temp_dir().join(format!("plimsoll-bench-large-{}", std::process::id()));
    let (files, mb) = generate_configmaps(&large, 20, 1_000_000);
    corpora.push((format!("large ConfigMaps ({files} files of {mb:.0} MB)"), large.clone()));

    for (name, path) in &corpora {
        let texts = read_all(path);
        let bytes: usize = texts.iter().map(String::len).sum();
        let mb = bytes as f64 / 1e6;
        println!("\n{name}: {} files, {mb:.1} MB", texts.len());

        let (t1, docs) = best(3, || parse_only(&texts, false));
        let (tn, _) = best(3, || parse_only(&texts, true));
        let lint = |kustomize: &str| {
            let code = plimsoll::cli::run_args(check_args(path, kustomize, false));
            assert_eq!(code, 0, "lint failed");
            0
        };
        let (tl, _) = best(3, || lint("never"));
        let row = |what: &str, t: Duration| {
            let s = t.as_secs_f64();
            println!(
                "  {what:<36} {:>8.3} s {:>8.1} MB/s {:>10.0} documents/s",
                s,
                mb / s,
                docs as f64 / s
            );
        };
        row("parse only, saphyr events, 1 thread", t1);
        row("parse only, saphyr events, parallel", tn);
        row("plimsoll check (all rules), parallel", tl);
        println!(
            "  full lint / parallel parse floor: {:.2}x",
            tl.as_secs_f64() / tn.as_secs_f64()
        );
        if has_kustomizations(path) {
            let cache = tempdir().join("render-cache");
            let auto = |what: &str| {
                let mut v = check_args(path, "auto", false);
                v.push("--cache-dir".into());
                v.push(cache.display().to_string());
                if what == "--no-cache" {
                    v.push(what.into());
                }
                plimsoll::cli::run_args(v)
            };
            let (tk, _) = best(3, || auto("--no-cache"));
            row("... with kustomizations rendered", tk);
        }
        if name == "corpora/bench" {
            release_binary(path, mb, docs, t1);
        }
        println!("  phases of one more run (--statistics):");
        let _ = std::io::Write::flush(&mut std::io::stdout());
        plimsoll::cli::run_args(check_args(path, "never", true));
    }
    let _ = std::fs::remove_dir_all(&generated);
    let _ = std::fs::remove_dir_all(&large);
}

/// `plimsoll check PATH` as a user runs it (release binary, default settings, text output
/// to /dev/null), median of 5: cold (empty render cache), warm (cache filled by the cold
/// runs) and `--kustomize never`, next to the single-thread parse floor `floor`.
fn release_binary(path: &Path, mb: f64, docs: usize, floor: Duration) {
    let binary = env!("CARGO_BIN_EXE_plimsoll");
    let cache = std::env::temp_dir().join(format!("plimsoll-bench-cache-{}", std::process::id()));
    let run = |extra: &[&str], fresh: bool| {
        if fresh {
            let _ = std::fs::remove_dir_all(&cache);
        }
        let start = Instant::now();
        let status = std::process::Command::new(binary)
            .args(["check", "--fail-on", "never", "--quiet"])
            .args(extra)
            .arg(path)
            .env("PLIMSOLL_CACHE_DIR", &cache)
            .env_remove("PLIMSOLL_NO_CACHE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run the release binary");
        assert!(status.success(), "plimsoll check failed");
        start.elapsed()
    };
    let median = |f: &dyn Fn() -> Duration| {
        let mut times: Vec<Duration> = (0..5).map(|_| f()).collect();
        times.sort();
        times[2]
    };
    let cold = median(&|| run(&[], true));
    let warm = median(&|| run(&[], false));
    let never = median(&|| run(&["--kustomize", "never"], false));
    let _ = std::fs::remove_dir_all(&cache);
    println!("  release binary, default settings, median of 5:");
    let s = floor.as_secs_f64();
    println!(
        "    {:<34} {:>8.3} s {:>8.1} MB/s {:>10.0} documents/s",
        "parse floor (saphyr events, 1 thread)",
        s,
        mb / s,
        docs as f64 / s
    );
    for (what, t) in [
        ("cold (empty render cache)", cold),
        ("warm (renders from the cache)", warm),
        ("--kustomize never", never),
    ] {
        let s = t.as_secs_f64();
        println!("    {what:<34} {s:>8.3} s {:>8.1} MB/s", mb / s);
    }
}

/// Writes `files` ConfigMaps of about `bytes` each: a block-scalar properties file and many
/// short keys, with credential look-alikes sprinkled in (so prefilter hits run the regexes).
fn generate_configmaps(dir: &Path, files: usize, bytes: usize) -> (usize, f64) {
    std::fs::create_dir_all(dir).expect("create dir");
    let mut total = 0;
    for f in 0..files {
        let mut s = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-{f}\n  namespace: data\ndata:\n");
        s.push_str("  application.properties: |\n");
        let mut i = 0;
        while s.len() < bytes / 2 {
            s.push_str(&format!(
                "    service.endpoint.{i}=https://svc-{i}.data.svc.cluster.local:8443/api/v1/items?page={i}\n"
            ));
            if i % 500 == 0 {
                s.push_str(&format!("    legacy.key.{i}=AKIAZ7VRSUL4KQ2MWB3X\n"));
            }
            i += 1;
        }
        while s.len() < bytes {
            s.push_str(&format!(
                "  key-{i}: \"value {i} eyJ not-a-token ghp_short sk_test_x\"\n"
            ));
            i += 1;
        }
        total += s.len();
        std::fs::write(dir.join(format!("big-{f}.yaml")), s).expect("write generated corpus");
    }
    (files, total as f64 / files as f64 / 1e6)
}

/// `plimsoll check` with every rule and JSON to /dev/null, as the benchmark runs it.
fn check_args(path: &Path, kustomize: &str, statistics: bool) -> Vec<String> {
    let mut args: Vec<String> = [
        "plimsoll",
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
        kustomize,
    ]
    .into_iter()
    .map(String::from)
    .collect();
    if statistics {
        args.push("--statistics".to_string());
    }
    args.push(path.display().to_string());
    args
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = None;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let r = f();
        let t = start.elapsed();
        if best.is_none_or(|b| t < b) {
            best = Some(t);
        }
        out = Some(r);
    }
    (best.unwrap_or_default(), out.expect("at least one run"))
}

/// Counts documents by walking every parser event.
fn parse_only(texts: &[String], parallel: bool) -> usize {
    let one = |t: &String| {
        let mut docs = 0;
        let mut parser = Parser::new_from_str(t);
        while let Some(Ok((ev, _))) = parser.next_event() {
            if matches!(ev, Event::DocumentStart(_)) {
                docs += 1;
            }
        }
        docs
    };
    if parallel {
        texts.par_iter().map(one).sum()
    } else {
        texts.iter().map(one).sum()
    }
}

fn has_kustomizations(dir: &Path) -> bool {
    ignore::WalkBuilder::new(dir)
        .build()
        .filter_map(Result::ok)
        .any(|e| e.file_name() == "kustomization.yaml")
}

fn read_all(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in ignore::WalkBuilder::new(dir).build().filter_map(Result::ok) {
        let p = entry.path();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if entry.file_type().is_some_and(|t| t.is_file())
            && ["yaml", "yml", "json"].contains(&ext)
            && let Ok(t) = std::fs::read_to_string(p)
        {
            out.push(t);
        }
    }
    out
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plimsoll-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// Writes `namespaces` files, each holding one namespace with `per_namespace` objects:
/// the Namespace, 10 NetworkPolicies, and Deployments, Services, ConfigMaps, HPAs.
fn generate(dir: &Path, namespaces: usize, per_namespace: usize) -> (usize, usize) {
    let mut objects = 0;
    for n in 0..namespaces {
        let ns = format!("team-{n:04}");
        let mut s = String::new();
        s.push_str(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n  labels:\n    team: t{}\n    pod-security.kubernetes.io/enforce: {}\n",
            n % 50,
            if n % 3 == 0 { "restricted" } else { "baseline" }
        ));
        objects += 1;
        for p in 0..10 {
            s.push_str(&format!(
                "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-{p}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: app-{p}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from:\n        - namespaceSelector:\n            matchLabels:\n              team: t{}\n          podSelector:\n            matchExpressions:\n              - {{key: tier, operator: In, values: [web, api]}}\n      ports:\n        - port: 8080\n  egress:\n    - to:\n        - ipBlock:\n            cidr: 10.0.0.0/8\n            except: [10.1.0.0/16]\n",
                (n + p) % 50
            ));
            objects += 1;
        }
        let mut i = 0;
        while objects % per_namespace != 0 || i == 0 {
            let app = format!("app-{}", i % 12);
            let doc = match i % 4 {
                0 => format!(
                    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}-{i}\n  namespace: {ns}\n  labels: {{app: {app}}}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: {app}}}\n  template:\n    metadata:\n      labels: {{app: {app}, tier: web}}\n    spec:\n      securityContext:\n        runAsNonRoot: true\n        seccompProfile: {{type: RuntimeDefault}}\n      containers:\n        - name: main\n          image: ghcr.io/example/{app}:1.{i}.0\n          ports: [{{containerPort: 8080, name: http}}]\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{memory: 256Mi}}\n          securityContext:\n            allowPrivilegeEscalation: false\n            capabilities: {{drop: [ALL]}}\n          env:\n            - {{name: MODE, value: production}}\n            - {{name: PORT, value: \"8080\"}}\n"
                ),
                1 => format!(
                    "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {app}-{i}\n  namespace: {ns}\nspec:\n  selector: {{app: {app}}}\n  ports:\n    - port: 80\n      targetPort: http\n"
                ),
                2 => format!(
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-{i}\n  namespace: {ns}\ndata:\n  config.yaml: |\n    log: info\n    workers: 4\n  feature_flags: \"a,b,c\"\n"
                ),
                _ => format!(
                    "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {app}-{i}\n  namespace: {ns}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: app-{}-{}}}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}\n",
                    (i - 3) % 12,
                    i - 3
                ),
            };
            s.push_str(&doc);
            objects += 1;
            i += 1;
        }
        std::fs::write(dir.join(format!("{ns}.yaml")), s).expect("write generated corpus");
    }
    (namespaces, objects)
}
