//! References and traversals: root names (`var`, `local`, resources, `count`, `each`, ...),
//! attribute access, indexing and splats, with Terraform's messages for each failure.

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::{Ident, Span as _};

use super::{Ctx, Namespace, err};
use crate::diag::{Diagnostic, Span};
use crate::text::suggestion;
use crate::value::{Map, Value};

impl<'a> Ctx<'_, 'a> {
    /// Follows a traversal through the namespace by reference for as long as it can, so that
    /// `aws_kms_key.k1.arn` copies one string rather than every key's attributes. Returns the
    /// value reached and how many operators were consumed.
    pub(super) fn traverse_borrowed(
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

    pub(super) fn root(&self, name: &Ident, span: Option<Span>) -> Result<Value, Diagnostic> {
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

    pub(super) fn step(
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

    pub(super) fn get_attr(
        &self,
        cur: Value,
        name: &str,
        span: Option<Span>,
    ) -> Result<Value, Diagnostic> {
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

    pub(super) fn index(
        &self,
        cur: Value,
        key: Value,
        span: Option<Span>,
    ) -> Result<Value, Diagnostic> {
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

    /// A traversal (`a.b[0]`, `a[*].b`): as far as possible by reference, then step by step;
    /// after a splat, each step applies to every element.
    pub(super) fn traversal(&mut self, t: &hcl_edit::expr::Traversal) -> Result<Value, Diagnostic> {
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
}
