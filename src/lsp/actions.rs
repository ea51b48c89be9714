//! Code actions (each finding's fix, and two ways to suppress it) and hovers on the rule
//! ids of suppressions.

use super::convert::{self, Encoding, Texts};
use crate::engine::fix::{Fix, Lowering};
use crate::engine::{Applicability, Files, Finding, Source, meta};
use crate::source::edit::Value;
use crate::source::{FileId, Route};
use lsp_types as lsp;
use std::collections::HashMap;
use std::path::Path;

/// The quick fixes for the findings of `file` that touch `range`: the fix (marked when
/// unsafe), "suppress with a comment" (YAML) and "suppress with an annotation".
pub fn code_actions(
    findings: &[Finding],
    files: &Files,
    root: &Path,
    encoding: Encoding,
    file: FileId,
    range: lsp::Range,
) -> Vec<lsp::CodeActionOrCommand> {
    let mut texts = Texts::new(files);
    let mut lowering = Lowering::default();
    let Some(text) = texts.get(file) else {
        return Vec::new();
    };
    let mut actions = Vec::new();
    for f in findings.iter().filter(|f| f.loc().file == file) {
        let diagnostic = convert::diagnostic(f, root, encoding, files, &mut texts);
        if !touches(diagnostic.range, range) {
            continue;
        }
        let quick_fix = |title: String, edit: lsp::WorkspaceEdit, preferred: bool| {
            lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title,
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit),
                is_preferred: preferred.then_some(true),
                ..lsp::CodeAction::default()
            })
        };
        if let Some((title, edit, safe)) = fix_action(f, files, root, encoding, &mut lowering) {
            actions.push(quick_fix(title, edit, safe));
        }
        let id = match &f.more().qualifier {
            Some(q) => format!("{}.{q}", f.rule),
            None => f.rule.to_string(),
        };
        if !crate::engine::fix::is_json(files.display(file))
            && let Some(edit) = comment_edit(&text, f.loc().span.start.line, &id, encoding)
            && let Some(uri) = convert::place(files, root, file).and_then(|p| convert::uri_of(root, &p))
        {
            actions.push(quick_fix(
                format!("Suppress `{id}` here with a comment"),
                workspace_edit(uri, vec![edit]),
                false,
            ));
        }
        if let Some(edit) = annotation_edit(f, &id, files, root, encoding, &mut lowering) {
            actions.push(quick_fix(
                format!("Suppress `{id}` for this object with an annotation"),
                edit,
                false,
            ));
        }
    }
    actions
}

fn touches(a: lsp::Range, b: lsp::Range) -> bool {
    let key = |p: lsp::Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

fn workspace_edit(uri: lsp::Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri, edits)])),
        ..lsp::WorkspaceEdit::default()
    }
}

/// The finding's own fix, lowered against the file as linted: (title, edit, safe).
fn fix_action(
    f: &Finding,
    files: &Files,
    root: &Path,
    encoding: Encoding,
    lowering: &mut Lowering,
) -> Option<(String, lsp::WorkspaceEdit, bool)> {
    let fix = f.fix.as_deref()?;
    let safe = match fix.applicability {
        Applicability::Safe => true,
        Applicability::Unsafe => false,
        Applicability::DisplayOnly => return None,
    };
    let (file, lowered) = lowering.for_finding(files, f)?.ok()?;
    let edit = lowered_edit(files, root, encoding, lowering, file, &lowered)?;
    let title = match safe {
        true => format!("Fix: {}", fix.title),
        false => format!("Fix (unsafe: review the change): {}", fix.title),
    };
    Some((title, edit, safe))
}

fn lowered_edit(
    files: &Files,
    root: &Path,
    encoding: Encoding,
    lowering: &mut Lowering,
    file: FileId,
    lowered: &crate::source::edit::Lowered,
) -> Option<lsp::WorkspaceEdit> {
    let text = lowering.text(files, file).ok()?;
    let uri = convert::place(files, root, file).and_then(|p| convert::uri_of(root, &p))?;
    let edits = lowered
        .edits
        .iter()
        .map(|e| lsp::TextEdit {
            range: encoding.byte_range(&text, e.range.clone()),
            new_text: e.content.clone(),
        })
        .collect();
    Some(workspace_edit(uri, edits))
}

/// A `# plimsoll: ignore[id]` comment on its own line above line `line` (1-based), at its
/// indentation; added to the list of such a comment already there.
fn comment_edit(text: &str, line: u32, id: &str, encoding: Encoding) -> Option<lsp::TextEdit> {
    const MARKER: &str = "# plimsoll: ignore[";
    let lines: Vec<&str> = text.split('\n').collect();
    let index = line.checked_sub(1)? as usize;
    let target = *lines.get(index)?;
    if let Some(previous) = index.checked_sub(1).map(|i| lines[i])
        && let Some(at) = previous.find(MARKER)
        && previous[..at].trim().is_empty()
        && let Some(close) = previous[at..].find(']')
    {
        let listed = &previous[at + MARKER.len()..at + close];
        if listed.split(',').any(|r| r.trim() == id) {
            return None;
        }
        let position = encoding.position(
            Some(text),
            crate::source::pos_of_byte(text.as_bytes(), line_offset(&lines, index - 1) + at + close),
        );
        return Some(lsp::TextEdit {
            range: lsp::Range::new(position, position),
            new_text: format!(", {id}"),
        });
    }
    let indent: String = target.chars().take_while(|c| *c == ' ').collect();
    let eol = if target.ends_with('\r') { "\r\n" } else { "\n" };
    let at = lsp::Position::new(index as u32, 0);
    Some(lsp::TextEdit {
        range: lsp::Range::new(at, at),
        new_text: format!("{indent}# plimsoll: ignore[{id}]{eol}"),
    })
}

fn line_offset(lines: &[&str], index: usize) -> usize {
    lines[..index].iter().map(|l| l.len() + 1).sum()
}

/// `metadata.annotations["ignore.plimsoll.dev/<id>"]` on the finding's object, when the
/// object is in a file of the workspace.
fn annotation_edit(
    f: &Finding,
    id: &str,
    files: &Files,
    root: &Path,
    encoding: Encoding,
    lowering: &mut Lowering,
) -> Option<lsp::WorkspaceEdit> {
    let obj = f.object.as_deref()?;
    if !matches!(files.get(obj.file).source, Source::Path(_)) || files.get(obj.file).rendered {
        return None;
    }
    let key = format!("{}{id}", crate::engine::suppress::ANNOTATION_PREFIX);
    let fix = Fix::for_object(obj, Applicability::Safe, "suppress")?.set(
        Route::root().keys(&["metadata", "annotations"]).key(key),
        Value::Str(String::new()),
    );
    let lowered = lowering.lower(files, &fix).ok()?;
    lowered_edit(files, root, encoding, lowering, obj.file, &lowered)
}

/// The summary of the rule id under the cursor in a `plimsoll: ignore[...]` comment or an
/// `ignore.plimsoll.dev/<id>` annotation key.
pub fn hover(text: &str, position: lsp::Position, encoding: Encoding) -> Option<lsp::Hover> {
    let offset = encoding.offset(text, position);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
    let at = offset - start;
    let (name, span) = rule_at(line, at)?;
    let rule = name.split('.').next().unwrap_or(name);
    let m = meta(rule)?;
    let mut value = format!("**{}** ({}, {}): {}", m.id, m.family, m.severity, m.summary);
    if let Some(url) = m.url() {
        value.push_str(&format!("\n\n[Documentation]({url})"));
    }
    let pos = |b: usize| crate::source::pos_of_byte(text.as_bytes(), start + b);
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value,
        }),
        range: Some(encoding.range(Some(text), crate::source::Span::new(pos(span.start), pos(span.end)))),
    })
}

/// The rule name around byte `at` of `line`, and its byte range.
fn rule_at(line: &str, at: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    let list = if let Some(i) = line.find("plimsoll: ignore[") {
        let open = i + "plimsoll: ignore[".len();
        open..open + line[open..].find(']')?
    } else {
        let i = line.find(crate::engine::suppress::ANNOTATION_PREFIX)?;
        let open = i + crate::engine::suppress::ANNOTATION_PREFIX.len();
        open..open + line[open..].find(|c: char| !is_name(c)).unwrap_or(line.len() - open)
    };
    if !(list.start..=list.end).contains(&at) {
        return None;
    }
    let start = line[..at]
        .rfind(|c: char| !is_name(c))
        .map_or(0, |i| i + 1)
        .max(list.start);
    let end = line[at..]
        .find(|c: char| !is_name(c))
        .map_or(line.len(), |i| at + i)
        .min(list.end);
    (start < end).then(|| (&line[start..end], start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_goes_above_at_the_line_s_indentation_or_joins_one_there() {
        let text = "spec:\n  containers:\n    - name: a\n      image: x\n";
        let e = comment_edit(text, 4, "image-mutable-tag", Encoding::Utf16).unwrap();
        assert_eq!(e.range.start, lsp::Position::new(3, 0));
        assert_eq!(e.new_text, "      # plimsoll: ignore[image-mutable-tag]\n");
        let text = "a:\n  # plimsoll: ignore[pss] why\n  b: 1\n";
        let e = comment_edit(text, 3, "image-mutable-tag", Encoding::Utf16).unwrap();
        assert_eq!(e.range.start, lsp::Position::new(1, 24));
        assert_eq!(e.new_text, ", image-mutable-tag");
        assert!(comment_edit(text, 3, "pss", Encoding::Utf16).is_none());
    }

    #[test]
    fn hovers_name_the_rule_under_the_cursor() {
        let text = "a: 1 # plimsoll: ignore[pss-privileged, image-mutable-tag] why\n";
        let at = |s: &str| lsp::Position::new(0, text.find(s).unwrap() as u32 + 1);
        let h = hover(text, at("image-mutable"), Encoding::Utf16).unwrap();
        let lsp::HoverContents::Markup(m) = h.contents else {
            panic!()
        };
        assert!(
            m.value.starts_with("**image-mutable-tag** (image, warning)"),
            "{}",
            m.value
        );
        assert!(hover(text, at("why"), Encoding::Utf16).is_none());
        let text = "    ignore.plimsoll.dev/pss-privileged: loads eBPF\n";
        let h = hover(text, lsp::Position::new(0, 30), Encoding::Utf16).unwrap();
        let lsp::HoverContents::Markup(m) = h.contents else {
            panic!()
        };
        assert!(m.value.starts_with("**pss-privileged**"), "{}", m.value);
    }
}
