//! Embeds every `rules/<id>.yaml` in the binary: the metadata is read at run time from
//! `RULE_FILES`, so docs, `explain`, SARIF and tests share one source.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // Read at run time of the build script, not compiled into it: a target directory copied
    // to another checkout must not embed the first checkout's files.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("rules/ directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut out =
        String::from("/// Every `rules/<id>.yaml`, by file stem.\npub static RULE_FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 rule file name");
        writeln!(out, "    ({stem:?}, include_str!({:?})),", path.display().to_string()).expect("write");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_files.rs");
    std::fs::write(dest, out).expect("write rule_files.rs");
}
