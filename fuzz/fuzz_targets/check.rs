//! The whole check of one in-memory file with every rule on, as `plimsoll check` runs it,
//! and every report format rendered, unsafe fixes included (JSON and SARIF lower every
//! fix against the file). It must never panic, and every finding must point inside the
//! file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll::engine::{Engine, Files, FixPolicy, Settings, Source};
use plimsoll::report::{Format, ReportCx, render};
use std::sync::{Arc, LazyLock};

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::new(plimsoll::rules::every_rule(), Settings::default()));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = plimsoll::source::decode(data.to_vec()) else {
        return;
    };
    let len = text.len();
    let mut files = Files::default();
    files.add("fuzz.yaml".to_string(), Source::Text(Arc::from(text)), true, true);
    let engine = &*ENGINE;
    let outcome = engine.run(&files);
    for f in &outcome.findings {
        let s = f.loc().span;
        if f.loc().file.0 == 0 {
            assert!(s.start.byte <= s.end.byte && s.end.byte as usize <= len, "{f:?}");
        }
    }
    let rules: Vec<_> = engine.rules.iter().map(|r| (r.id.as_str(), r.severity)).collect();
    let cx = ReportCx {
        files: &files,
        outcome: &outcome,
        rules: &rules,
        color: false,
        quiet: false,
        elapsed: std::time::Duration::ZERO,
        fail_on: None,
        fix_policy: &FixPolicy {
            unsafe_fixes: true,
            ..FixPolicy::default()
        },
        fix_summary: None,
        narrowing: &plimsoll::report::Narrowing::default(),
    };
    for format in [
        Format::Text,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
        Format::Markdown,
    ] {
        let mut out = Vec::new();
        render(format, &cx, &mut out).expect("render");
    }
});
