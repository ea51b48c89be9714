//! Routes: paths of keys and indices inside a document, resolved to spans.

use super::Span;
use super::tree::{NodeId, Tree};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seg {
    Key(Cow<'static, str>),
    Index(usize),
}

/// A path of keys and indices from an object's root, e.g.
/// `spec.template.spec.containers[0].securityContext.privileged`. Its segments are held in
/// a shared slice of exactly their number (none for the root): a run keeps many routes, in
/// its findings' fixes, and [`Route::shared`] lets equal ones share one slice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Route(Option<Arc<[Seg]>>);

/// How many distinct routes a thread remembers for [`Route::shared`] before it forgets
/// them all and starts again.
const SHARED_ROUTES: usize = 1 << 12;

thread_local! {
    static ROUTES: std::cell::RefCell<super::Recent<Arc<[Seg]>>> =
        const { std::cell::RefCell::new(super::Recent::new()) };
}

impl Route {
    pub fn root() -> Route {
        Route(None)
    }

    /// This route followed by `more` segments, allocated once at its final size.
    fn extended(&self, more: impl ExactSizeIterator<Item = Seg>) -> Route {
        if more.len() == 0 {
            return self.clone();
        }
        Route(Some(self.segs().iter().cloned().chain(more).collect()))
    }

    /// The same route, sharing its segments with an equal route this thread made shared
    /// recently (what a finding's fix keeps: every Deployment of a repository has the same
    /// route to its containers' `securityContext`).
    #[must_use]
    pub fn shared(self) -> Route {
        let Some(segs) = self.0 else { return self };
        ROUTES.with_borrow_mut(|routes| Route(Some(super::shared_in(routes, &segs, SHARED_ROUTES, || segs.clone()))))
    }

    pub fn segs(&self) -> &[Seg] {
        self.0.as_deref().unwrap_or(&[])
    }

    pub fn is_root(&self) -> bool {
        self.0.is_none()
    }

    /// This route with a key appended.
    #[must_use]
    pub fn key(&self, key: impl Into<Cow<'static, str>>) -> Route {
        self.extended(std::iter::once(Seg::Key(key.into())))
    }

    /// This route with several keys appended.
    #[must_use]
    pub fn keys(&self, keys: &[&'static str]) -> Route {
        self.extended(keys.iter().map(|k| Seg::Key(Cow::Borrowed(*k))))
    }

    /// This route with a sequence index appended.
    #[must_use]
    pub fn index(&self, i: usize) -> Route {
        self.extended(std::iter::once(Seg::Index(i)))
    }

    /// The segments from `from` on, as a route of their own.
    #[must_use]
    pub fn tail(&self, from: usize) -> Route {
        let segs = &self.segs()[from.min(self.segs().len())..];
        Route((!segs.is_empty()).then(|| Arc::from(segs)))
    }

    /// This route followed by another.
    #[must_use]
    pub fn join(&self, other: &Route) -> Route {
        match (self.is_root(), other.is_root()) {
            (true, _) => other.clone(),
            (_, true) => self.clone(),
            _ => self.extended(other.segs().iter().cloned()),
        }
    }

    /// Reads a route as [`fmt::Display`] writes it: `a.b[0]["c.d"]`.
    pub fn parse(text: &str) -> Option<Route> {
        let mut route = Route::root();
        let mut rest = text;
        let mut first = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("[\"") {
                // A quoted key, as `{:?}` writes it.
                let mut end = None;
                let mut escaped = false;
                for (i, c) in r.char_indices() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => {
                            end = Some(i);
                            break;
                        }
                        _ => escaped = false,
                    }
                }
                let end = end?;
                let key: String = serde_json::from_str(&format!("\"{}\"", &r[..end])).ok()?;
                route = route.key(key);
                rest = r[end + 1..].strip_prefix(']')?;
            } else if let Some(r) = rest.strip_prefix('[') {
                let close = r.find(']')?;
                route = route.index(r[..close].parse().ok()?);
                rest = &r[close + 1..];
            } else {
                let r = if first { rest } else { rest.strip_prefix('.')? };
                let end = r.find(['.', '[']).unwrap_or(r.len());
                if end == 0 {
                    return None;
                }
                route = route.key(r[..end].to_string());
                rest = &r[end..];
            }
            first = false;
        }
        Some(route)
    }

    /// Walks the route from `root`. Returns the node reached and how many segments matched;
    /// when fewer than all matched, the node is the nearest existing ancestor.
    pub fn walk(&self, tree: &Tree<'_>, root: NodeId) -> Walk {
        let mut node = root;
        let mut entry_key = None;
        for (depth, seg) in self.segs().iter().enumerate() {
            let next = match seg {
                Seg::Key(k) => tree.get_entry(node, k).map(|(key, value)| (Some(key), value)),
                Seg::Index(i) => tree.items(node).get(*i).map(|item| (None, *item)),
            };
            match next {
                Some((key, value)) => {
                    entry_key = key;
                    node = value;
                }
                None => {
                    return Walk {
                        node,
                        key: entry_key,
                        matched: depth,
                    };
                }
            }
        }
        Walk {
            node,
            key: entry_key,
            matched: self.segs().len(),
        }
    }
}

/// The result of walking a route.
#[derive(Clone, Copy, Debug)]
pub struct Walk {
    /// The node reached (the value, for a key).
    pub node: NodeId,
    /// The key node when the last matched segment was a key.
    pub key: Option<NodeId>,
    /// How many segments matched.
    pub matched: usize,
}

impl Walk {
    /// The span a finding should underline for the node reached:
    /// `key: value` for a scalar or a one-line value, the key alone for a block value, the
    /// `name:` entry (else the first entry) for a sequence item that is a mapping.
    pub fn span(&self, tree: &Tree<'_>) -> Span {
        let value = tree.span(self.node);
        match self.key {
            Some(key) => {
                let k = tree.span(key);
                if value.start.line == value.end.line && value.start.line == k.end.line {
                    k.to(value)
                } else {
                    k
                }
            }
            None => grip(tree, self.node),
        }
    }
}

/// The part of a node that best stands for it: for a mapping, its `name:` entry or else its
/// first entry; for anything else, the node itself.
pub fn grip(tree: &Tree<'_>, node: NodeId) -> Span {
    if tree.is_map(node) {
        let entry = tree.get_entry(node, "name").or_else(|| tree.entries(node).next());
        if let Some((k, v)) = entry {
            let (ks, vs) = (tree.span(k), tree.span(v));
            return if vs.start.line == ks.end.line && vs.end.line == ks.end.line {
                ks.to(vs)
            } else {
                ks
            };
        }
    }
    tree.span(node)
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in self.segs() {
            match seg {
                Seg::Key(k) => {
                    if k.contains(['.', '[', ']']) || k.is_empty() {
                        write!(f, "[{k:?}]")?;
                    } else {
                        if !first {
                            f.write_str(".")?;
                        }
                        f.write_str(k)?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Limits, parse};

    #[test]
    fn display() {
        let r = Route::root()
            .keys(&["spec", "containers"])
            .index(0)
            .key("securityContext");
        assert_eq!(r.to_string(), "spec.containers[0].securityContext");
        let r = Route::root()
            .keys(&["metadata", "annotations"])
            .key("ignore.plimsoll.dev/x");
        assert_eq!(r.to_string(), "metadata.annotations[\"ignore.plimsoll.dev/x\"]");
    }

    #[test]
    fn routes_read_back_what_they_display() {
        let r = Route::root()
            .keys(&["metadata", "annotations"])
            .key("ignore.plimsoll.dev/x")
            .index(2)
            .key("a");
        assert_eq!(Route::parse(&r.to_string()), Some(r));
        let r = Route::root()
            .keys(&["spec", "containers"])
            .index(0)
            .key("securityContex");
        assert_eq!(Route::parse("spec.containers[0].securityContex"), Some(r));
        assert_eq!(Route::parse(""), Some(Route::root()));
        assert_eq!(Route::parse("a..b"), None);
    }

    #[test]
    fn missing_fields_resolve_to_the_nearest_ancestor() {
        let text = "spec:\n  containers:\n  - name: app\n    image: x\n";
        let (tree, docs, _) = parse(text, &Limits::default());
        let root = docs[0].root;
        let r = Route::root()
            .keys(&["spec", "containers"])
            .index(0)
            .keys(&["securityContext", "privileged"]);
        let w = r.walk(&tree, root);
        assert_eq!(w.matched, 3);
        assert_eq!(&text[w.span(&tree).bytes()], "name: app");
        let r = Route::root().keys(&["spec", "containers"]).index(0).key("image");
        assert_eq!(&text[r.walk(&tree, root).span(&tree).bytes()], "image: x");
        let r = Route::root().keys(&["spec", "containers"]);
        assert_eq!(&text[r.walk(&tree, root).span(&tree).bytes()], "containers");
    }
}
