//! Expression evaluation over hcl-edit syntax trees, with unknown values and spanned errors.
//!
//! Owns the meaning of expressions: references, operators, templates, `for`, splats, function
//! calls (`funcs`), `try`/`can`. Values computed by the cloud are [`Value::Unknown`] during plan
//! and propagate through every expression that uses them. What a name refers to is decided by the
//! caller through a [`Namespace`]; this module knows nothing about resources or state.
//!
//! Here: the entry points ([`Evaluator`], [`Namespace`], [`convert_to`]) and what every part
//! shares (the evaluation context, size limits, error construction). Beside it: `expr`
//! (literals, collections, conditionals, operators), `traversal` (names, attributes, indexes,
//! splats), `template` (string templates and directives), `for_expr` (`for` expressions),
//! `call` (function calls, `try`, `can`), [`funcs`] (the function library) and [`refs`] (the
//! references an expression makes, for the graph).

mod call;
mod expr;
mod for_expr;
pub(crate) mod funcs;
pub(crate) mod refs;
mod template;
mod traversal;

use std::collections::BTreeMap;
use std::path::Path;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

use crate::config::Expr;
use crate::diag::{Diagnostic, FileId, Span};
use crate::value::MAX_VALUE_WEIGHT;
use crate::value::{Map, Value};

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
    pub(super) fn span(&self, r: Option<std::ops::Range<usize>>) -> Option<Span> {
        r.map(|r| Span::new(self.file, r))
    }

    /// Adds `v`'s weight to a value under construction, refusing it once the whole is too big.
    pub(super) fn add_weight(
        &self,
        total: &mut usize,
        v: &Value,
        at: &Expression,
    ) -> Result<(), Diagnostic> {
        let room = MAX_VALUE_WEIGHT.saturating_sub(*total);
        match v.weigh(room) {
            Ok(w) => {
                *total += w;
                Ok(())
            }
            Err(why) => Err(too_big(why, self.span(at.span()))),
        }
    }

    pub(super) fn lookup_local(&self, name: &str) -> Option<&Value> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

/// Equality as Terraform's `==`: deep, with no type conversion except numbers by value.
pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    a == b
}

/// Converts a value to a schema attribute type, by [`crate::types`]' rules (a JSON attribute
/// is a string); null list and set elements are refused, as providers refuse them. Err reads
/// like "a number is required, got the string \"a week\"".
pub(crate) fn convert_to(v: &Value, ty: &crate::schema::AttrType) -> Result<Value, String> {
    use crate::types::convert::{NullElements, Style, convert_with};
    convert_with(v, &attr_type(ty), NullElements::Reject).map_err(|e| e.message(Style::Values))
}

/// A schema attribute type as a [`Type`](crate::types::Type).
pub(crate) fn attr_type(ty: &crate::schema::AttrType) -> crate::types::Type {
    use crate::schema::AttrType;
    use crate::types::Type;
    match ty {
        AttrType::String | AttrType::Json => Type::String,
        AttrType::Number => Type::Number,
        AttrType::Bool => Type::Bool,
        AttrType::List(t) => Type::List(Box::new(attr_type(t))),
        AttrType::Set(t) => Type::Set(Box::new(attr_type(t))),
        AttrType::Map(t) => Type::Map(Box::new(attr_type(t))),
        AttrType::Dynamic => Type::Any,
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
