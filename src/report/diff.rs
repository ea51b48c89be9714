//! `check --diff`: a unified diff of what `--fix` would write, which `git apply` and
//! `patch -p1` accept (`specs/autofix.md` §3). Lines that hold masked text (values that
//! may be secret) never appear: a hunk's context is shortened, or the hunk split, around
//! them.

use similar::{ChangeTag, TextDiff};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// One file's change: its workspace-relative path, the text before (`None`: a new file),
/// the text after, and the 0-based lines of the text before that must not be shown.
pub struct FileDiff<'a> {
    pub path: &'a str,
    pub old: Option<&'a str>,
    pub new: &'a str,
    pub masked: BTreeSet<usize>,
}

/// A line of a hunk: its tag, and its 0-based line in the old and new texts.
struct Line<'t> {
    tag: ChangeTag,
    old: usize,
    new: usize,
    text: &'t str,
}

/// The unified diff of every file, in the order given (callers sort by path).
pub fn unified(files: &[FileDiff<'_>]) -> String {
    let mut out = String::new();
    for f in files {
        let old = f.old.unwrap_or("");
        if f.old == Some(f.new) {
            continue;
        }
        let diff = TextDiff::configure()
            .algorithm(similar::Algorithm::Myers)
            .diff_lines(old, f.new);
        let mut hunks: Vec<Vec<Line<'_>>> = Vec::new();
        for group in diff.grouped_ops(CONTEXT) {
            let mut lines = Vec::new();
            for op in &group {
                // An inserted line sits before old line `old_range.start`; a deleted one
                // before new line `new_range.start`.
                let (_, old_range, new_range) = op.as_tag_tuple();
                for change in diff.iter_changes(op) {
                    lines.push(Line {
                        tag: change.tag(),
                        old: change.old_index().unwrap_or(old_range.start),
                        new: change.new_index().unwrap_or(new_range.start),
                        text: change.value(),
                    });
                }
            }
            hunks.extend(split_at_masks(lines, &f.masked));
        }
        if hunks.is_empty() {
            continue;
        }
        match f.old {
            Some(_) => {
                let _ = writeln!(out, "--- a/{}", f.path);
            }
            None => out.push_str("--- /dev/null\n"),
        }
        let _ = writeln!(out, "+++ b/{}", f.path);
        for hunk in &hunks {
            write_hunk(&mut out, hunk);
        }
    }
    out
}

/// Drops masked context lines: at a hunk's edges they shorten its context; inside it, they
/// split it in two. Parts without a change are dropped. A masked line that is removed or
/// added cannot occur (no fix edits a masked span), but would be kept rather than lose a
/// change.
fn split_at_masks<'t>(lines: Vec<Line<'t>>, masked: &BTreeSet<usize>) -> Vec<Vec<Line<'t>>> {
    let mut parts = vec![Vec::new()];
    for line in lines {
        if line.tag == ChangeTag::Equal && masked.contains(&line.old) {
            parts.push(Vec::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(line);
        }
    }
    parts.retain(|p| p.iter().any(|l| l.tag != ChangeTag::Equal));
    parts
}

fn write_hunk(out: &mut String, lines: &[Line<'_>]) {
    let old_count = lines.iter().filter(|l| l.tag != ChangeTag::Insert).count();
    let new_count = lines.iter().filter(|l| l.tag != ChangeTag::Delete).count();
    // The first line of each side, 1-based; a side with no line gives the line before it.
    let first = lines.first().map_or((0, 0), |l| (l.old, l.new));
    let old_start = if old_count > 0 { first.0 + 1 } else { first.0 };
    let new_start = if new_count > 0 { first.1 + 1 } else { first.1 };
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        range(old_start, old_count),
        range(new_start, new_count)
    );
    for l in lines {
        let sign = match l.tag {
            ChangeTag::Equal => ' ',
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
        };
        out.push(sign);
        out.push_str(l.text);
        if !l.text.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

fn range(start: usize, count: usize) -> String {
    if count == 1 {
        format!("{start}")
    } else {
        format!("{start},{count}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(old: Option<&str>, new: &str, masked: &[usize]) -> String {
        unified(&[FileDiff {
            path: "a.yaml",
            old,
            new,
            masked: masked.iter().copied().collect(),
        }])
    }

    #[test]
    fn insertion_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\n";
        let new = "a\nb\nc\nd\nX\ne\nf\ng\n";
        assert_eq!(
            one(Some(old), new, &[]),
            "--- a/a.yaml\n+++ b/a.yaml\n@@ -2,6 +2,7 @@\n b\n c\n d\n+X\n e\n f\n g\n"
        );
    }

    #[test]
    fn no_final_newline_and_new_files() {
        assert_eq!(
            one(Some("a: 1"), "a: 2", &[]),
            "--- a/a.yaml\n+++ b/a.yaml\n@@ -1 +1 @@\n-a: 1\n\\ No newline at end of file\n+a: 2\n\\ No newline at end of file\n"
        );
        assert_eq!(
            one(None, "x\ny\n", &[]),
            "--- /dev/null\n+++ b/a.yaml\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        );
    }

    #[test]
    fn masked_context_is_left_out() {
        let old = "a\nsecret\nb\nc\n";
        let new = "a\nsecret\nb\nX\nc\n";
        let d = one(Some(old), new, &[1]);
        assert!(!d.contains("secret"), "{d}");
        assert_eq!(d, "--- a/a.yaml\n+++ b/a.yaml\n@@ -3,2 +3,3 @@\n b\n+X\n c\n");
        // No context left at all: the insertion still says where it goes.
        let d = one(Some("s1\ns2\n"), "s1\nX\ns2\n", &[0, 1]);
        assert_eq!(d, "--- a/a.yaml\n+++ b/a.yaml\n@@ -1,0 +2 @@\n+X\n");
    }
}
