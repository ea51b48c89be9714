//! `plimsoll lsp`: a Language Server Protocol server over stdio.
//!
//! One [`Session`] lints the workspace folder (with its `.gitignore`, `.plimsoll.yaml` and
//! excludes) and keeps each file's output, so that a lint after an edit checks the edited
//! file again and runs the cross-object rules on the kept facts of the others (the index is
//! rebuilt from facts, which costs a fraction of reading the files). Unsaved buffers take
//! precedence over the files on disk. Diagnostics are published for every file of the
//! workspace whose findings changed, so that an edit of a NetworkPolicy updates the
//! workloads it selects. A save of a file that a Kustomize render read renders again
//! (through the render cache) and moves findings to the base or patch, as on the command
//! line.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's crates: a synchronous loop that
//! suits an engine whose work already runs on a thread pool, with no async runtime.

mod actions;
mod convert;
mod settings;

pub use convert::Encoding;
pub use settings::Settings;

use crate::session::{Linted, Session};
use crate::source::FileId;
use convert::Texts;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves the protocol on standard input and output until the client shuts the server
/// down.
pub fn run_stdio() -> Result<(), Error> {
    let (connection, io) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io.join()?;
    Ok(())
}

/// Serves the protocol on a connection: the handshake, then messages until `shutdown`.
/// The workspace folder becomes the working directory.
pub fn serve(connection: &Connection) -> Result<(), Error> {
    let (id, params) = connection.initialize_start()?;
    let init: lsp::InitializeParams = serde_json::from_value(params)?;
    let encoding = Encoding::negotiate(&init);
    let root = workspace_root(&init)?;
    std::env::set_current_dir(&root)?;
    let capabilities = lsp::ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::FULL),
            save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
            ..lsp::TextDocumentSyncOptions::default()
        })),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
            ..lsp::CodeActionOptions::default()
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        ..lsp::ServerCapabilities::default()
    };
    connection.initialize_finish(
        id,
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": {"name": "plimsoll", "version": env!("CARGO_PKG_VERSION")},
        }),
    )?;
    let watch = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut server = Server {
        connection,
        root,
        encoding,
        settings: Settings::default(),
        session: None,
        open: BTreeMap::new(),
        ids: HashMap::new(),
        unlisted: std::collections::HashSet::new(),
        linted: None,
        published: HashMap::new(),
        due: None,
    };
    match Settings::from_value(init.initialization_options.as_ref()) {
        Ok(s) => server.settings = s,
        Err(e) => server.show(lsp::MessageType::ERROR, e),
    }
    if watch {
        server.watch_files();
    }
    server.reload();
    server.main_loop()
}

/// The folder to lint: the first workspace folder, else the root URI, else the working
/// directory.
fn workspace_root(init: &lsp::InitializeParams) -> Result<PathBuf, Error> {
    #[allow(deprecated)]
    let uri = init
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri)
        .or(init.root_uri.as_ref());
    match uri {
        Some(uri) => convert::path_of(uri)
            .ok_or_else(|| format!("the workspace `{}` is not a local folder", uri.as_str()).into()),
        None => Ok(std::env::current_dir()?),
    }
}

/// An open document.
struct Open {
    /// The file of the session, when the document is one of the workspace's manifests.
    file: Option<FileId>,
    text: Arc<str>,
}

struct Server<'a> {
    connection: &'a Connection,
    root: PathBuf,
    encoding: Encoding,
    settings: Settings,
    /// `None` when the configuration could not be read (the error was shown).
    session: Option<Session>,
    open: BTreeMap<PathBuf, Open>,
    /// The session's files that are in the workspace, by path.
    ids: HashMap<PathBuf, FileId>,
    /// Saved documents the last reload did not find (excluded, ignored, not manifests):
    /// saving them again does not reload.
    unlisted: std::collections::HashSet<PathBuf>,
    linted: Option<Linted>,
    /// What was last published for each document (by URI): a hash of its findings.
    published: HashMap<String, (lsp::Uri, u64)>,
    /// When to lint next (edits wait for the debounce).
    due: Option<Instant>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), Error> {
        loop {
            if self.due.is_some_and(|d| d <= Instant::now()) {
                self.lint();
            }
            let message = match self.due {
                Some(due) => match self
                    .connection
                    .receiver
                    .recv_timeout(due.saturating_duration_since(Instant::now()))
                {
                    Ok(m) => m,
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => continue,
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
                },
                None => match self.connection.receiver.recv() {
                    Ok(m) => m,
                    Err(_) => return Ok(()),
                },
            };
            match message {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req)? {
                        return Ok(());
                    }
                    // Answers are about what the client sees now: lint what is pending.
                    if self.due.is_some() {
                        self.lint();
                    }
                    let id = req.id.clone();
                    let response = guard(|| self.request(req))
                        .unwrap_or_else(|e| Response::new_err(id, ErrorCode::InternalError as i32, e));
                    self.connection.sender.send(response.into())?;
                }
                Message::Notification(n) => {
                    if let Err(e) = guard(|| self.notification(n)) {
                        self.log(lsp::MessageType::ERROR, e);
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            lsp::request::CodeActionRequest::METHOD => {
                serde_json::from_value::<lsp::CodeActionParams>(req.params).map(|p| {
                    let actions = self.code_actions(&p);
                    serde_json::to_value(actions).unwrap_or_default()
                })
            }
            lsp::request::HoverRequest::METHOD => serde_json::from_value::<lsp::HoverParams>(req.params).map(|p| {
                let hover = self.hover(&p);
                serde_json::to_value(hover).unwrap_or_default()
            }),
            method => {
                return Response::new_err(id, ErrorCode::MethodNotFound as i32, format!("unknown method {method}"));
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    fn notification(&mut self, n: Notification) -> Result<(), String> {
        use lsp::notification as note;
        let params = n.params;
        let bad = |e: serde_json::Error| e.to_string();
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let p: lsp::DidOpenTextDocumentParams = serde_json::from_value(params).map_err(bad)?;
                self.set_text(&p.text_document.uri, Arc::from(p.text_document.text));
                self.due = Some(Instant::now());
            }
            note::DidChangeTextDocument::METHOD => {
                let p: lsp::DidChangeTextDocumentParams = serde_json::from_value(params).map_err(bad)?;
                // Full synchronisation: the last change is the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    self.set_text(&p.text_document.uri, Arc::from(change.text));
                    self.due = Some(Instant::now() + self.settings.debounce());
                }
            }
            note::DidSaveTextDocument::METHOD => {
                let p: lsp::DidSaveTextDocumentParams = serde_json::from_value(params).map_err(bad)?;
                if let Some(path) = convert::path_of(&p.text_document.uri) {
                    if is_config(&path) || self.renders_read(&path) {
                        self.reload();
                    } else if !(self.ids.contains_key(&path) || self.unlisted.contains(&path)) {
                        // Perhaps a file new to the workspace.
                        self.reload();
                        if !self.ids.contains_key(&path) {
                            self.unlisted.insert(path);
                        }
                    }
                }
                self.due = Some(Instant::now());
            }
            note::DidCloseTextDocument::METHOD => {
                let p: lsp::DidCloseTextDocumentParams = serde_json::from_value(params).map_err(bad)?;
                if let Some(path) = convert::path_of(&p.text_document.uri)
                    && let Some(open) = self.open.remove(&path)
                    && let (Some(file), Some(session)) = (open.file, self.session.as_mut())
                {
                    session.clear_text(file);
                    self.due = Some(Instant::now());
                }
            }
            note::DidChangeConfiguration::METHOD => {
                let p: lsp::DidChangeConfigurationParams = serde_json::from_value(params).map_err(bad)?;
                match Settings::from_value(Some(&p.settings)) {
                    Ok(s) => {
                        self.settings = s;
                        self.reload();
                    }
                    Err(e) => self.show(lsp::MessageType::ERROR, e),
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let p: lsp::DidChangeWatchedFilesParams = serde_json::from_value(params).map_err(bad)?;
                let reload = p.changes.iter().any(|c| {
                    c.typ != lsp::FileChangeType::CHANGED
                        || convert::path_of(&c.uri).is_some_and(|p| is_config(&p) || self.renders_read(&p))
                });
                if reload {
                    self.reload();
                }
                self.due = Some(Instant::now());
            }
            _ => {}
        }
        Ok(())
    }

    /// Makes the session again (settings or configuration changed, files appeared or went,
    /// a render's sources changed), and lints at once.
    fn reload(&mut self) {
        self.ids.clear();
        self.unlisted.clear();
        self.session = None;
        let options = match self.settings.options() {
            Ok(o) => o,
            Err(e) => {
                self.show(lsp::MessageType::ERROR, e);
                return;
            }
        };
        let mut session = match Session::new(options) {
            Ok(s) => s,
            Err(e) => {
                self.show(lsp::MessageType::ERROR, format!("plimsoll: {e}"));
                self.clear_all();
                return;
            }
        };
        session.keep_outputs();
        if let Err(e) = session.load_inputs() {
            self.log(lsp::MessageType::WARNING, e.to_string());
        }
        for line in session
            .notices()
            .iter()
            .chain(session.warnings())
            .chain(session.discovery_errors())
        {
            self.log(lsp::MessageType::INFO, line.clone());
        }
        let files = session.files();
        for id in files.ids() {
            if let Some(path) = convert::place(files, &self.root, id)
                && matches!(files.get(id).source, crate::engine::Source::Path(_))
            {
                self.ids.insert(path, id);
            }
        }
        for (path, open) in &mut self.open {
            open.file = self.ids.get(path).copied();
            if let Some(file) = open.file {
                session.set_text(file, open.text.clone());
            }
        }
        self.session = Some(session);
        self.due = Some(Instant::now());
    }

    /// Whether a Kustomize render read the file (it is one of the session's files but not
    /// an input of its own), or it is a kustomization.
    fn renders_read(&self, path: &Path) -> bool {
        if crate::discover::kustomize::is_kustomization_file(path) {
            return true;
        }
        match (self.ids.get(path), &self.session) {
            (Some(id), Some(s)) => !s.files().get(*id).input,
            _ => false,
        }
    }

    fn set_text(&mut self, uri: &lsp::Uri, text: Arc<str>) {
        let Some(path) = convert::path_of(uri) else {
            return;
        };
        let file = self.ids.get(&path).copied();
        if let (Some(file), Some(session)) = (file, self.session.as_mut()) {
            session.set_text(file, text.clone());
        }
        self.open.insert(path, Open { file, text });
    }

    /// Lints, and publishes the diagnostics of every document whose findings changed.
    fn lint(&mut self) {
        self.due = None;
        let Some(session) = &self.session else {
            return;
        };
        let started = Instant::now();
        let linted = match guard(|| session.lint().map_err(|e| e.to_string())) {
            Ok(Ok(l)) => l,
            Ok(Err(e)) | Err(e) => {
                self.log(lsp::MessageType::ERROR, format!("lint failed: {e}"));
                return;
            }
        };
        let checked = session.last_checked().unwrap_or_default();
        let mut by_file: BTreeMap<FileId, Vec<&crate::engine::Finding>> = BTreeMap::new();
        for f in &linted.outcome.findings {
            by_file.entry(f.loc().file).or_default().push(f);
        }
        let published = Instant::now();
        let mut texts = Texts::new(&linted.files);
        let mut now: HashMap<String, (lsp::Uri, u64)> = HashMap::new();
        let mut sent = 0;
        for (file, findings) in &by_file {
            let Some(uri) =
                convert::place(&linted.files, &self.root, *file).and_then(|p| convert::uri_of(&self.root, &p))
            else {
                continue;
            };
            let key = findings_key(findings, &linted.files);
            now.insert(uri.as_str().to_string(), (uri.clone(), key));
            if self.published.get(uri.as_str()).is_some_and(|(_, k)| *k == key) {
                continue;
            }
            let diagnostics = findings
                .iter()
                .map(|f| convert::diagnostic(f, &self.root, self.encoding, &linted.files, &mut texts))
                .collect();
            self.publish(uri, diagnostics);
            sent += 1;
        }
        let gone: Vec<lsp::Uri> = self
            .published
            .iter()
            .filter(|(k, _)| !now.contains_key(*k))
            .map(|(_, (uri, _))| uri.clone())
            .collect();
        for uri in gone {
            self.publish(uri, Vec::new());
            sent += 1;
        }
        drop(texts);
        self.published = now;
        self.log(
            lsp::MessageType::LOG,
            format!(
                "linted in {} ms (files {} ms, cross-object {} ms, publishing {} ms): {} files checked again, {} findings, {} documents published",
                started.elapsed().as_millis(),
                linted.outcome.stats.load_and_check.as_millis(),
                linted.outcome.stats.cross_object.as_millis(),
                published.elapsed().as_millis(),
                checked,
                linted.outcome.findings.len(),
                sent
            ),
        );
        self.linted = Some(linted);
    }

    fn clear_all(&mut self) {
        for (uri, _) in std::mem::take(&mut self.published).into_values() {
            self.publish(uri, Vec::new());
        }
        self.linted = None;
    }

    fn publish(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>) {
        let params = lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        };
        self.notify::<lsp::notification::PublishDiagnostics>(params);
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        let _ = self
            .connection
            .sender
            .send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn log(&self, typ: lsp::MessageType, message: String) {
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams { typ, message });
    }

    fn show(&self, typ: lsp::MessageType, message: String) {
        self.log(typ, message.clone());
        self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams { typ, message });
    }

    /// Asks the client to tell about manifests and configuration files created, changed or
    /// deleted outside the editor.
    fn watch_files(&self) {
        let watchers = ["**/*.{yaml,yml,json}", "**/.plimsoll.{yaml,yml}"]
            .into_iter()
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "plimsoll-watch".to_string(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.to_string(),
                register_options: serde_json::to_value(lsp::DidChangeWatchedFilesRegistrationOptions { watchers }).ok(),
            }],
        };
        let request = Request::new(
            lsp_server::RequestId::from("plimsoll-watch".to_string()),
            lsp::request::RegisterCapability::METHOD.to_string(),
            params,
        );
        let _ = self.connection.sender.send(request.into());
    }

    fn code_actions(&self, p: &lsp::CodeActionParams) -> Vec<lsp::CodeActionOrCommand> {
        let Some(linted) = &self.linted else {
            return Vec::new();
        };
        let Some(file) = convert::path_of(&p.text_document.uri).and_then(|path| self.ids.get(&path).copied()) else {
            return Vec::new();
        };
        actions::code_actions(
            &linted.outcome.findings,
            &linted.files,
            &self.root,
            self.encoding,
            file,
            p.range,
        )
    }

    fn hover(&self, p: &lsp::HoverParams) -> Option<lsp::Hover> {
        let doc = &p.text_document_position_params;
        let path = convert::path_of(&doc.text_document.uri)?;
        let text = match self.open.get(&path) {
            Some(open) => open.text.clone(),
            None => Arc::from(std::fs::read_to_string(&path).ok()?),
        };
        actions::hover(&text, doc.position, self.encoding)
    }
}

/// Whether a path is a configuration file (`.plimsoll.yaml` or `.plimsoll.yml`).
fn is_config(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == ".plimsoll.yaml" || n == ".plimsoll.yml")
}

/// A hash of what a document's diagnostics show, to publish only those that changed.
fn findings_key(findings: &[&crate::engine::Finding], files: &crate::engine::Files) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in findings {
        (
            f.rule,
            f.severity,
            &f.message,
            f.loc().span,
            &f.label,
            &f.more().help,
            &f.more().qualifier,
        )
            .hash(&mut h);
        f.target.missing().hash(&mut h);
        for r in &f.more().related {
            (files.display(r.loc.file), r.loc.span, &r.message).hash(&mut h);
        }
    }
    h.finish()
}

/// Runs `f`, turning a panic into an error: bad input never ends the session.
fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error".to_string())
    })
}
