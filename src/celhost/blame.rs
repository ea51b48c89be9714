//! Positions for failing expressions: which fields of the object a false (or, under a
//! negation, true) expression is about.
//!
//! The walk re-evaluates sub-expressions with the context of the failed evaluation and
//! descends only into those that made the result what it was (the spec's blame walk):
//! `!a` explains `a` the other way; `a && b` that is false, its false operands; `a || b`
//! that is false, all operands; `c ? a : b` the branch taken; `x.all(v, p)` that is false
//! the first element for which `p` is not true; `x.exists(v, p)` that is false the list;
//! comparisons, `in`, `has()` and boolean methods the operands that name a field. Routes
//! come from the expression: `object.spec.containers[0]` is the route it spells, an
//! iteration variable the route of its element (lists concatenated with `+` keep each
//! element's route), `variables.x` the route of the variable's expression. An absent field
//! gives a route whose tail does not exist: the caller shows the nearest existing parent
//! with "missing: …". The walk only reads (CEL is pure) and is bounded.

use super::Context;
use crate::source::Route;
use cel::common::ast::{CallExpr, ComprehensionExpr, Expr as Ast, IdedExpr, LiteralValue, operators};
use cel::objects::Value;

/// How many sub-expressions one explanation may evaluate.
const STEP_BUDGET: usize = 20_000;

/// What a walk starts from: the identifiers that are fields of the object (with their
/// routes), and the named variables' expressions (`variables.x`).
pub struct Roots<'a> {
    pub idents: Vec<(String, Route)>,
    pub variables: &'a [(String, &'a IdedExpr)],
}

/// The routes an expression that evaluated to `got` is about, most specific first.
pub fn explain(expr: &IdedExpr, ctx: &Context<'_, '_>, roots: &Roots<'_>, got: bool) -> Vec<Route> {
    let mut w = Walker {
        roots,
        steps: STEP_BUDGET,
    };
    let scope: Vec<(String, Option<Route>)> = roots.idents.iter().map(|(n, r)| (n.clone(), Some(r.clone()))).collect();
    let mut out = Vec::new();
    w.explain(expr, ctx, &scope, got, &mut out);
    // The most specific routes: one that a later one extends (`spec.volumes` and
    // `spec.volumes[1]`) gives way to it.
    let mut unique: Vec<Route> = Vec::new();
    for r in &out {
        let extended = out
            .iter()
            .any(|o| o.segs().len() > r.segs().len() && o.segs().starts_with(r.segs()));
        if !extended && !unique.contains(r) {
            unique.push(r.clone());
        }
    }
    unique
}

/// Where a "no such key: `key`" error arose: the first selection of `key` in the
/// expression whose operand names a field (the route then ends in the absent key).
pub fn missing_key(expr: &IdedExpr, ctx: &Context<'_, '_>, roots: &Roots<'_>, key: &str) -> Option<Route> {
    let mut w = Walker {
        roots,
        steps: STEP_BUDGET,
    };
    let scope: Scope = roots.idents.iter().map(|(n, r)| (n.clone(), Some(r.clone()))).collect();
    let mut found = None;
    find_select(expr, key, &mut |operand| {
        if found.is_none()
            && let Some(r) = w.route_of(operand, ctx, &scope)
        {
            found = Some(r.key(key.to_string()));
        }
    });
    found
}

fn find_select<'e>(e: &'e IdedExpr, key: &str, f: &mut impl FnMut(&'e IdedExpr)) {
    match &e.expr {
        Ast::Select(s) => {
            find_select(&s.operand, key, f);
            if !s.test && s.field == key {
                f(&s.operand);
            }
        }
        Ast::Call(c) => {
            if let Some(t) = &c.target {
                find_select(t, key, f);
            }
            for a in &c.args {
                find_select(a, key, f);
            }
        }
        Ast::List(l) => {
            for x in &l.elements {
                find_select(x, key, f);
            }
        }
        // Inside comprehensions the iteration variable has no route at this level.
        Ast::Comprehension(c) => find_select(&c.iter_range, key, f),
        _ => {}
    }
}

/// The operands of a chain of one operator (`a || b || c`).
fn chain<'e>(e: &'e IdedExpr, op: &str, out: &mut Vec<&'e IdedExpr>) {
    match &e.expr {
        Ast::Call(c) if c.func_name == op && c.args.len() == 2 => {
            chain(&c.args[0], op, out);
            chain(&c.args[1], op, out);
        }
        _ => out.push(e),
    }
}

type Scope = Vec<(String, Option<Route>)>;

struct Walker<'a> {
    roots: &'a Roots<'a>,
    steps: usize,
}

/// The macro a comprehension was expanded from.
enum Macro<'e> {
    All(&'e IdedExpr),
    Exists(&'e IdedExpr),
    ExistsOne(&'e IdedExpr),
    Filter(&'e IdedExpr),
    /// `cel.bind(v, init, e)`: no iteration.
    Bind,
    Other,
}

fn macro_of(c: &ComprehensionExpr) -> Macro<'_> {
    let step = match &c.loop_step.expr {
        Ast::Call(call) => call,
        _ => {
            return match &c.iter_range.expr {
                Ast::List(l) if l.elements.is_empty() => Macro::Bind,
                _ => Macro::Other,
            };
        }
    };
    match (&c.accu_init.expr, step.func_name.as_str()) {
        (Ast::Literal(LiteralValue::Boolean(b)), operators::LOGICAL_AND) if **b && step.args.len() == 2 => {
            Macro::All(&step.args[1])
        }
        (Ast::Literal(LiteralValue::Boolean(b)), operators::LOGICAL_OR) if !**b && step.args.len() == 2 => {
            Macro::Exists(&step.args[1])
        }
        (Ast::Literal(LiteralValue::Int(_)), operators::CONDITIONAL) if step.args.len() == 3 => {
            Macro::ExistsOne(&step.args[0])
        }
        (Ast::List(l), operators::CONDITIONAL) if l.elements.is_empty() && step.args.len() == 3 => {
            // filter: `p ? accu + [v] : accu`; map with a filter has `[f]` not `[v]`.
            let keeps_element = matches!(&step.args[1].expr, Ast::Call(add) if add.args.get(1).is_some_and(
                |l| matches!(&l.expr, Ast::List(l) if matches!(l.elements.first().map(|e| &e.expr), Some(Ast::Ident(v)) if *v == c.iter_var))));
            if keeps_element {
                Macro::Filter(&step.args[0])
            } else {
                Macro::Other
            }
        }
        _ => match &c.iter_range.expr {
            Ast::List(l) if l.elements.is_empty() => Macro::Bind,
            _ => Macro::Other,
        },
    }
}

fn is_true(v: &Result<Value, cel::ExecutionError>) -> bool {
    matches!(v, Ok(Value::Bool(true)))
}

fn string_literal(e: &IdedExpr) -> Option<&str> {
    match &e.expr {
        Ast::Literal(LiteralValue::String(s)) => Some(s),
        _ => None,
    }
}

fn lookup<'s>(scope: &'s Scope, name: &str) -> Option<&'s Option<Route>> {
    scope.iter().rev().find(|(n, _)| n == name).map(|(_, r)| r)
}

impl Walker<'_> {
    fn eval(&mut self, e: &IdedExpr, ctx: &Context<'_, '_>) -> Result<Value, cel::ExecutionError> {
        if self.steps == 0 {
            return Err(cel::ExecutionError::function_error("blame", "budget exhausted"));
        }
        self.steps -= 1;
        Value::resolve(e, ctx)
    }

    fn variable<'e>(&self, e: &'e IdedExpr, scope: &Scope) -> Option<&'e IdedExpr>
    where
        Self: 'e,
    {
        None.or_else(|| match &e.expr {
            Ast::Select(s) if !s.test => match &s.operand.expr {
                Ast::Ident(root) if root == "variables" && lookup(scope, "variables").is_none() => self
                    .roots
                    .variables
                    .iter()
                    .find(|(n, _)| *n == s.field)
                    .map(|(_, e)| *e),
                _ => None,
            },
            _ => None,
        })
    }

    /// The route an expression's value comes from, if it names a field.
    fn route_of(&mut self, e: &IdedExpr, ctx: &Context<'_, '_>, scope: &Scope) -> Option<Route> {
        if let Some(var) = self.variable(e, scope) {
            return self.route_of(var, ctx, scope);
        }
        match &e.expr {
            Ast::Ident(name) => lookup(scope, name).cloned().flatten(),
            Ast::Select(s) => Some(self.route_of(&s.operand, ctx, scope)?.key(s.field.clone())),
            Ast::Call(c) => self.route_of_call(c, ctx, scope),
            _ => None,
        }
    }

    fn route_of_call(&mut self, c: &CallExpr, ctx: &Context<'_, '_>, scope: &Scope) -> Option<Route> {
        match (c.func_name.as_str(), c.target.as_deref(), c.args.as_slice()) {
            (operators::OPT_SELECT, None, [x, f]) => {
                Some(self.route_of(x, ctx, scope)?.key(string_literal(f)?.to_string()))
            }
            (operators::INDEX | operators::OPT_INDEX, None, [x, i]) => {
                let base = self.route_of(x, ctx, scope)?;
                match self.eval(i, ctx).ok()? {
                    Value::Int(i) => Some(base.index(usize::try_from(i).ok()?)),
                    Value::UInt(i) => Some(base.index(usize::try_from(i).ok()?)),
                    Value::String(k) => Some(base.key(k.to_string())),
                    _ => None,
                }
            }
            ("orValue" | "value" | "or", Some(x), _) => self.route_of(x, ctx, scope),
            ("@orValueCompat", None, [x, _]) => self.route_of(x, ctx, scope),
            ("of" | "ofNonZeroValue", Some(t), [x]) if matches!(&t.expr, Ast::Ident(n) if n == "optional") => {
                self.route_of(x, ctx, scope)
            }
            ("size", Some(x), []) | ("size", None, [x]) => self.route_of(x, ctx, scope),
            _ => None,
        }
    }

    /// The route of each element of a list-valued expression, when known.
    fn element_routes(&mut self, e: &IdedExpr, ctx: &Context<'_, '_>, scope: &Scope) -> Vec<Option<Route>> {
        if let Some(var) = self.variable(e, scope) {
            return self.element_routes(var, ctx, scope);
        }
        if let Ast::Call(c) = &e.expr
            && c.func_name == operators::ADD
            && c.args.len() == 2
        {
            let mut routes = self.element_routes(&c.args[0], ctx, scope);
            routes.extend(self.element_routes(&c.args[1], ctx, scope));
            return routes;
        }
        if let Ast::Comprehension(comp) = &e.expr
            && let Macro::Filter(p) = macro_of(comp)
        {
            let routes = self.element_routes(&comp.iter_range, ctx, scope);
            let Ok(Value::List(items)) = self.eval(&comp.iter_range, ctx) else {
                return Vec::new();
            };
            let mut kept = Vec::new();
            for (item, route) in items.iter().zip(routes) {
                let mut inner = ctx.new_inner_scope();
                inner.add_variable_from_value(comp.iter_var.clone(), item.clone());
                if is_true(&self.eval(p, &inner)) {
                    kept.push(route);
                }
            }
            return kept;
        }
        let len = match self.eval(e, ctx) {
            Ok(Value::List(items)) => items.len(),
            _ => return Vec::new(),
        };
        match self.route_of(e, ctx, scope) {
            Some(r) => (0..len).map(|i| Some(r.index(i))).collect(),
            None => vec![None; len],
        }
    }

    fn explain(&mut self, e: &IdedExpr, ctx: &Context<'_, '_>, scope: &Scope, got: bool, out: &mut Vec<Route>) {
        if self.steps == 0 {
            return;
        }
        if let Some(var) = self.variable(e, scope) {
            if matches!(self.eval(var, ctx), Ok(Value::Bool(_))) {
                return self.explain(var, ctx, scope, got, out);
            }
            out.extend(self.route_of(var, ctx, scope));
            return;
        }
        match &e.expr {
            Ast::Call(c) => self.explain_call(e, c, ctx, scope, got, out),
            Ast::Comprehension(c) => self.explain_comprehension(e, c, ctx, scope, got, out),
            Ast::Select(s) if s.test => {
                // has(x.f): the field, absent or present.
                out.extend(self.route_of(&s.operand, ctx, scope).map(|r| r.key(s.field.clone())));
            }
            _ => out.extend(self.route_of(e, ctx, scope)),
        }
    }

    fn explain_call(
        &mut self,
        e: &IdedExpr,
        c: &CallExpr,
        ctx: &Context<'_, '_>,
        scope: &Scope,
        got: bool,
        out: &mut Vec<Route>,
    ) {
        match c.func_name.as_str() {
            operators::LOGICAL_NOT if c.args.len() == 1 => self.explain(&c.args[0], ctx, scope, !got, out),
            operators::LOGICAL_OR if !got => {
                // `has(v.a) || has(v.b) || …` all false: the value has none of the fields;
                // it is about `v`, not about one missing field.
                let mut operands = Vec::new();
                chain(e, operators::LOGICAL_OR, &mut operands);
                let tests: Vec<&IdedExpr> = operands
                    .iter()
                    .filter_map(|o| match &o.expr {
                        Ast::Select(s) if s.test => Some(&*s.operand),
                        _ => None,
                    })
                    .collect();
                if tests.len() == operands.len() && tests.len() > 1 && tests.iter().all(|t| *t == tests[0]) {
                    out.extend(self.route_of(tests[0], ctx, scope));
                    return;
                }
                for a in operands {
                    let v = is_true(&self.eval(a, ctx));
                    self.explain(a, ctx, scope, v, out);
                }
            }
            operators::LOGICAL_AND | operators::LOGICAL_OR => {
                // The operands that decided: false ones of a false `&&`, true ones of a true
                // `||`; all of them otherwise.
                let deciding = (c.func_name == operators::LOGICAL_AND) != got;
                for a in &c.args {
                    let v = is_true(&self.eval(a, ctx));
                    if !deciding || v == got {
                        self.explain(a, ctx, scope, v, out);
                    }
                }
            }
            operators::CONDITIONAL if c.args.len() == 3 => {
                let branch = if is_true(&self.eval(&c.args[0], ctx)) { 1 } else { 2 };
                self.explain(&c.args[branch], ctx, scope, got, out);
            }
            _ => {
                if let Some(r) = self.route_of_call(c, ctx, scope) {
                    out.push(r);
                    return;
                }
                // Comparisons, `in` and boolean functions: the operands that name a field,
                // receiver and left operand first.
                let before = out.len();
                for operand in c.target.iter().map(|t| &**t).chain(c.args.iter()) {
                    if let Some(r) = self.route_of(operand, ctx, scope) {
                        out.push(r);
                    } else if matches!(&operand.expr, Ast::Comprehension(_) | Ast::Call(_)) {
                        let v = is_true(&self.eval(operand, ctx));
                        self.explain(operand, ctx, scope, v, out);
                    }
                }
                if out.len() == before {
                    out.extend(self.route_of(e, ctx, scope));
                }
            }
        }
    }

    fn explain_comprehension(
        &mut self,
        e: &IdedExpr,
        c: &ComprehensionExpr,
        ctx: &Context<'_, '_>,
        scope: &Scope,
        got: bool,
        out: &mut Vec<Route>,
    ) {
        let (pred, want) = match macro_of(c) {
            Macro::Bind => {
                let route = self.route_of(&c.accu_init, ctx, scope);
                let Ok(init) = self.eval(&c.accu_init, ctx) else {
                    return;
                };
                let mut inner = ctx.new_inner_scope();
                inner.add_variable_from_value(c.accu_var.clone(), init);
                let mut scope = scope.clone();
                scope.push((c.accu_var.clone(), route));
                return self.explain(&c.result, &inner, &scope, got, out);
            }
            // A false `all` is about its first failing element; a true `exists` (under a
            // negation) about its first matching one; `exists_one` with several matches about
            // the second.
            Macro::All(p) if !got => (p, false),
            Macro::Exists(p) if got => (p, true),
            Macro::ExistsOne(p) if !got => (p, true),
            Macro::Other | Macro::Filter(_) => {
                out.extend(self.route_of(e, ctx, scope));
                return;
            }
            Macro::Exists(p) | Macro::All(p) => {
                // A false `exists` (or a true `all`) is about the list; when the list is not
                // the object's (a literal, a param), about what the predicate reads of the
                // object, on the first element.
                if let Some(r) = self.route_of(&c.iter_range, ctx, scope) {
                    out.push(r);
                    return;
                }
                let Ok(Value::List(items)) = self.eval(&c.iter_range, ctx) else {
                    return;
                };
                let Some(first) = items.first() else { return };
                let mut inner = ctx.new_inner_scope();
                inner.add_variable_from_value(c.iter_var.clone(), first.clone());
                let mut scope = scope.clone();
                scope.push((c.iter_var.clone(), None));
                return self.explain(p, &inner, &scope, got, out);
            }
            Macro::ExistsOne(_) => {
                out.extend(self.route_of(&c.iter_range, ctx, scope));
                return;
            }
        };
        let routes = self.element_routes(&c.iter_range, ctx, scope);
        let items: Vec<Value> = match self.eval(&c.iter_range, ctx) {
            Ok(Value::List(items)) => items.iter().cloned().collect(),
            Ok(Value::Map(m)) => {
                let mut keys: Vec<Value> = m.map.keys().map(|k| Value::from(k.clone())).collect();
                keys.sort_by_key(|k| format!("{k:?}"));
                keys
            }
            _ => Vec::new(),
        };
        let is_exists_one = matches!(macro_of(c), Macro::ExistsOne(_));
        let mut matches = 0;
        for (i, item) in items.into_iter().enumerate() {
            let mut inner = ctx.new_inner_scope();
            inner.add_variable_from_value(c.iter_var.clone(), item);
            let v = is_true(&self.eval(pred, &inner));
            if v != want {
                continue;
            }
            matches += 1;
            if is_exists_one && matches < 2 {
                continue;
            }
            let mut scope = scope.clone();
            let route = routes.get(i).cloned().flatten();
            scope.push((c.iter_var.clone(), route.clone()));
            let before = out.len();
            self.explain(pred, &inner, &scope, v, out);
            if out.len() == before {
                out.extend(route);
            }
            return;
        }
        // exists_one with no match: the list.
        out.extend(self.route_of(&c.iter_range, ctx, scope));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Flavor, Host, value};
    use super::*;

    fn blame(src: &str, object: serde_json::Value) -> Vec<String> {
        let host = Host::new(Flavor::Kubernetes, 34);
        let expr = host.compile(src).expect("compiles");
        let mut ctx = host.context();
        ctx.add_variable_as_val("object", value::of_json(&object));
        let got = matches!(expr.value(&ctx), Ok(Value::Bool(true)));
        let roots = Roots {
            idents: vec![("object".into(), Route::root())],
            variables: &[],
        };
        explain(expr.ast(), &ctx, &roots, got)
            .iter()
            .map(|r| r.to_string())
            .collect()
    }

    #[test]
    fn the_first_failing_element_of_all() {
        let pod = serde_json::json!({"spec": {"containers": [
            {"name": "a", "securityContext": {"privileged": false}},
            {"name": "b", "securityContext": {"privileged": true}},
        ]}});
        assert_eq!(
            blame(
                "object.spec.containers.all(c, !c.?securityContext.?privileged.orValue(false))",
                pod
            ),
            ["spec.containers[1].securityContext.privileged"]
        );
    }

    #[test]
    fn true_operands_of_a_negated_or() {
        let pod = serde_json::json!({"spec": {"hostNetwork": true, "hostPID": true}});
        assert_eq!(
            blame(
                "!(object.spec.?hostNetwork.orValue(false) || object.spec.?hostIPC.orValue(false) || object.spec.?hostPID.orValue(false))",
                pod
            ),
            ["spec.hostNetwork", "spec.hostPID"]
        );
    }

    #[test]
    fn an_absent_field_is_a_route_that_does_not_exist() {
        let pod = serde_json::json!({"spec": {"securityContext": {}}});
        assert_eq!(
            blame("object.spec.securityContext.?runAsNonRoot.orValue(false) == true", pod),
            ["spec.securityContext.runAsNonRoot"]
        );
    }

    #[test]
    fn elements_of_concatenated_lists_keep_their_routes() {
        let pod = serde_json::json!({"spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "init", "image": "x:latest"}]}});
        assert_eq!(
            blame(
                "(object.spec.containers + object.spec.?initContainers.orValue([])).all(c, !c.?image.orValue('').endsWith(':latest'))",
                pod
            ),
            ["spec.initContainers[0].image"]
        );
    }
}
