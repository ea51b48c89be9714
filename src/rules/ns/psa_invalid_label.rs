//! `ns-psa-invalid-label`: a `pod-security.kubernetes.io/*` label with an unknown mode, a
//! level other than privileged/baseline/restricted, or a version other than `latest` or
//! `v1.<minor>`. The API server rejects a Namespace created with it; on an existing one,
//! an invalid enforce level fails closed to `restricted`, audit and warn fail open to
//! `privileged`, and an invalid version means `latest` (pss.md §3.2).

use super::label_route;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::namespaces::LABEL_PREFIX;
use crate::model::pss::{PssLevel, PssVersion};

declare_rule!(PsaInvalidLabel, "ns-psa-invalid-label");

impl Rule for PsaInvalidLabel {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.kind != "Namespace" || obj.api_version != "v1" {
            return;
        }
        let Some(labels) = obj.labels() else { return };
        for (key, value) in labels.range(LABEL_PREFIX.to_string()..) {
            let Some(suffix) = key.strip_prefix(LABEL_PREFIX) else {
                break;
            };
            let problem = match suffix {
                "enforce" | "audit" | "warn" => value.parse::<PssLevel>().err().map(|e| {
                    let fallback = if suffix == "enforce" {
                        "enforce then falls back to `restricted` (fail closed)"
                    } else {
                        "it then falls back to `privileged` (fail open)"
                    };
                    format!("{e}; {fallback}")
                }),
                "enforce-version" | "audit-version" | "warn-version" => value
                    .parse::<PssVersion>()
                    .err()
                    .map(|e| format!("{e}; `latest` is used instead")),
                other => Some(format!(
                    "`{other}` is not a Pod Security mode (enforce, audit, warn, and their -version labels)"
                )),
            };
            if let Some(problem) = problem {
                let f = out.emit(
                    cx.at(&label_route(key)),
                    format!("invalid Pod Security label `{key}: {value}`: {problem}"),
                );
                f.label("invalid label");
                match correction(suffix, value) {
                    Some(fixed) => {
                        f.with_fix(
                            cx.fix(
                                crate::engine::Applicability::Unsafe,
                                format!("change the label's value to `{fixed}`"),
                            )
                            .set(label_route(key), crate::source::edit::Value::Str(fixed)),
                        );
                    }
                    None => {
                        f.not_fixable("no single correction of this value");
                    }
                }
            }
        }
    }
}

/// The one valid value an invalid label value was meant to be: a level in another case
/// (`Restricted`), a version without its `v` or with a patch (`1.29`, `v1.29.0`).
fn correction(suffix: &str, value: &str) -> Option<String> {
    if matches!(suffix, "enforce" | "audit" | "warn") {
        let lower = value.trim().to_ascii_lowercase();
        return lower.parse::<PssLevel>().is_ok().then_some(lower);
    }
    if !suffix.ends_with("-version") {
        return None;
    }
    let v = value.trim();
    if v.eq_ignore_ascii_case("latest") {
        return Some("latest".into());
    }
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let mut parts = v.split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    if parts.clone().count() > 1 || parts.any(|p| p.parse::<u32>().is_err()) {
        return None;
    }
    let candidate = format!("v{}.{}", major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?);
    candidate.parse::<PssVersion>().is_ok().then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::correction;

    #[test]
    fn only_unambiguous_values_are_corrected() {
        assert_eq!(correction("enforce", "Restricted").as_deref(), Some("restricted"));
        assert_eq!(correction("warn", "strict"), None);
        assert_eq!(correction("enforce-version", "1.29").as_deref(), Some("v1.29"));
        assert_eq!(correction("audit-version", "v1.29.0").as_deref(), Some("v1.29"));
        assert_eq!(correction("enforce-version", "LATEST").as_deref(), Some("latest"));
        assert_eq!(correction("enforce-version", "1"), None);
        assert_eq!(correction("exempt", "x"), None);
    }
}
