//! `secret-url-credentials`: a URL with an embedded `user:password@` in any string of an
//! object (a database DSN in an env value, a Git remote in a ConfigMap). Placeholder
//! passwords (`${DB_PASSWORD}`, `<password>`) are not reported. The password is never
//! printed.

use super::redact;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};

declare_rule!(UrlCredentials, "secret-url-credentials");

impl Rule for UrlCredentials {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        if cx.obj.sops {
            return;
        }
        for (route, (user, password)) in cx
            .string_hits()
            .iter()
            .filter_map(|h| Some((&h.route, h.url.as_ref()?)))
        {
            let f = out.emit(
                cx.at(route),
                format!(
                    "URL at `{route}` of {} embeds credentials (user `{user}`, password {})",
                    cx.obj.display_name(),
                    redact(password)
                ),
            );
            f.label("password in a URL");
        }
    }
}
