//! Removals: runs of siblings, pruning up to a fixed point, `{}`/`[]` for a collection
//! that is emptied and stays.
use super::{GroupKind, Planner, layout_error};
use crate::source::edit::NotFixable;
use crate::source::edit::layout::Parent;
use crate::source::tree::NodeId;
use std::collections::{BTreeMap, BTreeSet, HashSet};

impl Planner<'_, '_, '_> {
    pub(super) fn removals(&mut self) -> Result<(), NotFixable> {
        if self.removes.is_empty() {
            return Ok(());
        }
        let l = self.l;
        let with_insertions: HashSet<NodeId> = self
            .groups
            .iter()
            .filter(|g| !matches!(g.kind, GroupKind::Replace))
            .map(|g| g.node)
            .collect();
        let mut removed: HashSet<NodeId> = self.removes.iter().map(|(n, _)| *n).collect();
        let mut by_parent: BTreeMap<NodeId, BTreeSet<usize>> = BTreeMap::new();
        let mut prune_into: HashSet<NodeId> = HashSet::new();
        for (node, prune) in &self.removes {
            let (parent, index) = self.element_of(*node)?;
            by_parent.entry(parent).or_default().insert(index);
            if *prune {
                prune_into.insert(parent);
            }
        }
        // Pruning, up to a fixed point: a collection all of whose elements go, into which a
        // removal asked to prune (or whose child was pruned), goes too.
        loop {
            let next = by_parent.iter().find_map(|(parent, idx)| {
                let emptied = idx.len() == l.len(*parent);
                (emptied
                    && *parent != self.object
                    && !removed.contains(parent)
                    && !with_insertions.contains(parent)
                    && prune_into.contains(parent))
                .then_some(*parent)
            });
            let Some(parent) = next else { break };
            if self.l.is_alias_target(parent) {
                return Err(NotFixable::new("the node to remove has an anchor that an alias uses"));
            }
            let (grand, index) = self.element_of(parent)?;
            removed.insert(parent);
            by_parent.entry(grand).or_default().insert(index);
            prune_into.insert(grand);
        }
        for (parent, idx) in &by_parent {
            if self.has_removed_ancestor(*parent, &removed) || removed.contains(parent) {
                continue;
            }
            let emptied = idx.len() == self.l.len(*parent);
            if emptied && !with_insertions.contains(parent) {
                self.empty_collection(*parent)?;
            } else {
                self.remove_runs(*parent, idx)?;
            }
        }
        Ok(())
    }

    /// The collection holding a node and its index there.
    pub(super) fn element_of(&self, node: NodeId) -> Result<(NodeId, usize), NotFixable> {
        match self.l.parent(node) {
            Parent::Value { map, index } => Ok((map, index)),
            Parent::Item { seq, index } => Ok((seq, index)),
            _ => Err(layout_error()),
        }
    }

    pub(super) fn has_removed_ancestor(&self, mut node: NodeId, removed: &HashSet<NodeId>) -> bool {
        while node != self.object {
            match self.element_of(node) {
                Ok((parent, _)) => {
                    if removed.contains(&parent) {
                        return true;
                    }
                    node = parent;
                }
                Err(_) => return false,
            }
        }
        false
    }

    /// Removes runs of consecutive elements of a collection.
    pub(super) fn remove_runs(&mut self, parent: NodeId, idx: &BTreeSet<usize>) -> Result<(), NotFixable> {
        let l = self.l;
        let n = l.len(parent);
        let flow = l.is_flow(parent);
        let idx: Vec<usize> = idx.iter().copied().collect();
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for i in idx {
            match runs.last_mut() {
                Some((_, j)) if *j + 1 == i => *j = i,
                _ => runs.push((i, i)),
            }
        }
        for (i, j) in runs {
            let start = l.element_start(parent, i)?;
            let range = if flow {
                if j + 1 < n {
                    start..l.element_start(parent, j + 1)?
                } else if i > 0 {
                    l.element_end(parent, i - 1)?..l.element_end(parent, j)?
                } else {
                    return Err(NotFixable::new("an op empties a flow collection another op adds to"));
                }
            } else if l.starts_line(start) {
                let line = l.line_start(start);
                let end = l.element_end(parent, j)?;
                match l.next_line(end) {
                    Some(next) => line..next,
                    None if line > 0 => {
                        let before = if l.text[..line - 1].ends_with('\r') {
                            line - 2
                        } else {
                            line - 1
                        };
                        before..l.text.len()
                    }
                    None => line..l.text.len(),
                }
            } else if j + 1 < n {
                start..l.element_start(parent, j + 1)?
            } else {
                start..l.element_end(parent, j)?
            };
            self.push_checked(range, String::new(), parent)?;
        }
        Ok(())
    }

    /// A collection whose elements all go, and which stays: `{}` or `[]`.
    pub(super) fn empty_collection(&mut self, node: NodeId) -> Result<(), NotFixable> {
        let l = self.l;
        let empty = if self.tree().is_map(node) { "{}" } else { "[]" };
        if l.is_flow(node) {
            let open = l.token_start(node);
            let close = l.flow_close(node)?;
            return self.push_checked(open + 1..close, String::new(), node);
        }
        let end = l.extent_end(node)?;
        if node == self.object && matches!(l.parent(node), Parent::None) {
            let start = l.token_start(node);
            return self.push_checked(start..end, empty.to_string(), node);
        }
        let start = self.value_start(node)?;
        self.push_checked(start..end, format!(" {empty}"), node)
    }
}
