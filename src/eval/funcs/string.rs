//! String functions (Terraform's `lang/funcs/string.go` and cty's stdlib): case mapping,
//! trimming, splitting and joining, `replace`, `substr`, `strrev`.
//!
//! Lengths and offsets count extended grapheme clusters, as Terraform does, using the
//! `unicode-segmentation` crate at the Unicode version Terraform's segmenter has. Does not own:
//! `replace` with a `/regex/` (see [`super::regex`]), `format` (see [`super::format`]).

use unicode_segmentation::UnicodeSegmentation as _;

use super::*;

/// The extended grapheme clusters of `s`: what Terraform counts in `length`, `substr`,
/// `strrev` and format widths.
pub(super) fn graphemes(s: &str) -> unicode_segmentation::Graphemes<'_> {
    s.graphemes(true)
}

pub(super) fn f_upper(c: &Call<'_>) -> Result<Value, FuncError> {
    // Go maps rune by rune with simple case mappings: "ß" stays "ß".
    let s = c.string(0)?;
    Ok(Value::String(s.chars().map(simple_upper).collect()))
}

pub(super) fn f_lower(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    Ok(Value::String(s.chars().map(simple_lower).collect()))
}

pub(super) fn simple_upper(ch: char) -> char {
    let mut up = ch.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => u,
        _ => ch,
    }
}

pub(super) fn simple_lower(ch: char) -> char {
    // Only U+0130 has a multi-character full lowercase; its simple mapping is 'i'.
    ch.to_lowercase().next().unwrap_or(ch)
}

pub(super) fn simple_title(ch: char) -> char {
    match ch {
        '\u{1C4}'..='\u{1C6}' => '\u{1C5}',
        '\u{1C7}'..='\u{1C9}' => '\u{1C8}',
        '\u{1CA}'..='\u{1CC}' => '\u{1CB}',
        '\u{1F1}'..='\u{1F3}' => '\u{1F2}',
        other => simple_upper(other),
    }
}

pub(super) fn f_title(c: &Call<'_>) -> Result<Value, FuncError> {
    // Go's strings.Title: capitalise every letter that follows a word separator.
    fn is_separator(ch: char) -> bool {
        if ch.is_ascii() {
            return !(ch.is_ascii_alphanumeric() || ch == '_');
        }
        if ch.is_alphanumeric() {
            return false;
        }
        ch.is_whitespace()
    }
    let s = c.string(0)?;
    let mut prev = ' ';
    let out = s
        .chars()
        .map(|ch| {
            let mapped = if is_separator(prev) {
                simple_title(ch)
            } else {
                ch
            };
            prev = ch;
            mapped
        })
        .collect();
    Ok(Value::String(out))
}

pub(super) fn f_chomp(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    Ok(Value::String(s.trim_end_matches(['\r', '\n']).to_string()))
}

pub(super) fn f_indent(c: &Call<'_>) -> Result<Value, FuncError> {
    let spaces = c.int(0)?;
    if !(0..=1024).contains(&spaces) {
        return Err(c.bad(0, "must be between 0 and 1024"));
    }
    let s = c.string(1)?;
    let lines = s.bytes().filter(|b| *b == b'\n').count();
    if s.len()
        .saturating_add(lines.saturating_mul(spaces as usize))
        > MAX_OUTPUT
    {
        return Err(too_large(c));
    }
    let pad = format!("\n{}", " ".repeat(spaces as usize));
    Ok(Value::String(s.replace('\n', &pad)))
}

pub(super) fn f_trimspace(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::String(c.string(0)?.trim().to_string()))
}

pub(super) fn f_trim(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    let cutset: Vec<char> = c.string(1)?.chars().collect();
    Ok(Value::String(
        s.trim_matches(|ch| cutset.contains(&ch)).to_string(),
    ))
}

pub(super) fn f_trimprefix(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    let prefix = c.string(1)?;
    Ok(Value::String(
        s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_string(),
    ))
}

pub(super) fn f_trimsuffix(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    let suffix = c.string(1)?;
    Ok(Value::String(
        s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_string(),
    ))
}

pub(super) fn f_startswith(c: &Call<'_>) -> Result<Value, FuncError> {
    let prefix = c.string(1)?;
    if c.arg(0).is_wholly_unknown() {
        // Every string starts with "", known or not.
        return Ok(if prefix.is_empty() {
            Value::Bool(true)
        } else {
            Value::Unknown
        });
    }
    Ok(Value::Bool(c.string(0)?.starts_with(&prefix)))
}

pub(super) fn f_endswith(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::Bool(c.string(0)?.ends_with(&c.string(1)?)))
}

pub(super) fn f_strcontains(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::Bool(c.string(0)?.contains(&c.string(1)?)))
}

pub(super) fn f_strrev(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    Ok(Value::String(graphemes(&s).rev().collect()))
}

pub(super) fn f_split(c: &Call<'_>) -> Result<Value, FuncError> {
    let sep = c.string(0)?;
    let s = c.string(1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        // Go splits into single characters, and "" into nothing.
        s.chars().map(|ch| Value::String(ch.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

pub(super) fn f_join(c: &Call<'_>) -> Result<Value, FuncError> {
    let sep = c.string(0)?;
    let mut items = Vec::new();
    for i in 1..c.args.len() {
        let list = c.list(i, "list of string required")?;
        if list.iter().any(Value::is_unknown) {
            return Ok(Value::Unknown);
        }
        for (n, v) in list.iter().enumerate() {
            if v.is_null() {
                let which = if c.args.len() > 2 {
                    format!("element {n} of list {i} is null")
                } else {
                    format!("element {n} is null")
                };
                return Err(c.bad(i, format!("{which}; cannot concatenate null values")));
            }
            items.push(to_str(v).map_err(|m| c.bad(i, format!("element {n}: {m}")))?);
        }
    }
    Ok(Value::String(items.join(&sep)))
}

pub(super) fn f_replace(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    let substr = c.string(1)?;
    let with = c.string(2)?;
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let re = GoRegex::cached(&substr[1..substr.len() - 1])
            .map_err(|e| c.fail(format!("error parsing regexp: {e}")))?;
        return re
            .replace_all(&s, &with, MAX_OUTPUT)
            .map(Value::String)
            .ok_or_else(|| too_large(c));
    }
    let hits = if substr.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(substr.as_str()).count()
    };
    if s.len().saturating_add(hits.saturating_mul(with.len())) > MAX_OUTPUT {
        return Err(too_large(c));
    }
    Ok(Value::String(s.replace(substr.as_str(), &with)))
}

pub(super) fn f_substr(c: &Call<'_>) -> Result<Value, FuncError> {
    let s = c.string(0)?;
    let mut offset = c.int(1)?;
    let length = c.int(2)?;
    // Mirrors cty's SubstrFunc, including its quirks (a zero length after a negative
    // offset yields the rest of the string).
    if offset < 0 {
        offset += graphemes(&s).count() as i64;
    } else if length == 0 {
        return Ok(Value::from(""));
    }
    let mut rest = s.as_str();
    if offset > 0 {
        let skip = graphemes(rest).take(offset as usize).map(str::len).sum();
        rest = &rest[skip..];
    }
    if length < 0 {
        return Ok(Value::from(rest));
    }
    let take = if length == 0 {
        rest.len()
    } else {
        graphemes(rest).take(length as usize).map(str::len).sum()
    };
    Ok(Value::from(&rest[..take]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;
    use proptest::prelude::*;

    #[test]
    fn string_functions_match_terraform() {
        check(&[
            ("join", &[r#"",""#, "[1,2,true]"], r#""1,2,true""#),
            (
                "join",
                &[r#"", ""#, r#"["a"]"#, r#"["b","c"]"#],
                r#""a, b, c""#,
            ),
            ("join", &[r#"",""#, "[]"], r#""""#),
            ("split", &[r#"",""#, r#""a,b,,c""#], r#"["a","b","","c"]"#),
            ("split", &[r#""""#, r#""abc""#], r#"["a","b","c"]"#),
            ("split", &[r#""""#, r#""""#], "[]"),
            ("split", &[r#"",""#, r#""""#], r#"[""]"#),
            (
                "lower",
                &[r#""HeLLo İSTANBUL ΣΑΣ""#],
                r#""hello istanbul σασ""#,
            ),
            ("upper", &[r#""straße ǆ ﬁ héllo""#], r#""STRAßE Ǆ ﬁ HÉLLO""#),
            ("upper", &["5"], r#""5""#),
            (
                "title",
                &[r#""hello wORLD foo_bar x-y ǆemal 1st o'neil""#],
                r#""Hello WORLD Foo_bar X-Y ǅemal 1st O'Neil""#,
            ),
            ("trimspace", &[r#""\u00a0 x \u3000""#], r#""x""#),
            ("trim", &[r#""?!hello?!""#, r#""!?""#], r#""hello""#),
            (
                "trimprefix",
                &[r#""helloworld""#, r#""hello""#],
                r#""world""#,
            ),
            (
                "trimsuffix",
                &[r#""helloworld""#, r#""world""#],
                r#""hello""#,
            ),
            ("substr", &[r#""hello world""#, "1", "4"], r#""ello""#),
            ("substr", &[r#""hello""#, "-3", "0"], r#""llo""#),
            ("substr", &[r#""hello""#, "10", "3"], r#""""#),
            ("substr", &[r#""hello""#, "-10", "2"], r#""he""#),
            ("substr", &[r#""hello""#, "4", "-1"], r#""o""#),
            ("startswith", &[r#""hello""#, r#""he""#], "true"),
            ("startswith", &[r#""<unknown>""#, r#""""#], "true"),
            ("endswith", &[r#""hello""#, r#""lo""#], "true"),
            ("strcontains", &[r#""hello""#, r#""ell""#], "true"),
            ("strrev", &[r#""héllo👍🏽""#], r#""👍🏽olléh""#),
            (
                "replace",
                &[r#""hello world""#, r#""o""#, r#""0""#],
                r#""hell0 w0rld""#,
            ),
            ("replace", &[r#""abc""#, r#""""#, r#""-""#], r#""-a-b-c-""#),
            ("chomp", &[r#""hello\r\n\n\r""#], r#""hello""#),
            ("indent", &["2", r#""a\nb\nc""#], r#""a\n  b\n  c""#),
            (
                "urlencode",
                &[r#""Hello World/?&=é~-_.""#],
                r#""Hello+World%2F%3F%26%3D%C3%A9~-_.""#,
            ),
            ("length", &[r#""hello""#], "5"),
        ]);
        let e = err("join", &[r#"",""#, r#"["a",null]"#]);
        assert!(
            e.contains("element 1 is null; cannot concatenate null values"),
            "{e}"
        );
        let e = err("substr", &[r#""hello""#, "1.5", "1"]);
        assert!(e.contains("whole number"), "{e}");
    }

    #[test]
    fn grapheme_clusters_are_terraforms_unicode_15_clusters() {
        // Unicode 15.0, as Terraform's segmenter: no rule GB9c, so a Devanagari conjunct
        // (consonant + virama + consonant) is two clusters, not one.
        check(&[
            ("strrev", &[r#""नमस्ते""#], r#""तेस्मन""#),
            ("substr", &[r#""नमस्ते""#, "2", "1"], r#""स्""#),
            ("length", &[r#""🏳️‍🌈👩🏽‍💻""#], "2"),
            ("strrev", &[r#""a\r\nb""#], r#""b\r\na""#),
            ("length", &[r#""ᄀᄀ각""#], "1"),
            (
                "format",
                &[r#""%-4s|""#, r#""e\u0301""#],
                r#""e\u0301   |""#,
            ),
        ]);
    }

    #[test]
    fn length_and_substr_count_grapheme_clusters() {
        for (s, n) in [
            ("e\u{301}", 1),
            ("👍🏽", 1),
            ("🇺🇸🇫🇷", 2),
            ("👨\u{200d}👩\u{200d}👧", 1),
            ("नमस्ते", 4),
            ("한국어", 3),
            ("\u{1100}\u{1161}\u{11a8}", 1),
            ("\r\n", 1),
            ("ก่า", 2),
        ] {
            assert_eq!(graphemes(s).count(), n, "{s:?}");
        }
        check(&[
            ("length", &[r#""👍🏽x""#], "2"),
            ("substr", &[r#""👍🏽x🇺🇸""#, "1", "1"], r#""x""#),
            ("format", &[r#""%3s|""#, r#""👍🏽""#], r#""  👍🏽|""#),
        ]);
    }

    #[test]
    fn functions_refuse_to_amplify_input_into_huge_results() {
        let ctx = FuncContext {
            base_dir: Path::new("."),
        };
        let big = Value::String("x".repeat(1 << 20));
        let s = Value::String("a".repeat(100));
        for args in [
            vec![s.clone(), Value::from(""), big.clone()],
            vec![s.clone(), Value::from("/a?/"), big.clone()],
        ] {
            let e = call("replace", &args, &ctx).unwrap_err();
            assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
        }
        let lines = Value::String("\n".repeat(1 << 20));
        let e = call("indent", &[Value::from(100), lines], &ctx).unwrap_err();
        assert!(e.to_string().contains("larger than 64 MiB"), "{e}");
        let groups = "(a)".repeat(201);
        let e = err("regex", &[&format!("\"{groups}\""), r#""a""#]);
        assert!(e.contains("too many capture groups"), "{e}");
    }

    proptest! {
        #[test]
        fn join_inverts_split(sep in ".+", s in ".*") {
            let ctx = FuncContext { base_dir: Path::new(".") };
            let parts = call("split", &[Value::String(sep.clone()), Value::String(s.clone())], &ctx)
                .unwrap();
            let joined = call("join", &[Value::String(sep), parts], &ctx).unwrap();
            prop_assert_eq!(joined, Value::String(s));
        }
    }
}
