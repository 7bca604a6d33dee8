//! Expression evaluation over hcl-edit syntax trees, with unknown values and spanned errors.
//!
//! Owns the meaning of expressions: references, operators, templates, `for`, splats, function
//! calls (`funcs`), `try`/`can`. Values computed by the cloud are [`Value::Unknown`] during plan
//! and propagate through every expression that uses them. What a name refers to is decided by the
//! caller through a [`Namespace`]; this module knows nothing about resources or state.

pub mod funcs;
pub mod refs;

use std::collections::BTreeMap;
use std::path::Path;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::{Ident, Span as _};

use crate::config::Expr;
use crate::diag::{Diagnostic, FileId, Span, suggestion};
use crate::value::MAX_VALUE_WEIGHT;
use crate::value::{Map, Value, format_number};

/// Root names visible to expressions (`var`, `local`, `aws_kms_key`, `data`, `path`, ...).
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    pub roots: BTreeMap<String, Value>,
}

impl Namespace {
    pub fn new() -> Namespace {
        Namespace::default()
    }

    pub fn set(&mut self, root: &str, v: Value) {
        self.roots.insert(root.to_string(), v);
    }

    /// Sets `root.name` (e.g. `var.region`), creating the root object if needed.
    pub fn set_in(&mut self, root: &str, name: &str, v: Value) {
        let entry = self
            .roots
            .entry(root.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(name.to_string(), v);
        }
    }

    /// Sets `root.a.b` (e.g. `data.aws_region.current`).
    pub fn set_in2(&mut self, root: &str, a: &str, b: &str, v: Value) {
        let entry = self
            .roots
            .entry(root.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            let inner = m
                .entry(a.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(im) = inner {
                im.insert(b.to_string(), v);
            }
        }
    }
}

/// Everything an evaluation needs besides the expression.
pub struct Evaluator<'a> {
    pub ns: &'a Namespace,
    /// Names bound locally: `count`, `each`, `self`, for-expression and iterator variables.
    pub locals: Vec<(String, Value)>,
    pub base_dir: &'a Path,
    /// Which roots name resource types (for "undeclared resource" messages).
    pub resource_kinds: &'a [&'a str],
}

/// Evaluation nesting limit: protects the stack from hostile, deeply nested expressions.
const MAX_DEPTH: usize = 200;

struct Ctx<'e, 'a> {
    ev: &'e Evaluator<'a>,
    file: FileId,
    locals: Vec<(String, Value)>,
    depth: usize,
}

impl<'a> Evaluator<'a> {
    pub fn new(ns: &'a Namespace, base_dir: &'a Path) -> Evaluator<'a> {
        Evaluator {
            ns,
            locals: Vec::new(),
            base_dir,
            resource_kinds: &[],
        }
    }

    pub fn with_local(mut self, name: &str, v: Value) -> Evaluator<'a> {
        self.locals.push((name.to_string(), v));
        self
    }

    /// Evaluates one expression.
    pub fn eval(&self, e: &Expr) -> Result<Value, Diagnostic> {
        let mut cx = Ctx {
            ev: self,
            file: e.file,
            locals: self.locals.clone(),
            depth: 0,
        };
        cx.eval(&e.expr)
    }

    /// Evaluates an expression from a file id and raw syntax (used for nested block bodies).
    pub fn eval_raw(&self, file: FileId, e: &Expression) -> Result<Value, Diagnostic> {
        let mut cx = Ctx {
            ev: self,
            file,
            locals: self.locals.clone(),
            depth: 0,
        };
        cx.eval(e)
    }
}

/// The error for a value beyond [`MAX_VALUE_WEIGHT`] or [`crate::value::MAX_VALUE_DEPTH`].
fn too_big(why: crate::value::TooBig, span: Option<Span>) -> Diagnostic {
    let detail = match why {
        crate::value::TooBig::Large => format!(
            "This expression builds a value of more than {MAX_VALUE_WEIGHT} elements (long strings count one per 64 bytes), more than keyform allows. Build smaller values."
        ),
        crate::value::TooBig::Deep => format!(
            "This expression builds a value nested more than {} levels deep, more than keyform allows. Build flatter values.",
            crate::value::MAX_VALUE_DEPTH
        ),
        crate::value::TooBig::NotFinite => {
            return err(
                "Number out of range",
                "This expression produces an infinite or undefined number, which keyform cannot store: its numbers are 64-bit floating point, at most about 1.8e308.",
                span,
            );
        }
    };
    err("Value too large", detail, span)
}

fn err(summary: &str, detail: impl Into<String>, span: Option<Span>) -> Diagnostic {
    Diagnostic::error(summary, detail).with_span(span)
}

impl<'a> Ctx<'_, 'a> {
    fn span(&self, r: Option<std::ops::Range<usize>>) -> Option<Span> {
        r.map(|r| Span::new(self.file, r))
    }

    /// Adds `v`'s weight to a value under construction, refusing it once the whole is too big.
    fn add_weight(&self, total: &mut usize, v: &Value, at: &Expression) -> Result<(), Diagnostic> {
        let room = MAX_VALUE_WEIGHT.saturating_sub(*total);
        match v.weigh(room) {
            Ok(w) => {
                *total += w;
                Ok(())
            }
            Err(why) => Err(too_big(why, self.span(at.span()))),
        }
    }

    fn lookup_local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn eval(&mut self, e: &Expression) -> Result<Value, Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                "Expression too deeply nested",
                format!(
                    "Expressions may nest at most {MAX_DEPTH} levels deep. Simplify this expression."
                ),
                self.span(e.span()),
            ));
        }
        let r = self.eval_inner(e);
        self.depth -= 1;
        r
    }

    fn eval_inner(&mut self, e: &Expression) -> Result<Value, Diagnostic> {
        match e {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => match n.value().as_f64() {
                Some(f) if f.is_finite() => Ok(Value::Number(f)),
                _ => Err(err(
                    "Invalid number",
                    "This number is too large to represent. Use a smaller number.",
                    self.span(e.span()),
                )),
            },
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(a) => {
                let mut out = Vec::with_capacity(a.len());
                let mut weight = 0;
                for item in a.iter() {
                    let v = self.eval(item)?;
                    self.add_weight(&mut weight, &v, e)?;
                    out.push(v);
                }
                Ok(Value::List(out))
            }
            Expression::Object(o) => {
                let mut out = Map::new();
                let mut weight = 0;
                let mut unknown_key = false;
                for (k, v) in o.iter() {
                    let key = match k {
                        ObjectKey::Ident(i) => i.value().to_string(),
                        ObjectKey::Expression(ke) => {
                            let kv = self.eval(ke)?;
                            if kv.is_unknown() {
                                unknown_key = true;
                                continue;
                            }
                            match kv.to_string_lossy() {
                                Some(s) => s,
                                None => {
                                    return Err(err(
                                        "Incorrect key type",
                                        format!(
                                            "Can't use this value as a key: string required, got {}.",
                                            kv.type_name()
                                        ),
                                        self.span(ke.span()),
                                    ));
                                }
                            }
                        }
                    };
                    let val = self.eval(v.expr())?;
                    self.add_weight(&mut weight, &val, e)?;
                    out.insert(key, val);
                }
                Ok(if unknown_key {
                    Value::Unknown
                } else {
                    Value::Object(out)
                })
            }
            Expression::StringTemplate(t) => self.template(t, e),
            Expression::HeredocTemplate(h) => self.template(&h.template, e),
            Expression::Parenthesis(p) => self.eval(p.inner()),
            Expression::Variable(v) => self.root(v.value(), self.span(v.span())),
            Expression::Traversal(t) => {
                let (mut cur, done) = self.traverse_borrowed(t)?;
                let mut splat = false;
                for op in &t.operators[done..] {
                    let sp = self.span(op.span());
                    match op.value() {
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                            cur = match cur {
                                Value::Null => Value::List(Vec::new()),
                                Value::List(l) => Value::List(l),
                                Value::Unknown => Value::Unknown,
                                other => Value::List(vec![other]),
                            };
                            splat = true;
                        }
                        other => {
                            if splat {
                                cur = match cur {
                                    Value::List(items) => Value::List(
                                        items
                                            .into_iter()
                                            .map(|i| self.step(i, other, sp))
                                            .collect::<Result<_, _>>()?,
                                    ),
                                    v => self.step(v, other, sp)?,
                                };
                            } else {
                                cur = self.step(cur, other, sp)?;
                            }
                        }
                    }
                }
                Ok(cur)
            }
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr)?;
                match cond {
                    Value::Bool(true) => self.eval(&c.true_expr),
                    Value::Bool(false) => self.eval(&c.false_expr),
                    Value::Unknown => {
                        // Both branches must still be valid.
                        self.eval(&c.true_expr)?;
                        self.eval(&c.false_expr)?;
                        Ok(Value::Unknown)
                    }
                    Value::String(s) if s == "true" || s == "false" => {
                        if s == "true" {
                            self.eval(&c.true_expr)
                        } else {
                            self.eval(&c.false_expr)
                        }
                    }
                    Value::Null => Err(err(
                        "Null condition",
                        "The condition value is null. Conditions must either be true or false.",
                        self.span(c.cond_expr.span()),
                    )),
                    other => Err(err(
                        "Incorrect condition type",
                        format!(
                            "The condition expression must be of type bool, got {}.",
                            other.type_name()
                        ),
                        self.span(c.cond_expr.span()),
                    )),
                }
            }
            Expression::FuncCall(f) => {
                let v = self.call(f, e)?;
                self.add_weight(&mut 0, &v, e)?;
                Ok(v)
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr)?;
                if v.is_unknown() {
                    return Ok(Value::Unknown);
                }
                match u.operator.value() {
                    UnaryOperator::Neg => {
                        let n = self.number(&v, u.expr.span())?;
                        Ok(Value::Number(-n))
                    }
                    UnaryOperator::Not => {
                        let b = self.boolean(&v, u.expr.span())?;
                        Ok(Value::Bool(!b))
                    }
                }
            }
            Expression::BinaryOp(b) => self.binary(b),
            Expression::ForExpr(f) => self.for_expr(f),
        }
    }

    /// Follows a traversal through the namespace by reference for as long as it can, so that
    /// `aws_kms_key.k1.arn` copies one string rather than every key's attributes. Returns the
    /// value reached and how many operators were consumed.
    fn traverse_borrowed(
        &mut self,
        t: &hcl_edit::expr::Traversal,
    ) -> Result<(Value, usize), Diagnostic> {
        let Expression::Variable(v) = &t.expr else {
            return Ok((self.eval(&t.expr)?, 0));
        };
        let name = v.value().as_str();
        let ns: &'a Namespace = self.ev.ns;
        let root = match (self.lookup_local(name), ns.roots.get(name)) {
            (None, Some(r)) => r,
            _ => return Ok((self.eval(&t.expr)?, 0)),
        };
        let mut cur: &'a Value = root;
        let mut done = 0;
        for op in &t.operators {
            let next: Option<&'a Value> = match op.value() {
                TraversalOperator::GetAttr(a) => match cur {
                    Value::Object(m) => m.get(a.value().as_str()),
                    _ => None,
                },
                TraversalOperator::LegacyIndex(i) => match cur {
                    Value::List(l) => usize::try_from(*i.value()).ok().and_then(|i| l.get(i)),
                    _ => None,
                },
                TraversalOperator::Index(ie) => {
                    let k = self.eval(ie)?;
                    match (cur, &k) {
                        (Value::List(l), Value::Number(_)) => k
                            .as_i64()
                            .and_then(|i| usize::try_from(i).ok())
                            .and_then(|i| l.get(i)),
                        (Value::Object(m), Value::String(key)) => m.get(key),
                        _ => None,
                    }
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => None,
            };
            match next {
                Some(n) => {
                    cur = n;
                    done += 1;
                }
                None => break,
            }
        }
        Ok((cur.clone(), done))
    }

    fn root(&self, name: &Ident, span: Option<Span>) -> Result<Value, Diagnostic> {
        let name = name.as_str();
        if let Some(v) = self.lookup_local(name) {
            return Ok(v.clone());
        }
        if let Some(v) = self.ev.ns.roots.get(name) {
            return Ok(v.clone());
        }
        match name {
            "count" => Err(err(
                "Reference to \"count\" in non-counted context",
                "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                span,
            )),
            "each" => Err(err(
                "Reference to \"each\" in context without for_each",
                "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                span,
            )),
            "self" => Err(err(
                "Invalid \"self\" reference",
                "The \"self\" object is only available in postconditions and provisioners.",
                span,
            )),
            "var" | "local" | "data" => Ok(Value::Object(Map::new())),
            _ if name.contains('_') && !self.ev.resource_kinds.is_empty() => {
                Ok(Value::Object(Map::new()))
            }
            _ => {
                let mut names: Vec<&str> = self.ev.ns.roots.keys().map(String::as_str).collect();
                names.extend(self.locals.iter().map(|(n, _)| n.as_str()));
                Err(err(
                    "Unknown variable",
                    format!(
                        "There is no variable named \"{name}\".{}",
                        suggestion(name, names)
                    ),
                    span,
                ))
            }
        }
    }

    fn step(
        &mut self,
        cur: Value,
        op: &TraversalOperator,
        span: Option<Span>,
    ) -> Result<Value, Diagnostic> {
        match op {
            TraversalOperator::GetAttr(a) => self.get_attr(cur, a.value().as_str(), span),
            TraversalOperator::LegacyIndex(i) => {
                self.index(cur, Value::Number(*i.value() as f64), span)
            }
            TraversalOperator::Index(ie) => {
                let k = self.eval(ie)?;
                self.index(cur, k, span)
            }
            TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Ok(cur),
        }
    }

    fn get_attr(&self, cur: Value, name: &str, span: Option<Span>) -> Result<Value, Diagnostic> {
        match cur {
            Value::Unknown => Ok(Value::Unknown),
            Value::Object(mut m) => match m.remove(name) {
                Some(v) => Ok(v),
                None => Err(err(
                    "Unsupported attribute",
                    format!(
                        "This object does not have an attribute named \"{name}\".{}",
                        suggestion(name, m.keys().map(String::as_str))
                    ),
                    span,
                )),
            },
            Value::Null => Err(err(
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
                span,
            )),
            Value::List(_) => Err(err(
                "Unsupported attribute",
                format!(
                    "Can't access attributes on a list of objects. Did you mean to access attribute \"{name}\" for a specific element of the list, or across all elements of the list ([*].{name})?"
                ),
                span,
            )),
            other => Err(err(
                "Unsupported attribute",
                format!(
                    "Can't access attributes on a primitive-typed value ({}).",
                    other.type_name()
                ),
                span,
            )),
        }
    }

    fn index(&self, cur: Value, key: Value, span: Option<Span>) -> Result<Value, Diagnostic> {
        if key.is_unknown() || cur.is_wholly_unknown() {
            return Ok(Value::Unknown);
        }
        match cur {
            Value::List(mut l) => {
                let idx = match &key {
                    Value::Number(_) => key.as_i64(),
                    Value::String(s) => s.parse::<i64>().ok(),
                    _ => None,
                };
                let Some(i) = idx else {
                    return Err(err(
                        "Invalid index",
                        format!(
                            "The given key does not identify an element in this collection value: a number is required, got {}.",
                            key.type_name()
                        ),
                        span,
                    ));
                };
                if i < 0 || i as usize >= l.len() {
                    return Err(err(
                        "Invalid index",
                        format!(
                            "The given key does not identify an element in this collection value: the collection has {} element{}.",
                            l.len(),
                            if l.len() == 1 { "" } else { "s" }
                        ),
                        span,
                    ));
                }
                Ok(l.swap_remove(i as usize))
            }
            Value::Object(mut m) => {
                let Some(k) = key.to_string_lossy() else {
                    return Err(err(
                        "Invalid index",
                        format!(
                            "A string key is required to index a map, got {}.",
                            key.type_name()
                        ),
                        span,
                    ));
                };
                match m.remove(&k) {
                    Some(v) => Ok(v),
                    None => Err(err(
                        "Invalid index",
                        format!(
                            "The given key does not identify an element in this collection value: no element with key {}.",
                            crate::value::quote(&k)
                        ),
                        span,
                    )),
                }
            }
            Value::Null => Err(err(
                "Invalid index",
                "This value is null, so it can't be indexed.",
                span,
            )),
            other => Err(err(
                "Invalid index",
                format!(
                    "This value does not have any indices: it is a {}.",
                    other.type_name()
                ),
                span,
            )),
        }
    }

    fn number(&self, v: &Value, span: Option<std::ops::Range<usize>>) -> Result<f64, Diagnostic> {
        match v {
            Value::Number(n) => Ok(*n),
            Value::String(s) => s.trim().parse::<f64>().map_err(|_| {
                err(
                    "Invalid operand",
                    format!(
                        "Unsuitable value for operand: a number is required, got the string {}.",
                        crate::value::quote(s)
                    ),
                    self.span(span.clone()),
                )
            }),
            other => Err(err(
                "Invalid operand",
                format!(
                    "Unsuitable value for operand: a number is required, got {}.",
                    other.type_name()
                ),
                self.span(span),
            )),
        }
    }

    fn boolean(&self, v: &Value, span: Option<std::ops::Range<usize>>) -> Result<bool, Diagnostic> {
        match v {
            Value::Bool(b) => Ok(*b),
            Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
            other => Err(err(
                "Invalid operand",
                format!(
                    "Unsuitable value for operand: a bool is required, got {}.",
                    other.type_name()
                ),
                self.span(span),
            )),
        }
    }

    fn binary(&mut self, b: &hcl_edit::expr::BinaryOp) -> Result<Value, Diagnostic> {
        use BinaryOperator as Op;
        let op = *b.operator.value();
        let lhs = self.eval(&b.lhs_expr)?;
        // Short-circuit on a decided left operand so `x != null && x.y` works.
        match (op, &lhs) {
            (Op::And, Value::Bool(false)) => return Ok(Value::Bool(false)),
            (Op::Or, Value::Bool(true)) => return Ok(Value::Bool(true)),
            _ => {}
        }
        let rhs = self.eval(&b.rhs_expr)?;
        let (ls, rs) = (b.lhs_expr.span(), b.rhs_expr.span());
        match op {
            Op::Eq | Op::NotEq => {
                if lhs.is_unknown() || rhs.is_unknown() {
                    return Ok(Value::Unknown);
                }
                let eq = values_equal(&lhs, &rhs);
                Ok(Value::Bool(if op == Op::Eq { eq } else { !eq }))
            }
            Op::And | Op::Or => {
                if lhs.is_unknown() || rhs.is_unknown() {
                    return Ok(Value::Unknown);
                }
                let (l, r) = (self.boolean(&lhs, ls)?, self.boolean(&rhs, rs)?);
                Ok(Value::Bool(if op == Op::And { l && r } else { l || r }))
            }
            _ => {
                if lhs.is_unknown() || rhs.is_unknown() {
                    return Ok(Value::Unknown);
                }
                let l = self.number(&lhs, ls)?;
                let r = self.number(&rhs, rs.clone())?;
                let v = match op {
                    Op::Plus => Value::Number(l + r),
                    Op::Minus => Value::Number(l - r),
                    Op::Mul => Value::Number(l * r),
                    Op::Div | Op::Mod if r == 0.0 => {
                        return Err(err(
                            "Operation failed",
                            "Error during operation: can't divide by zero.",
                            self.span(rs),
                        ));
                    }
                    Op::Div => Value::Number(l / r),
                    Op::Mod => Value::Number(l % r),
                    Op::Less => Value::Bool(l < r),
                    Op::LessEq => Value::Bool(l <= r),
                    Op::Greater => Value::Bool(l > r),
                    Op::GreaterEq => Value::Bool(l >= r),
                    Op::Eq | Op::NotEq | Op::And | Op::Or => Value::Null,
                };
                if let Value::Number(n) = v
                    && !n.is_finite()
                {
                    return Err(err(
                        "Operation failed",
                        "The result is not a finite number.",
                        self.span(b.span()),
                    ));
                }
                Ok(v)
            }
        }
    }

    fn template(&mut self, t: &Template, whole: &Expression) -> Result<Value, Diagnostic> {
        // A template that is a single interpolation yields the value itself, not a string.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.eval(&i.expr);
        }
        let mut out = String::new();
        if self.render(t, &mut out)? {
            return Ok(Value::Unknown);
        }
        let _ = whole;
        Ok(Value::String(out))
    }

    /// Renders template elements into `out`; returns true if anything was unknown.
    fn render(&mut self, t: &Template, out: &mut String) -> Result<bool, Diagnostic> {
        let mut unknown = false;
        let elems: Vec<&Element> = t.iter().collect();
        let mut pending_strip_start = false;
        for (idx, el) in elems.iter().enumerate() {
            let strip_next = match elems.get(idx + 1) {
                Some(Element::Interpolation(i)) => i.strip.strip_start(),
                Some(Element::Directive(d)) => directive_strip_start(d),
                _ => false,
            };
            match el {
                Element::Literal(l) => {
                    let mut s: &str = l.value();
                    if pending_strip_start {
                        s = s.trim_start();
                    }
                    if strip_next {
                        s = s.trim_end();
                    }
                    out.push_str(s);
                    if out.len() / 64 > MAX_VALUE_WEIGHT {
                        return Err(too_big(crate::value::TooBig::Large, self.span(l.span())));
                    }
                    pending_strip_start = false;
                }
                Element::Interpolation(i) => {
                    let v = self.eval(&i.expr)?;
                    if v.is_unknown() {
                        unknown = true;
                    } else {
                        out.push_str(&self.to_template_string(&v, i.expr.span())?);
                        if out.len() / 64 > MAX_VALUE_WEIGHT {
                            return Err(too_big(
                                crate::value::TooBig::Large,
                                self.span(i.expr.span()),
                            ));
                        }
                    }
                    pending_strip_start = i.strip.strip_end();
                }
                Element::Directive(d) => match &**d {
                    Directive::If(ifd) => {
                        let c = self.eval(&ifd.if_expr.cond_expr)?;
                        if c.is_unknown() {
                            unknown = true;
                        } else if self.boolean(&c, ifd.if_expr.cond_expr.span())? {
                            unknown |= self.render(&ifd.if_expr.template, out)?;
                        } else if let Some(e) = &ifd.else_expr {
                            unknown |= self.render(&e.template, out)?;
                        }
                        pending_strip_start = ifd.endif_expr.strip.strip_end();
                    }
                    Directive::For(fd) => {
                        let coll = self.eval(&fd.for_expr.collection_expr)?;
                        if coll.is_unknown() {
                            unknown = true;
                        } else {
                            let kv = fd.for_expr.key_var.as_ref().map(|k| k.value().to_string());
                            let vv = fd.for_expr.value_var.value().to_string();
                            for (k, v) in self.iterate(coll, fd.for_expr.collection_expr.span())? {
                                let n = self.locals.len();
                                if let Some(kn) = &kv {
                                    self.locals.push((kn.clone(), k));
                                }
                                self.locals.push((vv.clone(), v));
                                let r = self.render(&fd.for_expr.template, out);
                                self.locals.truncate(n);
                                unknown |= r?;
                            }
                        }
                        pending_strip_start = fd.endfor_expr.strip.strip_end();
                    }
                },
            }
        }
        Ok(unknown)
    }

    fn to_template_string(
        &self,
        v: &Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<String, Diagnostic> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(format_number(*n)),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Null => Err(err(
                "Invalid template interpolation value",
                "The expression result is null. Cannot include a null value in a string template.",
                self.span(span),
            )),
            other => Err(err(
                "Invalid template interpolation value",
                format!(
                    "Cannot include the given value in a string template: string required, got {}.",
                    other.type_name()
                ),
                self.span(span),
            )),
        }
    }

    /// Key/value pairs of a collection: list index -> element, or object key -> value.
    fn iterate(
        &self,
        coll: Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<Vec<(Value, Value)>, Diagnostic> {
        match coll {
            Value::List(l) => Ok(l
                .into_iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v))
                .collect()),
            Value::Object(m) => Ok(m.into_iter().map(|(k, v)| (Value::String(k), v)).collect()),
            Value::Null => Err(err(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                self.span(span),
            )),
            other => Err(err(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    other.type_name()
                ),
                self.span(span),
            )),
        }
    }

    fn for_expr(&mut self, f: &hcl_edit::expr::ForExpr) -> Result<Value, Diagnostic> {
        let coll = self.eval(&f.intro.collection_expr)?;
        if coll.is_wholly_unknown() {
            return Ok(Value::Unknown);
        }
        let kv = f.intro.key_var.as_ref().map(|k| k.value().to_string());
        let vv = f.intro.value_var.value().to_string();
        let mut list = Vec::new();
        let mut obj: Map = Map::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        let mut weight = 0;
        for (k, v) in self.iterate(coll, f.intro.collection_expr.span())? {
            let n = self.locals.len();
            if let Some(kn) = &kv {
                self.locals.push((kn.clone(), k));
            }
            self.locals.push((vv.clone(), v));
            let r = self.for_item(
                f,
                &mut list,
                &mut obj,
                &mut groups,
                &mut unknown,
                &mut weight,
            );
            self.locals.truncate(n);
            r?;
        }
        if unknown {
            return Ok(Value::Unknown);
        }
        Ok(match (&f.key_expr, f.grouping) {
            (None, _) => Value::List(list),
            (Some(_), true) => Value::Object(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v)))
                    .collect(),
            ),
            (Some(_), false) => Value::Object(obj),
        })
    }

    fn for_item(
        &mut self,
        f: &hcl_edit::expr::ForExpr,
        list: &mut Vec<Value>,
        obj: &mut Map,
        groups: &mut BTreeMap<String, Vec<Value>>,
        unknown: &mut bool,
        weight: &mut usize,
    ) -> Result<(), Diagnostic> {
        if let Some(c) = &f.cond {
            let cv = self.eval(&c.expr)?;
            if cv.is_unknown() {
                *unknown = true;
                return Ok(());
            }
            if !self.boolean(&cv, c.expr.span())? {
                return Ok(());
            }
        }
        let v = self.eval(&f.value_expr)?;
        self.add_weight(weight, &v, &f.value_expr)?;
        match &f.key_expr {
            None => list.push(v),
            Some(ke) => {
                let k = self.eval(ke)?;
                if k.is_unknown() {
                    *unknown = true;
                    return Ok(());
                }
                let Some(key) = k.to_string_lossy() else {
                    return Err(err(
                        "Invalid object key",
                        format!(
                            "Key expression in 'for' expression must be a string, got {}.",
                            k.type_name()
                        ),
                        self.span(ke.span()),
                    ));
                };
                if f.grouping {
                    groups.entry(key).or_default().push(v);
                } else if let std::collections::btree_map::Entry::Vacant(e) = obj.entry(key.clone())
                {
                    e.insert(v);
                } else {
                    return Err(err(
                        "Duplicate object key",
                        format!(
                            "Two different items produced the key {} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                            crate::value::quote(&key)
                        ),
                        self.span(ke.span()),
                    ));
                }
            }
        }
        Ok(())
    }

    fn call(
        &mut self,
        f: &hcl_edit::expr::FuncCall,
        whole: &Expression,
    ) -> Result<Value, Diagnostic> {
        let name = f.name.name.value().as_str();
        let span = self.span(whole.span());
        if !f.name.namespace.is_empty() {
            return Err(err(
                "Call to unknown function",
                "Provider-defined functions are not supported by keyform.",
                span,
            ));
        }
        match name {
            "try" => {
                let mut last = None;
                for a in f.args.iter() {
                    match self.eval(a) {
                        Ok(v) => return Ok(v),
                        Err(d) => last = Some(d),
                    }
                }
                return Err(last.map_or_else(
                    || err("Not enough function arguments", "Function \"try\" expects at least one argument.", span),
                    |d| err("Error in function call", format!("Call to function \"try\" failed: no expression succeeded; the last error was: {}", d.detail), span),
                ));
            }
            "can" => {
                let args: Vec<&Expression> = f.args.iter().collect();
                if args.len() != 1 {
                    return Err(err(
                        "Invalid function arguments",
                        "Function \"can\" expects exactly one argument.",
                        span,
                    ));
                }
                return Ok(match self.eval(args[0]) {
                    Ok(v) if v.is_unknown() => Value::Unknown,
                    Ok(_) => Value::Bool(true),
                    Err(_) => Value::Bool(false),
                });
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.eval(a)?);
        }
        if f.args.expand_final() {
            match args.pop() {
                Some(Value::List(l)) => args.extend(l),
                Some(Value::Unknown) => return Ok(Value::Unknown),
                Some(other) => {
                    return Err(err(
                        "Invalid expanding argument value",
                        format!(
                            "The expanding argument (indicated by ...) must be a list, got {}.",
                            other.type_name()
                        ),
                        span,
                    ));
                }
                None => {}
            }
        }
        let ctx = funcs::FuncContext {
            base_dir: self.ev.base_dir,
        };
        funcs::call(name, &args, &ctx).map_err(|e| {
            let (summary, arg_span) = match &e {
                funcs::FuncError::UnknownFunction { .. } => ("Call to unknown function", None),
                funcs::FuncError::InvalidArgument { index, .. } => (
                    "Invalid function argument",
                    f.args.get(*index).and_then(|a| a.span()),
                ),
                _ => ("Error in function call", None),
            };
            err(summary, e.to_string(), self.span(arg_span).or(span))
        })
    }
}

fn directive_strip_start(d: &Directive) -> bool {
    match d {
        Directive::If(i) => i.if_expr.strip.strip_start(),
        Directive::For(f) => f.for_expr.strip.strip_start(),
    }
}

/// Equality as Terraform's `==`: deep, with no type conversion except numbers by value.
pub fn values_equal(a: &Value, b: &Value) -> bool {
    a == b
}

/// Converts a value to a schema attribute type, by [`crate::types`]' rules (a JSON attribute
/// is a string); null list and set elements are refused, as providers refuse them. Err reads
/// like "a number is required, got the string \"a week\"".
pub fn convert_to(v: &Value, ty: &crate::provider::schema::AttrType) -> Result<Value, String> {
    use crate::types::convert::{NullElements, Style, convert_with};
    convert_with(v, &attr_type(ty), NullElements::Reject).map_err(|e| e.message(Style::Values))
}

/// A schema attribute type as a [`Type`](crate::types::Type).
pub fn attr_type(ty: &crate::provider::schema::AttrType) -> crate::types::Type {
    use crate::provider::schema::AttrType;
    use crate::types::Type;
    match ty {
        AttrType::String | AttrType::Json => Type::String,
        AttrType::Number => Type::Number,
        AttrType::Bool => Type::Bool,
        AttrType::List(t) => Type::List(Box::new(attr_type(t))),
        AttrType::Set(t) => Type::Set(Box::new(attr_type(t))),
        AttrType::Map(t) => Type::Map(Box::new(attr_type(t))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn ev(src: &str, ns: &Namespace) -> Result<Value, Diagnostic> {
        let e = hcl_edit::parser::parse_expr(src).unwrap();
        let dir = std::env::temp_dir();
        Evaluator::new(ns, &dir).eval(&Expr {
            file: FileId(0),
            expr: e,
        })
    }

    fn ns() -> Namespace {
        let mut ns = Namespace::new();
        ns.set_in("var", "names", Value::List(vec!["a".into(), "b".into()]));
        ns.set_in("var", "n", Value::Number(3.0));
        ns.set_in(
            "aws_kms_key",
            "lab",
            Value::from_json(&serde_json::json!({"arn": null, "key_id": "k1"})),
        );
        if let Some(Value::Object(m)) = ns.roots.get_mut("aws_kms_key") {
            m.get_mut("lab").and_then(|v| {
                if let Value::Object(o) = v {
                    o.insert("arn".into(), Value::Unknown)
                } else {
                    None
                }
            });
        }
        ns
    }

    #[test]
    fn evaluates_operators_templates_and_for() {
        let n = ns();
        assert_eq!(ev("1 + 2 * var.n", &n).unwrap(), Value::Number(7.0));
        assert_eq!(ev("\"x-${var.n}-y\"", &n).unwrap(), Value::from("x-3-y"));
        assert_eq!(
            ev("[for s in var.names : upper(s)]", &n).unwrap(),
            Value::from_json(&serde_json::json!(["A", "B"]))
        );
        assert_eq!(
            ev("{for i, s in var.names : s => i}", &n).unwrap(),
            Value::from_json(&serde_json::json!({"a": 0, "b": 1}))
        );
        assert_eq!(
            ev("var.n > 2 ? \"big\" : \"small\"", &n).unwrap(),
            Value::from("big")
        );
        assert_eq!(
            ev("\"%{ for s in var.names }${s},%{ endfor }\"", &n).unwrap(),
            Value::from("a,b,")
        );
    }

    #[test]
    fn unknown_values_propagate() {
        let n = ns();
        assert_eq!(ev("aws_kms_key.lab.arn", &n).unwrap(), Value::Unknown);
        assert_eq!(
            ev("\"arn=${aws_kms_key.lab.arn}\"", &n).unwrap(),
            Value::Unknown
        );
        assert_eq!(ev("aws_kms_key.lab.key_id", &n).unwrap(), Value::from("k1"));
    }

    #[test]
    fn errors_name_the_problem() {
        let n = ns();
        let e = ev("aws_kms_key.lab.arnn", &n).unwrap_err();
        assert_eq!(e.summary, "Unsupported attribute");
        assert!(e.detail.contains("Did you mean \"arn\"?"), "{}", e.detail);
        assert_eq!(ev("var.names[5]", &n).unwrap_err().summary, "Invalid index");
        assert_eq!(
            ev("count.index", &n).unwrap_err().summary,
            "Reference to \"count\" in non-counted context"
        );
        assert_eq!(
            ev("try(var.names[5], \"fallback\")", &n).unwrap(),
            Value::from("fallback")
        );
        assert_eq!(ev("can(var.names[5])", &n).unwrap(), Value::Bool(false));
    }

    #[test]
    fn splat_collects_attributes() {
        let mut n = Namespace::new();
        n.set_in(
            "aws_iam_user",
            "u",
            Value::from_json(&serde_json::json!([{"name": "a"}, {"name": "b"}])),
        );
        assert_eq!(
            ev("aws_iam_user.u[*].name", &n).unwrap(),
            Value::from_json(&serde_json::json!(["a", "b"]))
        );
        assert_eq!(ev("aws_iam_user.u[1].name", &n).unwrap(), Value::from("b"));
    }
}
