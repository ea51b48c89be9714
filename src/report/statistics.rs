//! `--statistics`: counts, throughput and timings of a run, for stderr.

use crate::discover::kustomize::RenderStats;
use crate::engine::{Outcome, Severity};
use std::io::{self, Write};
use std::time::Duration;

/// Writes the statistics of a run: what was read, what it cost, and the findings of each
/// rule that ran (`rules`, sorted).
pub fn statistics(
    w: &mut dyn Write,
    outcome: &Outcome,
    renders: &RenderStats,
    rules: &[(&'static str, Severity)],
    elapsed: Duration,
) -> io::Result<()> {
    let s = &outcome.stats;
    let secs = elapsed.as_secs_f64().max(1e-9);
    let mb = s.bytes as f64 / 1_000_000.0;
    writeln!(w, "files:          {}", s.files)?;
    writeln!(w, "bytes:          {} ({mb:.2} MB)", s.bytes)?;
    writeln!(
        w,
        "documents:      {} ({} skipped: not Kubernetes objects)",
        s.documents, s.skipped_documents
    )?;
    writeln!(
        w,
        "objects:        {} ({} typed, {} generic, {} with type errors, {} SOPS-encrypted)",
        s.objects, s.typed, s.generic, s.invalid, s.sops
    )?;
    let mut generic: Vec<_> = s.generic_kinds.iter().collect();
    generic.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !generic.is_empty() {
        writeln!(w, "read generically (no typed struct), most frequent:")?;
        for (kind, n) in generic.iter().take(10) {
            writeln!(w, "  {n:>7}  {}", crate::source::escape_control(kind))?;
        }
    }
    if renders.kustomizations > 0 {
        writeln!(
            w,
            "kustomize:      {:.3}s, {} kustomizations ({} from the render cache, {} renderer runs)",
            renders.elapsed.as_secs_f64(),
            renders.kustomizations,
            renders.from_cache,
            renders.renderer_runs
        )?;
    }
    writeln!(w, "load + check:   {:.3}s", s.load_and_check.as_secs_f64())?;
    if s.files_read_again > 0 {
        writeln!(
            w,
            "                ({} files parsed twice, in part or whole, for namespaces' Pod Security labels)",
            s.files_read_again
        )?;
    }
    writeln!(w, "cross-object:   {:.3}s", s.cross_object.as_secs_f64())?;
    for (rule, took) in s.set_rules.iter().take(5).filter(|(_, t)| t.as_secs_f64() >= 0.001) {
        writeln!(w, "  {:>7.3}s  {rule}", took.as_secs_f64())?;
    }
    writeln!(w, "total:          {secs:.3}s")?;
    writeln!(
        w,
        "throughput:     {:.1} MB/s, {:.0} documents/s",
        mb / secs,
        s.documents as f64 / secs
    )?;
    writeln!(w, "findings by rule:")?;
    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in &outcome.findings {
        *by_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    for (id, _) in rules {
        if let Some(n) = by_rule.get(id) {
            writeln!(w, "  {n:>7}  {id}")?;
        }
    }
    Ok(())
}
