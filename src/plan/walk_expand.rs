//! The walk's expansion of `count` and `for_each` (of resources and module calls) into
//! instance keys, with Terraform's errors for values that cannot be keys.

use crate::addr::{InstanceKey, ModuleStep};
use crate::config::Resource;
use crate::diag::Diagnostic;
use crate::plan::walk::{Locals, Walk};
use crate::value::{Map, Value};

impl Walk<'_> {
    /// The instance keys of a resource block in module instance `scope`, or None (with a
    /// diagnostic) if unknowable.
    pub(super) fn expand(
        &mut self,
        res: &Resource,
        scope: &[ModuleStep],
    ) -> Option<Vec<(InstanceKey, Locals)>> {
        let subject = res.addr.clone().in_module(scope).to_string();
        self.expand_rep(res.count.as_ref(), res.for_each.as_ref(), scope, subject)
    }

    /// The instance keys `count` or `for_each` (evaluated in module instance `scope`) give.
    pub(super) fn expand_rep(
        &mut self,
        count: Option<&crate::config::Expr>,
        for_each: Option<&crate::config::Expr>,
        scope: &[ModuleStep],
        subject: String,
    ) -> Option<Vec<(InstanceKey, Locals)>> {
        let ev = self.evaluator_in(scope);
        if let Some(c) = count {
            let v = match ev.eval(c) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d);
                    return None;
                }
            };
            if v.is_unknown() && self.unknown_repetition_ok {
                let mut count = Map::new();
                count.insert("index".into(), Value::Unknown);
                return Some(vec![(
                    InstanceKey::None,
                    vec![("count".to_string(), Value::Object(count))],
                )]);
            }
            if v.is_unknown() {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid count argument",
                        "The \"count\" value depends on resource attributes that cannot be determined until apply, so keyform cannot predict how many instances will be created. To work around this, use the -target argument to first apply only the resources that the count depends on.",
                    )
                    .with_span(c.span())
                    .with_subject(subject.clone()),
                );
                return None;
            }
            let n = match v.as_i64() {
                Some(n) if (0..=10_000).contains(&n) => n,
                Some(n) if n < 0 => {
                    self.diags.push(
                        Diagnostic::error("Invalid count argument", "The given \"count\" argument value is unsuitable: must be greater than or equal to zero.").with_span(c.span()),
                    );
                    return None;
                }
                Some(n) => {
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid count argument",
                            format!("count = {n} is more than keyform allows (10000 instances per resource). Lower the count."),
                        )
                        .with_span(c.span()),
                    );
                    return None;
                }
                None => {
                    self.diags.push(
                        Diagnostic::error("Invalid count argument", format!("The given \"count\" argument value is unsuitable: a whole number is required, got {v}."))
                            .with_span(c.span()),
                    );
                    return None;
                }
            };
            let mut out = Vec::new();
            for i in 0..n {
                let mut count = Map::new();
                count.insert("index".into(), Value::Number(i as f64));
                out.push((
                    InstanceKey::Int(i as u64),
                    vec![("count".to_string(), Value::Object(count))],
                ));
            }
            return Some(out);
        }
        if let Some(fe) = for_each {
            let v = match ev.eval(fe) {
                Ok(v) => v,
                Err(d) => {
                    self.diags.push(d);
                    return None;
                }
            };
            if v.is_unknown() && self.unknown_repetition_ok {
                let mut each = Map::new();
                each.insert("key".into(), Value::Unknown);
                each.insert("value".into(), Value::Unknown);
                return Some(vec![(
                    InstanceKey::None,
                    vec![("each".to_string(), Value::Object(each))],
                )]);
            }
            if v.is_unknown() {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid for_each argument",
                        "The \"for_each\" map includes keys derived from resource attributes that cannot be determined until apply, and so keyform cannot determine the full set of keys that will identify the instances of this resource. Use only values known before apply as keys.",
                    )
                    .with_span(fe.span())
                    .with_subject(subject.clone()),
                );
                return None;
            }
            let pairs: Vec<(String, Value)> = match v {
                Value::Object(m) => m.into_iter().collect(),
                Value::List(_) if let Some(kind) = self.sequence_kind(scope, fe) => {
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid for_each argument",
                            format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {kind}. To use its elements as the instance keys, wrap it in toset(...)."),
                        )
                        .with_span(fe.span()),
                    );
                    return None;
                }
                Value::List(l) => {
                    let mut keys = Vec::new();
                    for item in l {
                        match item {
                            Value::String(s) => keys.push((s.clone(), Value::String(s))),
                            other => {
                                self.diags.push(
                                    Diagnostic::error(
                                        "Invalid for_each argument",
                                        format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", other.type_name()),
                                    )
                                    .with_span(fe.span()),
                                );
                                return None;
                            }
                        }
                    }
                    keys.sort_by(|a, b| a.0.cmp(&b.0));
                    keys.dedup_by(|a, b| a.0 == b.0);
                    keys
                }
                Value::Null => {
                    self.diags.push(Diagnostic::error("Invalid for_each argument", "The given \"for_each\" argument value is null. A map, or set of strings is allowed.").with_span(fe.span()));
                    return None;
                }
                other => {
                    self.diags.push(
                        Diagnostic::error(
                            "Invalid for_each argument",
                            format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}.", other.type_name()),
                        )
                        .with_span(fe.span()),
                    );
                    return None;
                }
            };
            // The same bound as count: a for_each of a hundred thousand keys is a mistake (or
            // hostile), and planning it would take minutes and print megabytes.
            if pairs.len() > 10_000 {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid for_each argument",
                        format!(
                            "for_each has {} keys, more than keyform allows (10000 instances per resource). Use fewer keys.",
                            pairs.len()
                        ),
                    )
                    .with_span(fe.span()),
                );
                return None;
            }
            return Some(
                pairs
                    .into_iter()
                    .map(|(k, val)| {
                        let mut each = Map::new();
                        each.insert("key".into(), Value::String(k.clone()));
                        each.insert("value".into(), val);
                        (
                            InstanceKey::Str(k),
                            vec![("each".to_string(), Value::Object(each))],
                        )
                    })
                    .collect(),
            );
        }
        Some(vec![(InstanceKey::None, Vec::new())])
    }

    /// Values carry no set/list distinction, so tell a sequence (which `for_each` refuses, as in
    /// Terraform) from a set by the expression's form: a `[...]` literal or `[for ...]` is a
    /// tuple; a variable declared `list(...)` and the functions returning lists give a list.
    /// Anything else (toset(...), a set variable, an unknown form) is taken as a set.
    fn sequence_kind(&self, module: &[ModuleStep], e: &crate::config::Expr) -> Option<String> {
        use crate::config::TypeConstraint;
        use hcl_edit::expr::Expression;
        let mut ex = &e.expr;
        while let Expression::Parenthesis(p) = ex {
            ex = p.inner();
        }
        match ex {
            Expression::Array(_) => Some("tuple".into()),
            Expression::ForExpr(f) if f.key_expr.is_none() => Some("tuple".into()),
            Expression::FuncCall(c) => {
                const LISTS: &[&str] = &[
                    "tolist",
                    "split",
                    "keys",
                    "values",
                    "sort",
                    "compact",
                    "distinct",
                    "flatten",
                    "reverse",
                    "slice",
                    "range",
                    "concat",
                    "chunklist",
                ];
                let name = c.name.name.value().as_str();
                LISTS.contains(&name).then(|| "list".to_string())
            }
            _ => {
                let text = e.as_traversal_text()?;
                let name = text.strip_prefix("var.")?;
                match &self.cfg.variables_of(module)?.get(name)?.ty {
                    Some(TypeConstraint::List(t)) => Some(format!("list of {t}")),
                    Some(TypeConstraint::Tuple(_)) => Some("tuple".into()),
                    _ => None,
                }
            }
        }
    }
}
