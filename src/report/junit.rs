//! JUnit XML for CI systems that show test reports (Jenkins, GitLab, Azure DevOps), valid
//! against the Jenkins JUnit schema (`junit-10.xsd`).
//!
//! One `<testsuite>` per rule that ran; in it, one `<testcase>` per object (or per file, for
//! findings about a file) that the rule found something in. A test case fails
//! (`<failure type="error|warning|info">`) when one of its findings is at or above
//! `--fail-on`, and then lists every finding as `file:line:col: severity: message`; findings
//! below it go to `<system-out>`. A rule that found nothing is one passing test case, so the
//! report shows what was checked.

use super::ReportCx;
use crate::engine::Finding;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::collections::HashMap;
use std::io::{self, Write};

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    // Findings by rule, then by object in order of first appearance (findings are sorted).
    let mut by_rule: HashMap<&str, Vec<(String, Vec<&Finding>)>> = HashMap::new();
    // Where each (rule, case name) sits in its rule's list, so grouping stays linear.
    let mut at: HashMap<(&str, String), usize> = HashMap::new();
    for f in &cx.outcome.findings {
        let cases = by_rule.entry(f.rule.as_str()).or_default();
        let name = case_name(cx, f);
        match at.get(&(f.rule.as_str(), name.clone())) {
            Some(i) => cases[*i].1.push(f),
            None => {
                at.insert((f.rule.as_str(), name.clone()), cases.len());
                cases.push((name, vec![f]));
            }
        }
    }
    let fails = |f: &Finding| cx.fail_on.is_some_and(|min| f.severity >= min);
    let mut rules: Vec<&str> = cx.rules.iter().map(|(r, _)| *r).collect();
    // Rules that only report (such as `unused-suppression`) may not be in the list.
    for r in by_rule.keys() {
        if !rules.contains(r) {
            rules.push(r);
        }
    }
    rules.sort_unstable();
    let total_cases: usize = rules.iter().map(|r| by_rule.get(r).map_or(1, Vec::len)).sum();
    let total_failures: usize = by_rule
        .values()
        .flatten()
        .filter(|(_, list)| list.iter().any(|f| fails(f)))
        .count();

    let mut xml = Writer::new_with_indent(w, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.create_element("testsuites")
        .with_attributes([
            ("name", "plimsoll"),
            ("tests", total_cases.to_string().as_str()),
            ("failures", total_failures.to_string().as_str()),
            ("errors", "0"),
            ("time", format!("{:.3}", cx.elapsed.as_secs_f64()).as_str()),
        ])
        .write_inner_content(|xml| {
            for rule in &rules {
                let cases = by_rule.get(rule).map(Vec::as_slice).unwrap_or_default();
                let failures = cases.iter().filter(|(_, l)| l.iter().any(|f| fails(f))).count();
                xml.create_element("testsuite")
                    .with_attributes([
                        ("name", *rule),
                        ("tests", cases.len().max(1).to_string().as_str()),
                        ("failures", failures.to_string().as_str()),
                        ("errors", "0"),
                        ("skipped", "0"),
                        ("time", "0"),
                    ])
                    .write_inner_content(|xml| {
                        if cases.is_empty() {
                            xml.create_element("testcase")
                                .with_attributes([("name", "no findings"), ("classname", *rule), ("time", "0")])
                                .write_empty()?;
                        }
                        for (name, list) in cases {
                            let (failing, passing): (Vec<&Finding>, Vec<&Finding>) =
                                list.iter().copied().partition(|f| fails(f));
                            xml.create_element("testcase")
                                .with_attributes([("name", clean(name).as_str()), ("classname", *rule), ("time", "0")])
                                .write_inner_content(|xml| {
                                    if let Some(first) = failing.first() {
                                        xml.create_element("failure")
                                            .with_attributes([
                                                ("type", first.severity.as_str()),
                                                ("message", clean(&first.message).as_str()),
                                            ])
                                            .write_text_content(BytesText::new(&lines(cx, &failing)))?;
                                    }
                                    if !passing.is_empty() {
                                        xml.create_element("system-out")
                                            .write_text_content(BytesText::new(&lines(cx, &passing)))?;
                                    }
                                    Ok::<(), io::Error>(())
                                })?;
                        }
                        Ok::<(), io::Error>(())
                    })?;
            }
            Ok::<(), io::Error>(())
        })?;
    writeln!(xml.get_mut())?;
    Ok(())
}

/// `Deployment/shop/web (deploy/web.yaml)`, or the file alone for findings about a file.
fn case_name(cx: &ReportCx<'_>, f: &Finding) -> String {
    let file = cx.files.display(f.loc().file);
    match &f.object {
        Some(o) => format!("{} ({file})", o.display_name()),
        None => file.to_string(),
    }
}

/// `file:line:col: severity: message`, one per finding.
fn lines(cx: &ReportCx<'_>, findings: &[&Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let loc = f.loc();
        s.push_str(&format!(
            "{}:{}:{}: {}: {}\n",
            cx.files.display(loc.file),
            loc.span.start.line,
            loc.span.start.col,
            f.severity,
            f.message
        ));
    }
    clean(&s)
}

/// Replaces the characters XML 1.0 cannot carry at all (control characters other than tab,
/// line feed and carriage return, U+FFFE and U+FFFF) with U+FFFD; escaping markup is the
/// writer's.
fn clean(s: &str) -> String {
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..);
    s.chars().map(|c| if allowed(c) { c } else { '\u{fffd}' }).collect()
}
