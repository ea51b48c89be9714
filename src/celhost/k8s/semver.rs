//! The Kubernetes Semver library (`k8s.io/apiserver/pkg/cel/library/semverlib.go`, version
//! 1): `semver`, `isSemver` (each with an optional `normalize` flag) and the methods of
//! `kubernetes.Semver`. Parsing is strict SemVer 2.0; normalizing first strips a leading
//! `v`, leading zeros, and pads a missing minor or patch with `0`. Comparison and equality
//! ignore build metadata, as blang/semver's `Compare` does.

use super::{FunctionInfo, opaque_val};
use cel::common::types::{CelBool, CelInt, CelString, Kind, Type};
use cel::{DeclarationError, Env, ExecutionError};
use std::cmp::Ordering;

/// The CEL type of semantic versions.
pub(super) static SEMVER_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.Semver");

/// A `kubernetes.Semver` value.
#[derive(Clone, Debug)]
pub struct Semver(pub semver::Version);

impl PartialEq for Semver {
    fn eq(&self, other: &Self) -> bool {
        self.0.cmp_precedence(&other.0) == Ordering::Equal
    }
}

opaque_val!(Semver, SEMVER_TYPE);

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("semver", false, &[1, 2]),
    info("isSemver", false, &[1, 2]),
    info("major", true, &[0]),
    info("minor", true, &[0]),
    info("patch", true, &[0]),
    info("isGreaterThan", true, &[1]),
    info("isLessThan", true, &[1]),
    info("compareTo", true, &[1]),
];

const fn info(name: &'static str, receiver: bool, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities,
        since: 33,
        library: "semver",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(SEMVER_TYPE.to_owned())?;
    cel::add_overload!(env, fn semver: (CelString) -> Result<Semver>)?;
    cel::add_overload!(env, fn semver_normalize: (CelString, CelBool) -> Result<Semver>,
        name = "semver")?;
    cel::add_overload!(env, fn is_semver: (CelString) -> CelBool)?;
    cel::add_overload!(env, fn is_semver_normalize: (CelString, CelBool) -> CelBool,
        name = "isSemver")?;
    cel::add_member_overload!(env, fn major: (Semver) -> Result<CelInt>)?;
    cel::add_member_overload!(env, fn minor: (Semver) -> Result<CelInt>)?;
    cel::add_member_overload!(env, fn patch: (Semver) -> Result<CelInt>)?;
    cel::add_member_overload!(env, fn is_greater_than: (Semver, Semver) -> CelBool)?;
    cel::add_member_overload!(env, fn is_less_than: (Semver, Semver) -> CelBool)?;
    cel::add_member_overload!(env, fn compare_to: (Semver, Semver) -> CelInt)?;
    Ok(())
}

/// `s` normalized as the API server's `normalizeAndParse` does.
fn normalize(s: &str) -> Result<String, String> {
    let s = s.strip_prefix('v').unwrap_or(s);
    let mut parts: Vec<String> = s.splitn(3, '.').map(str::to_owned).collect();
    for part in &mut parts {
        if part.len() > 1 {
            let trimmed = part.trim_start_matches('0');
            *part = if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
                trimmed.to_owned()
            } else {
                format!("0{trimmed}")
            };
        }
    }
    if parts.len() < 3 {
        if parts.last().is_some_and(|p| p.contains(['+', '-'])) {
            return Err("short version cannot contain PreRelease/Build meta data".to_owned());
        }
        parts.resize(3, "0".to_owned());
    }
    Ok(parts.join("."))
}

fn parse(s: &str, normalized: bool) -> Result<semver::Version, String> {
    let s = if normalized { normalize(s)? } else { s.to_owned() };
    semver::Version::parse(&s).map_err(|e| e.to_string())
}

fn semver(s: &CelString<'_>) -> Result<Semver, ExecutionError> {
    semver_normalize(s, &CelBool::from(false))
}

fn semver_normalize(s: &CelString<'_>, normalized: &CelBool) -> Result<Semver, ExecutionError> {
    parse(s.inner(), *normalized.inner())
        .map(Semver)
        .map_err(|e| ExecutionError::function_error("semver", e))
}

fn is_semver(s: &CelString<'_>) -> CelBool {
    is_semver_normalize(s, &CelBool::from(false))
}

fn is_semver_normalize(s: &CelString<'_>, normalized: &CelBool) -> CelBool {
    CelBool::from(parse(s.inner(), *normalized.inner()).is_ok())
}

fn component(function: &str, n: u64) -> Result<CelInt, ExecutionError> {
    i64::try_from(n)
        .map(CelInt::from)
        .map_err(|_| ExecutionError::function_error(function, "integer overflow"))
}

fn major(v: &Semver) -> Result<CelInt, ExecutionError> {
    component("major", v.0.major)
}

fn minor(v: &Semver) -> Result<CelInt, ExecutionError> {
    component("minor", v.0.minor)
}

fn patch(v: &Semver) -> Result<CelInt, ExecutionError> {
    component("patch", v.0.patch)
}

fn is_greater_than(a: &Semver, b: &Semver) -> CelBool {
    CelBool::from(a.0.cmp_precedence(&b.0) == Ordering::Greater)
}

fn is_less_than(a: &Semver, b: &Semver) -> CelBool {
    CelBool::from(a.0.cmp_precedence(&b.0) == Ordering::Less)
}

fn compare_to(a: &Semver, b: &Semver) -> CelInt {
    CelInt::from(a.0.cmp_precedence(&b.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn parsing() {
        check(&[
            ("isSemver('1.0.0')", Value::Bool(true)),
            ("isSemver('1.0.0-alpha.1+build.5')", Value::Bool(true)),
            ("isSemver('v1.0.0')", Value::Bool(false)),
            ("isSemver('1.0')", Value::Bool(false)),
            ("isSemver('01.0.0')", Value::Bool(false)),
            ("isSemver('1.0.0 ')", Value::Bool(false)),
            ("isSemver('hello')", Value::Bool(false)),
            ("isSemver('v1.0.0', true)", Value::Bool(true)),
            ("isSemver('v1.0', true)", Value::Bool(true)),
            ("isSemver('1', true)", Value::Bool(true)),
            ("isSemver('v01.01.01', true)", Value::Bool(true)),
            ("isSemver('1.0-alpha', true)", Value::Bool(false)),
            ("isSemver('v1.0.0', false)", Value::Bool(false)),
        ]);
        check_err(&[
            ("semver('v1.0.0')", ""),
            ("semver('1.0-alpha', true)", "short version cannot contain"),
        ]);
    }

    #[test]
    fn components() {
        check(&[
            ("semver('1.2.3').major()", Value::Int(1)),
            ("semver('1.2.3').minor()", Value::Int(2)),
            ("semver('1.2.3').patch()", Value::Int(3)),
            ("semver('v1.2', true).minor()", Value::Int(2)),
            ("semver('v1.2', true).patch()", Value::Int(0)),
            ("semver('v01.02.03', true).patch()", Value::Int(3)),
        ]);
    }

    #[test]
    fn comparison() {
        check_true(&[
            "semver('1.0.0') == semver('1.0.0')",
            "semver('1.0.0') != semver('1.0.1')",
            "semver('1.0.0+build.1') == semver('1.0.0+build.2')",
            "semver('v1', true) == semver('1.0.0')",
            "semver('1.2.3').isGreaterThan(semver('1.2.0'))",
            "!semver('1.2.3').isGreaterThan(semver('1.2.3'))",
            "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))",
            "semver('1.0.0-alpha').isLessThan(semver('1.0.0-alpha.1'))",
            "semver('1.0.0-alpha.beta').isLessThan(semver('1.0.0-beta'))",
            "semver('2.0.0').isGreaterThan(semver('1.99.99'))",
            "semver('1.2.3').compareTo(semver('1.2.3')) == 0",
            "semver('1.2.3').compareTo(semver('2.0.0')) == -1",
            "semver('1.2.3').compareTo(semver('0.1.2')) == 1",
        ]);
    }
}
