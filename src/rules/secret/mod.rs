//! Secrets in Git (rule-families §4).

pub mod plaintext_in_manifest;

/// Values that are not credentials: empty strings and unrendered placeholders
/// (`{{ .Values.x }}`, `${VAR}`, `$(VAR)`, `<password>`, `changeme`, `REPLACE_ME`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let wrapped = |open: &str, close: &str| v.starts_with(open) && v.ends_with(close);
    if wrapped("{{", "}}") || wrapped("${", "}") || wrapped("$(", ")") || wrapped("<", ">") || wrapped("%", "%") {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    let bare: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    matches!(
        bare.as_str(),
        "changeme"
            | "changeit"
            | "replaceme"
            | "placeholder"
            | "redacted"
            | "todo"
            | "tbd"
            | "xxx"
            | "xxxx"
            | "secret"
            | "password"
            | "yourpassword"
            | "example"
            | "dummy"
            | "none"
            | "null"
    ) || bare.chars().all(|c| c == 'x')
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders() {
        for p in [
            "",
            "  ",
            "changeme",
            "CHANGE_ME",
            "${DB_PASSWORD}",
            "$(PASSWORD)",
            "{{ .Values.password }}",
            "<password>",
            "REPLACE_ME",
            "xxxxxx",
            "%PASSWORD%",
        ] {
            assert!(is_placeholder(p), "{p:?}");
        }
        for real in ["hunter2", "s3cr3t-Passw0rd", "AKIAIOSFODNN7EXAMPLE", "dGVzdA=="] {
            assert!(!is_placeholder(real), "{real:?}");
        }
    }
}
