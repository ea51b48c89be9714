//! Where things are in the text: token starts and ends, full extents, dashes, colons,
//! block scalar headers, lines.
//!
//! The tree's spans are exact at their start for scalars, flow collections and block
//! mappings (properties included), but not everywhere at their end (a quoted scalar or a
//! flow collection may run on over trailing blanks and a comment), block scalars are
//! trimmed to their last non-blank character, and a block sequence may start at its first
//! dash or at its first item. So everything here is computed from the text, from starts
//! that are exact.

use super::NotFixable;
use crate::source::tree::{NodeId, NodeKind, ScalarStyle, Tree};
use std::borrow::Cow;
use std::ops::Range;

/// Where a node sits in its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Parent {
    /// A document root (or a node of no collection).
    None,
    /// The key of entry `index` of `map`.
    Key { map: NodeId, index: usize },
    /// The value of entry `index` of `map`.
    Value { map: NodeId, index: usize },
    /// Item `index` of `seq`.
    Item { seq: NodeId, index: usize },
}

/// The header of a block scalar: `|`/`>` at `indicator`, indicators up to `end`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Header {
    pub indicator: usize,
    pub end: usize,
    pub keep: bool,
}

pub(super) struct Layout<'a, 't> {
    pub text: &'a str,
    pub tree: &'t Tree<'a>,
    links: Cow<'t, Links>,
}

/// Where each node of a tree sits in its parent, and which nodes an alias names: found
/// once for a tree, and shared by the layouts of the fixes lowered against it.
#[derive(Clone, Debug)]
pub(super) struct Links {
    parents: Vec<Parent>,
    alias_target: Vec<bool>,
}

impl Links {
    pub fn new(tree: &Tree<'_>) -> Links {
        let n = tree.len();
        let mut parents = vec![Parent::None; n];
        let mut alias_target = vec![false; n];
        for i in 0..n {
            let id = NodeId::from_index(i);
            match tree.node(id).kind {
                NodeKind::Map { .. } => {
                    for (index, (k, v)) in tree.entries(id).enumerate() {
                        parents[k.0 as usize] = Parent::Key { map: id, index };
                        parents[v.0 as usize] = Parent::Value { map: id, index };
                    }
                }
                NodeKind::Seq { .. } => {
                    for (index, item) in tree.items(id).iter().enumerate() {
                        parents[item.0 as usize] = Parent::Item { seq: id, index };
                    }
                }
                NodeKind::Alias { target } => alias_target[target.0 as usize] = true,
                NodeKind::Scalar { .. } => {}
            }
        }
        Links { parents, alias_target }
    }
}

fn layout_error() -> NotFixable {
    NotFixable::new("the layout around the edit is not understood")
}

impl<'a, 't> Layout<'a, 't> {
    pub fn new(text: &'a str, tree: &'t Tree<'a>) -> Layout<'a, 't> {
        Layout {
            text,
            tree,
            links: Cow::Owned(Links::new(tree)),
        }
    }

    /// The layout of `tree`, with its links found before ([`Links::new`] of this tree).
    pub fn with_links(text: &'a str, tree: &'t Tree<'a>, links: &'t Links) -> Layout<'a, 't> {
        Layout {
            text,
            tree,
            links: Cow::Borrowed(links),
        }
    }

    pub fn parent(&self, id: NodeId) -> Parent {
        self.links.parents[id.0 as usize]
    }

    pub fn is_alias_target(&self, id: NodeId) -> bool {
        self.links.alias_target[id.0 as usize]
    }

    /// Whether an anchor an alias uses is defined inside `range`.
    pub fn defines_used_anchor_in(&self, range: Range<usize>) -> bool {
        (0..self.tree.len()).any(|i| {
            let id = NodeId::from_index(i);
            self.is_alias_target(id) && range.contains(&self.lead(id))
        })
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn at(&self, i: usize) -> u8 {
        self.bytes().get(i).copied().unwrap_or(0)
    }

    // ----- lines -----

    pub fn line_start(&self, pos: usize) -> usize {
        self.text[..pos].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The end of the line holding `pos`, before its line break (`\r\n` or `\n`).
    pub fn line_end(&self, pos: usize) -> usize {
        let nl = self.text[pos..].find('\n').map_or(self.text.len(), |i| pos + i);
        if nl > pos && self.at(nl - 1) == b'\r' {
            nl - 1
        } else {
            nl
        }
    }

    /// The start of the line after the one holding `pos`, or `None` on the last line.
    pub fn next_line(&self, pos: usize) -> Option<usize> {
        self.text[pos..].find('\n').map(|i| pos + i + 1)
    }

    /// The line ending of the line holding `pos`, if it has one.
    pub fn eol_of_line(&self, pos: usize) -> Option<&'static str> {
        let nl = pos + self.text[pos..].find('\n')?;
        Some(if nl > 0 && self.at(nl - 1) == b'\r' {
            "\r\n"
        } else {
            "\n"
        })
    }

    /// The file's line ending: that of its first line break, else `\n`.
    pub fn first_eol(&self) -> &'static str {
        self.eol_of_line(0).unwrap_or("\n")
    }

    /// The column of `pos` (characters since the line start).
    pub fn col(&self, pos: usize) -> usize {
        self.text[self.line_start(pos)..pos].chars().count()
    }

    /// Whether only blanks precede `pos` on its line.
    pub fn starts_line(&self, pos: usize) -> bool {
        self.text[self.line_start(pos)..pos]
            .bytes()
            .all(|b| b == b' ' || b == b'\t')
    }

    /// `Err` when the text before `pos` on its line (an indentation to copy) has a tab.
    pub fn no_tab_before(&self, pos: usize) -> Result<(), NotFixable> {
        if self.text[self.line_start(pos)..pos].contains('\t') {
            Err(NotFixable::new("tab in indentation"))
        } else {
            Ok(())
        }
    }

    fn blank_line(&self, start: usize) -> Option<(usize, usize)> {
        let end = self.line_end(start);
        let line = &self.text[start..end];
        line.bytes().all(|b| b == b' ').then_some((end, line.len()))
    }

    // ----- scanning -----

    /// Skips blanks, line breaks and comments forward from `pos`.
    pub fn skip_gap(&self, mut pos: usize) -> usize {
        loop {
            match self.at(pos) {
                b' ' | b'\t' | b'\n' | b'\r' => pos += 1,
                b'#' if pos == 0 || matches!(self.at(pos - 1), b' ' | b'\t' | b'\n' | b'\r') => {
                    pos = self.text[pos..].find('\n').map_or(self.text.len(), |i| pos + i);
                }
                _ => return pos,
            }
        }
    }

    /// Skips blanks on the line forward from `pos`.
    pub fn skip_blanks(&self, mut pos: usize) -> usize {
        while matches!(self.at(pos), b' ' | b'\t') {
            pos += 1;
        }
        pos
    }

    /// Skips blanks and line breaks backward from `pos` (the position after them).
    fn skip_space_back(&self, mut pos: usize) -> usize {
        while pos > 0 && matches!(self.at(pos - 1), b' ' | b'\t' | b'\n' | b'\r') {
            pos -= 1;
        }
        pos
    }

    /// The end of a run of non-blank characters starting at `pos` (an anchor, a tag, an
    /// alias name), stopping at flow indicators.
    fn word_end(&self, mut pos: usize) -> usize {
        while pos < self.text.len()
            && !matches!(
                self.at(pos),
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}'
            )
        {
            pos += 1;
        }
        pos
    }

    /// Skips node properties (anchor, tag) and the gap after them.
    pub fn skip_props(&self, mut pos: usize) -> usize {
        while matches!(self.at(pos), b'&' | b'!') {
            pos = self.skip_gap(self.word_end(pos));
        }
        pos
    }

    // ----- nodes -----

    /// Where a node's text starts, properties included: for a block scalar its properties
    /// or indicator, for a block sequence its first dash.
    pub fn lead(&self, id: NodeId) -> usize {
        let span = self.tree.span(id).bytes();
        match &self.tree.node(id).kind {
            NodeKind::Scalar {
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            } => match self.header(id) {
                Ok(h) => self.props_back(h.indicator),
                Err(_) => span.start,
            },
            NodeKind::Seq { .. } if !self.is_flow(id) => {
                match self.tree.items(id).first().map(|first| self.dash(*first)) {
                    Some(Ok(d)) => d,
                    _ => span.start,
                }
            }
            _ => span.start,
        }
    }

    /// Backward from `pos` over properties on the same line.
    fn props_back(&self, pos: usize) -> usize {
        let mut start = pos;
        loop {
            let mut p = start;
            while p > 0 && matches!(self.at(p - 1), b' ' | b'\t') {
                p -= 1;
            }
            let mut w = p;
            while w > 0 && !matches!(self.at(w - 1), b' ' | b'\t' | b'\n' | b'\r') {
                w -= 1;
            }
            if w < p && matches!(self.at(w), b'&' | b'!') {
                start = w;
            } else {
                return start;
            }
        }
    }

    /// Where the node's token starts, after its properties (for a block collection, its
    /// first key or dash).
    pub fn token_start(&self, id: NodeId) -> usize {
        match &self.tree.node(id).kind {
            NodeKind::Scalar {
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            } => self
                .header(id)
                .map_or(self.tree.span(id).start.byte as usize, |h| h.indicator),
            NodeKind::Seq { .. } if !self.is_flow(id) => self.lead(id),
            NodeKind::Scalar { .. } => {
                // An empty tagged scalar: the token is empty, right after the properties.
                let span = self.tree.span(id).bytes();
                self.skip_props(span.start).min(span.end.max(span.start))
            }
            _ => self.skip_props(self.tree.span(id).start.byte as usize),
        }
    }

    /// Whether a collection is written in flow style.
    pub fn is_flow(&self, id: NodeId) -> bool {
        let (first_child, open) = match self.tree.node(id).kind {
            NodeKind::Map { .. } => (self.tree.entries(id).next().map(|(k, _)| k), b'{'),
            NodeKind::Seq { .. } => (self.tree.items(id).first().copied(), b'['),
            _ => return false,
        };
        let start = self.skip_props(self.tree.span(id).start.byte as usize);
        if self.at(start) != open {
            return false;
        }
        match first_child {
            None => true,
            Some(c) => (self.tree.span(c).start.byte as usize) > start,
        }
    }

    /// The end of a scalar's or alias's token (a block scalar: its trimmed content, or its
    /// header when empty).
    pub fn scalar_end(&self, id: NodeId) -> usize {
        let span = self.tree.span(id).bytes();
        let start = self.token_start(id);
        match &self.tree.node(id).kind {
            NodeKind::Scalar { style, .. } => match style {
                ScalarStyle::DoubleQuoted => self.quoted_end(start, b'"').unwrap_or(span.end),
                ScalarStyle::SingleQuoted => self.quoted_end(start, b'\'').unwrap_or(span.end),
                ScalarStyle::Plain => {
                    let t = self.text.get(start..span.end.max(start)).unwrap_or("");
                    start + t.trim_end().len()
                }
                ScalarStyle::Literal | ScalarStyle::Folded => {
                    let content = self.text.get(span.clone()).unwrap_or("");
                    match self.header(id) {
                        Ok(h) if content.trim().is_empty() => h.end,
                        _ => span.end,
                    }
                }
            },
            NodeKind::Alias { .. } => self.word_end(start + 1),
            _ => span.end,
        }
    }

    fn quoted_end(&self, start: usize, quote: u8) -> Option<usize> {
        if self.at(start) != quote {
            return None;
        }
        let b = self.bytes();
        let mut i = start + 1;
        while i < b.len() {
            match b[i] {
                b'\\' if quote == b'"' => i += 2,
                c if c == quote => {
                    if quote == b'\'' && b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        return Some(i + 1);
                    }
                }
                _ => i += 1,
            }
        }
        None
    }

    /// The ranges of every scalar token (quotes included; block scalars: their content),
    /// sorted: what comment scanning must skip.
    pub fn scalar_ranges(&self) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = (0..self.tree.len())
            .map(NodeId::from_index)
            .filter(|id| matches!(self.tree.node(*id).kind, NodeKind::Scalar { .. }))
            .map(|id| {
                let span = self.tree.span(id).bytes();
                let start = match self.tree.style(id) {
                    Some(ScalarStyle::Literal | ScalarStyle::Folded) => span.start,
                    _ => self.token_start(id),
                };
                start..self.scalar_end(id).max(start)
            })
            .collect();
        out.sort_by_key(|r| r.start);
        out
    }

    /// The header of a block scalar, found backward from its content: the nearest non-blank
    /// line above it (or its own line when the scalar is empty) holds `|` or `>`, then only
    /// indicators, then blanks and maybe a comment.
    pub fn header(&self, id: NodeId) -> Result<Header, NotFixable> {
        let content = self.tree.span(id).start.byte as usize;
        let mut line = self.line_start(content);
        // Its own line first (an empty scalar at the end of the text), then the lines above.
        if let Some(h) = self.header_in(line, content) {
            return Ok(h);
        }
        while line > 0 {
            let prev = self.line_start(line - 1);
            let end = self.line_end(prev);
            if self.text[prev..end].trim().is_empty() {
                line = prev;
                continue;
            }
            return self.header_in(prev, end).ok_or_else(layout_error);
        }
        Err(layout_error())
    }

    fn header_in(&self, start: usize, end: usize) -> Option<Header> {
        let b = self.bytes();
        (start..end).find_map(|i| {
            if !matches!(b[i], b'|' | b'>') || !(i == start || matches!(b[i - 1], b' ' | b'\t')) {
                return None;
            }
            let mut j = i + 1;
            let mut keep = false;
            while j < end && matches!(b[j], b'+' | b'-' | b'1'..=b'9') {
                keep |= b[j] == b'+';
                j += 1;
            }
            let rest = self.text[j..self.line_end(j)].trim_start();
            (j == end || matches!(b[j], b' ' | b'\t' | b'\r' | b'\n'))
                .then_some(())
                .filter(|_| rest.is_empty() || rest.starts_with('#'))
                .map(|_| Header {
                    indicator: i,
                    end: j,
                    keep,
                })
        })
    }

    /// Where a block scalar really ends: after its last content line, and after the blank
    /// lines that belong to it (all of them with `+`; those holding more spaces than the
    /// content's indentation otherwise, which are content). Points at the end of a line
    /// (before its line break) or at the end of the text.
    fn block_scalar_end(&self, id: NodeId) -> Result<usize, NotFixable> {
        let header = self.header(id)?;
        let span = self.tree.span(id).bytes();
        let empty = self.text.get(span.clone()).is_none_or(|c| c.trim().is_empty());
        let base = if empty { header.end } else { span.end };
        let indent = if empty { 0 } else { self.col(span.start) };
        let mut end = base;
        let mut line = self.next_line(base);
        while let Some(start) = line.filter(|s| *s < self.text.len()) {
            let Some((line_end, spaces)) = self.blank_line(start) else {
                break;
            };
            if header.keep || (!empty && spaces > indent) {
                end = line_end;
            }
            line = self.next_line(start);
        }
        Ok(end)
    }

    /// The end of a node's full extent: its token, its nested block, a block scalar's blank
    /// lines that are content, a flow collection's closing bracket. A comment after it on
    /// its line is not included.
    pub fn extent_end(&self, id: NodeId) -> Result<usize, NotFixable> {
        match &self.tree.node(id).kind {
            NodeKind::Scalar {
                style: ScalarStyle::Literal | ScalarStyle::Folded,
                ..
            } => self.block_scalar_end(id),
            NodeKind::Scalar { .. } | NodeKind::Alias { .. } => Ok(self.scalar_end(id)),
            NodeKind::Map { .. } | NodeKind::Seq { .. } if self.is_flow(id) => Ok(self.flow_close(id)? + 1),
            NodeKind::Map { .. } => match self.tree.entries(id).next_back() {
                Some((k, v)) => self.entry_end(k, v),
                None => Err(layout_error()),
            },
            NodeKind::Seq { .. } => match self.tree.items(id).last() {
                Some(last) => self.extent_end(*last),
                None => Err(layout_error()),
            },
        }
    }

    /// The end of a mapping entry: its value's extent, or after the `:` when the value is
    /// empty.
    pub fn entry_end(&self, k: NodeId, v: NodeId) -> Result<usize, NotFixable> {
        let mut end = self.extent_end(k)?.max(self.extent_end(v)?);
        if self.is_empty_scalar(v)
            && let Ok(c) = self.colon_after(k)
        {
            end = end.max(c);
        }
        Ok(end)
    }

    /// A plain scalar with no text (`key:` with nothing after it, `-` alone).
    pub fn is_empty_scalar(&self, id: NodeId) -> bool {
        matches!(&self.tree.node(id).kind, NodeKind::Scalar { text, style: ScalarStyle::Plain, .. } if text.is_empty())
    }

    /// The position of a flow collection's closing bracket.
    pub fn flow_close(&self, id: NodeId) -> Result<usize, NotFixable> {
        let open = self.token_start(id);
        let close = if self.at(open) == b'{' { b'}' } else { b']' };
        let mut pos = open + 1;
        if self.tree.is_map(id) {
            if let Some((k, v)) = self.tree.entries(id).next_back() {
                pos = self.entry_end(k, v)?;
            }
        } else if let Some(last) = self.tree.items(id).last() {
            pos = self.extent_end(*last)?;
        }
        loop {
            pos = self.skip_gap(pos);
            match self.at(pos) {
                b',' => pos += 1,
                c if c == close => return Ok(pos),
                _ => return Err(layout_error()),
            }
        }
    }

    /// The dash of a block sequence item.
    pub fn dash(&self, item: NodeId) -> Result<usize, NotFixable> {
        let p = self.skip_space_back(self.lead(item));
        if p > 0 && self.at(p - 1) == b'-' && (p == 1 || matches!(self.at(p - 2), b' ' | b'\t' | b'\n' | b'\r')) {
            Ok(p - 1)
        } else {
            Err(layout_error())
        }
    }

    /// The position after the `:` that follows a key.
    pub fn colon_after(&self, key: NodeId) -> Result<usize, NotFixable> {
        let p = self.skip_blanks(self.scalar_end(key));
        if self.at(p) == b':' {
            Ok(p + 1)
        } else {
            Err(layout_error())
        }
    }

    /// The `?` of an explicit key (`? key`, on the key's line).
    fn explicit_mark(&self, key: NodeId) -> Option<usize> {
        let mut p = self.lead(key);
        while p > 0 && matches!(self.at(p - 1), b' ' | b'\t') {
            p -= 1;
        }
        (p > 0 && self.at(p - 1) == b'?' && (p == 1 || matches!(self.at(p - 2), b' ' | b'\t' | b'\n' | b'\r')))
            .then(|| p - 1)
    }

    /// Whether a key is written as an explicit key (`? key`).
    pub fn is_explicit_key(&self, key: NodeId) -> bool {
        self.explicit_mark(key).is_some()
    }

    /// Where an entry starts: its key, or the `?` of an explicit key.
    fn key_start(&self, key: NodeId) -> usize {
        self.explicit_mark(key).unwrap_or_else(|| self.lead(key))
    }

    /// The first entry's start of a block mapping, whose column is the mapping's
    /// indentation.
    pub fn first_key(&self, map: NodeId) -> Option<usize> {
        self.tree.entries(map).next().map(|(k, _)| self.key_start(k))
    }

    /// Where an element of a collection starts: the key's lead for an entry, the dash (block)
    /// or lead (flow) for an item.
    pub fn element_start(&self, parent: NodeId, index: usize) -> Result<usize, NotFixable> {
        if self.tree.is_map(parent) {
            let (k, _) = self.tree.entries(parent).nth(index).ok_or_else(layout_error)?;
            if self.is_explicit_key(k) {
                return Err(NotFixable::new("an explicit key (`?`) is in the way"));
            }
            Ok(self.lead(k))
        } else {
            let item = *self.tree.items(parent).get(index).ok_or_else(layout_error)?;
            if self.is_flow(parent) {
                Ok(self.lead(item))
            } else {
                self.dash(item)
            }
        }
    }

    /// Where an element of a collection ends (its value's full extent).
    pub fn element_end(&self, parent: NodeId, index: usize) -> Result<usize, NotFixable> {
        if self.tree.is_map(parent) {
            let (k, v) = self.tree.entries(parent).nth(index).ok_or_else(layout_error)?;
            self.entry_end(k, v)
        } else {
            let item = *self.tree.items(parent).get(index).ok_or_else(layout_error)?;
            self.extent_end(item)
        }
    }

    /// The number of elements of a collection.
    pub fn len(&self, id: NodeId) -> usize {
        if self.tree.is_map(id) {
            self.tree.entries(id).len()
        } else {
            self.tree.items(id).len()
        }
    }
}
