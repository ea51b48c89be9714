//! `unknown-kind`: an `apiVersion`/`kind` pair of a Kubernetes API group that no release has
//! served (`apiVersion: v1` with `kind: Deployment`, `apps/v2`): the API server rejects the
//! object, and no rule checks it, since plimsoll cannot tell what it is. Custom resources and
//! groups Kubernetes does not serve itself are never reported (see `model::builtin`).

use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::model::builtin::{Unserved, unserved};
use crate::source::Route;

declare_rule!(UnknownKind, "unknown-kind");

impl Rule for UnknownKind {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        let Some(problem) = unserved(&obj.api_version, &obj.kind) else {
            return;
        };
        let api_version = crate::source::excerpt(&obj.api_version);
        let kind = crate::source::excerpt(&obj.kind);
        let (message, help) = match problem {
            Unserved::Kind { elsewhere, nearest } => (
                format!(
                    "no Kubernetes release serves kind `{kind}` in `{api_version}`; the API server rejects this object"
                ),
                match (elsewhere.as_slice(), nearest) {
                    (_, Some(n)) => format!("did you mean `{n}`?"),
                    ([], None) => {
                        "check the kind's spelling, or the apiVersion of the custom resource it is meant to be"
                            .to_string()
                    }
                    ([one], None) => format!("`{kind}` is served by `{one}`"),
                    (many, None) => format!(
                        "`{kind}` is served by {}",
                        many.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")
                    ),
                },
            ),
            Unserved::Version { versions } => (
                format!("no Kubernetes release serves `{api_version}`; the API server rejects this {kind}"),
                format!(
                    "the versions of this group are {}",
                    versions.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                ),
            ),
        };
        out.emit(cx.at(&Route::root().key("apiVersion")), message)
            .label("unknown apiVersion and kind")
            .help(help);
    }
}
