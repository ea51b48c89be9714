//! A compact spanned YAML tree: one arena per file, nodes addressed by [`NodeId`].
//!
//! Scalars keep their source text and style so that [`super::resolve`] can read them the way
//! Kubernetes does (YAML 1.1). Mappings keep every entry, duplicates included, in source
//! order. Aliases stay aliases (they are never expanded eagerly), so an alias bomb costs
//! nothing until something walks it, and walkers are bounded.

use super::Span;
use super::resolve::{self, Value};
use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The `i`th node of a tree (`0..tree.len()`), to visit every node.
    pub fn from_index(i: usize) -> NodeId {
        NodeId(i as u32)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug)]
pub enum NodeKind<'s> {
    Scalar {
        text: Cow<'s, str>,
        style: ScalarStyle,
        /// The tag, in full (`tag:yaml.org,2002:str` is written `!!str`).
        tag: Option<Box<str>>,
    },
    /// `children[first..first + len]`.
    Seq {
        first: u32,
        len: u32,
    },
    /// `children[first..first + 2 * len]`, key then value for each entry.
    Map {
        first: u32,
        len: u32,
        has_merge: bool,
    },
    Alias {
        target: NodeId,
    },
}

#[derive(Debug)]
pub struct Node<'s> {
    pub kind: NodeKind<'s>,
    pub span: Span,
}

/// The nodes of every document of one file.
#[derive(Debug, Default)]
pub struct Tree<'s> {
    pub(crate) nodes: Vec<Node<'s>>,
    pub(crate) children: Vec<NodeId>,
}

/// How many merge-key expansions one lookup may make before it gives up (alias bombs).
const MERGE_BUDGET: usize = 4096;

impl<'s> Tree<'s> {
    pub fn node(&self, id: NodeId) -> &Node<'s> {
        &self.nodes[id.0 as usize]
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Follows aliases to the node they name. Aliases always name an earlier, complete node,
    /// so this terminates.
    pub fn deref(&self, mut id: NodeId) -> NodeId {
        while let NodeKind::Alias { target } = self.node(id).kind {
            id = target;
        }
        id
    }

    pub fn is_map(&self, id: NodeId) -> bool {
        matches!(self.node(self.deref(id)).kind, NodeKind::Map { .. })
    }

    pub fn is_seq(&self, id: NodeId) -> bool {
        matches!(self.node(self.deref(id)).kind, NodeKind::Seq { .. })
    }

    /// The entries of a mapping as written (no merge keys expanded, duplicates kept).
    pub fn entries(&self, id: NodeId) -> impl ExactSizeIterator<Item = (NodeId, NodeId)> + DoubleEndedIterator + '_ {
        let pairs: &[NodeId] = match self.node(self.deref(id)).kind {
            NodeKind::Map { first, len, .. } => &self.children[first as usize..(first + 2 * len) as usize],
            _ => &[],
        };
        pairs.chunks_exact(2).map(|p| (p[0], p[1]))
    }

    /// The items of a sequence.
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.node(self.deref(id)).kind {
            NodeKind::Seq { first, len } => &self.children[first as usize..(first + len) as usize],
            _ => &[],
        }
    }

    /// Whether a mapping has a `<<` merge key.
    pub fn has_merge(&self, id: NodeId) -> bool {
        matches!(self.node(self.deref(id)).kind, NodeKind::Map { has_merge: true, .. })
    }

    /// Whether this key node is a YAML merge key (`<<`, plain or tagged `!!merge`).
    pub fn is_merge_key(&self, key: NodeId) -> bool {
        match &self.node(key).kind {
            NodeKind::Scalar { text, style, tag } => {
                text == "<<" && ((*style == ScalarStyle::Plain && tag.is_none()) || tag.as_deref() == Some("!!merge"))
            }
            _ => false,
        }
    }

    /// The entries of a mapping with merge keys expanded the way go-yaml v2 (and so
    /// Kubernetes) does: in order, `<<` replaced in place by the merged mapping(s)' entries.
    /// A later entry for the same key wins. Bounded: `None` when the expansion is too large.
    pub fn expanded_entries(&self, id: NodeId) -> Option<Vec<(NodeId, NodeId)>> {
        let mut out = Vec::new();
        let mut budget = MERGE_BUDGET;
        self.expand_into(id, &mut out, &mut budget).then_some(out)
    }

    fn expand_into(&self, id: NodeId, out: &mut Vec<(NodeId, NodeId)>, budget: &mut usize) -> bool {
        for (k, v) in self.entries(id) {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            if self.is_merge_key(k) {
                let v = self.deref(v);
                match self.node(v).kind {
                    NodeKind::Map { .. } => {
                        if !self.expand_into(v, out, budget) {
                            return false;
                        }
                    }
                    NodeKind::Seq { .. } => {
                        for item in self.items(v) {
                            if self.is_map(*item) && !self.expand_into(self.deref(*item), out, budget) {
                                return false;
                            }
                        }
                    }
                    _ => out.push((k, v)),
                }
            } else {
                out.push((k, v));
            }
        }
        true
    }

    /// Looks a key up in a mapping (merge keys honoured; the last occurrence wins, as in
    /// Kubernetes). Returns the key node and the value node.
    pub fn get_entry(&self, map: NodeId, key: &str) -> Option<(NodeId, NodeId)> {
        let map = self.deref(map);
        if !self.has_merge(map) {
            return self.entries(map).rfind(|(k, _)| self.key_str(*k) == Some(key));
        }
        self.expanded_entries(map)?
            .into_iter()
            .rfind(|(k, _)| self.key_str(*k) == Some(key))
    }

    /// The value of a key in a mapping.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.get_entry(map, key).map(|(_, v)| v)
    }

    /// Follows a path of keys from a mapping.
    pub fn path(&self, mut node: NodeId, keys: &[&str]) -> Option<NodeId> {
        for key in keys {
            node = self.get(node, key)?;
        }
        Some(node)
    }

    /// The text of a mapping key. Keys are compared by their source text (Kubernetes keys
    /// are strings; a key like `80` or `on` is rare and compared as written).
    pub fn key_str(&self, key: NodeId) -> Option<&str> {
        match &self.node(self.deref(key)).kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The resolved value of a scalar (YAML 1.1 rules), or `None` for collections.
    pub fn value(&self, id: NodeId) -> Option<Value<'_>> {
        match &self.node(self.deref(id)).kind {
            NodeKind::Scalar { text, style, tag } => Some(resolve::resolve(text, *style, tag.as_deref())),
            _ => None,
        }
    }

    /// The string a scalar resolves to; `None` for non-strings (numbers, booleans, null).
    pub fn str(&self, id: NodeId) -> Option<&str> {
        match self.value(id)? {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The raw text of a scalar, whatever it resolves to.
    pub fn text(&self, id: NodeId) -> Option<&str> {
        match &self.node(self.deref(id)).kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self, id: NodeId) -> bool {
        matches!(self.value(id), Some(Value::Null))
    }

    pub fn style(&self, id: NodeId) -> Option<ScalarStyle> {
        match &self.node(self.deref(id)).kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }
}
