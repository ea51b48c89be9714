//! Values → text, in the file's style: block (entries at a column, sequences with the
//! file's dash style and spacing), flow (`{a: 1}`, padded or not), JSON (compact or
//! pretty), scalars plain only when that reads back as the same string.

use super::Value;
use super::style::{Quote, Quoting};
use crate::source::ScalarStyle;
use crate::source::resolve::{Value as Scalar, resolve};

/// How to render new text at one place of the file.
#[derive(Clone, Debug)]
pub(super) struct Render {
    pub eol: &'static str,
    /// Indentation of a nested block relative to its key.
    pub step: usize,
    /// New block sequences are indented by `step` under their key (else at its column).
    pub seq_indented: bool,
    /// Spaces after a dash.
    pub gap: usize,
    pub keys: Quoting,
    pub values: Quoting,
    pub items: Quoting,
    pub json: bool,
    /// Flow collections are padded: `{ a: 1 }`.
    pub pad: bool,
    /// JSON: `": "` or `":"`.
    pub json_colon: &'static str,
}

fn spaces(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Whether `s` may be written as a plain scalar (in a flow collection when `flow`; as a key
/// when `key`) and reads back as the same string under YAML 1.1.
pub(super) fn plain_ok(s: &str, flow: bool, key: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || matches!(
            first,
            ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' | '?' | ':'
        )
        || (first == '-' && s.chars().nth(1).is_none_or(|c| c == ' '))
        || s.starts_with("---")
        || s.starts_with("...")
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars()
            .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
        || (flow && s.contains([',', '[', ']', '{', '}']))
        || (key && (s == "<<" || s.contains(':')))
    {
        return false;
    }
    matches!(resolve(s, ScalarStyle::Plain, None), Scalar::Str(x) if x == s)
}

/// Whether `s` may be single-quoted on one line.
fn single_ok(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
}

/// A double-quoted string whose escapes are valid in both YAML and JSON.
pub(super) fn double(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` in a given quote style (plain only if allowed, else `fallback`'s).
pub(super) fn string(s: &str, q: Quoting, flow: bool, key: bool, json: bool) -> String {
    if json {
        return double(s);
    }
    if q.prefer == Quote::Plain && plain_ok(s, flow, key) {
        return s.to_string();
    }
    let style = if q.prefer == Quote::Plain { q.fallback } else { q.prefer };
    if style == Quote::Single && single_ok(s) {
        format!("'{}'", s.replace('\'', "''"))
    } else {
        double(s)
    }
}

impl Render {
    pub fn key(&self, k: &str, flow: bool) -> String {
        string(k, self.keys, flow, true, self.json)
    }

    /// A scalar or an empty collection, or a collection in flow style.
    pub fn inline(&self, v: &Value, q: Quoting, flow: bool) -> String {
        match v {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Str(s) => string(s, q, flow, false, self.json),
            Value::Seq(_) | Value::Map(_) => self.flow(v),
        }
    }

    /// A value in flow style on one line.
    pub fn flow(&self, v: &Value) -> String {
        let pad = if self.pad && !self.json { " " } else { "" };
        let comma = if self.json && self.json_colon == ":" { "," } else { ", " };
        match v {
            Value::Map(entries) if !entries.is_empty() => {
                let inner: Vec<String> = entries.iter().map(|(k, v)| self.flow_entry(k, v)).collect();
                format!("{{{pad}{}{pad}}}", inner.join(comma))
            }
            Value::Seq(items) if !items.is_empty() => {
                let inner: Vec<String> = items.iter().map(|i| self.inline(i, self.items, true)).collect();
                format!("[{pad}{}{pad}]", inner.join(comma))
            }
            Value::Map(_) => "{}".to_string(),
            Value::Seq(_) => "[]".to_string(),
            _ => self.inline(v, self.values, true),
        }
    }

    /// `key: value` in a flow mapping.
    pub fn flow_entry(&self, k: &str, v: &Value) -> String {
        let colon = if self.json { self.json_colon } else { ": " };
        format!("{}{colon}{}", self.key(k, true), self.inline(v, self.values, true))
    }

    /// Block entries, each line at `indent` and ending with the line ending.
    pub fn block_entries(&self, entries: &[(String, Value)], indent: usize, out: &mut String) {
        for (k, v) in entries {
            spaces(out, indent);
            out.push_str(&self.key(k, false));
            out.push(':');
            self.after_key(v, indent, out);
        }
    }

    /// What follows `key:` for a value: ` scalar` or a nested block on the next lines.
    pub fn after_key(&self, v: &Value, key_col: usize, out: &mut String) {
        match v {
            Value::Map(entries) if !entries.is_empty() => {
                out.push_str(self.eol);
                self.block_entries(entries, key_col + self.step, out);
            }
            Value::Seq(items) if !items.is_empty() => {
                out.push_str(self.eol);
                let dash = key_col + if self.seq_indented { self.step } else { 0 };
                self.block_items(items, dash, out);
            }
            _ => {
                out.push(' ');
                out.push_str(&self.inline(v, self.values, false));
                out.push_str(self.eol);
            }
        }
    }

    /// Block sequence items with their dash at `dash_col`.
    pub fn block_items(&self, items: &[Value], dash_col: usize, out: &mut String) {
        for item in items {
            spaces(out, dash_col);
            out.push('-');
            self.after_dash(item, dash_col + 1 + self.gap, out);
        }
    }

    /// What follows a dash: the spaces, then a scalar, or a mapping whose first entry is
    /// on the dash line and the others at `col`, or a nested sequence likewise.
    pub fn after_dash(&self, v: &Value, col: usize, out: &mut String) {
        spaces(out, self.gap);
        match v {
            Value::Map(entries) if !entries.is_empty() => {
                let (k, first) = &entries[0];
                out.push_str(&self.key(k, false));
                out.push(':');
                self.after_key(first, col, out);
                self.block_entries(&entries[1..], col, out);
            }
            Value::Seq(items) if !items.is_empty() => {
                out.push('-');
                self.after_dash(&items[0], col + 1 + self.gap, out);
                self.block_items(&items[1..], col, out);
            }
            _ => {
                out.push_str(&self.inline(v, self.items, false));
                out.push_str(self.eol);
            }
        }
    }

    /// A JSON value spread over lines, its nested lines indented from `indent` (the
    /// indentation of the line it starts on).
    pub fn json_pretty(&self, v: &Value, indent: usize) -> String {
        let inner = indent + self.step;
        let (open, close, members): (char, char, Vec<String>) = match v {
            Value::Map(entries) if !entries.is_empty() => (
                '{',
                '}',
                entries
                    .iter()
                    .map(|(k, v)| format!("{}{}{}", double(k), self.json_colon, self.json_pretty(v, inner)))
                    .collect(),
            ),
            Value::Seq(items) if !items.is_empty() => {
                ('[', ']', items.iter().map(|i| self.json_pretty(i, inner)).collect())
            }
            _ => return self.inline(v, self.values, true),
        };
        let mut out = String::new();
        out.push(open);
        for (i, m) in members.iter().enumerate() {
            out.push_str(if i == 0 { "" } else { "," });
            out.push_str(self.eol);
            spaces(&mut out, inner);
            out.push_str(m);
        }
        out.push_str(self.eol);
        spaces(&mut out, indent);
        out.push(close);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_it_reads_back() {
        for s in ["ALL", "nginx:1.27", "a-b", "RuntimeDefault", "/var/run", "-x"] {
            assert!(plain_ok(s, false, false), "{s}");
        }
        for s in [
            "on", "yes", "1.29", "0755", "true", "~", "null", "", " a", "a: b", "a #b", "-", "- a", "*x", "1e3", "x:",
        ] {
            assert!(!plain_ok(s, false, false), "{s}");
        }
        assert!(!plain_ok("a,b", true, false));
        assert!(plain_ok("a,b", false, false));
        assert!(!plain_ok("<<", false, true));
    }

    #[test]
    fn double_quotes_escape_for_yaml_and_json() {
        assert_eq!(double("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"");
        assert_eq!(double("\u{2028}"), "\"\\u2028\"");
    }
}
