//! YAML text → [`Tree`], from saphyr-parser events, in one pass, without recursion.

use super::tree::{Node, NodeId, NodeKind, ScalarStyle, Tree};
use super::{Pos, Span};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle as SaphyrStyle, Tag};
use std::collections::HashMap;
use std::fmt;

/// Limits that keep hostile input cheap. Documented in `docs/configuration.md`.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Deepest nesting of mappings and sequences accepted in a document.
    pub max_depth: usize,
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// How many nodes reached through aliases one document may visit when it is read.
    pub max_alias_nodes: usize,
}

impl Limits {
    /// The most a configuration file may set (it comes with the repository, which is
    /// untrusted); command-line flags may go beyond. The YAML parser itself stops at a
    /// depth of 255.
    pub const CAPS: Limits = Limits {
        max_depth: 255,
        max_file_size: 64 * 1024 * 1024,
        max_alias_nodes: 1_000_000,
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 200,
            max_file_size: 64 * 1024 * 1024,
            max_alias_nodes: 100_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// One YAML document of a file.
#[derive(Debug, Clone, Copy)]
pub struct ParsedDocument {
    /// 0-based index of the document in its file.
    pub index: usize,
    pub root: NodeId,
}

/// Converts saphyr's character offsets to byte offsets. Queries arrive almost in order, so
/// a cursor that walks forward or back from the last answer is linear overall.
struct Offsets<'s> {
    text: &'s str,
    ascii: bool,
    chars: usize,
    bytes: usize,
    /// Where `text` starts in the file: its byte, and the lines before it.
    base_byte: usize,
    base_lines: u32,
}

impl Offsets<'_> {
    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        while self.chars < char_index && self.bytes < self.text.len() {
            let c = self.text[self.bytes..].chars().next().map_or(1, char::len_utf8);
            self.bytes += c;
            self.chars += 1;
        }
        while self.chars > char_index && self.bytes > 0 {
            let c = self.text[..self.bytes].chars().next_back().map_or(1, char::len_utf8);
            self.bytes -= c;
            self.chars -= 1;
        }
        self.bytes
    }

    fn pos(&mut self, m: &Marker) -> Pos {
        Pos {
            line: m.line() as u32 + self.base_lines,
            col: m.col() as u32 + 1,
            byte: (self.byte(m.index()) + self.base_byte) as u32,
        }
    }
}

struct Frame {
    node: usize,
    map: bool,
    scratch_start: usize,
    anchor: usize,
    has_merge: bool,
}

/// Parses every document of `text`. On a syntax error the documents completed before it
/// are returned with the error; the rest of the file is not read.
pub fn parse<'s>(text: &'s str, limits: &Limits) -> (Tree<'s>, Vec<ParsedDocument>, Option<ParseError>) {
    Documents::new(text, limits.clone())
        .next_part(usize::MAX)
        .unwrap_or_default()
}

/// The documents of a text, parsed a part at a time: each part is a [`Tree`] of whole
/// documents, so that a large file is checked part by part instead of held whole. Anchors
/// do not cross documents, so parts are independent; document indices and positions are
/// the file's.
pub struct Documents<'s> {
    parser: Parser<'s, saphyr_parser::StrInput<'s>>,
    offsets: Option<Offsets<'s>>,
    limits: Limits,
    doc_index: usize,
    text: &'s str,
    /// The bytes of the parsed slice the parts so far spanned.
    consumed: usize,
}

impl<'s> Documents<'s> {
    pub fn new(text: &'s str, limits: Limits) -> Documents<'s> {
        Documents {
            parser: Parser::new_from_str(text),
            offsets: Some(Offsets {
                text,
                ascii: text.is_ascii(),
                chars: 0,
                bytes: 0,
                base_byte: 0,
                base_lines: 0,
            }),
            limits,
            doc_index: 0,
            text,
            consumed: 0,
        }
    }

    /// The documents of `text[range]` alone, as document `doc` and the next ones of `text`,
    /// with the positions they have in `text`: `range` starts a line, line `line` (1-based,
    /// counting lines as the parser does). One document of a file is read again this way
    /// without the documents before it.
    pub fn at(text: &'s str, range: std::ops::Range<usize>, line: u32, doc: usize, limits: Limits) -> Documents<'s> {
        let slice = &text[range.clone()];
        Documents {
            parser: Parser::new_from_str(slice),
            offsets: Some(Offsets {
                text: slice,
                ascii: slice.is_ascii(),
                chars: 0,
                bytes: 0,
                base_byte: range.start,
                base_lines: line.saturating_sub(1),
            }),
            limits,
            doc_index: doc,
            text,
            consumed: 0,
        }
    }

    /// How many documents were read so far.
    pub fn read(&self) -> usize {
        self.doc_index
    }

    /// The next documents, until they span at least `budget` bytes (whole documents; at
    /// least one); `None` after the last part. The first call always returns a part, empty
    /// for an empty text. On a syntax error the part ends with it and it is the last.
    pub fn next_part(&mut self, budget: usize) -> Option<(Tree<'s>, Vec<ParsedDocument>, Option<ParseError>)> {
        let offsets = self.offsets.take()?;
        let limits = self.limits.clone();
        // Sized for the bytes the part will likely span (a node per 16 bytes, about half of
        // what compact manifests hold), so that its nodes are not moved as they grow from
        // nothing; at most for a megabyte, so that a large text parsed whole reserves no
        // more than a part does, and grows from there.
        let expected = offsets
            .text
            .len()
            .saturating_sub(self.consumed)
            .min(budget)
            .min(1 << 20)
            / 16;
        let mut b = Builder {
            tree: Tree {
                nodes: Vec::with_capacity(expected),
                children: Vec::with_capacity(expected),
            },
            offsets,
            frames: Vec::new(),
            scratch: Vec::new(),
            anchors: HashMap::new(),
            docs: Vec::new(),
            doc_root: None,
            text: self.text,
        };
        let mut part_start: Option<u32> = None;
        let finish = |this: &mut Documents<'s>, b: Builder<'s>, error: Option<ParseError>, last: bool| {
            if !last {
                this.offsets = Some(b.offsets);
            }
            Some((b.tree, b.docs, error))
        };
        let limits = &limits;
        while let Some(next) = self.parser.next_event() {
            let (event, span) = match next {
                Ok(ev) => ev,
                Err(e) => {
                    let pos = b.offsets.pos(e.marker());
                    let message = match e.info() {
                        // The parser's own guard, close to ours.
                        "recursion limit exceeded" => "nesting is too deep (more than 255 levels)".to_string(),
                        info => info.to_string(),
                    };
                    return finish(self, b, Some(ParseError { pos, message }), true);
                }
            };
            let start = b.offsets.pos(&span.start);
            let end = b.offsets.pos(&span.end);
            let ended_document = matches!(event, Event::DocumentEnd);
            let result = match event {
                Event::DocumentStart(_) => {
                    b.anchors.clear();
                    b.doc_root = None;
                    Ok(())
                }
                Event::DocumentEnd => {
                    if let Some(root) = b.doc_root.take() {
                        let empty = matches!(
                            &b.tree.node(root).kind,
                            NodeKind::Scalar { text, style: ScalarStyle::Plain, tag: None } if text.is_empty()
                        );
                        if !empty {
                            b.docs.push(ParsedDocument {
                                index: self.doc_index,
                                root,
                            });
                        }
                    }
                    self.doc_index += 1;
                    Ok(())
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let style = match style {
                        SaphyrStyle::Plain => ScalarStyle::Plain,
                        SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                        SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                        SaphyrStyle::Literal => ScalarStyle::Literal,
                        SaphyrStyle::Folded => ScalarStyle::Folded,
                    };
                    let span = if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                        b.trim_block_end(Span::new(start, end))
                    } else {
                        Span::new(start, end)
                    };
                    let id = b.push(Node {
                        kind: NodeKind::Scalar {
                            text: value,
                            style,
                            tag: tag.map(|t| tag_name(&t)),
                        },
                        span,
                    });
                    if anchor != 0 {
                        b.anchors.insert(anchor, id);
                    }
                    b.attach(id);
                    Ok(())
                }
                Event::SequenceStart(anchor, _) => b.open(false, anchor, start, limits),
                Event::MappingStart(anchor, _) => b.open(true, anchor, start, limits),
                Event::SequenceEnd | Event::MappingEnd => {
                    b.close(end, span.start.index() != span.end.index());
                    Ok(())
                }
                Event::Alias(anchor) => match b.anchors.get(&anchor) {
                    Some(target) => {
                        let id = b.push(Node {
                            kind: NodeKind::Alias { target: *target },
                            span: Span::new(start, end),
                        });
                        b.attach(id);
                        Ok(())
                    }
                    None => Err(ParseError {
                        pos: start,
                        message: "alias to an anchor that is not defined before it (or contains the alias)".into(),
                    }),
                },
                Event::StreamStart | Event::StreamEnd | Event::Nothing => Ok(()),
            };
            if let Err(e) = result {
                return finish(self, b, Some(e), true);
            }
            if part_start.is_none() {
                part_start = Some(start.byte);
            }
            if ended_document && (end.byte - part_start.unwrap_or(0)) as usize >= budget {
                self.consumed = end.byte as usize - b.offsets.base_byte;
                return finish(self, b, None, false);
            }
        }
        finish(self, b, None, true)
    }
}

fn tag_name(tag: &Tag) -> Box<str> {
    if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
        format!("!!{}", tag.suffix).into()
    } else {
        format!("{}{}", tag.handle, tag.suffix).into()
    }
}

struct Builder<'s> {
    tree: Tree<'s>,
    offsets: Offsets<'s>,
    frames: Vec<Frame>,
    scratch: Vec<NodeId>,
    anchors: HashMap<usize, NodeId>,
    docs: Vec<ParsedDocument>,
    doc_root: Option<NodeId>,
    text: &'s str,
}

impl<'s> Builder<'s> {
    fn push(&mut self, node: Node<'s>) -> NodeId {
        let id = NodeId(self.tree.nodes.len() as u32);
        self.tree.nodes.push(node);
        id
    }

    /// Adds a finished node to the open collection, or makes it the document root.
    fn attach(&mut self, id: NodeId) {
        match self.frames.last_mut() {
            Some(frame) => {
                if frame.map && (self.scratch.len() - frame.scratch_start).is_multiple_of(2) {
                    // A key: note merge keys so lookups can skip expansion otherwise.
                    if let NodeKind::Scalar { text, .. } = &self.tree.nodes[id.0 as usize].kind
                        && text == "<<"
                    {
                        frame.has_merge = true;
                    }
                }
                self.scratch.push(id);
            }
            None => self.doc_root = Some(id),
        }
    }

    fn open(&mut self, map: bool, anchor: usize, start: Pos, limits: &Limits) -> Result<(), ParseError> {
        if self.frames.len() >= limits.max_depth {
            return Err(ParseError {
                pos: start,
                message: format!("nesting is deeper than {} levels (limits.max_depth)", limits.max_depth),
            });
        }
        let node = self.tree.nodes.len();
        self.tree.nodes.push(Node {
            kind: NodeKind::Seq { first: 0, len: 0 },
            span: Span::new(start, start),
        });
        self.frames.push(Frame {
            node,
            map,
            scratch_start: self.scratch.len(),
            anchor,
            has_merge: false,
        });
        Ok(())
    }

    fn close(&mut self, end: Pos, flow: bool) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        let first = self.tree.children.len() as u32;
        let count = (self.scratch.len() - frame.scratch_start) as u32;
        let last_child_end = self
            .scratch
            .last()
            .filter(|_| count > 0)
            .map(|id| self.tree.nodes[id.0 as usize].span.end);
        self.tree.children.extend(self.scratch.drain(frame.scratch_start..));
        let node = &mut self.tree.nodes[frame.node];
        node.kind = if frame.map {
            NodeKind::Map {
                first,
                len: count / 2,
                has_merge: frame.has_merge,
            }
        } else {
            NodeKind::Seq { first, len: count }
        };
        node.span.end = if flow { end } else { last_child_end.unwrap_or(end) };
        let id = NodeId(frame.node as u32);
        if frame.anchor != 0 {
            self.anchors.insert(frame.anchor, id);
        }
        self.attach(id);
    }

    /// Block scalars end at the start of the next line; end them after their last
    /// non-blank character instead, so that underlines stay on the scalar's lines.
    fn trim_block_end(&self, span: Span) -> Span {
        let start = span.start.byte as usize;
        let end = span.end.byte as usize;
        if end <= start || end > self.text.len() {
            return span;
        }
        let content = &self.text[start..end];
        let trimmed = content.trim_end();
        if trimmed.len() == content.len() {
            return span;
        }
        let new_end = start + trimmed.len();
        let removed = &content[trimmed.len()..];
        let lines_removed = removed.matches('\n').count() as u32;
        let line = span.end.line - lines_removed.min(span.end.line - span.start.line);
        let line_start = self.text[..new_end].rfind('\n').map_or(0, |i| i + 1);
        let col = self.text[line_start..new_end].chars().count() as u32 + 1;
        Span::new(
            span.start,
            Pos {
                line,
                col,
                byte: new_end as u32,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (Tree<'_>, NodeId) {
        let (tree, docs, err) = parse(text, &Limits::default());
        assert_eq!(err, None);
        (tree, docs[0].root)
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "a: 1\nb:\n  c: \"x\"\n  d: [1, 2]\n";
        let (tree, root) = one(text);
        let (k, v) = tree.get_entry(root, "b").unwrap();
        assert_eq!((tree.span(k).start.line, tree.span(k).start.col), (2, 1));
        let c = tree.get(v, "c").unwrap();
        let s = tree.span(c);
        assert_eq!((s.start.line, s.start.col, s.end.col), (3, 6, 9));
        assert_eq!(&text[s.bytes()], "\"x\"");
        let d = tree.get(v, "d").unwrap();
        assert_eq!(&text[tree.span(d).bytes()], "[1, 2]");
        assert_eq!(&text[tree.span(v).bytes()], "c: \"x\"\n  d: [1, 2]");
    }

    #[test]
    fn byte_offsets_with_multibyte_text() {
        let text = "a: \"é€😀\"\nb: x\n";
        let (tree, root) = one(text);
        let b = tree.get(root, "b").unwrap();
        let s = tree.span(b);
        assert_eq!((s.start.line, s.start.col), (2, 4));
        assert_eq!(&text[s.bytes()], "x");
        let a = tree.get(root, "a").unwrap();
        assert_eq!(tree.span(a).end.col, 9);
    }

    #[test]
    fn block_scalar_span_ends_on_its_last_line() {
        let text = "a: |\n  one\n  two\n\nb: 1\n";
        let (tree, root) = one(text);
        let a = tree.span(tree.get(root, "a").unwrap());
        assert_eq!(a.end.line, 3);
        assert_eq!(&text[a.bytes()], "one\n  two");
    }

    #[test]
    fn merge_keys_follow_go_yaml_v2() {
        let text = "base: &b {x: 1, y: 2}\nm:\n  x: 0\n  <<: *b\n  y: 3\n";
        let (tree, root) = one(text);
        let m = tree.get(root, "m").unwrap();
        // An explicit key before `<<` is overwritten by the merge (go-yaml v2 order);
        // a key after it wins.
        assert_eq!(tree.text(tree.get(m, "x").unwrap()), Some("1"));
        assert_eq!(tree.text(tree.get(m, "y").unwrap()), Some("3"));
    }

    #[test]
    fn depth_limit() {
        let text = format!("{}{}", "[".repeat(300), "]".repeat(300));
        let (_, _, err) = parse(&text, &Limits::default());
        let err = err.unwrap();
        assert!(err.message.contains("deep"), "{err:?}");
    }

    #[test]
    fn multiple_documents_and_empty_ones() {
        let text = "---\na: 1\n---\n# nothing\n---\nb: 2\n";
        let (_, docs, err) = parse(text, &Limits::default());
        assert_eq!(err, None);
        assert_eq!(docs.iter().map(|d| d.index).collect::<Vec<_>>(), vec![0, 2]);
    }
}
