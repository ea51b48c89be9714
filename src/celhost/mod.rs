//! The CEL host: CEL expressions evaluated over plimsoll's spanned tree, with the
//! Kubernetes CEL libraries, the Kyverno compatibility shims, values unknown offline and
//! positions for failing expressions ([`blame`]). Built on the `cel` crate; knows nothing of
//! rules or findings, so that it could become a crate of its own.
//!
//! The interface is small: a [`Host`] per environment ([`Flavor`] and Kubernetes version),
//! [`Host::compile`] to an [`Expr`], values from the tree ([`value::of_node`]), a
//! `cel::Context` the caller fills with its variables, [`Expr::check`] for a validation's
//! verdict and [`blame::explain`] for the fields a false verdict is about.

pub mod blame;
pub mod budget;
pub mod k8s;
pub mod macros;
pub mod value;

use cel::common::ast::{Expr as Ast, IdedExpr};
use cel::objects::Value;
use std::sync::Arc;

pub use cel::Context;

/// Which environment expressions compile in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// The API server's admission CEL environment (ValidatingAdmissionPolicy, Kyverno
    /// `validate.cel`, custom rules, CRD rules) at a Kubernetes minor version.
    Kubernetes,
    /// Kyverno's `ValidatingPolicy` environment: the Kubernetes base environment plus
    /// Kyverno's libraries and its `orValue` compatibility.
    Kyverno,
}

/// A compiled environment. Cheap to share across threads.
#[derive(Clone)]
pub struct Host {
    env: Arc<cel::Env>,
    pub flavor: Flavor,
    pub kubernetes_minor: u32,
}

/// An expression that does not compile: the message and, when known, the byte offset in
/// the expression.
#[derive(Clone, Debug, PartialEq)]
pub struct CompileError {
    pub message: String,
    pub offset: Option<usize>,
}

/// A compiled expression.
pub struct Expr {
    pub source: String,
    program: cel::Program,
}

/// An input offline evaluation cannot know: a variable (`authorizer`) or a field of one
/// (`request.userInfo`), and why it is unknown.
#[derive(Clone, Debug)]
pub struct UnknownInput {
    pub path: Vec<&'static str>,
    pub reason: String,
}

/// What a validation evaluated to.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    True,
    /// Any value but `true` (CEL's "the validation failed").
    False,
    Error(String),
    /// The result depends on an input offline evaluation does not have.
    Unknown(String),
}

impl Host {
    pub fn new(flavor: Flavor, kubernetes_minor: u32) -> Host {
        let mut env = cel::Env::stdlib();
        let registered = (|| {
            cel::extensions::strings(&mut env)?;
            cel::extensions::lists(&mut env)?;
            cel::extensions::math(&mut env)?;
            cel::extensions::encoders(&mut env)?;
            macros::register(&mut env)?;
            macros::register_cached_matches(&mut env)?;
            macros::register_bounded_range(&mut env)?;
            k8s::register(&mut env, kubernetes_minor)?;
            if flavor == Flavor::Kyverno {
                k8s::register_kyverno_regex(&mut env)?;
                macros::register_kyverno_or_value(&mut env)?;
            }
            Ok::<(), cel::DeclarationError>(())
        })();
        debug_assert!(registered.is_ok(), "{registered:?}");
        Host {
            env: Arc::new(env),
            flavor,
            kubernetes_minor,
        }
    }

    /// Parses an expression (macros expanded).
    pub fn compile(&self, source: &str) -> Result<Expr, CompileError> {
        if let Some(message) = budget::too_large(source) {
            return Err(CompileError { message, offset: None });
        }
        // A hostile expression must not take the run down with it.
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.env.compile(source)));
        let Ok(parsed) = parsed else {
            return Err(CompileError {
                message: "the CEL parser failed on this expression".into(),
                offset: None,
            });
        };
        match parsed {
            Ok(program) if budget::nesting(program.expression()) > budget::NESTING => Err(CompileError {
                message: format!(
                    "comprehensions (macros, cel.bind) nested more than {} deep: not evaluated",
                    budget::NESTING
                ),
                offset: None,
            }),
            Ok(program) => {
                let expr = Expr {
                    source: source.to_string(),
                    program,
                };
                // A Kubernetes library newer than the target cluster: the API server rejects
                // the expression there (names the standard library also declares aside).
                let mut calls = expr.names().calls;
                // Global functions (`semver(…)`) name the library better than its methods.
                calls.sort_by_key(|(_, _, receiver)| *receiver);
                for (name, _, _) in calls {
                    if matches!(name.as_str(), "string" | "indexOf" | "lastIndexOf") {
                        continue;
                    }
                    if let Some(since) = k8s::library_since(&name)
                        && since > self.kubernetes_minor
                    {
                        return Err(CompileError {
                            message: format!(
                                "{name} is not available before Kubernetes 1.{since} (the target is 1.{}: kubernetes_version)",
                                self.kubernetes_minor
                            ),
                            offset: None,
                        });
                    }
                }
                Ok(expr)
            }
            Err(errors) => {
                let first = errors.errors.first();
                let message = first.map_or_else(|| errors.to_string(), |e| e.msg.clone());
                let offset = first.and_then(|e| offset_of(source, e.pos));
                Err(CompileError { message, offset })
            }
        }
    }

    /// A root context of this environment, to add variables to.
    pub fn context<'p, 'v>(&self) -> Context<'p, 'v> {
        Context::with_env(self.env.clone())
    }
}

/// The byte offset of a parser position (1-based line, 0-based column in characters).
fn offset_of(source: &str, (line, col): (isize, isize)) -> Option<usize> {
    let line = usize::try_from(line).ok()?.checked_sub(1)?;
    let col = usize::try_from(col).ok()?;
    let start: usize = source.split_inclusive('\n').take(line).map(str::len).sum();
    let rest = source.get(start..)?;
    Some(start + rest.char_indices().nth(col).map_or(rest.len(), |(b, _)| b))
}

impl Expr {
    /// The parsed, macro-expanded expression.
    pub fn ast(&self) -> &IdedExpr {
        self.program.expression()
    }

    /// Evaluates to a value.
    pub fn value(&self, ctx: &Context<'_, '_>) -> Result<Value, String> {
        budget::start();
        budget::finish(guarded(|| self.program.execute(ctx).map_err(|e| e.to_string())))
    }

    /// Evaluates to a value the context may borrow from (a variable's value).
    pub fn val<'e, 'v>(&'e self, ctx: &'e Context<'_, 'v>) -> Result<Box<dyn cel::common::value::Val + 'v>, String> {
        budget::start();
        budget::finish(guarded(|| {
            Value::resolve_val(self.ast(), ctx)
                .map(|v| v.into_owned())
                .map_err(|e| e.to_string())
        }))
    }

    /// A validation's verdict: `true` passes, any other value fails, an error that
    /// involves an unknown input is [`Verdict::Unknown`].
    pub fn check(&self, ctx: &Context<'_, '_>, unknowns: &[UnknownInput]) -> Verdict {
        budget::start();
        let result = budget::finish(guarded(|| self.program.execute(ctx).map_err(|e| e.to_string())));
        match result {
            Ok(Value::Bool(true)) => Verdict::True,
            Ok(_) => Verdict::False,
            Err(e) if e.starts_with(budget::EXCEEDED) => Verdict::Error(e),
            Err(e) => match self.unknown_reason(unknowns) {
                Some(reason) => Verdict::Unknown(reason),
                None => Verdict::Error(e),
            },
        }
    }

    /// The reason of the first unknown input the expression reads, if any.
    pub fn unknown_reason(&self, unknowns: &[UnknownInput]) -> Option<String> {
        unknowns
            .iter()
            .find(|u| reads(self.ast(), &u.path))
            .map(|u| u.reason.clone())
    }

    /// Whether the expression reads a variable or a field path (`["request", "userInfo"]`).
    pub fn reads(&self, path: &[&str]) -> bool {
        reads(self.ast(), path)
    }

    /// Every global function or method name the expression calls, and the identifiers it
    /// reads that no comprehension binds (for the static checks of a policy).
    pub fn names(&self) -> Names {
        let mut names = Names::default();
        collect_names(self.ast(), &mut Vec::new(), &mut names);
        names.calls.sort();
        names.calls.dedup();
        names.idents.sort();
        names.idents.dedup();
        names
    }
}

/// Runs an evaluation, turning a panic of the interpreter into an error.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err("the CEL interpreter failed on this expression".to_string()))
}

/// Names an expression uses.
#[derive(Debug, Default)]
pub struct Names {
    /// (function name, argument count, receiver call).
    pub calls: Vec<(String, usize, bool)>,
    /// Free identifiers (`object`, `variables`, `params` …).
    pub idents: Vec<String>,
    /// Fields selected on `variables` (`variables.x` → `x`).
    pub variables: Vec<String>,
}

fn collect_names(e: &IdedExpr, bound: &mut Vec<String>, names: &mut Names) {
    match &e.expr {
        Ast::Ident(name) => {
            if !bound.iter().any(|b| b == name) {
                names.idents.push(name.clone());
            }
        }
        Ast::Select(s) => {
            if let Ast::Ident(root) = &s.operand.expr
                && root == "variables"
                && !bound.iter().any(|b| b == "variables")
            {
                names.variables.push(s.field.clone());
            }
            collect_names(&s.operand, bound, names);
        }
        Ast::Call(c) => {
            if !c.func_name.starts_with('_')
                && !c.func_name.starts_with('@')
                && c.func_name != "!_"
                && c.func_name != "-_"
            {
                // A qualified global function (`optional.none()`) is a call on an identifier.
                let qualified = c.target.as_ref().and_then(|t| match &t.expr {
                    Ast::Ident(ns) if !bound.iter().any(|b| b == ns) && is_namespace(ns) => {
                        Some(format!("{ns}.{}", c.func_name))
                    }
                    _ => None,
                });
                match qualified {
                    Some(q) => names.calls.push((q, c.args.len(), false)),
                    None => names
                        .calls
                        .push((c.func_name.clone(), c.args.len(), c.target.is_some())),
                }
                if qualified_target(c) {
                    for a in &c.args {
                        collect_names(a, bound, names);
                    }
                    return;
                }
            }
            if let Some(t) = &c.target {
                collect_names(t, bound, names);
            }
            for a in &c.args {
                collect_names(a, bound, names);
            }
        }
        Ast::Comprehension(c) => {
            collect_names(&c.iter_range, bound, names);
            collect_names(&c.accu_init, bound, names);
            bound.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                bound.push(v.clone());
            }
            bound.push(c.accu_var.clone());
            collect_names(&c.loop_cond, bound, names);
            collect_names(&c.loop_step, bound, names);
            collect_names(&c.result, bound, names);
            bound.truncate(bound.len() - 2 - usize::from(c.iter_var2.is_some()));
        }
        Ast::List(l) => {
            for x in &l.elements {
                collect_names(x, bound, names);
            }
        }
        Ast::Map(m) => {
            for entry in &m.entries {
                if let cel::common::ast::EntryExpr::MapEntry(me) = &entry.expr {
                    collect_names(&me.key, bound, names);
                    collect_names(&me.value, bound, names);
                }
            }
        }
        Ast::Struct(s) => {
            for entry in &s.entries {
                if let cel::common::ast::EntryExpr::StructField(f) = &entry.expr {
                    collect_names(&f.value, bound, names);
                }
            }
        }
        Ast::Literal(_) | Ast::Unspecified => {}
    }
}

/// Namespaces of qualified global functions (`optional.none()`, `strings.quote()`).
fn is_namespace(name: &str) -> bool {
    matches!(
        name,
        "optional" | "strings" | "lists" | "math" | "base64" | "sets" | "regex" | "format" | "cel"
    )
}

fn qualified_target(c: &cel::common::ast::CallExpr) -> bool {
    c.target
        .as_ref()
        .is_some_and(|t| matches!(&t.expr, Ast::Ident(ns) if is_namespace(ns)))
}

/// Whether `e` reads `path`: the identifier alone, or a selection of its fields.
fn reads(e: &IdedExpr, path: &[&str]) -> bool {
    if selects(e, path) {
        return true;
    }
    match &e.expr {
        Ast::Select(s) => reads(&s.operand, path),
        Ast::Call(c) => c.target.as_deref().is_some_and(|t| reads(t, path)) || c.args.iter().any(|a| reads(a, path)),
        Ast::Comprehension(c) => {
            reads(&c.iter_range, path)
                || reads(&c.accu_init, path)
                || reads(&c.loop_cond, path)
                || reads(&c.loop_step, path)
                || reads(&c.result, path)
        }
        Ast::List(l) => l.elements.iter().any(|x| reads(x, path)),
        Ast::Map(m) => m.entries.iter().any(|entry| match &entry.expr {
            cel::common::ast::EntryExpr::MapEntry(me) => reads(&me.key, path) || reads(&me.value, path),
            _ => false,
        }),
        _ => false,
    }
}

/// Whether `e` is exactly `path` (`request.userInfo`, through `.` and `.?`).
fn selects(e: &IdedExpr, path: &[&str]) -> bool {
    let Some((last, rest)) = path.split_last() else {
        return false;
    };
    match &e.expr {
        Ast::Ident(name) => rest.is_empty() && name == last,
        Ast::Select(s) => s.field == *last && selects(&s.operand, rest),
        Ast::Call(c) if c.func_name == cel::common::ast::operators::OPT_SELECT && c.args.len() == 2 => {
            matches!(&c.args[1].expr, Ast::Literal(cel::common::ast::LiteralValue::String(f)) if &**f == *last)
                && selects(&c.args[0], rest)
        }
        _ => false,
    }
}

/// A value that stands for an input offline evaluation cannot know: every operation on it
/// fails, so an expression whose result depends on it ends in an error that
/// [`Expr::check`] reports as unknown, while `&&`, `||` and comprehensions still absorb it
/// when the other side decides.
#[derive(Debug, PartialEq, Eq)]
pub struct Unknown;

impl cel::objects::Opaque for Unknown {
    fn runtime_type_name(&self) -> &str {
        "plimsoll.unknown"
    }
}

/// The unknown value, as a CEL value.
pub fn unknown() -> Value {
    Value::Opaque(Arc::new(Unknown))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, object: serde_json::Value) -> Verdict {
        let host = Host::new(Flavor::Kubernetes, 34);
        let expr = host.compile(src).expect("compiles");
        let mut ctx = host.context();
        ctx.add_variable_as_val("object", value::of_json(&object));
        let unknowns = [UnknownInput {
            path: vec!["request", "userInfo"],
            reason: "needs the requesting user".into(),
        }];
        ctx.add_variable_from_value(
            "request",
            Value::Map(cel::objects::Map {
                map: Arc::new(
                    [
                        (
                            cel::objects::Key::String(Arc::new("operation".into())),
                            Value::String(Arc::new("CREATE".into())),
                        ),
                        (cel::objects::Key::String(Arc::new("userInfo".into())), unknown()),
                    ]
                    .into_iter()
                    .collect(),
                ),
            }),
        );
        expr.check(&ctx, &unknowns)
    }

    #[test]
    fn integers_are_ints_not_uints() {
        // `cel::to_value` would make JSON 1 a uint, and `uint + int` has no overload.
        assert_eq!(
            check(
                "object.spec.replicas + 1 == 4",
                serde_json::json!({"spec": {"replicas": 3}})
            ),
            Verdict::True
        );
    }

    #[test]
    fn an_unknown_input_decides_nothing_unless_the_result_depends_on_it() {
        let obj = serde_json::json!({});
        assert_eq!(
            check(
                "request.operation == 'CREATE' || request.userInfo.username == 'x'",
                obj.clone()
            ),
            Verdict::True
        );
        assert!(matches!(
            check("request.userInfo.username == 'x'", obj.clone()),
            Verdict::Unknown(_)
        ));
        assert_eq!(check("object.nope", obj), Verdict::Error("No such key: nope".into()));
    }

    #[test]
    fn evaluation_is_bounded() {
        budget::set_limit(100_000);
        let obj = serde_json::json!({"items": (0..5000).collect::<Vec<_>>()});
        // 5000 x 5000 steps: over the budget, an error rather than minutes of work.
        match check("object.items.all(a, object.items.all(b, a + b >= 0))", obj.clone()) {
            Verdict::Error(e) => assert!(e.starts_with(budget::EXCEEDED), "{e}"),
            v => panic!("{v:?}"),
        }
        assert_eq!(check("object.items.all(a, a >= 0)", obj), Verdict::True);
        match check("lists.range(2000000000).size() > 0", serde_json::json!({})) {
            Verdict::Error(e) => assert!(e.contains(budget::EXCEEDED), "{e}"),
            v => panic!("{v:?}"),
        }
        assert_eq!(
            check("lists.range(3) == [0, 1, 2]", serde_json::json!({})),
            Verdict::True
        );
        let host = Host::new(Flavor::Kubernetes, 34);
        let deep = (0..20).fold("true".to_string(), |e, i| format!("[1].all(x{i}, {e})"));
        assert!(host.compile(&deep).is_err());
        // Deep recursion would overflow a worker's stack: refused before parsing.
        assert!(host.compile(&format!("1{}", " + 1".repeat(2500))).is_err());
        assert!(host.compile("'+++' + '((('").is_ok());
        budget::set_limit(budget::STEPS);
    }

    #[test]
    fn libraries_newer_than_the_target_are_refused() {
        let old = Host::new(Flavor::Kubernetes, 30);
        let e = old.compile("semver('1.2.3').major() == 1").err().expect("refused");
        assert!(
            e.message.contains("semver is not available before Kubernetes 1.33"),
            "{e:?}"
        );
        assert!(old.compile("isIP('10.0.0.1') && string(1) == '1'").is_ok());
        assert!(
            Host::new(Flavor::Kubernetes, 34)
                .compile("semver('1.2.3').major() == 1")
                .is_ok()
        );
    }

    #[test]
    fn parse_errors_carry_an_offset() {
        let host = Host::new(Flavor::Kubernetes, 34);
        let e = host.compile("object.a &&").err().expect("does not compile");
        assert!(e.offset.is_some(), "{e:?}");
    }
}
