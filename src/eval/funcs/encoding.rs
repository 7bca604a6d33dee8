//! Encoding functions (Terraform's `lang/funcs/encoding.go` and cty's JSON functions):
//! `base64encode`/`base64decode`, `urlencode`, `jsonencode` (Go's bytes exactly) and
//! `jsondecode` (serde_json, round-trip exact for floats).

use base64::Engine as _;

use super::*;
use crate::value::format_number;

pub(super) fn f_urlencode(c: &Call<'_>) -> Result<Value, FuncError> {
    // Go's url.QueryEscape.
    let s = c.string(0)?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Ok(Value::String(out))
}

pub(super) fn base64_engine() -> base64::engine::GeneralPurpose {
    // Go's StdEncoding tolerates non-zero trailing bits; the crate's default does not.
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
    )
}

pub(super) fn f_base64encode(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::String(base64_engine().encode(c.string(0)?)))
}

pub(super) fn f_base64decode(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    // Go's decoder skips line breaks.
    let compact: String = s.chars().filter(|ch| *ch != '\r' && *ch != '\n').collect();
    let bytes = base64_engine()
        .decode(compact.as_bytes())
        .map_err(|_| c.fail(format!("failed to decode base64 data {}", quoted_short(&s))))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| c.fail("the result of decoding the provided string is not valid UTF-8"))
}

pub(super) fn f_jsonencode(c: &Call<'_>) -> Result<Value, FuncError> {
    let v = c.arg(0);
    if v.is_unknown() {
        return Ok(Value::Unknown);
    }
    let mut out = String::new();
    json_encode(v, &mut out).map_err(|m| c.fail(m))?;
    Ok(Value::String(out))
}

/// Serialises like cty's JSON marshaller: compact, object keys sorted, numbers without
/// exponent, strings escaped as Go's encoding/json does (HTML-safe).
pub(super) fn json_encode(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null | Value::Unknown => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if !n.is_finite() {
                return Err("cannot serialize infinity as JSON".into());
            }
            out.push_str(&format_number(*n));
        }
        Value::String(s) => json_quote(s, out),
        Value::List(l) => {
            out.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_encode(e, out)?;
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, e)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_quote(k, out);
                out.push(':');
                json_encode(e, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Go's `encoding/json` string quoting (HTML-safe), as `jsonencode` and `%q` write strings.
pub(super) fn json_quote(s: &str, out: &mut String) {
    crate::text::json_quote(s, out);
}

pub(super) fn f_jsondecode(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    // serde_json checks the syntax (its messages carry line and column); ignoring the value
    // checks it at any depth without building anything.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&s) {
        return Err(c.bad(0, e.to_string()));
    }
    let limits = JsonLimits::of(&s);
    if limits.depth > crate::value::MAX_VALUE_DEPTH {
        return Err(c.bad(
            0,
            format!(
                "JSON nested more than {} levels deep is not supported",
                crate::value::MAX_VALUE_DEPTH
            ),
        ));
    }
    if limits.infinite_number {
        return Err(FuncError::NumberOutOfRange {
            name: c.name.to_string(),
        });
    }
    // With `float_roundtrip` serde_json's numbers are exact, so jsondecode(jsonencode(x)) is
    // x. Like Go (and cty), a repeated object key keeps its last value. The depth is bounded
    // above, so serde_json's own (lower) recursion limit is not needed.
    let mut de = serde_json::Deserializer::from_str(&s);
    de.disable_recursion_limit();
    let json = serde::Deserialize::deserialize(&mut de)
        .and_then(|json: serde_json::Value| de.end().map(|()| json))
        .map_err(|e| c.bad(0, e.to_string()))?;
    Ok(Value::from_json(&json))
}

/// What keyform's values cannot hold, found in JSON text that serde_json has validated: the
/// deepest nesting of arrays and objects, and whether a number is beyond f64's range (which
/// serde_json refuses as a syntax error, but keyform reports as a number out of range).
struct JsonLimits {
    depth: usize,
    infinite_number: bool,
}

impl JsonLimits {
    fn of(s: &str) -> JsonLimits {
        let mut limits = JsonLimits {
            depth: 0,
            infinite_number: false,
        };
        let (mut depth, mut in_str, mut esc) = (0usize, false, false);
        let mut number_start = None;
        for (i, b) in s.bytes().enumerate() {
            if in_str {
                match (esc, b) {
                    (true, _) => esc = false,
                    (false, b'\\') => esc = true,
                    (false, b'"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            let in_number = b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E');
            match (number_start, in_number) {
                (None, true) => number_start = Some(i),
                (Some(start), false) => {
                    limits.infinite_number |= number_is_infinite(&s[start..i]);
                    number_start = None;
                }
                _ => {}
            }
            match b {
                b'"' => in_str = true,
                b'[' | b'{' => {
                    depth += 1;
                    limits.depth = limits.depth.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if let Some(start) = number_start {
            limits.infinite_number |= number_is_infinite(&s[start..]);
        }
        limits
    }
}

fn number_is_infinite(token: &str) -> bool {
    token.parse::<f64>().is_ok_and(f64::is_infinite)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;
    use proptest::prelude::*;

    #[test]
    fn extreme_numbers_survive_a_json_round_trip() {
        let ctx = FuncContext {
            base_dir: Path::new("."),
        };
        for n in [
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            5e-324,
            0.1,
            1.0 / 3.0,
            2f64.powi(60),
        ] {
            let encoded = call("jsonencode", &[Value::Number(n)], &ctx).unwrap();
            assert_eq!(
                call("jsondecode", &[encoded], &ctx),
                Ok(Value::Number(n)),
                "{n:e}"
            );
        }
    }

    #[test]
    fn jsonencode_matches_terraform_bytes() {
        let rows: &[(&str, &str)] = &[
            (r#"{"b":1,"a":"<x>"}"#, r#"{"a":"\u003cx\u003e","b":1}"#),
            ("null", "null"),
            (r#"[1,2.5,"x",true,null,{}]"#, r#"[1,2.5,"x",true,null,{}]"#),
            (
                r#""a\u2028b&c\u0001\u0008\u000c\u007f é""#,
                "\"a\\u2028b\\u0026c\\u0001\\b\\f\u{7f} é\"",
            ),
            ("1e21", "1000000000000000000000"),
            ("1e-7", "0.0000001"),
            ("-0.5", "-0.5"),
            ("123456789012", "123456789012"),
            (
                r#"{"z":[{"b":null,"a":false}],"a":"\t\"\\"}"#,
                r#"{"a":"\t\"\\","z":[{"a":false,"b":null}]}"#,
            ),
        ];
        for (input, want) in rows {
            assert_eq!(ok_str("jsonencode", &[input]), *want, "{input}");
        }
        assert_eq!(
            ok("jsonencode", &[r#"{"a":["<unknown>"]}"#]),
            Value::Unknown
        );
        let ctx = FuncContext {
            base_dir: Path::new("."),
        };
        let e = call("jsonencode", &[Value::Number(f64::INFINITY)], &ctx).unwrap_err();
        assert!(e.to_string().contains("infinity"), "{e}");
    }

    #[test]
    fn jsondecode_builds_values_and_reports_positions() {
        check(&[
            (
                "jsondecode",
                &[r#""{\"a\":{\"b\":[1,{\"c\":\"\\u00e9\\ud83d\\ude00\"}]}}""#],
                r#"{"a":{"b":[1,{"c":"é😀"}]}}"#,
            ),
            (
                "jsondecode",
                &[r#""[0.1, 1e-7, -0, 5e-324]""#],
                "[0.1, 1e-7, 0, 5e-324]",
            ),
            ("jsondecode", &[r#""{\"a\":1,\"a\":2}""#], r#"{"a":2}"#),
            ("jsondecode", &[r#""  null ""#], "null"),
        ]);
        let e = err("jsondecode", &[r#""[1,]""#]);
        assert!(e.contains("line 1 column 4"), "{e}");
        let e = err("jsondecode", &[r#""{\"a\":1}x""#]);
        assert!(e.contains("trailing characters"), "{e}");
        assert_eq!(ok("jsondecode", &[r#""<unknown>""#]), Value::Unknown);
    }

    #[test]
    fn jsondecode_on_serde_json_keeps_terraforms_values_and_limits() {
        check(&[
            // Integers beyond 2^53 and 2^64 round to the nearest double, as cty's big floats
            // do when they become numbers.
            (
                "jsondecode",
                &[r#""[9007199254740993, 12345678901234567890123]""#],
                "[9007199254740992, 1.2345678901234568e22]",
            ),
            ("jsondecode", &[r#""\"\\u00e9\\t\"""#], r#""é\t""#),
            (
                "jsondecode",
                &[r#""{\"b\":[],\"a\":{}}""#],
                r#"{"a":{},"b":[]}"#,
            ),
        ]);
        // keyform's values nest 128 levels deep at most (serde_json's own limit is lower).
        let nested = |n: usize| format!("\"{}{}\"", "[".repeat(n), "]".repeat(n));
        assert_eq!(ok("jsondecode", &[&nested(3)]), v("[[[]]]"));
        let decoded = ok("jsondecode", &[&nested(128)]);
        assert!(matches!(decoded, Value::List(_)));
        let e = err("jsondecode", &[&nested(129)]);
        assert_eq!(
            e,
            "Invalid value for \"str\" parameter: JSON nested more than 128 levels deep is not \
             supported."
        );
        // A number beyond f64's range is keyform's "Number out of range", as for any
        // expression producing one.
        assert_eq!(
            run("jsondecode", &[r#""[1, -1e400]""#]),
            Err(FuncError::NumberOutOfRange {
                name: "jsondecode".into()
            })
        );
        assert_eq!(
            ok("jsondecode", &[r#""[1e-400, \"1e400\"]""#]),
            v(r#"[0, "1e400"]"#)
        );
        // A lone surrogate escape is an error (Go would decode it as U+FFFD).
        let e = err("jsondecode", &[r#""\"\\ud800\"""#]);
        assert!(e.contains("hex escape at line 1 column 8"), "{e}");
        assert_eq!(
            err("jsondecode", &[r#""""#]),
            "Invalid value for \"str\" parameter: EOF while parsing a value at line 1 column 0."
        );
    }

    #[test]
    fn encoding_and_hash_functions() {
        check(&[
            (
                "base64encode",
                &[r#""Hello World""#],
                r#""SGVsbG8gV29ybGQ=""#,
            ),
            (
                "base64decode",
                &[r#""SGVsbG8gV29ybGQ=""#],
                r#""Hello World""#,
            ),
            ("base64decode", &[r#""SGVs\nbG8=""#], r#""Hello""#),
            ("base64decode", &[r#""YR==""#], r#""a""#),
            (
                "sha256",
                &[r#""hello""#],
                r#""2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824""#,
            ),
            (
                "base64sha256",
                &[r#""hello""#],
                r#""LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=""#,
            ),
            ("sensitive", &[r#""x""#], r#""x""#),
            ("nonsensitive", &["null"], "null"),
        ]);
        assert!(
            err("base64decode", &[r#""SGVsbG8gV29ybGQ""#])
                .contains("failed to decode base64 data \"SGVsbG8gV29ybGQ\"")
        );
        assert!(err("base64decode", &[r#""/w==""#]).contains("not valid UTF-8"));
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<f64>()
                .prop_filter("finite", |n| n.is_finite())
                .prop_map(Value::Number),
            any::<i32>().prop_map(|n| Value::Number(f64::from(n))),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
                prop::collection::btree_map(".*", inner, 0..6).prop_map(Value::Object),
            ]
        })
    }

    proptest! {
        #[test]
        fn jsondecode_inverts_jsonencode(value in arb_value()) {
            let ctx = FuncContext { base_dir: Path::new(".") };
            let encoded = call("jsonencode", std::slice::from_ref(&value), &ctx).unwrap();
            let decoded = call("jsondecode", &[encoded], &ctx).unwrap();
            prop_assert_eq!(decoded, value);
        }
    }
}
