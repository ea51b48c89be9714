//! The two pattern dialects image-verification policies use (rule-families §3.2).
//!
//! `globset` does not fit either: Kyverno's `*` crosses `/` and its `.` is a one-character
//! wildcard (go-wildcard v2), and policy-controller's `**` is allowed anywhere in a pattern
//! (`repo:**`), not only as a whole path component. Both are written out here.

use regex::Regex;

/// Kyverno `imageReferences` (`ext/wildcard` → `github.com/IGLOU-EU/go-wildcard/v2`): `*` is
/// any sequence (including `/`, `:` and `@`); `?` and `.` are any one character; the match
/// is whole-string.
pub fn kyverno_matches(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    // Greedy matching with backtracking to the last `*`: linear in practice.
    let (mut i, mut j) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == '.' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

/// A compiled policy-controller glob (`pkg/apis/glob`).
#[derive(Clone, Debug)]
pub struct CipGlob {
    regex: Regex,
}

impl CipGlob {
    /// Compiles a glob: characters outside `[a-zA-Z0-9-_:/*.@]` are invalid (`validGlob` of
    /// `pkg/apis/glob`; `@` so that a digest can be named); `**` is `.*`, `*`
    /// is `[^/]*` (it crosses `:` and `@`, not `/`), `.` is a literal dot, the match is
    /// anchored. `*` alone means `index.docker.io/library/*` and `*/*` means
    /// `index.docker.io/*/*`.
    pub fn new(glob: &str) -> Result<CipGlob, String> {
        if let Some(bad) = glob
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-_:/*.@".contains(*c)))
        {
            return Err(format!(
                "`{bad}` is not allowed in a glob (allowed: letters, digits, - _ : / * . @)"
            ));
        }
        let glob = match glob {
            "*" => "index.docker.io/library/*",
            "*/*" => "index.docker.io/*/*",
            g => g,
        };
        let mut re = String::from("^");
        let mut chars = glob.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    re.push_str(".*");
                }
                '*' => re.push_str("[^/]*"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        Regex::new(&re)
            .map(|regex| CipGlob { regex })
            .map_err(|e| e.to_string())
    }

    /// Matches the canonical string, then (deprecated fallback) the raw reference.
    pub fn matches(&self, canonical: &str, raw: &str) -> bool {
        self.regex.is_match(canonical) || (raw != canonical && self.regex.is_match(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kyverno_wildcards() {
        assert!(kyverno_matches("ghcr.io/org/*", "ghcr.io/org/team/app:v1"));
        assert!(kyverno_matches("docker.io/*", "docker.io/nginx:latest"));
        // `docker.io/library/*` never matches an official image: Kyverno prepends `docker.io/`
        // without `library/`.
        assert!(!kyverno_matches("docker.io/library/*", "docker.io/nginx:latest"));
        // `.` is a one-character wildcard in go-wildcard v2.
        assert!(kyverno_matches("ghcr.io/*", "ghcrXio/a:b"));
        assert!(kyverno_matches(
            "my-bucket/In*/Ka*/Ban",
            "my-bucket/India/State1/State2/Karnataka/Ban"
        ));
        assert!(kyverno_matches("ghcr.io/org/app:*", "ghcr.io/org/app:v1"));
        assert!(!kyverno_matches("ghcr.io/org/app:*", "ghcr.io/org/app@sha256:00"));
        assert!(kyverno_matches("a?c", "a/c"));
        assert!(!kyverno_matches("abc", "abcd"));
    }

    #[test]
    fn cip_globs() {
        let g = |p: &str| CipGlob::new(p).unwrap();
        assert!(g("ghcr.io/*/*").matches("ghcr.io/foo/bar", "ghcr.io/foo/bar"));
        assert!(!g("ghcr.io/*/*").matches("ghcr.io/foo", "ghcr.io/foo"));
        assert!(g("ghcr.io/**").matches("ghcr.io/foo", "ghcr.io/foo"));
        assert!(g("ghcr.io/**").matches("ghcr.io/foo/bar:v1", "x"));
        assert!(!g("ghcr.io/foo").matches("ghcr.io/foo-suffix", "ghcr.io/foo-suffix"));
        // `*` does not cross `/`: ghcr.io/org/* does not match ghcr.io/org/team/app.
        assert!(!g("ghcr.io/org/*").matches("ghcr.io/org/team/app:latest", "ghcr.io/org/team/app"));
        assert!(g("ghcr.io/org/*").matches("ghcr.io/org/app:latest", "ghcr.io/org/app"));
        // `*` crosses `:` and `@`.
        assert!(g("ghcr.io/org/app*").matches("ghcr.io/org/app:v1", "x"));
        assert!(g("ghcr.io/org/app:**").matches("ghcr.io/org/app:v1", "x"));
        // Special cases.
        assert!(g("*").matches("index.docker.io/library/nginx:latest", "nginx"));
        assert!(g("*/*").matches("index.docker.io/bitnami/redis:7", "bitnami/redis:7"));
        // The raw reference is tried too (a registry-less glob works only through it).
        assert!(g("nginx*").matches("index.docker.io/library/nginx:latest", "nginx"));
        assert!(CipGlob::new("ghcr.io/org/{a,b}").is_err());
    }
}
