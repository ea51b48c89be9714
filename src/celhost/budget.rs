//! Bounded evaluation. The interpreter cannot be interrupted, and expressions come from the
//! repository (which may be hostile), so what can grow is bounded:
//!
//! - iteration over values of the tree: at most [`STEPS`] elements per evaluation, counted by
//!   the tree's lists and maps ([`super::value::Shared`]); past it the iteration ends early
//!   and the evaluation is an error ("evaluation budget exceeded");
//! - `lists.range(n)`: `n` at most [`RANGE`] (a macro routes it to a bounded implementation);
//! - comprehensions (macros, `cel.bind`) nested at most [`NESTING`] deep, checked when the
//!   expression is compiled: each level can at most multiply the work by the size of a list,
//!   and doubling a value (`cel.bind(a, s + s, …)`) needs a level, so a value is at most
//!   2^8 times the input. (The specification proposed 16 levels: 2^16 times a large input
//!   is more memory than a CI runner has. Real policies nest two or three.)

use std::cell::Cell;

/// Iteration steps over the tree's values in one evaluation.
pub const STEPS: u64 = 10_000_000;
/// The largest `lists.range(n)`.
pub const RANGE: i64 = 1_000_000;
/// The deepest nesting of comprehensions.
pub const NESTING: usize = 8;
/// The most operators, brackets and selections an expression may have: the parser and the
/// interpreter recurse once per level, and a worker thread's stack is small.
pub const OPERATORS: usize = 1000;
/// The longest expression, in bytes.
pub const LENGTH: usize = 64 * 1024;

/// Why an expression is too large to parse safely, if it is: counted on its text, before
/// parsing (outside string literals).
pub fn too_large(source: &str) -> Option<String> {
    if source.len() > LENGTH {
        return Some(format!("expression longer than {LENGTH} bytes: not evaluated"));
    }
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut count = 0;
    for c in source.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '\'' | '"' => quote = Some(c),
                '+' | '-' | '*' | '/' | '%' | '!' | '<' | '>' | '=' | '&' | '|' | '?' | '(' | '[' | '{' | '.' => {
                    count += 1
                }
                _ => {}
            },
        }
    }
    (count > OPERATORS).then(|| format!("expression with more than {OPERATORS} operators: not evaluated"))
}

/// How an evaluation error over budget starts.
pub const EXCEEDED: &str = "evaluation budget exceeded";

thread_local! {
    static LIMIT: Cell<u64> = const { Cell::new(STEPS) };
    static LEFT: Cell<u64> = const { Cell::new(STEPS) };
    static SPENT: Cell<bool> = const { Cell::new(false) };
}

/// Starts an evaluation with a full budget.
pub fn start() {
    LEFT.with(|l| l.set(LIMIT.with(Cell::get)));
    SPENT.with(|s| s.set(false));
}

/// Sets this thread's budget per evaluation (tests use a small one).
pub fn set_limit(steps: u64) {
    LIMIT.with(|l| l.set(steps));
}

/// Spends one step; `false` once the budget is spent.
pub fn step() -> bool {
    LEFT.with(|l| match l.get() {
        0 => {
            SPENT.with(|s| s.set(true));
            false
        }
        n => {
            l.set(n - 1);
            true
        }
    })
}

/// The evaluation's result, or an error if the budget ran out during it (the result of an
/// iteration cut short means nothing).
pub fn finish<T>(result: Result<T, String>) -> Result<T, String> {
    if SPENT.with(Cell::get) {
        Err(format!("{EXCEEDED} ({} iteration steps)", LIMIT.with(Cell::get)))
    } else {
        result
    }
}

/// The deepest nesting of comprehensions in an expression.
pub fn nesting(e: &cel::common::ast::IdedExpr) -> usize {
    use cel::common::ast::{EntryExpr, Expr};
    match &e.expr {
        Expr::Comprehension(c) => {
            1 + [&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step, &c.result]
                .into_iter()
                .map(nesting)
                .max()
                .unwrap_or(0)
        }
        Expr::Call(c) => c
            .target
            .iter()
            .map(|t| nesting(t))
            .chain(c.args.iter().map(nesting))
            .max()
            .unwrap_or(0),
        Expr::Select(s) => nesting(&s.operand),
        Expr::List(l) => l.elements.iter().map(nesting).max().unwrap_or(0),
        Expr::Map(m) => m
            .entries
            .iter()
            .map(|entry| match &entry.expr {
                EntryExpr::MapEntry(me) => nesting(&me.key).max(nesting(&me.value)),
                EntryExpr::StructField(f) => nesting(&f.value),
            })
            .max()
            .unwrap_or(0),
        Expr::Struct(s) => s
            .entries
            .iter()
            .map(|entry| match &entry.expr {
                EntryExpr::MapEntry(me) => nesting(&me.key).max(nesting(&me.value)),
                EntryExpr::StructField(f) => nesting(&f.value),
            })
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}
