//! `duplicate-key`: the same key twice in one mapping. Kubernetes keeps the last value (or
//! rejects the file with strict validation); the first is silently lost.

use crate::declare_rule;
use crate::engine::{FileCx, Out, Rule};
use crate::source::{Loc, NodeId, NodeKind};
use std::collections::HashMap;

/// Keys met so far in one mapping, each with the last node that spelled it. Most mappings
/// have a few keys: they are compared in a list, without hashing; a mapping with more moves
/// to a hash map (keyed, as keys come from the repository).
#[derive(Default)]
struct Seen<'t> {
    few: Vec<(&'t str, NodeId)>,
    many: HashMap<&'t str, NodeId>,
}

impl<'t> Seen<'t> {
    /// Keys compared in the list before the map takes over.
    const FEW: usize = 16;

    fn clear(&mut self) {
        self.few.clear();
        // Clearing a table that once grew writes all of it: only when it holds keys.
        if !self.many.is_empty() {
            self.many.clear();
        }
    }

    /// Records `node` as the last key spelled `name`; returns the one before, if any.
    fn insert(&mut self, name: &'t str, node: NodeId) -> Option<NodeId> {
        if !self.many.is_empty() {
            return self.many.insert(name, node);
        }
        if let Some((_, last)) = self.few.iter_mut().find(|(n, _)| *n == name) {
            return Some(std::mem::replace(last, node));
        }
        if self.few.len() < Self::FEW {
            self.few.push((name, node));
        } else {
            self.many.extend(self.few.drain(..));
            self.many.insert(name, node);
        }
        None
    }
}

declare_rule!(DuplicateKey, "duplicate-key");

impl Rule for DuplicateKey {
    fn check_file(&self, cx: &FileCx<'_>, out: &mut Out<'_>) {
        let Some(loaded) = cx.loaded else { return };
        let tree = &loaded.tree;
        let mut seen = Seen::default();
        for (map, node) in tree.nodes.iter().enumerate() {
            if !matches!(node.kind, NodeKind::Map { .. }) {
                continue;
            }
            seen.clear();
            for (k, _) in tree.entries(NodeId(map as u32)) {
                let Some(name) = tree.key_str(k) else { continue };
                if tree.is_merge_key(k) {
                    continue;
                }
                match seen.insert(name, k) {
                    None => {}
                    Some(first) => {
                        let span = tree.span(k);
                        let first_span = tree.span(first);
                        let object = cx.object_at(span).cloned();
                        let f = out.emit(
                            Loc { file: cx.file, span },
                            format!(
                                "duplicate key `{name}`: this value replaces the one on line {}",
                                first_span.start.line
                            ),
                        );
                        f.object = object;
                        f.label("duplicate key").related(
                            Loc {
                                file: cx.file,
                                span: first_span,
                            },
                            "first defined here",
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each key answers with the node that spelled it last, in the list and in the map
    /// alike, and the map takes over from the list without losing a key.
    #[test]
    fn seen_returns_the_previous_spelling_in_the_list_and_in_the_map() {
        let names: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
        let mut seen = Seen::default();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(seen.insert(name, NodeId(i as u32)), None);
            assert_eq!(seen.many.is_empty(), i < Seen::FEW, "after {} keys", i + 1);
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(seen.insert(name, NodeId(100 + i as u32)), Some(NodeId(i as u32)));
            assert_eq!(seen.insert(name, NodeId(200 + i as u32)), Some(NodeId(100 + i as u32)));
        }
        seen.clear();
        assert_eq!(seen.insert("k0", NodeId(1)), None);
        assert_eq!(seen.insert("k0", NodeId(2)), Some(NodeId(1)));
        assert!(seen.many.is_empty());
    }
}
