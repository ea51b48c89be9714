//! The edit-op table (spec §7.1): `testdata/fix/edit/NN-name.{in.yaml,op,out.yaml}` (or
//! `.json`). Each case lowers the ops of `.op` against `.in.*` as one fix and compares the
//! result byte for byte with `.out.*`; a refusal is written `NOT FIXABLE: <reason>`.
//!
//! `.op` holds one op per line (`#` starts a comment line):
//!
//! ```text
//! doc 1                                  the document index (default 0)
//! prefix items[0]                        the object's route in its document
//! json                                   edit as JSON (implied by a .json input)
//! deletes_comments                       the fix is expected to delete comments
//! set spec.x.y false                     values are YAML flow or JSON
//! append spec.drop "ALL" if_absent
//! remove spec.hostNetwork prune
//! rename spec.securityContex securityContext
//! replace spec.metrics[0] {type: Resource}
//! ```
//!
//! A UTF-8 BOM in the input is dropped before lowering and put back on the output, as the
//! engine does. Every fixable case is also lowered a second time on its output, which must
//! change nothing (fixes state target states), unless it appends without `if_absent` or
//! removes by index.
//!
//! `PLIMSOLL_UPDATE_FIX_EDIT=1 cargo test --test fix_edit` rewrites the outputs; review
//! every one by hand: they are the specification.
//! `PLIMSOLL_FIX_EDIT_CASE=dir/NN-name cargo test --test fix_edit print_one_case -- --nocapture`
//! prints one case's result, from any directory.

use plimsoll::source::edit::{Op, Target, Value, apply, lower};
use plimsoll::source::{Route, Seg, decode};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const DIR: &str = "testdata/fix/edit";
const BOM: &str = "\u{feff}";

struct Case {
    doc: usize,
    prefix: Route,
    json: bool,
    deletes_comments: bool,
    ops: Vec<Op>,
}

/// `a.b[0]["x.y"].c` → a route.
fn parse_route(s: &str) -> Result<Route, String> {
    let mut r = Route::root();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => i += 1,
            b'[' if b.get(i + 1) == Some(&b'"') => {
                let rest = &s[i + 2..];
                let end = rest.find("\"]").ok_or_else(|| format!("unclosed [\" in {s}"))?;
                r = r.key(rest[..end].to_string());
                i += 2 + end + 2;
            }
            b'[' => {
                let end = s[i..].find(']').ok_or_else(|| format!("unclosed [ in {s}"))? + i;
                r = r.index(s[i + 1..end].parse().map_err(|_| format!("bad index in {s}"))?);
                i = end + 1;
            }
            _ => {
                let end = s[i..].find(['.', '[']).map_or(s.len(), |j| i + j);
                r = r.key(s[i..end].to_string());
                i = end;
            }
        }
    }
    Ok(r)
}

fn parse_value(s: &str) -> Result<Value, String> {
    Value::from_yaml(s).ok_or_else(|| format!("not a value: {s}"))
}

fn parse_ops(text: &str, json: bool) -> Result<Case, String> {
    let mut case = Case {
        doc: 0,
        prefix: Route::root(),
        json,
        deletes_comments: false,
        ops: Vec::new(),
    };
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
        let (route, arg) = rest.split_once(' ').unwrap_or((rest, ""));
        match verb {
            "doc" => case.doc = rest.parse().map_err(|_| format!("bad doc: {line}"))?,
            "prefix" => case.prefix = parse_route(rest)?,
            "json" => case.json = true,
            "deletes_comments" => case.deletes_comments = true,
            "set" => case.ops.push(Op::Set {
                route: parse_route(route)?,
                value: parse_value(arg)?,
            }),
            "replace" => case.ops.push(Op::ReplaceSubtree {
                route: parse_route(route)?,
                value: parse_value(arg)?,
            }),
            "append" => {
                let (arg, if_absent) = match arg.strip_suffix(" if_absent") {
                    Some(a) => (a, true),
                    None => (arg, false),
                };
                case.ops.push(Op::Append {
                    seq: parse_route(route)?,
                    value: parse_value(arg)?,
                    if_absent,
                });
            }
            "remove" => case.ops.push(Op::Remove {
                route: parse_route(route)?,
                prune: match arg {
                    "" => false,
                    "prune" => true,
                    _ => return Err(format!("bad remove: {line}")),
                },
            }),
            "rename" => case.ops.push(Op::RenameKey {
                route: parse_route(route)?,
                new_key: arg.to_string(),
            }),
            _ => return Err(format!("unknown op: {line}")),
        }
    }
    Ok(case)
}

/// A line diff (longest common subsequence), with line endings and the end of the text
/// made visible.
fn diff(want: &str, got: &str) -> String {
    let show = |l: &str| l.replace('\r', "␍").replace('\t', "→");
    let a: Vec<&str> = want.split_inclusive('\n').collect();
    let b: Vec<&str> = got.split_inclusive('\n').collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = write!(out, "  {}", show(a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = write!(out, "+ {}", show(b[j]));
            j += 1;
        } else {
            let _ = write!(out, "- {}", show(a[i]));
            i += 1;
        }
        if !out.ends_with('\n') {
            out.push_str("⏎ (no final newline)\n");
        }
    }
    out
}

fn inputs() -> Vec<PathBuf> {
    let mut ops: Vec<PathBuf> = std::fs::read_dir(DIR)
        .expect("testdata/fix/edit")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "op"))
        .collect();
    ops.sort();
    ops
}

/// Runs one case: (input path, expected output path, actual output).
fn run(op_path: &Path) -> Result<(PathBuf, String), String> {
    let stem = op_path.with_extension("");
    let stem = stem.to_string_lossy();
    let (input, output, json) = if Path::new(&format!("{stem}.in.json")).exists() {
        (format!("{stem}.in.json"), format!("{stem}.out.json"), true)
    } else {
        (format!("{stem}.in.yaml"), format!("{stem}.out.yaml"), false)
    };
    let bytes = std::fs::read(&input).map_err(|e| format!("{input}: {e}"))?;
    let bom = bytes.starts_with(BOM.as_bytes());
    let text = decode(bytes).map_err(|e| format!("{input}: {e}"))?;
    let case = parse_ops(&std::fs::read_to_string(op_path).map_err(|e| e.to_string())?, json)?;
    let target = Target {
        doc: case.doc,
        prefix: &case.prefix,
    };
    let got = match lower(&text, target, &case.ops, case.json) {
        Ok(lowered) => {
            if lowered.deletes_comments != case.deletes_comments {
                return Err(format!(
                    "{input}: deletes_comments is {}, the .op says {}",
                    lowered.deletes_comments, case.deletes_comments
                ));
            }
            let out = apply(&text, &lowered.edits);
            // Appending without `if_absent` and removing by index are not target states.
            let repeatable = !case.ops.iter().any(|op| match op {
                Op::Append { if_absent, .. } => !if_absent,
                Op::Remove { route, .. } => route.segs().iter().any(|s| matches!(s, Seg::Index(_))),
                _ => false,
            });
            if repeatable {
                match lower(&out, target, &case.ops, case.json) {
                    Ok(again) if again.edits.is_empty() => {}
                    Ok(again) => return Err(format!("{input}: a second run edits again: {:?}", again.edits)),
                    Err(e) => return Err(format!("{input}: a second run is refused: {e}")),
                }
            }
            if bom { format!("{BOM}{out}") } else { out }
        }
        Err(e) => format!("NOT FIXABLE: {}\n", e.0),
    };
    Ok((PathBuf::from(output), got))
}

#[test]
fn edit_table() {
    let update = std::env::var_os("PLIMSOLL_UPDATE_FIX_EDIT").is_some();
    let cases = inputs();
    assert!(
        cases.len() >= 60,
        "spec §7.1 asks for at least 60 cases, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for op_path in &cases {
        let (output, got) = match run(op_path) {
            Ok(r) => r,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let want = std::fs::read_to_string(&output).unwrap_or_default();
        if want == got {
            continue;
        }
        if update {
            std::fs::write(&output, &got).expect("write output");
            eprintln!("wrote {}", output.display());
        } else {
            failures.push(format!(
                "{} differs (- expected, + got):\n{}",
                output.display(),
                diff(&want, &got)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn routes_parse() {
    let r = parse_route("spec.containers[0][\"a.b\"].x").expect("route");
    assert_eq!(r.to_string(), "spec.containers[0][\"a.b\"].x");
}

/// xorshift64*: a small seeded generator, so that the property test needs no crate and
/// every failure is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const KEYS: &[&str] = &[
    "securityContext",
    "runAsNonRoot",
    "drop",
    "on",
    "a.b/c",
    "new key",
    "x",
    "é",
];

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let strings = [
        "ALL", "on", "1.29", "0755", "a b", "x: y", "#c", "", "é", "l\nb", "'q'", "\"d\"", "-", "[x]",
    ];
    match rng.below(if depth > 1 { 3 } else { 6 }) {
        0 => Value::Bool(rng.below(2) == 0),
        1 => Value::Int(rng.below(2000) as i64 - 1000),
        2 => Value::Str(rng.pick(&strings).to_string()),
        3 => Value::Seq((0..rng.below(3)).map(|_| random_value(rng, depth + 1)).collect()),
        _ => Value::Map(
            (0..rng.below(3))
                .map(|i| (format!("{}{i}", rng.pick(KEYS)), random_value(rng, depth + 1)))
                .collect(),
        ),
    }
}

/// Every route of a document's nodes (up to a depth), for ops on existing nodes.
fn routes_of(tree: &plimsoll::source::Tree<'_>, root: plimsoll::source::NodeId) -> Vec<Route> {
    let mut out = Vec::new();
    let mut stack = vec![(root, Route::root(), 0usize)];
    while let Some((node, route, depth)) = stack.pop() {
        out.push(route.clone());
        if depth > 12 || out.len() > 400 {
            continue;
        }
        if tree.is_map(node) {
            for (k, v) in tree.entries(node) {
                if let Some(key) = tree.key_str(k) {
                    stack.push((v, route.key(key.to_string()), depth + 1));
                }
            }
        } else if tree.is_seq(node) {
            for (i, item) in tree.items(node).iter().enumerate() {
                stack.push((*item, route.index(i), depth + 1));
            }
        }
    }
    out
}

fn random_op(rng: &mut Rng, routes: &[Route]) -> Op {
    let mut route = rng.pick(routes).clone();
    // Sometimes a route that goes on below an existing node.
    for _ in 0..rng.below(4).saturating_sub(1) {
        route = route.key(rng.pick(KEYS).to_string());
    }
    match rng.below(5) {
        0 | 1 => Op::Set {
            route,
            value: random_value(rng, 0),
        },
        2 => Op::Remove {
            route,
            prune: rng.below(2) == 0,
        },
        3 => Op::Append {
            seq: route,
            value: random_value(rng, 1),
            if_absent: rng.below(2) == 0,
        },
        _ if rng.below(2) == 0 => Op::RenameKey {
            route,
            new_key: rng.pick(KEYS).to_string(),
        },
        _ => Op::ReplaceSubtree {
            route,
            value: random_value(rng, 0),
        },
    }
}

fn manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            manifests(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
            out.push(p);
        }
    }
}

/// Random ops on every table input and every rule fixture: `lower` refuses or returns
/// edits that are sorted, inside the text, on character boundaries, and whose result
/// parses; it never panics. Verification failures (`internal:`) are bugs of the lowering
/// that the verification caught: they are counted and must stay rare.
#[test]
fn random_ops_are_refused_or_verified() {
    let mut files = Vec::new();
    manifests(Path::new(DIR), &mut files);
    manifests(Path::new("testdata/rules"), &mut files);
    // More directories for a longer run: PLIMSOLL_FIX_EDIT_DIRS=dir1:dir2.
    if let Some(dirs) = std::env::var_os("PLIMSOLL_FIX_EDIT_DIRS") {
        for dir in std::env::split_paths(&dirs) {
            manifests(&dir, &mut files);
        }
    }
    files.sort();
    // Another seed: PLIMSOLL_FIX_EDIT_SEED=n.
    let seed = std::env::var("PLIMSOLL_FIX_EDIT_SEED")
        .ok()
        .and_then(|s| s.parse().ok());
    let mut rng = Rng(seed.unwrap_or(0x9e37_79b9_7f4a_7c15) | 1);
    let (mut applied, mut refused, mut internal) = (0usize, 0usize, Vec::new());
    let mut reasons = std::collections::BTreeMap::new();
    for path in &files {
        if path.to_string_lossy().contains(".out.") {
            continue;
        }
        let Ok(text) = decode(std::fs::read(path).expect("read")) else {
            continue;
        };
        let json = path.extension().is_some_and(|x| x == "json");
        let (tree, docs, err) = plimsoll::source::parse(&text, &plimsoll::source::Limits::default());
        if err.is_some() {
            continue;
        }
        for doc in docs.iter().take(3) {
            let routes = routes_of(&tree, doc.root);
            for _ in 0..12 {
                let ops: Vec<Op> = (0..1 + rng.below(3)).map(|_| random_op(&mut rng, &routes)).collect();
                let prefix = Route::root();
                let target = Target {
                    doc: doc.index,
                    prefix: &prefix,
                };
                match lower(&text, target, &ops, json) {
                    Ok(lowered) => {
                        let mut at = 0;
                        for e in &lowered.edits {
                            assert!(e.range.start >= at && e.range.end >= e.range.start && e.range.end <= text.len());
                            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
                            assert!(!e.content.contains('\t'), "inserted text has a tab");
                            at = e.range.end + 1;
                        }
                        let out = apply(&text, &lowered.edits);
                        let (_, new_docs, err) = plimsoll::source::parse(&out, &plimsoll::source::Limits::default());
                        assert!(
                            err.is_none() && new_docs.len() == docs.len(),
                            "{}: {ops:?}",
                            path.display()
                        );
                        applied += 1;
                    }
                    Err(e) if e.0.starts_with("internal:") => internal.push(format!("{}: {e} {ops:?}", path.display())),
                    Err(e) => {
                        refused += 1;
                        *reasons.entry(e.0).or_insert(0usize) += 1;
                    }
                }
            }
        }
    }
    eprintln!(
        "random ops: {applied} applied, {refused} refused, {} failed verification",
        internal.len()
    );
    for (reason, n) in &reasons {
        eprintln!("  refused {n}×: {reason}");
    }
    for i in internal.iter().take(20) {
        eprintln!("  {i}");
    }
    assert!(applied > 500, "too few fixes applied: {applied}");
    assert!(
        internal.len() * 200 <= applied + refused,
        "too many verification failures: {}",
        internal.len()
    );
}

#[test]
fn debug_one() {
    let Some(stem) = std::env::var_os("FIX_EDIT_DEBUG") else {
        return;
    };
    let stem = PathBuf::from(stem);
    match run(&stem.with_extension("op")) {
        Ok((_, got)) => eprintln!("{got}"),
        Err(e) => eprintln!("{e}"),
    }
}
