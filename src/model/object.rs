//! A Kubernetes object as loaded: where it sits in its document, its type meta, its typed
//! form (or generic), and its metadata.

use super::intern::{Interner, Str};
use super::kinds::{Typed, is_cluster_scoped};
use crate::source::{NodeId, Route};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

#[derive(Debug)]
pub struct Object {
    /// 0-based index of the YAML document in its file.
    pub doc: usize,
    /// The object's mapping node.
    pub root: NodeId,
    /// The route from the document root to the object (`items[3]` inside a `List`).
    pub prefix: Route,
    pub api_version: String,
    pub kind: String,
    pub typed: Typed,
    /// Metadata of a generic object (typed objects carry theirs in `typed`).
    generic_meta: ObjectMeta,
    /// Read with a legacy apiVersion through today's type.
    pub legacy_api: bool,
    /// The document is SOPS-encrypted (a top-level `sops:` mapping).
    pub sops: bool,
}

impl Object {
    pub fn new(doc: usize, root: NodeId, prefix: Route, api_version: String, kind: String) -> Object {
        Object {
            doc,
            root,
            prefix,
            api_version,
            kind,
            typed: Typed::Generic,
            generic_meta: ObjectMeta::default(),
            legacy_api: false,
            sops: false,
        }
    }

    pub fn set_generic_meta(&mut self, meta: ObjectMeta) {
        self.generic_meta = meta;
    }

    pub fn meta(&self) -> &ObjectMeta {
        self.typed.metadata().unwrap_or(&self.generic_meta)
    }

    pub fn name(&self) -> Option<&str> {
        self.meta().name.as_deref()
    }

    /// The namespace as written.
    pub fn explicit_namespace(&self) -> Option<&str> {
        self.meta().namespace.as_deref().filter(|n| !n.is_empty())
    }

    /// The namespace the object lands in: as written, else `default_namespace`; `None` for
    /// cluster-scoped kinds.
    pub fn namespace<'a>(&'a self, default_namespace: &'a str) -> Option<&'a str> {
        if is_cluster_scoped(&self.kind) {
            None
        } else {
            Some(self.explicit_namespace().unwrap_or(default_namespace))
        }
    }

    pub fn labels(&self) -> Option<&BTreeMap<String, String>> {
        self.meta().labels.as_ref()
    }

    pub fn annotations(&self) -> Option<&BTreeMap<String, String>> {
        self.meta().annotations.as_ref()
    }

    /// `Kind/name` or `Kind/namespace/name`, for messages.
    pub fn display_name(&self) -> String {
        let name = self.name().unwrap_or("<unnamed>");
        match self.explicit_namespace() {
            Some(ns) => format!("{}/{ns}/{name}", self.kind),
            None => format!("{}/{name}", self.kind),
        }
    }
}

/// The identity of a loaded object, shared by its findings and facts. Its strings are
/// interned for the run.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    pub file: crate::source::FileId,
    /// Index of the object among its file's objects.
    pub index: u32,
    /// 0-based document index in the file.
    pub doc: u32,
    /// Route from the document root to the object (`items[3]` in a `List`).
    pub prefix: Str,
    pub api_version: Str,
    pub kind: Str,
    /// The namespace as written.
    pub namespace: Option<Str>,
    pub name: Option<Str>,
}

impl ObjectRef {
    pub fn of(obj: &Object, file: crate::source::FileId, index: usize, interner: &Interner) -> ObjectRef {
        ObjectRef {
            file,
            index: index as u32,
            doc: obj.doc as u32,
            prefix: interner.intern(&obj.prefix.to_string()),
            api_version: interner.intern(&obj.api_version),
            kind: interner.intern(&obj.kind),
            namespace: obj.explicit_namespace().map(|n| interner.intern(n)),
            name: obj.name().map(|n| interner.intern(n)),
        }
    }

    /// `Kind/name` or `Kind/namespace/name`, safe to print (control characters escaped).
    pub fn display_name(&self) -> String {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        let shown = match &self.namespace {
            Some(ns) => format!("{}/{ns}/{name}", self.kind),
            None => format!("{}/{name}", self.kind),
        };
        crate::source::escape_control(&shown).into_owned()
    }
}

/// Whether a name is a valid object name of most kinds (a DNS-1123 subdomain: at most 253
/// characters of `[a-z0-9.-]`, starting and ending with a letter or digit). Names that are
/// not are usually unrendered placeholders (`${NAME}`, `<NAME>`, `PROJECT_ID`).
pub fn is_dns_subdomain(name: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !name.is_empty()
        && name.len() <= 253
        && name.bytes().all(|b| alnum(b) || b == b'-' || b == b'.')
        && name.bytes().next().is_some_and(alnum)
        && name.bytes().last().is_some_and(alnum)
}

/// `scope/name` (`Kind/name`, `namespace/name`), or `name` alone without a scope, written
/// where it is shown: a message that names an object formats it in place, with no string
/// of its own.
#[derive(Debug, Clone, Copy)]
pub struct Qualified<'a>(pub Option<&'a str>, pub &'a str);

impl std::fmt::Display for Qualified<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(scope) = self.0 {
            f.write_str(scope)?;
            f.write_str("/")?;
        }
        f.write_str(self.1)
    }
}
