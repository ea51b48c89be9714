//! `secret-plaintext-in-manifest`: a `kind: Secret` committed with values in `data` (base64
//! is an encoding, not encryption) or `stringData` (cleartext). SOPS-encrypted documents are
//! `secret-sops-partially-encrypted`'s business; a service-account-token Secret without data
//! has nothing to report (rule-families §4.1). When every value is empty or a placeholder
//! the finding is `info`; values that are whole SOPS-encrypted files are ciphertext. Values are never printed and are masked in snippets.

use super::{decode_base64, is_placeholder};
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use crate::source::Route;

declare_rule!(PlaintextInManifest, "secret-plaintext-in-manifest");

/// Secret types that carry credentials by definition.
const CREDENTIAL_TYPES: &[&str] = &[
    "kubernetes.io/tls",
    "kubernetes.io/ssh-auth",
    "kubernetes.io/dockerconfigjson",
    "kubernetes.io/dockercfg",
    "kubernetes.io/basic-auth",
];

impl Rule for PlaintextInManifest {
    fn check_object(&self, cx: &ObjectCx<'_>, out: &mut Out<'_>) {
        let obj = cx.obj;
        if obj.kind != "Secret" || obj.api_version != "v1" || obj.sops {
            return;
        }
        let tree = cx.tree;
        let mut fields = Vec::new();
        let mut values = 0usize;
        let mut placeholders = 0usize;
        let mut encrypted = 0usize;
        for field in ["stringData", "data"] {
            let Some(map) = tree.get(obj.root, field) else { continue };
            let entries: Vec<_> = tree.entries(map).collect();
            if entries.is_empty() {
                continue;
            }
            fields.push(field);
            for (_, v) in entries {
                values += 1;
                let text = tree.text(v).unwrap_or("");
                let decoded = if field == "data" { decode_base64(text) } else { None };
                let shown = decoded.as_deref().unwrap_or(text);
                if is_placeholder(shown) {
                    placeholders += 1;
                } else if is_sops_document(shown) {
                    encrypted += 1;
                }
            }
        }
        let Some(first) = fields.first() else { return };
        if encrypted + placeholders == values && encrypted > 0 {
            // SOPS files carried as Secret values (Flux `sops-age` style bundles).
            return;
        }
        let secret_type = tree.get(obj.root, "type").and_then(|t| tree.str(t)).unwrap_or("Opaque");
        let name = match (cx.namespace(), obj.name()) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (_, n) => n.unwrap_or("<unnamed>").to_string(),
        };
        let n = values;
        let f = out.emit(
            cx.at(&Route::root().key(*first)),
            format!(
                "Secret `{name}` ({secret_type}) stores {n} {} in {} unencrypted{}",
                if n == 1 { "value" } else { "values" },
                fields.join(" and "),
                if fields.contains(&"data") {
                    " (base64 is not encryption)"
                } else {
                    ""
                }
            ),
        );
        f.label("committed in plain text");
        if placeholders == n {
            f.at_most(Severity::Info);
            f.help("every value is empty or a placeholder; keep real values out of Git");
        } else if CREDENTIAL_TYPES.contains(&secret_type) {
            f.help(format!(
                "a {secret_type} Secret holds credentials by definition; rotate them"
            ));
        }
    }
}

/// A whole SOPS-encrypted file (JSON, YAML, dotenv or INI) held as one value.
fn is_sops_document(text: &str) -> bool {
    text.contains("ENC[AES256_GCM,")
        && (text.contains("\"sops\"") || text.contains("sops:") || text.contains("sops_mac="))
}
