//! `secret-env-literal`: a container environment variable with a credential-like name
//! (`DB_PASSWORD`, `API_KEY`, `GITHUB_TOKEN`…) set to a literal `value` instead of
//! `valueFrom`. Names ending `_FILE`, `_PATH`, `_DIR`, `_NAME`, `_ENABLED`, `_URL` and values
//! that are placeholders, `$(VAR)` references, booleans or small numbers are not reported.

use super::{is_sensitive_name, is_trivial_value, masked, redact};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(EnvLiteral, "secret-env-literal");

impl Rule for EnvLiteral {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let Some(w) = cx.workload() else { return };
        for c in w.containers() {
            for (i, e) in c.container.env.iter().flatten().enumerate() {
                let Some(value) = e.value.as_deref() else { continue };
                if !is_sensitive_name(&e.name) || is_trivial_value(value) {
                    continue;
                }
                let route = c.route.key("env").index(i).key("value");
                let target = cx.at(&route);
                let f = out.emit(
                    target.clone(),
                    format!(
                        "{} `{}` of {} sets `{}` to a literal value ({})",
                        c.kind.noun(),
                        c.name(),
                        cx.obj.display_name(),
                        e.name,
                        redact(value)
                    ),
                );
                f.label("credential in the manifest");
                let node = route.walk(cx.tree, cx.obj.root).node;
                masked(f, cx.tree.span(node));
            }
        }
    }
}
