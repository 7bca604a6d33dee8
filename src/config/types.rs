//! Type constraints of `variable` blocks (`string`, `list(string)`, `object({...})`) and the
//! conversions Terraform applies to values given for them.

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, ObjectKey};

use crate::value::{Value, format_number};

/// A variable's declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeConstraint {
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
    Tuple(Vec<TypeConstraint>),
    /// Attribute name -> (type, optional default).
    Object(BTreeMap<String, (TypeConstraint, Option<OptionalAttr>)>),
}

/// An `optional(type, default)` object attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionalAttr {
    pub default: Option<Value>,
}

impl std::fmt::Display for TypeConstraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeConstraint::Any => f.write_str("any"),
            TypeConstraint::String => f.write_str("string"),
            TypeConstraint::Number => f.write_str("number"),
            TypeConstraint::Bool => f.write_str("bool"),
            TypeConstraint::List(t) => write!(f, "list({t})"),
            TypeConstraint::Set(t) => write!(f, "set({t})"),
            TypeConstraint::Map(t) => write!(f, "map({t})"),
            TypeConstraint::Tuple(ts) => {
                let parts: Vec<String> = ts.iter().map(ToString::to_string).collect();
                write!(f, "tuple([{}])", parts.join(", "))
            }
            TypeConstraint::Object(attrs) => {
                let parts: Vec<String> = attrs
                    .iter()
                    .map(|(k, (t, _))| format!("{k} = {t}"))
                    .collect();
                write!(f, "object({{{}}})", parts.join(", "))
            }
        }
    }
}

impl TypeConstraint {
    /// Parses a type expression; Err is a message for the user.
    pub fn parse(e: &Expression) -> Result<TypeConstraint, String> {
        match e {
            Expression::Variable(v) => match v.value().as_str() {
                "any" => Ok(TypeConstraint::Any),
                "string" => Ok(TypeConstraint::String),
                "number" => Ok(TypeConstraint::Number),
                "bool" => Ok(TypeConstraint::Bool),
                "list" | "set" | "map" => Err(format!(
                    "The {} type constructor requires one argument specifying the element type, e.g. {}(string).",
                    v.value().as_str(),
                    v.value().as_str()
                )),
                other => Err(format!(
                    "The keyword \"{other}\" is not a valid type specification. Use string, number, bool, any, list(...), set(...), map(...), object({{...}}) or tuple([...])."
                )),
            },
            Expression::FuncCall(c) => {
                let name = c.name.name.value().as_str();
                let args: Vec<&Expression> = c.args.iter().collect();
                let one = |args: &[&Expression]| -> Result<TypeConstraint, String> {
                    if args.len() != 1 {
                        return Err(format!("The {name} type constructor requires exactly one argument."));
                    }
                    TypeConstraint::parse(args[0])
                };
                match name {
                    "list" => Ok(TypeConstraint::List(Box::new(one(&args)?))),
                    "set" => Ok(TypeConstraint::Set(Box::new(one(&args)?))),
                    "map" => Ok(TypeConstraint::Map(Box::new(one(&args)?))),
                    "tuple" => match args.as_slice() {
                        [Expression::Array(a)] => Ok(TypeConstraint::Tuple(
                            a.iter().map(TypeConstraint::parse).collect::<Result<_, _>>()?,
                        )),
                        _ => Err("The tuple type constructor requires a list of element types, e.g. tuple([string, number]).".into()),
                    },
                    "object" => match args.as_slice() {
                        [Expression::Object(o)] => {
                            let mut attrs = BTreeMap::new();
                            for (k, v) in o.iter() {
                                let key = match k {
                                    ObjectKey::Ident(i) => i.value().to_string(),
                                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                                    _ => return Err("Object type attribute names must be identifiers.".into()),
                                };
                                attrs.insert(key, parse_object_attr(v.expr())?);
                            }
                            Ok(TypeConstraint::Object(attrs))
                        }
                        _ => Err("The object type constructor requires an object of attribute types, e.g. object({ name = string }).".into()),
                    },
                    other => Err(format!("Unknown type constructor \"{other}\".")),
                }
            }
            _ => Err("A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).".into()),
        }
    }

    /// Converts `v` to this type as Terraform does, or says why it can't.
    pub fn convert(&self, v: &Value) -> Result<Value, String> {
        if v.is_wholly_unknown() {
            return Ok(Value::Unknown);
        }
        match (self, v) {
            (TypeConstraint::Any, _) => Ok(v.clone()),
            (_, Value::Null) => Ok(Value::Null),
            (TypeConstraint::String, Value::String(_)) => Ok(v.clone()),
            (TypeConstraint::String, Value::Number(n)) => Ok(Value::String(format_number(*n))),
            (TypeConstraint::String, Value::Bool(b)) => Ok(Value::String(b.to_string())),
            (TypeConstraint::Number, Value::Number(_)) => Ok(v.clone()),
            (TypeConstraint::Number, Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Value::Number)
                .ok_or_else(|| {
                    format!(
                        "a number is required, got the string {}",
                        crate::value::quote(s)
                    )
                }),
            (TypeConstraint::Bool, Value::Bool(_)) => Ok(v.clone()),
            (TypeConstraint::Bool, Value::String(s)) if s == "true" || s == "false" => {
                Ok(Value::Bool(s == "true"))
            }
            (TypeConstraint::List(t) | TypeConstraint::Set(t), Value::List(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    out.push(t.convert(item).map_err(|e| format!("element {i}: {e}"))?);
                }
                if matches!(self, TypeConstraint::Set(_)) {
                    dedupe_sorted(&mut out);
                }
                Ok(Value::List(out))
            }
            (TypeConstraint::Map(t), Value::Object(m)) => {
                let mut out = BTreeMap::new();
                for (k, item) in m {
                    out.insert(
                        k.clone(),
                        t.convert(item).map_err(|e| format!("element {k:?}: {e}"))?,
                    );
                }
                Ok(Value::Object(out))
            }
            (TypeConstraint::Tuple(ts), Value::List(items)) => {
                if ts.len() != items.len() {
                    return Err(format!(
                        "a tuple of {} elements is required, got {}",
                        ts.len(),
                        items.len()
                    ));
                }
                let mut out = Vec::with_capacity(items.len());
                for (i, (t, item)) in ts.iter().zip(items).enumerate() {
                    out.push(t.convert(item).map_err(|e| format!("element {i}: {e}"))?);
                }
                Ok(Value::List(out))
            }
            (TypeConstraint::Object(attrs), Value::Object(m)) => {
                let mut out = BTreeMap::new();
                for (k, (t, opt)) in attrs {
                    match m.get(k) {
                        Some(item) if !item.is_null() => {
                            out.insert(
                                k.clone(),
                                t.convert(item)
                                    .map_err(|e| format!("attribute {k:?}: {e}"))?,
                            );
                        }
                        _ => match opt {
                            Some(o) => {
                                out.insert(k.clone(), o.default.clone().unwrap_or(Value::Null));
                            }
                            None if m.contains_key(k) => {
                                out.insert(k.clone(), Value::Null);
                            }
                            None => return Err(format!("attribute {k:?} is required")),
                        },
                    }
                }
                Ok(Value::Object(out))
            }
            (t, v) => Err(format!("{} required, got {}", friendly(t), v.type_name())),
        }
    }
}

/// A type as Terraform names it in messages: `a bool is`, `list of string`.
fn friendly(t: &TypeConstraint) -> String {
    match t {
        TypeConstraint::String => "a string is".into(),
        TypeConstraint::Number => "a number is".into(),
        TypeConstraint::Bool => "a bool is".into(),
        TypeConstraint::List(t) => format!("list of {}", plain(t)),
        TypeConstraint::Set(t) => format!("set of {}", plain(t)),
        TypeConstraint::Map(t) => format!("map of {}", plain(t)),
        TypeConstraint::Tuple(_) => "tuple".into(),
        TypeConstraint::Object(_) => "object".into(),
        TypeConstraint::Any => "any value".into(),
    }
}

fn plain(t: &TypeConstraint) -> String {
    match t {
        TypeConstraint::String => "string".into(),
        TypeConstraint::Number => "number".into(),
        TypeConstraint::Bool => "bool".into(),
        other => friendly(other),
    }
}

fn parse_object_attr(e: &Expression) -> Result<(TypeConstraint, Option<OptionalAttr>), String> {
    if let Expression::FuncCall(c) = e
        && c.name.name.value().as_str() == "optional"
    {
        let args: Vec<&Expression> = c.args.iter().collect();
        let ty = TypeConstraint::parse(args.first().ok_or("optional() requires a type")?)?;
        let default = match args.get(1) {
            Some(d) => Some(literal_value(d).ok_or("optional() defaults must be literal values")?),
            None => None,
        };
        return Ok((ty, Some(OptionalAttr { default })));
    }
    Ok((TypeConstraint::parse(e)?, None))
}

/// Evaluates a literal expression (no references, no functions) into a value.
pub fn literal_value(e: &Expression) -> Option<Value> {
    match e {
        Expression::Null(_) => Some(Value::Null),
        Expression::Bool(b) => Some(Value::Bool(*b.value())),
        Expression::Number(n) => n.value().as_f64().map(Value::Number),
        Expression::String(s) => Some(Value::String(s.value().clone())),
        Expression::Array(a) => a
            .iter()
            .map(literal_value)
            .collect::<Option<Vec<_>>>()
            .map(Value::List),
        Expression::Object(o) => {
            let mut m = BTreeMap::new();
            for (k, v) in o.iter() {
                let key = match k {
                    ObjectKey::Ident(i) => i.value().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    _ => return None,
                };
                m.insert(key, literal_value(v.expr())?);
            }
            Some(Value::Object(m))
        }
        Expression::Parenthesis(p) => literal_value(p.inner()),
        _ => None,
    }
}

/// Sets are ordered and deduplicated (strings sort lexically, as Terraform shows them).
pub fn dedupe_sorted(items: &mut Vec<Value>) {
    items.sort_by_key(|a| a.to_string());
    items.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> TypeConstraint {
        TypeConstraint::parse(&hcl_edit::parser::parse_expr(s).unwrap()).unwrap()
    }

    #[test]
    fn parses_and_prints_types() {
        for s in [
            "string",
            "list(string)",
            "map(number)",
            "set(bool)",
            "tuple([string, number])",
        ] {
            assert_eq!(ty(s).to_string(), s);
        }
        assert_eq!(
            ty("object({a = string, b = optional(number, 3)})").to_string(),
            "object({a = string, b = number})"
        );
    }

    #[test]
    fn converts_like_terraform() {
        assert_eq!(
            ty("number").convert(&Value::from("7")),
            Ok(Value::Number(7.0))
        );
        assert_eq!(
            ty("string").convert(&Value::Number(7.0)),
            Ok(Value::from("7"))
        );
        assert!(ty("number").convert(&Value::from("seven")).is_err());
        assert_eq!(
            ty("set(string)").convert(&Value::List(vec!["b".into(), "a".into(), "b".into()])),
            Ok(Value::List(vec!["a".into(), "b".into()]))
        );
        let obj = ty("object({a = string, b = optional(number, 3)})");
        let v = Value::from_json(&serde_json::json!({"a": "x"}));
        assert_eq!(
            obj.convert(&v).unwrap(),
            Value::from_json(&serde_json::json!({"a": "x", "b": 3}))
        );
        assert_eq!(
            ty("list(string)").convert(&Value::from("x")).unwrap_err(),
            "list of string required, got string"
        );
    }
}
