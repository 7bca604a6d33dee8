//! keyform's one type system: [`Type`] (Terraform's `any`, `string`, `number`, `bool`,
//! `list(T)`, `set(T)`, `map(T)`, `tuple([...])` and `object({...})` with `optional(...)`
//! attributes), how types print and parse, and (in [`convert`]) the one set of conversion rules.
//!
//! Owns: type expressions (`list(string)`, `object({ a = optional(number, 3) })`) and literal
//! values inside them (`optional` defaults, [`literal_value`]). Used by config (variable type
//! constraints), eval (schema attribute types via `eval::convert_to`) and the function library
//! (`tostring`/`tolist`/... and element unification).
//! Does not own: what a resource's attributes are (the schema), or evaluating expressions.
//!
//! A base module: it imports only [`crate::value`] (and hcl-edit's syntax tree for parsing).

pub(crate) mod convert;

use std::collections::BTreeMap;

use hcl_edit::expr::{Expression, ObjectKey};

use crate::value::Value;

/// A type, as a variable's `type` or a schema attribute declares it.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// Any value (Terraform's `any`); inside a collection, the elements' one common type.
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, ObjectAttr>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectAttr {
    pub ty: Type,
    /// Declared with `optional(...)`: may be absent (or null) in the value.
    pub optional: bool,
    /// `optional(type, default)`'s default, used when the value leaves the attribute out.
    pub default: Option<Value>,
}

impl std::fmt::Display for Type {
    /// The type as written in configuration: `list(string)`, `object({a = string})`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Type::Any => f.write_str("any"),
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                let parts: Vec<String> = ts.iter().map(ToString::to_string).collect();
                write!(f, "tuple([{}])", parts.join(", "))
            }
            Type::Object(attrs) => {
                let parts: Vec<String> = attrs
                    .iter()
                    .map(|(k, a)| format!("{k} = {}", a.ty))
                    .collect();
                write!(f, "object({{{}}})", parts.join(", "))
            }
        }
    }
}

impl Type {
    /// Converts `v` to this type by Terraform's rules (see [`convert`]); Err is the message
    /// a variable's value gets ("list of string required, got string").
    pub fn convert(&self, v: &Value) -> Result<Value, String> {
        convert::convert(v, self).map_err(|e| e.to_string())
    }

    /// The type as Terraform names it in conversion messages: "a bool is", "list of string".
    pub fn phrase(&self) -> String {
        match self {
            Type::String => "a string is".into(),
            Type::Number => "a number is".into(),
            Type::Bool => "a bool is".into(),
            Type::List(t) => format!("list of {}", t.noun()),
            Type::Set(t) => format!("set of {}", t.noun()),
            Type::Map(t) => format!("map of {}", t.noun()),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
            Type::Any => "any value".into(),
        }
    }

    /// The type as an element type in [`Type::phrase`]: "string", "list of string".
    fn noun(&self) -> String {
        match self {
            Type::String => "string".into(),
            Type::Number => "number".into(),
            Type::Bool => "bool".into(),
            other => other.phrase(),
        }
    }

    /// Parses a type expression (`string`, `list(string)`, `object({...})`); Err is a message
    /// for the user.
    pub fn parse(e: &Expression) -> Result<Type, String> {
        match e {
            Expression::Variable(v) => match v.value().as_str() {
                "any" => Ok(Type::Any),
                "string" => Ok(Type::String),
                "number" => Ok(Type::Number),
                "bool" => Ok(Type::Bool),
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
                let one = |args: &[&Expression]| -> Result<Type, String> {
                    if args.len() != 1 {
                        return Err(format!("The {name} type constructor requires exactly one argument."));
                    }
                    Type::parse(args[0])
                };
                match name {
                    "list" => Ok(Type::List(Box::new(one(&args)?))),
                    "set" => Ok(Type::Set(Box::new(one(&args)?))),
                    "map" => Ok(Type::Map(Box::new(one(&args)?))),
                    "tuple" => match args.as_slice() {
                        [Expression::Array(a)] => Ok(Type::Tuple(
                            a.iter().map(Type::parse).collect::<Result<_, _>>()?,
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
                            Ok(Type::Object(attrs))
                        }
                        _ => Err("The object type constructor requires an object of attribute types, e.g. object({ name = string }).".into()),
                    },
                    other => Err(format!("Unknown type constructor \"{other}\".")),
                }
            }
            _ => Err("A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).".into()),
        }
    }
}

fn parse_object_attr(e: &Expression) -> Result<ObjectAttr, String> {
    if let Expression::FuncCall(c) = e
        && c.name.name.value().as_str() == "optional"
    {
        let args: Vec<&Expression> = c.args.iter().collect();
        let ty = Type::parse(args.first().ok_or("optional() requires a type")?)?;
        let default = match args.get(1) {
            Some(d) => Some(literal_value(d).ok_or("optional() defaults must be literal values")?),
            None => None,
        };
        return Ok(ObjectAttr {
            ty,
            optional: true,
            default,
        });
    }
    Ok(ObjectAttr {
        ty: Type::parse(e)?,
        optional: false,
        default: None,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn ty(s: &str) -> Type {
        Type::parse(&hcl_edit::parser::parse_expr(s).unwrap()).unwrap()
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
    fn type_expression_errors_read_like_terraform() {
        let parse = |s: &str| Type::parse(&hcl_edit::parser::parse_expr(s).unwrap());
        assert!(parse("list").unwrap_err().contains("requires one argument"));
        assert!(
            parse("strin")
                .unwrap_err()
                .contains("\"strin\" is not a valid")
        );
        assert!(
            parse("list(string, number)")
                .unwrap_err()
                .contains("exactly one")
        );
        assert!(
            parse("frob(string)")
                .unwrap_err()
                .contains("Unknown type constructor")
        );
        assert!(
            parse("object({a = optional(string, var.x)})")
                .unwrap_err()
                .contains("literal")
        );
        assert_eq!(ty("map(list(bool))").phrase(), "map of list of bool");
    }
}
