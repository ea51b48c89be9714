//! How quickly `plimsoll lsp` answers in a workspace of 2,000 manifests: the initial load
//! (handshake to the first diagnostics published and a request answered), then edits of a
//! Deployment and of a NetworkPolicy, each timed from the `didChange` to the end of the
//! publication it causes, with no debounce (what is measured is what follows the
//! debounce). The server runs in process on an in-memory connection, as it runs on stdio.
//!
//! `cargo bench --bench lsp` prints the load time and the median and 90th percentile of
//! each kind of edit; `cargo bench --bench lsp -- 5000` uses another workspace size.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, Instant};

const EDITS: usize = 40;

fn main() {
    let size: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let root = dir.path().canonicalize().expect("the directory");
    generate(&root, size);
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || plimsoll::lsp::serve(&server).map_err(|e| e.to_string()));

    let started = Instant::now();
    let init = json!({
        "processId": null,
        "rootUri": url::Url::from_file_path(&root).expect("a file URI").to_string(),
        "capabilities": {},
        "initializationOptions": {"debounceMs": 0, "kustomize": "never"},
    });
    client
        .sender
        .send(Request::new(RequestId::from(1), "initialize".into(), init).into())
        .expect("send");
    wait_for(
        &client,
        |m| matches!(m, Message::Response(r) if r.id == RequestId::from(1)),
    );
    notify(&client, "initialized", json!({}));
    client
        .sender
        .send(
            Request::new(
                RequestId::from(2),
                "textDocument/hover".into(),
                json!({"textDocument": {"uri": uri(&root, "ns-0/app-0-deployment.yaml")}, "position": {"line": 0, "character": 0}}),
            )
            .into(),
        )
        .expect("send");
    wait_for(
        &client,
        |m| matches!(m, Message::Response(r) if r.id == RequestId::from(2)),
    );
    let load = started.elapsed();

    println!("workspace: {size} manifests");
    println!("initial load (handshake to diagnostics published): {:.0} ms", ms(load));
    for (what, file, edited) in [
        (
            "Deployment edit",
            "ns-0/app-0-deployment.yaml",
            Box::new(|t: &str| {
                t.replace(
                    "image: registry.example.com/app-0:1.0",
                    "image: registry.example.com/app-0:1.1",
                )
            }) as Box<dyn Fn(&str) -> String>,
        ),
        (
            "NetworkPolicy edit",
            "ns-0/app-0-netpol.yaml",
            Box::new(|t: &str| t.replace("policyTypes: [Ingress]", "policyTypes: [Ingress, Egress]")),
        ),
    ] {
        let u = uri(&root, file);
        let original = std::fs::read_to_string(root.join(file)).expect("the file");
        let changed = edited(&original);
        assert_ne!(original, changed, "{what}: the edit changes the file");
        notify(
            &client,
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "yaml", "version": 0, "text": original}}),
        );
        wait_for(&client, is_lint_log);
        let mut times = Vec::new();
        for i in 0..EDITS {
            let text = if i % 2 == 0 { &changed } else { &original };
            let sent = Instant::now();
            notify(
                &client,
                "textDocument/didChange",
                json!({"textDocument": {"uri": u, "version": i + 1}, "contentChanges": [{"text": text}]}),
            );
            let log = wait_for(&client, is_lint_log);
            times.push(sent.elapsed());
            if std::env::var_os("PLIMSOLL_BENCH_VERBOSE").is_some() {
                println!("  {log}");
            }
        }
        times.sort();
        println!(
            "{what}: median {:.1} ms, p90 {:.1} ms over {EDITS} edits",
            ms(times[EDITS / 2]),
            ms(times[EDITS * 9 / 10])
        );
    }
    client
        .sender
        .send(Request::new(RequestId::from(3), "shutdown".into(), Value::Null).into())
        .expect("send");
    wait_for(
        &client,
        |m| matches!(m, Message::Response(r) if r.id == RequestId::from(3)),
    );
    notify(&client, "exit", Value::Null);
    thread.join().expect("the server thread").expect("a clean shutdown");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn uri(root: &Path, file: &str) -> String {
    url::Url::from_file_path(root.join(file))
        .expect("a file URI")
        .to_string()
}

fn notify(client: &Connection, method: &str, params: Value) {
    client
        .sender
        .send(Notification::new(method.into(), params).into())
        .expect("send");
}

/// The server's log line after each lint's publication.
fn is_lint_log(m: &Message) -> bool {
    matches!(m, Message::Notification(n) if n.method == "window/logMessage"
        && n.params["message"].as_str().is_some_and(|s| s.starts_with("linted in")))
}

/// Waits for the message `done` accepts; returns it as text.
fn wait_for(client: &Connection, done: impl Fn(&Message) -> bool) -> String {
    loop {
        let m = client
            .receiver
            .recv_timeout(Duration::from_secs(120))
            .expect("the server answers");
        if let Message::Notification(n) = &m
            && n.method == "window/showMessage"
        {
            panic!("the server showed: {}", n.params);
        }
        if done(&m) {
            return match m {
                Message::Notification(n) => n.params["message"].as_str().unwrap_or_default().to_string(),
                _ => String::new(),
            };
        }
    }
}

/// `size` manifests, one per file, in 20 namespaces: apps of a Deployment, a Service, an
/// HPA, a PodDisruptionBudget and a NetworkPolicy.
fn generate(root: &Path, size: usize) {
    for i in 0..size {
        let app = i / 5;
        let ns = format!("ns-{}", app % 20);
        let name = format!("app-{app}");
        let (suffix, text) = match i % 5 {
            0 => (
                "deployment",
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/{name}:1.0\n          ports:\n            - containerPort: 8080\n              name: http\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n            limits: {{memory: 256Mi}}\n"
                ),
            ),
            1 => (
                "netpol",
                format!(
                    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  podSelector:\n    matchLabels: {{app: {name}}}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector: {{}}\n"
                ),
            ),
            2 => (
                "service",
                format!(
                    "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  selector: {{app: {name}}}\n  ports:\n    - port: 80\n      targetPort: http\n"
                ),
            ),
            3 => (
                "hpa",
                format!(
                    "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}\n"
                ),
            ),
            _ => (
                "pdb",
                format!(
                    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {{app: {name}}}\n"
                ),
            ),
        };
        let dir = root.join(&ns);
        std::fs::create_dir_all(&dir).expect("a namespace directory");
        std::fs::write(dir.join(format!("{name}-{suffix}.yaml")), text).expect("a manifest");
    }
    for n in 0..20 {
        std::fs::write(
            root.join(format!("ns-{n}/namespace.yaml")),
            format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n"),
        )
        .expect("a namespace");
    }
}
