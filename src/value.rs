//! Values of the configuration language, with Terraform's "known after apply".
//!
//! Lists, tuples and sets are all [`Value::List`]; maps and objects are [`Value::Object`]
//! (a `BTreeMap`, so iteration order is stable). Imports nothing else from the crate.

use std::collections::BTreeMap;
use std::fmt;

/// A configuration value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
    /// Known only after apply (an id the cloud assigns, or anything computed from one).
    Unknown,
}

/// The most a value built by an expression may weigh: one per element, plus one per 64 bytes of
/// string. Far beyond any lab, small enough that a hostile configuration (a local that doubles a
/// list forty times) stops with an error long before it exhausts memory.
pub(crate) const MAX_VALUE_WEIGHT: usize = 2_000_000;
/// The deepest a value may nest (the same bound serde_json puts on JSON), so nothing that walks
/// a value recursively can run out of stack.
pub(crate) const MAX_VALUE_DEPTH: usize = 128;

/// Why a value is refused by [`Value::weigh`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooBig {
    /// Heavier than the limit given.
    Large,
    /// Nested deeper than [`MAX_VALUE_DEPTH`].
    Deep,
    /// Holds an infinite or NaN number, which no file or output could represent.
    NotFinite,
}

/// Map type used for objects and resource attributes.
pub(crate) type Map = BTreeMap<String, Value>;

impl Value {
    /// The value's weight (see [`MAX_VALUE_WEIGHT`]) if it is at most `limit`, nests at most
    /// [`MAX_VALUE_DEPTH`] levels and holds only finite numbers; stops counting as soon as either is exceeded, so weighing a
    /// huge value costs no more than the limit.
    pub fn weigh(&self, limit: usize) -> Result<usize, TooBig> {
        let mut total = 0usize;
        let mut stack: Vec<(&Value, usize)> = vec![(self, 0)];
        while let Some((v, depth)) = stack.pop() {
            if depth > MAX_VALUE_DEPTH {
                return Err(TooBig::Deep);
            }
            total += 1;
            match v {
                Value::Number(n) if !n.is_finite() => return Err(TooBig::NotFinite),
                Value::String(s) => total += s.len() / 64,
                Value::List(l) => stack.extend(l.iter().map(|x| (x, depth + 1))),
                Value::Object(m) => stack.extend(m.values().map(|x| (x, depth + 1))),
                _ => {}
            }
            if total > limit {
                return Err(TooBig::Large);
            }
        }
        Ok(total)
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Unknown => "unknown",
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True if this value or anything inside it is unknown.
    pub fn is_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::List(l) => l.iter().any(Value::is_unknown),
            Value::Object(m) => m.values().any(Value::is_unknown),
            _ => false,
        }
    }

    /// True only for the bare unknown (not a known container holding unknowns).
    pub fn is_wholly_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The number as an integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Some(*n as i64),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Attribute lookup on an object (None for other kinds or a missing key).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// Converts to a string the way Terraform's automatic conversion does (numbers, bools).
    pub fn to_string_lossy(&self) -> Option<String> {
        match self {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Converts from JSON (numbers to f64).
    pub fn from_json(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON; unknowns become null (callers check `is_unknown` first where it matters).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Object(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }

    /// Mirror of the value with `true` where unknown, for Terraform's `after_unknown`.
    pub fn unknown_mask(&self) -> serde_json::Value {
        match self {
            Value::Unknown => serde_json::Value::Bool(true),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::unknown_mask).collect()),
            Value::Object(m) => serde_json::Value::Object(
                m.iter()
                    .filter(|(_, v)| v.is_unknown())
                    .map(|(k, v)| (k.clone(), v.unknown_mask()))
                    .collect(),
            ),
            _ => serde_json::Value::Bool(false),
        }
    }
}

/// Integers print without a fraction, as Terraform does.
pub(crate) fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n as f64)
    }
}
impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(l: Vec<Value>) -> Value {
        Value::List(l)
    }
}

/// HCL-literal rendering used in plans and `state show`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{}", quote(s)),
            Value::Unknown => f.write_str("(known after apply)"),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Value::Object(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A string as an HCL quoted literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_integers_integral() {
        let j = serde_json::json!({"a": [1, 2.5, "x", true, null]});
        let v = Value::from_json(&j);
        assert_eq!(v.to_json(), j);
        assert_eq!(v.to_string(), "{a = [1, 2.5, \"x\", true, null]}");
    }

    #[test]
    fn unknown_propagates_through_containers() {
        let v = Value::List(vec![Value::from("a"), Value::Unknown]);
        assert!(v.is_unknown());
        assert!(!v.is_wholly_unknown());
        assert_eq!(v.unknown_mask(), serde_json::json!([false, true]));
    }
}
