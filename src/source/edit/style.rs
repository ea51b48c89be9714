//! Style detection (spec §4.2): indentation steps, the dash style and spacing of block
//! sequences, quoting, flow padding, JSON separators — all copied from the text.

use super::layout::{Layout, Parent};
use crate::source::tree::{NodeId, NodeKind, ScalarStyle};
use std::collections::HashMap;
use std::ops::Range;

/// How a string is quoted when it may be plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Quote {
    Plain,
    Single,
    Double,
}

/// The quoting to copy: `prefer` when it can be used, else `fallback` for strings that
/// cannot be plain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Quoting {
    pub prefer: Quote,
    pub fallback: Quote,
}

impl Quoting {
    pub const PLAIN: Quoting = Quoting {
        prefer: Quote::Plain,
        fallback: Quote::Double,
    };
}

/// What the document and the file look like.
pub(super) struct DocStyle {
    /// The most common offset of a block mapping from its parent mapping.
    common_step: Option<usize>,
    /// New block sequences under a key are indented (else at the key's column).
    pub seq_indented: bool,
    /// (dash position, spaces after the dash) of every block sequence item that is a
    /// scalar or a mapping on the dash line.
    gaps: Vec<(usize, usize)>,
    /// (open bracket position, padded) of every non-empty flow collection.
    flows: Vec<(usize, bool)>,
    /// JSON: `": "` or `":"`.
    pub json_colon: &'static str,
}

#[derive(Default)]
struct Counts {
    offsets: HashMap<usize, usize>,
    zero: usize,
    indented: usize,
}

impl DocStyle {
    /// Style of the document whose root is `root`.
    pub fn of(l: &Layout<'_, '_>, root: NodeId) -> DocStyle {
        DocStyle::detect(l, root.0 as usize..super::plan::doc_end(l.tree, root))
    }

    /// Style of the document whose nodes are `doc` (a range of node indices), with the
    /// whole file as the fallback for the dash style.
    pub fn detect(l: &Layout<'_, '_>, doc: Range<usize>) -> DocStyle {
        let mut doc_counts = Counts::default();
        let mut file_counts = Counts::default();
        let mut gaps = Vec::new();
        let mut flows = Vec::new();
        let mut colon_spaced = (0usize, 0usize);
        for i in 0..l.tree.len() {
            let id = NodeId::from_index(i);
            let in_doc = doc.contains(&i);
            let counts = if in_doc { &mut doc_counts } else { &mut file_counts };
            match l.tree.node(id).kind {
                NodeKind::Map { .. } | NodeKind::Seq { .. } if l.is_flow(id) => {
                    if in_doc && l.len(id) > 0 {
                        let open = l.token_start(id);
                        flows.push((open, l.bytes().get(open + 1) == Some(&b' ')));
                    }
                    if l.tree.is_map(id) {
                        for (k, _) in l.tree.entries(id) {
                            let end = l.scalar_end(k);
                            match (l.bytes().get(end), l.bytes().get(end + 1)) {
                                (Some(b':'), Some(b' ')) => colon_spaced.0 += 1,
                                (Some(b':'), _) => colon_spaced.1 += 1,
                                _ => {}
                            }
                        }
                    }
                }
                NodeKind::Map { .. } => {
                    if let Some((parent_key_col, _)) = block_parent_key(l, id)
                        && let Some(first) = l.first_key(id)
                    {
                        let col = l.col(first);
                        if col > parent_key_col {
                            *counts.offsets.entry(col - parent_key_col).or_default() += 1;
                        }
                    }
                }
                NodeKind::Seq { .. } => {
                    if let Some((key_col, _)) = block_parent_key(l, id)
                        && let Ok(dash) = l.element_start(id, 0)
                    {
                        let col = l.col(dash);
                        if col == key_col {
                            counts.zero += 1;
                        } else if col > key_col {
                            counts.indented += 1;
                        }
                    }
                    if in_doc {
                        for (index, item) in l.tree.items(id).iter().enumerate() {
                            if let Some(gap) = item_gap(l, id, index, *item)
                                && let Ok(dash) = l.element_start(id, index)
                            {
                                gaps.push((dash, gap));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        let common_step = doc_counts
            .offsets
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, _)| *k);
        let seq_indented = if doc_counts.zero + doc_counts.indented > 0 {
            doc_counts.indented >= doc_counts.zero
        } else if file_counts.zero + file_counts.indented > 0 {
            file_counts.indented >= file_counts.zero
        } else {
            true
        };
        DocStyle {
            common_step,
            seq_indented,
            gaps,
            flows,
            json_colon: if colon_spaced.1 > colon_spaced.0 { ":" } else { ": " },
        }
    }

    /// The step for a new block below an entry of block mapping `map` (spec §4.2): the
    /// offset of an existing block-mapping child; the offset of `map` from its parent
    /// mapping; the document's most common offset; 2.
    pub fn step(&self, l: &Layout<'_, '_>, map: NodeId) -> usize {
        if let Some(col) = l.first_key(map).map(|p| l.col(p)) {
            for (_, v) in l.tree.entries(map) {
                if l.tree.is_map(v)
                    && l.tree.deref(v) == v
                    && !l.is_flow(v)
                    && let Some(child) = l.first_key(v).map(|p| l.col(p))
                    && child > col
                {
                    return child - col;
                }
            }
            if let Some((parent_col, _)) = block_parent_key(l, map)
                && col > parent_col
                && matches!(l.parent(map), Parent::Value { .. })
            {
                return col - parent_col;
            }
        }
        self.default_step()
    }

    /// The step when no mapping is there to copy: the document's most common one, else 2.
    pub fn default_step(&self) -> usize {
        self.common_step.unwrap_or(2)
    }

    /// The spaces after a dash, copied from the sequence item nearest to `pos`.
    pub fn gap_near(&self, pos: usize) -> usize {
        self.gaps
            .iter()
            .min_by_key(|(p, _)| p.abs_diff(pos))
            .map_or(1, |(_, g)| *g)
    }

    /// Whether flow collections near `pos` are padded (`{ a: 1 }`).
    pub fn padded_near(&self, pos: usize) -> bool {
        self.flows
            .iter()
            .min_by_key(|(p, _)| p.abs_diff(pos))
            .is_some_and(|(_, padded)| *padded)
    }
}

/// For a block collection that is the value of a key in a block mapping: the key's column
/// and the mapping.
fn block_parent_key(l: &Layout<'_, '_>, id: NodeId) -> Option<(usize, NodeId)> {
    match l.parent(id) {
        Parent::Value { map, index } if !l.is_flow(map) => {
            let (k, _) = l.tree.entries(map).nth(index)?;
            Some((l.col(l.lead(k)), map))
        }
        _ => None,
    }
}

/// The spaces between an item's dash and its content on the same line.
pub(super) fn item_gap(l: &Layout<'_, '_>, seq: NodeId, index: usize, item: NodeId) -> Option<usize> {
    if l.is_empty_scalar(item) {
        return None;
    }
    let dash = l.element_start(seq, index).ok()?;
    let start = l.lead(item);
    let between = l.text.get(dash + 1..start)?;
    (!between.is_empty() && between.bytes().all(|b| b == b' ')).then_some(between.len())
}

/// The quoting the string scalars among `nodes` use: the majority style, plain on a tie.
pub(super) fn quoting_of(l: &Layout<'_, '_>, nodes: impl Iterator<Item = NodeId>) -> Quoting {
    let (mut plain, mut single, mut double) = (0, 0, 0);
    for id in nodes {
        let id = l.tree.deref(id);
        if l.tree.str(id).is_none() {
            continue;
        }
        match l.tree.style(id) {
            Some(ScalarStyle::Plain) => plain += 1,
            Some(ScalarStyle::SingleQuoted) => single += 1,
            Some(ScalarStyle::DoubleQuoted) => double += 1,
            _ => {}
        }
    }
    let fallback = if single > double { Quote::Single } else { Quote::Double };
    let prefer = if single + double > plain {
        fallback
    } else {
        Quote::Plain
    };
    Quoting { prefer, fallback }
}
