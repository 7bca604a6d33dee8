//! Type conversion functions (`tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`)
//! and the identities `sensitive`/`nonsensitive`: [`crate::types`]'s conversion rules with
//! Terraform's function-argument wording ("cannot convert ... to ...").

use super::*;

pub(super) fn f_tostring(c: &Call<'_>) -> Result<Value, FuncError> {
    convert(c.arg(0), &Type::String).map_err(|_| {
        c.bad(
            0,
            format!("cannot convert {} to string", type_name(c.arg(0))),
        )
    })
}

pub(super) fn f_tonumber(c: &Call<'_>) -> Result<Value, FuncError> {
    convert(c.arg(0), &Type::Number).map_err(|e| match &e.kind {
        ConvertErrorKind::NotANumber(s) => c.bad(
            0,
            format!(
                "cannot convert {} to number; given string must be a decimal \
                 representation of a number",
                quoted(s)
            ),
        ),
        _ => c.bad(
            0,
            format!("cannot convert {} to number", type_name(c.arg(0))),
        ),
    })
}

pub(super) fn f_tobool(c: &Call<'_>) -> Result<Value, FuncError> {
    convert(c.arg(0), &Type::Bool).map_err(|e| match &e.kind {
        ConvertErrorKind::NotABool(s) => c.bad(
            0,
            format!(
                "cannot convert {} to bool; only the strings \"true\" or \"false\" are \
                 allowed",
                quoted(s)
            ),
        ),
        _ => c.bad(0, format!("cannot convert {} to bool", type_name(c.arg(0)))),
    })
}

/// `tolist`/`toset`/`tomap`: a collection of `any`, its elements unified to one type.
fn to_collection(c: &Call<'_>, ty: Type, noun: &str) -> Result<Value, FuncError> {
    // Both a wrong kind of value and elements of no single type read the same in Terraform.
    convert(c.arg(0), &ty).map_err(|_| {
        let from = type_name(c.arg(0));
        c.bad(
            0,
            format!("cannot convert {from} to {noun} of any single type"),
        )
    })
}

pub(super) fn f_tolist(c: &Call<'_>) -> Result<Value, FuncError> {
    to_collection(c, Type::List(Box::new(Type::Any)), "list")
}

pub(super) fn f_toset(c: &Call<'_>) -> Result<Value, FuncError> {
    // keyform's sets are lists, so a set with unknown elements (whose length is unknown until
    // they are known) is wholly unknown.
    if matches!(c.arg(0), Value::List(l) if l.iter().any(Value::is_unknown)) {
        return Ok(Value::Unknown);
    }
    to_collection(c, Type::Set(Box::new(Type::Any)), "set")
}

pub(super) fn f_tomap(c: &Call<'_>) -> Result<Value, FuncError> {
    to_collection(c, Type::Map(Box::new(Type::Any)), "map")
}

pub(super) fn f_identity(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(c.arg(0).clone())
}

#[cfg(test)]
mod tests {
    use crate::eval::funcs::testing::*;

    #[test]
    fn conversions_match_terraform() {
        check(&[
            ("tostring", &["5"], r#""5""#),
            ("tostring", &["1.5"], r#""1.5""#),
            ("tostring", &["true"], r#""true""#),
            ("tostring", &["null"], "null"),
            ("tonumber", &[r#""5""#], "5"),
            ("tonumber", &[r#""-1.5e3""#], "-1500"),
            ("tonumber", &[r#"".5""#], "0.5"),
            ("tobool", &[r#""true""#], "true"),
            ("tobool", &[r#""1""#], "true"),
            ("tobool", &["null"], "null"),
            ("abs", &[r#""-3""#], "3"),
        ]);
        for (name, arg, want) in [
            (
                "tonumber",
                r#""abc""#,
                "cannot convert \"abc\" to number; given string must be a decimal \
                 representation of a number",
            ),
            ("tonumber", r#"" 5""#, "given string must be a decimal"),
            ("tonumber", "true", "cannot convert bool to number"),
            (
                "tobool",
                r#""yes""#,
                "cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are \
                 allowed",
            ),
            ("tostring", "[1]", "cannot convert tuple to string"),
            (
                "tolist",
                r#"{"a":1}"#,
                "cannot convert object to list of any single type",
            ),
        ] {
            let e = err(name, &[arg]);
            assert!(e.starts_with("Invalid value for \"v\" parameter: "), "{e}");
            assert!(e.contains(want), "{name}({arg}): {e}");
        }
    }
}
