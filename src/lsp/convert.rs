//! From plimsoll's positions and findings to the protocol's: ranges in the negotiated
//! encoding, `file:` URIs, diagnostics.

use crate::engine::{Files, Finding, Severity, Source, meta};
use crate::source::{FileId, Pos, Span};
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

/// How a position's `character` counts: UTF-16 code units unless the client accepts
/// UTF-8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client lists it (no conversion), else the protocol's default.
    pub fn negotiate(init: &lsp::InitializeParams) -> Encoding {
        let offered = init
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        match offered {
            Some(kinds) if kinds.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> lsp::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }
    }

    /// The protocol position of `pos` in `text` (the text the position was computed on).
    pub fn position(self, text: Option<&str>, pos: Pos) -> lsp::Position {
        let line = pos.line.saturating_sub(1);
        let Some(text) = text else {
            return lsp::Position::new(line, pos.col.saturating_sub(1));
        };
        let mut byte = (pos.byte as usize).min(text.len());
        while !text.is_char_boundary(byte) {
            byte -= 1;
        }
        let start = text[..byte].rfind('\n').map_or(0, |i| i + 1);
        let before = &text[start..byte];
        let character = match self {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        lsp::Position::new(line, character as u32)
    }

    /// The byte offset of a protocol position in `text` (clamped to the line's end).
    pub fn offset(self, text: &str, pos: lsp::Position) -> usize {
        let mut start = 0;
        for _ in 0..pos.line {
            match text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return text.len(),
            }
        }
        let line = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= pos.character as usize {
                return start + i;
            }
            units += match self {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
        }
        start + line.len()
    }

    pub fn range(self, text: Option<&str>, span: Span) -> lsp::Range {
        lsp::Range::new(self.position(text, span.start), self.position(text, span.end))
    }

    /// The range of bytes `range` of `text`.
    pub fn byte_range(self, text: &str, range: std::ops::Range<usize>) -> lsp::Range {
        let pos = |b: usize| crate::source::pos_of_byte(text.as_bytes(), b);
        self.range(Some(text), Span::new(pos(range.start), pos(range.end)))
    }
}

/// The `file:` URI of a path (absolute, or relative to `root`).
pub fn uri_of(root: &Path, path: &Path) -> Option<lsp::Uri> {
    let url = url::Url::from_file_path(crate::discover::kustomize::normalize(&root.join(path))).ok()?;
    lsp::Uri::from_str(url.as_str()).ok()
}

/// The path a `file:` URI names.
pub fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    url::Url::parse(uri.as_str()).ok()?.to_file_path().ok()
}

/// Where a file of the run is on disk, when it is a file of the workspace: inputs read
/// from disk, the files renders were made of, and the configuration file. Rendered output
/// has no place of its own.
pub fn place(files: &Files, root: &Path, id: FileId) -> Option<PathBuf> {
    let entry = files.get(id);
    match &entry.source {
        Source::Path(p) if !entry.rendered => Some(crate::discover::kustomize::normalize(&root.join(p))),
        Source::Text(_) if !entry.input => Some(crate::discover::kustomize::normalize(&root.join(&entry.display))),
        _ => None,
    }
}

/// The texts findings point into, each read once per publication.
pub struct Texts<'a> {
    files: &'a Files,
    read: HashMap<FileId, Option<Arc<str>>>,
}

impl<'a> Texts<'a> {
    pub fn new(files: &'a Files) -> Texts<'a> {
        Texts {
            files,
            read: HashMap::new(),
        }
    }

    pub fn get(&mut self, id: FileId) -> Option<Arc<str>> {
        self.read.entry(id).or_insert_with(|| self.files.text(id)).clone()
    }
}

/// The diagnostic of a finding (its file's text is `text`).
pub fn diagnostic(
    f: &Finding,
    root: &Path,
    encoding: Encoding,
    files: &Files,
    texts: &mut Texts<'_>,
) -> lsp::Diagnostic {
    let text = texts.get(f.loc().file);
    let mut message = f.message.to_string();
    if let Some(label) = f.shown_label() {
        message.push('\n');
        message.push_str(&label);
    }
    if let Some(help) = &f.more().help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = f
        .more()
        .related
        .iter()
        .filter_map(|r| {
            let uri = uri_of(root, &place(files, root, r.loc.file)?)?;
            let text = texts.get(r.loc.file);
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri, encoding.range(text.as_deref(), r.loc.span)),
                message: r.message.to_string(),
            })
        })
        .collect();
    let code = match &f.more().qualifier {
        Some(q) => format!("{}.{q}", f.rule),
        None => f.rule.to_string(),
    };
    lsp::Diagnostic {
        range: encoding.range(text.as_deref(), f.loc().span),
        severity: Some(match f.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(code)),
        code_description: meta(f.rule.as_str())
            .and_then(|m| m.url())
            .and_then(|u| lsp::Uri::from_str(&u).ok())
            .map(|href| lsp::CodeDescription { href }),
        source: Some("plimsoll".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let text = "a: \"😀é\" # x\nb: 1\n";
        // `#` is byte 12, character 8: 9 UTF-16 units (the emoji takes two).
        let hash = text.find('#').unwrap();
        assert_eq!(hash, 12);
        let pos = Pos {
            line: 1,
            col: 9,
            byte: hash as u32,
        };
        assert_eq!(Encoding::Utf16.position(Some(text), pos), lsp::Position::new(0, 9));
        assert_eq!(Encoding::Utf8.position(Some(text), pos), lsp::Position::new(0, 12));
        assert_eq!(Encoding::Utf16.offset(text, lsp::Position::new(0, 9)), hash);
        assert_eq!(Encoding::Utf8.offset(text, lsp::Position::new(0, 12)), hash);
        assert_eq!(Encoding::Utf16.offset(text, lsp::Position::new(1, 99)), text.len() - 1);
        assert_eq!(Encoding::Utf16.offset(text, lsp::Position::new(9, 0)), text.len());
    }

    #[test]
    fn uris_round_trip_paths() {
        let root = Path::new("/work space/repo");
        let uri = uri_of(root, Path::new("./apps/a b.yaml")).unwrap();
        assert_eq!(uri.as_str(), "file:///work%20space/repo/apps/a%20b.yaml");
        assert_eq!(path_of(&uri).unwrap(), Path::new("/work space/repo/apps/a b.yaml"));
    }
}
