//! Macros the `cel` crate lacks: `cel.bind`, cel-go's two-variable comprehensions
//! (`all`, `exists`, `existsOne`, `transformList`, `transformMap`, `transformMapEntry`
//! with an index or key and a value), and Kyverno's lenient `orValue`.
//!
//! The interpreter has no two-variable comprehension, so `x.all(i, v, p)` is expanded into
//! a one-variable comprehension over `@pairs(x)`, the `[index, element]` pairs of a list or
//! the `[key, value]` pairs of a map in ascending key order, binding `i` and `v` to the
//! pair's parts with the `cel.bind` expansion. The runtime helpers are named with a
//! leading `@`, so that no expression can call them.

use cel::common::ast::{CallExpr, ComprehensionExpr, Expr, IdedExpr, ListExpr, LiteralValue, operators};
use cel::common::types::{CelList, CelMap, CelMapKey, CelOptional, CelString, DYN_TYPE, LIST_TYPE, STRING_TYPE};
use cel::common::value::{CowVal, Val};
use cel::parser::{Macro, MacroExprHelper, ParseError};
use cel::{DeclarationError, Env, ExecutionError};
use std::collections::HashMap;

/// The macros [`register`] adds, all receiver-style, with their argument counts (the
/// receiver not counted): `bind` only on the identifier `cel`.
pub const MACROS: &[(&str, &[usize])] = &[
    ("bind", &[3]),
    ("all", &[3]),
    ("exists", &[3]),
    ("existsOne", &[3]),
    ("exists_one", &[3]),
    ("transformList", &[3, 4]),
    ("transformMap", &[3, 4]),
    ("transformMapEntry", &[3, 4]),
];

/// The macro [`register_kyverno_or_value`] adds: `x.orValue(y)`.
pub const KYVERNO_MACROS: &[(&str, &[usize])] = &[("orValue", &[1])];

/// The helper `x.all(i, v, p)` and its siblings iterate over.
const PAIRS: &str = "@pairs";
/// The helper building the map of `transformMap` from `[key, value]` pairs.
const TO_MAP: &str = "@toMap";
/// The helper merging the maps of `transformMapEntry`.
const MERGE_MAPS: &str = "@mergeMaps";
/// The helper of Kyverno's `orValue`.
const OR_VALUE_COMPAT: &str = "@orValueCompat";
/// The iteration variable of an expanded two-variable comprehension: a pair.
const PAIR: &str = "@pair";
/// The accumulator of the expanded comprehensions.
const RESULT: &str = "@result";

/// Registers `cel.bind` and the two-variable comprehensions, with their runtime helpers,
/// on `env`. `Env::compile` (not `Program::compile`) expands them.
///
/// # Errors
///
/// Fails when `env` already has one of these macros or helpers.
pub fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_macro(Macro::receiver("bind", 3, bind_macro))?;
    env.add_macro(Macro::receiver("all", 3, |h, t, a| two_var(h, t, a, Kind::All)))?;
    env.add_macro(Macro::receiver("exists", 3, |h, t, a| two_var(h, t, a, Kind::Exists)))?;
    for name in ["existsOne", operators::EXISTS_ONE] {
        env.add_macro(Macro::receiver(name, 3, |h, t, a| two_var(h, t, a, Kind::ExistsOne)))?;
    }
    for (name, kind) in [
        ("transformList", Kind::TransformList),
        ("transformMap", Kind::TransformMap),
        ("transformMapEntry", Kind::TransformMapEntry),
    ] {
        env.add_macro(Macro::receiver(name, 3, move |h, t, a| two_var(h, t, a, kind)))?;
        env.add_macro(Macro::receiver(name, 4, move |h, t, a| two_var(h, t, a, kind)))?;
    }
    env.add_overload(PAIRS, "@pairs_dyn", vec![DYN_TYPE], pairs)?;
    env.add_overload(TO_MAP, "@toMap_list", vec![LIST_TYPE], to_map)?;
    env.add_overload(MERGE_MAPS, "@mergeMaps_list", vec![LIST_TYPE], merge_maps)?;
    Ok(())
}

/// Registers Kyverno's `x.orValue(y)` for any `x`: `x` itself when it is not an optional,
/// else the optional's value, or `y` for `optional.none()`. A receiver macro rewriting the
/// call to `@orValueCompat(x, y)`, since an overload on any receiver would never be reached
/// after the standard library's optional one. An error evaluating `x` stays an error.
///
/// # Errors
///
/// Fails when `env` already has the macro or the helper.
pub fn register_kyverno_or_value(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_macro(Macro::receiver("orValue", 1, |h, target, args| {
        let (Some(x), Some(y)) = (target.take(), args.pop()) else {
            return Err(h.new_error(0, "orValue needs a receiver and an argument"));
        };
        Ok(Some(call(h, OR_VALUE_COMPAT, vec![x, y])))
    }))?;
    env.add_overload(
        OR_VALUE_COMPAT,
        "@orValueCompat_dyn_dyn",
        vec![DYN_TYPE, DYN_TYPE],
        or_value_compat,
    )?;
    Ok(())
}

/// `s.matches(re)` and `matches(s, re)` with the compiled pattern cached per thread: the
/// crate compiles the pattern at every call, which dominates policies that match names
/// against a constant pattern.
pub fn register_cached_matches(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_macro(Macro::receiver("matches", 1, |h, target, args| {
        let (Some(s), Some(re)) = (target.take(), args.pop()) else {
            return Err(h.new_error(0, "matches needs a receiver and a pattern"));
        };
        Ok(Some(call(h, MATCHES, vec![s, re])))
    }))?;
    env.add_macro(Macro::global("matches", 2, |h, _, args| {
        let (Some(re), Some(s)) = (args.pop(), args.pop()) else {
            return Err(h.new_error(0, "matches needs a string and a pattern"));
        };
        Ok(Some(call(h, MATCHES, vec![s, re])))
    }))?;
    env.add_overload(
        MATCHES,
        "@matches_string_string",
        vec![STRING_TYPE, STRING_TYPE],
        cached_matches,
    )?;
    Ok(())
}

const MATCHES: &str = "@matches";

/// `lists.range(n)` with `n` bounded ([`super::budget::RANGE`]): the list is built whole, so
/// an unbounded `n` would exhaust memory.
pub fn register_bounded_range(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_macro(Macro::receiver("range", 1, |h, target, args| {
        if !matches!(target.as_ref().map(|t| &t.expr), Some(Expr::Ident(n)) if n == "lists") {
            return Ok(None);
        }
        let Some(n) = args.pop() else {
            return Err(h.new_error(0, "lists.range needs a count"));
        };
        target.take();
        Ok(Some(call(h, RANGE, vec![n])))
    }))?;
    env.add_overload(RANGE, "@range_int", vec![cel::common::types::INT_TYPE], bounded_range)?;
    Ok(())
}

const RANGE: &str = "@range";

fn bounded_range<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    use cel::common::types::CelInt;
    let n = args
        .first()
        .and_then(|a| a.downcast_ref::<CelInt>())
        .map(|i| *i.inner())
        .ok_or_else(|| ExecutionError::function_error("lists.range", "expects an int"))?;
    if n > super::budget::RANGE {
        return Err(ExecutionError::function_error(
            "lists.range",
            format!(
                "{}: lists.range({n}) is above {}",
                super::budget::EXCEEDED,
                super::budget::RANGE
            ),
        ));
    }
    let items: Vec<Box<dyn Val + 'v>> = (0..n.max(0))
        .map(|i| Box::new(CelInt::from(i)) as Box<dyn Val + 'v>)
        .collect();
    Ok(CowVal::owned(CelList::from(items)))
}

fn cached_matches<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    use cel::common::types::CelBool;
    let text = |i: usize| -> Result<String, ExecutionError> {
        args.get(i)
            .and_then(|a| a.downcast_ref::<CelString>())
            .map(|s| s.inner().to_string())
            .ok_or_else(|| ExecutionError::function_error("matches", "expects two strings"))
    };
    let (s, re) = (text(0)?, text(1)?);
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(&re) {
            let compiled = regex::Regex::new(&re).map_err(|e| ExecutionError::function_error("matches", e))?;
            // Bounded: a policy set has few distinct patterns.
            if cache.len() >= 256 {
                cache.clear();
            }
            cache.insert(re.clone(), compiled);
        }
        let matched = cache.get(&re).is_some_and(|r| r.is_match(&s));
        Ok(CowVal::owned(CelBool::from(matched)))
    })
}

// --- expansion -------------------------------------------------------------------------

fn ident(h: &mut MacroExprHelper<'_>, name: &str) -> IdedExpr {
    h.next_expr(Expr::Ident(name.to_owned()))
}

fn call(h: &mut MacroExprHelper<'_>, name: &str, args: Vec<IdedExpr>) -> IdedExpr {
    h.next_expr(Expr::Call(CallExpr {
        func_name: name.to_owned(),
        target: None,
        args,
    }))
}

fn boolean(h: &mut MacroExprHelper<'_>, b: bool) -> IdedExpr {
    h.next_expr(Expr::Literal(LiteralValue::Boolean(b.into())))
}

fn int(h: &mut MacroExprHelper<'_>, i: i64) -> IdedExpr {
    h.next_expr(Expr::Literal(LiteralValue::Int(i.into())))
}

fn list(h: &mut MacroExprHelper<'_>, elements: Vec<IdedExpr>) -> IdedExpr {
    h.next_expr(Expr::List(ListExpr::new(elements)))
}

fn comprehension(h: &mut MacroExprHelper<'_>, c: ComprehensionExpr) -> IdedExpr {
    h.next_expr(Expr::Comprehension(Box::new(c)))
}

/// `cel.bind(var, init, body)`: a comprehension over no elements whose accumulator `var`,
/// initialised to `init`, is in scope in its result `body`.
fn bind(h: &mut MacroExprHelper<'_>, var: String, init: IdedExpr, body: IdedExpr) -> IdedExpr {
    let c = ComprehensionExpr {
        iter_range: list(h, Vec::new()),
        iter_var: "#unused".to_owned(),
        iter_var2: None,
        loop_cond: boolean(h, false),
        loop_step: ident(h, &var),
        accu_var: var,
        accu_init: init,
        result: body,
    };
    comprehension(h, c)
}

/// The name of the simple identifier `expr`, or an error.
fn var_name(h: &mut MacroExprHelper<'_>, expr: &IdedExpr) -> Result<String, ParseError> {
    match &expr.expr {
        Expr::Ident(name) => Ok(name.clone()),
        _ => Err(h.new_error(expr.id, "argument must be a simple name")),
    }
}

fn bind_macro(
    h: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
) -> Result<Option<IdedExpr>, ParseError> {
    if !matches!(target.as_ref().map(|t| &t.expr), Some(Expr::Ident(name)) if name == "cel") {
        return Ok(None);
    }
    let var = var_name(h, &args[0])?;
    target.take();
    let body = args.pop();
    let init = args.pop();
    let (Some(init), Some(body)) = (init, body) else {
        return Err(h.new_error(0, "cel.bind takes three arguments"));
    };
    args.clear();
    Ok(Some(bind(h, var, init, body)))
}

/// The two-variable comprehensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    All,
    Exists,
    ExistsOne,
    TransformList,
    TransformMap,
    TransformMapEntry,
}

/// Expands `target.<kind>(i, v, [filter,] e)` over `@pairs(target)`.
fn two_var(
    h: &mut MacroExprHelper<'_>,
    target: &mut Option<IdedExpr>,
    args: &mut Vec<IdedExpr>,
    kind: Kind,
) -> Result<Option<IdedExpr>, ParseError> {
    let first = var_name(h, &args[0])?;
    let second = var_name(h, &args[1])?;
    if first == second {
        return Err(h.new_error(args[1].id, format!("duplicate variable name: {second}")));
    }
    let Some(range) = target.take() else {
        return Err(h.new_error(0, "a comprehension needs a receiver"));
    };
    let expr = args.pop();
    let filter = if args.len() == 3 { args.pop() } else { None };
    args.clear();
    let Some(expr) = expr else {
        return Err(h.new_error(range.id, "a comprehension needs an expression"));
    };

    // `e` with the first variable bound to `@pair[0]` and the second to `@pair[1]`.
    let bound = |h: &mut MacroExprHelper<'_>, e: IdedExpr| {
        let pair = ident(h, PAIR);
        let one = int(h, 1);
        let second_init = call(h, operators::INDEX, vec![pair, one]);
        let inner = bind(h, second.clone(), second_init, e);
        let pair = ident(h, PAIR);
        let zero = int(h, 0);
        let first_init = call(h, operators::INDEX, vec![pair, zero]);
        bind(h, first.clone(), first_init, inner)
    };

    let accu = |h: &mut MacroExprHelper<'_>| ident(h, RESULT);
    let expr = bound(h, expr);
    let (init, cond, step, result) = match kind {
        Kind::All => {
            let init = boolean(h, true);
            let a = accu(h);
            let cond = call(h, operators::NOT_STRICTLY_FALSE, vec![a]);
            let a = accu(h);
            let step = call(h, operators::LOGICAL_AND, vec![a, expr]);
            (init, cond, step, accu(h))
        }
        Kind::Exists => {
            let init = boolean(h, false);
            let a = accu(h);
            let not = call(h, operators::LOGICAL_NOT, vec![a]);
            let cond = call(h, operators::NOT_STRICTLY_FALSE, vec![not]);
            let a = accu(h);
            let step = call(h, operators::LOGICAL_OR, vec![a, expr]);
            (init, cond, step, accu(h))
        }
        Kind::ExistsOne => {
            let init = int(h, 0);
            let cond = boolean(h, true);
            let a = accu(h);
            let one = int(h, 1);
            let plus = call(h, operators::ADD, vec![a, one]);
            let a = accu(h);
            let step = call(h, operators::CONDITIONAL, vec![expr, plus, a]);
            let a = accu(h);
            let one = int(h, 1);
            let result = call(h, operators::EQUALS, vec![a, one]);
            (init, cond, step, result)
        }
        Kind::TransformList | Kind::TransformMap | Kind::TransformMapEntry => {
            let init = list(h, Vec::new());
            let cond = boolean(h, true);
            let element = if kind == Kind::TransformMap {
                let pair = ident(h, PAIR);
                let zero = int(h, 0);
                let key = call(h, operators::INDEX, vec![pair, zero]);
                list(h, vec![key, expr])
            } else {
                expr
            };
            let a = accu(h);
            let appended = list(h, vec![element]);
            let mut step = call(h, operators::ADD, vec![a, appended]);
            if let Some(filter) = filter {
                let filter = bound(h, filter);
                let a = accu(h);
                step = call(h, operators::CONDITIONAL, vec![filter, step, a]);
            }
            let result = match kind {
                Kind::TransformMap => {
                    let a = accu(h);
                    call(h, TO_MAP, vec![a])
                }
                Kind::TransformMapEntry => {
                    let a = accu(h);
                    call(h, MERGE_MAPS, vec![a])
                }
                _ => accu(h),
            };
            (init, cond, step, result)
        }
    };
    let iter_range = call(h, PAIRS, vec![range]);
    let c = ComprehensionExpr {
        iter_range,
        iter_var: PAIR.to_owned(),
        iter_var2: None,
        accu_var: RESULT.to_owned(),
        accu_init: init,
        loop_cond: cond,
        loop_step: step,
        result,
    };
    Ok(Some(comprehension(h, c)))
}

// --- runtime helpers -------------------------------------------------------------------

fn take_args<'b, 'v, const N: usize>(args: Vec<CowVal<'b, 'v>>) -> Result<[CowVal<'b, 'v>; N], ExecutionError> {
    args.try_into()
        .map_err(|args: Vec<_>| ExecutionError::invalid_argument_count(N, args.len()))
}

/// The entries of a map, keys and values.
type Entries<'v> = Vec<(CelMapKey<'v>, Box<dyn Val + 'v>)>;

/// The `[key, value]` entries of the map `map`, in ascending key order.
fn map_entries<'v>(function: &str, map: &(dyn Val + 'v)) -> Result<Entries<'v>, ExecutionError> {
    let not_a_map =
        || ExecutionError::function_error(function, format!("expected a map, got {}", map.get_type().name()));
    let keys = map.as_iterable().ok_or_else(not_a_map)?;
    let indexer = map.as_indexer().ok_or_else(not_a_map)?;
    let mut entries = Vec::new();
    let mut it = keys.iter();
    while let Some(key) = it.next() {
        let value = indexer.get(key)?.into_owned();
        let key = CelMapKey::try_from(key.clone_as_boxed())?;
        entries.push((key, value));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// `@pairs(x)`: `[[index, element], ...]` for a list, `[[key, value], ...]` in ascending
/// key order for a map.
fn pairs<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [x] = take_args(args)?;
    let pair =
        |a: Box<dyn Val + 'v>, b: Box<dyn Val + 'v>| -> Box<dyn Val + 'v> { Box::new(CelList::from(vec![a, b])) };
    let out: Vec<Box<dyn Val + 'v>> = match x.get_type().kind() {
        cel::common::types::Kind::List => {
            let iterable = x
                .as_iterable()
                .ok_or_else(|| ExecutionError::function_error("transform", "the list is not iterable"))?;
            let mut it = iterable.iter();
            let mut out = Vec::new();
            let mut index = 0i64;
            while let Some(element) = it.next() {
                let index_val: Box<dyn Val + 'v> = Box::new(cel::common::types::CelInt::from(index));
                out.push(pair(index_val, element.clone_as_boxed()));
                index += 1;
            }
            out
        }
        cel::common::types::Kind::Map => map_entries("transform", x.as_ref())?
            .into_iter()
            .map(|(k, v)| pair(k.inner().clone_as_boxed(), v))
            .collect(),
        _ => {
            return Err(ExecutionError::function_error(
                "comprehension",
                format!(
                    "a two-variable comprehension needs a list or a map, got {}",
                    x.get_type().name()
                ),
            ));
        }
    };
    Ok(CowVal::owned(CelList::from(out)))
}

fn insert<'v>(
    function: &str,
    map: &mut HashMap<CelMapKey<'v>, Box<dyn Val + 'v>>,
    key: CelMapKey<'v>,
    value: Box<dyn Val + 'v>,
) -> Result<(), ExecutionError> {
    if map.contains_key(&key) {
        return Err(ExecutionError::function_error(
            function,
            format!("insert failed: key {:?} already exists", key.inner()),
        ));
    }
    map.insert(key, value);
    Ok(())
}

/// `@toMap([[k, v], ...])`: the map of the pairs.
fn to_map<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    const NAME: &str = "transformMap";
    let [list] = take_args(args)?;
    let mut map = HashMap::new();
    let iterable = list
        .as_iterable()
        .ok_or_else(|| ExecutionError::function_error(NAME, "expected a list of pairs"))?;
    let mut it = iterable.iter();
    while let Some(pair) = it.next() {
        let indexer = pair
            .as_indexer()
            .ok_or_else(|| ExecutionError::function_error(NAME, "expected a pair"))?;
        let zero = cel::common::types::CelInt::from(0);
        let one = cel::common::types::CelInt::from(1);
        let key = CelMapKey::try_from(indexer.get(&zero)?.into_owned())?;
        let value = indexer.get(&one)?.into_owned();
        insert(NAME, &mut map, key, value)?;
    }
    Ok(CowVal::owned(CelMap::from(map)))
}

/// `@mergeMaps([m1, m2, ...])`: the entries of all the maps; a repeated key is an error.
fn merge_maps<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    const NAME: &str = "transformMapEntry";
    let [list] = take_args(args)?;
    let mut map = HashMap::new();
    let iterable = list
        .as_iterable()
        .ok_or_else(|| ExecutionError::function_error(NAME, "expected a list of maps"))?;
    let mut it = iterable.iter();
    while let Some(entry) = it.next() {
        if entry.get_type().kind() != cel::common::types::Kind::Map {
            return Err(ExecutionError::function_error(
                NAME,
                format!("the expression must evaluate to a map, got {}", entry.get_type().name()),
            ));
        }
        for (key, value) in map_entries(NAME, entry)? {
            insert(NAME, &mut map, key, value)?;
        }
    }
    Ok(CowVal::owned(CelMap::from(map)))
}

/// `@orValueCompat(x, y)`: the value of the optional `x` or `y` when it has none, or `x`
/// when it is not an optional.
fn or_value_compat<'b, 'v>(args: Vec<CowVal<'b, 'v>>) -> Result<CowVal<'b, 'v>, ExecutionError> {
    let [x, y] = take_args(args)?;
    let Some(optional) = x.downcast_ref::<CelOptional>() else {
        return Ok(x);
    };
    Ok(match optional.option() {
        Some(value) => CowVal::Owned(value.clone_as_boxed()),
        None => y,
    })
}

#[cfg(test)]
mod tests {
    use cel::{Context, Env, Value};
    use std::sync::Arc;

    fn eval(expr: &str) -> Result<Value, String> {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings).expect("strings");
        env.add_extension(cel::extensions::lists).expect("lists");
        env.add_extension(cel::extensions::math).expect("math");
        super::register(&mut env).expect("macros");
        super::register_kyverno_or_value(&mut env).expect("orValue");
        let program = env.compile(expr).map_err(|e| format!("compile: {e}"))?;
        let mut context = Context::with_env(Arc::new(env));
        context.add_variable_from_value("x", 10);
        program.execute(&context).map_err(|e| e.to_string())
    }

    fn check(cases: &[(&str, Value)]) {
        for (expr, want) in cases {
            match eval(expr) {
                Ok(got) => assert_eq!(&got, want, "{expr}"),
                Err(e) => panic!("{expr}: {e}"),
            }
        }
    }

    fn check_true(cases: &[&str]) {
        for expr in cases {
            assert_eq!(eval(expr), Ok(Value::Bool(true)), "{expr}");
        }
    }

    fn check_err(cases: &[(&str, &str)]) {
        for (expr, want) in cases {
            match eval(expr) {
                Ok(got) => panic!("{expr}: expected an error, got {got:?}"),
                Err(e) => assert!(e.contains(want), "{expr}: error {e:?} lacks {want:?}"),
            }
        }
    }

    #[test]
    fn regression() {
        check_true(&[
            "[1, 2].all(i, v, v > 0)",
            "cel.bind(x, 1, x + 1) == 2",
            "{'b': 1, 'a': 2}.transformList(k, v, k) == ['a', 'b']",
        ]);
        // deterministic whatever the map's internal order
        for _ in 0..20 {
            assert_eq!(
                eval("{'b': 1, 'a': 2, 'c': 3, 'd': 4}.transformList(k, v, k + string(v))"),
                Ok(Value::List(Arc::new(vec![
                    Value::from("a2"),
                    Value::from("b1"),
                    Value::from("c3"),
                    Value::from("d4"),
                ]))),
            );
        }
    }

    #[test]
    fn bind() {
        check(&[
            ("cel.bind(a, 'hello', a + a)", Value::from("hellohello")),
            ("cel.bind(a, 1, cel.bind(b, a + 1, a + b))", Value::Int(3)),
            // the binding shadows the variable `x` only inside
            ("cel.bind(x, 1, x) + x", Value::Int(11)),
            (
                "cel.bind(v, [1, 2, 3], v.map(e, e * 2).exists(e, e == 6))",
                Value::Bool(true),
            ),
        ]);
        // `bind` on anything else than `cel` is left alone: no such function
        assert!(eval("x.bind(a, 1, a)").is_err());
        check_err(&[("cel.bind(a.b, 1, 2)", "simple name")]);
    }

    #[test]
    fn two_variable_quantifiers() {
        check(&[
            ("[1, 2, 3].all(i, v, i < v)", Value::Bool(true)),
            ("[1, 2, 3].all(i, v, i > 0)", Value::Bool(false)),
            ("[].all(i, v, false)", Value::Bool(true)),
            ("{'a': 1, 'b': 2}.all(k, v, k.size() == v)", Value::Bool(false)),
            ("{'a': 1, 'bb': 2}.all(k, v, k.size() == v)", Value::Bool(true)),
            ("[1, 2, 3].exists(i, v, i == 1 && v == 2)", Value::Bool(true)),
            ("[1, 2, 3].exists(i, v, i == v)", Value::Bool(false)),
            ("{'a': 1}.exists(k, v, k == 'a' && v == 1)", Value::Bool(true)),
            ("[1, 1, 2].existsOne(i, v, v == 1)", Value::Bool(false)),
            ("[1, 1, 2].existsOne(i, v, v == 2)", Value::Bool(true)),
            ("[1, 1, 2].exists_one(i, v, i == 0)", Value::Bool(true)),
            ("{'a': 1, 'b': 1}.existsOne(k, v, v == 1)", Value::Bool(false)),
            // the one-variable forms are the standard ones
            ("[1, 2].all(v, v > 0)", Value::Bool(true)),
            ("[1, 2].exists(v, v > 1)", Value::Bool(true)),
            ("[1, 2].existsOne(v, v > 1)", Value::Bool(true)),
            ("[1, 2].exists_one(v, v > 1)", Value::Bool(true)),
            // error-absorbing logic, as for the standard macros
            ("[0, 1].exists(i, v, 1 / v == 1)", Value::Bool(true)),
            ("[0, 1].all(i, v, 1 / v == 2)", Value::Bool(false)),
            // nested
            ("[[1, 2], [3]].all(i, l, l.all(j, v, v > i))", Value::Bool(true)),
        ]);
        check_err(&[
            ("[1].all(i, i, true)", "duplicate variable"),
            ("[1].all(i, v.w, true)", "simple name"),
            ("1.all(i, v, true)", "list or a map"),
        ]);
    }

    #[test]
    fn transform_list() {
        check_true(&[
            "[1, 2, 3].transformList(i, v, i * v) == [0, 2, 6]",
            "[1, 2, 3].transformList(i, v, i > 0, v) == [2, 3]",
            "{'a': 1, 'b': 2}.transformList(k, v, v > 1, k) == ['b']",
            "{'b': 1, 'a': 2}.transformList(k, v, [k, v]) == [['a', 2], ['b', 1]]",
            "[].transformList(i, v, v) == []",
            // the expression is not evaluated for the elements the filter leaves out
            "[0, 2].transformList(i, v, v != 0, 4 / v) == [2]",
            // the variables shadow outer ones only inside
            "cel.bind(v, 'outer', [1].transformList(i, v, v) == [1] && v == 'outer')",
            "{'a': [1, 2], 'b': [3]}.transformList(k, l, l.transformList(i, v, k + string(i + v))) \
             == [['a1', 'a3'], ['b3']]",
        ]);
    }

    #[test]
    fn transform_map() {
        check_true(&[
            "[1, 2, 3].transformMap(i, v, v * 2) == {0: 2, 1: 4, 2: 6}",
            "[1, 2, 3].transformMap(i, v, i > 0, v * 2) == {1: 4, 2: 6}",
            "{'a': 1, 'b': 2}.transformMap(k, v, k + string(v)) == {'a': 'a1', 'b': 'b2'}",
            "{'a': 1, 'b': 2}.transformMap(k, v, v > 1, v) == {'b': 2}",
            "{}.transformMap(k, v, v) == {}",
        ]);
    }

    #[test]
    fn transform_map_entry() {
        check_true(&[
            "{'a': 'b', 'c': 'd'}.transformMapEntry(k, v, {v: k}) == {'b': 'a', 'd': 'c'}",
            "[1, 2].transformMapEntry(i, v, {string(v): i}) == {'1': 0, '2': 1}",
            "[1, 2].transformMapEntry(i, v, v > 1, {v: i}) == {2: 1}",
            "[1, 2].transformMapEntry(i, v, {}) == {}",
        ]);
        check_err(&[
            ("{'a': 1, 'b': 1}.transformMapEntry(k, v, {v: k})", "already exists"),
            ("[1].transformMapEntry(i, v, v)", "must evaluate to a map"),
        ]);
    }

    #[test]
    fn kyverno_or_value() {
        check(&[
            ("'value'.orValue('default')", Value::from("value")),
            ("x.orValue(1)", Value::Int(10)),
            ("optional.none().orValue('default')", Value::from("default")),
            ("optional.of('v').orValue('default')", Value::from("v")),
            ("{'a': 1}.?a.orValue(0)", Value::Int(1)),
            ("{'a': 1}.?b.orValue(0)", Value::Int(0)),
            ("null.orValue(0)", Value::Null),
        ]);
        check_err(&[("(1 / 0).orValue(5)", "")]);
    }
}
