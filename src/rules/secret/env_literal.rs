//! `secret-env-literal`: a credential written into a container's definition: an environment
//! variable with a credential-like name (`DB_PASSWORD`, `API_KEY`, `GITHUB_TOKEN`…) set to a
//! literal `value` instead of `valueFrom`, or a credential passed on its command line
//! (`--password=…`, `--token …`, a MySQL client's `-p…`, the same inside an `sh -c` script).
//! Names ending `_FILE`, `_PATH`, `_DIR`, `_NAME`, `_ENABLED`, `_URL` and values that are
//! placeholders, `$(VAR)` references, booleans, small numbers or paths are not reported.

use super::{credential_arguments, is_sensitive_name, is_trivial_value, redact};
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
                let f = out.emit(
                    cx.at(&c.route.key("env").index(i).key("value")),
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
            }
            for (field, list) in [("command", &c.container.command), ("args", &c.container.args)] {
                let items: Vec<&str> = list.iter().flatten().map(String::as_str).collect();
                for (i, flag) in credential_arguments(&items) {
                    let f = out.emit(
                        cx.at(&c.route.key(field).index(i)),
                        format!(
                            "{} `{}` of {} passes a credential on its command line (`{flag}` in `{field}[{i}]`)",
                            c.kind.noun(),
                            c.name(),
                            cx.obj.display_name(),
                        ),
                    );
                    f.label("credential in the manifest");
                    f.help("read it from a Secret: an env variable with `valueFrom.secretKeyRef`, referenced as `$(VAR)` in the arguments, or a mounted file");
                }
            }
        }
    }
}
