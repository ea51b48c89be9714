//! A Markdown summary, as the GitHub Action writes to the job summary
//! (`$GITHUB_STEP_SUMMARY`): counts by severity and by family, then the first findings as a
//! table, errors first. On GitHub Actions (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY` and
//! `GITHUB_SHA` set), locations link to the lines in the repository.

use super::{ReportCx, counts};
use crate::engine::{Finding, Severity, meta};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Findings listed in the table; the rest are counted.
const TOP: usize = 25;

pub fn render(cx: &ReportCx<'_>, w: &mut dyn Write) -> io::Result<()> {
    let findings = &cx.outcome.findings;
    let (e, wa, i) = counts(findings);
    let stats = &cx.outcome.stats;
    writeln!(w, "## plimsoll\n")?;
    if findings.is_empty() {
        writeln!(
            w,
            "No findings in {} {}, {} {}.",
            stats.files,
            plural(stats.files, "file", "files"),
            stats.objects,
            plural(stats.objects, "object", "objects")
        )?;
        return Ok(());
    }
    writeln!(
        w,
        "**{e} {}, {wa} {}, {i} info** in {} {} and {} {}{}.\n",
        plural(e, "error", "errors"),
        plural(wa, "warning", "warnings"),
        stats.files,
        plural(stats.files, "file", "files"),
        stats.objects,
        plural(stats.objects, "object", "objects"),
        match cx.outcome.suppressed {
            0 => String::new(),
            n => format!(" ({n} suppressed)"),
        }
    )?;

    let mut families: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for f in findings {
        let family = meta(f.rule.as_str()).map_or("core", |m| m.family.as_str());
        let c = families.entry(family).or_default();
        match f.severity {
            Severity::Error => c.0 += 1,
            Severity::Warning => c.1 += 1,
            Severity::Info => c.2 += 1,
        }
    }
    writeln!(w, "| Family | Errors | Warnings | Info |\n|---|---:|---:|---:|")?;
    for (family, (e, wa, i)) in &families {
        writeln!(w, "| `{family}` | {e} | {wa} | {i} |")?;
    }

    let mut top: Vec<&Finding> = findings.iter().collect();
    // Most severe first; otherwise in file order (the findings are sorted).
    top.sort_by_key(|f| std::cmp::Reverse(f.severity));
    writeln!(
        w,
        "\n### {}\n\n| Severity | Rule | Location | Message |\n|---|---|---|---|",
        if findings.len() > TOP {
            format!("First {TOP} of {} findings", findings.len())
        } else {
            "Findings".to_string()
        }
    )?;
    let link = Link::from_env();
    for f in top.iter().take(TOP) {
        let loc = f.loc();
        let file = cx.files.display(loc.file);
        let at = format!("{file}:{}:{}", loc.span.start.line, loc.span.start.col);
        let location = match &link {
            Some(l) if !file.starts_with('<') => {
                format!("[`{}`]({}/{}#L{})", cell(&at), l.base, file, loc.span.start.line)
            }
            _ => format!("`{}`", cell(&at)),
        };
        writeln!(
            w,
            "| {} | [`{}`]({}{}) | {} | {} |",
            f.severity,
            f.rule,
            crate::engine::meta::DOCS_BASE,
            f.rule,
            location,
            cell(&f.message)
        )?;
    }
    if findings.len() > TOP {
        writeln!(
            w,
            "\n{} more in the SARIF and JSON reports, or run `plimsoll check` locally.",
            findings.len() - TOP
        )?;
    }
    Ok(())
}

/// Where files are browsed on GitHub: `{server}/{repository}/blob/{sha}`.
struct Link {
    base: String,
}

impl Link {
    fn from_env() -> Option<Link> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Some(Link {
            base: format!(
                "{}/{}/blob/{}",
                var("GITHUB_SERVER_URL")?,
                var("GITHUB_REPOSITORY")?,
                var("GITHUB_SHA")?
            ),
        })
    }
}

/// Text for a table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
