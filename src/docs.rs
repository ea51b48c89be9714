//! Rule documentation generated from `rules/<id>.yaml`: `docs/rules/<id>.md`,
//! `docs/rules/README.md`, and `plimsoll explain`.

use crate::engine::{RuleMeta, all_meta};
use std::fmt::Write;

/// The page of one rule.
pub fn rule_page(m: &RuleMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# `{}`\n", m.id);
    let _ = writeln!(s, "{}\n", m.summary);
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| Family | `{}` |", m.family);
    let _ = writeln!(s, "| Default severity | {} |", m.severity);
    let _ = writeln!(s, "| On by default | {} |", if m.enabled { "yes" } else { "no" });
    if m.precision != crate::engine::meta::Precision::High {
        let _ = writeln!(
            s,
            "| Precision | {} (a heuristic: expect some false positives) |",
            m.precision.as_str()
        );
    }
    if let Some(p) = &m.pss {
        let _ = writeln!(s, "| Pod Security Standards | `{}` check, {} level |", p.check, p.level);
    }
    let _ = writeln!(s, "| Points at | {} |", one_line(&m.position));
    let _ = writeln!(s);
    let _ = writeln!(s, "## Why\n\n{}\n", m.rationale.trim());
    let _ = writeln!(s, "## How to fix\n\n{}\n", m.remediation.trim());
    if let Some(fix) = &m.fix {
        let _ = writeln!(s, "## Automatic fix\n");
        match fix.availability {
            crate::engine::meta::FixAvailability::Never => {
                let _ = writeln!(s, "None: {}\n", fix.title.trim_start_matches("none: "));
            }
            a => {
                let when = if a == crate::engine::meta::FixAvailability::Always {
                    "Every finding"
                } else {
                    "Most findings"
                };
                let how = match fix.applicability.as_str() {
                    "safe" => "a safe fix: `plimsoll check --fix` applies it".to_string(),
                    "unsafe" => "an unsafe fix: `plimsoll check --fix --unsafe-fixes` applies it".to_string(),
                    _ => "a fix that is safe or unsafe depending on the object (`--fix` applies the safe ones, `--unsafe-fixes` the others)".to_string(),
                };
                let _ = writeln!(s, "{when} of this rule has {how}, which will {}.\n", fix.title);
                if let Some(n) = &fix.notes {
                    let _ = writeln!(s, "{}\n", n.trim());
                }
                if m.family == "pss" {
                    let _ = writeln!(
                        s,
                        "Every Pod Security fix is safe for a pod whose namespace in the set already enforces the level: admission rejects that pod today."
                    );
                }
                let _ = writeln!(s, "`--diff` prints the patch instead of writing it.\n");
            }
        }
    }
    if m.pss.is_some() {
        let _ = writeln!(s, "## Which level applies\n\n{}\n", PSS_LEVELS.trim());
    }
    if !m.options.is_empty() {
        let _ = writeln!(s, "## Options\n\n| Option | Default | Description |\n|---|---|---|");
        for (name, o) in &m.options {
            let _ = writeln!(s, "| `{name}` | `{}` | {} |", o.default, one_line(&o.description));
        }
        let _ = writeln!(
            s,
            "\nSet them in `.plimsoll.yaml`:\n\n```yaml\nrules:\n  options:\n    {}:\n{}```\n",
            m.id,
            m.options
                .iter()
                .map(|(k, o)| format!("      {k}: {}\n", o.default))
                .collect::<String>()
        );
    }
    if let Some(c) = &m.custom {
        let _ = writeln!(
            s,
            "## Expression\n\nA custom rule of this repository (`{}:{}`): every object it matches must make this CEL expression true.\n\n```cel\n{}\n```\n",
            c.file,
            c.line,
            c.expression.trim()
        );
        if m.examples.bad.is_empty() {
            return s.trim_end().to_string() + "\n";
        }
    }
    let what = match &m.examples.file {
        Some(f) => format!("This `{f}`"),
        None => "This manifest".to_string(),
    };
    let _ = writeln!(
        s,
        "## Example\n\n{what} triggers the rule:\n\n```yaml\n{}```\n",
        ensure_newline(&m.examples.bad)
    );
    let _ = writeln!(
        s,
        "This one does not:\n\n```yaml\n{}```\n",
        ensure_newline(&m.examples.good)
    );
    let _ = writeln!(
        s,
        "## Suppressing\n\nWith a reason, on the object:\n\n```yaml\nmetadata:\n  annotations:\n    ignore.plimsoll.dev/{}: \"why this is acceptable\"\n```\n\nor on the finding's line (or the line above):\n\n```yaml\n# plimsoll: ignore[{}] why this is acceptable\n```\n",
        m.id, m.id
    );
    if !m.references.is_empty() {
        let _ = writeln!(s, "## References\n");
        for r in &m.references {
            let _ = writeln!(s, "- {r}");
        }
        let _ = writeln!(s);
    }
    s.trim_end().to_string() + "\n"
}

/// How the Pod Security rules pick the level a pod is judged at (every PSS rule's page).
const PSS_LEVELS: &str = "
A pod is judged at the configured level and version (`--pss-level`, `--pss-version`,
`pss:` in `.plimsoll.yaml`; restricted and latest by default), or at the level its
namespace's `pod-security.kubernetes.io/enforce` label sets when the set holds that
`Namespace` and it is at least as strict (admission then applies it, with the
`enforce-version` label's version, and the finding points at that label too). A namespace
that enforces a lower level (`privileged`, or `baseline` for a restricted check) does not
silence this rule: the pod is still judged at the configured level, and the message ends
with `admitted today: namespace `NAME` enforces `LEVEL:VERSION``, since admission would let
it in. Namespaces and runtime classes listed in `pss.exempt_namespaces` and
`pss.exempt_runtime_classes` are not judged at all, as Pod Security Admission exempts them;
`pss.namespace_labels: ignore` judges every pod at the configured level.
";

/// The index of every rule, grouped by family, as `docs/rules/README.md` (links to the
/// pages beside it).
pub fn index() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from `rules/*.yaml` by `PLIMSOLL_UPDATE_DOCS=1 cargo test --test docs`; do not edit.\n",
    );
    s.push_str(&index_tables(|m| format!("{}.md", m.id)));
    s
}

/// The index of every rule as `plimsoll rules --format markdown` prints it (links to the
/// published pages).
pub fn index_published() -> String {
    let mut s = String::from("# plimsoll rules\n");
    s.push_str(&index_tables(|m| m.url().unwrap_or_default()));
    s
}

fn index_tables(link: impl Fn(&crate::engine::RuleMeta) -> String) -> String {
    let mut s = String::new();
    let mut families: Vec<&str> = all_meta().iter().map(|m| m.family.as_str()).collect();
    families.dedup();
    families.sort_unstable();
    families.dedup();
    for family in families {
        let _ = writeln!(
            s,
            "\n## `{family}`\n\n| Rule | Severity | Default | Summary |\n|---|---|---|---|"
        );
        for m in all_meta().iter().filter(|m| m.family == family) {
            let _ = writeln!(
                s,
                "| [`{}`]({}) | {} | {} | {} |",
                m.id,
                link(m),
                m.severity,
                if m.enabled { "on" } else { "off" },
                one_line(&m.summary)
            );
        }
    }
    s
}

/// Every generated file: (path relative to the repository, content).
pub fn generated() -> Vec<(String, String)> {
    let mut out = vec![("docs/rules/README.md".to_string(), index())];
    let schema = serde_json::to_string_pretty(&crate::config::schema()).unwrap_or_default();
    out.push(("docs/plimsoll.schema.json".to_string(), schema + "\n"));
    for m in all_meta() {
        out.push((format!("docs/rules/{}.md", m.id), rule_page(m)));
    }
    out
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn ensure_newline(s: &str) -> String {
    if s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}
