//! Container image references, parsed with the grammar of `distribution/reference`
//! (rule-families §3.1).

use std::fmt;
use std::ops::Range;

/// A parsed image reference. Ranges are character ranges into [`ImageRef::raw`], so that a
/// finding can underline the tag or the digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub raw: &'a str,
    /// The registry as written (`ghcr.io`, `localhost:5000`); `None` means Docker Hub.
    pub domain: Option<&'a str>,
    /// The repository path as written (`library/nginx`, `org/app`, or `nginx`).
    pub path: &'a str,
    pub tag: Option<&'a str>,
    /// `algorithm:hex`.
    pub digest: Option<&'a str>,
    /// Characters of `:tag` (colon included).
    pub tag_range: Option<Range<usize>>,
    /// Characters of `@digest` (at sign included).
    pub digest_range: Option<Range<usize>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageError(pub String);

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const NAME_TOTAL_MAX: usize = 255;

impl<'a> ImageRef<'a> {
    pub fn parse(raw: &'a str) -> Result<ImageRef<'a>, ImageError> {
        let err = |m: &str| Err(ImageError(m.to_string()));
        if raw.is_empty() {
            return err("the reference is empty");
        }
        if raw.chars().any(|c| c.is_whitespace()) {
            return err("the reference contains whitespace");
        }
        let (name_tag, digest) = match raw.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (raw, None),
        };
        let mut digest_range = None;
        if let Some(d) = digest {
            validate_digest(d)?;
            let start = name_tag.chars().count();
            digest_range = Some(start..start + 1 + d.chars().count());
        }
        let last_slash = name_tag.rfind('/');
        let (name, tag) = match name_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|s| colon > s) => (&name_tag[..colon], Some(&name_tag[colon + 1..])),
            _ => (name_tag, None),
        };
        let mut tag_range = None;
        if let Some(t) = tag {
            if !valid_tag(t) {
                return err("the tag must match [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
            }
            let start = name.chars().count();
            tag_range = Some(start..start + 1 + t.chars().count());
        }
        if name.is_empty() {
            return err("the repository name is empty");
        }
        if name.len() > NAME_TOTAL_MAX {
            return err("the repository name is longer than 255 characters");
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, rest)) if is_domain_like(first) => (Some(first), rest),
            _ => (None, name),
        };
        if let Some(d) = domain {
            validate_domain(d)?;
        }
        if path.chars().any(|c| c.is_ascii_uppercase()) {
            return err("the repository name must be lowercase");
        }
        for component in path.split('/') {
            if !valid_path_component(component) {
                return Err(ImageError(format!(
                    "`{}` is not a valid path component (lowercase letters and digits, separated by `.`, `_`, `__` or `-`)",
                    crate::source::excerpt(component)
                )));
            }
        }
        Ok(ImageRef {
            raw,
            domain,
            path,
            tag,
            digest,
            tag_range,
            digest_range,
        })
    }

    /// The registry images are pulled from: as written, else `docker.io`.
    pub fn registry(&self) -> &'a str {
        match self.domain {
            Some("index.docker.io") | None => "docker.io",
            Some(d) => d,
        }
    }

    /// The repository with Docker Hub's `library/` for single-component names.
    pub fn repository(&self) -> String {
        if self.registry() == "docker.io" && !self.path.contains('/') {
            format!("library/{}", self.path)
        } else {
            self.path.to_string()
        }
    }

    /// Docker's canonical form: `docker.io/library/nginx:latest`, or with `@digest` (the
    /// tag is dropped: a runtime pulls by digest).
    pub fn canonical(&self) -> String {
        let base = format!("{}/{}", self.registry(), self.repository());
        match self.digest {
            Some(d) => format!("{base}@{d}"),
            None => format!("{base}:{}", self.tag.unwrap_or("latest")),
        }
    }

    /// The string Kyverno matches `imageReferences` against: the default registry
    /// `docker.io` prepended without `library/`, a missing tag as `latest`, and with a digest
    /// the digest only (current Kyverno drops the tag): `nginx` → `docker.io/nginx:latest`.
    pub fn kyverno_string(&self) -> String {
        let base = format!("{}/{}", self.domain.unwrap_or("docker.io"), self.path);
        match self.digest {
            Some(d) => format!("{base}@{d}"),
            None => format!("{base}:{}", self.tag.unwrap_or("latest")),
        }
    }

    /// The string Sigstore policy-controller matches globs against (go-containerregistry
    /// `ref.Name()`): Docker Hub as `index.docker.io` with `library/` for official images, a
    /// missing tag as `latest`: `nginx` → `index.docker.io/library/nginx:latest`.
    pub fn cip_string(&self) -> String {
        let registry = match self.domain {
            None | Some("docker.io") => "index.docker.io",
            Some(d) => d,
        };
        let path = if registry == "index.docker.io" && !self.path.contains('/') {
            format!("library/{}", self.path)
        } else {
            self.path.to_string()
        };
        match self.digest {
            Some(d) => format!("{registry}/{path}@{d}"),
            None => format!("{registry}/{path}:{}", self.tag.unwrap_or("latest")),
        }
    }

    /// Pinned: a digest is present (whatever the tag).
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some()
    }

    /// Unpinned with no tag or the `latest` tag: whatever was pushed last.
    pub fn is_mutable(&self) -> bool {
        !self.is_pinned() && matches!(self.tag, None | Some("latest"))
    }
}

/// The first path element is a registry iff it contains `.` or `:`, is `localhost`, or has
/// an uppercase letter (`splitDockerDomain`).
fn is_domain_like(first: &str) -> bool {
    first.contains(['.', ':']) || first == "localhost" || first.chars().any(|c| c.is_ascii_uppercase())
}

fn validate_domain(d: &str) -> Result<(), ImageError> {
    let bad = || {
        Err(ImageError(format!(
            "`{}` is not a valid registry host",
            crate::source::excerpt(d)
        )))
    };
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        // [IPv6]:port
        let Some((v6, after)) = rest.split_once(']') else {
            return bad();
        };
        if v6.is_empty() || !v6.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return bad();
        }
        match after {
            "" => return Ok(()),
            p => match p.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return bad(),
            },
        }
    } else {
        match d.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return bad();
    }
    if host.is_empty() && port.is_some() && d.starts_with('[') {
        return Ok(());
    }
    for component in host.split('.') {
        let b = component.as_bytes();
        let ok = !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-');
        if !ok {
            return bad();
        }
    }
    Ok(())
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*` with separator `[_.] | "__" | "-"+`.
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty() && b.len() <= 128 && word(b[0]) && b.iter().all(|x| word(*x) || *x == b'.' || *x == b'-')
}

/// `algorithm ":" hex`, then the per-algorithm check of go-digest: sha256 is exactly 64
/// lowercase hex characters, sha384 96, sha512 128.
fn validate_digest(d: &str) -> Result<(), ImageError> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Err(ImageError(
            "the digest must be `algorithm:hex` (e.g. `sha256:` and 64 hex characters)".into(),
        ));
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '_', '-']).all(|c| {
            c.chars().next().is_some_and(|f| f.is_ascii_alphabetic()) && c.chars().all(|x| x.is_ascii_alphanumeric())
        });
    if !alg_ok {
        return Err(ImageError(format!(
            "`{}` is not a valid digest algorithm",
            crate::source::excerpt(alg)
        )));
    }
    let len = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            return Err(ImageError(format!(
                "unsupported digest algorithm `{alg}` (sha256, sha384, sha512)"
            )));
        }
    };
    if hex.len() != len || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(ImageError(format!(
            "a {alg} digest must be exactly {len} lowercase hex characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:7cc4b5aefd1d0cadf8d97d4350462ba51c694ebca145b08d7d41b41acc8db5aa";

    #[test]
    fn parses_common_references() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!((r.domain, r.path, r.tag, r.digest), (None, "nginx", None, None));
        assert_eq!(r.canonical(), "docker.io/library/nginx:latest");

        let r = ImageRef::parse("nginx:1.25-alpine").unwrap();
        assert_eq!(r.tag, Some("1.25-alpine"));
        assert_eq!(r.tag_range, Some(5..17));

        let r = ImageRef::parse("localhost:5000/team/app:v2").unwrap();
        assert_eq!(
            (r.domain, r.path, r.tag),
            (Some("localhost:5000"), "team/app", Some("v2"))
        );

        let raw = format!("ghcr.io/org/app:v1@{D}");
        let r = ImageRef::parse(&raw).unwrap();
        assert_eq!(r.registry(), "ghcr.io");
        assert!(r.is_pinned());
        assert_eq!(r.canonical(), format!("ghcr.io/org/app@{D}"));
        assert_eq!(r.digest_range, Some(18..18 + 1 + D.len()));

        let r = ImageRef::parse("index.docker.io/library/busybox").unwrap();
        assert_eq!(r.canonical(), "docker.io/library/busybox:latest");
        let r = ImageRef::parse("bitnami/redis:7.2").unwrap();
        assert_eq!(r.canonical(), "docker.io/bitnami/redis:7.2");
        let r = ImageRef::parse("gcr.io/google-samples/microservices-demo/frontend:v0.10.1").unwrap();
        assert_eq!(r.path, "google-samples/microservices-demo/frontend");
        let r = ImageRef::parse("[::1]:5000/app").unwrap();
        assert_eq!(r.domain, Some("[::1]:5000"));
        let r = ImageRef::parse("registry.k8s.io/ingress-nginx/controller:v1.5.1@sha256:4ba73c697770664c1e00e9f968de14e08f606ff961c76e5d7033a4a9c593c629").unwrap();
        assert!(r.is_pinned());
        let r = ImageRef::parse("my__repo/a-b--c.d_e").unwrap();
        assert_eq!(r.path, "my__repo/a-b--c.d_e");
    }

    #[test]
    fn engine_normalisations() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!(r.kyverno_string(), "docker.io/nginx:latest");
        assert_eq!(r.cip_string(), "index.docker.io/library/nginx:latest");
        assert_eq!(r.canonical(), "docker.io/library/nginx:latest");
        let r = ImageRef::parse("bitnami/redis:7.2").unwrap();
        assert_eq!(r.kyverno_string(), "docker.io/bitnami/redis:7.2");
        assert_eq!(r.cip_string(), "index.docker.io/bitnami/redis:7.2");
        let raw = format!("ghcr.io/a/b:v1@{D}");
        let r = ImageRef::parse(&raw).unwrap();
        assert_eq!(r.kyverno_string(), format!("ghcr.io/a/b@{D}"));
        assert_eq!(r.cip_string(), format!("ghcr.io/a/b@{D}"));
        let r = ImageRef::parse("docker.io/library/nginx:1.27").unwrap();
        assert_eq!(r.kyverno_string(), "docker.io/library/nginx:1.27");
        assert_eq!(r.cip_string(), "index.docker.io/library/nginx:1.27");
    }

    #[test]
    fn rejects_invalid_references() {
        for bad in [
            "",
            "Nginx",
            "docker.io/Library/nginx",
            "nginx:",
            "nginx:-x",
            "nginx@sha256:abc",
            &format!("nginx@{}", D.to_uppercase().replacen("SHA256", "sha256", 1)),
            "nginx@md5:0123456789abcdef0123456789abcdef",
            "nginx @sha256:x",
            "a//b",
            "-a/b",
            "a/b-",
            "a/b___c",
            "my.registry:port/app",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad:?} should be invalid");
        }
    }
}
