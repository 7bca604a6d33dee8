//! Set functions (cty's stdlib `set.go`): `setunion`, `setintersection`, `setsubtract`,
//! `setproduct`. Elements are unified to one type first; results are ordered as Terraform
//! orders sets ([`crate::types::normalize_set`]).

use std::collections::HashSet;

use super::*;
use crate::types::convert::{MixedTypes, normalize_set, unify};

/// The set arguments' elements, unified across all of them (None if any is unknown).
pub(super) fn set_args(c: &Call<'_>) -> Result<Option<Vec<Vec<Value>>>, FuncError> {
    let mut sizes = Vec::with_capacity(c.args.len());
    let mut all = Vec::new();
    for i in 0..c.args.len() {
        let list = c.list(i, "set of any single type required")?;
        sizes.push(list.len());
        all.extend(list.iter().cloned());
    }
    if all.iter().any(Value::is_unknown) {
        return Ok(None);
    }
    let mut all = unify(&all)
        .map_err(|MixedTypes| c.fail("given sets must all have compatible element types"))?
        .into_iter();
    Ok(Some(
        sizes
            .into_iter()
            .map(|n| dedupe(all.by_ref().take(n).collect()))
            .collect(),
    ))
}

pub(super) fn finish_set(mut elems: Vec<Value>) -> Value {
    normalize_set(&mut elems);
    Value::List(elems)
}

pub(super) fn f_setunion(c: &Call<'_>) -> Result<Value, FuncError> {
    let Some(sets) = set_args(c)? else {
        return Ok(Value::Unknown);
    };
    Ok(finish_set(dedupe(sets.into_iter().flatten().collect())))
}

pub(super) fn f_setintersection(c: &Call<'_>) -> Result<Value, FuncError> {
    let Some(mut sets) = set_args(c)? else {
        return Ok(Value::Unknown);
    };
    let first = sets.remove(0);
    let others: Vec<HashSet<String>> = sets
        .iter()
        .map(|s| s.iter().map(key_of).collect())
        .collect();
    Ok(finish_set(
        first
            .into_iter()
            .filter(|v| {
                let k = key_of(v);
                others.iter().all(|o| o.contains(&k))
            })
            .collect(),
    ))
}

pub(super) fn f_setsubtract(c: &Call<'_>) -> Result<Value, FuncError> {
    let Some(sets) = set_args(c)? else {
        return Ok(Value::Unknown);
    };
    let remove: HashSet<String> = sets[1].iter().map(key_of).collect();
    Ok(finish_set(
        sets[0]
            .iter()
            .filter(|v| !remove.contains(&key_of(v)))
            .cloned()
            .collect(),
    ))
}

pub(super) fn f_setproduct(c: &Call<'_>) -> Result<Value, FuncError> {
    const LIMIT: usize = 100_000;
    if c.args.len() < 2 {
        return Err(c.fail("at least two arguments are required"));
    }
    let mut lists = Vec::with_capacity(c.args.len());
    for i in 0..c.args.len() {
        let list = c.list(i, "a set or a list is required")?;
        if list.iter().any(Value::is_unknown) {
            return Ok(Value::Unknown);
        }
        lists.push(
            unify(list).map_err(|MixedTypes| c.bad(i, "all elements must be of the same type"))?,
        );
    }
    let total = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
        .filter(|n| *n <= LIMIT)
        .ok_or_else(|| c.fail(format!("the product would have more than {LIMIT} elements")))?;
    let mut out = Vec::with_capacity(total);
    let mut idx = vec![0usize; lists.len()];
    for _ in 0..total {
        out.push(Value::List(
            idx.iter().zip(&lists).map(|(i, l)| l[*i].clone()).collect(),
        ));
        for j in (0..idx.len()).rev() {
            idx[j] += 1;
            if idx[j] < lists[j].len() {
                break;
            }
            idx[j] = 0;
        }
    }
    Ok(Value::List(out))
}
