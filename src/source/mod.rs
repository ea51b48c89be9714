//! Source text, spans and the spanned YAML tree. Knows nothing about Kubernetes.
//!
//! A file is decoded once ([`decode`]), parsed once into a [`Tree`] per YAML document
//! ([`parse`]), and every node of the tree knows its [`Span`]. Rules never handle offsets:
//! they build [`Route`]s, and a route resolves to the span of the node it names, or of the
//! nearest existing ancestor when the named field is absent.

mod comments;
pub mod de;
mod decode;
pub mod edit;
mod parse;
mod read;
pub mod resolve;
mod route;
mod tree;

pub use comments::{Directive, find_directives};
pub use decode::{DecodeError, decode};
pub use parse::{Documents, Limits, ParseError, ParsedDocument, parse};
pub use read::{ReadError, fingerprint, read_file, read_stream, read_text, special_kind};
pub use route::{Route, Seg, Walk, grip};
pub use tree::{Node, NodeId, NodeKind, ScalarStyle, Tree};

use std::borrow::Cow;
use std::fmt;

/// A file of the run, by index into the run's file table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A span in a given file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

/// A position in a source text: 1-based line, 1-based column counted in Unicode scalar
/// values (what SARIF calls `unicodeCodePoints`), and the byte offset into the decoded text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub byte: u32,
}

/// A half-open range of source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn bytes(&self) -> std::ops::Range<usize> {
        self.start.byte as usize..self.end.byte as usize
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.start.line, self.start.col)
    }
}

/// Values remembered for sharing by [`shared_in`]: a hash table whose values are found by
/// the hash of what they borrow as, so that a lookup that misses and the insertion that
/// follows hash the value once.
pub type Recent<T> = hashbrown::HashTable<T>;

/// The copy of `value` that `recent` holds, if it holds one; else `make()` (a copy of
/// `value`: it is remembered under `value`'s hash), remembered there. `recent` is emptied first once it holds `limit` values, so that what it keeps
/// alive stays bounded. Findings share the texts and routes they repeat through it (each
/// kind in a per-thread set).
pub fn shared_in<T, Q>(recent: &mut Recent<T>, value: &Q, limit: usize, make: impl FnOnce() -> T) -> T
where
    T: std::borrow::Borrow<Q> + Clone,
    Q: std::hash::Hash + Eq + ?Sized,
{
    use std::hash::BuildHasher;
    let hash = |v: &Q| rustc_hash::FxBuildHasher.hash_one(v);
    let h = hash(value);
    if let Some(known) = recent.find(h, |k| k.borrow() == value) {
        return known.clone();
    }
    if recent.len() >= limit {
        recent.clear();
    }
    let made = make();
    recent.insert_unique(h, made.clone(), |k| hash(k.borrow()));
    made
}

/// Computes the position of a byte offset in `text` (used for errors that only know a byte
/// offset, such as invalid UTF-8). Linear; only called on error paths.
pub fn pos_of_byte(text: &[u8], byte: usize) -> Pos {
    let byte = byte.min(text.len());
    let before = &text[..byte];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Pos {
        line: line as u32,
        col: col as u32,
        byte: byte as u32,
    }
}

/// The line feeds of a text, to compute many positions as [`pos_of_byte`] does, each in
/// time of its line rather than of the text before it.
pub struct Newlines(Vec<usize>);

impl Newlines {
    pub fn new(text: &[u8]) -> Newlines {
        Newlines(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// [`pos_of_byte`] of `text`, the text these line feeds are of.
    pub fn pos(&self, text: &[u8], byte: usize) -> Pos {
        let byte = byte.min(text.len());
        let before = self.0.partition_point(|nl| *nl < byte);
        let line_start = before.checked_sub(1).map_or(0, |i| self.0[i] + 1);
        let col = String::from_utf8_lossy(&text[line_start..byte]).chars().count() + 1;
        Pos {
            line: before as u32 + 1,
            col: col as u32,
            byte: byte as u32,
        }
    }
}

/// Text from an input (a path, a value, a renderer's message) made safe to print: control
/// characters, line and paragraph separators and bidirectional overrides are written as
/// escapes (`\n`, `\u{202e}`), so that nothing read from a repository can start a line of
/// its own (a CI workflow command) or reorder what a reader sees.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    // Printable ASCII (most messages and values) needs no look at characters. Every byte
    // is looked at, without a branch for each, so that the test runs many bytes at once.
    let outside = s
        .bytes()
        .fold(0u8, |any, b| any | u8::from(!(b' '..b'\x7f').contains(&b)));
    if outside == 0 || !s.chars().any(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A value read from a manifest, shown in a message: at most 120 characters, on one line,
/// and when it looks like it carries settings or credentials (`KEY=value` pairs, several
/// lines, more than 200 characters), only its first characters.
pub fn excerpt(value: &str) -> String {
    let chars = value.chars().count();
    let pairs = value
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| {
            w.split_once('=').is_some_and(|(k, v)| {
                !k.is_empty() && !v.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_')
            })
        });
    let suspicious = chars > 200 || value.contains(['\n', '\r']) || pairs.count() > 0;
    let shown: String = if suspicious {
        value.chars().take(4.min(chars / 2)).collect()
    } else {
        value.chars().take(120).collect()
    };
    let shown = escape_control(&shown).into_owned();
    if suspicious || chars > 120 {
        format!("{shown}… ({chars} chars)")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal values share one copy; the set forgets everything once it holds `limit`.
    #[test]
    fn shared_values_are_shared_and_bounded() {
        let mut recent = Recent::<std::sync::Arc<str>>::new();
        let a = shared_in(&mut recent, "a", 2, || "a".into());
        let again = shared_in(&mut recent, "a", 2, || "a".into());
        assert!(std::sync::Arc::ptr_eq(&a, &again));
        shared_in(&mut recent, "b", 2, || "b".into());
        assert_eq!(recent.len(), 2);
        shared_in(&mut recent, "c", 2, || "c".into());
        assert_eq!(recent.len(), 1, "full: emptied before remembering `c`");
        let fresh = shared_in(&mut recent, "a", 2, || "a".into());
        assert!(!std::sync::Arc::ptr_eq(&a, &fresh));
    }

    #[test]
    fn printed_text_cannot_start_a_line() {
        assert_eq!(escape_control("a\n::error::x"), "a\\n::error::x");
        assert_eq!(escape_control("tab\there\r"), "tab\\there\\r");
        assert_eq!(escape_control("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert!(matches!(escape_control("plain/ünïcode.yaml"), Cow::Borrowed(_)));
        // The ends of printable ASCII, and the controls just past them.
        assert!(matches!(escape_control(" plain ascii ~"), Cow::Borrowed(_)));
        assert_eq!(escape_control("del\u{7f}"), "del\\u{7f}");
        assert_eq!(escape_control("nel\u{85}"), "nel\\u{85}");
        assert_eq!(escape_control("unit\u{1f}"), "unit\\u{1f}");
    }

    #[test]
    fn positions_from_line_feeds_are_those_counted_from_the_start() {
        let text = "a: 1\r\nb: ü\n\n  c: [x, \"é\"]\rd\n".as_bytes();
        let newlines = Newlines::new(text);
        for byte in 0..=text.len() + 2 {
            assert_eq!(newlines.pos(text, byte), pos_of_byte(text, byte), "byte {byte}");
        }
    }

    #[test]
    fn excerpts_redact_what_looks_like_settings() {
        assert_eq!(excerpt("nginx:1.27"), "nginx:1.27");
        assert_eq!(excerpt("HOME=/root PATH=/usr/bin"), "HOME… (24 chars)");
        assert_eq!(excerpt("a\nb"), "a… (3 chars)");
        let long = "x".repeat(300);
        assert_eq!(excerpt(&long), "xxxx… (300 chars)");
        let medium = "y".repeat(150);
        assert_eq!(excerpt(&medium), format!("{}… (150 chars)", "y".repeat(120)));
    }
}
