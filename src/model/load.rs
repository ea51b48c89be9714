//! Text → documents → objects, with every problem recorded at its position.

use super::kinds::{Typed, TypedKind};
use super::object::Object;
use crate::source::de::{Context, DeError};
use crate::source::{Directive, Documents, Limits, NodeId, NodeKind, ParseError, Route, Span, Tree, find_directives};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A problem found while loading, reported by the `invalid-manifest`, `unknown-field` rules.
#[derive(Debug, Clone)]
pub struct Issue {
    pub kind: IssueKind,
    pub span: Span,
    /// Route from the document root to the offending node, when known.
    pub route: Option<String>,
    pub message: String,
    /// Index into [`Loaded::objects`] of the object concerned, if any.
    pub object: Option<usize>,
    pub doc: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// Not valid YAML, not a Kubernetes object, or a value of the wrong type.
    Invalid,
    /// A key the object's schema does not have.
    UnknownField {
        name: String,
        /// A declared field close to the unknown one.
        suggestion: Option<String>,
        /// The declared fields within Damerau-Levenshtein distance 2 of the unknown one,
        /// or equal to it but for case: a rename is certain only when there is one.
        within_two: Vec<&'static str>,
        /// The key's route from the object's root.
        relative: String,
        struct_name: &'static str,
    },
}

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// The file was named explicitly (or is stdin): documents that are not Kubernetes objects
    /// are reported instead of skipped.
    pub explicit: bool,
}

/// One loaded file, or one part of it.
#[derive(Default)]
pub struct Loaded<'s> {
    pub tree: Tree<'s>,
    pub objects: Vec<Object>,
    pub issues: Vec<Issue>,
    pub directives: Vec<Directive>,
    /// YAML documents read (including skipped ones).
    pub documents: usize,
    /// Documents skipped because they are not Kubernetes objects (discovered files only).
    pub skipped: usize,
    /// The index in the file of `objects[0]` (objects of earlier parts come before).
    pub first_object: usize,
    /// The YAML documents of this part, with their roots in `tree`.
    pub docs: Vec<crate::source::ParsedDocument>,
    /// A document of this part does not parse.
    pub parse_error: bool,
}

/// Loads every document of `text` at once.
pub fn load<'s>(text: &'s str, opts: &LoadOptions) -> Loaded<'s> {
    let mut parts = Parts::with_budget(text, opts, usize::MAX);
    let mut loaded = parts.next_part().unwrap_or_default();
    loaded.directives = parts.directives;
    loaded
}

/// Loads document `doc` of `text` alone, from where the check found it (`range`, starting
/// on line `line`: [`crate::engine::fix::Documents::locate`]), with the positions it has in the
/// file; `None` if that range does not hold exactly that one document. Its objects are
/// numbered from 0 ([`Loaded::first_object`] is meaningless).
pub fn load_at<'s>(
    text: &'s str,
    range: std::ops::Range<usize>,
    line: u32,
    doc: usize,
    opts: &LoadOptions,
) -> Option<Loaded<'s>> {
    let mut documents = crate::source::Documents::at(text, range, line, doc, opts.limits.clone());
    let (tree, docs, error) = documents.next_part(usize::MAX)?;
    if error.is_some() || docs.len() != 1 || docs[0].index != doc {
        return None;
    }
    let mut out = Loaded {
        tree,
        documents: 1,
        ..Loaded::default()
    };
    load_document(&mut out, doc, docs[0].root, opts);
    out.docs = docs;
    Some(out)
}

/// How much text one part of a file holds (whole documents): a file larger than this is
/// parsed, loaded and checked a part at a time, so that its memory does not grow with it.
pub const PART_BYTES: usize = 1 << 20;

/// A file loaded a part at a time (see [`Documents`]). Objects of every part are numbered
/// in the file ([`Loaded::first_object`]), and issues and documents keep their file
/// positions and indices.
pub struct Parts<'s> {
    documents: Documents<'s>,
    opts: LoadOptions,
    budget: usize,
    objects_before: usize,
    /// The file's suppression comments; a marker found inside a scalar of a part read so
    /// far is text, not a comment, and is removed.
    pub directives: Vec<Directive>,
}

impl<'s> Parts<'s> {
    pub fn new(text: &'s str, opts: &LoadOptions) -> Parts<'s> {
        Parts::with_budget(text, opts, PART_BYTES)
    }

    pub(crate) fn with_budget(text: &'s str, opts: &LoadOptions, budget: usize) -> Parts<'s> {
        Parts {
            documents: Documents::new(text, opts.limits.clone()),
            opts: opts.clone(),
            budget,
            objects_before: 0,
            directives: find_directives(text),
        }
    }

    /// The next part; `None` after the last. The first call always gives one.
    pub fn next_part(&mut self) -> Option<Loaded<'s>> {
        let (tree, docs, error) = self.documents.next_part(self.budget)?;
        let mut out = Loaded {
            tree,
            objects: Vec::new(),
            issues: Vec::new(),
            directives: Vec::new(),
            documents: docs.len(),
            skipped: 0,
            first_object: self.objects_before,
            docs: Vec::new(),
            parse_error: false,
        };
        for doc in &docs {
            load_document(&mut out, doc.index, doc.root, &self.opts);
        }
        out.docs = docs;
        out.parse_error = error.is_some();
        if let Some(ParseError { pos, message }) = error {
            out.issues.push(Issue {
                kind: IssueKind::Invalid,
                span: Span::new(pos, pos),
                route: None,
                message: format!("invalid YAML: {message}"),
                object: None,
                doc: self.documents.read(),
            });
        }
        if !self.directives.is_empty() {
            drop_markers_in_scalars(&out.tree, &mut self.directives);
        }
        self.objects_before += out.objects.len();
        Some(out)
    }
}

/// Removes the directives whose marker lies inside a scalar of `tree` (a quoted or block
/// scalar that holds `# plimsoll:…` is text). Scalars are in source order and do not
/// overlap, so each marker is one binary search.
fn drop_markers_in_scalars(tree: &Tree<'_>, directives: &mut Vec<Directive>) {
    let scalars: Vec<(u32, u32)> = tree
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Scalar { .. }))
        .map(|n| (n.span.start.byte, n.span.end.byte))
        .collect();
    directives.retain(|d| {
        let at = d.span.start.byte;
        let i = scalars.partition_point(|(start, _)| *start <= at);
        !(i > 0 && at < scalars[i - 1].1)
    });
}

fn load_document(out: &mut Loaded<'_>, doc: usize, root: NodeId, opts: &LoadOptions) {
    let tree = &out.tree;
    let root = tree.deref(root);
    if !tree.is_map(root) {
        let what = if tree.is_seq(root) { "a sequence" } else { "a scalar" };
        if opts.explicit {
            out.issues.push(invalid(
                tree.span(root),
                None,
                doc,
                format!("this document is {what}, not a Kubernetes object"),
            ));
        } else {
            out.skipped += 1;
        }
        return;
    }
    let kind = tree.get(root, "kind").and_then(|k| tree.str(k));
    let is_list = kind.is_some_and(|k| k.ends_with("List"))
        && tree
            .get(root, "items")
            .is_some_and(|i| tree.is_seq(i) || tree.is_null(i));
    if is_list {
        let items: Vec<NodeId> = tree
            .get(root, "items")
            .map(|i| tree.items(i).iter().map(|item| tree.deref(*item)).collect())
            .unwrap_or_default();
        for (i, item) in items.into_iter().enumerate() {
            load_object(out, doc, item, Route::root().key("items").index(i), true, &opts.limits);
        }
    } else {
        load_object(out, doc, root, Route::root(), opts.explicit, &opts.limits);
    }
}

fn invalid(span: Span, route: Option<String>, doc: usize, message: String) -> Issue {
    Issue {
        kind: IssueKind::Invalid,
        span,
        route,
        message,
        object: None,
        doc,
    }
}

/// Reads one object candidate (a document's root, or a `List` item).
fn load_object(out: &mut Loaded<'_>, doc: usize, node: NodeId, prefix: Route, strict: bool, limits: &Limits) {
    let tree = &out.tree;
    let grip = crate::source::grip(tree, node);
    if !tree.is_map(node) {
        out.issues.push(invalid(
            tree.span(node),
            Some(prefix.to_string()),
            doc,
            "a list item must be a Kubernetes object (a mapping)".to_string(),
        ));
        return;
    }
    let api_version = tree.get_entry(node, "apiVersion");
    let kind = tree.get_entry(node, "kind");
    let (api_version, kind) = match (api_version, kind) {
        (None, None) => {
            if strict {
                out.issues.push(invalid(
                    grip,
                    Some(prefix.to_string()),
                    doc,
                    "not a Kubernetes object: no `apiVersion` and no `kind`".to_string(),
                ));
            } else {
                out.skipped += 1;
            }
            return;
        }
        (Some(_), None) | (None, Some(_)) => {
            let missing = if kind.is_none() { "kind" } else { "apiVersion" };
            let present = api_version.or(kind).map(|(k, v)| tree.span(k).to(tree.span(v)));
            out.issues.push(invalid(
                present.unwrap_or(grip),
                Some(prefix.to_string()),
                doc,
                format!("not a valid Kubernetes object: `{missing}` is missing"),
            ));
            return;
        }
        (Some(a), Some(k)) => (a, k),
    };
    let mut type_meta = Vec::with_capacity(2);
    for (name, (key, value)) in [("apiVersion", api_version), ("kind", kind)] {
        match tree.str(value).filter(|s| !s.is_empty()) {
            Some(s) => type_meta.push(s.to_string()),
            None => {
                out.issues.push(invalid(
                    tree.span(key).to(tree.span(value)),
                    Some(prefix.key(name).to_string()),
                    doc,
                    format!("`{name}` must be a non-empty string"),
                ));
                return;
            }
        }
    }
    let kind = type_meta.pop().unwrap_or_default();
    let api_version = type_meta.pop().unwrap_or_default();
    let mut obj = Object::new(doc, node, prefix.clone(), api_version, kind);
    obj.sops = tree.get(node, "sops").is_some_and(|s| tree.is_map(s));
    let index = out.objects.len();

    let typed = if obj.sops {
        None
    } else {
        TypedKind::lookup(&obj.api_version, &obj.kind)
    };
    let mut typed_ok = false;
    if let Some((which, legacy)) = typed {
        obj.legacy_api = legacy;
        let cx = Context::new(tree, limits.max_alias_nodes, !legacy && !which.partial());
        let (typed, errors) = which.read(&cx, node);
        for e in &errors {
            out.issues.push(type_issue(tree, e, &prefix, doc, index, node));
        }
        if let Some(t) = typed {
            obj.typed = t;
            typed_ok = true;
        }
        push_unknown(&mut out.issues, tree, &cx, &prefix, doc, index);
    }
    if !typed_ok {
        if let Some(meta) = tree.get(node, "metadata") {
            // Unknown fields in the metadata of a typed object were reported already.
            let cx = Context::new(tree, limits.max_alias_nodes, typed.is_none());
            match cx.deserialize::<ObjectMeta>(meta, false) {
                Ok(m) => obj.set_generic_meta(m),
                Err(e) if typed.is_none() || obj.sops => {
                    out.issues
                        .push(type_issue(tree, &e, &prefix.key("metadata"), doc, index, node))
                }
                Err(_) => {}
            }
            push_unknown(&mut out.issues, tree, &cx, &prefix.key("metadata"), doc, index);
        }
        obj.typed = Typed::Generic;
    }
    out.objects.push(obj);
}

fn type_issue(tree: &Tree<'_>, e: &DeError, prefix: &Route, doc: usize, object: usize, fallback: NodeId) -> Issue {
    let node = e.node.unwrap_or(fallback);
    let route = match e.route.as_deref() {
        Some("") | None => prefix.to_string(),
        Some(r) if prefix.is_root() => r.to_string(),
        Some(r) => format!("{prefix}.{r}"),
    };
    let mut message = e.message.clone();
    if !route.is_empty() {
        message = format!("`{route}`: {message}");
    }
    Issue {
        kind: IssueKind::Invalid,
        span: tree.span(node),
        route: Some(route),
        message,
        object: Some(object),
        doc,
    }
}

fn push_unknown(
    issues: &mut Vec<Issue>,
    tree: &Tree<'_>,
    cx: &Context<'_, '_>,
    prefix: &Route,
    doc: usize,
    object: usize,
) {
    for u in cx.take_unknown() {
        let suggestion = u
            .expected
            .iter()
            .map(|f| (strsim::jaro_winkler(f, &u.name), *f))
            .filter(|(score, _)| *score > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, f)| f.to_string());
        let lower = u.name.to_lowercase();
        let within_two: Vec<&'static str> = u
            .expected
            .iter()
            .copied()
            .filter(|f| f.to_lowercase() == lower || strsim::damerau_levenshtein(f, &u.name) <= 2)
            .collect();
        let route = if prefix.is_root() {
            u.route.clone()
        } else {
            format!("{prefix}.{}", u.route)
        };
        issues.push(Issue {
            kind: IssueKind::UnknownField {
                name: u.name,
                suggestion,
                within_two,
                relative: u.route,
                struct_name: u.struct_name,
            },
            span: tree.span(u.key),
            route: Some(route),
            message: String::new(),
            object: Some(object),
            doc,
        });
    }
}
