//! plimsoll reads YAML as libyaml does, since go-yaml (kubectl, the API server) is a port of
//! it: a manifest Kubernetes reads must never be an "invalid YAML" finding, and one it
//! rejects must not pass. The parser (saphyr-parser, patched in vendor/saphyr-parser; see
//! PATCH.md there) is stricter than libyaml in three places the YAML 1.2 spec allows; the
//! table below holds a minimal case of each leniency, and of what libyaml still rejects.
//! The table is checked against libyaml itself (PyYAML's C loader) and the corpora in
//! `../shared/corpora` with `../shared/tools/yaml-accept-diff`.

mod common;

use plimsoll::source::{Limits, NodeKind, parse};
use std::path::PathBuf;
use std::process::Command;

/// (what it shows, YAML, whether libyaml accepts it).
const CASES: &[(&str, &str, bool)] = &[
    // Leniency 1: no indentation inside flow collections.
    (
        "flow sequence closed at its key's column",
        "a:\n  b: [\n    1,\n  ]\n",
        true,
    ),
    ("flow sequence continued at column 0", "a: [1,\n2]\n", true),
    (
        "flow mapping continued at the key's column",
        "a:\n  b: {x: 1,\n  y: 2}\n",
        true,
    ),
    ("flow mapping continued at column 0", "a:\n  b: {x: 1,\ny: 2}\n", true),
    ("flow sequence in a block sequence", "a:\n  - [x,\n  y]\n", true),
    (
        "block mapping after an under-indented flow",
        "a:\n  b: [1,\n  2]\n  c: 3\n",
        true,
    ),
    // Leniency 2: quoted scalars continue at any column.
    (
        "double-quoted continued at the key's column",
        "a:\n  b: \"x\n  y\"\n",
        true,
    ),
    ("double-quoted continued at column 0", "a: \"x\ny\"\n", true),
    ("single-quoted continued at column 0", "a:\n  b: 'x\ny'\n", true),
    ("quoted in a sequence item's mapping", "- a: \"x\ny\"\n  b: 1\n", true),
    // Leniency 3: plain scalars inside flow collections start at any column.
    ("plain scalar at column 0 in a flow sequence", "k: [a,\nb]\n", true),
    // What libyaml rejects too.
    ("unclosed flow sequence", "a: [1, 2\n", false),
    (
        "block mapping indented less than its sibling",
        "a:\n  b: 1\n c: 2\n",
        false,
    ),
    ("document start inside a quoted scalar", "a: \"x\n---\ny\"\n", false),
    ("document start inside a flow sequence", "a: [\n---\n]\n", false),
    ("document end inside a flow sequence", "a: [\n...\n]\n", false),
];

#[test]
fn libyaml_leniencies_are_read_with_exact_positions() {
    for (what, yaml, accepted) in CASES {
        let (tree, _, error) = parse(yaml, &Limits::default());
        assert_eq!(error.is_none(), *accepted, "{what}: {error:?}");
        if !accepted {
            continue;
        }
        // Every scalar's span starts at its text (or its opening quote) in the source.
        for i in 0..tree.len() {
            let node = tree.node(plimsoll::source::NodeId::from_index(i));
            if let NodeKind::Scalar { text, .. } = &node.kind {
                let source = &yaml[node.span.bytes()];
                let first = text.chars().next().unwrap_or_default();
                assert!(
                    source.starts_with(first) || source.starts_with(['"', '\'']),
                    "{what}: scalar {text:?} spans {source:?}"
                );
            }
        }
    }
    // The closing bracket at its key's column: `1` keeps its line and column.
    let (tree, docs, _) = parse(CASES[0].1, &Limits::default());
    let one = tree.path(docs[0].root, &["a", "b"]).expect("a.b");
    let item = tree.items(one)[0];
    assert_eq!((tree.span(item).start.line, tree.span(item).start.col), (3, 5));
}

/// A Python with PyYAML built on libyaml: the CI tools' virtualenv, else the system's.
fn python_with_libyaml() -> Option<PathBuf> {
    let venv = common::root().join("target/ci-tools/venv/bin/python3");
    for python in [venv, PathBuf::from("python3")] {
        let ok = Command::new(&python)
            .args(["-c", "import yaml, sys; sys.exit(0 if yaml.__with_libyaml__ else 1)"])
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    common::skip(
        "the comparison with libyaml",
        "no Python with PyYAML built on libyaml (run scripts/ci-tools.sh)",
    );
    None
}

#[test]
fn the_table_agrees_with_libyaml() {
    let Some(python) = python_with_libyaml() else { return };
    let cases: Vec<&str> = CASES.iter().map(|c| c.1).collect();
    let script = "import json, sys, yaml\nfor c in json.load(sys.stdin):\n    try:\n        list(yaml.compose_all(c, Loader=yaml.CBaseLoader)); print('accept')\n    except yaml.YAMLError:\n        print('reject')\n";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    serde_json::to_writer(child.stdin.take().expect("stdin"), &cases).expect("write");
    let out = child.wait_with_output().expect("python");
    let verdicts: Vec<bool> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l == "accept")
        .collect();
    assert_eq!(verdicts.len(), CASES.len());
    for ((what, _, accepted), libyaml) in CASES.iter().zip(verdicts) {
        assert_eq!(
            *accepted, libyaml,
            "{what}: the table says {accepted}, libyaml says {libyaml}"
        );
    }
}

#[test]
fn every_yaml_file_of_the_corpora_is_read_as_libyaml_reads_it() {
    let Some(shared) = common::shared_or_skip("comparing the corpora with libyaml") else {
        return;
    };
    let Some(python) = python_with_libyaml() else { return };
    let out = Command::new(python)
        .arg(shared.join("tools/yaml-accept-diff"))
        .arg(assert_cmd::cargo::cargo_bin("plimsoll"))
        .arg(shared.join("corpora"))
        .output()
        .expect("yaml-accept-diff");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("disagree 0 "),
        "plimsoll and libyaml disagree:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs of spaces and block scalar lines taken at once (PATCH.md, patch 6, which changes
/// speed only): every event with its span, as the parser with patches 1–5 reads them one
/// character at a time. The snapshot was checked against that parser on these cases and on
/// two million random ones.
#[test]
fn spaces_and_block_scalar_lines_read_as_before() {
    let cases = [
        "k:    v\n",
        "a:\n        b: c\n",
        "k: a    b\t c  d\n",
        "k: v   # comment\n",
        "k:\n  plain\n      continued    far\n  \n  on\n",
        "   \n  # c\n k: v\n",
        "k: |\n  line é€😀\n  two\n\n   more\n",
        "k: |2\n   x\n  y\n",
        "- |\n    \n      deeper first line\n",
        "k: |\n    \n\n  x\n",
        "k: |+\n  kept\n\n\nn: 1\n",
        "k: >\n  a\u{FEFF}b\n",
        "k: |\n  a\0b\n",
        "k: |\n  a\r\n  b\r  c\n",
        "k: |\n\t bad\n",
        "k: |\n  \tx\n",
        "k:\n \tv\n",
        "- - - x\n      - y\n",
    ];
    insta::assert_snapshot!(events_of(&cases));
}

/// Each case, then its events with their spans (line:column..line:column and character
/// indices), up to the first error.
fn events_of(cases: &[&str]) -> String {
    use saphyr_parser::{Event, Parser};
    let mut out = String::new();
    for case in cases {
        out.push_str(&format!("{case:?}\n"));
        let mut parser = Parser::new_from_str(case);
        while let Some(next) = parser.next_event() {
            match next {
                Ok((event, span)) => {
                    let event = match event {
                        Event::Scalar(text, style, anchor, tag) if text.len() > 40 => {
                            format!("Scalar({} bytes, {style:?}, {anchor}, {tag:?})", text.len())
                        }
                        other => format!("{other:?}"),
                    };
                    out.push_str(&format!(
                        "  {event} {}:{}..{}:{} ({}..{})\n",
                        span.start.line(),
                        span.start.col(),
                        span.end.line(),
                        span.end.col(),
                        span.start.index(),
                        span.end.index()
                    ));
                }
                Err(e) => {
                    out.push_str(&format!("  error: {e}\n"));
                    break;
                }
            }
        }
    }
    out
}

/// Plain scalars the scanner reads a run of characters at a time, and tokens the parser
/// reads where the scanner queued them (PATCH.md, patches 4 and 5, which change speed only):
/// every event with its span, as saphyr-parser 0.3.4 reads them one character and one moved
/// token at a time. The snapshot was checked against that parser, unpatched, on these cases
/// and on a million random ones.
#[test]
fn plain_scalars_and_peeked_tokens_read_as_before() {
    let long = "x".repeat(300);
    let cases = [
        "a:b: c\n",
        "[a:b, c]\n",
        "[a:, b]\n",
        "{a:b, c:[d]}\n",
        "[a::b, ':c']\n",
        "k: a#b # comment\n",
        "k: a,b]{c}\n",
        "k: é€😀x y\n",
        "k: a\u{FEFF}b\n",
        "k: a\0b\n",
        "k: a:\n",
        "k: plain\n  folded  over\n\n  three lines\n",
        "k: tab\tseparated\n",
        "- a:\n    - b: [x, y]\n",
        "? complex\n: value\n",
        "a: &x v\nb: *x\n",
        "--- doc\n...\n---\nk: !tag v\n",
        &format!("k: {long}:y {long}\n"),
    ];
    insta::assert_snapshot!(events_of(&cases));
}
