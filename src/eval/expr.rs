//! Expressions proper: literals, collections, conditionals, unary and binary operators, and
//! the dispatch of every expression kind to its evaluator (traversals, templates, `for`,
//! calls live beside this file).

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, UnaryOperator};

use super::{Ctx, MAX_DEPTH, err, values_equal};
use crate::diag::Diagnostic;
use crate::value::{Map, Value};

impl<'a> Ctx<'_, 'a> {
    pub(super) fn eval(&mut self, e: &Expression) -> Result<Value, Diagnostic> {
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

    pub(super) fn eval_inner(&mut self, e: &Expression) -> Result<Value, Diagnostic> {
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
            Expression::Traversal(t) => self.traversal(t),
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

    pub(super) fn number(
        &self,
        v: &Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<f64, Diagnostic> {
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

    pub(super) fn boolean(
        &self,
        v: &Value,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<bool, Diagnostic> {
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

    pub(super) fn binary(&mut self, b: &hcl_edit::expr::BinaryOp) -> Result<Value, Diagnostic> {
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
}
