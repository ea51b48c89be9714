//! Regular expressions: the Kubernetes Regex library
//! (`k8s.io/apiserver/pkg/cel/library/regex.go`: `find`, `findAll`), and cel-go's
//! `ext.Regex` (`regex.replace`, `regex.extract`, `regex.extractAll`) of Kyverno's
//! environment. The syntax is RE2's, which the `regex` crate follows.

use super::FunctionInfo;
use cel::common::types::{CelInt, CelList, CelOptional, CelString};
use cel::common::value::Val;
use cel::{DeclarationError, Env, ExecutionError};
use regex::Regex;

/// The functions of the Kubernetes library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    FunctionInfo {
        name: "find",
        receiver: true,
        arities: &[1],
        since: 0,
        library: "regex",
    },
    FunctionInfo {
        name: "findAll",
        receiver: true,
        arities: &[1, 2],
        since: 0,
        library: "regex",
    },
];

/// The functions of cel-go's `ext.Regex`.
pub(super) const EXT_FUNCTIONS: &[FunctionInfo] = &[
    ext_info("regex.replace", &[3, 4]),
    ext_info("regex.extract", &[2]),
    ext_info("regex.extractAll", &[2]),
];

const fn ext_info(name: &'static str, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver: false,
        arities,
        since: 0,
        library: "kyverno-regex",
    }
}

/// Registers the Kubernetes library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    cel::add_member_overload!(env, fn find: (CelString, CelString) -> Result<CelString>)?;
    cel::add_member_overload!(env, fn find_all: (CelString, CelString) -> Result<CelList>)?;
    cel::add_member_overload!(env, fn find_all_n: (CelString, CelString, CelInt) -> Result<CelList>,
        name = "findAll")?;
    Ok(())
}

/// Registers cel-go's `ext.Regex` on `env`.
pub(super) fn register_ext(env: &mut Env) -> Result<(), DeclarationError> {
    cel::add_overload!(env, fn replace: (CelString, CelString, CelString) -> Result<CelString>,
        name = "regex.replace")?;
    cel::add_overload!(env, fn replace_n: (CelString, CelString, CelString, CelInt) -> Result<CelString>,
        name = "regex.replace")?;
    cel::add_overload!(env, fn extract: (CelString, CelString) -> Result<CelOptional>,
        name = "regex.extract")?;
    cel::add_overload!(env, fn extract_all: (CelString, CelString) -> Result<CelList>,
        name = "regex.extractAll")?;
    Ok(())
}

fn compile(function: &str, pattern: &str) -> Result<Regex, ExecutionError> {
    Regex::new(pattern).map_err(|e| ExecutionError::function_error(function, format!("error parsing regexp: {e}")))
}

fn string_list(items: impl IntoIterator<Item = String>) -> CelList<'static> {
    CelList::from(
        items
            .into_iter()
            .map(|s| Box::new(CelString::from(s)) as Box<dyn Val>)
            .collect::<Vec<_>>(),
    )
}

/// The first match, `""` when none.
fn find(this: &CelString<'_>, re: &CelString<'_>) -> Result<CelString<'static>, ExecutionError> {
    let re = compile("find", re.inner())?;
    Ok(CelString::from(
        re.find(this.inner()).map_or(String::new(), |m| m.as_str().to_owned()),
    ))
}

fn find_all(this: &CelString<'_>, re: &CelString<'_>) -> Result<CelList<'static>, ExecutionError> {
    find_all_n(this, re, &CelInt::from(-1))
}

/// At most `n` matches (all of them when `n` is negative).
fn find_all_n(this: &CelString<'_>, re: &CelString<'_>, n: &CelInt) -> Result<CelList<'static>, ExecutionError> {
    let re = compile("findAll", re.inner())?;
    let n = usize::try_from(*n.inner()).unwrap_or(usize::MAX);
    Ok(string_list(
        re.find_iter(this.inner()).take(n).map(|m| m.as_str().to_owned()),
    ))
}

fn replace(
    target: &CelString<'_>,
    pattern: &CelString<'_>,
    replacement: &CelString<'_>,
) -> Result<CelString<'static>, ExecutionError> {
    replace_n(target, pattern, replacement, &CelInt::from(-1))
}

/// `target` with its first `n` matches (all when `n` is negative) replaced. The
/// replacement refers to groups as `\1` ... `\9`; `\\` is a backslash.
fn replace_n(
    target: &CelString<'_>,
    pattern: &CelString<'_>,
    replacement: &CelString<'_>,
    n: &CelInt,
) -> Result<CelString<'static>, ExecutionError> {
    const NAME: &str = "regex.replace";
    let re = compile(NAME, pattern.inner())?;
    let n = usize::try_from(*n.inner()).unwrap_or(usize::MAX);
    let target = target.inner();
    let mut out = String::with_capacity(target.len());
    let mut last = 0;
    for caps in re.captures_iter(target).take(n) {
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(&target[last..whole.start()]);
        let mut chars = replacement.inner().chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('\\') => out.push('\\'),
                Some(d) if d.is_ascii_digit() => {
                    let group = d as usize - '0' as usize;
                    if group >= caps.len() {
                        return Err(ExecutionError::function_error(
                            NAME,
                            format!(
                                "invalid replacement string: '{}' references unknown group {group}",
                                replacement.inner()
                            ),
                        ));
                    }
                    out.push_str(caps.get(group).map_or("", |m| m.as_str()));
                }
                _ => {
                    return Err(ExecutionError::function_error(
                        NAME,
                        format!(
                            "invalid replacement string: '{}' \\ must be followed by a digit or \\",
                            replacement.inner()
                        ),
                    ));
                }
            }
        }
        last = whole.end();
    }
    out.push_str(&target[last..]);
    Ok(CelString::from(out))
}

/// The capture group extracted: the whole match without groups, the group with one.
fn single_group(function: &str, re: &Regex) -> Result<usize, ExecutionError> {
    match re.captures_len() - 1 {
        0 => Ok(0),
        1 => Ok(1),
        _ => Err(ExecutionError::function_error(
            function,
            format!("regular expression has more than one capturing group: {}", re.as_str()),
        )),
    }
}

/// The first match (or its capture group), `optional.none()` when none.
fn extract(target: &CelString<'_>, pattern: &CelString<'_>) -> Result<CelOptional<'static>, ExecutionError> {
    const NAME: &str = "regex.extract";
    let re = compile(NAME, pattern.inner())?;
    let group = single_group(NAME, &re)?;
    let found = re
        .captures(target.inner())
        .and_then(|caps| caps.get(group).map(|m| m.as_str().to_owned()));
    Ok(match found {
        Some(s) => CelOptional::of(Box::new(CelString::from(s))),
        None => CelOptional::none(),
    })
}

/// Every match (or its capture group, when it took part in the match).
fn extract_all(target: &CelString<'_>, pattern: &CelString<'_>) -> Result<CelList<'static>, ExecutionError> {
    const NAME: &str = "regex.extractAll";
    let re = compile(NAME, pattern.inner())?;
    let group = single_group(NAME, &re)?;
    Ok(string_list(
        re.captures_iter(target.inner())
            .filter_map(|caps| caps.get(group).map(|m| m.as_str().to_owned())),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn find() {
        check(&[
            ("'abc 123'.find('[0-9]+')", Value::from("123")),
            ("'abc 123'.find('xyz')", Value::from("")),
            ("'abc 123 456'.find('[0-9]+')", Value::from("123")),
        ]);
        check_err(&[("'abc'.find('[')", "error parsing regexp")]);
    }

    #[test]
    fn find_all() {
        check_true(&[
            "'123 abc 456'.findAll('[0-9]+') == ['123', '456']",
            "'123 abc 456'.findAll('xyz') == []",
            "'123 abc 456'.findAll('[0-9]+', 1) == ['123']",
            "'123 abc 456'.findAll('[0-9]+', 0) == []",
            "'123 abc 456'.findAll('[0-9]+', -1) == ['123', '456']",
            "'123 abc 456'.findAll('[0-9]+', 5) == ['123', '456']",
        ]);
        check_err(&[("'abc'.findAll('(')", "error parsing regexp")]);
    }

    #[test]
    fn kyverno_replace() {
        check(&[
            (
                "regex.replace('hello world', 'world', 'there')",
                Value::from("hello there"),
            ),
            ("regex.replace('banana', 'a', 'x', 0)", Value::from("banana")),
            ("regex.replace('banana', 'a', 'x', 1)", Value::from("bxnana")),
            ("regex.replace('banana', 'a', 'x', 2)", Value::from("bxnxna")),
            ("regex.replace('banana', 'a', 'x', -12)", Value::from("bxnxnx")),
            (
                r"regex.replace('foo bar', '(fo)o (ba)r', r'\2 \1')",
                Value::from("ba fo"),
            ),
            (
                r"regex.replace('id=123', r'id=(?P<value>\d+)', r'value: \1')",
                Value::from("value: 123"),
            ),
            (r"regex.replace('a.b', '\\.', r'\\')", Value::from(r"a\b")),
        ]);
        check_err(&[
            (r"regex.replace('test', '(.)', r'\2')", "invalid replacement"),
            ("regex.replace('foo bar', '(', '$2 $1')", "error parsing regexp"),
        ]);
    }

    #[test]
    fn kyverno_extract() {
        check_true(&[
            "regex.extract('hello world', 'hello(.*)') == optional.of(' world')",
            r"regex.extract('item-A, item-B', 'item-(\\w+)') == optional.of('A')",
            "regex.extract('HELLO', 'hello') == optional.none()",
            "regex.extract('abc', 'b') == optional.of('b')",
            r"regex.extractAll('id:123, id:456', 'id:\\d+') == ['id:123', 'id:456']",
            r"regex.extractAll('id:123, id:456', 'id:(\\d+)') == ['123', '456']",
            "regex.extractAll('id:123, id:456', 'assa') == []",
        ]);
        check_err(&[
            (
                "regex.extract('testuser@testdomain', '(.*)@([^.]*)')",
                "more than one capturing group",
            ),
            (
                "regex.extractAll('testuser@testdomain', '(.*)@([^.]*)')",
                "more than one capturing group",
            ),
        ]);
    }
}
