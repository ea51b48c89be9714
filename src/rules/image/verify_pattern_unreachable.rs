//! `image-verify-pattern-unreachable`: a pattern that cannot match what its engine compares:
//! a Kyverno pattern starting `docker.io/library/` (Kyverno prepends `docker.io/` without
//! `library/`), a Kyverno pattern with a tag (`:` after the last `/`: digests replace tags),
//! a policy-controller glob that is invalid or has no registry (it only works through the
//! deprecated raw-string fallback).

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx};
use crate::model::imagepolicy::Engine;

declare_rule!(VerifyPatternUnreachable, "image-verify-pattern-unreachable");

impl Rule for VerifyPatternUnreachable {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for p in &cx.index.image_policies {
            for pat in p.patterns.iter().chain(&p.skips) {
                let t = &pat.text;
                let reason = match (p.engine, &pat.glob) {
                    (Engine::Kyverno, _) if t.starts_with("docker.io/library/") => Some(
                        "official images: Kyverno compares `docker.io/nginx`, without `library/` (use `docker.io/*`)".to_string(),
                    ),
                    (Engine::Kyverno, _) if t.rsplit('/').next().is_some_and(|last| last.contains(':') && !last.ends_with(":*") && !last.contains('@')) => Some(
                        "digest-pinned images: Kyverno compares `repo@sha256:…` without the tag once a digest is present (drop the tag part, e.g. `ghcr.io/org/app*`)".to_string(),
                    ),
                    (Engine::PolicyController, Some(Err(e))) => Some(format!("anything: the glob is invalid ({e})")),
                    (Engine::PolicyController, Some(Ok(_))) if !matches!(t.as_str(), "*" | "*/*" | "**") && {
                        let first = t.split('/').next().unwrap_or("");
                        !(first.contains('.') || first.contains(':') || first == "localhost" || first.contains('*'))
                    } => Some(format!(
                        "the canonical name (`index.docker.io/…`): it has no registry and matches only through a deprecated fallback (use `index.docker.io/library/{t}`)"
                    )),
                    _ => None,
                };
                let Some(reason) = reason else { continue };
                out.emit_for(
                    &p.obj,
                    pat.loc,
                    format!("pattern `{t}` in {} cannot match {reason}", p.label),
                )
                .label("unreachable pattern");
            }
        }
    }
}
