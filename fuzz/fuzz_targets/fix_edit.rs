//! `source::edit` on any text with ops derived from the bytes: the last bytes choose the
//! ops (kind, a route through the parsed tree or below it, a value), the rest is the text
//! (so that a seed manifest keeps its beginning).
//! `lower` must never panic; what it returns is refused or verified (it verifies itself),
//! and its edits must be sorted, inside the text and on character boundaries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::source::edit::{Op, Target, Value, apply, comments, lower};
use plimsoll::source::{Limits, NodeId, Route, Tree, decode, parse};

const CONTROL: usize = 24;
const KEYS: &[&str] = &["securityContext", "drop", "on", "a.b", "new key", "x", "<<", "é", ""];
const STRINGS: &[&str] = &[
    "ALL", "on", "1.29", "a: b", "#c", "", "l\nb", "'", "\"", "-", "[x]", "\u{2028}",
];

/// The control bytes, read one at a time (zeros when used up).
struct Control<'a>(&'a [u8]);

impl Control<'_> {
    fn byte(&mut self) -> usize {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b as usize
            }
            None => 0,
        }
    }
}

fn value(c: &mut Control<'_>, depth: usize) -> Value {
    let b = c.byte();
    match b % if depth > 1 { 3 } else { 5 } {
        0 => Value::Bool(b & 8 != 0),
        1 => Value::Int(b as i64 - 128),
        2 => Value::Str(STRINGS[(b >> 3) % STRINGS.len()].to_string()),
        3 => Value::Seq((0..b % 3).map(|_| value(c, depth + 1)).collect()),
        _ => Value::Map(
            (0..b % 3)
                .map(|i| (format!("{}{i}", KEYS[(b >> 2) % KEYS.len()]), value(c, depth + 1)))
                .collect(),
        ),
    }
}

/// A route chosen through the tree, then maybe a few keys below it.
fn route(c: &mut Control<'_>, tree: &Tree<'_>, root: NodeId) -> Route {
    let mut r = Route::root();
    let mut node = root;
    for _ in 0..16 {
        let b = c.byte();
        if b % 4 == 0 {
            break;
        }
        if tree.is_map(node) {
            let Some((k, v)) = tree.entries(node).nth(b % tree.entries(node).len().max(1)) else {
                break;
            };
            let Some(key) = tree.key_str(k) else { break };
            r = r.key(key.to_string());
            node = v;
        } else if tree.is_seq(node) && !tree.items(node).is_empty() {
            let i = b % tree.items(node).len();
            r = r.index(i);
            node = tree.items(node)[i];
        } else {
            break;
        }
    }
    for _ in 0..c.byte() % 3 {
        let b = c.byte();
        r = if b & 1 == 0 {
            r.key(KEYS[(b >> 1) % KEYS.len()])
        } else {
            r.index(b >> 5)
        };
    }
    r
}

fuzz_target!(|data: &[u8]| {
    let (text, control) = data.split_at(data.len().saturating_sub(CONTROL));
    let Ok(text) = decode(text.to_vec()) else { return };
    let (tree, docs, err) = parse(&text, &Limits::default());
    if err.is_none() {
        let found = comments(&text, &tree);
        assert!(found.iter().all(|r| r.start < r.end && r.end <= text.len()));
    }
    let Some(doc) = docs.first() else { return };
    let mut c = Control(control);
    let json = c.byte() & 1 == 1;
    let n = 1 + c.byte() % 3;
    let mut ops = Vec::new();
    for _ in 0..n {
        let kind = c.byte();
        let r = route(&mut c, &tree, doc.root);
        ops.push(match kind % 5 {
            0 => Op::Set {
                route: r,
                value: value(&mut c, 0),
            },
            1 => Op::Remove {
                route: r,
                prune: kind & 8 != 0,
            },
            2 => Op::Append {
                seq: r,
                value: value(&mut c, 1),
                if_absent: kind & 8 != 0,
            },
            3 => Op::RenameKey {
                route: r,
                new_key: KEYS[(kind >> 3) % KEYS.len()].to_string(),
            },
            _ => Op::ReplaceSubtree {
                route: r,
                value: value(&mut c, 0),
            },
        });
    }
    let prefix = Route::root();
    if let Ok(lowered) = lower(
        &text,
        Target {
            doc: doc.index,
            prefix: &prefix,
        },
        &ops,
        json,
    ) {
        let mut at = 0;
        for e in &lowered.edits {
            assert!(e.range.start >= at && e.range.start <= e.range.end && e.range.end <= text.len());
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
            at = e.range.end + 1;
        }
        let edited = apply(&text, &lowered.edits);
        let (_, new_docs, err) = parse(&edited, &Limits::default());
        assert!(err.is_none() && new_docs.len() == docs.len());
    }
});
