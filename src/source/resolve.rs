//! Scalar resolution exactly as Kubernetes reads YAML.
//!
//! kubectl and the API server turn YAML into JSON with `sigs.k8s.io/yaml`, which decodes with
//! go-yaml v2: YAML 1.1 rules. So `yes`, `on`, `y` are booleans, `0644` is octal (420),
//! `1_000` is 1000, `0x1F` is 31, `08` is the float 8, and a timestamp-looking plain scalar
//! stays a string. Quoted and block scalars are always strings. The JSON is then decoded
//! strictly into typed structs: a number or boolean is not accepted into a string field.
//!
//! The table in the tests below is the reference; it follows go-yaml v2 `resolve.go`.

use super::ScalarStyle;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    Float(f64),
    Str(&'a str),
}

impl Value<'_> {
    /// A short description for messages: `string`, `integer 8080`, `boolean true`.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Bool(b) => format!("boolean `{b}`"),
            Value::Int(i) => format!("integer `{i}`"),
            Value::UInt(u) => format!("integer `{u}`"),
            Value::Float(f) => format!("number `{f}`"),
            Value::Str(_) => "string".to_string(),
        }
    }
}

/// Resolves a scalar's text given its style and tag.
pub fn resolve<'a>(text: &'a str, style: ScalarStyle, tag: Option<&str>) -> Value<'a> {
    match tag {
        None => {}
        Some("!!str") | Some("!!binary") => return Value::Str(text),
        Some("!!null") => return Value::Null,
        Some("!!bool") | Some("!!int") | Some("!!float") => {
            // An explicit core tag resolves whatever the style.
            return plain(text);
        }
        // `!` (non-specific) forces a string; unknown local tags keep the text as a string.
        Some(_) => return Value::Str(text),
    }
    match style {
        ScalarStyle::Plain => plain(text),
        _ => Value::Str(text),
    }
}

fn plain(text: &str) -> Value<'_> {
    let Some(first) = text.bytes().next() else {
        return Value::Null;
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            map_lookup(text).unwrap_or(Value::Str(text))
        }
        b'.' => map_lookup(text)
            .or_else(|| go_float(text).map(Value::Float))
            .unwrap_or(Value::Str(text)),
        b'+' | b'-' | b'0'..=b'9' => map_lookup(text).or_else(|| number(text)).unwrap_or(Value::Str(text)),
        _ => Value::Str(text),
    }
}

fn map_lookup(text: &str) -> Option<Value<'_>> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Value::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Value::Bool(false),
        "~" | "null" | "Null" | "NULL" => Value::Null,
        ".nan" | ".NaN" | ".NAN" => Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Value::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Digits or a sign: timestamp (stays a string), integer (Go `ParseInt(s, 0, 64)` after
/// removing `_`), unsigned, YAML-style float, or binary with `0b`.
fn number(text: &str) -> Option<Value<'_>> {
    if is_timestamp(text) {
        return Some(Value::Str(text));
    }
    let plain: String = text.chars().filter(|c| *c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(Value::Int(i));
    }
    if let Some(u) = go_parse_uint(&plain) {
        return Some(Value::UInt(u));
    }
    if is_yaml_style_float(&plain)
        && let Some(f) = go_float(&plain)
    {
        return Some(Value::Float(f));
    }
    if let Some(bits) = plain.strip_prefix("0b") {
        return i64::from_str_radix(bits, 2).ok().map(Value::Int);
    }
    if let Some(bits) = plain.strip_prefix("-0b") {
        return i64::from_str_radix(bits, 2).ok().map(|i| Value::Int(-i));
    }
    None
}

/// Go `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`/`0o`/`0b` prefixes or a leading
/// `0` for octal, else decimal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = go_parse_magnitude(body)?;
    if neg {
        if magnitude == i64::MAX as u64 + 1 {
            Some(i64::MIN)
        } else {
            i64::try_from(magnitude).ok().map(|m| -m)
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn go_parse_uint(s: &str) -> Option<u64> {
    let body = s.strip_prefix('+').unwrap_or(s);
    if body.starts_with('-') {
        return None;
    }
    go_parse_magnitude(body)
}

fn go_parse_magnitude(body: &str) -> Option<u64> {
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(d) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, d)
    } else if let Some(d) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, d)
    } else if let Some(d) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, d)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml v2 `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go `strconv.ParseFloat(s, 64)` for the forms YAML can reach here.
fn go_float(s: &str) -> Option<f64> {
    let lower = s.to_ascii_lowercase();
    if lower.contains("inf") || lower.contains("nan") || lower.contains("0x") {
        return None;
    }
    s.parse::<f64>().ok()
}

/// go-yaml v2 `parseTimestamp`: `2006-1-2T15:4:5.999999999Z07:00` and friends, `2006-1-2`.
/// Such plain scalars become strings when decoded into JSON.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    // Year: exactly four digits, then '-'.
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let one_or_two = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && *i - start < 2 && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !one_or_two(&mut i) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    if !one_or_two(&mut i) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    // A time part must follow: 'T', 't' or ' ' then h:m:s.
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    for sep in [b':', b':'] {
        if !one_or_two(&mut i) || b.get(i) != Some(&sep) {
            return false;
        }
        i += 1;
    }
    if !one_or_two(&mut i) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    let rest = &s[i..];
    rest.is_empty()
        || rest == "Z"
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest
                .bytes()
                .enumerate()
                .all(|(j, c)| j == 0 || j == 3 || c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ScalarStyle::*;

    /// The resolver table: (text, style, expected). Follows go-yaml v2 `resolve.go`, which
    /// is what `kubectl apply` and the API server use for manifests.
    #[test]
    fn resolver_table() {
        let cases: &[(&str, ScalarStyle, Value<'_>)] = &[
            // YAML 1.1 booleans in all their documented casings.
            ("yes", Plain, Value::Bool(true)),
            ("Yes", Plain, Value::Bool(true)),
            ("YES", Plain, Value::Bool(true)),
            ("y", Plain, Value::Bool(true)),
            ("Y", Plain, Value::Bool(true)),
            ("on", Plain, Value::Bool(true)),
            ("ON", Plain, Value::Bool(true)),
            ("true", Plain, Value::Bool(true)),
            ("True", Plain, Value::Bool(true)),
            ("no", Plain, Value::Bool(false)),
            ("n", Plain, Value::Bool(false)),
            ("N", Plain, Value::Bool(false)),
            ("off", Plain, Value::Bool(false)),
            ("Off", Plain, Value::Bool(false)),
            ("FALSE", Plain, Value::Bool(false)),
            // Not in the table: strings.
            ("yES", Plain, Value::Str("yES")),
            ("tRUE", Plain, Value::Str("tRUE")),
            ("nope", Plain, Value::Str("nope")),
            // Quoting always gives a string.
            ("yes", DoubleQuoted, Value::Str("yes")),
            ("0644", SingleQuoted, Value::Str("0644")),
            ("8080", Literal, Value::Str("8080")),
            // Null.
            ("", Plain, Value::Null),
            ("~", Plain, Value::Null),
            ("null", Plain, Value::Null),
            ("NULL", Plain, Value::Null),
            ("", DoubleQuoted, Value::Str("")),
            // Integers: decimal, octal with a leading 0, hex, 0o, binary, underscores, signs.
            ("8080", Plain, Value::Int(8080)),
            ("0644", Plain, Value::Int(420)),
            ("0o644", Plain, Value::Int(420)),
            ("0x1F", Plain, Value::Int(31)),
            ("0b101", Plain, Value::Int(5)),
            ("-0b101", Plain, Value::Int(-5)),
            ("1_000", Plain, Value::Int(1000)),
            ("+12", Plain, Value::Int(12)),
            ("-12", Plain, Value::Int(-12)),
            ("0", Plain, Value::Int(0)),
            ("18446744073709551615", Plain, Value::UInt(u64::MAX)),
            // Not octal, so a YAML-style float (go-yaml v2 quirk).
            ("08", Plain, Value::Float(8.0)),
            ("09.5", Plain, Value::Float(9.5)),
            // Floats.
            ("1.5", Plain, Value::Float(1.5)),
            (".5", Plain, Value::Float(0.5)),
            ("1e3", Plain, Value::Float(1000.0)),
            ("1.", Plain, Value::Float(1.0)),
            ("-.inf", Plain, Value::Float(f64::NEG_INFINITY)),
            (".inf", Plain, Value::Float(f64::INFINITY)),
            // Sexagesimal is not supported by go-yaml v2: strings.
            ("1:20", Plain, Value::Str("1:20")),
            ("190:20:30", Plain, Value::Str("190:20:30")),
            // Timestamps stay strings.
            ("2001-12-14", Plain, Value::Str("2001-12-14")),
            (
                "2001-12-14t21:59:43.10-05:00",
                Plain,
                Value::Str("2001-12-14t21:59:43.10-05:00"),
            ),
            ("2001-12-14T21:59:43Z", Plain, Value::Str("2001-12-14T21:59:43Z")),
            // Version-like and other digit-led strings.
            ("1.2.3", Plain, Value::Str("1.2.3")),
            ("100m", Plain, Value::Str("100m")),
            ("1Gi", Plain, Value::Str("1Gi")),
            ("-", Plain, Value::Str("-")),
            ("0x", Plain, Value::Str("0x")),
            ("v1", Plain, Value::Str("v1")),
            ("<<", Plain, Value::Str("<<")),
        ];
        for (text, style, want) in cases {
            let got = resolve(text, *style, None);
            let same = match (&got, want) {
                (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
                _ => &got == want,
            };
            assert!(same, "{text:?} ({style:?}): got {got:?}, want {want:?}");
        }
    }

    #[test]
    fn explicit_tags() {
        assert_eq!(resolve("8080", Plain, Some("!!str")), Value::Str("8080"));
        assert_eq!(resolve("8080", DoubleQuoted, Some("!!int")), Value::Int(8080));
        assert_eq!(resolve("yes", Plain, Some("!")), Value::Str("yes"));
        assert_eq!(resolve("x", Plain, Some("!!null")), Value::Null);
        assert_eq!(resolve("1", Plain, Some("!Ref")), Value::Str("1"));
    }
}
