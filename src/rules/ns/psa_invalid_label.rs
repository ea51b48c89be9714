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
                out.emit(
                    cx.at(&label_route(key)),
                    format!("invalid Pod Security label `{key}: {value}`: {problem}"),
                )
                .label("invalid label");
            }
        }
    }
}
