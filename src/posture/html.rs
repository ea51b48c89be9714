//! The posture as one self-contained HTML page: the headline, a bar chart of the namespaces
//! under each policy, the table (each row with a small meter of its controls under policy),
//! what keeps namespaces out of policy, and what moved. No script, no external resource: a
//! Content-Security-Policy forbids every fetch, so the page reads the same offline, in a
//! browser or printed.

use super::text::{SHOWN, headline, reasons};
use super::{Comparison, Control, Posture, Responsible, Status, percent};
use std::io::{self, Write};

/// Text from the repository, inert in HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in crate::source::escape_control(s).chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
p.headline { margin: 0 0 1rem; color: #424a53; }
figure { margin: 1rem 0; }
figcaption { font-size: .9rem; color: #59636e; margin-bottom: .25rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d1d9e0; padding: .35rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; }
td.under { background: #d6f5dc; }
td.not { background: #fcdcdc; }
td.na { background: #eef1f4; color: #59636e; }
td.ns { font-weight: 600; white-space: nowrap; }
.mark { font-weight: 700; margin-right: .3rem; }
ul { margin: .25rem 0 .75rem; padding-left: 1.25rem; }
.muted { color: #59636e; }
.moves li.up::marker { content: "▲ "; color: #1a7f37; }
.moves li.down::marker { content: "▼ "; color: #cf222e; }
@media print { body { margin: 0; } td.under, td.not, td.na { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"#;

pub fn render(p: &Posture, comparison: Option<&Comparison>, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<!DOCTYPE html>")?;
    writeln!(w, "<html lang=\"en\">")?;
    writeln!(w, "<head>")?;
    writeln!(w, "<meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
    )?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(w, "<title>plimsoll posture</title>")?;
    writeln!(w, "<style>{STYLE}</style>")?;
    writeln!(w, "</head>")?;
    writeln!(w, "<body>")?;
    writeln!(w, "<h1>Posture</h1>")?;
    writeln!(w, "<p class=\"headline\">{}</p>", esc(&headline(p)))?;
    chart(p, w)?;
    table(p, w)?;
    outside(p, w)?;
    if let Some(c) = comparison {
        moves(c, p, w)?;
    }
    writeln!(w, "</body>")?;
    writeln!(w, "</html>")
}

/// Horizontal bars: namespaces under each control out of those it applies to, and under all.
fn chart(p: &Posture, w: &mut dyn Write) -> io::Result<()> {
    const LABEL: u32 = 150;
    const BAR: u32 = 420;
    const ROW: u32 = 26;
    let s = &p.summary;
    let mut rows: Vec<(&str, usize, usize)> = Control::ALL
        .iter()
        .map(|c| (c.title(), s.controls[c].under, s.controls[c].applicable))
        .collect();
    rows.push(("All controls", s.under_all, s.judged));
    let height = ROW * rows.len() as u32 + 4;
    let width = LABEL + BAR + 90;
    writeln!(w, "<figure>")?;
    writeln!(w, "<figcaption>Namespaces under each policy</figcaption>")?;
    writeln!(
        w,
        "<svg role=\"img\" aria-label=\"Namespaces under each policy\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
    )?;
    for (i, (title, under, of)) in rows.iter().enumerate() {
        let y = i as u32 * ROW + 2;
        let filled = BAR * percent(*under, *of) / 100;
        let filled = if *of == 0 { 0 } else { filled };
        writeln!(
            w,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#1f2328\">{}</text>",
            y + 15,
            esc(title)
        )?;
        writeln!(
            w,
            "<rect x=\"{LABEL}\" y=\"{}\" width=\"{BAR}\" height=\"18\" fill=\"#e6e9ed\"/>",
            y + 2
        )?;
        writeln!(
            w,
            "<rect x=\"{LABEL}\" y=\"{}\" width=\"{filled}\" height=\"18\" fill=\"#2da44e\"/>",
            y + 2
        )?;
        writeln!(
            w,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1f2328\">{under}/{of}</text>",
            LABEL + BAR + 8,
            y + 15
        )?;
    }
    writeln!(w, "</svg>")?;
    writeln!(w, "</figure>")
}

fn table(p: &Posture, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<table id=\"posture\">")?;
    write!(w, "<thead><tr><th scope=\"col\">Namespace</th>")?;
    for c in Control::ALL {
        write!(w, "<th scope=\"col\">{}</th>", esc(c.title()))?;
    }
    writeln!(w, "<th scope=\"col\">All</th></tr></thead>")?;
    writeln!(w, "<tbody>")?;
    for n in &p.namespaces {
        write!(w, "<tr><td class=\"ns\">{}</td>", esc(&n.name))?;
        for c in Control::ALL {
            let status = n.judged(c).status;
            write!(
                w,
                "<td class=\"{}\"><span class=\"mark\">{}</span>{}</td>",
                class(status),
                super::text::mark(status),
                esc(&n.cell(c))
            )?;
        }
        // A meter of the controls under policy.
        let under = Control::ALL
            .iter()
            .filter(|c| n.judged(**c).status == Status::Under)
            .count();
        let applicable = n.applicable;
        let filled = 60 * percent(under, applicable) / 100;
        writeln!(
            w,
            "<td class=\"{}\"><svg role=\"img\" aria-label=\"{under} of {applicable} controls\" width=\"60\" height=\"10\"><rect width=\"60\" height=\"10\" fill=\"#e6e9ed\"/><rect width=\"{filled}\" height=\"10\" fill=\"#2da44e\"/></svg> {under}/{applicable}</td></tr>",
            class(n.all_status())
        )?;
    }
    writeln!(w, "</tbody>")?;
    writeln!(w, "</table>")
}

/// The class of a cell, for its background.
fn class(s: Status) -> &'static str {
    match s {
        Status::Under => "under",
        Status::Not => "not",
        Status::NotApplicable => "na",
    }
}

fn responsible_list(list: &[Responsible], w: &mut dyn Write) -> io::Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    writeln!(w, "<ul>")?;
    for r in list.iter().take(SHOWN) {
        writeln!(
            w,
            "<li>{} <span class=\"muted\">({}) at {}:{}</span></li>",
            esc(&r.object),
            esc(&r.rules.join(", ")),
            esc(&r.file),
            r.line
        )?;
    }
    if list.len() > SHOWN {
        writeln!(w, "<li class=\"muted\">and {} more</li>", list.len() - SHOWN)?;
    }
    writeln!(w, "</ul>")
}

fn outside(p: &Posture, w: &mut dyn Write) -> io::Result<()> {
    let outside: Vec<_> = p.namespaces.iter().filter(|n| n.out_of_policy()).collect();
    if outside.is_empty() {
        return Ok(());
    }
    writeln!(w, "<h2>Out of policy</h2>")?;
    for n in outside {
        writeln!(w, "<h3>{}</h3>", esc(&n.name))?;
        writeln!(w, "<ul>")?;
        for c in Control::ALL {
            let j = n.judged(c);
            if j.status != Status::Not {
                continue;
            }
            writeln!(w, "<li><strong>{}</strong>: {}", esc(c.title()), esc(&reasons(j)))?;
            responsible_list(&j.responsible, w)?;
            writeln!(w, "</li>")?;
        }
        writeln!(w, "</ul>")?;
    }
    Ok(())
}

fn moves(c: &Comparison, now: &Posture, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2>Since the earlier posture</h2>")?;
    writeln!(
        w,
        "<p>Under all: {}/{} → {}/{}.</p>",
        c.before.under_all, c.before.judged, now.summary.under_all, now.summary.judged
    )?;
    if c.is_empty() {
        return writeln!(w, "<p class=\"muted\">No namespace moved.</p>");
    }
    writeln!(w, "<ul class=\"moves\">")?;
    for n in &c.added {
        writeln!(w, "<li class=\"up\">{} is new</li>", esc(n))?;
    }
    for n in &c.removed {
        writeln!(w, "<li class=\"down\">{} is no longer in the set</li>", esc(n))?;
    }
    for m in &c.entered {
        writeln!(
            w,
            "<li class=\"up\">{} entered {}</li>",
            esc(&m.namespace),
            esc(m.control.title())
        )?;
    }
    for m in &c.left {
        let why = m.gaps.iter().map(|g| esc(g)).collect::<Vec<_>>().join("; ");
        writeln!(
            w,
            "<li class=\"down\">{} left {}{}{}",
            esc(&m.namespace),
            esc(m.control.title()),
            if why.is_empty() { "" } else { ": " },
            why
        )?;
        responsible_list(&m.responsible, w)?;
        writeln!(w, "</li>")?;
    }
    for n in &c.entered_all {
        writeln!(w, "<li class=\"up\">{} is now under every policy</li>", esc(n))?;
    }
    for n in &c.left_all {
        writeln!(w, "<li class=\"down\">{} is no longer under every policy</li>", esc(n))?;
    }
    writeln!(w, "</ul>")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
