//! The Kubernetes URLs library (`k8s.io/apiserver/pkg/cel/library/urls.go`): `url`,
//! `isURL` and the accessors of `kubernetes.URL`.
//!
//! A URL is validated as Go's `url.ParseRequestURI` does (an absolute URI, or an absolute
//! path), then split as `url.Parse` does (a `#fragment` is dropped). The parsing is by
//! hand, following Go's `net/url`.

use super::{FunctionInfo, opaque_val};
use cel::common::types::{CelBool, CelList, CelMap, CelMapKey, CelString, Kind, Type};
use cel::common::value::Val;
use cel::{DeclarationError, Env, ExecutionError};
use std::collections::HashMap;

/// The CEL type of URLs.
pub(super) static URL_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.URL");

/// A `kubernetes.URL` value, split as Go's `url.Parse` splits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// Lowercased.
    scheme: String,
    /// `host[:port]` as written, brackets of an IPv6 literal included.
    host: String,
    /// The path as written (escaped).
    path: String,
    /// The query without its `?`.
    query: String,
}

opaque_val!(Url, URL_TYPE);

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("url", false),
    info("isURL", false),
    info("getScheme", true),
    info("getHost", true),
    info("getHostname", true),
    info("getPort", true),
    info("getEscapedPath", true),
    info("getQuery", true),
];

const fn info(name: &'static str, receiver: bool) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities: if receiver { &[0] } else { &[1] },
        since: 0,
        library: "urls",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(URL_TYPE.to_owned())?;
    cel::add_overload!(env, fn url: (CelString) -> Result<Url>)?;
    cel::add_overload!(env, fn is_url: (CelString) -> CelBool, name = "isURL")?;
    cel::add_member_overload!(env, fn get_scheme: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_host: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_hostname: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_port: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_escaped_path: (Url) -> CelString)?;
    cel::add_member_overload!(env, fn get_query: (Url) -> CelMap)?;
    Ok(())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Checks the `%` escapes of `s`: each followed by two hex digits.
fn check_escapes(s: &str) -> Result<(), String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                let end = (i + 3).min(bytes.len());
                return Err(format!(
                    "invalid URL escape {:?}",
                    String::from_utf8_lossy(&bytes[i..end])
                ));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// The scheme of `s` and the rest, as Go's `getScheme` splits them.
fn split_scheme(s: &str) -> Result<(&str, &str), String> {
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            '0'..='9' | '+' | '-' | '.' => return Ok(("", s)),
            ':' if i == 0 => return Err("missing protocol scheme".to_owned()),
            ':' => return Ok((&s[..i], &s[i + 1..])),
            _ => return Ok(("", s)),
        }
    }
    Ok(("", s))
}

/// Validates `host[:port]` as Go's `parseHost` does.
fn check_host(host: &str) -> Result<(), String> {
    let port = if let Some(rest) = host.strip_prefix('[') {
        let Some(end) = rest.find(']') else {
            return Err("missing ']' in host".to_owned());
        };
        &rest[end + 1..]
    } else {
        match host.rfind(':') {
            Some(colon) => &host[colon..],
            None => "",
        }
    };
    if !port.is_empty() && (!port.starts_with(':') || !port[1..].bytes().all(|b| b.is_ascii_digit())) {
        return Err(format!("invalid port {port:?} after host"));
    }
    check_escapes(host)?;
    for c in host.chars() {
        let ok = c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:[]<>\"%".contains(c) || !c.is_ascii();
        if !ok {
            return Err(format!("invalid character {:?} in host name", c.to_string()));
        }
    }
    Ok(())
}

/// Parses `s` as Go's `url.ParseRequestURI`, then drops the fragment as `url.Parse` does.
/// The error reads as Go's: `parse "x": invalid URI for request`.
pub(super) fn parse(s: &str) -> Result<Url, String> {
    let error = |e: String| format!("parse {s:?}: {e}");
    if s.is_empty() {
        return Err(error("empty url".to_owned()));
    }
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Err(error("net/url: invalid control character in URL".to_owned()));
    }
    let (scheme, rest) = split_scheme(s).map_err(error)?;
    // `url.Parse` cuts the fragment; `ParseRequestURI` keeps it in the path or query,
    // where it is valid too.
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q),
        None => (rest, ""),
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            // an opaque URI, such as `mailto:someone@example.com`
            return Ok(Url {
                scheme: scheme.to_ascii_lowercase(),
                host: String::new(),
                path: String::new(),
                query: query.to_owned(),
            });
        }
        return Err(error("invalid URI for request".to_owned()));
    }
    let (host, path) = match rest.strip_prefix("//") {
        Some(authority_path) if !scheme.is_empty() => {
            let (authority, path) = match authority_path.find('/') {
                Some(i) => authority_path.split_at(i),
                None => (authority_path, ""),
            };
            let host = match authority.rfind('@') {
                Some(at) => {
                    let userinfo = &authority[..at];
                    let valid = userinfo
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
                    if !valid {
                        return Err(error("net/url: invalid userinfo".to_owned()));
                    }
                    &authority[at + 1..]
                }
                None => authority,
            };
            check_host(host).map_err(error)?;
            (host, path)
        }
        _ => ("", rest),
    };
    check_escapes(path).map_err(error)?;
    Ok(Url {
        scheme: scheme.to_ascii_lowercase(),
        host: host.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
    })
}

fn url(s: &CelString<'_>) -> Result<Url, ExecutionError> {
    parse(s.inner()).map_err(|e| {
        ExecutionError::function_error("url", format!("URL parse error during conversion from string: {e}"))
    })
}

fn is_url(s: &CelString<'_>) -> CelBool {
    CelBool::from(parse(s.inner()).is_ok())
}

fn get_scheme(u: &Url) -> CelString<'static> {
    CelString::from(u.scheme.clone())
}

fn get_host(u: &Url) -> CelString<'static> {
    CelString::from(u.host.clone())
}

/// `host` and `port` of `u.host`, brackets of an IPv6 literal removed.
fn split_host_port(host: &str) -> (&str, &str) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.find(']') {
            Some(end) => (&rest[..end], rest[end + 1..].strip_prefix(':').unwrap_or("")),
            None => (rest, ""),
        };
    }
    match host.rfind(':') {
        Some(colon) => (&host[..colon], &host[colon + 1..]),
        None => (host, ""),
    }
}

fn get_hostname(u: &Url) -> CelString<'static> {
    CelString::from(split_host_port(&u.host).0.to_owned())
}

fn get_port(u: &Url) -> CelString<'static> {
    CelString::from(split_host_port(&u.host).1.to_owned())
}

/// The path as written when its escaping is valid, else escaped as Go's `EscapedPath`.
fn get_escaped_path(u: &Url) -> CelString<'static> {
    let valid = u
        .path
        .bytes()
        .all(|b| is_unreserved(b) || b"!$&'()*+,;=:@[]%/".contains(&b));
    if valid {
        return CelString::from(u.path.clone());
    }
    let decoded = percent_decode(&u.path, false).unwrap_or_else(|| u.path.as_bytes().to_vec());
    let mut out = String::new();
    for b in decoded {
        if is_unreserved(b) || b"$&+,/:;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    CelString::from(out)
}

/// `s` with its `%` escapes decoded (and `+` as a space in a query); `None` for an
/// invalid escape.
fn percent_decode(s: &str, query: bool) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if query => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(out)
}

/// The query parameters, as Go's `url.ParseQuery` reads them: pairs with a `;` or an
/// invalid escape are left out.
fn get_query(u: &Url) -> CelMap<'static> {
    let mut params: Vec<(String, Vec<String>)> = Vec::new();
    for pair in u.query.split('&') {
        if pair.is_empty() || pair.contains(';') {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (percent_decode(k, true), percent_decode(v, true)) else {
            continue;
        };
        let (k, v) = (
            String::from_utf8_lossy(&k).into_owned(),
            String::from_utf8_lossy(&v).into_owned(),
        );
        match params.iter_mut().find(|(key, _)| *key == k) {
            Some((_, values)) => values.push(v),
            None => params.push((k, vec![v])),
        }
    }
    let map: HashMap<CelMapKey<'static>, Box<dyn Val>> = params
        .into_iter()
        .map(|(k, values)| {
            let list: Vec<Box<dyn Val>> = values
                .into_iter()
                .map(|v| Box::new(CelString::from(v)) as Box<dyn Val>)
                .collect();
            (CelMapKey::from(k), Box::new(CelList::from(list)) as Box<dyn Val>)
        })
        .collect();
    CelMap::from(map)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn validation() {
        check(&[
            ("isURL('https://kubernetes.io/')", Value::Bool(true)),
            ("isURL('https://kubernetes.io')", Value::Bool(true)),
            ("isURL('http://user:pass@host:8080/p')", Value::Bool(true)),
            ("isURL('/absolute-path')", Value::Bool(true)),
            ("isURL('mailto:someone@example.com')", Value::Bool(true)),
            ("isURL('../relative-path')", Value::Bool(false)),
            ("isURL('relative')", Value::Bool(false)),
            ("isURL('')", Value::Bool(false)),
            ("isURL('://missing')", Value::Bool(false)),
            ("isURL('https://kubernetes.io:port/')", Value::Bool(false)),
            ("isURL('https://kuber netes.io/')", Value::Bool(false)),
            ("isURL('https://kubernetes.io/%zz')", Value::Bool(false)),
            ("isURL('https://[::1/')", Value::Bool(false)),
            // the examples of the library's documentation
            (
                "isURL('https://user:pass@example.com:80/path?query=val#fragment')",
                Value::Bool(true),
            ),
            ("isURL('https://a:b:c/')", Value::Bool(false)),
        ]);
        check_err(&[
            (
                "url('../relative-path')",
                "URL parse error during conversion from string",
            ),
            ("url('https://kubernetes.io/%zz')", "invalid URL escape"),
        ]);
    }

    #[test]
    fn accessors() {
        check(&[
            ("url('https://kubernetes.io/').getScheme()", Value::from("https")),
            ("url('HTTPS://kubernetes.io/').getScheme()", Value::from("https")),
            ("url('/absolute-path').getScheme()", Value::from("")),
            (
                "url('https://kubernetes.io:80/').getHost()",
                Value::from("kubernetes.io:80"),
            ),
            ("url('https://[::1]:80/').getHost()", Value::from("[::1]:80")),
            ("url('https://[::1]:80/').getHostname()", Value::from("::1")),
            ("url('https://[::1]/').getPort()", Value::from("")),
            (
                "url('https://user@kubernetes.io/').getHost()",
                Value::from("kubernetes.io"),
            ),
            ("url('/absolute-path').getHost()", Value::from("")),
            (
                "url('https://kubernetes.io:80/').getHostname()",
                Value::from("kubernetes.io"),
            ),
            ("url('https://kubernetes.io:80/').getPort()", Value::from("80")),
            ("url('https://kubernetes.io/').getPort()", Value::from("")),
            ("url('https://kubernetes.io/a/b').getEscapedPath()", Value::from("/a/b")),
            ("url('https://kubernetes.io').getEscapedPath()", Value::from("")),
            (
                "url('https://kubernetes.io/path with spaces/').getEscapedPath()",
                Value::from("/path%20with%20spaces/"),
            ),
            (
                "url('https://kubernetes.io/a%2Fb').getEscapedPath()",
                Value::from("/a%2Fb"),
            ),
            (
                "url('https://example.com/path?query=value#fragment').getEscapedPath()",
                Value::from("/path"),
            ),
        ]);
    }

    #[test]
    fn query() {
        check_true(&[
            "url('https://kubernetes.io/?k=v&k=v2&x=y').getQuery() == {'k': ['v', 'v2'], 'x': ['y']}",
            "url('https://kubernetes.io/').getQuery() == {}",
            "url('https://kubernetes.io/?a=1+2&b=%41').getQuery() == {'a': ['1 2'], 'b': ['A']}",
            "url('https://kubernetes.io/?flag').getQuery() == {'flag': ['']}",
            "url('https://example.com/path?query=value#fragment').getQuery() == {'query': ['value']}",
            "url('https://kubernetes.io/?a=1;b=2&c=3').getQuery() == {'c': ['3']}",
            "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
            "url('https://example.com/path?key with spaces=value with spaces').getQuery() \
             == {'key with spaces': ['value with spaces']}",
            "url('https://example.com/path?').getQuery() == {}",
            "url('https://example.com/path').getQuery() == {}",
            "url('https://127.0.0.1:80/').getHostname() == '127.0.0.1'",
            "url('https://[::1]/').getHost() == '[::1]'",
            "url('/path').getHostname() == '' && url('/path').getPort() == ''",
            "url('https://kubernetes.io/') == url('https://kubernetes.io/')",
            "url('https://kubernetes.io/') != url('https://kubernetes.io/x')",
        ]);
    }
}
