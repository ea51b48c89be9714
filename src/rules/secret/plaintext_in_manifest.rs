//! `secret-plaintext-in-manifest`: a `kind: Secret` committed with values in `data` (base64
//! is an encoding, not encryption) or `stringData` (cleartext). SOPS-encrypted documents are
//! exempt (rule-families §4.1). Values are never printed.

use super::is_placeholder;
use crate::declare_rule;
use crate::engine::{ObjectCx, Out, Rule, Severity};
use crate::source::Route;

declare_rule!(PlaintextInManifest, "secret-plaintext-in-manifest");

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
                if is_placeholder(decoded.as_deref().unwrap_or(text)) {
                    placeholders += 1;
                }
            }
        }
        let Some(first) = fields.first() else { return };
        let secret_type = tree.get(obj.root, "type").and_then(|t| tree.str(t)).unwrap_or("Opaque");
        let name = match (cx.namespace(), obj.name()) {
            (Some(ns), Some(n)) => format!("{ns}/{n}"),
            (_, n) => n.unwrap_or("<unnamed>").to_string(),
        };
        let plural = if values == 1 { "value" } else { "values" };
        let f = out.emit(
            cx.at(&Route::root().key(*first)),
            format!(
                "Secret `{name}` ({secret_type}) stores {values} {plural} in {} unencrypted (base64 is not encryption)",
                fields.join(" and ")
            ),
        );
        f.label("committed in plain text");
        if placeholders == values {
            f.at_most(Severity::Info);
            f.help("every value is empty or a placeholder; keep real values out of Git");
        }
    }
}

/// Decodes standard base64 (for placeholder checks only; nothing decoded is shown).
fn decode_base64(text: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()?;
    String::from_utf8(bytes).ok()
}
