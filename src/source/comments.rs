//! Suppression comments: `# plimsoll: ignore[rule-id, other-id] reason`.
//!
//! The scan looks for the marker text only (fast on files without any); the loader then
//! drops candidates that sit inside a scalar (a block scalar can contain the same text).

use super::{Pos, Span};

const MARKER: &str = "plimsoll:";

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// The comment, from `#` to the end of the line.
    pub span: Span,
    /// The comment is alone on its line (then it also covers the next line).
    pub own_line: bool,
    /// The rule ids or families named in `ignore[...]`.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// Why the comment could not be understood, when it could not.
    pub malformed: Option<String>,
}

impl Directive {
    /// Whether this comment covers a finding that starts on `line`.
    pub fn covers_line(&self, line: u32) -> bool {
        line == self.span.start.line || (self.own_line && line == self.span.start.line + 1)
    }
}

pub fn find_directives(text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut line = 1u32;
    let mut counted_to = 0usize;
    // `memmem` searches with SIMD; `str::match_indices` takes the general two-way search.
    for at in memchr::memmem::find_iter(text.as_bytes(), MARKER) {
        line += text[counted_to..at].bytes().filter(|b| *b == b'\n').count() as u32;
        counted_to = at;
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[line_start..at];
        let Some(hash) = before.trim_end().strip_suffix('#').map(str::len) else {
            continue;
        };
        let prefix = &before[..hash];
        if !starts_comment(text, line_start + hash) {
            continue;
        }
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let body = text[at + MARKER.len()..line_end].trim_end_matches('\r');
        let start_byte = line_start + hash;
        let span = Span::new(
            Pos {
                line,
                col: prefix.chars().count() as u32 + 1,
                byte: start_byte as u32,
            },
            Pos {
                line,
                col: text[line_start..line_end].trim_end_matches('\r').chars().count() as u32 + 1,
                byte: (line_end - (text[at..line_end].len() - text[at..line_end].trim_end_matches('\r').len())) as u32,
            },
        );
        let (rules, reason, malformed) = parse_body(body);
        out.push(Directive {
            span,
            own_line: prefix.trim().is_empty(),
            rules,
            reason,
            malformed,
        });
    }
    out
}

/// Whether the `#` at byte `hash` starts a comment by its position: at the start of a line
/// or after a space or tab. (Whether it lies inside a scalar is the caller's question.)
pub(crate) fn starts_comment(text: &str, hash: usize) -> bool {
    if text.as_bytes().get(hash) != Some(&b'#') {
        return false;
    }
    hash == 0 || matches!(text.as_bytes()[hash - 1], b' ' | b'\t' | b'\n' | b'\r')
}

/// Every comment of `text` outside the given scalar ranges (sorted by start, not
/// overlapping), from `#` to the end of the line without a `\r`.
pub(crate) fn comment_ranges(text: &str, scalars: &[std::ops::Range<usize>]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find('#') {
        let hash = from + i;
        let in_scalar = {
            let k = scalars.partition_point(|r| r.start <= hash);
            k > 0 && hash < scalars[k - 1].end
        };
        if !in_scalar && starts_comment(text, hash) {
            let end = text[hash..].find('\n').map_or(text.len(), |j| hash + j);
            let end = if text[..end].ends_with('\r') { end - 1 } else { end };
            out.push(hash..end);
            from = end;
        } else {
            from = hash + 1;
        }
    }
    out
}

fn parse_body(body: &str) -> (Vec<String>, Option<String>, Option<String>) {
    let body = body.trim_start();
    let Some(rest) = body.strip_prefix("ignore[") else {
        return (
            Vec::new(),
            None,
            Some("expected `# plimsoll: ignore[rule-id, ...] reason`".to_string()),
        );
    };
    let Some(close) = rest.find(']') else {
        return (Vec::new(), None, Some("missing `]` after the rule ids".to_string()));
    };
    let rules: Vec<String> = rest[..close]
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return (Vec::new(), None, Some("no rule id between `[` and `]`".to_string()));
    }
    let reason = rest[close + 1..].trim();
    (rules, (!reason.is_empty()).then(|| reason.to_string()), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_directives_with_rules_and_reasons() {
        let text = "a: 1\n  # plimsoll: ignore[pss-privileged, image-mutable-tag] needed for the CNI\nb: 2 # plimsoll: ignore[x]\n";
        let d = find_directives(text);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].rules, vec!["pss-privileged", "image-mutable-tag"]);
        assert_eq!(d[0].reason.as_deref(), Some("needed for the CNI"));
        assert!(d[0].own_line);
        assert_eq!((d[0].span.start.line, d[0].span.start.col), (2, 3));
        assert!(d[0].covers_line(3));
        assert_eq!(d[1].rules, vec!["x"]);
        assert!(!d[1].own_line);
        assert!(d[1].covers_line(3) && !d[1].covers_line(4));
    }

    #[test]
    fn not_a_comment_or_malformed() {
        assert!(find_directives("a: x#plimsoll: ignore[x]\n").is_empty());
        let d = find_directives("# plimsoll: ignroe[x]\n");
        assert!(d[0].malformed.is_some());
        let d = find_directives("# plimsoll: ignore[]\n");
        assert!(d[0].malformed.is_some());
    }
}
