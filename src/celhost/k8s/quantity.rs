//! The Kubernetes Quantity library (`k8s.io/apiserver/pkg/cel/library/quantity.go`):
//! `quantity`, `isQuantity` and the methods of `kubernetes.Quantity`.
//!
//! A quantity is held exactly, in nano-units, as [`crate::model::quantity::Quantity`]
//! parses it: quantities beyond about 10²⁹ units are reported as invalid here, where the
//! API server's arbitrary-precision quantities would accept them.

use super::{FunctionInfo, opaque_val};
use crate::model::quantity::Quantity as Parsed;
use cel::common::types::{CelBool, CelDouble, CelInt, CelString, Kind, Type};
use cel::{DeclarationError, Env, ExecutionError};

/// The CEL type of quantities.
pub(super) static QUANTITY_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.Quantity");

const NANO: i128 = 1_000_000_000;

/// A `kubernetes.Quantity` value, in nano-units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quantity(i128);

opaque_val!(Quantity, QUANTITY_TYPE);

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("quantity", false, &[1]),
    info("isQuantity", false, &[1]),
    info("sign", true, &[0]),
    info("isInteger", true, &[0]),
    info("asInteger", true, &[0]),
    info("asApproximateFloat", true, &[0]),
    info("add", true, &[1]),
    info("sub", true, &[1]),
    info("isGreaterThan", true, &[1]),
    info("isLessThan", true, &[1]),
    info("compareTo", true, &[1]),
];

const fn info(name: &'static str, receiver: bool, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities,
        since: 28,
        library: "quantity",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(QUANTITY_TYPE.to_owned())?;
    cel::add_overload!(env, fn quantity: (CelString) -> Result<Quantity>)?;
    cel::add_overload!(env, fn is_quantity: (CelString) -> CelBool)?;
    cel::add_member_overload!(env, fn sign: (Quantity) -> CelInt)?;
    cel::add_member_overload!(env, fn is_integer: (Quantity) -> CelBool)?;
    cel::add_member_overload!(env, fn as_integer: (Quantity) -> Result<CelInt>)?;
    cel::add_member_overload!(env, fn as_approximate_float: (Quantity) -> CelDouble)?;
    cel::add_member_overload!(env, fn add: (Quantity, Quantity) -> Result<Quantity>)?;
    cel::add_member_overload!(env, fn add_int: (Quantity, CelInt) -> Result<Quantity>,
        name = "add")?;
    cel::add_member_overload!(env, fn sub: (Quantity, Quantity) -> Result<Quantity>)?;
    cel::add_member_overload!(env, fn sub_int: (Quantity, CelInt) -> Result<Quantity>,
        name = "sub")?;
    cel::add_member_overload!(env, fn is_greater_than: (Quantity, Quantity) -> CelBool)?;
    cel::add_member_overload!(env, fn is_less_than: (Quantity, Quantity) -> CelBool)?;
    cel::add_member_overload!(env, fn compare_to: (Quantity, Quantity) -> CelInt)?;
    Ok(())
}

/// Parses `s` as the API server does: no surrounding whitespace.
fn parse(s: &str) -> Option<Quantity> {
    if s.trim() != s {
        return None;
    }
    Parsed::parse(s).map(|q| Quantity(q.0))
}

fn quantity(s: &CelString<'_>) -> Result<Quantity, ExecutionError> {
    parse(s.inner()).ok_or_else(|| {
        ExecutionError::function_error(
            "quantity",
            "quantities must match the regular expression \
             '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        )
    })
}

fn is_quantity(s: &CelString<'_>) -> CelBool {
    CelBool::from(parse(s.inner()).is_some())
}

fn sign(q: &Quantity) -> CelInt {
    CelInt::from(q.0.signum() as i64)
}

fn integer(q: &Quantity) -> Option<i64> {
    if q.0 % NANO != 0 {
        return None;
    }
    i64::try_from(q.0 / NANO).ok()
}

fn is_integer(q: &Quantity) -> CelBool {
    CelBool::from(integer(q).is_some())
}

fn as_integer(q: &Quantity) -> Result<CelInt, ExecutionError> {
    integer(q)
        .map(CelInt::from)
        .ok_or_else(|| ExecutionError::function_error("asInteger", "cannot convert value to integer"))
}

fn as_approximate_float(q: &Quantity) -> CelDouble {
    CelDouble::from(q.0 as f64 / NANO as f64)
}

fn overflow(function: &str) -> ExecutionError {
    ExecutionError::function_error(function, "quantity overflow")
}

fn add(a: &Quantity, b: &Quantity) -> Result<Quantity, ExecutionError> {
    a.0.checked_add(b.0).map(Quantity).ok_or_else(|| overflow("add"))
}

fn add_int(a: &Quantity, b: &CelInt) -> Result<Quantity, ExecutionError> {
    add(a, &Quantity(i128::from(*b.inner()) * NANO))
}

fn sub(a: &Quantity, b: &Quantity) -> Result<Quantity, ExecutionError> {
    a.0.checked_sub(b.0).map(Quantity).ok_or_else(|| overflow("sub"))
}

fn sub_int(a: &Quantity, b: &CelInt) -> Result<Quantity, ExecutionError> {
    sub(a, &Quantity(i128::from(*b.inner()) * NANO))
}

fn is_greater_than(a: &Quantity, b: &Quantity) -> CelBool {
    CelBool::from(a > b)
}

fn is_less_than(a: &Quantity, b: &Quantity) -> CelBool {
    CelBool::from(a < b)
}

fn compare_to(a: &Quantity, b: &Quantity) -> CelInt {
    CelInt::from(a.cmp(b) as i64)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn parsing() {
        check(&[
            ("isQuantity('20')", Value::Bool(true)),
            ("isQuantity('20M')", Value::Bool(true)),
            ("isQuantity('20Mi')", Value::Bool(true)),
            ("isQuantity('20m')", Value::Bool(true)),
            ("isQuantity('1.5Gi')", Value::Bool(true)),
            ("isQuantity('1e3')", Value::Bool(true)),
            ("isQuantity('-1E-3')", Value::Bool(true)),
            ("isQuantity('+5n')", Value::Bool(true)),
            ("isQuantity('20A')", Value::Bool(false)),
            ("isQuantity('')", Value::Bool(false)),
            ("isQuantity('20 ')", Value::Bool(false)),
            ("isQuantity('Mi')", Value::Bool(false)),
        ]);
        check_err(&[("quantity('20A')", "quantities must match the regular expression")]);
    }

    #[test]
    fn equality_and_comparison() {
        check_true(&[
            "quantity('12Mi') == quantity('12Mi')",
            "quantity('1k') == quantity('1000')",
            "quantity('1Gi') == quantity('1073741824')",
            "quantity('100m') == quantity('0.1')",
            "quantity('1Gi') != quantity('1G')",
            "quantity('200M').isGreaterThan(quantity('100M'))",
            "!quantity('200M').isLessThan(quantity('100M'))",
            "quantity('1Gi').isGreaterThan(quantity('1G'))",
            "quantity('50k').compareTo(quantity('50000')) == 0",
            "quantity('50k').compareTo(quantity('50001')) == -1",
            "quantity('50k').compareTo(quantity('49999')) == 1",
            "quantity('50M').compareTo(quantity('50Mi')) == -1",
        ]);
    }

    #[test]
    fn arithmetic() {
        check_true(&[
            "quantity('50k').add(quantity('20')) == quantity('50.02k')",
            "quantity('50k').add(20) == quantity('50020')",
            "quantity('50k').sub(quantity('20')) == quantity('49980')",
            "quantity('50k').sub(20) == quantity('49980')",
            "quantity('50k').sub(-50000) == quantity('100k')",
            "quantity('500m').add(quantity('500m')) == quantity('1')",
        ]);
    }

    #[test]
    fn conversions() {
        check(&[
            ("quantity('50k').isInteger()", Value::Bool(true)),
            ("quantity('50m').isInteger()", Value::Bool(false)),
            ("quantity('50k').asInteger()", Value::Int(50000)),
            ("quantity('1Ki').asInteger()", Value::Int(1024)),
            ("quantity('50.5').asApproximateFloat()", Value::Float(50.5)),
            ("quantity('100m').asApproximateFloat()", Value::Float(0.1)),
            ("quantity('-50k').sign()", Value::Int(-1)),
            ("quantity('0').sign()", Value::Int(0)),
            ("quantity('5m').sign()", Value::Int(1)),
            ("quantity('9E').isInteger()", Value::Bool(true)),
            ("quantity('10E').isInteger()", Value::Bool(false)),
        ]);
        check_err(&[
            ("quantity('50m').asInteger()", "cannot convert value to integer"),
            ("quantity('10E').asInteger()", "cannot convert value to integer"),
        ]);
    }
}
