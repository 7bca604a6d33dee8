//! keyform's built-in function library: the functions a configuration can call by name,
//! with Terraform 1.x semantics (results, conversions, unknown handling and error wording).
//!
//! Owns: the function table ([`names`], `SPECS` with each function's typed parameters),
//! dispatch ([`call`]) and argument conversion by Terraform's rules ([`crate::types`]: numbers
//! and bools to strings, `"5"` to 5, tuples to lists/sets of one element type). The functions
//! live by family, as in Terraform's `lang/funcs`: [`string`], [`collection`], [`set`],
//! [`conversion`], [`number`], [`encoding`] (base64, URL, JSON), [`crypto`] (hashes),
//! [`filesystem`] (confined file access), [`format`] (Go's printf dialect) and [`regex`] (RE2
//! syntax on the `regex` crate).
//!
//! Does not own: `can` and `try` (the evaluator handles them because they need unevaluated
//! expressions), sensitivity tracking (`sensitive`/`nonsensitive` are identities here),
//! expression evaluation, or diagnostics rendering (callers wrap [`FuncError`]). keyform has
//! no date and time functions (`timestamp`, `formatdate`, `timeadd`, `timecmp` are listed as
//! unsupported), so there is no `datetime` family.
//!
//! Unknown values (Terraform's "known after apply") follow Terraform: a wholly unknown
//! argument makes the result unknown unless the function can still decide (e.g.
//! `coalesce("a", unknown)`), and unknowns nested inside known collections flow through
//! functions that only move elements around (`merge`, `concat`, `element`, `lookup`, ...),
//! while functions that must inspect every element (`join`, `jsonencode`, `sort`, ...)
//! return unknown.

mod collection;
mod conversion;
mod crypto;
mod encoding;
mod filesystem;
mod format;
mod number;
mod regex;
mod set;
mod string;
#[cfg(test)]
mod testing;

use std::fmt::Write as _;
use std::path::Path;

use self::regex::*;
use collection::*;
use conversion::*;
use crypto::*;
use encoding::*;
use filesystem::*;
use format::*;
use number::*;
use set::*;
use string::*;

use crate::types::Type;
use crate::types::convert::{ConvertErrorKind, convert};
use crate::value::{Map, Value};

/// Context a function call needs from the configuration being evaluated.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FuncContext<'a> {
    /// Directory that `file()` and friends resolve relative paths against, and may not
    /// escape (after resolving `..` and symlinks).
    pub base_dir: &'a Path,
}

/// Why a function call failed. Display strings follow Terraform's wording.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum FuncError {
    /// No function of that name; `suggestion` is empty or a sentence starting with a space.
    #[error("There is no function named \"{name}\".{suggestion}")]
    UnknownFunction { name: String, suggestion: String },
    /// Wrong number of arguments; `expected` reads like "2 arguments" or "1 to 3 arguments".
    #[error("Function \"{name}\" expects {expected}, got {got}.")]
    Arity {
        name: String,
        expected: String,
        got: usize,
    },
    /// Argument `index` (0-based) is unacceptable; `message` says why.
    #[error("Invalid value for \"{param}\" parameter: {message}.", param = param_name(.name, *.index))]
    InvalidArgument {
        name: String,
        index: usize,
        message: String,
    },
    /// The result would hold a number keyform cannot store (beyond about ±1.8e308); the
    /// evaluator reports it as it reports any expression producing such a number.
    #[error("Call to function \"{name}\" failed: the result holds a number out of range.")]
    NumberOutOfRange { name: String },
    /// The call failed for a reason not tied to one argument.
    #[error("Call to function \"{name}\" failed: {message}.")]
    Failed { name: String, message: String },
}

/// Calls the built-in function `name` (optionally written `core::name`) with `args`.
pub(crate) fn call(name: &str, args: &[Value], ctx: &FuncContext<'_>) -> Result<Value, FuncError> {
    let bare = name.strip_prefix("core::").unwrap_or(name);
    let Some(spec) = find_spec(bare) else {
        return Err(FuncError::UnknownFunction {
            name: name.to_string(),
            suggestion: suggestion_for(bare),
        });
    };
    if args.len() < spec.min || args.len() > spec.max {
        return Err(FuncError::Arity {
            name: spec.name.to_string(),
            expected: expected_arity(spec),
            got: args.len(),
        });
    }
    for (i, arg) in args.iter().enumerate() {
        if arg.is_null() && !bit(spec.nulls, i) {
            return Err(FuncError::InvalidArgument {
                name: spec.name.to_string(),
                index: i,
                message: "argument must not be null".into(),
            });
        }
    }
    if args
        .iter()
        .enumerate()
        .any(|(i, a)| a.is_wholly_unknown() && !bit(spec.unknowns, i))
    {
        return Ok(Value::Unknown);
    }
    let call = Call {
        name: spec.name,
        args,
        ctx,
    };
    (spec.imp)(&call)
}

/// Sorted names of every supported function (the tests check them against Terraform's list).
#[cfg(test)]
fn names() -> &'static [&'static str] {
    &NAMES
}

// ---------------------------------------------------------------------------------------
// Function table
// ---------------------------------------------------------------------------------------

type Imp = fn(&Call<'_>) -> Result<Value, FuncError>;

/// Marks a function as variadic in [`Spec::max`].
const VAR: usize = usize::MAX;
/// Every parameter, in a [`Spec::nulls`]/[`Spec::unknowns`] mask.
const ALL: u64 = u64::MAX;

struct Spec {
    name: &'static str,
    /// Parameter names by position; a variadic function's last name covers the rest.
    params: &'static [&'static str],
    min: usize,
    max: usize,
    /// Bit i set: parameter i may be null (bit 63 covers every later position).
    nulls: u64,
    /// Bit i set: the function itself handles a wholly unknown parameter i.
    unknowns: u64,
    imp: Imp,
}

impl Spec {
    const fn new(name: &'static str, params: &'static [&'static str], imp: Imp) -> Spec {
        Spec {
            name,
            params,
            min: params.len(),
            max: params.len(),
            nulls: 0,
            unknowns: 0,
            imp,
        }
    }
    const fn arity(mut self, min: usize, max: usize) -> Spec {
        self.min = min;
        self.max = max;
        self
    }
    const fn nulls(mut self, mask: u64) -> Spec {
        self.nulls = mask;
        self
    }
    const fn unknowns(mut self, mask: u64) -> Spec {
        self.unknowns = mask;
        self
    }
}

/// Every parameter from `from` on (for variadic "values" parameters).
const fn from_bit(from: u32) -> u64 {
    ALL << from
}

fn bit(mask: u64, i: usize) -> bool {
    (mask >> i.min(63)) & 1 == 1
}

/// Sorted by name: [`find_spec`] binary-searches it and [`NAMES`] mirrors it.
const SPECS: &[Spec] = &[
    Spec::new("abs", &["num"], f_abs),
    Spec::new("alltrue", &["list"], f_alltrue),
    Spec::new("anytrue", &["list"], f_anytrue),
    Spec::new("base64decode", &["str"], f_base64decode),
    Spec::new("base64encode", &["str"], f_base64encode),
    Spec::new("base64sha256", &["str"], f_base64sha256),
    Spec::new("base64sha512", &["str"], f_base64sha512),
    Spec::new("ceil", &["num"], f_ceil),
    Spec::new("chomp", &["str"], f_chomp),
    Spec::new("chunklist", &["list", "size"], f_chunklist),
    Spec::new("coalesce", &["vals"], f_coalesce)
        .arity(0, VAR)
        .nulls(ALL)
        .unknowns(ALL),
    Spec::new("coalescelist", &["vals"], f_coalescelist)
        .arity(0, VAR)
        .nulls(ALL)
        .unknowns(ALL),
    Spec::new("compact", &["list"], f_compact),
    Spec::new("concat", &["seqs"], f_concat).arity(0, VAR),
    Spec::new("contains", &["list", "value"], f_contains).nulls(0b10),
    Spec::new("distinct", &["list"], f_distinct),
    Spec::new("element", &["list", "index"], f_element),
    Spec::new("endswith", &["str", "suffix"], f_endswith),
    Spec::new("file", &["path"], f_file),
    Spec::new("filebase64", &["path"], f_filebase64),
    Spec::new("fileexists", &["path"], f_fileexists),
    Spec::new("filesha256", &["path"], f_filesha256),
    Spec::new("flatten", &["list"], f_flatten),
    Spec::new("floor", &["num"], f_floor),
    Spec::new("format", &["format", "args"], f_format)
        .arity(1, VAR)
        .nulls(from_bit(1)),
    Spec::new("formatlist", &["format", "args"], f_formatlist)
        .arity(1, VAR)
        .nulls(from_bit(1)),
    Spec::new("indent", &["spaces", "str"], f_indent),
    Spec::new("index", &["list", "value"], f_index),
    Spec::new("join", &["separator", "lists"], f_join).arity(2, VAR),
    Spec::new("jsondecode", &["str"], f_jsondecode),
    Spec::new("jsonencode", &["val"], f_jsonencode).nulls(ALL),
    Spec::new("keys", &["inputMap"], f_keys),
    Spec::new("length", &["value"], f_length),
    Spec::new("log", &["num", "base"], f_log),
    Spec::new("lookup", &["inputMap", "key", "default"], f_lookup)
        .arity(2, 3)
        .nulls(0b100),
    Spec::new("lower", &["str"], f_lower),
    Spec::new("matchkeys", &["values", "keys", "searchset"], f_matchkeys),
    Spec::new("max", &["numbers"], f_max).arity(0, VAR),
    Spec::new("merge", &["maps"], f_merge)
        .arity(0, VAR)
        .nulls(ALL),
    Spec::new("min", &["numbers"], f_min).arity(0, VAR),
    Spec::new("nonsensitive", &["value"], f_identity)
        .nulls(ALL)
        .unknowns(ALL),
    Spec::new("one", &["list"], f_one),
    Spec::new("parseint", &["number", "base"], f_parseint),
    Spec::new("pow", &["num", "power"], f_pow),
    Spec::new("range", &["params"], f_range).arity(1, 3),
    Spec::new("regex", &["pattern", "string"], f_regex),
    Spec::new("regexall", &["pattern", "string"], f_regexall),
    Spec::new("replace", &["str", "substr", "replace"], f_replace),
    Spec::new("reverse", &["list"], f_reverse),
    Spec::new("sensitive", &["value"], f_identity)
        .nulls(ALL)
        .unknowns(ALL),
    Spec::new(
        "setintersection",
        &["first_set", "other_sets"],
        f_setintersection,
    )
    .arity(1, VAR),
    Spec::new("setproduct", &["sets"], f_setproduct).arity(0, VAR),
    Spec::new("setsubtract", &["a", "b"], f_setsubtract),
    Spec::new("setunion", &["first_set", "other_sets"], f_setunion).arity(1, VAR),
    Spec::new("sha256", &["str"], f_sha256),
    Spec::new("sha512", &["str"], f_sha512),
    Spec::new("signum", &["num"], f_signum),
    Spec::new("slice", &["list", "start_index", "end_index"], f_slice),
    Spec::new("sort", &["list"], f_sort),
    Spec::new("split", &["separator", "str"], f_split),
    Spec::new("startswith", &["str", "prefix"], f_startswith).unknowns(0b1),
    Spec::new("strcontains", &["str", "substr"], f_strcontains),
    Spec::new("strrev", &["str"], f_strrev),
    Spec::new("substr", &["str", "offset", "length"], f_substr),
    Spec::new("sum", &["list"], f_sum),
    Spec::new("title", &["str"], f_title),
    Spec::new("tobool", &["v"], f_tobool).nulls(ALL),
    Spec::new("tolist", &["v"], f_tolist).nulls(ALL),
    Spec::new("tomap", &["v"], f_tomap).nulls(ALL),
    Spec::new("tonumber", &["v"], f_tonumber).nulls(ALL),
    Spec::new("toset", &["v"], f_toset).nulls(ALL),
    Spec::new("tostring", &["v"], f_tostring).nulls(ALL),
    Spec::new("transpose", &["values"], f_transpose),
    Spec::new("trim", &["str", "cutset"], f_trim),
    Spec::new("trimprefix", &["str", "prefix"], f_trimprefix),
    Spec::new("trimspace", &["str"], f_trimspace),
    Spec::new("trimsuffix", &["str", "suffix"], f_trimsuffix),
    Spec::new("upper", &["str"], f_upper),
    Spec::new("urlencode", &["str"], f_urlencode),
    Spec::new("values", &["mapping"], f_values),
    Spec::new("zipmap", &["keys", "values"], f_zipmap),
];

static NAMES: [&str; SPECS.len()] = {
    let mut names = [""; SPECS.len()];
    let mut i = 0;
    while i < SPECS.len() {
        names[i] = SPECS[i].name;
        i += 1;
    }
    names
};

/// Terraform functions keyform deliberately lacks, so the error can say so.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("abspath", "it depends on the machine's filesystem layout"),
    ("base64gzip", "its output depends on Go's compressor"),
    (
        "basename",
        "keyform configurations do not manipulate host paths",
    ),
    ("bcrypt", "it is not deterministic"),
    ("cidrhost", "keyform does not model networks"),
    ("cidrnetmask", "keyform does not model networks"),
    ("cidrsubnet", "keyform does not model networks"),
    ("cidrsubnets", "keyform does not model networks"),
    ("csvdecode", "it is not implemented"),
    (
        "dirname",
        "keyform configurations do not manipulate host paths",
    ),
    (
        "filebase64sha256",
        "it is not implemented; use base64sha256(file(path))",
    ),
    (
        "filebase64sha512",
        "it is not implemented; use base64sha512(file(path))",
    ),
    ("filemd5", "MD5 is not available"),
    ("fileset", "it is not implemented"),
    ("filesha1", "SHA-1 is not available"),
    (
        "filesha512",
        "it is not implemented; use sha512(file(path))",
    ),
    ("formatdate", "it is not implemented"),
    (
        "list",
        "it was removed in Terraform 0.12; use tolist([...])",
    ),
    ("map", "it was removed in Terraform 0.12; use tomap({...})"),
    ("md5", "MD5 is not available"),
    (
        "pathexpand",
        "keyform configurations do not manipulate host paths",
    ),
    ("plantimestamp", "it is not deterministic"),
    ("rsadecrypt", "it is not implemented"),
    ("sha1", "SHA-1 is not available"),
    ("templatefile", "templates are not supported"),
    ("templatestring", "templates are not supported"),
    ("textdecodebase64", "it is not implemented"),
    ("textencodebase64", "it is not implemented"),
    ("timeadd", "it is not implemented"),
    ("timecmp", "it is not implemented"),
    ("timestamp", "it is not deterministic"),
    ("uuid", "it is not deterministic"),
    ("uuidv5", "it is not implemented"),
    ("yamldecode", "it is not implemented"),
    ("yamlencode", "it is not implemented"),
];

fn find_spec(name: &str) -> Option<&'static Spec> {
    SPECS
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &SPECS[i])
}

fn param_name(func: &str, index: usize) -> &'static str {
    find_spec(func)
        .and_then(|s| s.params.get(index).or(s.params.last()))
        .copied()
        .unwrap_or("argument")
}

fn expected_arity(spec: &Spec) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    match (spec.min, spec.max) {
        (min, VAR) => format!("at least {min} {}", plural(min)),
        (min, max) if min == max => format!("{min} {}", plural(min)),
        (min, max) if max == min + 1 => format!("{min} or {max} arguments"),
        (min, max) => format!("{min} to {max} arguments"),
    }
}

fn suggestion_for(name: &str) -> String {
    if let Some((_, why)) = UNSUPPORTED.iter().find(|(n, _)| *n == name) {
        return format!(" Terraform has a \"{name}\" function, but keyform does not: {why}.");
    }
    // Terraform's rule for function names: the closest name fewer than 3 edits away.
    match crate::text::nearest(&name.to_lowercase(), NAMES.iter().copied(), 3) {
        Some(candidate) => format!(" Did you mean \"{candidate}\"?"),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Call helpers and conversions
// ---------------------------------------------------------------------------------------

struct Call<'a> {
    name: &'static str,
    args: &'a [Value],
    ctx: &'a FuncContext<'a>,
}

impl Call<'_> {
    fn arg(&self, i: usize) -> &Value {
        &self.args[i]
    }

    fn bad(&self, index: usize, message: impl Into<String>) -> FuncError {
        FuncError::InvalidArgument {
            name: self.name.to_string(),
            index,
            message: message.into(),
        }
    }

    fn fail(&self, message: impl Into<String>) -> FuncError {
        FuncError::Failed {
            name: self.name.to_string(),
            message: message.into(),
        }
    }

    fn string(&self, i: usize) -> Result<String, FuncError> {
        to_str(self.arg(i)).map_err(|m| self.bad(i, m))
    }

    fn number(&self, i: usize) -> Result<f64, FuncError> {
        to_num(self.arg(i)).map_err(|m| self.bad(i, m))
    }

    fn int(&self, i: usize) -> Result<i64, FuncError> {
        to_int(self.arg(i)).map_err(|m| self.bad(i, m))
    }

    /// A list/tuple/set argument, as-is; `what` explains the requirement.
    fn list(&self, i: usize, what: &str) -> Result<&[Value], FuncError> {
        self.arg(i).as_list().ok_or_else(|| {
            if what.ends_with("required") {
                self.bad(i, format!("{what}, but have {}", type_name(self.arg(i))))
            } else {
                self.bad(i, what.to_string())
            }
        })
    }

    /// A `list(string)` argument: elements converted to strings.
    fn string_list(&self, i: usize) -> Result<Vec<String>, FuncError> {
        let list = self.list(i, "list of string required")?;
        list.iter()
            .enumerate()
            .map(|(n, v)| match v {
                Value::Null => Err(self.bad(i, format!("element {n} is null"))),
                v => to_str(v).map_err(|m| self.bad(i, format!("element {n}: {m}"))),
            })
            .collect()
    }
}

/// Terraform's name for a value's type in messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "tuple",
        other => other.type_name(),
    }
}

/// Converts a primitive to a string by cty's rules (numbers and bools convert; null must be
/// checked first).
fn to_str(v: &Value) -> Result<String, String> {
    match convert(v, &Type::String) {
        _ if v.is_null() => Err("argument must not be null".into()),
        Ok(Value::String(s)) => Ok(s),
        _ => Err(format!("string required, but have {}", type_name(v))),
    }
}

/// Converts to a number by cty's rules (decimal strings parse; bools do not).
fn to_num(v: &Value) -> Result<f64, String> {
    match convert(v, &Type::Number) {
        _ if v.is_null() => Err("argument must not be null".into()),
        Ok(Value::Number(n)) => Ok(n),
        Err(e) if matches!(e.kind, ConvertErrorKind::NotANumber(_)) => {
            Err("a number is required".into())
        }
        _ => Err(format!("number required, but have {}", type_name(v))),
    }
}

/// Converts to an integer (Go's `int`): the number must be whole.
fn to_int(v: &Value) -> Result<i64, String> {
    let n = to_num(v)?;
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9.007_199_254_740_992e15 {
        return Err("value must be a whole number".into());
    }
    Ok(n as i64)
}

/// Converts to a bool by cty's rules ("true"/"false" and "1"/"0" strings convert), with cty's
/// hint for a capitalised spelling.
fn to_bool(v: &Value) -> Result<bool, String> {
    match convert(v, &Type::Bool) {
        _ if v.is_null() => Err("argument must not be null".into()),
        Ok(Value::Bool(b)) => Ok(b),
        Err(e) => match &e.kind {
            ConvertErrorKind::NotABool(s) => Err(match s.to_lowercase().as_str() {
                "true" => "a bool is required; to convert from string, use lowercase \"true\"",
                "false" => "a bool is required; to convert from string, use lowercase \"false\"",
                _ => "a bool is required",
            }
            .into()),
            _ => Err(format!("bool required, but have {}", type_name(v))),
        },
        Ok(_) => Err(format!("bool required, but have {}", type_name(v))),
    }
}

/// Go's `%q`-style quoting of a string for error messages.
fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Like [`quoted`] but shortened, for values that may be long (decoded data, file contents).
fn quoted_short(s: &str) -> String {
    const LIMIT: usize = 80;
    if s.chars().count() <= LIMIT {
        return quoted(s);
    }
    let head: String = s.chars().take(LIMIT).collect();
    format!("{}...", quoted(&head))
}

/// Largest string a function may build from smaller inputs (`replace`, `indent`,
/// `formatlist`), so a short expression cannot demand gigabytes.
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

fn too_large(c: &Call<'_>) -> FuncError {
    c.fail(format!(
        "the result would be larger than {} MiB",
        MAX_OUTPUT / (1024 * 1024)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;

    #[test]
    fn function_table_is_sorted_and_complete() {
        assert!(
            NAMES.windows(2).all(|w| w[0] < w[1]),
            "SPECS must stay sorted"
        );
        for name in names() {
            assert!(find_spec(name).is_some(), "{name}");
            assert!(!UNSUPPORTED.iter().any(|(n, _)| n == name), "{name}");
        }
        for name in [
            "can",
            "try",
            "templatefile",
            "uuid",
            "timestamp",
            "md5",
            "sha1",
        ] {
            assert!(!names().contains(&name), "{name} must not be built in");
        }
    }

    #[test]
    fn unknown_function_and_arity_errors_read_like_terraform() {
        assert_eq!(
            err("jion", &["\",\"", "[]"]),
            "There is no function named \"jion\". Did you mean \"join\"?"
        );
        assert_eq!(
            err("frobnicate", &[]),
            "There is no function named \"frobnicate\"."
        );
        let e = err("templatefile", &["\"x\"", "{}"]);
        assert!(
            e.contains("keyform does not") && e.contains("templates"),
            "{e}"
        );
        assert_eq!(
            err("upper", &[]),
            "Function \"upper\" expects 1 argument, got 0."
        );
        assert_eq!(
            err("join", &["\",\""]),
            "Function \"join\" expects at least 2 arguments, got 1."
        );
        assert_eq!(
            err("lookup", &["{}", "\"a\"", "1", "2"]),
            "Function \"lookup\" expects 2 or 3 arguments, got 4."
        );
        assert_eq!(
            err("range", &["1", "2", "3", "4"]),
            "Function \"range\" expects 1 to 3 arguments, got 4."
        );
        assert_eq!(
            err("format", &[]),
            "Function \"format\" expects at least 1 argument, got 0."
        );
        assert_eq!(ok_str("core::upper", &["\"a\""]), "A");
        assert_eq!(
            err("upper", &["null"]),
            "Invalid value for \"str\" parameter: argument must not be null."
        );
        assert_eq!(
            run("join", &["\",\"", "[\"a\"]", "\"b\""]),
            Err(FuncError::InvalidArgument {
                name: "join".into(),
                index: 2,
                message: "list of string required, but have string".into(),
            })
        );
    }

    #[test]
    fn unknowns_propagate_like_terraform() {
        let unknown = "\"<unknown>\"";
        check(&[
            // Wholly unknown arguments make the result unknown.
            ("upper", &[unknown], unknown),
            ("join", &[r#"",""#, unknown], unknown),
            ("keys", &[unknown], unknown),
            ("merge", &[r#"{"a":1}"#, unknown], unknown),
            ("tostring", &[unknown], unknown),
            ("range", &[unknown], unknown),
            ("file", &[unknown], unknown),
            // Functions that must see every element are unknown if any element is.
            ("join", &[r#"",""#, r#"["a","<unknown>"]"#], unknown),
            ("jsonencode", &[r#"{"a":["<unknown>"]}"#], unknown),
            ("format", &[r#""%s""#, r#"["<unknown>"]"#], unknown),
            ("distinct", &[r#"["a","<unknown>"]"#], unknown),
            ("compact", &[r#"["a","<unknown>"]"#], unknown),
            ("toset", &[r#"["a","<unknown>"]"#], unknown),
            ("flatten", &[r#"["a","<unknown>"]"#], unknown),
            ("sum", &[r#"[1,"<unknown>"]"#], unknown),
            ("zipmap", &[r#"["a","<unknown>"]"#, "[1,2]"], unknown),
            // Known containers keep their shape; unknowns ride along.
            ("length", &[r#"["<unknown>",1]"#], "2"),
            ("length", &[r#"{"a":"<unknown>"}"#], "1"),
            ("keys", &[r#"{"a":"<unknown>"}"#], r#"["a"]"#),
            (
                "values",
                &[r#"{"b":"<unknown>","a":2}"#],
                r#"[2,"<unknown>"]"#,
            ),
            (
                "merge",
                &[r#"{"a":"<unknown>"}"#, r#"{"b":1}"#],
                r#"{"a":"<unknown>","b":1}"#,
            ),
            (
                "concat",
                &[r#"["a","<unknown>"]"#, r#"["b"]"#],
                r#"["a","<unknown>","b"]"#,
            ),
            ("element", &[r#"["a","<unknown>"]"#, "0"], r#""a""#),
            ("lookup", &[r#"{"a":"<unknown>","b":1}"#, r#""b""#], "1"),
            (
                "zipmap",
                &[r#"["a","b"]"#, r#"[1,"<unknown>"]"#],
                r#"{"a":1,"b":"<unknown>"}"#,
            ),
            ("tolist", &[r#"["a","<unknown>"]"#], r#"["a","<unknown>"]"#),
            (
                "sort",
                &[r#"["a","<unknown>"]"#],
                r#"["<unknown>","<unknown>"]"#,
            ),
            (
                "formatlist",
                &[r#""%s""#, r#"["a","<unknown>"]"#],
                r#"["a","<unknown>"]"#,
            ),
            // Functions that can decide anyway do.
            ("contains", &[r#"["<unknown>","a"]"#, r#""a""#], "true"),
            ("contains", &[r#"["<unknown>","a"]"#, r#""b""#], unknown),
            ("index", &[r#"["a","<unknown>"]"#, r#""a""#], "0"),
            ("index", &[r#"["a","<unknown>","b"]"#, r#""b""#], unknown),
            ("coalesce", &[r#""a""#, unknown], r#""a""#),
            ("coalesce", &["null", unknown, r#""a""#], unknown),
            ("coalescelist", &[r#"["a"]"#, unknown], r#"["a"]"#),
            ("alltrue", &[r#"[false,"<unknown>"]"#], "false"),
            ("alltrue", &[r#"["<unknown>",false]"#], unknown),
            ("anytrue", &[r#"["<unknown>",true]"#], "true"),
            ("startswith", &[unknown, r#""""#], "true"),
            ("startswith", &[unknown, r#""a""#], unknown),
            ("sensitive", &[unknown], unknown),
        ]);
    }
}
