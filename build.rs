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
    use serde_json::{Map, Value};
    /// An open collection: a mapping with the key read last (its value comes next), or a
    /// sequence.
    enum Open {
        Map(Map<String, Value>, Option<String>),
        Seq(Vec<Value>),
    }
    let mut open: Vec<Open> = Vec::new();
    // Adds a finished node to the collection it is in; the root is returned.
    let attach = |open: &mut Vec<Open>, node: Value| -> Option<Value> {
        match open.last_mut() {
            Some(Open::Seq(items)) => items.push(node),
            Some(Open::Map(map, key)) => {
                let key = key.take().expect("a value follows its key");
                map.insert(key, node);
            }
            None => return Some(node),
        }
        None
    };
    for next in Parser::new_from_str(text) {
        let (event, _) = next.map_err(|e| e.to_string())?;
        let is_key = matches!(open.last(), Some(Open::Map(_, None)));
        let node = match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => continue,
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Alias(_) => return Err("an alias".into()),
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) | Event::Scalar(_, _, anchor, _)
                if anchor != 0 =>
            {
                return Err("an anchor".into());
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if is_key => {
                return Err("a collection as a key".into());
            }
            Event::MappingStart(..) => {
                open.push(Open::Map(Map::new(), None));
                continue;
            }
            Event::SequenceStart(..) => {
                open.push(Open::Seq(Vec::new()));
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match open.pop() {
                Some(Open::Map(map, _)) => Value::Object(map),
                Some(Open::Seq(items)) => Value::Array(items),
                None => return Err("a collection ends that did not start".into()),
            },
            Event::Scalar(value, _, _, _) if is_key => {
                if let Some(Open::Map(_, key)) = open.last_mut() {
                    *key = Some(value.into_owned());
                }
                continue;
            }
            Event::Scalar(value, style, _, tag) => {
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
                    resolve::Value::Null => Value::Null,
                    resolve::Value::Bool(b) => Value::Bool(b),
                    resolve::Value::Int(i) => Value::from(i),
                    resolve::Value::UInt(u) => Value::from(u),
                    resolve::Value::Float(f) => serde_json::Number::from_f64(f)
                        .map(Value::Number)
                        .ok_or(format!("the number {f}"))?,
                    resolve::Value::Str(s) => Value::String(s.to_string()),
                }
            }
        };
        if let Some(root) = attach(&mut open, node) {
            return Ok(root.to_string());
        }
    }
    Err("no document".into())
}
