//! Rendering what a group creates: new entries after a block mapping's last entry, new
//! items after a block sequence's last item, flow insertions, a null replaced by a
//! collection.
use super::{Group, GroupKind, Planner, conflict, layout_error, strip_eol};
use crate::source::edit::layout::Parent;
use crate::source::edit::render::{Render, double};
use crate::source::edit::style::{Quoting, item_gap};
use crate::source::edit::{NotFixable, Value};
use crate::source::tree::{NodeId, NodeKind, ScalarStyle};

impl Planner<'_, '_, '_> {
    pub(super) fn render_group(&mut self, g: &Group) -> Result<(), NotFixable> {
        match g.kind {
            GroupKind::Map | GroupKind::Seq if self.l.is_flow(g.node) => self.flow_insert(g),
            GroupKind::Map => self.block_map_insert(g),
            GroupKind::Seq => self.block_seq_insert(g),
            GroupKind::Replace => self.replace_with_collection(g),
        }
    }

    /// The insertion point after an element ending at `end`: the start of the next line, or
    /// the end of the text with a line ending in front (no final newline stays so).
    pub(super) fn after_line(&self, end: usize, eol: &str) -> (usize, String) {
        match self.l.next_line(end) {
            Some(p) => (p, String::new()),
            None => (self.l.text.len(), eol.to_string()),
        }
    }

    pub(super) fn block_map_insert(&mut self, g: &Group) -> Result<(), NotFixable> {
        let Value::Map(entries) = &g.value else {
            return Err(conflict());
        };
        let l = self.l;
        let first = l.first_key(g.node).ok_or_else(layout_error)?;
        l.no_tab_before(first)?;
        let (k, v) = self.tree().entries(g.node).next_back().ok_or_else(layout_error)?;
        let end = l.entry_end(k, v)?;
        let r = self.render(Some(g.node), end);
        let (at, mut out) = self.after_line(end, r.eol);
        let eof = !out.is_empty();
        r.block_entries(entries, l.col(first), &mut out);
        if eof {
            strip_eol(&mut out, r.eol);
        }
        self.push(at..at, out, g.node);
        Ok(())
    }

    pub(super) fn block_seq_insert(&mut self, g: &Group) -> Result<(), NotFixable> {
        let Value::Seq(items) = &g.value else {
            return Err(conflict());
        };
        let l = self.l;
        let n = l.len(g.node);
        let last = *self.tree().items(g.node).last().ok_or_else(layout_error)?;
        let dash = l.element_start(g.node, n - 1)?;
        l.no_tab_before(dash)?;
        let end = l.extent_end(last)?;
        let mut r = self.render(Some(g.node), end);
        r.gap = item_gap(l, g.node, n - 1, last).unwrap_or(r.gap);
        let (at, mut out) = self.after_line(end, r.eol);
        let eof = !out.is_empty();
        r.block_items(items, l.col(dash), &mut out);
        if eof {
            strip_eol(&mut out, r.eol);
        }
        self.push(at..at, out, g.node);
        Ok(())
    }

    /// Whether a JSON collection is pretty-printed (its elements on their own lines; for an
    /// empty one, its parent's).
    pub(super) fn multiline_json(&self, node: NodeId) -> bool {
        let l = self.l;
        let open = l.token_start(node);
        if l.len(node) > 0 {
            return l
                .element_start(node, 0)
                .is_ok_and(|s| l.line_start(s) != l.line_start(open));
        }
        match self.container(node) {
            Some(c) => self.multiline_json(c),
            None => l.text.trim_end().contains('\n'),
        }
    }

    /// The JSON indentation step: the file's first multi-line collection's first element
    /// column minus the indentation of its opening line (2 when there is none).
    pub(super) fn json_indent(&self) -> usize {
        let l = self.l;
        let tree = self.tree();
        let found = (0..tree.len()).map(NodeId::from_index).find_map(|id| {
            if !(tree.is_map(id) || tree.is_seq(id)) || l.len(id) == 0 || tree.deref(id) != id {
                return None;
            }
            let open = l.token_start(id);
            let first = l.element_start(id, 0).ok()?;
            (l.line_start(first) != l.line_start(open)).then(|| l.col(first).saturating_sub(self.line_indent(open)))
        });
        found.filter(|s| *s > 0).unwrap_or(2)
    }

    /// The number of spaces that start the line holding `pos`.
    pub(super) fn line_indent(&self, pos: usize) -> usize {
        let line = self.l.line_start(pos);
        let rest = &self.l.text[line..];
        rest.len() - rest.trim_start_matches(' ').len()
    }

    pub(super) fn flow_insert(&mut self, g: &Group) -> Result<(), NotFixable> {
        let l = self.l;
        let node = g.node;
        let open = l.token_start(node);
        let close = l.flow_close(node)?;
        let n = l.len(node);
        let pretty_json = self.json && self.multiline_json(node);
        let mut r = self.render(Some(node), open);
        if n > 0 {
            r.pad = l.bytes().get(open + 1) == Some(&b' ');
        }
        let json_step = if pretty_json { self.json_indent() } else { 0 };
        // The column new elements start at (multi-line), for nested pretty JSON.
        let elements = |indent: usize| -> Vec<String> {
            let r = Render {
                step: json_step,
                ..r.clone()
            };
            match &g.value {
                Value::Map(entries) => entries
                    .iter()
                    .map(|(k, v)| {
                        if pretty_json {
                            format!("{}{}{}", double(k), r.json_colon, r.json_pretty(v, indent))
                        } else {
                            r.flow_entry(k, v)
                        }
                    })
                    .collect(),
                Value::Seq(items) => items
                    .iter()
                    .map(|v| {
                        if pretty_json {
                            r.json_pretty(v, indent)
                        } else {
                            r.inline(v, r.items, true)
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let comma = if self.json && self.style.json_colon == ":" {
            ","
        } else {
            ", "
        };
        if n == 0 {
            let content = if pretty_json {
                let indent = self.line_indent(open);
                let inner = indent + json_step;
                let mut s = String::new();
                let parts = elements(inner);
                for (i, e) in parts.iter().enumerate() {
                    s.push_str(r.eol);
                    s.push_str(&" ".repeat(inner));
                    s.push_str(e);
                    if i + 1 < parts.len() {
                        s.push(',');
                    }
                }
                s.push_str(r.eol);
                s.push_str(&" ".repeat(indent));
                s
            } else {
                let pad = if r.pad && !self.json { " " } else { "" };
                format!("{pad}{}{pad}", elements(0).join(comma))
            };
            return self.push_checked(open + 1..close, content, node);
        }
        let last_start = l.element_start(node, n - 1)?;
        let last_end = l.element_end(node, n - 1)?;
        let after = l.skip_gap(last_end);
        let trailing_comma = l.bytes().get(after) == Some(&b',');
        let multiline = l.line_start(last_start) != l.line_start(open);
        let r_eol = l.eol_of_line(last_end).unwrap_or_else(|| l.first_eol());
        let mut content = String::new();
        if multiline {
            l.no_tab_before(last_start)?;
            let col = l.col(last_start);
            let ind = " ".repeat(col);
            let indent = self.line_indent(last_start);
            for e in elements(indent) {
                if trailing_comma {
                    content.push_str(&format!("{r_eol}{ind}{e},"));
                } else {
                    content.push_str(&format!(",{r_eol}{ind}{e}"));
                }
            }
        } else {
            for e in elements(0) {
                if trailing_comma {
                    content.push_str(&format!(" {e},"));
                } else {
                    content.push_str(&format!("{comma}{e}"));
                }
            }
        }
        let at = if trailing_comma { after + 1 } else { last_end };
        self.push(at..at, content, node);
        Ok(())
    }

    /// A null (or a scalar being replaced) becomes a collection.
    pub(super) fn replace_with_collection(&mut self, g: &Group) -> Result<(), NotFixable> {
        let l = self.l;
        let tree = self.tree();
        let node = g.node;
        let NodeKind::Scalar { style, tag, .. } = &tree.node(node).kind else {
            return Err(layout_error());
        };
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return Err(NotFixable::new("a block scalar cannot be replaced by a collection"));
        }
        if tag.is_some() {
            return Err(NotFixable::new("a tagged value cannot be replaced by a collection"));
        }
        let empty = l.is_empty_scalar(node);
        let token = l.token_start(node)..l.scalar_end(node).max(l.token_start(node));
        if self.in_flow(node) {
            if empty {
                return Err(NotFixable::new("an empty value in a flow collection"));
            }
            let r = self.render(None, token.start);
            let content = if self.json && self.container(node).is_some_and(|c| self.multiline_json(c)) {
                let step = self.json_indent();
                Render { step, ..r }.json_pretty(&g.value, self.line_indent(token.start))
            } else {
                r.flow(&g.value)
            };
            return self.push_checked(token, content, node);
        }
        match l.parent(node) {
            Parent::Value { map, index } => {
                let (k, _) = tree.entries(map).nth(index).ok_or_else(layout_error)?;
                let key_lead = l.lead(k);
                l.no_tab_before(key_lead)?;
                let colon = l.colon_after(k)?;
                let end = token.end.max(colon);
                let r = self.render(Some(map), end);
                let r = Render {
                    keys: Quoting::PLAIN,
                    values: Quoting::PLAIN,
                    items: Quoting::PLAIN,
                    ..r
                };
                if !empty {
                    // `key: null` → `key:`: the token and the blanks before it.
                    let mut start = token.start;
                    while start > colon && matches!(l.bytes()[start - 1], b' ' | b'\t') {
                        start -= 1;
                    }
                    self.push_checked(start..token.end, String::new(), node)?;
                }
                let (at, mut out) = self.after_line(end, r.eol);
                let eof = !out.is_empty();
                let key_col = l.col(key_lead);
                match &g.value {
                    Value::Map(entries) => r.block_entries(entries, key_col + r.step, &mut out),
                    Value::Seq(items) => {
                        let dash = key_col + if r.seq_indented { r.step } else { 0 };
                        r.block_items(items, dash, &mut out);
                    }
                    _ => return Err(conflict()),
                }
                if eof {
                    strip_eol(&mut out, r.eol);
                }
                self.push(at..at, out, node);
                Ok(())
            }
            Parent::Item { seq, .. } => {
                let dash = l.dash(node)?;
                l.no_tab_before(dash)?;
                let r = self.render(Some(seq), dash);
                let r = Render {
                    keys: Quoting::PLAIN,
                    values: Quoting::PLAIN,
                    items: Quoting::PLAIN,
                    ..r
                };
                let mut out = String::new();
                r.after_dash(&g.value, l.col(dash) + 1 + r.gap, &mut out);
                strip_eol(&mut out, r.eol);
                let end = if empty { dash + 1 } else { token.end };
                self.push_checked(dash + 1..end, out, node)
            }
            _ => Err(NotFixable::new("an op cannot replace the object itself")),
        }
    }
}
