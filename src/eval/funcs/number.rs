//! Numeric functions (Terraform's `lang/funcs/number.go` and cty's stdlib): `abs`, `ceil`,
//! `floor`, `log`, `pow`, `signum`, `min`, `max`, `sum`, `parseint`.

use super::*;

pub(super) fn f_abs(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::Number(c.number(0)?.abs()))
}

pub(super) fn f_ceil(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::Number(c.number(0)?.ceil()))
}

pub(super) fn f_floor(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::Number(c.number(0)?.floor()))
}

pub(super) fn f_signum(c: &Call<'_>) -> Result<Value, FuncError> {
    let n = c.int(0)?;
    Ok(Value::Number(n.signum() as f64))
}

pub(super) fn finite_result(c: &Call<'_>, n: f64) -> Result<Value, FuncError> {
    if n.is_nan() {
        return Err(c.fail("result is not a number"));
    }
    Ok(Value::Number(n))
}

pub(super) fn f_pow(c: &Call<'_>) -> Result<Value, FuncError> {
    let n = c.number(0)?.powf(c.number(1)?);
    finite_result(c, n)
}

pub(super) fn f_log(c: &Call<'_>) -> Result<Value, FuncError> {
    let n = c.number(0)?.ln() / c.number(1)?.ln();
    finite_result(c, n)
}

pub(super) fn f_min(c: &Call<'_>) -> Result<Value, FuncError> {
    extreme(c, |a, b| a < b)
}

pub(super) fn f_max(c: &Call<'_>) -> Result<Value, FuncError> {
    extreme(c, |a, b| a > b)
}

pub(super) fn extreme(c: &Call<'_>, better: fn(f64, f64) -> bool) -> Result<Value, FuncError> {
    if c.args.is_empty() {
        return Err(c.fail("must pass at least one number"));
    }
    let mut best = c.number(0)?;
    for i in 1..c.args.len() {
        let n = c.number(i)?;
        if better(n, best) {
            best = n;
        }
    }
    Ok(Value::Number(best))
}

pub(super) fn f_sum(c: &Call<'_>) -> Result<Value, FuncError> {
    const WHAT: &str = "argument must be list, set, or tuple of number values";
    let list = match c.arg(0) {
        Value::List(l) => l,
        Value::Object(m) if m.is_empty() => return Err(c.bad(0, "cannot sum an empty list")),
        Value::Object(_) => {
            return Err(c.bad(0, "argument must be list, set, or tuple. Received object"));
        }
        _ => return Err(c.bad(0, "cannot sum noniterable")),
    };
    if list.is_empty() {
        return Err(c.bad(0, "cannot sum an empty list"));
    }
    if list.iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let mut total = 0.0;
    for v in list {
        if v.is_null() {
            return Err(c.bad(0, WHAT));
        }
        total += to_num(v).map_err(|_| c.bad(0, WHAT))?;
    }
    if total.is_nan() {
        return Err(c.fail("can't compute sum of opposing infinities"));
    }
    Ok(Value::Number(total))
}

pub(super) fn f_parseint(c: &Call<'_>) -> Result<Value, FuncError> {
    let Value::String(s) = c.arg(0) else {
        return Err(c.bad(
            0,
            format!(
                "first argument must be a string, not {}",
                type_name(c.arg(0))
            ),
        ));
    };
    let base = c.int(1)?;
    if !(2..=62).contains(&base) {
        return Err(c.bad(1, "base must be a whole number between 2 and 62 inclusive"));
    }
    let cannot = || {
        c.bad(
            0,
            format!("cannot parse {} as a base {base} integer", quoted(s)),
        )
    };
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s.as_str()),
    };
    if digits.is_empty() {
        return Err(cannot());
    }
    let mut n = 0.0f64;
    for b in digits.bytes() {
        // Go's big.Int: letters are case-insensitive up to base 36; above it, lowercase
        // letters are 10..35 and uppercase 36..61.
        let d = match b {
            b'0'..=b'9' => u32::from(b - b'0'),
            b'a'..=b'z' => u32::from(b - b'a') + 10,
            b'A'..=b'Z' if base <= 36 => u32::from(b - b'A') + 10,
            b'A'..=b'Z' => u32::from(b - b'A') + 36,
            _ => return Err(cannot()),
        };
        if i64::from(d) >= base {
            return Err(cannot());
        }
        n = n * base as f64 + f64::from(d);
    }
    if n.is_infinite() {
        return Err(c.bad(0, "the number is too large"));
    }
    Ok(Value::Number(if negative && n != 0.0 { -n } else { n }))
}

#[cfg(test)]
mod tests {
    use crate::eval::funcs::testing::*;

    #[test]
    fn numeric_functions_match_terraform() {
        check(&[
            ("sum", &["[1,2,3.5]"], "6.5"),
            ("sum", &[r#"["1",2]"#], "3"),
            ("min", &["3", "1", "2"], "1"),
            ("max", &["3", "1", r#""7""#], "7"),
            ("abs", &["-5.5"], "5.5"),
            ("ceil", &["-1.5"], "-1"),
            ("floor", &["-1.5"], "-2"),
            ("pow", &["2", "10"], "1024"),
            ("log", &["8", "2"], "3"),
            ("signum", &["-5"], "-1"),
            ("parseint", &[r#""FF""#, "16"], "255"),
            ("parseint", &[r#""-FF""#, "16"], "-255"),
            ("parseint", &[r#""+zZ""#, "62"], "2231"),
            ("parseint", &[r#""zZ""#, "36"], "1295"),
            ("parseint", &[r#""1010""#, "2"], "10"),
        ]);
        for (name, args, want) in [
            ("sum", &["[]"][..], "cannot sum an empty list"),
            (
                "sum",
                &["[1,null]"],
                "argument must be list, set, or tuple of number values",
            ),
            ("min", &[], "must pass at least one number"),
            ("pow", &["-1", "0.5"], "result is not a number"),
            ("signum", &["-0.5"], "whole number"),
            (
                "parseint",
                &[r#""12x""#, "10"],
                "cannot parse \"12x\" as a base 10 integer",
            ),
            (
                "parseint",
                &["100", "10"],
                "first argument must be a string, not number",
            ),
            (
                "parseint",
                &[r#""1""#, "63"],
                "base must be a whole number between 2 and 62",
            ),
        ] {
            let e = err(name, args);
            assert!(e.contains(want), "{name}{args:?}: {e}");
        }
    }
}
