//! What may be a secret, wherever it is written: placeholder and sensitive-name heuristics,
//! token patterns compiled once, private keys, URL credentials, entropy, a walker over an
//! object's strings, and redaction. The secret rules report from these; the run masks every
//! span they find in every snippet, whichever rules are selected or suppressed.

use super::object::Object;
use super::views::Workload;
use crate::source::{NodeId, NodeKind, Route, Span, Tree};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::sync::LazyLock;

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

/// Words that make a `…_KEY` name a credential (`AZURE_STORAGE_ACCOUNT_KEY`,
/// `SIGNING_KEY`, `MASTER_KEY`), where a bare `KEY` would also catch `CACHE_KEY`.
const KEY_QUALIFIERS: &[&str] = &[
    "ACCOUNT",
    "STORAGE",
    "SIGNING",
    "ENCRYPTION",
    "ENCRYPT",
    "DECRYPTION",
    "MASTER",
    "SHARED",
    "CLIENT",
    "SERVICE",
    "SESSION",
    "COOKIE",
    "HMAC",
    "LICENSE",
    "WEBHOOK",
    "ADMIN",
    "ROOT",
];

/// A name with a credential word (rule-families §4.3, and Polaris' `sensitiveContainerEnvVar`
/// list: `AZURE_*KEY`, `OCI_CLI_KEY_CONTENT`), unless a suffix says it only points at or
/// describes one. `clientSecretFile` and `client-secret.file` count as `CLIENT_SECRET_FILE`.
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
    if NOT_SECRET_SUFFIXES.iter().any(|s| snake.ends_with(s)) {
        return false;
    }
    let words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    let keyed = words.last() == Some(&"KEY")
        && (words.first() == Some(&"AZURE") || words.iter().rev().skip(1).any(|w| KEY_QUALIFIERS.contains(w)));
    let key_material = words
        .windows(2)
        .any(|w| w[0] == "KEY" && matches!(w[1], "CONTENT" | "DATA" | "PEM"));
    SENSITIVE.is_match(name) || keyed || key_material || words.iter().any(|w| matches!(*w, "PWD" | "PASSPHRASE"))
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
    /// Compiled when a string first holds one of the pattern's literals: most runs meet
    /// none, and compiling them all took a quarter of a one-file check.
    regex: std::sync::OnceLock<Regex>,
    source: &'static str,
    /// Minimum entropy of the match, when the source sets one.
    pub min_entropy: f64,
}

impl TokenPattern {
    fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            // ASCII classes: the formats are ASCII, and Unicode `\w`/`\b` cost compile time.
            regex::RegexBuilder::new(self.source)
                .unicode(false)
                .build()
                .expect("static regex")
        })
    }
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
            regex: std::sync::OnceLock::new(),
            source: re,
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
    // Most strings hold no literal: one search says so, without the overlapping search's
    // state.
    if !tokens.prefilter.is_match(s) {
        return None;
    }
    let mut tried = 0u32;
    for m in tokens.prefilter.find_overlapping_iter(s) {
        let i = tokens.owner[m.pattern().as_usize()];
        if tried & (1 << i) != 0 {
            continue;
        }
        tried |= 1 << i;
        let p = &tokens.patterns[i];
        for cap in p.regex().captures_iter(s) {
            let token = cap.get(1).or_else(|| cap.get(0)).map_or("", |m| m.as_str());
            if entropy(token) < p.min_entropy || token.ends_with("EXAMPLE") || is_placeholder(token) {
                continue;
            }
            return Some((p, token.to_string()));
        }
    }
    None
}

/// gitleaks' `[\s\S-]{64,}?` is any 64 characters or more: written `(?s:.)`, the same class,
/// it compiles in half a millisecond rather than in 6 to 9 (the first file with a long
/// string waited for it).
static PRIVATE_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?s:.){64,}?KEY(?: BLOCK)?-----")
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
    // A colon first (one byte, searched fast), as most strings have none.
    if !s.contains(':') || !s.contains("://") {
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
pub fn decoded_values(tree: &Tree<'_>, obj: &Object) -> Vec<(Route, NodeId, String)> {
    let fields: &[&str] = match (obj.kind.as_str(), obj.api_version.as_str()) {
        ("Secret", "v1") => &["data"],
        ("ConfigMap", "v1") => &["binaryData"],
        _ => return Vec::new(),
    };
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

/// The entropy of a string when it looks like an encoded secret: base64-like text above
/// 4.5 bits per character, or hex above 3.0 (detect-secrets' thresholds), 20 characters or
/// more.
pub fn suspicious(s: &str) -> Option<f64> {
    if s.len() < 20 || s.contains(char::is_whitespace) {
        return None;
    }
    let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
    if hex {
        let mut h = entropy(s);
        if s.bytes().all(|b| b.is_ascii_digit()) {
            h -= 1.2 / (s.len() as f64).log2();
        }
        return (s.len() >= 32 && h > 3.0).then_some(h);
    }
    let b64 = s.bytes().all(|b| b.is_ascii_alphanumeric() || b"+/=_-".contains(&b));
    let h = entropy(s);
    (b64 && h > 4.5).then_some(h)
}

/// Names that announce a hash, digest, checksum or ID rather than a secret.
fn innocent_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "hash", "digest", "checksum", "sha", "uid", "uuid", "id", "version", "revision", "commit", "image",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A random-looking string where a credential would be written by hand (an env value, an
/// annotation, a ConfigMap value), under a name that does not announce a hash or an ID:
/// its entropy. Secrets (plain text by definition) and SOPS documents are not looked at.
pub fn high_entropy(tree: &Tree<'_>, obj: &Object, leaf: &Leaf<'_, '_>) -> Option<f64> {
    if obj.sops || obj.kind == "Secret" {
        return None;
    }
    let is_configmap = obj.kind == "ConfigMap" && obj.api_version == "v1";
    let in_env = leaf.key(0) == Some("value") && leaf.key(2) == Some("env");
    let in_annotations = leaf.key(1) == Some("annotations");
    let in_configmap = is_configmap && leaf.path.len() == 2 && leaf.key(1) == Some("data");
    if !(in_env || in_annotations || in_configmap) {
        return None;
    }
    let name = if in_env {
        leaf.parent
            .and_then(|p| tree.get(p, "name"))
            .and_then(|n| tree.str(n))
            .unwrap_or_default()
    } else {
        leaf.key(0).unwrap_or_default()
    };
    if innocent_name(name) {
        return None;
    }
    suspicious(leaf.text)
}

/// A value SOPS encrypted (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`).
pub fn is_sops_encrypted(v: &str) -> bool {
    v.starts_with("ENC[") && v.ends_with(']') && v.contains("data:") && v.contains("iv:") && v.contains("tag:")
}

/// A command-line flag that takes a credential: `--password`, `--db-password`, `--token`,
/// `--api-key`, `--client-secret` (but not `--password-file`, `--token-path` or
/// `--secret-name`, which only point at one).
fn is_credential_flag(flag: &str) -> bool {
    let name = flag.trim_start_matches('-');
    if name.len() < 3 || name.len() == flag.len() {
        return false;
    }
    let snake = name.to_ascii_uppercase().replace(['-', '.'], "_");
    if NOT_SECRET_SUFFIXES.iter().any(|s| snake.ends_with(s)) {
        return false;
    }
    let words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    let last = words.last().copied().unwrap_or_default();
    let pair = words.len().checked_sub(2).map(|i| (words[i], last));
    matches!(
        last,
        "PASSWORD" | "PASSWD" | "PWD" | "TOKEN" | "SECRET" | "APIKEY" | "CREDENTIALS" | "PASSPHRASE"
    ) || matches!(
        pair,
        Some((
            "API" | "ACCESS" | "SECRET" | "PRIVATE" | "CLIENT" | "AUTH" | "MASTER",
            "KEY" | "SECRET" | "TOKEN"
        ))
    )
}

/// The MySQL and MariaDB clients take a password glued to `-p` (`-pS3cret`).
fn is_mysql_client(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    matches!(
        base,
        "mysql"
            | "mysqladmin"
            | "mysqldump"
            | "mysqlimport"
            | "mysqlshow"
            | "mysqlcheck"
            | "mariadb"
            | "mariadb-dump"
            | "mariadb-admin"
    )
}

/// A flag's value that cannot be a credential: a placeholder, a `$(VAR)`/`$VAR` reference,
/// a boolean, a small number or a file path.
fn is_trivial_argument(v: &str) -> bool {
    is_trivial_value(v) || v.starts_with('$') || v.starts_with('-')
}

/// A credential passed on a command line: the index of the argument that holds it (a
/// `--password=…` item, the item after `--token`, a MySQL `-p…`, or a shell script line
/// `sh -c "… --password=… …"`) and the flag that announced it.
pub fn credential_arguments(args: &[&str]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut mysql = false;
    for (i, arg) in args.iter().enumerate() {
        let words: Vec<&str> = arg.split_whitespace().collect();
        if words.len() > 1 {
            // A script: the same forms inside it, the whole item reported.
            let inner = credential_arguments(&words);
            if let Some((_, flag)) = inner.into_iter().next() {
                out.push((i, flag));
            }
            mysql |= words.iter().any(|w| is_mysql_client(w));
            continue;
        }
        mysql |= is_mysql_client(arg);
        if let Some((flag, value)) = arg.split_once('=') {
            if is_credential_flag(flag) && !is_trivial_argument(value) {
                out.push((i, flag.to_string()));
            }
        } else if is_credential_flag(arg) {
            if let Some(next) = args.get(i + 1)
                && !is_trivial_argument(next)
                && !next.contains(char::is_whitespace)
            {
                out.push((i + 1, arg.to_string()));
            }
        } else if mysql
            && arg.len() > 2
            && arg.starts_with("-p")
            && !arg.starts_with("--")
            && !is_trivial_argument(&arg[2..])
        {
            out.push((i, "-p".to_string()));
        }
    }
    out
}

/// The spans of every value in `obj` that may be a secret, whichever rule would report
/// it: Secret values, unencrypted values of SOPS documents, credential-named env values
/// and ConfigMap keys, credentials on command lines, token patterns, private keys, URL
/// passwords and high-entropy literals (`strings`, the object's [`string_hits`]). Text
/// snippets print these spans as `*`.
pub fn secret_spans(tree: &Tree<'_>, obj: &Object, strings: &[StringHit], out: &mut Vec<Span>) {
    let root = obj.root;
    let kind = obj.kind.as_str();
    let v1 = obj.api_version == "v1";
    let mut push = |n: NodeId| out.push(tree.span(n));
    // Whole maps of values.
    for field in ["data", "stringData", "binaryData"] {
        let Some(map) = tree.get(root, field) else { continue };
        for (k, v) in tree.entries(map) {
            let value = tree.text(v).unwrap_or_default();
            let key = tree.key_str(k).unwrap_or_default();
            let secret = (kind == "Secret" && v1)
                || (obj.sops && field != "binaryData" && !value.is_empty() && !is_sops_encrypted(value))
                || (kind == "ConfigMap" && v1 && is_sensitive_name(key) && !is_trivial_value(value));
            if secret {
                push(v);
            }
        }
    }
    // Containers: env literals and command lines.
    if let Some(w) = Workload::of(obj, tree) {
        for c in w.containers() {
            for (i, e) in c.container.env.iter().flatten().enumerate() {
                if e.value
                    .as_deref()
                    .is_some_and(|v| is_sensitive_name(&e.name) && !is_trivial_value(v))
                {
                    push(c.route.key("env").index(i).key("value").walk(tree, root).node);
                }
            }
            for (field, list) in [("command", &c.container.command), ("args", &c.container.args)] {
                let items: Vec<&str> = list.iter().flatten().map(String::as_str).collect();
                for (i, _) in credential_arguments(&items) {
                    let walk = c.route.key(field).index(i).walk(tree, root);
                    if walk.matched == c.route.segs().len() + 2 {
                        push(walk.node);
                    }
                }
            }
        }
    }
    // Any string: tokens, keys, URL passwords, random-looking literals.
    for hit in strings {
        push(hit.node);
    }
}

/// What the detectors that look at every string find in one object, in [`for_each_string`]
/// order: scanned once per object, for the masks ([`secret_spans`]) and the `secret-*` rules
/// that report them (`ObjectCx::string_hits`).
#[derive(Default)]
pub struct StringHits(pub Vec<StringHit>);

/// A string of an object that at least one detector flags.
pub struct StringHit {
    pub node: NodeId,
    pub route: Route,
    /// Its length in characters.
    pub chars: usize,
    pub private_key: bool,
    /// The pattern it matches and the token ([`find_token`]).
    pub token: Option<(&'static TokenPattern, String)>,
    /// The user and password of a URL it holds ([`url_credentials`]).
    pub url: Option<(String, String)>,
    /// Its entropy, where a random-looking literal is suspect ([`high_entropy`]).
    pub entropy: Option<f64>,
}

/// Scans every string of `obj` once with every detector ([`StringHits`]).
pub fn string_hits(tree: &Tree<'_>, obj: &Object) -> StringHits {
    let mut hits = Vec::new();
    for_each_string(tree, obj.root, &mut |leaf| {
        let t = leaf.text;
        let (private_key, token, url, entropy) = (
            has_private_key(t),
            find_token(t),
            url_credentials(t),
            high_entropy(tree, obj, leaf),
        );
        if private_key || token.is_some() || url.is_some() || entropy.is_some() {
            hits.push(StringHit {
                node: leaf.node,
                route: leaf.route(),
                chars: t.chars().count(),
                private_key,
                token,
                url,
                entropy,
            });
        }
    });
    StringHits(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Token patterns compile when first needed: each one compiles.
    #[test]
    fn every_token_pattern_compiles() {
        for p in &TOKEN_SET.patterns {
            let _ = p.regex();
        }
        assert_eq!(TOKEN_SET.patterns.len(), TOKENS.len());
    }

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
            "AZURE_STORAGE_ACCOUNT_KEY",
            "AZURE_CLIENT_KEY",
            "OCI_CLI_KEY_CONTENT",
            "DB_PWD",
            "SIGNING_KEY",
            "JWT_SIGNING_KEY",
            "JWT_SECRET",
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
            "CACHE_KEY",
            "AZURE_REGION",
            "PARTITION_KEY",
            "AZURE_CLIENT_KEY_ID",
            "JWT_POLICY",
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

    #[test]
    fn credentials_on_command_lines() {
        let found = credential_arguments;
        assert_eq!(found(&["--password=S3cr3t-x"]), [(0, "--password".to_string())]);
        assert_eq!(found(&["--token", "abc123def456"]), [(1, "--token".to_string())]);
        assert_eq!(
            found(&["--db-password", "hunter22"]),
            [(1, "--db-password".to_string())]
        );
        assert_eq!(found(&["--client-secret=x7Gh2"]), [(0, "--client-secret".to_string())]);
        assert_eq!(found(&["mysql", "-uroot", "-pS3cr3t"]), [(2, "-p".to_string())]);
        assert_eq!(
            found(&["sh", "-c", "mysqldump -u app -pS3cr3t db > /backup.sql"]),
            [(2, "-p".to_string())]
        );
        // Not credentials: references, files, flags without a value, other programs' -p.
        for args in [
            &["--password=$(DB_PASSWORD)"][..],
            &["--password-file=/etc/secret/pw"],
            &["--token", "--verbose"],
            &["--token-path", "/var/run/token"],
            &["--secret-name=db"],
            &["--authorization-mode=Node,RBAC"],
            &["ss", "-ptn"],
            &["--password", "${PASSWORD}"],
            &["--token=$TOKEN"],
            &["--password", "/etc/pw"],
        ] {
            assert!(found(args).is_empty(), "{args:?}");
        }
    }
}
