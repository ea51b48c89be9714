//! `plimsoll lsp` driven over pipes by a scripted JSON-RPC client: the handshake, the
//! demo's diagnostics (the same ranges as `check --format json`), an edit of a
//! NetworkPolicy that changes another file's diagnostics, a code action applied, a hover,
//! and a clean shutdown.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// The last diagnostics published for each URI.
    diagnostics: BTreeMap<String, Vec<Value>>,
    /// URIs published since the last [`Client::sync`].
    published: BTreeSet<String>,
    /// Messages the server showed the user (`window/showMessage`).
    shown: Vec<String>,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
            .arg("lsp")
            .current_dir(root)
            .env("PLIMSOLL_CACHE_DIR", root.with_file_name("cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start `plimsoll lsp`");
        let stdin = child.stdin.take().expect("piped stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (send, messages) = channel();
        std::thread::spawn(move || {
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = Some(n.parse::<usize>().expect("a numeric Content-Length"));
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                stdout.read_exact(&mut body).expect("a whole message");
                if send
                    .send(serde_json::from_slice(&body).expect("a JSON message"))
                    .is_err()
                {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
            diagnostics: BTreeMap::new(),
            published: BTreeSet::new(),
            shown: Vec::new(),
        }
    }

    /// `initialize` on `root` with these initialization options, then `initialized`:
    /// returns the server's answer.
    fn initialize(&mut self, root: &Path, options: Value) -> Value {
        let init = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": url::Url::from_file_path(root).expect("a file URI").to_string(),
                "capabilities": {},
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        init
    }

    /// `shutdown` then `exit`: the server ends with status 0.
    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server ends");
        assert!(status.success(), "{status}");
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
        self.stdin.flush().expect("flush to the server");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result, recording the notifications that come
    /// before it.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("the server answers");
            if m["id"] == json!(id) && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            match m["method"].as_str() {
                Some("textDocument/publishDiagnostics") => {
                    let uri = m["params"]["uri"].as_str().expect("a published URI").to_string();
                    let list = m["params"]["diagnostics"]
                        .as_array()
                        .expect("well-formed test data")
                        .clone();
                    self.published.insert(uri.clone());
                    self.diagnostics.insert(uri, list);
                }
                Some("window/showMessage") => self
                    .shown
                    .push(m["params"]["message"].as_str().unwrap_or_default().to_string()),
                _ => {}
            }
        }
    }

    /// Waits until every message sent so far has been handled (the server lints what is
    /// pending before answering a request); returns the URIs published meanwhile.
    fn sync(&mut self, uri: &str) -> BTreeSet<String> {
        self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
        );
        std::mem::take(&mut self.published)
    }

    fn rules(&self, uri: &str) -> Vec<String> {
        self.diagnostics.get(uri).map_or(Vec::new(), |d| {
            d.iter()
                .map(|d| d["code"].as_str().expect("well-formed test data").to_string())
                .collect()
        })
    }
}

fn uri(root: &Path, file: &str) -> String {
    url::Url::from_file_path(root.join(file))
        .expect("well-formed test data")
        .to_string()
}

mod common;

fn copy_demo() -> (tempfile::TempDir, PathBuf) {
    copy("testdata/demo")
}

/// A copy of a fixture directory of the repository, in a temporary directory.
fn copy(fixture: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // The workspace is a folder of the temporary directory; the render cache is beside it.
    let root = dir.path().canonicalize().expect("its path").join("workspace");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
    for entry in walk(&demo) {
        let to = root.join(entry.strip_prefix(&demo).expect("well-formed test data"));
        std::fs::create_dir_all(to.parent().expect("well-formed test data")).expect("well-formed test data");
        std::fs::copy(&entry, to).expect("well-formed test data");
    }
    (dir, root)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("well-formed test data") {
        let p = e.expect("well-formed test data").path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The safe quick fix among code actions for the diagnostic with this code.
fn safe_fix<'a>(actions: &'a Value, code: &str) -> Option<&'a Value> {
    actions
        .as_array()?
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.starts_with("Fix: ")) && a["diagnostics"][0]["code"] == code)
}

/// Applies text edits (ranges in UTF-16 units; the demo is ASCII) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().expect("well-formed test data") as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + p["character"].as_u64().expect("well-formed test data") as usize
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().expect("well-formed test data"),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn an_editor_session_over_pipes() {
    let (_dir, root) = copy_demo();
    let mut client = Client::start(&root);
    let init = client.initialize(&root, json!({"debounceMs": 50}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "plimsoll");

    // Open every file of the demo.
    let files: Vec<String> = walk(&root)
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().to_string_lossy().into_owned())
        .collect();
    for f in &files {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(&root, f), "languageId": "yaml", "version": 1, "text": text}}),
        );
    }
    client.sync(&uri(&root, &files[0]));

    // The same findings, at the same ranges, as `check --format json`.
    let out = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args(["check", "--format", "json", "--fail-on", "never", "."])
        .current_dir(&root)
        .env("PLIMSOLL_CACHE_DIR", root.with_file_name("cache"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected: BTreeSet<(String, String, u64, u64, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                uri(&root, f["file"].as_str().unwrap()),
                f["rule"].as_str().unwrap().to_string(),
                f["start"]["line"].as_u64().unwrap() - 1,
                f["start"]["column"].as_u64().unwrap() - 1,
                f["end"]["line"].as_u64().unwrap() - 1,
                f["end"]["column"].as_u64().unwrap() - 1,
            )
        })
        .collect();
    let got: BTreeSet<(String, String, u64, u64, u64, u64)> = client
        .diagnostics
        .iter()
        .flat_map(|(uri, list)| {
            list.iter().map(move |d| {
                let r = &d["range"];
                (
                    uri.clone(),
                    d["code"].as_str().unwrap().to_string(),
                    r["start"]["line"].as_u64().unwrap(),
                    r["start"]["character"].as_u64().unwrap(),
                    r["end"]["line"].as_u64().unwrap(),
                    r["end"]["character"].as_u64().unwrap(),
                )
            })
        })
        .collect();
    assert!(expected.len() > 30, "{}", expected.len());
    assert_eq!(got, expected);
    let api = uri(&root, "api/deployment.yaml");
    let first = &client.diagnostics[&api][0];
    assert_eq!(first["source"], "plimsoll");
    assert!(
        first["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with(first["code"].as_str().unwrap())
    );
    assert!(
        !client
            .rules(&api)
            .contains(&"netpol-egress-deny-without-dns".to_string())
    );

    // An edit of the NetworkPolicies (unsaved) updates the API Deployment's diagnostics:
    // its own policy now allows egress to the database only, not DNS.
    let policies = uri(&root, "base/network-policies.yaml");
    let text = std::fs::read_to_string(root.join("base/network-policies.yaml")).unwrap()
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: api-to-db\n  namespace: shop\nspec:\n  podSelector:\n    matchLabels:\n      app: api\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - port: 5432\n          protocol: TCP\n";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": policies, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let published = client.sync(&policies);
    assert!(published.contains(&api), "{published:?}");
    assert!(
        client
            .rules(&api)
            .contains(&"netpol-egress-deny-without-dns".to_string())
    );
    // Only the documents whose diagnostics changed are published again.
    assert!(
        !published.contains(&uri(&root, "redis/statefulset.yaml")),
        "{published:?}"
    );

    // A code action: the fix for allowPrivilegeEscalation, applied by the client.
    let ape = client.diagnostics[&api]
        .iter()
        .find(|d| d["code"] == "pss-allow-privilege-escalation")
        .unwrap()
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": api}, "range": ape["range"], "context": {"diagnostics": [ape]}}),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Suppress `pss-allow-privilege-escalation` here with a comment"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Suppress `pss-allow-privilege-escalation` for this object with an annotation"),
        "{titles:?}"
    );
    let fix = safe_fix(&actions, "pss-allow-privilege-escalation").unwrap_or_else(|| panic!("no fix among {titles:?}"));
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    let before = std::fs::read_to_string(root.join("api/deployment.yaml")).unwrap();
    let after = apply(&before, fix["edit"]["changes"][&api].as_array().unwrap());
    assert!(after.contains("allowPrivilegeEscalation: false"), "{after}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": api, "version": 2}, "contentChanges": [{"text": after}]}),
    );
    client.sync(&api);
    assert!(
        !client
            .rules(&api)
            .contains(&"pss-allow-privilege-escalation".to_string())
    );

    // Hover on a rule id of a suppression comment.
    let commented = format!("# plimsoll: ignore[image-mutable-tag]\n{after}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": api, "version": 3}, "contentChanges": [{"text": commented}]}),
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": api}, "position": {"line": 0, "character": 25}}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.starts_with("**image-mutable-tag** (image, warning)"), "{shown}");

    // Closing reverts to the file on disk.
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": api}}));
    client.sync(&api);
    assert!(
        client
            .rules(&api)
            .contains(&"pss-allow-privilege-escalation".to_string())
    );

    // Settings changed by the editor: only the Pod Security rules.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"plimsoll": {"select": ["pss"]}}}),
    );
    client.sync(&api);
    let codes: BTreeSet<String> = client
        .diagnostics
        .values()
        .flatten()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(codes.contains("pss-host-namespaces"), "{codes:?}");
    assert!(codes.iter().all(|c| c.starts_with("pss-")), "{codes:?}");

    assert_eq!(client.shown, Vec::<String>::new());
    client.stop();
}

#[test]
fn bad_input_never_ends_the_session() {
    let (_dir, root) = copy_demo();
    let mut client = Client::start(&root);
    client.initialize(&root, Value::Null);
    let api = uri(&root, "api/deployment.yaml");
    for text in [
        "",
        "{{{",
        "a: [\n",
        "\u{feff}apiVersion: v1\nkind: Pod\n",
        "- - - -\n\t:",
    ] {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": api, "version": 2}, "contentChanges": [{"text": text}]}),
        );
        client.sync(&api);
    }
    // Malformed parameters are answered with an error, and the session goes on.
    client.notify("textDocument/didOpen", json!({"nonsense": true}));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///elsewhere.yaml"}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "context": {"diagnostics": []}}),
    );
    assert_eq!(actions, json!([]));
    assert_eq!(client.shown, Vec::<String>::new());
    client.stop();
}

#[test]
fn kustomize_findings_land_on_the_base_and_a_save_renders_again() {
    if !common::renderer_or_skip("kustomize_findings_land_on_the_base_and_a_save_renders_again") {
        return;
    }
    let (_dir, root) = copy("testdata/kustomize");
    let mut client = Client::start(&root);
    client.initialize(&root, Value::Null);
    let base = uri(&root, "base/deployment.yaml");
    client.sync(&base);
    let ape = client.diagnostics[&base]
        .iter()
        .find(|d| d["code"] == "pss-allow-privilege-escalation")
        .unwrap_or_else(|| panic!("{:?}", client.rules(&base)))
        .clone();
    assert!(
        ape["message"]
            .as_str()
            .unwrap()
            .contains("kustomize build overlays/prod"),
        "{ape}"
    );

    // The quick fix edits the base, where the field is.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": base}, "range": ape["range"], "context": {"diagnostics": [ape]}}),
    );
    let fix = safe_fix(&actions, "pss-allow-privilege-escalation").unwrap_or_else(|| panic!("{actions}"));
    let edits = fix["edit"]["changes"][&base].as_array().unwrap();
    let before = std::fs::read_to_string(root.join("base/deployment.yaml")).unwrap();
    let after = apply(&before, edits);
    assert!(after.contains("allowPrivilegeEscalation: false"), "{after}");

    // Saved, the base is rendered again: the finding is gone from it.
    std::fs::write(root.join("base/deployment.yaml"), &after).unwrap();
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": base}}));
    client.sync(&base);
    assert!(
        !client
            .rules(&base)
            .contains(&"pss-allow-privilege-escalation".to_string()),
        "{:?}",
        client.rules(&base)
    );
    assert!(client.rules(&base).contains(&"pss-run-as-non-root".to_string()));
    assert_eq!(client.shown, Vec::<String>::new());
    client.stop();
}

#[test]
fn a_configuration_error_is_shown_and_a_save_of_the_fixed_file_lints_again() {
    let (_dir, root) = copy_demo();
    std::fs::write(root.join(".plimsoll.yaml"), "rules:\n  select: [no-such-rule]\n").unwrap();
    let mut client = Client::start(&root);
    client.initialize(&root, Value::Null);
    let api = uri(&root, "api/deployment.yaml");
    client.sync(&api);
    assert_eq!(client.shown.len(), 1, "{:?}", client.shown);
    assert!(client.shown[0].contains(".plimsoll.yaml"), "{:?}", client.shown);
    assert!(client.diagnostics.is_empty());

    // Fixed and saved (twice: the configuration file is never taken for a file outside
    // the workspace).
    for select in ["[pss-privileged]", "[pss]"] {
        std::fs::write(root.join(".plimsoll.yaml"), format!("rules:\n  select: {select}\n")).unwrap();
        client.notify(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri(&root, ".plimsoll.yaml")}}),
        );
        client.sync(&api);
    }
    assert_eq!(client.shown.len(), 1, "{:?}", client.shown);
    assert!(
        client.rules(&api).contains(&"pss-run-as-non-root".to_string()),
        "{:?}",
        client.rules(&api)
    );
    client.stop();
}
