//! `duplicate-key`: the same key twice in one mapping. Kubernetes keeps the last value (or
//! rejects the file with strict validation); the first is silently lost.

use crate::declare_rule;
use crate::engine::{FileCx, Out, Rule};
use crate::source::{Loc, NodeId, NodeKind};
use std::collections::HashMap;

declare_rule!(DuplicateKey, "duplicate-key");

impl Rule for DuplicateKey {
    fn check_file(&self, cx: &FileCx<'_>, out: &mut Out<'_>) {
        let Some(loaded) = cx.loaded else { return };
        let tree = &loaded.tree;
        let mut seen: HashMap<&str, NodeId> = HashMap::new();
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
