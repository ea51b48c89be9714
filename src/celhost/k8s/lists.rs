//! The Kubernetes Lists library (`k8s.io/apiserver/pkg/cel/library/lists.go`):
//! `isSorted`, `sum`, `min`, `max`, `indexOf` and `lastIndexOf` on any list.

use super::{FunctionInfo, elements, take_args};
use cel::common::types::{CelBool, CelInt, DYN_TYPE, LIST_TYPE};
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError};
use std::cmp::Ordering;

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("isSorted", &[0]),
    info("sum", &[0]),
    info("min", &[0]),
    info("max", &[0]),
    info("indexOf", &[1]),
    info("lastIndexOf", &[1]),
];

const fn info(name: &'static str, arities: &'static [usize]) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver: true,
        arities,
        since: 0,
        library: "lists",
    }
}

/// Registers the library on `env`. The receiver is any `list`, not only a `CelList`; the
/// strings extension's `indexOf`/`lastIndexOf` on strings coexist with these.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_member_overload("isSorted", "list.isSorted()", LIST_TYPE, vec![], is_sorted)?;
    env.add_member_overload("sum", "list.sum()", LIST_TYPE, vec![], sum)?;
    env.add_member_overload("min", "list.min()", LIST_TYPE, vec![], min)?;
    env.add_member_overload("max", "list.max()", LIST_TYPE, vec![], max)?;
    env.add_member_overload("indexOf", "list.indexOf(dyn)", LIST_TYPE, vec![DYN_TYPE], index_of)?;
    env.add_member_overload(
        "lastIndexOf",
        "list.lastIndexOf(dyn)",
        LIST_TYPE,
        vec![DYN_TYPE],
        last_index_of,
    )?;
    Ok(())
}

fn compare(function: &str, a: &dyn Val, b: &dyn Val) -> Result<Ordering, ExecutionError> {
    a.as_comparer()
        .ok_or_else(|| {
            ExecutionError::function_error(
                function,
                format!("no such overload: {} is not comparable", a.get_type().name()),
            )
        })?
        .compare(b)
}

fn is_sorted<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take_args(args)?;
    let items = elements(list.as_ref())?;
    for pair in items.windows(2) {
        if compare("isSorted", pair[0], pair[1])? == Ordering::Greater {
            return Ok(CowVal::owned(CelBool::from(false)));
        }
    }
    Ok(CowVal::owned(CelBool::from(true)))
}

/// The sum of the elements; `0` for an empty list.
fn sum<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take_args(args)?;
    let items = elements(list.as_ref())?;
    let Some((first, rest)) = items.split_first() else {
        return Ok(CowVal::owned(CelInt::from(0)));
    };
    let mut acc: Box<dyn Val + 'v> = first.clone_as_boxed();
    for item in rest {
        let next = acc
            .as_adder()
            .ok_or_else(|| {
                ExecutionError::function_error(
                    "sum",
                    format!("no such overload: {} is not summable", acc.get_type().name()),
                )
            })?
            .add(*item)?
            .into_owned();
        acc = next;
    }
    Ok(CowVal::Owned(acc))
}

fn min<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "min", Ordering::Greater)
}

fn max<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    extreme(args, "max", Ordering::Less)
}

/// The element that no other beats: the current one is replaced when it compares as
/// `replace_when` to the next one (the first of equal elements is kept).
fn extreme<'b, 'v>(
    args: Vec<CowVal<'b, 'v>>,
    function: &str,
    replace_when: Ordering,
) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list] = take_args(args)?;
    let items = elements(list.as_ref())?;
    let mut best: Option<&(dyn Val + 'v)> = None;
    for item in items {
        best = Some(match best {
            Some(current) if compare(function, current, item)? != replace_when => current,
            _ => item,
        });
    }
    match best {
        Some(best) => Ok(CowVal::Owned(best.clone_as_boxed())),
        None => Err(ExecutionError::function_error(
            function,
            format!("{function} called on empty list"),
        )),
    }
}

fn index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, item] = take_args(args)?;
    let items = elements(list.as_ref())?;
    let at = items.iter().position(|e| e.equals(item.as_ref()));
    Ok(CowVal::owned(CelInt::from(at.map_or(-1, |i| i as i64))))
}

fn last_index_of<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [list, item] = take_args(args)?;
    let items = elements(list.as_ref())?;
    let at = items.iter().rposition(|e| e.equals(item.as_ref()));
    Ok(CowVal::owned(CelInt::from(at.map_or(-1, |i| i as i64))))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err, check_true};
    use cel::Value;

    #[test]
    fn is_sorted() {
        check(&[
            ("[].isSorted()", Value::Bool(true)),
            ("[1].isSorted()", Value::Bool(true)),
            ("[1, 2, 3].isSorted()", Value::Bool(true)),
            ("[1, 2, 2, 3].isSorted()", Value::Bool(true)),
            ("[3, 2, 1].isSorted()", Value::Bool(false)),
            ("[1, 3, 2].isSorted()", Value::Bool(false)),
            ("['a', 'b', 'b', 'c'].isSorted()", Value::Bool(true)),
            ("['c', 'b'].isSorted()", Value::Bool(false)),
            ("[1.0, 2.0].isSorted()", Value::Bool(true)),
            ("[false, true].isSorted()", Value::Bool(true)),
            ("[duration('1s'), duration('1m')].isSorted()", Value::Bool(true)),
            (
                "[timestamp('2000-01-01T00:00:00Z'), timestamp('1999-01-01T00:00:00Z')].isSorted()",
                Value::Bool(false),
            ),
        ]);
    }

    #[test]
    fn sum() {
        check(&[
            ("[].sum()", Value::Int(0)),
            ("[1].sum()", Value::Int(1)),
            ("[1, 2, 3].sum()", Value::Int(6)),
            ("[1u, 2u].sum()", Value::UInt(3)),
            ("[1.0, 2.5].sum()", Value::Float(3.5)),
        ]);
        check_true(&[
            "[duration('1s'), duration('1m')].sum() == duration('61s')",
            "[[1], [2]].sum() == [1, 2]",
        ]);
    }

    #[test]
    fn min_and_max() {
        check(&[
            ("[1].min()", Value::Int(1)),
            ("[3, 1, 2].min()", Value::Int(1)),
            ("[3, 1, 2].max()", Value::Int(3)),
            ("[1u, 5u].max()", Value::UInt(5)),
            ("[1.5, -2.0].min()", Value::Float(-2.0)),
            ("['b', 'a', 'c'].min()", Value::from("a")),
            ("['b', 'a', 'c'].max()", Value::from("c")),
        ]);
        check_true(&[
            "[duration('1s'), duration('1m')].max() == duration('1m')",
            "[timestamp('2000-01-01T00:00:00Z'), timestamp('1999-01-01T00:00:00Z')].min() \
             == timestamp('1999-01-01T00:00:00Z')",
        ]);
        check_err(&[
            ("[].min()", "min called on empty list"),
            ("[].max()", "max called on empty list"),
            ("[{}, {}].min()", "comparable"),
        ]);
    }

    #[test]
    fn index_of() {
        check(&[
            ("[1, 2, 3, 2].indexOf(2)", Value::Int(1)),
            ("[1, 2, 3, 2].lastIndexOf(2)", Value::Int(3)),
            ("[1, 2, 3].indexOf(4)", Value::Int(-1)),
            ("[1, 2, 3].lastIndexOf(4)", Value::Int(-1)),
            ("[].indexOf(1)", Value::Int(-1)),
            ("['a', 'b'].indexOf('b')", Value::Int(1)),
            ("[[1], [2]].indexOf([2])", Value::Int(1)),
            ("[{'a': 1}].lastIndexOf({'a': 1})", Value::Int(0)),
            // the strings extension's overloads still apply to strings
            ("'abcb'.indexOf('b')", Value::Int(1)),
            ("'abcb'.lastIndexOf('b')", Value::Int(3)),
        ]);
    }
}
