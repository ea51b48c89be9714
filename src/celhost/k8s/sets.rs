//! cel-go's `ext.Sets` library: `sets.contains`, `sets.equivalent` and `sets.intersects`
//! on lists taken as sets, elements compared with CEL equality (so `1 == 1u == 1.0`).

use super::{FunctionInfo, elements, take_args};
use cel::common::types::{CelBool, LIST_TYPE};
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError};

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] =
    &[info("sets.contains"), info("sets.equivalent"), info("sets.intersects")];

const fn info(name: &'static str) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver: false,
        arities: &[2],
        since: 29,
        library: "sets",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    let lists = || vec![LIST_TYPE, LIST_TYPE];
    env.add_overload("sets.contains", "list_sets_contains_list", lists(), contains)?;
    env.add_overload("sets.equivalent", "list_sets_equivalent_list", lists(), equivalent)?;
    env.add_overload("sets.intersects", "list_sets_intersects_list", lists(), intersects)?;
    Ok(())
}

/// Whether every element of `sub` is in `set`.
fn includes(set: &[&dyn Val], sub: &[&dyn Val]) -> bool {
    sub.iter().all(|x| set.iter().any(|y| y.equals(*x)))
}

fn boolean<'b, 'v>(b: bool) -> Result<CowVal<'b, 'v>, ExecutionError> {
    Ok(CowVal::owned(CelBool::from(b)))
}

fn contains<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = take_args(args)?;
    boolean(includes(&elements(a.as_ref())?, &elements(b.as_ref())?))
}

fn equivalent<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = take_args(args)?;
    let (a, b) = (elements(a.as_ref())?, elements(b.as_ref())?);
    boolean(includes(&a, &b) && includes(&b, &a))
}

fn intersects<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [a, b] = take_args(args)?;
    let (a, b) = (elements(a.as_ref())?, elements(b.as_ref())?);
    boolean(a.iter().any(|x| b.iter().any(|y| x.equals(*y))))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check;
    use cel::Value;

    #[test]
    fn sets() {
        let t = Value::Bool(true);
        let f = Value::Bool(false);
        check(&[
            ("sets.contains([], [])", t.clone()),
            ("sets.contains([1], [])", t.clone()),
            ("sets.contains([], [1])", f.clone()),
            ("sets.contains([1, 2, 3, 4], [2, 3])", t.clone()),
            ("sets.contains([1, 2, 3], [3, 2, 1])", t.clone()),
            ("sets.contains([1, 2], [2, 2])", t.clone()),
            ("sets.contains([1, 2], [1, 3])", f.clone()),
            ("sets.contains([1], [1.0, 1u])", t.clone()),
            ("sets.contains([[1], [2, 3]], [[2, 3]])", t.clone()),
            ("sets.contains([{'a': 1}], [{'a': 1}])", t.clone()),
            ("sets.equivalent([], [])", t.clone()),
            ("sets.equivalent([1], [1, 1])", t.clone()),
            ("sets.equivalent([1, 2, 3], [3u, 2.0, 1])", t.clone()),
            ("sets.equivalent([1, 2], [2, 2, 2])", f.clone()),
            ("sets.equivalent([1], [1, 2])", f.clone()),
            ("sets.intersects([], [])", f.clone()),
            ("sets.intersects([1], [])", f.clone()),
            ("sets.intersects([1], [1, 2])", t.clone()),
            ("sets.intersects([1, 2], [3, 4])", f.clone()),
            ("sets.intersects([[1], [2, 3]], [[1, 2], [2, 3.0]])", t.clone()),
            ("sets.intersects([1], [1.0, 2])", t),
            ("sets.intersects(['a'], ['b'])", f),
        ]);
    }
}
