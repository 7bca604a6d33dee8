//! `for` expressions (`[for x in xs : f(x) if c]`, `{for k, v in m : k => v...}`) and the
//! iteration over lists and objects that template `%{ for }` directives share.

use std::collections::BTreeMap;

use hcl_edit::Span as _;

use super::{Ctx, err};
use crate::diag::Diagnostic;
use crate::value::{Map, Value};

impl<'a> Ctx<'_, 'a> {
    /// Key/value pairs of a collection: list index -> element, or object key -> value.
    pub(super) fn iterate(
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

    pub(super) fn for_expr(&mut self, f: &hcl_edit::expr::ForExpr) -> Result<Value, Diagnostic> {
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

    pub(super) fn for_item(
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
}
