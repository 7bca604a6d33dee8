//! Collection functions (Terraform's `lang/funcs/collection.go` and cty's stdlib): `length`,
//! `concat`, `merge`, `lookup`, `element`, `flatten`, `range`, `zipmap`, `matchkeys`, ...,
//! and the value equality and identity they (and the set functions) compare elements by.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use super::*;
use crate::types::convert::{MixedTypes, unify};

/// Tri-state equality (None = depends on unknowns), as cty's `Equals`.
pub(super) fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown, _) | (_, Value::Unknown) => None,
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y.iter()))
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        (Value::Number(x), Value::Number(y)) => Some(x == y),
        (x, y) => Some(x == y),
    }
}

pub(super) fn all_equal<'v>(pairs: impl Iterator<Item = (&'v Value, &'v Value)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown { None } else { Some(true) }
}

/// A string that is equal for equal (fully known) values, for hashing set members.
pub(super) fn canonical_key(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push('~'),
        Value::Unknown => out.push('?'),
        Value::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
        Value::Number(n) => {
            let n = if *n == 0.0 { 0.0 } else { *n };
            let _ = write!(out, "N{n:?};");
        }
        Value::String(s) => {
            let _ = write!(out, "S{}:{s}", s.len());
        }
        Value::List(l) => {
            out.push('[');
            for e in l {
                canonical_key(e, out);
                out.push(',');
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (k, e) in m {
                let _ = write!(out, "{}:{k}=", k.len());
                canonical_key(e, out);
                out.push(',');
            }
            out.push('}');
        }
    }
}

pub(super) fn key_of(v: &Value) -> String {
    let mut s = String::new();
    canonical_key(v, &mut s);
    s
}

/// Removes duplicates, keeping the first occurrence (elements must be fully known).
pub(super) fn dedupe(elems: Vec<Value>) -> Vec<Value> {
    let mut seen = HashSet::new();
    elems
        .into_iter()
        .filter(|v| seen.insert(key_of(v)))
        .collect()
}

pub(super) fn f_length(c: &Call<'_>) -> Result<Value, FuncError> {
    let n = match c.arg(0) {
        Value::String(s) => graphemes(s).count(),
        Value::List(l) => l.len(),
        Value::Object(m) => m.len(),
        _ => {
            return Err(c.bad(
                0,
                "argument must be a string, a collection type, or a structural type",
            ));
        }
    };
    Ok(Value::Number(n as f64))
}

pub(super) fn f_concat(c: &Call<'_>) -> Result<Value, FuncError> {
    if c.args.is_empty() {
        return Err(c.fail("at least one argument is required"));
    }
    let mut out = Vec::new();
    for (i, arg) in c.args.iter().enumerate() {
        match arg {
            Value::List(l) => out.extend(l.iter().cloned()),
            other => {
                return Err(c.bad(
                    i,
                    format!(
                        "all arguments must be lists or tuples; got {}",
                        type_name(other)
                    ),
                ));
            }
        }
    }
    Ok(Value::List(out))
}

pub(super) fn f_merge(c: &Call<'_>) -> Result<Value, FuncError> {
    let mut out = Map::new();
    for arg in c.args {
        match arg {
            Value::Null => {}
            Value::Object(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            other => {
                return Err(c.fail(format!(
                    "arguments must be maps or objects, got \"{}\"",
                    type_name(other)
                )));
            }
        }
    }
    Ok(Value::Object(out))
}

pub(super) fn f_lookup(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::Object(map) = c.arg(0) else {
        return Err(c.bad(0, "lookup() requires a map as the first argument"));
    };
    let key = c.string(1)?;
    if let Some(v) = map.get(&key) {
        return Ok(v.clone());
    }
    match c.args.get(2) {
        Some(default) => Ok(default.clone()),
        None => Err(c.bad(
            0,
            format!("the given object has no attribute {}", quoted(&key)),
        )),
    }
}

pub(super) fn f_contains(c: &Call<'_>) -> Result<Value, FuncError> {
    let list = c.list(0, "argument must be list, tuple, or set")?;
    let needle = c.arg(1);
    let mut unknown = false;
    for v in list {
        match equals(needle, v) {
            Some(true) => return Ok(Value::Bool(true)),
            None => unknown = true,
            Some(false) => {}
        }
    }
    Ok(if unknown {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

pub(super) fn f_keys(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::Object(m) = c.arg(0) else {
        return Err(c.bad(0, "must have map or object type"));
    };
    Ok(Value::List(
        m.keys().map(|k| Value::from(k.as_str())).collect(),
    ))
}

pub(super) fn f_values(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::Object(m) = c.arg(0) else {
        return Err(c.fail("values() requires a map as the first argument"));
    };
    Ok(Value::List(m.values().cloned().collect()))
}

pub(super) fn f_coalesce(c: &Call<'_>) -> Result<Value, FuncError> {
    let unified =
        unify(c.args).map_err(|MixedTypes| c.fail("all arguments must have the same type"))?;
    let strings = c.args.iter().any(|v| matches!(v, Value::String(_)));
    for v in unified {
        match v {
            Value::Unknown => return Ok(Value::Unknown),
            Value::Null => continue,
            Value::String(s) if strings && s.is_empty() => continue,
            v => return Ok(v),
        }
    }
    Err(c.fail("no non-null, non-empty-string arguments"))
}

pub(super) fn f_coalescelist(c: &Call<'_>) -> Result<Value, FuncError> {
    if c.args.is_empty() {
        return Err(c.fail("at least one argument is required"));
    }
    if c.args
        .iter()
        .any(|v| !matches!(v, Value::List(_) | Value::Null | Value::Unknown))
    {
        return Err(c.fail("coalescelist arguments must be lists or tuples"));
    }
    for v in c.args {
        match v {
            Value::Unknown => return Ok(Value::Unknown),
            Value::List(l) if !l.is_empty() => return Ok(v.clone()),
            _ => {}
        }
    }
    Err(c.fail("no non-null arguments"))
}

pub(super) fn f_element(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::List(list) = c.arg(0) else {
        return Err(c.fail(format!("cannot read elements from {}", type_name(c.arg(0)))));
    };
    let index = to_int(c.arg(1)).map_err(|m| c.bad(1, format!("invalid index: {m}")))?;
    if list.is_empty() {
        return Err(c.fail("cannot use element function with an empty list"));
    }
    let i = index.rem_euclid(list.len() as i64) as usize;
    Ok(list[i].clone())
}

pub(super) fn f_index(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::List(list) = c.arg(0) else {
        return Err(c.fail("argument must be a list or tuple"));
    };
    if list.is_empty() {
        return Err(c.fail("cannot search an empty list"));
    }
    for (i, v) in list.iter().enumerate() {
        match equals(v, c.arg(1)) {
            Some(true) => return Ok(Value::Number(i as f64)),
            None => return Ok(Value::Unknown),
            Some(false) => {}
        }
    }
    Err(c.fail("item not found"))
}

pub(super) fn f_flatten(c: &Call<'_>) -> Result<Value, FuncError> {
    fn flatten_into(list: &[Value], out: &mut Vec<Value>) -> bool {
        for v in list {
            match v {
                // An unknown element might itself be a list, so the shape is unknown.
                Value::Unknown => return false,
                Value::List(inner) => {
                    if !flatten_into(inner, out) {
                        return false;
                    }
                }
                other => out.push(other.clone()),
            }
        }
        true
    }
    let list = c
        .arg(0)
        .as_list()
        .ok_or_else(|| c.fail("can only flatten lists, sets and tuples"))?;
    let mut out = Vec::new();
    Ok(if flatten_into(list, &mut out) {
        Value::List(out)
    } else {
        Value::Unknown
    })
}

/// A `list(any)` argument: the elements converted to one type.
pub(super) fn single_type_list(c: &Call<'_>, i: usize) -> Result<Vec<Value>, FuncError> {
    let list = c.list(i, "list of any single type required")?;
    unify(list).map_err(|MixedTypes| c.bad(i, "all list elements must have the same type"))
}

pub(super) fn f_distinct(c: &Call<'_>) -> Result<Value, FuncError> {
    let list = single_type_list(c, 0)?;
    if list.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    Ok(Value::List(dedupe(list)))
}

pub(super) fn f_chunklist(c: &Call<'_>) -> Result<Value, FuncError> {
    let list = single_type_list(c, 0)?;
    let size = to_int(c.arg(1)).map_err(|m| c.bad(1, format!("invalid size: {m}")))?;
    if size < 0 {
        return Err(c.fail("the size argument must be positive"));
    }
    if list.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(list)]));
    }
    Ok(Value::List(
        list.chunks(size as usize)
            .map(|chunk| Value::List(chunk.to_vec()))
            .collect(),
    ))
}

pub(super) fn f_range(c: &Call<'_>) -> Result<Value, FuncError> {
    let nums = (0..c.args.len())
        .map(|i| c.number(i))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(i) = nums.iter().position(|n| n.is_nan()) {
        return Err(c.bad(i, "a number is required"));
    }
    let (start, end, step) = match nums[..] {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => return Err(c.fail("must have one, two, or three arguments")),
    };
    if step == 0.0 {
        return Err(c.bad(2, "step must not be zero"));
    }
    let down = step < 0.0;
    if down && end > start {
        return Err(c.bad(1, "end must be less than start when step is negative"));
    }
    if !down && end < start {
        return Err(c.bad(1, "end must be greater than start when step is positive"));
    }
    let mut vals = Vec::new();
    let mut num = start;
    while if down { num > end } else { num < end } {
        if vals.len() >= 1024 {
            return Err(c.fail(
                "more than 1024 values were generated; either decrease the difference \
                 between start and end or use a smaller step",
            ));
        }
        vals.push(Value::Number(num));
        num += step;
    }
    Ok(Value::List(vals))
}

pub(super) fn f_sort(c: &Call<'_>) -> Result<Value, FuncError> {
    let list = c.list(0, "list of string required")?;
    if list.iter().any(Value::is_unknown) {
        // The order is unknown but the length is not (cty refines it the same way).
        return Ok(Value::List(vec![Value::Unknown; list.len()]));
    }
    let mut strings = Vec::with_capacity(list.len());
    for (i, v) in list.iter().enumerate() {
        if v.is_null() {
            return Err(c.fail(format!(
                "given list element {i} is null; a null string cannot be sorted"
            )));
        }
        strings.push(to_str(v).map_err(|m| c.bad(0, format!("element {i}: {m}")))?);
    }
    strings.sort();
    Ok(Value::List(
        strings.into_iter().map(Value::String).collect(),
    ))
}

pub(super) fn f_reverse(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::List(list) = c.arg(0) else {
        return Err(c.bad(
            0,
            format!(
                "can only reverse list or tuple values, not {}",
                type_name(c.arg(0))
            ),
        ));
    };
    Ok(Value::List(list.iter().rev().cloned().collect()))
}

pub(super) fn f_slice(c: &Call<'_>) -> Result<Value, FuncError> {
    let list = c.list(0, "must be a list or tuple value")?;
    let start = to_int(c.arg(1)).map_err(|m| c.bad(1, format!("invalid start index: {m}")))?;
    if start < 0 {
        return Err(c.bad(1, "start index must not be less than zero"));
    }
    if start as usize > list.len() {
        return Err(c.bad(
            1,
            "start index must not be greater than the length of the list",
        ));
    }
    let end = to_int(c.arg(2)).map_err(|m| c.bad(2, format!("invalid end index: {m}")))?;
    if end < 0 {
        return Err(c.bad(2, "end index must not be less than zero"));
    }
    if end as usize > list.len() {
        return Err(c.bad(
            2,
            "end index must not be greater than the length of the list",
        ));
    }
    if start > end {
        return Err(c.bad(1, "start index must not be greater than end index"));
    }
    Ok(Value::List(list[start as usize..end as usize].to_vec()))
}

pub(super) fn f_zipmap(c: &Call<'_>) -> Result<Value, FuncError> {
    let keys_list = c.list(0, "list of string required")?;
    if keys_list.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let Value::List(values) = c.arg(1) else {
        return Err(c.fail("values argument must be a list or tuple value"));
    };
    if let Some(i) = keys_list.iter().position(Value::is_null) {
        return Err(c.fail(format!("keys list has null value at index {i}")));
    }
    let keys = c.string_list(0)?;
    if keys.len() != values.len() {
        return Err(c.fail(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    Ok(Value::Object(
        keys.into_iter().zip(values.iter().cloned()).collect(),
    ))
}

pub(super) fn f_compact(c: &Call<'_>) -> Result<Value, FuncError> {
    let list = c.list(0, "list of string required")?;
    if list.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        if v.is_null() {
            continue;
        }
        let s = to_str(v).map_err(|m| c.bad(0, format!("element {i}: {m}")))?;
        if !s.is_empty() {
            out.push(Value::String(s));
        }
    }
    Ok(Value::List(out))
}

pub(super) fn f_one(c: &Call<'_>) -> Result<Value, FuncError> {
    const WHAT: &str = "must be a list, set, or tuple value with either zero or one elements";
    match c.list(0, WHAT)? {
        [] => Ok(Value::Null),
        [one] => Ok(one.clone()),
        _ => Err(c.bad(0, WHAT)),
    }
}

/// A `list(bool)` argument, converted element by element (unknowns kept).
pub(super) fn bool_list(c: &Call<'_>) -> Result<Vec<Option<Value>>, FuncError> {
    let list = c.list(0, "list of bool required")?;
    list.iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Unknown => Ok(None),
            Value::Null => Ok(Some(Value::Null)),
            v => to_bool(v)
                .map(|b| Some(Value::Bool(b)))
                .map_err(|m| c.bad(0, format!("element {i}: {m}"))),
        })
        .collect()
}

pub(super) fn f_alltrue(c: &Call<'_>) -> Result<Value, FuncError> {
    for v in bool_list(c)? {
        match v {
            None => return Ok(Value::Unknown),
            Some(Value::Bool(true)) => {}
            Some(_) => return Ok(Value::Bool(false)),
        }
    }
    Ok(Value::Bool(true))
}

pub(super) fn f_anytrue(c: &Call<'_>) -> Result<Value, FuncError> {
    let mut unknown = false;
    for v in bool_list(c)? {
        match v {
            None => unknown = true,
            Some(Value::Bool(true)) => return Ok(Value::Bool(true)),
            Some(_) => {}
        }
    }
    Ok(if unknown {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

pub(super) fn f_matchkeys(c: &Call<'_>) -> Result<Value, FuncError> {
    let values = c.list(0, "list required")?;
    let keys = c.list(1, "list required")?;
    let search = c.list(2, "list required")?;
    let mut all_keys = keys.to_vec();
    all_keys.extend(search.iter().cloned());
    let unified = unify(&all_keys)
        .map_err(|MixedTypes| c.fail("keys and searchset must be of the same type"))?;
    let (keys, search) = unified.split_at(keys.len());
    if values.len() != keys.len() {
        return Err(c.fail("length of keys and values should be equal"));
    }
    if search.is_empty() {
        return Ok(Value::List(vec![]));
    }
    if values.iter().any(Value::is_unknown) || keys.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let wanted: HashSet<String> = search.iter().map(key_of).collect();
    Ok(Value::List(
        keys.iter()
            .zip(values)
            .filter(|(k, _)| wanted.contains(&key_of(k)))
            .map(|(_, v)| v.clone())
            .collect(),
    ))
}

pub(super) fn f_transpose(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::Object(input) = c.arg(0) else {
        return Err(c.bad(0, "map of list of string required"));
    };
    if c.arg(0).is_unknown() {
        return Ok(Value::Unknown);
    }
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, list) in input {
        let Value::List(items) = list else {
            return Err(c.fail("input must be a map of lists of strings"));
        };
        for item in items {
            match item {
                Value::Null => return Err(c.fail("input list must not contain null string")),
                Value::String(s) => out.entry(s.clone()).or_default().push(key.clone()),
                _ => return Err(c.fail("input must be a map of lists of strings")),
            }
        }
    }
    Ok(Value::Object(
        out.into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, Value::List(v.into_iter().map(Value::String).collect()))
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;

    #[test]
    fn collection_functions_match_terraform() {
        check(&[
            ("length", &["[1,2,3]"], "3"),
            ("length", &[r#"{"a":1}"#], "1"),
            ("concat", &[r#"["a"]"#, r#"["b","c"]"#], r#"["a","b","c"]"#),
            (
                "merge",
                &[r#"{"a":1}"#, r#"{"b":2}"#, r#"{"a":3}"#],
                r#"{"a":3,"b":2}"#,
            ),
            ("merge", &[r#"{"a":1}"#, "null"], r#"{"a":1}"#),
            ("merge", &[], "{}"),
            ("lookup", &[r#"{"a":"x","b":"y"}"#, r#""a""#], r#""x""#),
            ("lookup", &[r#"{"a":"x"}"#, r#""c""#, r#""z""#], r#""z""#),
            ("contains", &[r#"["a","b"]"#, r#""a""#], "true"),
            ("contains", &["[1,2]", r#""1""#], "false"),
            ("contains", &[r#"[{"a":1}]"#, r#"{"a":1}"#], "true"),
            ("keys", &[r#"{"b":1,"a":2}"#], r#"["a","b"]"#),
            ("values", &[r#"{"b":1,"a":2}"#], "[2,1]"),
            ("toset", &[r#"["b","a","b"]"#], r#"["a","b"]"#),
            ("toset", &[r#"["a",1,true]"#], r#"["1","a","true"]"#),
            ("toset", &["[10,9,10]"], "[9,10]"),
            ("toset", &[r#"["10","9","1"]"#], r#"["1","10","9"]"#),
            ("toset", &["[true,false,true]"], "[false,true]"),
            ("tolist", &[r#"["a",1]"#], r#"["a","1"]"#),
            ("tomap", &[r#"{"a":1,"b":"x"}"#], r#"{"a":"1","b":"x"}"#),
            ("coalesce", &[r#""""#, r#""b""#], r#""b""#),
            ("coalesce", &["1", r#""a""#], r#""1""#),
            ("coalesce", &["0", "1"], "0"),
            ("coalescelist", &["[]", r#"["a"]"#], r#"["a"]"#),
            ("element", &[r#"["a","b","c"]"#, "5"], r#""c""#),
            ("element", &[r#"["a","b","c"]"#, "-1"], r#""c""#),
            ("index", &[r#"["a","b","c"]"#, r#""b""#], "1"),
            ("flatten", &[r#"[["a",["b"]],[],"c"]"#], r#"["a","b","c"]"#),
            (
                "distinct",
                &[r#"["a","b","a","c","b"]"#],
                r#"["a","b","c"]"#,
            ),
            ("distinct", &[r#"[1,"1",2]"#], r#"["1","2"]"#),
            ("range", &["3"], "[0,1,2]"),
            ("range", &["-3"], "[0,-1,-2]"),
            ("range", &["4", "1"], "[4,3,2]"),
            ("range", &["0", "10", "3"], "[0,3,6,9]"),
            ("range", &["0", "1", "0.25"], "[0,0.25,0.5,0.75]"),
            ("range", &["5", "5"], "[]"),
            (
                "sort",
                &[r#"["b","a","C","10","9"]"#],
                r#"["10","9","C","a","b"]"#,
            ),
            ("sort", &["[3,10,1]"], r#"["1","10","3"]"#),
            ("reverse", &["[1,2,3]"], "[3,2,1]"),
            ("slice", &[r#"["a","b","c","d"]"#, "1", "3"], r#"["b","c"]"#),
            ("zipmap", &[r#"["a","b"]"#, "[1,2]"], r#"{"a":1,"b":2}"#),
            ("zipmap", &[r#"["a","a"]"#, "[1,2]"], r#"{"a":2}"#),
            ("compact", &[r#"["a","",null,"b"]"#], r#"["a","b"]"#),
            (
                "chunklist",
                &[r#"["a","b","c","d","e"]"#, "2"],
                r#"[["a","b"],["c","d"],["e"]]"#,
            ),
            ("chunklist", &[r#"["a","b"]"#, "0"], r#"[["a","b"]]"#),
            (
                "setunion",
                &[r#"["b","a"]"#, r#"["10","9"]"#],
                r#"["10","9","a","b"]"#,
            ),
            ("setunion", &[r#"["a"]"#, "[1]"], r#"["1","a"]"#),
            (
                "setintersection",
                &[r#"["a","b","c"]"#, r#"["b","c","d"]"#, r#"["c","b"]"#],
                r#"["b","c"]"#,
            ),
            (
                "setsubtract",
                &[r#"["a","b","c"]"#, r#"["b"]"#],
                r#"["a","c"]"#,
            ),
            (
                "setproduct",
                &[r#"["a","b"]"#, "[1,2]"],
                r#"[["a",1],["a",2],["b",1],["b",2]]"#,
            ),
            ("one", &["[]"], "null"),
            ("one", &[r#"["a"]"#], r#""a""#),
            ("alltrue", &[r#"[true,"true"]"#], "true"),
            ("alltrue", &["[]"], "true"),
            ("alltrue", &["[true,null]"], "false"),
            ("anytrue", &[r#"[false,"true"]"#], "true"),
            ("anytrue", &["[]"], "false"),
            (
                "matchkeys",
                &[
                    r#"["i-123","i-abc","i-def"]"#,
                    r#"["us-west","us-east","us-east"]"#,
                    r#"["us-east"]"#,
                ],
                r#"["i-abc","i-def"]"#,
            ),
            (
                "transpose",
                &[r#"{"a":["1","2"],"b":["2","3"]}"#],
                r#"{"1":["a"],"2":["a","b"],"3":["b"]}"#,
            ),
        ]);
        let rows: &[(&str, &[&str], &str)] = &[
            (
                "lookup",
                &[r#"{"a":"x"}"#, r#""c""#],
                "the given object has no attribute \"c\"",
            ),
            (
                "concat",
                &[r#"["a"]"#, r#""b""#],
                "all arguments must be lists or tuples; got string",
            ),
            (
                "merge",
                &[r#"{"a":1}"#, r#"["x"]"#],
                "arguments must be maps or objects",
            ),
            (
                "element",
                &["[]", "0"],
                "cannot use element function with an empty list",
            ),
            ("index", &[r#"["a"]"#, r#""z""#], "item not found"),
            (
                "toset",
                &["[1,true]"],
                "cannot convert tuple to set of any single type",
            ),
            (
                "coalesce",
                &["1", "true"],
                "all arguments must have the same type",
            ),
            (
                "coalesce",
                &[r#""""#, "null"],
                "no non-null, non-empty-string arguments",
            ),
            (
                "slice",
                &[r#"["a","b"]"#, "0", "3"],
                "end index must not be greater",
            ),
            (
                "zipmap",
                &[r#"["a","b"]"#, "[1]"],
                "number of keys (2) does not match number of values (1)",
            ),
            ("one", &[r#"["a","b"]"#], "either zero or one elements"),
            ("sort", &[r#"["a",null]"#], "given list element 1 is null"),
            (
                "range",
                &["1", "4", "-1"],
                "end must be less than start when step is negative",
            ),
            ("range", &["0", "1", "0"], "step must not be zero"),
            (
                "chunklist",
                &[r#"["a"]"#, "-1"],
                "the size argument must be positive",
            ),
        ];
        for (name, args, want) in rows {
            let e = err(name, args);
            assert!(e.contains(want), "{name}{args:?}: {e}");
        }
    }

    #[test]
    fn range_refuses_to_generate_more_than_1024_values() {
        assert_eq!(
            err("range", &["0", "1e12"]),
            "Call to function \"range\" failed: more than 1024 values were generated; either \
             decrease the difference between start and end or use a smaller step."
        );
        assert_eq!(
            ok("range", &["1024"]).as_list().map(<[Value]>::len),
            Some(1024)
        );
        assert!(err("range", &["0", "1", "1e-300"]).contains("1024"));
    }
}
