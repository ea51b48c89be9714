//! The posture as a compact table for the terminal, then what keeps each namespace out of
//! policy, then what moved since an earlier posture.

use super::{Comparison, Control, Namespace, Posture, Responsible, Status};
use crate::source::escape_control;
use std::io::{self, Write};

/// How many responsible objects are named per control before "and N more".
pub const SHOWN: usize = 5;

pub fn mark(s: Status) -> &'static str {
    match s {
        Status::Under => "✓",
        Status::Not => "✗",
        Status::NotApplicable => "–",
    }
}

pub fn render(p: &Posture, comparison: Option<&Comparison>, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}", headline(p))?;
    writeln!(w)?;
    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("NAMESPACE".to_string())
            .chain(Control::ALL.iter().map(|c| c.title().to_uppercase()))
            .chain(std::iter::once("ALL".to_string()))
            .collect(),
    ];
    for n in &p.namespaces {
        let mut row = vec![escape_control(&n.name).into_owned()];
        for c in Control::ALL {
            row.push(format!("{} {}", mark(n.judged(c).status), n.cell(c)));
        }
        row.push(mark(n.all_status()).to_string());
        rows.push(row);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        writeln!(w, "{}", line.trim_end())?;
    }
    let outside: Vec<&Namespace> = p.namespaces.iter().filter(|n| n.out_of_policy()).collect();
    if !outside.is_empty() {
        writeln!(w)?;
        writeln!(w, "Out of policy:")?;
        for n in outside {
            writeln!(w, "  {}", escape_control(&n.name))?;
            for c in Control::ALL {
                let j = n.judged(c);
                if j.status != Status::Not {
                    continue;
                }
                writeln!(w, "    {}: {}", c.title(), reasons(j))?;
                for r in j.responsible.iter().take(SHOWN) {
                    writeln!(w, "      {}", responsible(r))?;
                }
                if j.responsible.len() > SHOWN {
                    writeln!(w, "      and {} more", j.responsible.len() - SHOWN)?;
                }
            }
        }
    }
    if let Some(c) = comparison {
        writeln!(w)?;
        comparison_text(c, p, w)?;
    }
    Ok(())
}

/// `3 namespaces; under policy: Pod Security 1/3, …; under all: 1/3`.
pub fn headline(p: &Posture) -> String {
    let s = &p.summary;
    let per: Vec<String> = Control::ALL
        .iter()
        .map(|c| {
            let t = s.controls[c];
            format!("{} {}/{}", c.title(), t.under, t.applicable)
        })
        .collect();
    format!(
        "{} {} (Pod Security judged at {}, {}). Under policy: {}. Under all: {}/{}.",
        s.namespaces,
        if s.namespaces == 1 { "namespace" } else { "namespaces" },
        p.pss.level,
        p.pss.version,
        per.join(", "),
        s.under_all,
        s.judged
    )
}

/// The requirements unmet and the findings, in one line.
pub fn reasons(j: &super::Judged) -> String {
    let mut parts: Vec<String> = j.gaps.iter().map(|g| escape_control(g).into_owned()).collect();
    let f = j.findings;
    if f.error + f.warning > 0 {
        let mut counts = Vec::new();
        if f.error > 0 {
            counts.push(format!("{} {}", f.error, if f.error == 1 { "error" } else { "errors" }));
        }
        if f.warning > 0 {
            counts.push(format!(
                "{} {}",
                f.warning,
                if f.warning == 1 { "warning" } else { "warnings" }
            ));
        }
        parts.push(counts.join(", "));
    }
    let missing = |r: &Responsible| r.rules.iter().any(|x| super::CANNOT_WORK.contains(&x.as_str()));
    if j.responsible.iter().any(missing) {
        parts.push("a target not in the set".to_string());
    }
    parts.join("; ")
}

/// `Deployment/shop/api (rules) at file:line`.
pub fn responsible(r: &Responsible) -> String {
    escape_control(&format!(
        "{} ({}) at {}:{}",
        r.object,
        r.rules.join(", "),
        r.file,
        r.line
    ))
    .into_owned()
}

fn comparison_text(c: &Comparison, now: &Posture, w: &mut dyn Write) -> io::Result<()> {
    let before = &c.before;
    let per: Vec<String> = Control::ALL
        .iter()
        .filter_map(|k| {
            let (b, a) = (before.controls.get(k)?, now.summary.controls.get(k)?);
            (b.under != a.under).then(|| format!("{} {} → {}", k.title(), b.under, a.under))
        })
        .collect();
    writeln!(
        w,
        "Since the earlier posture: under all {} → {}{}{}",
        before.under_all,
        now.summary.under_all,
        if per.is_empty() { "" } else { "; " },
        per.join(", ")
    )?;
    if c.is_empty() {
        writeln!(w, "  no namespace moved")?;
        return Ok(());
    }
    for n in &c.added {
        writeln!(w, "  + {} (new namespace)", escape_control(n))?;
    }
    for n in &c.removed {
        writeln!(w, "  - {} (no longer in the set)", escape_control(n))?;
    }
    for m in &c.entered {
        writeln!(w, "  ↑ {} entered {}", escape_control(&m.namespace), m.control.title())?;
    }
    for m in &c.left {
        let why: Vec<String> = m.gaps.iter().map(|g| escape_control(g).into_owned()).collect();
        writeln!(
            w,
            "  ↓ {} left {}{}{}",
            escape_control(&m.namespace),
            m.control.title(),
            if why.is_empty() { "" } else { ": " },
            why.join("; ")
        )?;
        for r in m.responsible.iter().take(SHOWN) {
            writeln!(w, "      {}", responsible(r))?;
        }
        if m.responsible.len() > SHOWN {
            writeln!(w, "      and {} more", m.responsible.len() - SHOWN)?;
        }
    }
    for n in &c.entered_all {
        writeln!(w, "  ↑ {} is now under every policy", escape_control(n))?;
    }
    for n in &c.left_all {
        writeln!(w, "  ↓ {} is no longer under every policy", escape_control(n))?;
    }
    Ok(())
}
