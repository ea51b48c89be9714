//! Guard rails: every rule has metadata, a source file named after it, fixtures, executable
//! examples; every finding's span is a real node; SARIF validates against the schema.

mod common;

use common::{plimsoll, root, run};
use plimsoll::engine::all_meta;
use std::collections::BTreeSet;

#[test]
fn registry_and_metadata_agree() {
    let registered: BTreeSet<&str> = plimsoll::rules::all().iter().map(|e| e.id).collect();
    let described: BTreeSet<&str> = all_meta().iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        registered, described,
        "every registered rule needs rules/<id>.yaml and vice versa"
    );
    assert_eq!(
        registered.len(),
        plimsoll::rules::all().len(),
        "a rule is registered twice"
    );
    for (stem, text) in plimsoll::engine::meta::RULE_FILES {
        let m = plimsoll::engine::meta::parse_meta(text).unwrap_or_else(|e| panic!("rules/{stem}.yaml: {e}"));
        assert_eq!(&m.id, stem, "rules/{stem}.yaml declares id `{}`", m.id);
    }
}

#[test]
fn ids_files_and_text_follow_conventions() {
    for m in all_meta() {
        let id = &m.id;
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !id.starts_with('-'),
            "`{id}` is not kebab-case"
        );
        let (dir, name) = if m.family == "core" {
            ("core".to_string(), id.replace('-', "_"))
        } else {
            let rest = id
                .strip_prefix(&format!("{}-", m.family))
                .unwrap_or_else(|| panic!("`{id}` does not start with its family `{}`", m.family));
            (m.family.clone(), rest.replace('-', "_"))
        };
        let file = root().join(format!("src/rules/{dir}/{name}.rs"));
        assert!(file.is_file(), "rule `{id}` should live in {}", file.display());
        assert!(
            m.remediation.trim_end().ends_with('.'),
            "`{id}`: remediation must end with a period"
        );
        assert!(
            !m.summary.ends_with('.'),
            "`{id}`: the summary is a title, without a period"
        );
        if let Some(p) = &m.pss {
            assert_eq!(m.family, "pss", "`{id}` names a PSS check but is not in the pss family");
            assert!(!p.check.is_empty());
        }
    }
}

#[test]
fn every_rule_has_firing_and_clean_fixtures() {
    for m in all_meta() {
        let dir = root().join("testdata/rules").join(&m.id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("missing {}", dir.display()))
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().any(|n| n.starts_with("bad")), "{}: no bad*.yaml", m.id);
        assert!(names.iter().any(|n| n.starts_with("good")), "{}: no good*.yaml", m.id);
    }
}

/// The examples in the documentation are executable: `bad` fires, `good` does not.
#[test]
fn metadata_examples_behave() {
    for m in all_meta() {
        // A Pod Security rule's examples are judged at its own level.
        let level = m.pss.as_ref().map_or("restricted", |p| p.level.as_str());
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("plimsoll.yaml");
        let options = serde_json::json!({ "rules": { "options": { &m.id: &m.examples.options } } });
        std::fs::write(&config, serde_json::to_string(&options).expect("json")).expect("config");
        if m.examples.file.is_some() && !common::renderer_or_skip(&format!("the examples of {}", m.id)) {
            continue;
        }
        for (which, text) in [("bad", &m.examples.bad), ("good", &m.examples.good)] {
            let mut cmd = plimsoll();
            cmd.args(["check", "--color", "never", "--select", &m.id, "--config"])
                .arg(&config)
                .args(["--fail-on", "never", "--pss-level", level]);
            // Examples written as a file of a directory (a kustomization) lint the directory.
            let example_dir = tempfile::tempdir().expect("tempdir");
            let r = match &m.examples.file {
                Some(name) => {
                    std::fs::write(example_dir.path().join(name), text).expect("example");
                    run(cmd.arg(example_dir.path()))
                }
                None => run(cmd.arg("-").write_stdin(text.as_str())),
            };
            let fired = r.stdout.contains(&format!("[{}]: ", m.id));
            assert_eq!(
                fired,
                which == "bad",
                "{}: the `{which}` example {}:\n{}{}",
                m.id,
                if fired { "fires" } else { "does not fire" },
                r.stdout,
                r.stderr
            );
        }
    }
}

/// Every span is inside its file, its line and column agree with its byte offset, and a
/// finding that names a field points at that field.
#[test]
fn spans_are_real_nodes() {
    let mut paths = vec![root().join("testdata")];
    if let Some(s) = common::shared_or_skip("the corpora part of spans_are_real_nodes") {
        paths.push(s.join("corpora/bench"));
        paths.push(s.join("corpora/crd"));
    }
    for path in paths {
        let r = run(plimsoll()
            .args(["check", "--no-config", "--select", "all", "--format", "json"])
            .arg(&path));
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
        let mut checked = 0;
        for f in doc["findings"].as_array().expect("findings") {
            let file = f["file"].as_str().expect("file");
            let full = if std::path::Path::new(file).is_absolute() {
                file.into()
            } else {
                root().join(file)
            };
            let Ok(bytes) = std::fs::read(&full) else { continue };
            let Ok(text) = String::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes).to_vec()) else {
                continue;
            };
            let pos = |p: &serde_json::Value| {
                (
                    p["line"].as_u64().expect("line"),
                    p["column"].as_u64().expect("column"),
                    p["byte"].as_u64().expect("byte") as usize,
                )
            };
            let (sl, sc, sb) = pos(&f["start"]);
            let (el, ec, eb) = pos(&f["end"]);
            assert!(
                sb <= eb && eb <= text.len(),
                "{file}: span {sb}..{eb} outside the file ({f})"
            );
            assert!((sl, sc) <= (el, ec), "{file}: span ends before it starts ({f})");
            let before = &text[..sb];
            let line = before.matches('\n').count() as u64 + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
            assert_eq!(
                (line, col),
                (sl, sc),
                "{file}: line/column disagree with the byte offset ({f})"
            );
            let spanned = &text[sb..eb];
            if let (Some(route), None) = (f["route"].as_str(), f["missing"].as_str()) {
                // `a.b.key` or `a["k.e.y"]` → the span starts with that key (an index `[i]`
                // shows the item's grip instead).
                let key = match route.strip_suffix("\"]") {
                    Some(r) => r.rsplit_once("[\"").map(|(_, k)| k.to_string()),
                    None => route
                        .rsplit('.')
                        .next()
                        .filter(|k| !k.contains('[') && !k.is_empty())
                        .map(str::to_string),
                };
                if let Some(key) = key {
                    let spanned = spanned.trim_start_matches(['"', '\'']);
                    let value_only =
                        f["rule"] == "invalid-manifest" || f["rule"].as_str().is_some_and(|r| r.starts_with("image-"));
                    assert!(
                        value_only || spanned.starts_with(&key),
                        "{file}: finding for `{route}` underlines {spanned:?} ({f})"
                    );
                }
            }
            if sl == 1 {
                let first = text.lines().next().unwrap_or_default();
                assert!(
                    !first.trim().is_empty() && !first.trim_start().starts_with('#') || f["rule"] == "invalid-manifest",
                    "{file}: a finding on line 1 that is blank ({f})"
                );
            }
            checked += 1;
        }
        assert!(checked > 0, "no findings checked under {}", path.display());
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    let Some(shared) = common::shared_or_skip("sarif_validates_against_the_schema") else {
        return;
    };
    for path in [root().join("testdata"), shared.join("corpora/bench/microservices-demo")] {
        let r = run(plimsoll()
            .args(["check", "--no-config", "--select", "all", "--format", "sarif"])
            .arg(&path));
        let sarif: serde_json::Value = serde_json::from_str(&r.stdout).expect("sarif is json");
        common::assert_valid_sarif(&sarif);
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        assert!(!results.is_empty());
        // What GitHub code scanning needs beyond the schema.
        for res in results {
            let loc = &res["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(
                !uri.starts_with('/') && !uri.contains('\\'),
                "uri must be relative: {uri}"
            );
            assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
            assert!(res["partialFingerprints"]["plimsoll/v1"].is_string());
            assert!(res["ruleId"].is_string() && res["ruleIndex"].is_u64());
        }
        for rule in sarif["runs"][0]["tool"]["driver"]["rules"].as_array().expect("rules") {
            assert!(
                rule["helpUri"].is_string()
                    && rule["help"]["text"].is_string()
                    && rule["shortDescription"]["text"].is_string()
            );
        }
    }
}

/// Each rule's declared fix availability (`fix:` in `rules/<id>.yaml`) holds on its own
/// fixtures and examples: `always` rules never lack a fix (or a reason), `never` rules
/// never have one, and rules that declare no fix make none.
#[test]
fn declared_fix_availability_holds() {
    use plimsoll::engine::meta::FixAvailability;
    use plimsoll::session::{ConfigChoice, KustomizeMode, Options, Session};
    let mut problems = Vec::new();
    let mut fixed = std::collections::BTreeSet::new();
    let mut fired = std::collections::BTreeSet::new();
    // Baseline checks that restricted replaces are seen at baseline only.
    for level in [None, Some(plimsoll::model::pss::PssLevel::Baseline)] {
        let mut session = Session::new(Options {
            paths: vec![root().join("testdata/rules")],
            config: ConfigChoice::None,
            select: vec!["all".into()],
            pss_level: level,
            kustomize: Some(KustomizeMode::Never),
            quiet: true,
            ..Options::default()
        })
        .expect("session");
        session.load_inputs().expect("inputs");
        let linted = session.lint().expect("lint");
        for f in &linted.outcome.findings {
            fired.insert(f.rule.as_str());
            let declared = plimsoll::engine::meta(&f.rule).and_then(|m| m.fix.as_ref());
            let place = format!("{} ({})", f.rule, linted.files.display(f.loc().file));
            match (declared.map(|d| d.availability), f.fix.is_some()) {
                (None, true) => problems.push(format!("{place}: a fix from a rule that declares none")),
                (Some(FixAvailability::Never), true) => problems.push(format!("{place}: a fix from a `never` rule")),
                (Some(FixAvailability::Always), false) if f.more().not_fixable.is_none() => {
                    problems.push(format!("{place}: an `always` rule's finding without a fix or a reason"))
                }
                (_, true) => {
                    fixed.insert(f.rule.as_str());
                }
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Every rule that declares fixes and fires on the fixtures (all of them in one set,
    // where some cross-object findings disappear) makes at least one.
    for m in plimsoll::engine::all_meta() {
        if fired.contains(m.id.as_str()) && m.fix.as_ref().is_some_and(|d| d.availability != FixAvailability::Never) {
            assert!(
                fixed.contains(m.id.as_str()),
                "{}: declares fixes but fixed none of its fixtures",
                m.id
            );
        }
    }
}

/// Rules that read objects again after the check (policies, CRD validation) parse each
/// wanted document alone, from where the check found it: every document of every file of
/// the bench corpus and of `testdata`, read so, has the tree and the objects it has in the
/// whole file (spans included), with CRLF, lone CR, non-ASCII text, block scalars and
/// comments between documents among them.
#[test]
fn a_document_read_alone_is_as_in_its_file() {
    use plimsoll::engine::fix::Documents;
    use plimsoll::model::LoadOptions;
    use plimsoll::model::load::{load, load_at};
    use plimsoll::source::{NodeId, NodeKind, Tree};

    fn walk(tree: &Tree<'_>, id: NodeId, out: &mut Vec<String>) {
        let node = tree.node(id);
        match &node.kind {
            NodeKind::Scalar { text, style, tag } => out.push(format!("{:?} {text:?} {style:?} {tag:?}", node.span)),
            NodeKind::Alias { target } => {
                out.push(format!("{:?} alias", node.span));
                out.push(format!("{:?}", tree.span(*target)));
            }
            NodeKind::Seq { .. } => {
                out.push(format!("{:?} seq", node.span));
                for i in tree.items(id) {
                    walk(tree, *i, out);
                }
            }
            NodeKind::Map { .. } => {
                out.push(format!("{:?} map", node.span));
                for (k, v) in tree.entries(id) {
                    walk(tree, k, out);
                    walk(tree, v, out);
                }
            }
        }
    }

    let mut dirs = vec![root().join("testdata")];
    dirs.extend(common::shared_or_skip("documents read alone, on the bench corpus").map(|s| s.join("corpora/bench")));
    let opts = LoadOptions::default();
    let (mut files, mut documents) = (0, 0);
    for dir in dirs {
        for entry in ignore::WalkBuilder::new(&dir).standard_filters(false).build().flatten() {
            let path = entry.path();
            if !path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let whole = load(&text, &opts);
            if whole.parse_error {
                continue;
            }
            let mut found = Documents::default();
            found.add(&text, &whole.tree, &whole.docs);
            files += 1;
            for d in &whole.docs {
                let Some((range, line)) = found.locate(d.index) else {
                    continue;
                };
                let alone = load_at(&text, range, line, d.index, &opts)
                    .unwrap_or_else(|| panic!("{}: document {} does not read alone", path.display(), d.index));
                let (mut a, mut b) = (Vec::new(), Vec::new());
                walk(&whole.tree, d.root, &mut a);
                walk(&alone.tree, alone.docs[0].root, &mut b);
                assert_eq!(a, b, "{}: document {}", path.display(), d.index);
                let objects = |l: &plimsoll::model::load::Loaded<'_>| -> Vec<String> {
                    l.objects
                        .iter()
                        .filter(|o| o.doc == d.index)
                        .map(|o| format!("{} {} {:?} {:?}", o.prefix, o.kind, o.name(), l.tree.span(o.root)))
                        .collect()
                };
                assert_eq!(
                    objects(&whole),
                    objects(&alone),
                    "{}: document {}",
                    path.display(),
                    d.index
                );
                documents += 1;
            }
        }
    }
    assert!(files > 100 && documents > 500, "{files} files, {documents} documents");
}
