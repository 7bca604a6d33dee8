//! One flag's words turned into the operation's JSON value, as the AWS CLI does it: paramfiles
//! (`file://`, `fileb://`), JSON, shorthand syntax, lists given as several words, binary
//! formats (`--cli-binary-format`), and botocore's client-side validation of what came out
//! ("Parameter validation failed: Invalid type for parameter ...").

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value as Json;

use super::shorthand::{back_compat, parse as parse_shorthand, supports_shorthand};
use super::{parse_error, usage};
use crate::sim::SimError;
use crate::sim::ops::{Param, ParamType};

type Err = (SimError, String);

/// How text given for binary (Content) parameters is read: `--cli-binary-format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum BinaryFormat {
    /// `raw-in-base64-out` (AWS CLI v1's behaviour, and keyform's default): text is the bytes.
    #[default]
    Raw,
    /// `base64` (AWS CLI v2's default): text is base64 of the bytes.
    Base64,
}

/// A word after paramfile resolution.
enum Raw {
    Text(String),
    Bytes(Vec<u8>),
}

impl Raw {
    fn text(self, flag: &str) -> Result<String, Err> {
        match self {
            Raw::Text(t) => Ok(t),
            Raw::Bytes(b) => String::from_utf8(b).map_err(|_| {
                parse_error(format!(
                    "Error parsing parameter '--{flag}': the file is not UTF-8 text"
                ))
            }),
        }
    }
}

pub(super) fn read_file(path: &str, base: &Path) -> Result<Vec<u8>, Err> {
    let p = if Path::new(path).is_absolute() {
        Path::new(path).to_path_buf()
    } else {
        base.join(path)
    };
    std::fs::read(&p).map_err(|e| {
        (
            SimError::param(format!(
                "Error parsing parameter: Unable to load paramfile {path}: {e}"
            )),
            String::new(),
        )
    })
}

fn resolve(word: &str, base: &Path) -> Result<Raw, Err> {
    if let Some(p) = word.strip_prefix("fileb://") {
        return read_file(p, base).map(Raw::Bytes);
    }
    if let Some(p) = word.strip_prefix("file://") {
        let b = read_file(p, base)?;
        return String::from_utf8(b)
            .map(Raw::Text)
            .map_err(|_| usage(format!("{p} is not UTF-8 text; use fileb:// for bytes")));
    }
    Ok(Raw::Text(word.to_string()))
}

/// The value of parameter `name` (typed `ty` by the operation table) from the words given
/// after `--flag`.
pub(super) fn value(
    name: &str,
    flag: &str,
    words: &[String],
    ty: Option<ParamType>,
    base: &Path,
    binary: BinaryFormat,
) -> Result<Json, Err> {
    let mut raws = Vec::with_capacity(words.len());
    for w in words {
        raws.push(resolve(w, base)?);
    }
    let Some(ty) = ty else {
        let text = raws
            .into_iter()
            .next()
            .map_or(Ok(String::new()), |r| r.text(flag))?;
        return Ok(Json::String(text));
    };
    if let ParamType::List(member) = ty {
        if supports_shorthand(&ty) {
            return complex(name, flag, raws, &ty);
        }
        let texts = raws
            .into_iter()
            .map(|r| r.text(flag))
            .collect::<Result<Vec<_>, _>>()?;
        if let [one] = texts.as_slice()
            && one.trim_start().starts_with('[')
        {
            return json(flag, one);
        }
        return texts
            .iter()
            .map(|t| scalar(name, flag, Raw::Text(t.clone()), *member, binary))
            .collect::<Result<Vec<_>, _>>()
            .map(Json::Array);
    }
    if supports_shorthand(&ty) {
        return complex(name, flag, raws, &ty);
    }
    let raw = raws.into_iter().next().unwrap_or(Raw::Text(String::new()));
    scalar(name, flag, raw, ty, binary)
}

fn json(flag: &str, text: &str) -> Result<Json, Err> {
    serde_json::from_str(text).map_err(|e| {
        parse_error(format!(
            "Error parsing parameter '--{flag}': Invalid JSON: {e}\nJSON received: {text}"
        ))
    })
}

/// Structures, maps and lists of them: JSON when the first word looks like JSON, else the
/// shorthand syntax (one structure per word for lists), then the model's conversions.
fn complex(name: &str, flag: &str, raws: Vec<Raw>, ty: &ParamType) -> Result<Json, Err> {
    let texts = raws
        .into_iter()
        .map(|r| r.text(flag))
        .collect::<Result<Vec<_>, _>>()?;
    let looks_json = texts
        .first()
        .is_some_and(|t| t.trim_start().starts_with(['[', '{']));
    let list = matches!(ty, ParamType::List(_));
    if looks_json {
        return match texts.as_slice() {
            [one] if !list || one.trim_start().starts_with('[') => json(flag, one),
            _ if list => texts
                .iter()
                .map(|t| json(flag, t))
                .collect::<Result<_, _>>()
                .map(Json::Array),
            _ => Err(usage(format!("Unknown options: {}", texts[1..].join(", ")))),
        };
    }
    // The "Value" special case: a structure of one string member `Value` takes a bare value.
    if let ParamType::Shape([p]) = ty
        && p.name == "Value"
        && p.ty == ParamType::String
        && let [one] = texts.as_slice()
        && !one.contains('=')
    {
        return Ok(serde_json::json!({"Value": one}));
    }
    let shorthand = |t: &str| {
        parse_shorthand(t, Path::new("."))
            .map_err(|e| parse_error(format!("Error parsing parameter '--{flag}': {}", e.0)))
    };
    let mut v = if list {
        Json::Array(
            texts
                .iter()
                .map(|t| shorthand(t))
                .collect::<Result<_, _>>()?,
        )
    } else {
        match texts.as_slice() {
            [one] => shorthand(one)?,
            _ => return Err(usage(format!("Unknown options: {}", texts[1..].join(", ")))),
        }
    };
    back_compat(&mut v, ty);
    let _ = name;
    Ok(v)
}

fn scalar(
    name: &str,
    flag: &str,
    raw: Raw,
    ty: ParamType,
    binary: BinaryFormat,
) -> Result<Json, Err> {
    match ty {
        // Content (Plaintext) is the caller's bytes: text or fileb:// in, base64 in the JSON
        // the handlers read.
        ParamType::Content => match raw {
            Raw::Bytes(b) => Ok(Json::String(B64.encode(b))),
            Raw::Text(t) if binary == BinaryFormat::Base64 => B64
                .decode(t.trim())
                .map(|_| Json::String(t.trim().to_string()))
                .map_err(|e| {
                    parse_error(format!(
                        "Error parsing parameter '--{flag}': Invalid base64: \"{t}\" ({e}); with --cli-binary-format base64 binary values are given as base64 (raw-in-base64-out takes text)"
                    ))
                }),
            Raw::Text(t) => Ok(Json::String(B64.encode(t.as_bytes()))),
        },
        // Opaque blobs (CiphertextBlob) are base64 as the CLI prints them, or fileb:// bytes.
        ParamType::Blob => match raw {
            Raw::Bytes(b) => Ok(Json::String(B64.encode(b))),
            Raw::Text(t) => Ok(Json::String(t)),
        },
        ParamType::Integer => {
            let t = raw.text(flag)?;
            t.trim().parse::<i64>().map(Json::from).map_err(|_| {
                (
                    SimError::param(format!(
                        "Invalid type for parameter {name}, value: {t}, type: <class 'str'>, valid types: <class 'int'>"
                    )),
                    String::new(),
                )
            })
        }
        ParamType::Boolean => match raw.text(flag)?.as_str() {
            "true" => Ok(Json::Bool(true)),
            "false" => Ok(Json::Bool(false)),
            _ => Err(usage(format!("argument --{flag}: expected true or false"))),
        },
        _ => raw.text(flag).map(Json::String),
    }
}

/// Python's `str()` of a value inside a container (`repr`), for botocore's messages.
fn py_repr(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{s}'"),
        Json::Array(a) => format!("[{}]", a.iter().map(py_repr).collect::<Vec<_>>().join(", ")),
        Json::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("'{k}': {}", py_repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => py_str(other),
    }
}

/// Python's `str()` of a value.
fn py_str(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Null => "None".into(),
        Json::Number(n) => n.to_string(),
        other => py_repr(other),
    }
}

fn py_type(v: &Json) -> &'static str {
    match v {
        Json::String(_) => "<class 'str'>",
        Json::Bool(_) => "<class 'bool'>",
        Json::Number(n) if n.is_f64() => "<class 'float'>",
        Json::Number(_) => "<class 'int'>",
        Json::Array(_) => "<class 'list'>",
        Json::Object(_) => "<class 'dict'>",
        Json::Null => "<class 'NoneType'>",
    }
}

/// botocore's ParamValidator over one parameter's value: every error, in botocore's order.
pub(super) fn validate(path: &str, v: &Json, ty: &ParamType, errors: &mut Vec<String>) {
    let invalid = |valid: &str, errors: &mut Vec<String>| {
        errors.push(format!(
            "Invalid type for parameter {path}, value: {}, type: {}, valid types: {valid}",
            py_str(v),
            py_type(v)
        ));
    };
    match ty {
        ParamType::Shape(members) => {
            let Json::Object(m) = v else {
                return invalid("<class 'dict'>", errors);
            };
            structure(path, m, members, errors);
        }
        ParamType::Structure => {
            if !v.is_object() {
                invalid("<class 'dict'>", errors);
            }
        }
        ParamType::StringMap => {
            let Json::Object(m) = v else {
                return invalid("<class 'dict'>", errors);
            };
            for (k, x) in m {
                validate(&format!("{path}.{k}"), x, &ParamType::String, errors);
            }
        }
        ParamType::List(member) => {
            let Json::Array(a) = v else {
                return invalid("<class 'list'>, <class 'tuple'>", errors);
            };
            for (i, x) in a.iter().enumerate() {
                validate(&format!("{path}[{i}]"), x, member, errors);
            }
        }
        ParamType::String | ParamType::Enum(_) | ParamType::PolicyDocument => {
            if !v.is_string() {
                invalid("<class 'str'>", errors);
            }
        }
        ParamType::Integer => {
            if !(v.is_i64() || v.is_u64() || v.is_boolean()) {
                invalid("<class 'int'>", errors);
            }
        }
        ParamType::Boolean => {
            if !v.is_boolean() {
                invalid("<class 'bool'>", errors);
            }
        }
        ParamType::Timestamp => {
            if !(v.is_string() || v.is_number()) {
                invalid("<class 'datetime.datetime'>, timestamp string", errors);
            }
        }
        ParamType::Blob | ParamType::Content => {
            if !v.is_string() {
                invalid(
                    "<class 'bytes'>, <class 'bytearray'>, file-like object",
                    errors,
                );
            }
        }
    }
}

fn structure(
    path: &str,
    m: &serde_json::Map<String, Json>,
    members: &[Param],
    errors: &mut Vec<String>,
) {
    for p in members.iter().filter(|p| p.required) {
        if !m.contains_key(p.name) {
            errors.push(format!(
                "Missing required parameter in {path}: \"{}\"",
                p.name
            ));
        }
    }
    let names: Vec<&str> = members.iter().map(|p| p.name).collect();
    for k in m.keys() {
        if !names.contains(&k.as_str()) {
            errors.push(format!(
                "Unknown parameter in {path}: \"{k}\", must be one of: {}",
                names.join(", ")
            ));
        }
    }
    for p in members {
        if let Some(x) = m.get(p.name) {
            validate(&format!("{path}.{}", p.name), x, &p.ty, errors);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ops::param::{opt, req};
    use serde_json::json;

    const PAB: ParamType = ParamType::Shape(&[
        opt("BlockPublicAcls", ParamType::Boolean),
        opt("IgnorePublicAcls", ParamType::Boolean),
    ]);
    const TAGS: ParamType = ParamType::List(&ParamType::Shape(&[
        req("TagKey", ParamType::String),
        req("TagValue", ParamType::String),
    ]));

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| s.to_string()).collect()
    }

    fn v(ty: ParamType, w: &[&str]) -> Json {
        value(
            "X",
            "x",
            &words(w),
            Some(ty),
            Path::new("."),
            BinaryFormat::Raw,
        )
        .unwrap_or_else(|e| panic!("{}", e.0.message))
    }

    #[test]
    fn structures_lists_and_maps_take_shorthand_or_json() {
        assert_eq!(
            v(PAB, &["BlockPublicAcls=false,IgnorePublicAcls=true"]),
            json!({"BlockPublicAcls": false, "IgnorePublicAcls": true})
        );
        assert_eq!(
            v(TAGS, &["TagKey=a,TagValue=b", "TagKey=c,TagValue=d"]),
            json!([{"TagKey": "a", "TagValue": "b"}, {"TagKey": "c", "TagValue": "d"}])
        );
        assert_eq!(
            v(TAGS, &[r#"[{"TagKey": "a", "TagValue": "b"}]"#]),
            json!([{"TagKey": "a", "TagValue": "b"}])
        );
        assert_eq!(
            v(
                TAGS,
                &[
                    r#"{"TagKey": "a", "TagValue": "b"}"#,
                    r#"{"TagKey": "c", "TagValue": "d"}"#
                ]
            ),
            json!([{"TagKey": "a", "TagValue": "b"}, {"TagKey": "c", "TagValue": "d"}])
        );
        assert_eq!(
            v(ParamType::StringMap, &["a=b,c=d"]),
            json!({"a": "b", "c": "d"})
        );
        assert_eq!(
            v(ParamType::List(&ParamType::String), &["k1", "k2"]),
            json!(["k1", "k2"])
        );
        assert_eq!(
            v(ParamType::List(&ParamType::String), &["a,b"]),
            json!(["a,b"])
        );
    }

    #[test]
    fn botocore_validates_what_the_shorthand_produced() {
        let mut errors = Vec::new();
        validate(
            "PublicAccessBlockConfiguration",
            &v(PAB, &["BlockPublicAcls=maybe,Foo=1"]),
            &PAB,
            &mut errors,
        );
        assert_eq!(
            errors,
            [
                "Unknown parameter in PublicAccessBlockConfiguration: \"Foo\", must be one of: BlockPublicAcls, IgnorePublicAcls",
                "Invalid type for parameter PublicAccessBlockConfiguration.BlockPublicAcls, value: maybe, type: <class 'str'>, valid types: <class 'bool'>",
            ]
        );
        let mut errors = Vec::new();
        validate(
            "EncryptionContext",
            &v(ParamType::StringMap, &["a=b,c"]),
            &ParamType::StringMap,
            &mut errors,
        );
        assert_eq!(
            errors,
            [
                "Invalid type for parameter EncryptionContext.a, value: ['b', 'c'], type: <class 'list'>, valid types: <class 'str'>"
            ]
        );
        let mut errors = Vec::new();
        validate("Tags", &v(TAGS, &["TagKey=a"]), &TAGS, &mut errors);
        assert_eq!(
            errors,
            ["Missing required parameter in Tags[0]: \"TagValue\""]
        );
    }

    #[test]
    fn binary_formats_read_text_as_bytes_or_as_base64() {
        let raw = value(
            "Plaintext",
            "plaintext",
            &words(&["hi"]),
            Some(ParamType::Content),
            Path::new("."),
            BinaryFormat::Raw,
        )
        .unwrap();
        assert_eq!(raw, json!("aGk="));
        let b64 = value(
            "Plaintext",
            "plaintext",
            &words(&["aGk="]),
            Some(ParamType::Content),
            Path::new("."),
            BinaryFormat::Base64,
        )
        .unwrap();
        assert_eq!(b64, json!("aGk="));
        let bad = value(
            "Plaintext",
            "plaintext",
            &words(&["hi there"]),
            Some(ParamType::Content),
            Path::new("."),
            BinaryFormat::Base64,
        )
        .unwrap_err();
        assert!(
            bad.0.message.contains("Invalid base64"),
            "{}",
            bad.0.message
        );
    }
}
