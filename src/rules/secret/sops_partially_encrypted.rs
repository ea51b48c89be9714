//! `secret-sops-partially-encrypted`: a SOPS document (top-level `sops:` block) in which a
//! `data`/`stringData` value is not `ENC[...]`, usually because `encrypted_regex` did not
//! cover it. Keys exempted by `unencrypted_suffix` (default `_unencrypted`) or by
//! `unencrypted_regex` are allowed. The value is never printed.

use super::{is_sops_encrypted, redact};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule};
use crate::source::Route;
use regex::Regex;

declare_rule!(SopsPartiallyEncrypted, "secret-sops-partially-encrypted");

impl Rule for SopsPartiallyEncrypted {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if !obj.sops {
            return;
        }
        let tree = cx.tree;
        let sops = tree.get(obj.root, "sops");
        let setting = |key: &str| {
            sops.and_then(|s| tree.get(s, key))
                .and_then(|v| tree.str(v))
                .map(str::to_string)
        };
        let suffix = setting("unencrypted_suffix").unwrap_or_else(|| "_unencrypted".to_string());
        let unencrypted_regex = setting("unencrypted_regex").and_then(|r| Regex::new(&r).ok());
        let encrypted_regex = setting("encrypted_regex");
        let encrypted_suffix = setting("encrypted_suffix");
        // Whether the file's settings select this value for encryption at all (SOPS tests
        // every key on the path, so a match on `data` covers its values).
        let covered = |field: &str, key: &str| match (&encrypted_regex, &encrypted_suffix) {
            (Some(r), _) => Regex::new(r).map_or(true, |re| re.is_match(field) || re.is_match(key)),
            (None, Some(sfx)) => field.ends_with(sfx.as_str()) || key.ends_with(sfx.as_str()),
            (None, None) => true,
        };
        for field in ["data", "stringData"] {
            let Some(map) = tree.get(obj.root, field) else { continue };
            for (k, v) in tree.entries(map) {
                let (Some(key), Some(value)) = (tree.key_str(k), tree.text(v)) else {
                    continue;
                };
                if is_sops_encrypted(value) || value.is_empty() || key.ends_with(&suffix) {
                    continue;
                }
                if unencrypted_regex.as_ref().is_some_and(|r| r.is_match(key)) {
                    continue;
                }
                let hint = if covered(field, key) {
                    "it was added after encryption".to_string()
                } else if let Some(r) = &encrypted_regex {
                    format!("`encrypted_regex: {r}` does not cover it")
                } else {
                    format!(
                        "it lacks the `encrypted_suffix` `{}`",
                        encrypted_suffix.as_deref().unwrap_or("")
                    )
                };
                let f = out.emit(
                    cx.at(&Route::root().key(field).key(key.to_string())),
                    format!(
                        "SOPS-encrypted {} `{}`: key `{key}` of `{field}` is not encrypted (value {}); {hint}",
                        obj.kind,
                        obj.name().unwrap_or("<unnamed>"),
                        redact(value)
                    ),
                );
                f.label("plain text in an encrypted file");
            }
        }
    }
}
