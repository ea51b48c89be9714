//! Secrets in Git (rule-families §4): what the secret rules share — placeholder and
//! sensitive-name heuristics, token patterns compiled once, entropy, a walker over an
//! object's strings, and redaction. No value is ever printed: findings show a key and a
//! redacted form, and mask the value in snippets.

use crate::engine::{Finding, ObjectCx};
use crate::source::{NodeId, NodeKind, Route, Span, Tree};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::sync::LazyLock;

pub mod configmap_sensitive;
pub mod env_literal;
pub mod externalsecret_deprecated_api;
pub mod externalsecret_store_missing;
pub mod high_entropy_literal;
pub mod legacy_sa_token;
pub mod plaintext_in_manifest;
pub mod private_key_literal;
pub mod sealed_cluster_wide;
pub mod sops_partially_encrypted;
pub mod spc_missing;
pub mod token_pattern;
pub mod url_credentials;

/// Values that are not credentials: empty strings and unrendered placeholders
/// (`{{ .Values.x }}`, `${VAR}`, `$(VAR)`, `<password>`, `%VAR%`, `changeme`, `REPLACE_ME`,
/// `YOUR_API_KEY`, `INSERT_TOKEN_HERE`).
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || is_shouted_placeholder(v) {
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
            | "secret"
            | "password"
            | "yourpassword"
            | "mypassword"
            | "example"
            | "dummy"
            | "none"
            | "null"
            | "test"
    ) || bare.chars().all(|c| c == 'x')
}

/// `HF_TOKEN`, `GOOGLE_API_KEY_VAL`, `INSERT_ETCD_DISCOVERY_TOKEN`: a SCREAMING_SNAKE_CASE
/// value made of words that name a credential or ask for one.
fn is_shouted_placeholder(v: &str) -> bool {
    const WORDS: &[&str] = &[
        "KEY", "TOKEN", "PASSWORD", "PASS", "SECRET", "YOUR", "INSERT", "REPLACE", "ENTER", "VALUE", "VAL", "HERE",
        "CHANGE", "ME",
    ];
    let shouted = v.contains('_')
        && v.starts_with(|c: char| c.is_ascii_uppercase())
        && v.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    shouted && v.split('_').any(|w| WORDS.contains(&w))
}

/// Names that suggest a credential (rule-families §4.3), minus the usual non-secret
/// suffixes.
static SENSITIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(pass(word|wd)?|secret|token|api[_-]?key|apikey|private[_-]?key|credential|auth(orization)?|bearer|access[_-]?key)")
        .expect("static regex")
});

/// Suffixes of names that mention a credential without holding one: where it is, what it
/// is called, how it is used.
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "_FILE",
    "_PATH",
    "_DIR",
    "_NAME",
    "_ENABLED",
    "_ENABLE",
    "_URL",
    "_URI",
    "_KEYREF",
    "_REF",
    "_ID",
    "_VERSION",
    "_ROLE",
    "_TYPE",
    "_MODE",
    "_METHOD",
    "_PROVIDER",
    "_HOST",
    "_PORT",
    "_USER",
    "_USERNAME",
    "_TTL",
    "_TIMEOUT",
    "_SECONDS",
    "_EXPIRY",
    "_LENGTH",
    "_ENDPOINT",
    "_ISSUER",
    "_AUDIENCE",
    "_SCOPE",
    "_HEADER",
];

/// A name with a credential word (rule-families §4.3), unless a suffix says it only points
/// at or describes one. `clientSecretFile` and `client-secret.file` count as
/// `CLIENT_SECRET_FILE`.
pub fn is_sensitive_name(name: &str) -> bool {
    let mut snake = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            snake.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        snake.push(match c {
            '-' | '.' => '_',
            c => c.to_ascii_uppercase(),
        });
    }
    let excluded = NOT_SECRET_SUFFIXES.iter().any(|s| snake.ends_with(s));
    !excluded && SENSITIVE.is_match(name)
}

/// A literal that cannot be a credential even under a sensitive name: a placeholder, a
/// `$(VAR)` reference, a boolean, a small number or an absolute file path
/// (`GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/google/key.json`).
pub fn is_trivial_value(value: &str) -> bool {
    let v = value.trim();
    is_placeholder(v)
        || (v.starts_with("$(") && v.contains(')'))
        || (v.starts_with('/') && !v.contains(char::is_whitespace) && v.len() > 1)
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off"
        )
        || (v.len() <= 6 && v.bytes().all(|b| b.is_ascii_digit()))
}

/// `AKIA…` (20 chars): the first four characters and the length, never more.
pub fn redact(value: &str) -> String {
    let n = value.chars().count();
    let head: String = value.chars().take(4.min(n / 2)).collect();
    format!("`{head}…` ({n} chars)")
}

/// Shannon entropy in bits per character (gitleaks `shannonEntropy`).
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    let mut n = 0usize;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// A token pattern from a public detector rule set.
pub struct TokenPattern {
    /// The source rule id (`gitleaks:aws-access-token`).
    pub id: &'static str,
    pub provider: &'static str,
    pub regex: Regex,
    /// Minimum entropy of the match, when the source sets one.
    pub min_entropy: f64,
}

/// (source id, provider, regex, minimum entropy, literal prefixes for the prefilter).
const TOKENS: &[(&str, &str, &str, f64, &[&str])] = &[
    (
        "gitleaks:aws-access-token",
        "AWS",
        r"\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        3.0,
        &["A3T", "AKIA", "ASIA", "ABIA", "ACCA"],
    ),
    ("gitleaks:github-pat", "GitHub", r"ghp_[0-9a-zA-Z]{36}", 3.0, &["ghp_"]),
    (
        "gitleaks:github-fine-grained-pat",
        "GitHub",
        r"github_pat_\w{82}",
        3.0,
        &["github_pat_"],
    ),
    (
        "gitleaks:github-oauth",
        "GitHub",
        r"gho_[0-9a-zA-Z]{36}",
        3.0,
        &["gho_"],
    ),
    (
        "gitleaks:github-app-token",
        "GitHub",
        r"(?:ghu|ghs)_[0-9a-zA-Z]{36}",
        3.0,
        &["ghu_", "ghs_"],
    ),
    (
        "gitleaks:github-refresh-token",
        "GitHub",
        r"ghr_[0-9a-zA-Z]{36}",
        3.0,
        &["ghr_"],
    ),
    ("gitleaks:gitlab-pat", "GitLab", r"glpat-[\w-]{20}", 3.0, &["glpat-"]),
    (
        "gitleaks:slack-bot-token",
        "Slack",
        r"xoxb-[0-9]{10,13}-[0-9]{10,13}[a-zA-Z0-9-]*",
        3.0,
        &["xoxb-"],
    ),
    (
        "gitleaks:slack-user-token",
        "Slack",
        r"xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9-]{28,34}",
        2.0,
        &["xoxp-", "xoxe-"],
    ),
    (
        "gitleaks:slack-app-token",
        "Slack",
        r"(?i)xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+",
        2.0,
        &["xapp-", "XAPP-", "Xapp-"],
    ),
    (
        "gitleaks:slack-webhook-url",
        "Slack",
        r"(?:https?://)?hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56}",
        0.0,
        &["hooks.slack.com"],
    ),
    (
        "gitleaks:stripe-access-token",
        "Stripe",
        r"\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})\b",
        2.0,
        &["sk_test_", "sk_live_", "sk_prod_", "rk_test_", "rk_live_", "rk_prod_"],
    ),
    ("gitleaks:gcp-api-key", "Google", r"\b(AIza[\w-]{35})\b", 3.0, &["AIza"]),
    (
        "gitleaks:jwt",
        "JWT",
        r"\b(ey[a-zA-Z0-9]{17,}\.ey[a-zA-Z0-9/\\_-]{17,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)(?:[`'\x22\s;]|\\[nr]|$)",
        3.0,
        &["eyJ"],
    ),
];

struct Tokens {
    prefilter: AhoCorasick,
    /// Pattern index of each prefilter literal.
    owner: Vec<usize>,
    patterns: Vec<TokenPattern>,
}

static TOKEN_SET: LazyLock<Tokens> = LazyLock::new(|| {
    let mut literals = Vec::new();
    let mut owner = Vec::new();
    let mut patterns = Vec::new();
    for (i, (id, provider, re, min_entropy, lits)) in TOKENS.iter().enumerate() {
        patterns.push(TokenPattern {
            id,
            provider,
            // ASCII classes: the formats are ASCII, and Unicode `\w`/`\b` cost compile time.
            regex: regex::RegexBuilder::new(re)
                .unicode(false)
                .build()
                .expect("static regex"),
            min_entropy: *min_entropy,
        });
        for l in *lits {
            literals.push(*l);
            owner.push(i);
        }
    }
    Tokens {
        prefilter: AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&literals)
            .expect("static literals"),
        owner,
        patterns,
    }
});

/// The first token pattern a string matches (after a literal prefilter), with the match.
pub fn find_token(s: &str) -> Option<(&'static TokenPattern, String)> {
    let tokens = &*TOKEN_SET;
    let mut tried = 0u32;
    for m in tokens.prefilter.find_overlapping_iter(s) {
        let i = tokens.owner[m.pattern().as_usize()];
        if tried & (1 << i) != 0 {
            continue;
        }
        tried |= 1 << i;
        let p = &tokens.patterns[i];
        for cap in p.regex.captures_iter(s) {
            let token = cap.get(1).or_else(|| cap.get(0)).map_or("", |m| m.as_str());
            if entropy(token) < p.min_entropy || token.ends_with("EXAMPLE") || is_placeholder(token) {
                continue;
            }
            return Some((p, token.to_string()));
        }
    }
    None
}

static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S-]{64,}?KEY(?: BLOCK)?-----")
        .expect("static regex")
});

/// Private key material (gitleaks `private-key`).
pub fn has_private_key(s: &str) -> bool {
    s.len() > 80 && s.contains("-----") && PRIVATE_KEY.is_match(s)
}

static URL_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[a-z][a-z0-9+.-]*://([^/\s:@]+):([^/\s@]+)@").expect("static regex"));

/// A URL with `user:password@`, when the password is not a placeholder.
pub fn url_credentials(s: &str) -> Option<(String, String)> {
    if !s.contains("://") {
        return None;
    }
    for c in URL_CREDENTIALS.captures_iter(s) {
        let user = c.get(1).map_or("", |m| m.as_str());
        let password = c.get(2).map_or("", |m| m.as_str());
        if is_placeholder(password) || password.starts_with('$') || password.contains("{{") || password.starts_with('<')
        {
            continue;
        }
        return Some((user.to_string(), password.to_string()));
    }
    None
}

/// One step of a leaf's path.
#[derive(Clone, Copy, Debug)]
pub enum Step<'t> {
    Key(&'t str),
    Index(usize),
}

/// A string leaf of an object: its path from the object's root, the mapping that holds it
/// (for a mapping value), its node and its text. The route is built only when asked for.
pub struct Leaf<'p, 't> {
    pub path: &'p [Step<'t>],
    pub parent: Option<NodeId>,
    pub node: NodeId,
    pub text: &'t str,
}

impl Leaf<'_, '_> {
    pub fn route(&self) -> Route {
        self.path.iter().fold(Route::root(), |r, s| match s {
            Step::Key(k) => r.key(k.to_string()),
            Step::Index(i) => r.index(*i),
        })
    }

    /// The key `back` steps from the end of the path (`key(0)` names the leaf itself).
    pub fn key(&self, back: usize) -> Option<&str> {
        let i = self.path.len().checked_sub(back + 1)?;
        match self.path[i] {
            Step::Key(k) => Some(k),
            Step::Index(_) => None,
        }
    }
}

/// Calls `f` on every string scalar under `root`, in document order, without allocating
/// per node. Aliases are not followed; a top-level `sops` block (encryption metadata) is
/// skipped.
pub fn for_each_string<'t>(tree: &'t Tree<'_>, root: NodeId, f: &mut dyn FnMut(&Leaf<'_, 't>)) {
    fn visit<'t>(
        tree: &'t Tree<'_>,
        node: NodeId,
        parent: Option<NodeId>,
        path: &mut Vec<Step<'t>>,
        f: &mut dyn FnMut(&Leaf<'_, 't>),
    ) {
        match &tree.node(node).kind {
            NodeKind::Scalar { .. } => {
                if let Some(text) = tree.str(node) {
                    f(&Leaf {
                        path,
                        parent,
                        node,
                        text,
                    });
                }
            }
            NodeKind::Seq { .. } => {
                for (i, item) in tree.items(node).iter().enumerate() {
                    path.push(Step::Index(i));
                    visit(tree, *item, None, path, f);
                    path.pop();
                }
            }
            NodeKind::Map { .. } => {
                for (k, v) in tree.entries(node) {
                    let Some(name) = tree.key_str(k) else { continue };
                    if path.is_empty() && name == "sops" {
                        continue;
                    }
                    path.push(Step::Key(name));
                    visit(tree, v, Some(node), path, f);
                    path.pop();
                }
            }
            NodeKind::Alias { .. } => {}
        }
    }
    visit(tree, root, None, &mut Vec::new(), f);
}

/// A base64 value (line breaks allowed) decoded to text, when it is text. What is decoded
/// is matched, never shown.
pub fn decode_base64(text: &str) -> Option<String> {
    use base64::Engine;
    let compact: String = text.split_whitespace().collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(compact).ok()?;
    String::from_utf8(bytes).ok()
}

/// `data`/`binaryData` values of Secrets and ConfigMaps, base64-decoded when they are text:
/// (route, value node, decoded text).
pub fn decoded_values(cx: &ObjectCx<'_>) -> Vec<(Route, NodeId, String)> {
    let obj = cx.obj;
    let fields: &[&str] = match (obj.kind.as_str(), obj.api_version.as_str()) {
        ("Secret", "v1") => &["data"],
        ("ConfigMap", "v1") => &["binaryData"],
        _ => return Vec::new(),
    };
    let tree = cx.tree;
    let mut out = Vec::new();
    for field in fields {
        let Some(map) = tree.get(obj.root, field) else { continue };
        for (k, v) in tree.entries(map) {
            let (Some(key), Some(text)) = (tree.key_str(k), tree.str(v)) else {
                continue;
            };
            let Some(decoded) = decode_base64(text) else {
                continue;
            };
            out.push((Route::root().key(*field).key(key.to_string()), v, decoded));
        }
    }
    out
}

/// Masks a value in the snippets of a finding.
pub fn masked(f: &mut Finding, span: Span) -> &mut Finding {
    f.masks.push(span);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "HF_TOKEN",
            "GOOGLE_API_KEY_VAL",
            "INSERT_ETCD_DISCOVERY_TOKEN",
            "YOUR_PASSWORD_HERE",
        ] {
            assert!(is_placeholder(p), "{p:?}");
        }
        for real in [
            "hunter2",
            "s3cr3t-Passw0rd",
            "AKIAIOSFODNN7EXAMPL3",
            "dGVzdA==",
            "PROD_2024",
            "Q7_XK9_ZT",
        ] {
            assert!(!is_placeholder(real), "{real:?}");
        }
    }

    #[test]
    fn sensitive_names() {
        for n in [
            "DB_PASSWORD",
            "api_key",
            "GITHUB_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "passwd",
            "ClientSecret",
            "clientSecret",
        ] {
            assert!(is_sensitive_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "TOKEN_PATH",
            "SECRET_NAME",
            "AUTH_ENABLED",
            "LOG_LEVEL",
            "PORT",
            "clientSecretFile",
            "SECRET_ID",
            "GF_AUTH_ANONYMOUS_ORG_ROLE",
        ] {
            assert!(!is_sensitive_name(n), "{n}");
        }
    }

    #[test]
    fn tokens() {
        let (p, _) = find_token("key=AKIAZ7VRSUL4KQ2MWB3X").expect("aws");
        assert_eq!(p.id, "gitleaks:aws-access-token");
        assert!(
            find_token("AKIAIOSFODNN7EXAMPLE").is_none(),
            "AWS documentation examples are allowed"
        );
        assert!(find_token("token: ghp_1234567890abcdefghijABCDEFGHIJ123456").is_some());
        assert!(find_token("just some text").is_none());
        assert!(find_token("xoxb-1234567890123-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx").is_some());
        assert!(find_token("sk_live_4eC39HqLyjWDarjtT1zdp7dc").is_some());
    }

    #[test]
    fn urls_and_keys() {
        assert_eq!(
            url_credentials("postgres://app:Sup3rS3cret@db:5432/app"),
            Some(("app".into(), "Sup3rS3cret".into()))
        );
        assert_eq!(url_credentials("postgres://app:${DB_PASSWORD}@db/app"), None);
        assert_eq!(url_credentials("https://example.com/a:b@c"), None);
        let key = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
            "A".repeat(80)
        );
        assert!(has_private_key(&key));
        assert!(!has_private_key(
            "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"
        ));
    }

    #[test]
    fn redaction_shows_little() {
        assert_eq!(redact("AKIAZ7VRSUL4KQ2MWB3X"), "`AKIA…` (20 chars)");
        assert_eq!(redact("abc"), "`a…` (3 chars)");
    }
}
