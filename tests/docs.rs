//! `docs/rules/` is generated from `rules/*.yaml` and committed; this test fails when it is
//! stale. Regenerate with: `PLIMSOLL_UPDATE_DOCS=1 cargo test --test docs`.

mod common;

#[test]
fn rule_docs_are_up_to_date() {
    let update = std::env::var_os("PLIMSOLL_UPDATE_DOCS").is_some();
    let root = common::root();
    let mut stale = Vec::new();
    let generated = plimsoll::docs::generated();
    for (path, content) in &generated {
        let full = root.join(path);
        if std::fs::read_to_string(&full).ok().as_deref() != Some(content.as_str()) {
            if update {
                std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
                std::fs::write(&full, content).expect("write");
            } else {
                stale.push(path.clone());
            }
        }
    }
    // Pages of rules that no longer exist.
    for entry in std::fs::read_dir(root.join("docs/rules"))
        .expect("docs/rules")
        .filter_map(Result::ok)
    {
        let path = format!("docs/rules/{}", entry.file_name().to_string_lossy());
        if !generated.iter().any(|(p, _)| *p == path) {
            if update {
                std::fs::remove_file(entry.path()).expect("remove");
            } else {
                stale.push(path);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated docs: {stale:?}\nregenerate with: PLIMSOLL_UPDATE_DOCS=1 cargo test --test docs"
    );
}
