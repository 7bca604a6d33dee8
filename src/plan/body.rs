//! Evaluating one resource instance's body against its schema: attribute values converted to
//! their types, validated, defaults applied, nested and `dynamic` blocks expanded.

use crate::config::{Block, Body};
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{Evaluator, convert_to};
use crate::schema::{BodySchema, Nesting};
use crate::value::{Map, Value};

/// Evaluates `body` as described by `schema` into a full attribute map (every schema attribute
/// present; unset ones null or their default; computed-only ones null).
pub fn eval_body(
    ev: &Evaluator<'_>,
    body: &Body,
    schema: &BodySchema,
    diags: &mut Diagnostics,
) -> Map {
    let mut out = Map::new();
    for a in &schema.attrs {
        let v = match body.attr(a.name) {
            Some(attr) if a.is_argument() => match ev.eval(&attr.value) {
                Ok(v) => match convert_to(&v, &a.ty) {
                    Ok(v) => {
                        if let (Some(check), false, false) =
                            (a.validate, v.is_unknown(), v.is_null())
                            && let Err(why) = check(&v)
                        {
                            diags.push(
                                Diagnostic::error(
                                    "Invalid value",
                                    format!("\"{}\": {why}.", a.name),
                                )
                                .with_span(attr.value.span()),
                            );
                        }
                        if v.is_null() && a.required {
                            diags.push(
                                Diagnostic::error(
                                    "Missing required argument",
                                    format!(
                                        "The argument \"{}\" is required, but its value is null.",
                                        a.name
                                    ),
                                )
                                .with_span(attr.value.span()),
                            );
                        }
                        v
                    }
                    Err(why) => {
                        diags.push(
                            Diagnostic::error(
                                "Incorrect attribute value type",
                                format!("Inappropriate value for attribute \"{}\": {why}.", a.name),
                            )
                            .with_span(attr.value.span()),
                        );
                        Value::Null
                    }
                },
                Err(d) => {
                    diags.push(d);
                    Value::Null
                }
            },
            _ => Value::Null,
        };
        let v = if v.is_null() {
            a.default.clone().unwrap_or(Value::Null)
        } else {
            v
        };
        out.insert(a.name.to_string(), v);
    }
    for bs in &schema.blocks {
        let mut items = Vec::new();
        let mut unknown = false;
        for b in &body.blocks {
            if b.ident == bs.name {
                items.push(Value::Object(eval_body(ev, &b.body, &bs.body, diags)));
            } else if b.ident == "dynamic" && b.labels.first().map(String::as_str) == Some(bs.name)
            {
                match expand_dynamic(ev, b, &bs.body, diags) {
                    Some(v) => items.extend(v),
                    None => unknown = true,
                }
            }
        }
        if unknown {
            out.insert(bs.name.to_string(), Value::Unknown);
            continue;
        }
        if items.len() < bs.min_items || items.len() > bs.max_items {
            let dynamic = body.blocks.iter().any(|b| b.ident == "dynamic");
            if dynamic {
                diags.push(
                    Diagnostic::error(
                        "Wrong number of blocks",
                        format!(
                            "The dynamic blocks produced {} \"{}\" block(s); between {} and {} are allowed here.",
                            items.len(),
                            bs.name,
                            bs.min_items,
                            if bs.max_items == usize::MAX { "any number".to_string() } else { bs.max_items.to_string() }
                        ),
                    )
                    .with_span(Some(body.span)),
                );
            }
        }
        if bs.nesting == Nesting::Set && !items.iter().any(Value::is_unknown) {
            crate::config::types::dedupe_sorted(&mut items);
        }
        out.insert(bs.name.to_string(), Value::List(items));
    }
    out
}

/// Expands a `dynamic` block; None if its for_each is not known yet.
fn expand_dynamic(
    ev: &Evaluator<'_>,
    b: &Block,
    schema: &BodySchema,
    diags: &mut Diagnostics,
) -> Option<Vec<Value>> {
    let fe = b.body.attr("for_each")?;
    let coll = match ev.eval(&fe.value) {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            return Some(Vec::new());
        }
    };
    if coll.is_wholly_unknown() {
        return None;
    }
    let iter_name = b
        .body
        .attr("iterator")
        .and_then(|a| a.value.as_traversal_text())
        .or_else(|| b.labels.first().cloned())
        .unwrap_or_default();
    let pairs: Vec<(Value, Value)> = match coll {
        Value::List(l) => l
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::Number(i as f64), v))
            .collect(),
        Value::Object(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
        Value::Null => Vec::new(),
        other => {
            diags.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.type_name()
                    ),
                )
                .with_span(fe.value.span()),
            );
            return Some(Vec::new());
        }
    };
    let content = b.body.blocks_named("content").next()?;
    let mut out = Vec::new();
    for (k, v) in pairs {
        let mut it = Map::new();
        it.insert("key".into(), k);
        it.insert("value".into(), v);
        let inner = Evaluator {
            ns: ev.ns,
            locals: {
                let mut l = ev.locals.clone();
                l.push((iter_name.clone(), Value::Object(it)));
                l
            },
            base_dir: ev.base_dir,
            resource_kinds: ev.resource_kinds,
        };
        out.push(Value::Object(eval_body(
            &inner,
            &content.body,
            schema,
            diags,
        )));
    }
    Some(out)
}
