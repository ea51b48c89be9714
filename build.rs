//! Embeds every `rules/<id>.yaml` in the binary: the metadata is read at run time from
//! `RULE_FILES`, so docs, `explain`, SARIF and tests share one source.
//!
//! Every run reads every rule's metadata (ids, families, severities), so each file is also
//! embedded as JSON (`RULE_JSON`), converted here with the scalar resolution the run reads
//! YAML with (`src/source/resolve.rs`, compiled into this script): reading every rule's YAML
//! file at each start was more than half of a one-file check. `data/api-lifecycle.yaml` is
//! converted the same way. The test suite checks that each JSON form reads into what its
//! YAML reads into.

use std::fmt::Write;
use std::path::Path;

#[allow(dead_code)]
#[path = "src/source/resolve.rs"]
mod resolve;

/// The scalar styles `resolve` tells apart (the run's `source::ScalarStyle`).
#[allow(dead_code)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

fn main() {
    // Read at run time of the build script, not compiled into it: a target directory copied
    // to another checkout must not embed the first checkout's files.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=src/source/resolve.rs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out =
        String::from("/// Every `rules/<id>.yaml`, by file stem.\npub static RULE_FILES: &[(&str, &str)] = &[\n");
    let mut json = String::from(
        "/// Every `rules/<id>.yaml` as JSON, by file stem.\npub static RULE_JSON: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 rule file name");
        writeln!(out, "    ({stem:?}, include_str!({:?})),", path.display().to_string()).expect("write");
        let text = std::fs::read_to_string(path).expect("read a rule file");
        let converted = to_json(&text).unwrap_or_else(|e| panic!("rules/{stem}.yaml: {e}"));
        writeln!(json, "    ({stem:?}, {converted:?}),").expect("write");
    }
    out.push_str("];\n");
    json.push_str("];\n");
    out.push_str(&json);
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(Path::new(&out_dir).join("rule_files.rs"), out).expect("write rule_files.rs");
    // The API lifecycle data, read by every run that checks an object.
    let data = Path::new(&manifest).join("data/api-lifecycle.yaml");
    println!("cargo:rerun-if-changed={}", data.display());
    let text = std::fs::read_to_string(&data).expect("read data/api-lifecycle.yaml");
    let converted = to_json(&text).unwrap_or_else(|e| panic!("data/api-lifecycle.yaml: {e}"));
    std::fs::write(Path::new(&out_dir).join("api-lifecycle.json"), converted).expect("write api-lifecycle.json");
}

/// The first document of a YAML text as JSON: scalars resolved as the run resolves them,
/// keys as their text. Anchors, aliases and non-finite numbers are refused (a rule file
/// has none).
fn to_json(text: &str) -> Result<String, String> {
    use saphyr_parser::{Event, Parser, ScalarStyle as S};
    // Per open collection: whether it is a mapping, and how many nodes it holds so far.
    let mut open: Vec<(bool, usize)> = Vec::new();
    let mut out = String::new();
    for next in Parser::new_from_str(text) {
        let (event, _) = next.map_err(|e| e.to_string())?;
        let (is_key, separator) = match open.last_mut() {
            Some((map, count)) => {
                let is_key = *map && count.is_multiple_of(2);
                let separator = match (*count, *map && !is_key) {
                    (0, _) => "",
                    (_, true) => ":",
                    (_, false) => ",",
                };
                (is_key, separator)
            }
            None => (false, ""),
        };
        let node = |open: &mut Vec<(bool, usize)>| {
            if let Some((_, count)) = open.last_mut() {
                *count += 1;
            }
        };
        match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => {}
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Alias(_) => return Err("an alias".into()),
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) if anchor != 0 => {
                return Err("an anchor".into());
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if is_key => {
                return Err("a collection as a key".into());
            }
            Event::MappingStart(..) => {
                out.push_str(separator);
                out.push('{');
                node(&mut open);
                open.push((true, 0));
            }
            Event::SequenceStart(..) => {
                out.push_str(separator);
                out.push('[');
                node(&mut open);
                open.push((false, 0));
            }
            Event::MappingEnd => {
                out.push('}');
                open.pop();
            }
            Event::SequenceEnd => {
                out.push(']');
                open.pop();
            }
            Event::Scalar(_, _, anchor, _) if anchor != 0 => return Err("an anchor".into()),
            Event::Scalar(value, style, _, tag) => {
                out.push_str(separator);
                node(&mut open);
                if is_key {
                    string(&mut out, &value);
                    continue;
                }
                let style = match style {
                    S::Plain => ScalarStyle::Plain,
                    S::SingleQuoted => ScalarStyle::SingleQuoted,
                    S::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    S::Literal => ScalarStyle::Literal,
                    S::Folded => ScalarStyle::Folded,
                };
                // Tags named as the run names them (`!!str` for the core schema's).
                let tag = tag.map(|t| match t.handle.as_str() {
                    "tag:yaml.org,2002:" | "!!" => format!("!!{}", t.suffix),
                    handle => format!("{handle}{}", t.suffix),
                });
                match resolve::resolve(&value, style, tag.as_deref()) {
                    resolve::Value::Null => out.push_str("null"),
                    resolve::Value::Bool(b) => write!(out, "{b}").expect("write"),
                    resolve::Value::Int(i) => write!(out, "{i}").expect("write"),
                    resolve::Value::UInt(u) => write!(out, "{u}").expect("write"),
                    resolve::Value::Float(f) if f.is_finite() => write!(out, "{f:?}").expect("write"),
                    resolve::Value::Float(f) => return Err(format!("the number {f}")),
                    resolve::Value::Str(s) => string(&mut out, s),
                }
            }
        }
    }
    Ok(out)
}

/// A JSON string.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).expect("write"),
            c => out.push(c),
        }
    }
    out.push('"');
}
