//! The posture in GitHub-flavoured Markdown: the headline, the table, what keeps each
//! namespace out of policy (folded), and what moved since an earlier posture. For the
//! Action's job summary and pull-request comments.

use super::text::{SHOWN, headline};
use super::{Comparison, Control, Posture, Responsible, Status};
use std::io::{self, Write};

fn mark(s: Status) -> &'static str {
    match s {
        Status::Under => "✅",
        Status::Not => "❌",
        Status::NotApplicable => "➖",
    }
}

/// Text from the repository, inert in Markdown: one line, every character Markdown or HTML
/// could read as syntax escaped (no link, image, tag or table cell can be injected).
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in crate::source::escape_control(s).chars() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

pub fn render(p: &Posture, comparison: Option<&Comparison>, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "### plimsoll posture\n")?;
    writeln!(w, "{}\n", md(&headline(p)))?;
    write!(w, "| Namespace |")?;
    for c in Control::ALL {
        write!(w, " {} |", c.title())?;
    }
    writeln!(w, " All |")?;
    write!(w, "|---|")?;
    for _ in Control::ALL {
        write!(w, "---|")?;
    }
    writeln!(w, ":-:|")?;
    for n in &p.namespaces {
        write!(w, "| {} |", md(&n.name))?;
        for c in Control::ALL {
            write!(w, " {} {} |", mark(n.judged(c).status), md(&n.cell(c)))?;
        }
        writeln!(w, " {} |", mark(n.all_status()))?;
    }
    let outside: Vec<_> = p.namespaces.iter().filter(|n| n.out_of_policy()).collect();
    if !outside.is_empty() {
        writeln!(
            w,
            "\n<details><summary>What keeps {} out of policy</summary>\n",
            plural_ns(outside.len())
        )?;
        for n in outside {
            writeln!(w, "**{}**\n", md(&n.name))?;
            for c in Control::ALL {
                let j = n.judged(c);
                if j.status != Status::Not {
                    continue;
                }
                writeln!(w, "- {}: {}", c.title(), md(&super::text::reasons(j)))?;
                responsible_list(&j.responsible, w)?;
            }
            writeln!(w)?;
        }
        writeln!(w, "</details>")?;
    }
    if let Some(c) = comparison {
        writeln!(w)?;
        comparison_md(c, p, w)?;
    }
    Ok(())
}

fn plural_ns(n: usize) -> String {
    format!("{n} {}", if n == 1 { "namespace" } else { "namespaces" })
}

fn responsible_list(list: &[Responsible], w: &mut dyn Write) -> io::Result<()> {
    for r in list.iter().take(SHOWN) {
        writeln!(
            w,
            "  - {} ({}) at {}:{}",
            md(&r.object),
            md(&r.rules.join(", ")),
            md(&r.file),
            r.line
        )?;
    }
    if list.len() > SHOWN {
        writeln!(w, "  - and {} more", list.len() - SHOWN)?;
    }
    Ok(())
}

fn comparison_md(c: &Comparison, now: &Posture, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "#### Since the earlier posture\n")?;
    writeln!(w, "| | Before | Now |")?;
    writeln!(w, "|---|--:|--:|")?;
    for k in Control::ALL {
        if let (Some(b), Some(a)) = (c.before.controls.get(&k), now.summary.controls.get(&k)) {
            writeln!(
                w,
                "| {} | {}/{} | {}/{} |",
                k.title(),
                b.under,
                b.applicable,
                a.under,
                a.applicable
            )?;
        }
    }
    writeln!(
        w,
        "| Under all | {}/{} | {}/{} |\n",
        c.before.under_all, c.before.judged, now.summary.under_all, now.summary.judged
    )?;
    if c.is_empty() {
        writeln!(w, "No namespace moved.")?;
        return Ok(());
    }
    for n in &c.added {
        writeln!(w, "- 🆕 {} is new", md(n))?;
    }
    for n in &c.removed {
        writeln!(w, "- 🗑️ {} is no longer in the set", md(n))?;
    }
    for m in &c.entered {
        writeln!(w, "- ⬆️ {} entered {}", md(&m.namespace), m.control.title())?;
    }
    for m in &c.left {
        let why = m.gaps.iter().map(|g| md(g)).collect::<Vec<_>>().join("; ");
        writeln!(
            w,
            "- ⬇️ {} left {}{}{}",
            md(&m.namespace),
            m.control.title(),
            if why.is_empty() { "" } else { ": " },
            why
        )?;
        responsible_list(&m.responsible, w)?;
    }
    for n in &c.entered_all {
        writeln!(w, "- ⬆️ {} is now under every policy", md(n))?;
    }
    for n in &c.left_all {
        writeln!(w, "- ⬇️ {} is no longer under every policy", md(n))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_what_markdown_or_html_would_read() {
        assert_eq!(
            super::md("a|b [x](y) <img> *_`~!\\"),
            "a\\|b \\[x\\](y) &lt;img&gt; \\*\\_\\`\\~\\!\\\\"
        );
        // Control characters are shown escaped (`\n`), then the backslash too.
        assert_eq!(super::md("two\nlines"), "two\\\\nlines");
    }
}
