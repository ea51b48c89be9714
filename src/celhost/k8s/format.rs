//! The Kubernetes Format library (`k8s.io/apiserver/pkg/cel/library/format.go`):
//! `format.named(name)`, the named formats as functions (`format.dns1123Label()`, ...),
//! and `<format>.validate(s)`, `optional.none()` for a valid string, else the
//! apimachinery validation messages.

use super::{FunctionInfo, opaque_val, urls};
use base64::Engine;
use cel::common::types::{CelList, CelOptional, CelString, Kind, Type};
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env};
use regex::Regex;
use std::sync::LazyLock;

/// The CEL type of named formats.
pub(super) static FORMAT_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.NamedFormat");

/// A `kubernetes.NamedFormat` value: one of [`NAMES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format(&'static str);

opaque_val!(Format, FORMAT_TYPE);

/// The names of the formats.
pub const NAMES: [&str; 13] = [
    "dns1123Label",
    "dns1123Subdomain",
    "dns1035Label",
    "qualifiedName",
    "dns1123LabelPrefix",
    "dns1123SubdomainPrefix",
    "dns1035LabelPrefix",
    "labelValue",
    "uri",
    "uuid",
    "byte",
    "date",
    "datetime",
];

const fn info(name: &'static str, receiver: bool, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities,
        since: 31,
        library: "format",
    }
}

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("format.named", false, &[1]),
    info("validate", true, &[1]),
    info("format.dns1123Label", false, &[0]),
    info("format.dns1123Subdomain", false, &[0]),
    info("format.dns1035Label", false, &[0]),
    info("format.qualifiedName", false, &[0]),
    info("format.dns1123LabelPrefix", false, &[0]),
    info("format.dns1123SubdomainPrefix", false, &[0]),
    info("format.dns1035LabelPrefix", false, &[0]),
    info("format.labelValue", false, &[0]),
    info("format.uri", false, &[0]),
    info("format.uuid", false, &[0]),
    info("format.byte", false, &[0]),
    info("format.date", false, &[0]),
    info("format.datetime", false, &[0]),
];

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(FORMAT_TYPE.to_owned())?;
    cel::add_overload!(env, fn named: (CelString) -> CelOptional, name = "format.named")?;
    cel::add_member_overload!(env, fn validate: (Format, CelString) -> CelOptional)?;
    macro_rules! constant {
        ($($name:literal),*) => {$(
            env.add_overload(concat!("format.", $name), concat!("format.", $name), vec![], |_| {
                Ok(CowVal::owned(Format($name)))
            })?;
        )*};
    }
    constant!(
        "dns1123Label",
        "dns1123Subdomain",
        "dns1035Label",
        "qualifiedName",
        "dns1123LabelPrefix",
        "dns1123SubdomainPrefix",
        "dns1035LabelPrefix",
        "labelValue",
        "uri",
        "uuid",
        "byte",
        "date",
        "datetime"
    );
    Ok(())
}

fn named(name: &CelString<'_>) -> CelOptional<'static> {
    match NAMES.iter().find(|n| **n == name.inner()) {
        Some(n) => CelOptional::of(Box::new(Format(n))),
        None => CelOptional::none(),
    }
}

fn validate(format: &Format, s: &CelString<'_>) -> CelOptional<'static> {
    let errors = errors(format.0, s.inner());
    if errors.is_empty() {
        return CelOptional::none();
    }
    let list: Vec<Box<dyn Val>> = errors
        .into_iter()
        .map(|e| Box::new(CelString::from(e)) as Box<dyn Val>)
        .collect();
    CelOptional::of(Box::new(CelList::from(list)))
}

/// The validation errors of `s` in the format `name`, empty when valid.
pub fn errors(name: &str, s: &str) -> Vec<String> {
    match name {
        "dns1123Label" => dns1123_label(s),
        "dns1123LabelPrefix" => dns1123_label(&mask_trailing_dash(s)),
        "dns1123Subdomain" => dns1123_subdomain(s),
        "dns1123SubdomainPrefix" => dns1123_subdomain(&mask_trailing_dash(s)),
        "dns1035Label" => dns1035_label(s),
        "dns1035LabelPrefix" => dns1035_label(&mask_trailing_dash(s)),
        "qualifiedName" => qualified_name(s),
        "labelValue" => label_value(s),
        "uri" => urls::parse(s).err().into_iter().collect(),
        "uuid" => single(UUID.is_match(s), "does not match the UUID format"),
        "byte" => single(
            base64::engine::general_purpose::STANDARD.decode(s).is_ok(),
            "invalid base64",
        ),
        "date" => single(is_date(s), "invalid date"),
        "datetime" => single(is_datetime(s), "invalid datetime"),
        _ => Vec::new(),
    }
}

fn single(valid: bool, message: &str) -> Vec<String> {
    if valid { Vec::new() } else { vec![message.to_owned()] }
}

/// A name used as a generated-name prefix may end with a dash: it is checked as if its last
/// character were a letter.
fn mask_trailing_dash(s: &str) -> String {
    match s.strip_suffix('-') {
        Some(head) if s.len() > 1 => format!("{head}a"),
        _ => s.to_owned(),
    }
}

fn anchored(re: &str) -> Regex {
    Regex::new(&format!("^(?:{re})$")).unwrap_or_else(|e| panic!("valid regex {re}: {e}"))
}

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

static DNS1123_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_LABEL_FMT));
static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_SUBDOMAIN_FMT));
static DNS1035_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1035_LABEL_FMT));
static QUALIFIED_NAME: LazyLock<Regex> = LazyLock::new(|| anchored(QUALIFIED_NAME_FMT));
static LABEL_VALUE: LazyLock<Regex> = LazyLock::new(|| anchored(LABEL_VALUE_FMT));
static UUID: LazyLock<Regex> =
    LazyLock::new(|| anchored("(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}"));

/// apimachinery's `RegexError`.
fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut s = format!("{msg} (e.g. ");
    for (i, example) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{example}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case \
    alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower \
    case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric \
    character";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric \
    characters or '-', start with an alphabetic character, and end with an alphanumeric \
    character";
const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', \
    and must start and end with an alphanumeric character";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of \
    alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric \
    character";

fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !DNS1123_LABEL.is_match(s) {
        if DNS1123_SUBDOMAIN.is_match(s) {
            errs.push("must not contain dots".to_owned());
        } else {
            errs.push(regex_error(
                DNS1123_LABEL_MSG,
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !DNS1123_SUBDOMAIN.is_match(s) {
        errs.push(regex_error(
            DNS1123_SUBDOMAIN_MSG,
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !DNS1035_LABEL.is_match(s) {
        errs.push(regex_error(
            DNS1035_LABEL_MSG,
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

fn qualified_name(s: &str) -> Vec<String> {
    let examples = ["MyName", "my.name", "123-abc"];
    let mut errs = Vec::new();
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts[..] {
        [name] => name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_owned());
            } else {
                errs.extend(
                    dns1123_subdomain(prefix)
                        .into_iter()
                        .map(|e| format!("prefix part {e}")),
                );
            }
            name
        }
        _ => {
            return vec![format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. \
                 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &examples)
            )];
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_owned());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !QUALIFIED_NAME.is_match(name) {
        errs.push(format!(
            "name part {}",
            regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &examples)
        ));
    }
    errs
}

fn label_value(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !LABEL_VALUE.is_match(s) {
        errs.push(regex_error(
            LABEL_VALUE_MSG,
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `n` ASCII digits of `s` from `at`, as a number.
fn digits(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let part = s.get(at..at + n)?;
    if !part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// An RFC 3339 full-date, `2006-01-02`, of a day that exists.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && valid_date(b)
}

fn valid_date(b: &[u8]) -> bool {
    let (Some(year), Some(month), Some(day)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2)) else {
        return false;
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// A date-time as strfmt's `datetime` reads it: an RFC 3339 date, `T` (or a space), a time
/// `15:04[:05[.999999999]]`, and an optional zone `Z` or `±07:00` / `±0700`.
fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 16 || !valid_date(&b[..10]) || !matches!(b[10], b'T' | b't' | b' ') {
        return false;
    }
    let (Some(hour), Some(minute)) = (digits(b, 11, 2), digits(b, 14, 2)) else {
        return false;
    };
    if b[13] != b':' || hour > 23 || minute > 59 {
        return false;
    }
    let mut at = 16;
    if b.get(at) == Some(&b':') {
        match digits(b, at + 1, 2) {
            Some(second) if second <= 60 => at += 3,
            _ => return false,
        }
        if b.get(at) == Some(&b'.') {
            let frac = b[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if frac == 0 {
                return false;
            }
            at += 1 + frac;
        }
    }
    match &b[at..] {
        [] | [b'Z'] | [b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] | [b'+' | b'-', h1, h2, m1, m2] => {
            let zone = [*h1, *h2, *m1, *m2];
            matches!((digits(&zone, 0, 2), digits(&zone, 2, 2)), (Some(h), Some(m)) if h <= 23 && m <= 59)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_true};
    use super::errors;
    use cel::Value;

    const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric \
        characters or '-', and must start and end with an alphanumeric character (e.g. \
        'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    #[test]
    fn named() {
        check_true(&[
            "format.named('dns1123Label').hasValue()",
            "format.named('datetime').hasValue()",
            "!format.named('nope').hasValue()",
            "format.named('dns1123Label').value() == format.dns1123Label()",
            "format.dns1123Label() != format.dns1123Subdomain()",
        ]);
    }

    #[test]
    fn validate() {
        check_true(&[
            "!format.dns1123Label().validate('my-name').hasValue()",
            "format.dns1123Label().validate('My-Name').hasValue()",
            "format.named('dns1123Label').value().validate('my-name') == optional.none()",
            "format.dns1123Label().validate('-').value().size() == 1",
            "!format.dns1123LabelPrefix().validate('my-name-').hasValue()",
            "format.dns1123Label().validate('my-name-').hasValue()",
            "!format.dns1123Subdomain().validate('example.com').hasValue()",
            "format.dns1123Subdomain().validate('Example.com').hasValue()",
            "!format.dns1123SubdomainPrefix().validate('example-').hasValue()",
            "format.dns1123SubdomainPrefix().validate('example.').hasValue()",
            "!format.dns1035Label().validate('my-name').hasValue()",
            "format.dns1035Label().validate('1abc').hasValue()",
            "!format.dns1035LabelPrefix().validate('abc-').hasValue()",
            "!format.qualifiedName().validate('example.com/MyName').hasValue()",
            "!format.qualifiedName().validate('MyName').hasValue()",
            "format.qualifiedName().validate('a/b/c').hasValue()",
            "!format.labelValue().validate('').hasValue()",
            "!format.labelValue().validate('my_value').hasValue()",
            "format.labelValue().validate('-bad').hasValue()",
            "!format.uri().validate('http://example.com').hasValue()",
            "format.uri().validate('example').hasValue()",
            "!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
            "!format.uuid().validate('123E4567E89B12D3A456426614174000').hasValue()",
            "format.uuid().validate('123e4567').hasValue()",
            "!format.byte().validate('aGVsbG8=').hasValue()",
            "format.byte().validate('aGVsbG8').hasValue()",
            "!format.date().validate('2024-02-29').hasValue()",
            "format.date().validate('2023-02-29').hasValue()",
            "format.date().validate('2023-1-01').hasValue()",
            "!format.datetime().validate('2024-01-01T12:30:00Z').hasValue()",
            "!format.datetime().validate('2024-01-01T12:30:00.123+02:00').hasValue()",
            "!format.datetime().validate('2024-01-01 12:30:00').hasValue()",
            "format.datetime().validate('2024-01-01').hasValue()",
            "format.datetime().validate('2024-01-01T25:00:00Z').hasValue()",
        ]);
        check(&[
            (
                "format.dns1123Label().validate('MyName').value()[0]",
                Value::from(LABEL_MSG),
            ),
            (
                "format.uuid().validate('x').value()",
                Value::List(std::sync::Arc::new(vec![Value::from("does not match the UUID format")])),
            ),
        ]);
    }

    #[test]
    fn messages() {
        assert_eq!(errors("dns1123Label", "a.b"), vec!["must not contain dots"]);
        assert_eq!(
            errors("dns1123Label", &"a".repeat(64)),
            vec!["must be no more than 63 characters"]
        );
        assert_eq!(errors("dns1123Label", "-"), vec![LABEL_MSG]);
        assert_eq!(errors("qualifiedName", "/name"), vec!["prefix part must be non-empty"]);
        assert_eq!(
            errors("qualifiedName", "example.com/"),
            vec![
                "name part must be non-empty".to_owned(),
                "name part must consist of alphanumeric characters, '-', '_' or '.', and must \
                 start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  \
                 or '123-abc', regex used for validation is \
                 '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                    .to_owned(),
            ]
        );
        assert_eq!(
            errors("labelValue", "-"),
            vec![
                "a valid label must be an empty string or consist of alphanumeric characters, \
                 '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
                 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
                 '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            ]
        );
        assert_eq!(
            errors("uri", "example"),
            vec!["parse \"example\": invalid URI for request"]
        );
    }
}
