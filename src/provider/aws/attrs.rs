//! Building blocks of the resource schemas shared by more than one resource type: attribute
//! types, the `tags` / `tags_all` pair and the policy-document validator, matching
//! terraform-provider-aws (aws-semantics.md §1).
//!
//! Each type's own schema (and any validator only it uses) lives in the type's file.

use crate::schema::{AttrSchema as A, AttrType as T, check};
use crate::value::Value;

pub(super) fn string() -> T {
    T::String
}

pub(super) fn set_of_strings() -> T {
    T::Set(Box::new(T::String))
}

fn tags() -> Vec<A> {
    vec![
        A::optional("tags", T::Map(Box::new(T::String))),
        A::computed("tags_all", T::Map(Box::new(T::String))),
    ]
}

/// `attrs` followed by `tags` and the computed `tags_all`.
pub(super) fn with_tags(mut attrs: Vec<A>) -> Vec<A> {
    attrs.extend(tags());
    attrs
}

/// A JSON policy document: valid JSON, and an object.
pub(super) fn policy_json(v: &Value) -> Result<(), String> {
    check::json(v)?;
    if v.as_str().is_some_and(|s| s.trim_start().starts_with('{')) {
        Ok(())
    } else {
        Err(format!("{v} is not a JSON policy document (an object)"))
    }
}
