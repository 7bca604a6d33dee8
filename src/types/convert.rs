//! The one set of conversion rules, Terraform's (cty's `convert` package) as far as keyform's
//! values can express them.
//!
//! - Primitives: numbers and bools convert to strings (`5` -> `"5"`, integers without a
//!   fraction); a string converts to a number when it is a decimal number by Go's
//!   `big.ParseFloat` grammar (no surrounding spaces, no `NaN`), and to a bool when it is
//!   `"true"`/`"1"` or `"false"`/`"0"`.
//! - Null converts to null of any type; a wholly unknown value stays unknown.
//! - `list`/`set`/`map` of `any` first bring the elements to one type ([`unify`]); sets are
//!   deduplicated and ordered ([`normalize_set`]) unless an element is unknown.
//! - Objects drop attributes the type does not name; a missing attribute is an error unless it
//!   is `optional(...)`, which then takes its default (or null).
//!
//! Errors are data ([`ConvertError`]: where, and what went wrong); callers choose how they read
//! ([`Style`]). Does not own: function-argument wording (`tostring` says "cannot convert ..."),
//! which the function library builds from the same error kinds.

use std::collections::BTreeMap;

use super::Type;
use crate::value::{Value, format_number, quote};

/// What a conversion does with null elements of lists and sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NullElements {
    /// Keep them (variables, function arguments: cty allows null elements).
    Allow,
    /// Refuse them (schema attributes, where providers reject null elements).
    Reject,
}

/// Where in a value a conversion failed, outermost first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PathStep {
    /// A list, set or tuple element.
    Index(usize),
    /// A map element.
    Key(String),
    /// An object attribute.
    Attr(String),
}

/// What was found where a conversion failed, for messages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Found {
    /// A string short enough to show (40 characters at most, one line).
    Text(String),
    /// Any other value, by its type name.
    Type(&'static str),
}

impl Found {
    fn of(v: &Value) -> Found {
        match v {
            Value::String(s) if s.chars().count() <= 40 && !s.contains('\n') => {
                Found::Text(s.clone())
            }
            other => Found::Type(other.type_name()),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Found::Text(_) => "string",
            Found::Type(t) => t,
        }
    }
}

/// Why a conversion failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConvertErrorKind {
    /// The value's kind cannot become `want` at all.
    Mismatch { want: Type, found: Found },
    /// A string that is not a decimal number.
    NotANumber(String),
    /// A string that is not one of the bool spellings.
    NotABool(String),
    /// A null element where null elements are refused.
    NullElement,
    /// A tuple type of `want` elements and a sequence of `got`.
    TupleLength { want: usize, got: usize },
    /// An object type's required attribute is missing.
    MissingAttr(String),
    /// A `list`/`set`/`map` of `any` whose elements have no common type.
    Mixed { want: Type },
}

/// A failed conversion: where, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConvertError {
    pub path: Vec<PathStep>,
    pub kind: ConvertErrorKind,
}

/// How a [`ConvertError`] names the value it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// By type only: "list of string required, got string" (variables' messages).
    TypeNames,
    /// Short strings shown: "a bool is required, got the string \"yes\"" (attribute messages).
    Values,
}

impl ConvertError {
    fn new(kind: ConvertErrorKind) -> ConvertError {
        ConvertError {
            path: Vec::new(),
            kind,
        }
    }

    fn at(mut self, step: PathStep) -> ConvertError {
        self.path.insert(0, step);
        self
    }

    /// The message, prefixed by where it happened ("element 0: attribute \"a\": ...").
    pub(crate) fn message(&self, style: Style) -> String {
        let mut out = String::new();
        for step in &self.path {
            match step {
                PathStep::Index(i) => out.push_str(&format!("element {i}: ")),
                PathStep::Key(k) => out.push_str(&format!("element {k:?}: ")),
                PathStep::Attr(k) => out.push_str(&format!("attribute {k:?}: ")),
            }
        }
        let found = |f: &Found| match (style, f) {
            (Style::Values, Found::Text(s)) => format!("the string {}", quote(s)),
            (_, f) => f.type_name().to_string(),
        };
        out.push_str(&match &self.kind {
            ConvertErrorKind::Mismatch { want, found: f } => {
                format!("{} required, got {}", want.phrase(), found(f))
            }
            ConvertErrorKind::NotANumber(s) => {
                format!("a number is required, got the string {}", quote(s))
            }
            ConvertErrorKind::NotABool(s) => {
                let f = match style {
                    Style::Values => Found::of(&Value::String(s.clone())),
                    Style::TypeNames => Found::Type("string"),
                };
                format!("a bool is required, got {}", found(&f))
            }
            ConvertErrorKind::NullElement => "null values are not allowed here".into(),
            ConvertErrorKind::TupleLength { want, got } => {
                format!("a tuple of {want} elements is required, got {got}")
            }
            ConvertErrorKind::MissingAttr(k) => format!("attribute {k:?} is required"),
            ConvertErrorKind::Mixed { want } => {
                let what = match want {
                    Type::Set(_) => "set",
                    Type::Map(_) => "map",
                    _ => "list",
                };
                format!("all {what} elements must have the same type")
            }
        });
        out
    }
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Style::TypeNames))
    }
}

impl std::error::Error for ConvertError {}

/// Converts `v` to `ty` (null elements allowed).
pub(crate) fn convert(v: &Value, ty: &Type) -> Result<Value, ConvertError> {
    convert_with(v, ty, NullElements::Allow)
}

/// Converts `v` to `ty`, with `nulls` deciding about null list and set elements.
pub(crate) fn convert_with(
    v: &Value,
    ty: &Type,
    nulls: NullElements,
) -> Result<Value, ConvertError> {
    if v.is_wholly_unknown() {
        return Ok(Value::Unknown);
    }
    let mismatch = || {
        ConvertError::new(ConvertErrorKind::Mismatch {
            want: ty.clone(),
            found: Found::of(v),
        })
    };
    match (ty, v) {
        (Type::Any, _) => Ok(v.clone()),
        (_, Value::Null) => Ok(Value::Null),
        (Type::String, Value::String(_)) => Ok(v.clone()),
        (Type::String, Value::Number(n)) => Ok(Value::String(format_number(*n))),
        (Type::String, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::Number, Value::Number(_)) => Ok(v.clone()),
        (Type::Number, Value::String(s)) => parse_number(s)
            .filter(|n| n.is_finite())
            .map(Value::Number)
            .ok_or_else(|| ConvertError::new(ConvertErrorKind::NotANumber(s.clone()))),
        (Type::Bool, Value::Bool(_)) => Ok(v.clone()),
        (Type::Bool, Value::String(s)) => parse_bool(s)
            .map(Value::Bool)
            .ok_or_else(|| ConvertError::new(ConvertErrorKind::NotABool(s.clone()))),
        (Type::List(t) | Type::Set(t), Value::List(items)) => {
            let unified;
            let items = if **t == Type::Any {
                unified = unify(items).map_err(|MixedTypes| {
                    ConvertError::new(ConvertErrorKind::Mixed { want: ty.clone() })
                })?;
                &unified
            } else {
                items
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if nulls == NullElements::Reject && item.is_null() {
                    return Err(
                        ConvertError::new(ConvertErrorKind::NullElement).at(PathStep::Index(i))
                    );
                }
                out.push(convert_with(item, t, nulls).map_err(|e| e.at(PathStep::Index(i)))?);
            }
            if matches!(ty, Type::Set(_)) && !out.iter().any(Value::is_unknown) {
                normalize_set(&mut out);
            }
            Ok(Value::List(out))
        }
        (Type::Map(t), Value::Object(m)) => {
            let unified;
            let values: Vec<&Value> = if **t == Type::Any {
                let vals: Vec<Value> = m.values().cloned().collect();
                unified = unify(&vals).map_err(|MixedTypes| {
                    ConvertError::new(ConvertErrorKind::Mixed { want: ty.clone() })
                })?;
                unified.iter().collect()
            } else {
                m.values().collect()
            };
            let mut out = BTreeMap::new();
            for (k, item) in m.keys().zip(values) {
                let item =
                    convert_with(item, t, nulls).map_err(|e| e.at(PathStep::Key(k.clone())))?;
                out.insert(k.clone(), item);
            }
            Ok(Value::Object(out))
        }
        (Type::Tuple(ts), Value::List(items)) => {
            if ts.len() != items.len() {
                return Err(ConvertError::new(ConvertErrorKind::TupleLength {
                    want: ts.len(),
                    got: items.len(),
                }));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (t, item)) in ts.iter().zip(items).enumerate() {
                out.push(convert_with(item, t, nulls).map_err(|e| e.at(PathStep::Index(i)))?);
            }
            Ok(Value::List(out))
        }
        (Type::Object(attrs), Value::Object(m)) => {
            let mut out = BTreeMap::new();
            for (k, attr) in attrs {
                match m.get(k) {
                    Some(item) if !item.is_null() => {
                        let item = convert_with(item, &attr.ty, nulls)
                            .map_err(|e| e.at(PathStep::Attr(k.clone())))?;
                        out.insert(k.clone(), item);
                    }
                    _ if attr.optional => {
                        out.insert(k.clone(), attr.default.clone().unwrap_or(Value::Null));
                    }
                    Some(_) => {
                        out.insert(k.clone(), Value::Null);
                    }
                    None => {
                        return Err(ConvertError::new(ConvertErrorKind::MissingAttr(k.clone())));
                    }
                }
            }
            Ok(Value::Object(out))
        }
        _ => Err(mismatch()),
    }
}

/// Parses a decimal number the way Go's `big.ParseFloat(s, 10, ...)` accepts it (what cty's
/// string-to-number conversion uses): optional sign, digits with an optional fraction and
/// exponent, or `Inf`/`inf` (returned as an infinity; callers that store numbers refuse it).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body == "Inf" || body == "inf" {
        return Some(if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    s.parse::<f64>().ok()
}

/// cty's string-to-bool conversion: `"true"`/`"1"` and `"false"`/`"0"`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The elements of a sequence have no common type (see [`unify`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MixedTypes;

/// Brings elements to one type the way cty's type unification does for primitives: strings
/// win over numbers and bools; numbers and bools cannot mix; primitives cannot mix with
/// collections. Nulls and unknowns pass through. Nested collections are kept as they are.
pub(crate) fn unify(elems: &[Value]) -> Result<Vec<Value>, MixedTypes> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Kind {
        Any,
        Primitive,
        Collection,
    }
    let mut kind = Kind::Any;
    let (mut string, mut number, mut boolean) = (false, false, false);
    for v in elems {
        let k = match v {
            Value::String(_) => {
                string = true;
                Kind::Primitive
            }
            Value::Number(_) => {
                number = true;
                Kind::Primitive
            }
            Value::Bool(_) => {
                boolean = true;
                Kind::Primitive
            }
            Value::List(_) | Value::Object(_) => Kind::Collection,
            Value::Null | Value::Unknown => continue,
        };
        if kind == Kind::Any {
            kind = k;
        } else if kind != k {
            return Err(MixedTypes);
        }
    }
    if string && (number || boolean) {
        return Ok(elems
            .iter()
            .map(|v| match v {
                Value::Number(n) => Value::String(format_number(*n)),
                Value::Bool(b) => Value::String(b.to_string()),
                other => other.clone(),
            })
            .collect());
    }
    if number && boolean {
        return Err(MixedTypes);
    }
    Ok(elems.to_vec())
}

/// Orders and deduplicates a set's elements as cty orders sets: strings by their bytes,
/// numbers by value, false before true; unknowns, then nulls, last; other values (lists,
/// objects, mixed kinds) by their rendering, a stable order.
pub fn normalize_set(items: &mut Vec<Value>) {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 2,
            Value::Unknown => 1,
            _ => 0,
        }
    }
    items.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| match (a, b) {
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            _ => a.to_string().cmp(&b.to_string()),
        })
    });
    items.dedup();
}

#[cfg(test)]
mod tests {
    use super::super::tests::ty;
    use super::*;

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

    fn json(s: &str) -> Value {
        Value::from_json(&serde_json::from_str(s).unwrap())
    }

    #[test]
    fn primitives_convert_by_ctys_rules() {
        let conv = |t: &str, v: Value| convert(&v, &ty(t));
        assert_eq!(conv("bool", "1".into()), Ok(Value::Bool(true)));
        assert_eq!(conv("bool", "0".into()), Ok(Value::Bool(false)));
        assert_eq!(conv("number", "-1.5e3".into()), Ok(Value::Number(-1500.0)));
        assert_eq!(conv("number", ".5".into()), Ok(Value::Number(0.5)));
        for bad in [" 5", "NaN", "inf", "0x10", "1_000", ""] {
            assert_eq!(
                conv("number", bad.into()).unwrap_err().kind,
                ConvertErrorKind::NotANumber(bad.into()),
                "{bad:?}"
            );
        }
        assert_eq!(conv("string", Value::Bool(true)), Ok("true".into()));
        assert_eq!(
            conv("string", Value::Number(1e20)),
            Ok("100000000000000000000".into())
        );
        assert_eq!(conv("list(string)", Value::Null), Ok(Value::Null));
        assert_eq!(conv("string", Value::Unknown), Ok(Value::Unknown));
    }

    #[test]
    fn collections_of_any_unify_their_elements() {
        let conv = |t: &str, v: &str| convert(&json(v), &ty(t));
        assert_eq!(
            conv("list(any)", r#"["a", 1, true]"#),
            Ok(json(r#"["a","1","true"]"#))
        );
        assert_eq!(
            conv("map(any)", r#"{"a": 1, "b": "x"}"#),
            Ok(json(r#"{"a":"1","b":"x"}"#))
        );
        assert_eq!(conv("set(any)", "[10, 9, 10]"), Ok(json("[9, 10]")));
        assert_eq!(
            conv("set(string)", r#"["10","9","1"]"#),
            Ok(json(r#"["1","10","9"]"#))
        );
        let e = conv("list(any)", "[1, true]").unwrap_err();
        assert_eq!(e.to_string(), "all list elements must have the same type");
        let e = conv("set(any)", r#"[1, ["x"]]"#).unwrap_err();
        assert_eq!(e.to_string(), "all set elements must have the same type");
        // A set with unknown elements keeps them, undeduplicated: its length is not known.
        let v = Value::List(vec!["b".into(), Value::Unknown, "b".into()]);
        assert_eq!(convert(&v, &ty("set(string)")), Ok(v.clone()));
    }

    #[test]
    fn errors_say_where_and_read_in_either_style() {
        let e = convert(
            &json(r#"[{"a": ["x", "y"]}]"#),
            &ty("list(object({a = list(bool)}))"),
        )
        .unwrap_err();
        assert_eq!(
            e.path,
            vec![
                PathStep::Index(0),
                PathStep::Attr("a".into()),
                PathStep::Index(0)
            ]
        );
        assert_eq!(
            e.to_string(),
            "element 0: attribute \"a\": element 0: a bool is required, got string"
        );
        assert_eq!(
            e.message(Style::Values),
            "element 0: attribute \"a\": element 0: a bool is required, got the string \"x\""
        );
        let e = convert(&json(r#"{"k": "seven"}"#), &ty("map(number)")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "element \"k\": a number is required, got the string \"seven\""
        );
        let e = convert(&json("[1]"), &ty("tuple([number, string])")).unwrap_err();
        assert_eq!(e.to_string(), "a tuple of 2 elements is required, got 1");
        let e = convert(&json("{}"), &ty("object({a = string})")).unwrap_err();
        assert_eq!(e.to_string(), "attribute \"a\" is required");
        let e = convert_with(
            &json(r#"["a", null]"#),
            &ty("list(string)"),
            NullElements::Reject,
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "element 1: null values are not allowed here");
        let long = Value::String("x".repeat(41));
        let e = convert(&long, &ty("bool")).unwrap_err();
        assert_eq!(e.message(Style::Values), "a bool is required, got string");
    }

    #[test]
    fn sets_are_ordered_like_cty_and_deduplicated() {
        let mut v = json(r#"["b", "a b", "a", "b"]"#)
            .as_list()
            .unwrap()
            .to_vec();
        normalize_set(&mut v);
        assert_eq!(Value::List(v), json(r#"["a", "a b", "b"]"#));
        let mut v = vec![Value::Bool(true), Value::Bool(false), Value::Bool(true)];
        normalize_set(&mut v);
        assert_eq!(v, vec![Value::Bool(false), Value::Bool(true)]);
        let mut v = json(r#"[{"a": 2}, {"a": 1}, {"a": 2}]"#)
            .as_list()
            .unwrap()
            .to_vec();
        normalize_set(&mut v);
        assert_eq!(Value::List(v), json(r#"[{"a": 1}, {"a": 2}]"#));
    }
}
