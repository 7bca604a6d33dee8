//! Validator helpers shared by resource definitions: ranges, lengths, enumerations and JSON.
//! Each returns what is wrong with a known value, in the words the AWS provider uses.

use crate::value::Value;

pub(crate) fn int_between(v: &Value, lo: i64, hi: i64) -> Result<(), String> {
    match v.as_i64() {
        Some(n) if (lo..=hi).contains(&n) => Ok(()),
        Some(n) => Err(format!("expected a value between {lo} and {hi}, got {n}")),
        None => Err(format!(
            "expected a whole number between {lo} and {hi}, got {v}"
        )),
    }
}

pub(crate) fn len_between(v: &Value, lo: usize, hi: usize) -> Result<(), String> {
    let n = v.as_str().map_or(0, |s| s.chars().count());
    if (lo..=hi).contains(&n) {
        Ok(())
    } else {
        Err(format!("expected length between {lo} and {hi}, got {n}"))
    }
}

pub(crate) fn one_of(v: &Value, allowed: &[&str]) -> Result<(), String> {
    match v.as_str() {
        Some(s) if allowed.contains(&s) => Ok(()),
        _ => Err(format!(
            "expected one of {}, got {v}",
            allowed
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

pub(crate) fn json(v: &Value) -> Result<(), String> {
    let s = v.as_str().unwrap_or("");
    serde_json::from_str::<serde_json::Value>(s)
        .map(|_| ())
        .map_err(|e| format!("contains an invalid JSON document: {e}"))
}
