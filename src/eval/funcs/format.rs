//! `format` and `formatlist`: cty's printf dialect (Go's verbs, flags, widths and precisions,
//! `%v` through `jsonencode`), with cty's error wording.

use super::*;

/// Largest width or precision a format verb may ask for (guards against huge allocations).
pub(super) const MAX_FORMAT_WIDTH: usize = 10_000;

pub(super) fn f_format(c: &Call<'_>) -> Result<Value, FuncError> {
    if c.args[1..].iter().any(Value::is_unknown) {
        return Ok(Value::Unknown);
    }
    let fmt = c.string(0)?;
    format_values(&fmt, &c.args[1..])
        .map(Value::String)
        .map_err(|e| e.into_error(c))
}

pub(super) fn f_formatlist(c: &Call<'_>) -> Result<Value, FuncError> {
    let fmt = c.string(0)?;
    let args = &c.args[1..];
    let mut len: Option<(usize, usize)> = None; // (length, argument number)
    for (i, arg) in args.iter().enumerate() {
        if let Value::List(l) = arg {
            match len {
                None => len = Some((l.len(), i + 1)),
                Some((n, first)) if n != l.len() => {
                    return Err(c.bad(
                        i + 1,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument \
                             {first} of length {n}",
                            i + 1,
                            l.len()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let iterations = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(iterations);
    let mut total = 0usize;
    for it in 0..iterations {
        let row: Vec<Value> = args
            .iter()
            .map(|a| match a {
                Value::List(l) => l[it].clone(),
                other => other.clone(),
            })
            .collect();
        if row.iter().any(Value::is_unknown) {
            out.push(Value::Unknown);
            continue;
        }
        let s = format_values(&fmt, &row).map_err(|e| {
            let (FormatError::Call(m) | FormatError::Extra { message: m, .. }) = e;
            c.fail(format!("error on format iteration {it}: {m}"))
        })?;
        total = total.saturating_add(s.len());
        if total > MAX_OUTPUT {
            return Err(too_large(c));
        }
        out.push(Value::String(s));
    }
    Ok(Value::List(out))
}

pub(super) enum FormatError {
    /// Too many values: `index` is the first unused function argument.
    Extra {
        index: usize,
        message: String,
    },
    Call(String),
}

impl FormatError {
    fn into_error(self, c: &Call<'_>) -> FuncError {
        match self {
            FormatError::Extra { index, message } => c.bad(index, message),
            FormatError::Call(m) => c.fail(m),
        }
    }
}

#[derive(Default)]
pub(super) struct Verb {
    raw: String,
    offset: usize,
    arg: usize,
    mode: char,
    zero: bool,
    minus: bool,
    plus: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// cty's `format`: a printf dialect whose verbs and errors this mirrors.
pub(super) fn format_values(fmt: &str, args: &[Value]) -> Result<String, FormatError> {
    let bytes = fmt.as_bytes();
    let mut out = String::with_capacity(fmt.len());
    let mut next_arg = 1;
    let mut highest = 0;
    let mut p = 0;
    while p < bytes.len() {
        let literal_end = fmt[p..].find('%').map_or(bytes.len(), |i| p + i);
        out.push_str(&fmt[p..literal_end]);
        p = literal_end;
        if p >= bytes.len() {
            break;
        }
        if bytes.get(p + 1) == Some(&b'%') {
            out.push('%');
            p += 2;
            continue;
        }
        let (verb, end) = parse_verb(fmt, p, next_arg)?;
        p = end;
        highest = highest.max(verb.arg);
        format_verb(&verb, args, &mut out).map_err(FormatError::Call)?;
        next_arg = verb.arg + 1;
    }
    if highest < args.len() {
        let message = if highest == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {highest} used by format string")
        };
        return Err(FormatError::Extra {
            index: highest + 1,
            message,
        });
    }
    Ok(out)
}

/// Parses `%[flags][width][.prec][[n]]verb` starting at the `%` at `start`.
pub(super) fn parse_verb(
    fmt: &str,
    start: usize,
    next_arg: usize,
) -> Result<(Verb, usize), FormatError> {
    let bytes = fmt.as_bytes();
    let mut verb = Verb {
        offset: start,
        arg: next_arg,
        ..Verb::default()
    };
    let mut p = start + 1;
    let number = |p: &mut usize| -> Result<usize, FormatError> {
        let mut n: usize = 0;
        while let Some(d) = bytes.get(*p).filter(|b| b.is_ascii_digit()) {
            n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
            *p += 1;
        }
        if n > MAX_FORMAT_WIDTH {
            return Err(FormatError::Call(format!(
                "width or precision {n} at offset {start} is larger than {MAX_FORMAT_WIDTH}"
            )));
        }
        Ok(n)
    };
    while let Some(b) = bytes.get(p) {
        match b {
            b'0' => verb.zero = true,
            b'#' => verb.sharp = true,
            b'-' => verb.minus = true,
            b'+' => verb.plus = true,
            b' ' => verb.space = true,
            _ => break,
        }
        p += 1;
    }
    if bytes.get(p).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        verb.width = Some(number(&mut p)?);
    }
    if bytes.get(p) == Some(&b'.') {
        p += 1;
        verb.prec = Some(number(&mut p)?);
    }
    if bytes.get(p) == Some(&b'[') && bytes.get(p + 1).is_some_and(|b| (b'1'..=b'9').contains(b)) {
        p += 1;
        let n = number(&mut p)?;
        if bytes.get(p) != Some(&b']') {
            return Err(bad_format_char(fmt, p));
        }
        p += 1;
        verb.arg = n;
    }
    match fmt[p..].chars().next() {
        Some(ch) if ch.is_ascii_alphabetic() => {
            verb.mode = ch;
            p += 1;
            verb.raw = fmt[start..p].to_string();
            Ok((verb, p))
        }
        Some(_) => Err(bad_format_char(fmt, p)),
        None => Err(FormatError::Call(format!(
            "invalid format string starting at offset {start}"
        ))),
    }
}

pub(super) fn bad_format_char(fmt: &str, p: usize) -> FormatError {
    match fmt[p..].chars().next() {
        Some(ch) => FormatError::Call(format!(
            "unrecognized format character '{ch}' at offset {p}"
        )),
        None => FormatError::Call(format!("invalid format string starting at offset {p}")),
    }
}

pub(super) fn format_verb(verb: &Verb, args: &[Value], out: &mut String) -> Result<(), String> {
    let Some(arg) = verb.arg.checked_sub(1).and_then(|i| args.get(i)) else {
        return Err(format!(
            "not enough arguments for {} at {}: need index {} but have {} total",
            quoted(&verb.raw),
            verb.offset,
            verb.arg,
            args.len()
        ));
    };
    let unsupported = |m: String| {
        format!(
            "unsupported value for {} at {}: {m}",
            quoted(&verb.raw),
            verb.offset
        )
    };
    if verb.mode != 'v' && arg.is_null() {
        return Err(unsupported("null value cannot be formatted".into()));
    }
    match verb.mode {
        'v' => {
            let text = match arg {
                Value::String(s) if !verb.sharp => s.clone(),
                Value::Number(n) if !verb.sharp => go_float_text(*n, 'g', None),
                other => {
                    let mut json = String::new();
                    json_encode(other, &mut json).map_err(unsupported)?;
                    json
                }
            };
            out.push_str(&pad_width(verb, text));
        }
        't' => out.push_str(if to_bool(arg).map_err(unsupported)? {
            "true"
        } else {
            "false"
        }),
        'b' | 'd' | 'o' | 'x' | 'X' => {
            let n = to_num(arg).map_err(unsupported)?;
            if n.fract() != 0.0 || !n.is_finite() {
                return Err(unsupported("an integer is required".into()));
            }
            out.push_str(&format_integer(verb, n));
        }
        'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = to_num(arg).map_err(unsupported)?;
            out.push_str(&format_float(verb, n));
        }
        's' | 'q' => {
            let mut s = to_str(arg).map_err(unsupported)?;
            if let Some(prec) = verb.prec.filter(|p| *p > 0) {
                let keep: usize = graphemes(&s).take(prec).map(str::len).sum();
                s.truncate(keep);
            }
            if verb.mode == 'q' {
                let mut q = String::new();
                json_quote(&s, &mut q);
                s = q;
            }
            out.push_str(&pad_width(verb, s));
        }
        other => {
            return Err(format!(
                "unsupported format verb '{other}' in {} at offset {}",
                quoted(&verb.raw),
                verb.offset
            ));
        }
    }
    Ok(())
}

/// cty's padding for `%s`, `%q` and `%v`: measured in grapheme clusters; the zero flag
/// pads with zeros even for strings.
pub(super) fn pad_width(verb: &Verb, s: String) -> String {
    let Some(width) = verb.width else { return s };
    let have = graphemes(&s).count();
    if have >= width {
        return s;
    }
    let pad = (if verb.zero { "0" } else { " " }).repeat(width - have);
    if verb.minus { s + &pad } else { pad + &s }
}

/// Go's `big.Int` formatting for `%b %d %o %x %X` with flags, width and precision.
pub(super) fn format_integer(verb: &Verb, n: f64) -> String {
    let base = match verb.mode {
        'b' => 2,
        'o' => 8,
        'x' | 'X' => 16,
        _ => 10,
    };
    let mut digits = integer_digits(n.abs(), base);
    if verb.mode == 'X' {
        digits.make_ascii_uppercase();
    }
    let sign = if n < 0.0 {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let prefix = match (verb.sharp, verb.mode) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(prec) = verb.prec {
        if digits.len() < prec {
            zeros = prec - digits.len();
        } else if digits == "0" && prec == 0 {
            return String::new();
        }
    }
    let length = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(width) = verb.width.filter(|w| *w > length) {
        let d = width - length;
        if verb.minus {
            right = d;
        } else if verb.zero && verb.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )
}

/// Digits of a non-negative whole number in `base`, exact even beyond 2^64.
pub(super) fn integer_digits(n: f64, base: u32) -> String {
    if n < 1.8e19 {
        let mut v = n as u64;
        if v == 0 {
            return "0".into();
        }
        let mut out = Vec::new();
        while v > 0 {
            out.push(digit_char((v % u64::from(base)) as u32));
            v /= u64::from(base);
        }
        return out.iter().rev().collect();
    }
    // n = mantissa * 2^exp exactly; expand into base-2^32 limbs, then divide repeatedly.
    let bits = n.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32 - 1075;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let mut limbs = vec![mantissa as u32, (mantissa >> 32) as u32];
    for _ in 0..exp {
        let mut carry = 0u32;
        for limb in &mut limbs {
            let v = (u64::from(*limb) << 1) | u64::from(carry);
            *limb = v as u32;
            carry = (v >> 32) as u32;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut out = Vec::new();
    while limbs.iter().any(|l| *l != 0) {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / u64::from(base)) as u32;
            rem = v % u64::from(base);
        }
        out.push(digit_char(rem as u32));
    }
    out.iter().rev().collect()
}

pub(super) fn digit_char(d: u32) -> char {
    char::from_digit(d, 36).unwrap_or('?')
}

/// Go's `big.Float` formatting for `%e %E %f %g %G`: sign flags, width, zero padding.
pub(super) fn format_float(verb: &Verb, n: f64) -> String {
    let fmt = verb.mode;
    let prec = match (fmt, verb.prec) {
        (_, Some(p)) => Some(p),
        ('g' | 'G', None) => None,
        (_, None) => Some(6),
    };
    let text = go_float_text(n, fmt, prec);
    let (sign, body) = if let Some(rest) = text.strip_prefix('-') {
        ("-", rest)
    } else if let Some(rest) = text.strip_prefix('+') {
        (if verb.space { " " } else { "+" }, rest)
    } else if verb.plus {
        ("+", text.as_str())
    } else if verb.space {
        (" ", text.as_str())
    } else {
        ("", text.as_str())
    };
    let padding = verb
        .width
        .map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    if verb.zero && !verb.minus && n.is_finite() {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// Go's `big.Float.Text(fmt, prec)` for an f64 (`prec` None = shortest representation).
pub(super) fn go_float_text(n: f64, fmt: char, prec: Option<usize>) -> String {
    if n.is_infinite() {
        return if n > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let neg = n.is_sign_negative() && n != 0.0;
    let x = n.abs();
    let body = match fmt {
        'f' => format!("{:.*}", prec.unwrap_or(6), x),
        'e' | 'E' => {
            let (digits, exp) = match prec {
                Some(p) => decimal_digits(x, Some(p + 1)),
                None => decimal_digits(x, None),
            };
            let p = prec.unwrap_or(digits.len().saturating_sub(1));
            fmt_e(&digits, exp, p, fmt)
        }
        _ => {
            // 'g' / 'G'
            let (digits, exp) = decimal_digits(x, prec.map(|p| p.max(1)));
            let shortest = prec.is_none();
            let mut p = prec.map_or(digits.len(), |p| p.max(1));
            let mut eprec = p;
            if eprec > digits.len() && digits.len() as i32 >= exp {
                eprec = digits.len();
            }
            if shortest {
                eprec = 6;
            }
            let e = exp - 1;
            if e < -4 || e >= eprec as i32 {
                if p > digits.len() {
                    p = digits.len();
                }
                let mode = if fmt == 'G' { 'E' } else { 'e' };
                fmt_e(&digits, exp, p.saturating_sub(1), mode)
            } else {
                if p as i32 > exp {
                    p = digits.len();
                }
                fmt_f(&digits, exp, (p as i32 - exp).max(0) as usize)
            }
        }
    };
    if neg { format!("-{body}") } else { body }
}

/// Decimal digits of `x >= 0` (no trailing zeros) and exponent `e` with
/// x = 0.d1d2d3... * 10^e; rounded to `sig` significant digits, or shortest if None.
pub(super) fn decimal_digits(x: f64, sig: Option<usize>) -> (String, i32) {
    if x == 0.0 {
        return (String::new(), 0);
    }
    let sci = match sig {
        Some(s) => format!("{:.*e}", s.saturating_sub(1), x),
        None => format!("{x:e}"),
    };
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0').to_string();
    (digits, exp + 1)
}

/// `d.ddddde±dd` with `prec` digits after the point.
pub(super) fn fmt_e(digits: &str, exp: i32, prec: usize, mode: char) -> String {
    let d = digits.as_bytes();
    let mut out = String::new();
    out.push(d.first().map_or('0', |b| *b as char));
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(d.get(i).map_or('0', |b| *b as char));
        }
    }
    let e = if digits.is_empty() { 0 } else { exp - 1 };
    out.push(mode);
    out.push(if e < 0 { '-' } else { '+' });
    let _ = write!(out, "{:02}", e.abs());
    out
}

/// `ddd.ddd` with `prec` digits after the point.
pub(super) fn fmt_f(digits: &str, exp: i32, prec: usize) -> String {
    let d = digits.as_bytes();
    let digit = |i: i32| {
        usize::try_from(i)
            .ok()
            .and_then(|i| d.get(i))
            .map_or('0', |b| *b as char)
    };
    let mut out = String::new();
    if exp > 0 {
        for i in 0..exp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 1..=prec as i32 {
            out.push(digit(exp - 1 + i));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;

    #[test]
    fn format_verbs_match_go_cty() {
        let rows: &[(&str, &str, &str)] = &[
            ("%05.2f", "3.14159", "03.14"),
            ("%v", "1000000", "1e+06"),
            ("%v", "123456", "123456"),
            ("%v", "0.00001", "1e-05"),
            ("%v", "-2.5", "-2.5"),
            ("%e", "1234.5678", "1.234568e+03"),
            ("%E", "0", "0.000000E+00"),
            ("%.2e", "-0.000123", "-1.23e-04"),
            ("%g", "1e21", "1e+21"),
            ("%.3g", "1234.5678", "1.23e+03"),
            ("%.3g", "1", "1"),
            ("%10.3e|", "123456", " 1.235e+05|"),
            ("%d", "42", "42"),
            ("%5d", "42", "   42"),
            ("%-5d|", "42", "42   |"),
            ("%05d", "-42", "-0042"),
            ("%+d", "42", "+42"),
            ("% d", "42", " 42"),
            ("%x", "255", "ff"),
            ("%X", "255", "FF"),
            ("%#x", "255", "0xff"),
            ("%o", "8", "10"),
            ("%b", "5", "101"),
            ("%8.5d", "-42", "  -00042"),
            ("%d", "\"12\"", "12"),
            ("%x", "1e20", "56bc75e2d63100000"),
            ("%s", "1.5", "1.5"),
            ("%s", "true", "true"),
            ("%5s|", "\"ab\"", "   ab|"),
            ("%-5s|", "\"ab\"", "ab   |"),
            ("%05s", "\"ab\"", "000ab"),
            ("%.2s", "\"hello\"", "he"),
            ("%.0s", "\"hello\"", "hello"),
            ("%3s|", "\"日本\"", " 日本|"),
            ("%q", r#""a<b>\"c\"\n""#, r#""a\u003cb\u003e\"c\"\n""#),
            ("%v", "true", "true"),
            ("%v", "null", "null"),
            ("%#v", "\"x\"", "\"x\""),
            ("%v", r#"[1,"a"]"#, r#"[1,"a"]"#),
            (
                "%v",
                r#"{"b":1,"a":"<x>"}"#,
                r#"{"a":"\u003cx\u003e","b":1}"#,
            ),
            ("%t", "\"true\"", "true"),
            ("100%%", "", "100%"),
            ("%.f", "2.5", "2"),
            ("%5.1f|", "-2.25", " -2.2|"),
            ("%-8.3f|", "3.14159", "3.142   |"),
            ("%+.1f", "2", "+2.0"),
            ("% .1f", "2", " 2.0"),
            ("%f", "1e20", "100000000000000000000.000000"),
            ("%05v", "-1", "000-1"),
            ("%.2f", "2.675", "2.67"),
            ("%08.3f", "-3.14159", "-003.142"),
            ("%x", "-255", "-ff"),
        ];
        for (fmt, arg, want) in rows {
            let mut args = vec![serde_json::to_string(fmt).unwrap()];
            if !arg.is_empty() {
                args.push(arg.to_string());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            assert_eq!(ok_str("format", &args), *want, "format({fmt:?}, {arg})");
        }
        assert_eq!(
            ok_str("format", &[r#""%[2]s %[1]s""#, r#""a""#, r#""b""#]),
            "b a"
        );
    }

    #[test]
    fn format_errors_match_go_cty() {
        let rows: &[(&[&str], &str)] = &[
            (
                &[r#""%d""#, "1.5"],
                "unsupported value for \"%d\" at 0: an integer is required",
            ),
            (
                &[r#""%s %s""#, r#""x""#],
                "not enough arguments for \"%s\" at 3: need index 2 but have 1 total",
            ),
            (
                &[r#""hi""#, r#""x""#],
                "too many arguments; no verbs in format string",
            ),
            (
                &[r#""%s""#, r#""a""#, r#""b""#],
                "too many arguments; only 1 used by format string",
            ),
            (
                &[r#""%y""#, r#""a""#],
                "unsupported format verb 'y' in \"%y\" at offset 0",
            ),
            (
                &[r#""%!""#, r#""a""#],
                "unrecognized format character '!' at offset 1",
            ),
            (
                &[r#""%s""#, "null"],
                "unsupported value for \"%s\" at 0: null value cannot be formatted",
            ),
            (
                &[r#""%f""#, r#""abc""#],
                "unsupported value for \"%f\" at 0: a number is required",
            ),
            (
                &[r#""%s""#, "[1]"],
                "unsupported value for \"%s\" at 0: string required, but have tuple",
            ),
            (&[r#""abc%""#], "invalid format string starting at offset 3"),
            (&[r#""%99999999s""#, r#""x""#], "is larger than 10000"),
        ];
        for (args, want) in rows {
            let e = err("format", args);
            assert!(e.contains(want), "format{args:?}: {e}");
        }
        assert_eq!(
            run("format", &[r#""%s""#, r#""a""#, r#""b""#]).unwrap_err(),
            FuncError::InvalidArgument {
                name: "format".into(),
                index: 2,
                message: "too many arguments; only 1 used by format string".into(),
            }
        );
    }

    #[test]
    fn formatlist_iterates_lists_in_step() {
        check(&[
            (
                "formatlist",
                &[r#""%s=%s""#, r#"["a","b"]"#, r#"["1","2"]"#],
                r#"["a=1","b=2"]"#,
            ),
            (
                "formatlist",
                &[r#""%s-%d""#, r#""x""#, "[1,2,3]"],
                r#"["x-1","x-2","x-3"]"#,
            ),
            ("formatlist", &[r#""%s""#, "[]"], "[]"),
            ("formatlist", &[r#""hello""#], r#"["hello"]"#),
            (
                "formatlist",
                &[r#""%s-%s""#, r#"["a","<unknown>"]"#, r#""x""#],
                r#"["a-x","<unknown>"]"#,
            ),
        ]);
        let e = err("formatlist", &[r#""%s %s""#, r#"["a"]"#, r#"["b","c"]"#]);
        assert!(
            e.contains(
                "argument 2 has length 2, which is inconsistent with argument 1 of length 1"
            ),
            "{e}"
        );
        let e = err("formatlist", &[r#""%d""#, r#"["x"]"#]);
        assert!(e.contains("error on format iteration 0"), "{e}");
    }
}
