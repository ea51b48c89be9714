//! `docs/kube-linter.md` maps kube-linter's checks to plimsoll rules: every rule it names
//! exists, and the counterparts of kube-linter's default checks are on by default unless the
//! page says "off".

use plimsoll::engine::meta;

/// The rule ids in backquotes of the second column of each table row of a section.
fn rows(section: &str) -> Vec<(String, Vec<(String, bool)>)> {
    section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cols: Vec<&str> = l.split('|').collect();
            let ours = cols.get(2).copied().unwrap_or_default();
            let ids = ours
                .split('`')
                .enumerate()
                .filter(|(i, t)| i % 2 == 1 && looks_like_id(t))
                .map(|(i, id)| {
                    let after = ours.split('`').nth(i + 1).unwrap_or_default();
                    (
                        id.to_string(),
                        after.trim_start().starts_with("(off") || after.contains("off)"),
                    )
                })
                .collect();
            (cols.get(1).copied().unwrap_or_default().trim().to_string(), ids)
        })
        .collect()
}

/// `workload-ssh-port`, not `namespaceSelector` or `optional: true`.
fn looks_like_id(t: &str) -> bool {
    t.contains('-')
        && t.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[test]
fn every_rule_the_kube_linter_page_names_exists_and_defaults_match() {
    let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/kube-linter.md")).expect("page");
    let (on, off) = page
        .split_once("## Checks off by default in kube-linter")
        .expect("two sections");
    let on = rows(on);
    assert!(on.len() >= 25, "the default checks are listed ({})", on.len());
    for (check, ids) in &on {
        assert!(!ids.is_empty(), "{check}: no plimsoll rule");
        for (id, marked_off) in ids {
            let m = meta(id).unwrap_or_else(|| panic!("{check}: `{id}` is not a rule"));
            assert_eq!(
                m.enabled,
                !marked_off,
                "{check}: `{id}` is {} by default but the page says otherwise",
                if m.enabled { "on" } else { "off" }
            );
        }
    }
    for (check, ids) in rows(off) {
        for (id, _) in ids {
            assert!(meta(&id).is_some(), "{check}: `{id}` is not a rule");
        }
    }
}
