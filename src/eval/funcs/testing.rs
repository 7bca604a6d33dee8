//! Test helpers shared by the function families' tests: a JSON notation for values and
//! shorthands to call a function and check its result or error text.

use std::path::Path;

use super::{FuncContext, FuncError, call};
use crate::value::Value;

/// Test notation: JSON, where the string "<unknown>" stands for an unknown value.
pub(super) fn v(json: &str) -> Value {
    fn conv(j: &serde_json::Value) -> Value {
        match j {
            serde_json::Value::String(s) if s == "<unknown>" => Value::Unknown,
            serde_json::Value::Array(a) => Value::List(a.iter().map(conv).collect()),
            serde_json::Value::Object(o) => {
                Value::Object(o.iter().map(|(k, x)| (k.clone(), conv(x))).collect())
            }
            other => Value::from_json(other),
        }
    }
    conv(&serde_json::from_str(json).unwrap_or_else(|e| panic!("bad test JSON {json}: {e}")))
}

pub(super) fn run_in(dir: &Path, name: &str, args: &[&str]) -> Result<Value, FuncError> {
    let ctx = FuncContext { base_dir: dir };
    let args: Vec<Value> = args.iter().map(|a| v(a)).collect();
    call(name, &args, &ctx)
}

pub(super) fn run(name: &str, args: &[&str]) -> Result<Value, FuncError> {
    run_in(&std::env::temp_dir(), name, args)
}

pub(super) fn ok(name: &str, args: &[&str]) -> Value {
    run(name, args).unwrap_or_else(|e| panic!("{name}{args:?} failed: {e}"))
}

pub(super) fn ok_str(name: &str, args: &[&str]) -> String {
    match ok(name, args) {
        Value::String(s) => s,
        other => panic!("{name}{args:?} returned {other:?}, not a string"),
    }
}

pub(super) fn err(name: &str, args: &[&str]) -> String {
    match run(name, args) {
        Ok(v) => panic!("{name}{args:?} succeeded with {v:?}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts each `(function, args, expected JSON)` row.
pub(super) fn check(rows: &[(&str, &[&str], &str)]) {
    for (name, args, want) in rows {
        assert_eq!(ok(name, args), v(want), "{name}{args:?}");
    }
}
