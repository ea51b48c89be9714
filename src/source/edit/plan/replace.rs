//! Replacing what exists: a scalar in its own style (tag and anchor kept), a whole
//! collection in its block or flow style.
use super::{Planner, check_tag, layout_error, strip_eol};
use crate::source::edit::layout::Parent;
use crate::source::edit::render::{Render, string};
use crate::source::edit::style::{Quote, Quoting};
use crate::source::edit::{NotFixable, Value};
use crate::source::tree::{NodeId, NodeKind, ScalarStyle};

impl Planner<'_, '_, '_> {
    /// Replaces a scalar by a scalar (or an empty collection), keeping its style, tag and
    /// anchor.
    pub(super) fn replace_scalar(&mut self, node: NodeId, value: &Value) -> Result<(), NotFixable> {
        let tree = self.tree();
        let NodeKind::Scalar { style, tag, .. } = &tree.node(node).kind else {
            return Err(NotFixable::new("the layout around the edit is not understood"));
        };
        let (style, tag) = (*style, tag.as_deref());
        check_tag(tag, value)?;
        let flow = self.in_flow(node);
        let container = self.container(node);
        let r = self.render(container, self.l.token_start(node));
        let sibling_q = if matches!(self.l.parent(node), Parent::Item { .. }) {
            r.items
        } else {
            r.values
        };
        let text_for = |q: Quoting| match value {
            Value::Str(s) => string(s, q, flow, false, r.json),
            _ => r.inline(value, q, flow),
        };
        if self.l.is_empty_scalar(node) && tag.is_none() {
            if flow {
                return Err(NotFixable::new("an empty value in a flow collection"));
            }
            let pos = match self.l.parent(node) {
                Parent::Value { map, index } => {
                    let (k, _) = tree.entries(map).nth(index).ok_or_else(layout_error)?;
                    self.l.colon_after(k)?
                }
                Parent::Item { .. } => self.l.dash(node)? + 1,
                _ => return Err(layout_error()),
            };
            let content = format!(" {}", text_for(sibling_q));
            self.push(pos..pos, content, node);
            return Ok(());
        }
        let (start, own) = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => {
                if matches!(value, Value::Str(s) if s.contains(['\n', '\r'])) {
                    return Err(NotFixable::new(
                        "a block scalar can only be replaced by a one-line value",
                    ));
                }
                // The header becomes the value (a comment after it stays); the content
                // lines go.
                let header = self.l.header(node)?;
                let content_end = self.l.scalar_end(node);
                let header_line_end = self.l.line_end(header.end);
                if content_end > header_line_end {
                    self.push(header_line_end..content_end, String::new(), node);
                }
                self.push(header.indicator..header.end, text_for(sibling_q), node);
                return Ok(());
            }
            ScalarStyle::Plain if tree.is_null(node) => (self.l.token_start(node), sibling_q),
            ScalarStyle::Plain => (
                self.l.token_start(node),
                Quoting {
                    prefer: Quote::Plain,
                    fallback: Quote::Double,
                },
            ),
            ScalarStyle::SingleQuoted => (
                self.l.token_start(node),
                Quoting {
                    prefer: Quote::Single,
                    fallback: Quote::Double,
                },
            ),
            ScalarStyle::DoubleQuoted => (
                self.l.token_start(node),
                Quoting {
                    prefer: Quote::Double,
                    fallback: Quote::Double,
                },
            ),
        };
        let end = self.l.scalar_end(node).max(start);
        self.push(start..end, text_for(own), node);
        Ok(())
    }

    /// Replaces a collection by a value, in the collection's block or flow style.
    pub(super) fn replace_collection(&mut self, node: NodeId, value: &Value) -> Result<(), NotFixable> {
        let l = self.l;
        let end = l.extent_end(node)?;
        let inline =
            !matches!(value, Value::Map(m) if !m.is_empty()) && !matches!(value, Value::Seq(s) if !s.is_empty());
        if l.is_flow(node) {
            let start = l.token_start(node);
            let r = self.render(Some(node), start);
            let content = if self.json && self.multiline_json(node) {
                let step = self.json_indent();
                Render { step, ..r }.json_pretty(value, self.line_indent(start))
            } else {
                r.flow(value)
            };
            return self.push_checked(start..end, content, node);
        }
        let r = self.render(Some(node), l.token_start(node));
        if inline {
            let start = self.value_start(node)?;
            let content = format!(" {}", r.inline(value, r.values, false));
            return self.push_checked(start..end, content, node);
        }
        let content_start = l.token_start(node);
        let mut col = l.col(content_start);
        l.no_tab_before(content_start)?;
        if let (Value::Map(_), true, Parent::Value { map, index }) = (value, self.tree().is_seq(node), l.parent(node)) {
            // A sequence at its key's column becomes a mapping one step in.
            if let Some((k, _)) = self.tree().entries(map).nth(index) {
                col = col.max(l.col(l.lead(k)) + r.step);
            }
        }
        let mut out = String::new();
        let r = Render {
            step: r.step.max(1),
            ..r
        };
        if l.starts_line(content_start) {
            match value {
                Value::Map(entries) => r.block_entries(entries, col, &mut out),
                Value::Seq(items) => r.block_items(items, col, &mut out),
                _ => {}
            }
            strip_eol(&mut out, r.eol);
            self.push_checked(l.line_start(content_start)..end, out, node)
        } else {
            r.after_dash(value, col, &mut out);
            // The text goes where the old content started, after the dash and its spaces.
            out.drain(..r.gap.min(out.len()));
            strip_eol(&mut out, r.eol);
            self.push_checked(content_start..end, out, node)
        }
    }

    /// Where a value's replacement starts when written after its key or dash: right after
    /// the `:` or `-`, or after the properties (anchor, tag) on that line, which stay.
    pub(super) fn value_start(&self, node: NodeId) -> Result<usize, NotFixable> {
        let l = self.l;
        let after = match l.parent(node) {
            Parent::Value { map, index } => {
                let (k, _) = self.tree().entries(map).nth(index).ok_or_else(layout_error)?;
                l.colon_after(k)?
            }
            Parent::Item { .. } => l.dash(node)? + 1,
            _ => return Err(NotFixable::new("an op cannot replace the object itself")),
        };
        let next = l.skip_blanks(after);
        if matches!(l.bytes().get(next), Some(b'&' | b'!')) {
            Ok(self.props_end(next))
        } else {
            Ok(after)
        }
    }

    /// The end of the properties (anchor, tag) starting at `pos`.
    pub(super) fn props_end(&self, mut pos: usize) -> usize {
        let b = self.l.bytes();
        loop {
            while pos < b.len() && !matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
                pos += 1;
            }
            let next = self.l.skip_blanks(pos);
            if matches!(b.get(next), Some(b'&' | b'!')) {
                pos = next;
            } else {
                return pos;
            }
        }
    }
}
