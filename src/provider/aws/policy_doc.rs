//! `data.aws_iam_policy_document`: renders an IAM policy document byte for byte as
//! terraform-provider-aws v5/v6 does (`policy_document_data_source.go`, `policy_model.go`).
//!
//! The rules reproduced here, from the provider's source:
//! - document keys `Version`, `Id`, `Statement`; statement keys `Sid`, `Effect`, `Action`,
//!   `NotAction`, `Resource`, `NotResource`, `Principal`, `NotPrincipal`, `Condition`; empty
//!   values are omitted (an unset `sid` writes no `"Sid"`: v5.0.0 dropped the `"Sid": ""` of v4);
//! - a one-element set renders as a string, a longer one as a reverse-sorted array;
//!   `principals { type = "*", identifiers = ["*"] }` alone renders as `"*"`; principal and
//!   condition maps render with sorted keys; condition values keep their order and a single
//!   value renders as a string; `&{` becomes `${` in resources, principals and condition values;
//! - merging: source documents (Sids unique across them), then the own statements, then the
//!   override documents; a statement with the Sid of an earlier one replaces it;
//! - `json` is Go's `json.MarshalIndent(doc, "", "  ")` (with Go's HTML-safe escaping),
//!   `minified_json` is `json.Marshal`, `id` is the decimal CRC-32 (IEEE) of `json`.
//!
//! This module does not read the cloud.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value as Json;

use super::common::{blocks, str_of, strings, val};
use crate::provider::ProviderError;
use crate::value::{Map, Value};

/// A JSON value in Go's encoding order (struct field order, or sorted map keys).
#[derive(Debug, Clone, PartialEq)]
enum GoJson {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<GoJson>),
    Obj(Vec<(String, GoJson)>),
}

/// Go's JSON string escaping: HTML-safe (`<`, `>`, `&` as `\u00XX`), `\u2028`/`\u2029`
/// escaped, short escapes for `\b \f \n \r \t`.
fn go_quote(s: &str, out: &mut String) {
    crate::text::json_quote(s, out);
}

impl GoJson {
    fn compact(&self, out: &mut String) {
        match self {
            GoJson::Null => out.push_str("null"),
            GoJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoJson::Num(n) => out.push_str(n),
            GoJson::Str(s) => go_quote(s, out),
            GoJson::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.compact(out);
                }
                out.push(']');
            }
            GoJson::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    go_quote(k, out);
                    out.push(':');
                    v.compact(out);
                }
                out.push('}');
            }
        }
    }

    /// `json.MarshalIndent(v, "", "  ")`: empty arrays and objects stay `[]` and `{}`.
    fn indented(&self, out: &mut String, depth: usize) {
        let pad = |out: &mut String, d: usize| {
            out.push('\n');
            for _ in 0..d {
                out.push_str("  ");
            }
        };
        match self {
            GoJson::Arr(items) if !items.is_empty() => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    pad(out, depth + 1);
                    v.indented(out, depth + 1);
                }
                pad(out, depth);
                out.push(']');
            }
            GoJson::Obj(fields) if !fields.is_empty() => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    pad(out, depth + 1);
                    go_quote(k, out);
                    out.push_str(": ");
                    v.indented(out, depth + 1);
                }
                pad(out, depth);
                out.push('}');
            }
            other => other.compact(out),
        }
    }

    /// A decoded `any` re-encoded: objects with sorted keys, numbers as Go prints float64.
    fn from_any(v: &Json) -> GoJson {
        match v {
            Json::Null => GoJson::Null,
            Json::Bool(b) => GoJson::Bool(*b),
            Json::Number(n) => GoJson::Num(go_float(n.as_f64().unwrap_or(0.0))),
            Json::String(s) => GoJson::Str(s.clone()),
            Json::Array(a) => GoJson::Arr(a.iter().map(GoJson::from_any).collect()),
            Json::Object(o) => {
                let mut fields: Vec<(String, GoJson)> = o
                    .iter()
                    .map(|(k, x)| (k.clone(), GoJson::from_any(x)))
                    .collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                GoJson::Obj(fields)
            }
        }
    }
}

/// Go's float64 JSON form for the numbers a policy can hold.
fn go_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// One string or a list of strings, as the provider's `any` fields hold them.
#[derive(Debug, Clone, PartialEq)]
enum Strs {
    One(String),
    Many(Vec<String>),
}

impl Strs {
    fn to_go(&self) -> GoJson {
        match self {
            Strs::One(s) => GoJson::Str(s.clone()),
            Strs::Many(l) => GoJson::Arr(l.iter().cloned().map(GoJson::Str).collect()),
        }
    }
}

#[derive(Debug, Clone)]
struct Principal {
    ty: String,
    ids: Strs,
}

#[derive(Debug, Clone)]
struct Condition {
    test: String,
    variable: String,
    values: Strs,
}

#[derive(Debug, Clone, Default)]
struct Statement {
    sid: String,
    effect: String,
    action: Option<GoJson>,
    not_action: Option<GoJson>,
    resource: Option<GoJson>,
    not_resource: Option<GoJson>,
    principals: Vec<Principal>,
    not_principals: Vec<Principal>,
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Default)]
struct Doc {
    version: String,
    id: String,
    statements: Vec<Statement>,
}

/// The provider's principal-set encoding (`iamPolicyStatementPrincipalSet.MarshalJSON`).
fn principals_json(ps: &[Principal]) -> GoJson {
    if let [p] = ps {
        let star = match &p.ids {
            Strs::One(s) => s == "*",
            Strs::Many(l) => l.len() == 1 && l[0] == "*",
        };
        if p.ty == "*" && star {
            return GoJson::Str("*".into());
        }
    }
    let mut raw: BTreeMap<String, Strs> = BTreeMap::new();
    for p in ps {
        let entry = raw.remove(&p.ty);
        let merged = match (&p.ids, entry) {
            (Strs::Many(ids), existing) => {
                let mut l = match existing {
                    None => Vec::new(),
                    Some(Strs::One(v)) => vec![v],
                    Some(Strs::Many(v)) => v,
                };
                let mut sorted = ids.clone();
                sorted.sort();
                sorted.reverse();
                l.extend(sorted);
                Strs::Many(l)
            }
            (Strs::One(id), None) => Strs::One(id.clone()),
            (Strs::One(id), Some(Strs::One(v))) => Strs::Many(vec![v, id.clone()]),
            (Strs::One(id), Some(Strs::Many(mut l))) => {
                l.push(id.clone());
                Strs::Many(l)
            }
        };
        raw.insert(p.ty.clone(), merged);
    }
    GoJson::Obj(raw.into_iter().map(|(k, v)| (k, v.to_go())).collect())
}

/// The provider's condition-set encoding: `{test: {variable: value-or-values}}`, sorted keys,
/// values of one test/variable concatenated, a single value as a string.
fn conditions_json(cs: &[Condition]) -> GoJson {
    let mut raw: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for c in cs {
        let slot = raw
            .entry(c.test.clone())
            .or_default()
            .entry(c.variable.clone())
            .or_default();
        match &c.values {
            Strs::One(s) => slot.push(s.clone()),
            Strs::Many(l) => slot.extend(l.iter().cloned()),
        }
    }
    GoJson::Obj(
        raw.into_iter()
            .map(|(test, vars)| {
                let inner = vars
                    .into_iter()
                    .map(|(var, mut vals)| {
                        let v = if vals.len() == 1 {
                            Strs::One(vals.remove(0))
                        } else {
                            Strs::Many(vals)
                        };
                        (var, v.to_go())
                    })
                    .collect();
                (test, GoJson::Obj(inner))
            })
            .collect(),
    )
}

impl Statement {
    fn to_go(&self) -> GoJson {
        let mut f: Vec<(String, GoJson)> = Vec::new();
        let mut put = |k: &str, v: GoJson| f.push((k.to_string(), v));
        if !self.sid.is_empty() {
            put("Sid", GoJson::Str(self.sid.clone()));
        }
        if !self.effect.is_empty() {
            put("Effect", GoJson::Str(self.effect.clone()));
        }
        for (k, v) in [
            ("Action", &self.action),
            ("NotAction", &self.not_action),
            ("Resource", &self.resource),
            ("NotResource", &self.not_resource),
        ] {
            // `any` with omitempty: only a nil interface is left out.
            if let Some(v) = v.as_ref().filter(|v| **v != GoJson::Null) {
                put(k, v.clone());
            }
        }
        if !self.principals.is_empty() {
            put("Principal", principals_json(&self.principals));
        }
        if !self.not_principals.is_empty() {
            put("NotPrincipal", principals_json(&self.not_principals));
        }
        if !self.conditions.is_empty() {
            put("Condition", conditions_json(&self.conditions));
        }
        GoJson::Obj(f)
    }
}

impl Doc {
    fn to_go(&self) -> GoJson {
        let mut f = Vec::new();
        if !self.version.is_empty() {
            f.push(("Version".to_string(), GoJson::Str(self.version.clone())));
        }
        if !self.id.is_empty() {
            f.push(("Id".to_string(), GoJson::Str(self.id.clone())));
        }
        if !self.statements.is_empty() {
            f.push((
                "Statement".to_string(),
                GoJson::Arr(self.statements.iter().map(Statement::to_go).collect()),
            ));
        }
        GoJson::Obj(f)
    }

    /// `iamPolicyDoc.Merge`: adopt the Id, upgrade the Version, replace statements by Sid.
    fn merge(&mut self, other: Doc) {
        if !other.id.is_empty() {
            self.id = other.id;
        }
        if other.version > self.version {
            self.version = other.version;
        }
        for st in other.statements {
            if st.sid.is_empty() {
                self.statements.push(st);
                continue;
            }
            match self.statements.iter_mut().find(|s| s.sid == st.sid) {
                Some(existing) => *existing = st,
                None => self.statements.push(st),
            }
        }
    }
}

// ------------------------------------------------------------------ decoding JSON documents

/// Go's `encoding/json` field lookup: exact name first, then case-insensitive.
fn field<'a>(o: &'a serde_json::Map<String, Json>, name: &str) -> Option<&'a Json> {
    o.get(name).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

fn string_field(
    o: &serde_json::Map<String, Json>,
    name: &str,
    owner: &str,
) -> Result<String, String> {
    match field(o, name) {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "json: cannot unmarshal {} into Go struct field {owner}.{name} of type string",
            json_kind(other)
        )),
    }
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn decode_principals(v: Option<&Json>) -> Result<Vec<Principal>, String> {
    match v {
        None | Some(Json::Null) => Ok(Vec::new()),
        // Any bare string decodes as the wildcard principal.
        Some(Json::String(_)) => Ok(vec![Principal {
            ty: "*".into(),
            ids: Strs::Many(vec!["*".into()]),
        }]),
        Some(Json::Object(m)) => m
            .iter()
            .map(|(ty, ids)| match ids {
                Json::String(s) => Ok(Principal {
                    ty: ty.clone(),
                    ids: Strs::One(s.clone()),
                }),
                Json::Array(a) => {
                    let mut l = a
                        .iter()
                        .enumerate()
                        .map(|(i, x)| {
                            x.as_str().map(str::to_string).ok_or_else(|| {
                                format!(
                                    "Unsupported element type for \
                                     IAMPolicyStatementPrincipalSet.Identifiers[{i}] \
                                     (principal type {ty:?}): must be string"
                                )
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    l.sort();
                    Ok(Principal {
                        ty: ty.clone(),
                        ids: Strs::Many(l),
                    })
                }
                other => Err(format!(
                    "Unsupported data type {} for IAMPolicyStatementPrincipalSet.Identifiers",
                    json_kind(other)
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "Unsupported data type {} for IAMPolicyStatementPrincipalSet",
            json_kind(other)
        )),
    }
}

fn decode_conditions(v: Option<&Json>) -> Result<Vec<Condition>, String> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let Json::Object(tests) = v else {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type map[string]map[string]interface {{}}",
            json_kind(v)
        ));
    };
    let mut out = Vec::new();
    for (test, vars) in tests {
        let Json::Object(vars) = vars else {
            return Err(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(vars)
            ));
        };
        for (var, vals) in vars {
            let values = match vals {
                Json::String(s) => Strs::Many(vec![s.clone()]),
                Json::Bool(b) => Strs::One(b.to_string()),
                Json::Array(a) => Strs::Many(
                    a.iter()
                        .map(|x| {
                            x.as_str().map(str::to_string).ok_or_else(|| {
                                format!("condition {test} {var}: values must be strings")
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
                // The provider's decoder has no case for numbers or null: they are dropped.
                _ => continue,
            };
            out.push(Condition {
                test: test.clone(),
                variable: var.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn decode_any(o: &serde_json::Map<String, Json>, name: &str) -> Option<GoJson> {
    field(o, name).map(GoJson::from_any)
}

/// Decodes a source or override document the way `json.Unmarshal` into `iamPolicyDoc` does.
fn decode_doc(text: &str) -> Result<Doc, String> {
    let v: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let Json::Object(o) = v else {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type iam.iamPolicyDoc",
            json_kind(&v)
        ));
    };
    let mut doc = Doc {
        version: string_field(&o, "Version", "iamPolicyDoc")?,
        id: string_field(&o, "Id", "iamPolicyDoc")?,
        statements: Vec::new(),
    };
    match field(&o, "Statement") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            for item in items {
                let Json::Object(s) = item else {
                    if item.is_null() {
                        continue;
                    }
                    return Err(format!(
                        "json: cannot unmarshal {} into Go struct field \
                         iamPolicyDoc.Statement of type iam.iamPolicyStatement",
                        json_kind(item)
                    ));
                };
                doc.statements.push(Statement {
                    sid: string_field(s, "Sid", "iamPolicyDoc.Statement")?,
                    effect: string_field(s, "Effect", "iamPolicyDoc.Statement")?,
                    action: decode_any(s, "Action"),
                    not_action: decode_any(s, "NotAction"),
                    resource: decode_any(s, "Resource"),
                    not_resource: decode_any(s, "NotResource"),
                    principals: decode_principals(field(s, "Principal"))?,
                    not_principals: decode_principals(field(s, "NotPrincipal"))?,
                    conditions: decode_conditions(field(s, "Condition"))?,
                });
            }
        }
        Some(other) => {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field iamPolicyDoc.Statement \
                 of type []*iam.iamPolicyStatement",
                json_kind(other)
            ));
        }
    }
    Ok(doc)
}

// ------------------------------------------------------------------ the configured document

/// `policyDecodeConfigStrings`: one element as a string, more sorted in reverse.
fn decode_config_strings(mut l: Vec<String>) -> Strs {
    if l.len() == 1 {
        return Strs::One(l.remove(0));
    }
    l.sort();
    l.reverse();
    Strs::Many(l)
}

/// `&{` stands for a literal `${` (HCL would interpolate it); 2008-10-17 has no variables.
fn replace_vars(s: Strs, version: &str) -> Result<Strs, String> {
    let fix = |x: String| {
        if version == "2008-10-17" && x.contains("&{") {
            Err(format!(
                "found &{{ sequence in ({x}), which is not supported in document version 2008-10-17"
            ))
        } else {
            Ok(x.replace("&{", "${"))
        }
    };
    Ok(match s {
        Strs::One(x) => Strs::One(fix(x)?),
        Strs::Many(l) => Strs::Many(l.into_iter().map(fix).collect::<Result<_, _>>()?),
    })
}

fn config_principals(st: &Map, key: &str, version: &str) -> Result<Vec<Principal>, String> {
    blocks(st, key)
        .into_iter()
        .map(|p| {
            let ids = decode_config_strings(strings(val(p, "identifiers")));
            Ok(Principal {
                ty: str_of(p, "type").unwrap_or_default().to_string(),
                ids: replace_vars(ids, version).map_err(|e| format!("reading identifiers: {e}"))?,
            })
        })
        .collect()
}

fn config_statement(st: &Map, version: &str) -> Result<Statement, String> {
    let set = |k: &str| {
        let l = strings(val(st, k));
        (!l.is_empty()).then(|| decode_config_strings(l))
    };
    let with_vars = |k: &str| -> Result<Option<GoJson>, String> {
        set(k)
            .map(|s| replace_vars(s, version).map(|s| s.to_go()))
            .transpose()
            .map_err(|e| format!("reading {k}: {e}"))
    };
    let conditions = blocks(st, "condition")
        .into_iter()
        .map(|c| {
            let values = replace_vars(Strs::Many(strings(val(c, "values"))), version)
                .map_err(|e| format!("reading condition: reading values: {e}"))?;
            let values = match values {
                Strs::Many(mut l) if l.len() == 1 => Strs::One(l.remove(0)),
                other => other,
            };
            Ok(Condition {
                test: str_of(c, "test").unwrap_or_default().to_string(),
                variable: str_of(c, "variable").unwrap_or_default().to_string(),
                values,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Statement {
        sid: str_of(st, "sid").unwrap_or_default().to_string(),
        effect: str_of(st, "effect").unwrap_or("Allow").to_string(),
        action: set("actions").map(|s| s.to_go()),
        not_action: set("not_actions").map(|s| s.to_go()),
        resource: with_vars("resources")?,
        not_resource: with_vars("not_resources")?,
        principals: config_principals(st, "principals", version)
            .map_err(|e| format!("reading principals: {e}"))?,
        not_principals: config_principals(st, "not_principals", version)
            .map_err(|e| format!("reading not_principals: {e}"))?,
        conditions,
    })
}

fn doc_error(message: String) -> ProviderError {
    ProviderError::new(format!("writing IAM Policy Document: {message}"))
}

/// Builds the merged document of a configuration.
fn merged_document(config: &Map) -> Result<Doc, ProviderError> {
    let mut merged = Doc::default();
    let mut sids: HashSet<String> = HashSet::new();
    for (i, src) in val(config, "source_policy_documents")
        .as_list()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(text) = src.as_str() else { continue };
        let doc =
            decode_doc(text).map_err(|e| doc_error(format!("merging source document {i}: {e}")))?;
        for (j, st) in doc.statements.iter().enumerate() {
            if !st.sid.is_empty() && !sids.insert(st.sid.clone()) {
                return Err(doc_error(format!(
                    "merging source document {i}: duplicate Sid ({}) in \
                     source_policy_documents (statement {j}). Remove the Sid or ensure Sids \
                     are unique.",
                    st.sid
                )));
            }
        }
        merged.merge(doc);
    }
    let version = str_of(config, "version")
        .unwrap_or("2012-10-17")
        .to_string();
    let mut own = Doc {
        version: version.clone(),
        id: str_of(config, "policy_id").unwrap_or_default().to_string(),
        statements: Vec::new(),
    };
    let mut own_sids: HashSet<String> = HashSet::new();
    for st in blocks(config, "statement") {
        let s = config_statement(st, &version).map_err(doc_error)?;
        if own_sids.contains(&s.sid) {
            return Err(doc_error(format!(
                "duplicate Sid ({}). Remove the Sid or ensure the Sid is unique.",
                s.sid
            )));
        }
        if !s.sid.is_empty() {
            own_sids.insert(s.sid.clone());
        }
        own.statements.push(s);
    }
    merged.merge(own);
    for (i, ov) in val(config, "override_policy_documents")
        .as_list()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(text) = ov.as_str() else { continue };
        let doc = decode_doc(text)
            .map_err(|e| doc_error(format!("merging override document {i}: {e}")))?;
        merged.merge(doc);
    }
    Ok(merged)
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as Go's `crc32.ChecksumIEEE`.
fn crc32_ieee(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

/// Reads the data source: the configuration plus `version` (defaulted), `json`,
/// `minified_json` and `id`. An unknown input makes the three outputs unknown.
pub(super) fn read_policy_document(config: &Map) -> Result<Map, ProviderError> {
    let mut out = config.clone();
    if val(config, "version").is_null() {
        out.insert("version".into(), Value::string("2012-10-17"));
    }
    let inputs_unknown = [
        "version",
        "policy_id",
        "source_policy_documents",
        "override_policy_documents",
        "statement",
    ]
    .iter()
    .any(|k| val(config, k).is_unknown());
    if inputs_unknown {
        for k in ["json", "minified_json", "id"] {
            out.insert(k.into(), Value::Unknown);
        }
        return Ok(out);
    }
    let doc = merged_document(config)?.to_go();
    let mut json = String::new();
    doc.indented(&mut json, 0);
    let mut minified = String::new();
    doc.compact(&mut minified);
    out.insert(
        "id".into(),
        Value::string(crc32_ieee(json.as_bytes()).to_string()),
    );
    out.insert("json".into(), Value::string(json));
    out.insert("minified_json".into(), Value::string(minified));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    fn set(items: &[&str]) -> Value {
        Value::List(items.iter().map(|x| s(x)).collect())
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }

    fn config(pairs: Vec<(&str, Value)>) -> Map {
        match obj(pairs) {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    fn render(c: &Map) -> (String, String, String) {
        let m = read_policy_document(c).expect("renders");
        let get = |k: &str| m[k].as_str().expect("known string").to_string();
        (get("json"), get("minified_json"), get("id"))
    }

    #[test]
    fn crc32_matches_the_ieee_check_value() {
        assert_eq!(crc32_ieee(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32_ieee(b""), 0);
    }

    #[test]
    fn simple_statement_renders_like_the_provider() {
        let c = config(vec![(
            "statement",
            Value::List(vec![obj(vec![
                ("effect", s("Allow")),
                ("actions", set(&["s3:GetObject", "s3:ListBucket"])),
                ("resources", set(&["arn:aws:s3:::lab/*"])),
            ])]),
        )]);
        let (json, min, id) = render(&c);
        assert_eq!(
            json,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"s3:ListBucket\",\n        \"s3:GetObject\"\n      ],\n      \"Resource\": \"arn:aws:s3:::lab/*\"\n    }\n  ]\n}"
        );
        assert_eq!(
            min,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],"Resource":"arn:aws:s3:::lab/*"}]}"#
        );
        assert_eq!(id, crc32_ieee(json.as_bytes()).to_string());
    }

    #[test]
    fn wildcard_principal_conditions_and_sids() {
        let c = config(vec![
            ("policy_id", s("lab")),
            (
                "statement",
                Value::List(vec![
                    obj(vec![
                        ("sid", s("DenyInsecure")),
                        ("effect", s("Deny")),
                        ("actions", set(&["s3:*"])),
                        (
                            "resources",
                            set(&["arn:aws:s3:::lab", "arn:aws:s3:::lab/*"]),
                        ),
                        (
                            "principals",
                            Value::List(vec![obj(vec![
                                ("type", s("*")),
                                ("identifiers", set(&["*"])),
                            ])]),
                        ),
                        (
                            "condition",
                            Value::List(vec![obj(vec![
                                ("test", s("Bool")),
                                ("variable", s("aws:SecureTransport")),
                                ("values", set(&["false"])),
                            ])]),
                        ),
                    ]),
                    obj(vec![
                        ("effect", s("Allow")),
                        ("actions", set(&["kms:Decrypt"])),
                        ("resources", set(&["*"])),
                        (
                            "principals",
                            Value::List(vec![obj(vec![
                                ("type", s("AWS")),
                                (
                                    "identifiers",
                                    set(&[
                                        "arn:aws:iam::123456789012:root",
                                        "arn:aws:iam::123456789012:user/bob",
                                    ]),
                                ),
                            ])]),
                        ),
                        (
                            "condition",
                            Value::List(vec![
                                obj(vec![
                                    ("test", s("StringEquals")),
                                    ("variable", s("kms:ViaService")),
                                    ("values", set(&["s3.us-east-1.amazonaws.com"])),
                                ]),
                                obj(vec![
                                    ("test", s("StringLike")),
                                    ("variable", s("kms:EncryptionContext:aws:s3:arn")),
                                    (
                                        "values",
                                        set(&["arn:aws:s3:::lab/*", "arn:aws:s3:::other/*"]),
                                    ),
                                ]),
                            ]),
                        ),
                    ]),
                ]),
            ),
        ]);
        let (json, min, _) = render(&c);
        let want = r#"{
  "Version": "2012-10-17",
  "Id": "lab",
  "Statement": [
    {
      "Sid": "DenyInsecure",
      "Effect": "Deny",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::lab/*",
        "arn:aws:s3:::lab"
      ],
      "Principal": "*",
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "false"
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "kms:Decrypt",
      "Resource": "*",
      "Principal": {
        "AWS": [
          "arn:aws:iam::123456789012:user/bob",
          "arn:aws:iam::123456789012:root"
        ]
      },
      "Condition": {
        "StringEquals": {
          "kms:ViaService": "s3.us-east-1.amazonaws.com"
        },
        "StringLike": {
          "kms:EncryptionContext:aws:s3:arn": [
            "arn:aws:s3:::lab/*",
            "arn:aws:s3:::other/*"
          ]
        }
      }
    }
  ]
}"#;
        assert_eq!(json, want);
        assert!(min.starts_with(r#"{"Version":"2012-10-17","Id":"lab","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Action":"s3:*""#));
        assert!(
            min.contains(r#""Principal":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}"#)
        );
    }

    /// The provider's own acceptance fixture (`testAccPolicyDocumentConfig`, partition aws),
    /// with v5's rendering of statements without a Sid.
    #[test]
    fn provider_acceptance_fixture() {
        let principal = |ty: &str, ids: &[&str]| {
            Value::List(vec![obj(vec![("type", s(ty)), ("identifiers", set(ids))])])
        };
        let c = config(vec![
            ("policy_id", s("policy_id")),
            (
                "statement",
                Value::List(vec![
                    obj(vec![
                        ("sid", s("1")),
                        ("effect", s("Allow")),
                        (
                            "actions",
                            set(&["s3:GetBucketLocation", "s3:ListAllMyBuckets"]),
                        ),
                        ("resources", set(&["arn:aws:s3:::*"])),
                    ]),
                    obj(vec![
                        ("effect", s("Allow")),
                        ("actions", set(&["s3:ListBucket"])),
                        ("resources", set(&["arn:aws:s3:::foo"])),
                        (
                            "condition",
                            Value::List(vec![obj(vec![
                                ("test", s("StringLike")),
                                ("variable", s("s3:prefix")),
                                ("values", set(&["home/", "", "home/&{aws:username}/"])),
                            ])]),
                        ),
                        (
                            "not_principals",
                            principal("AWS", &["arn:blahblah:example"]),
                        ),
                    ]),
                    obj(vec![
                        ("effect", s("Allow")),
                        ("actions", set(&["s3:*"])),
                        (
                            "resources",
                            set(&[
                                "arn:aws:s3:::foo/home/&{aws:username}",
                                "arn:aws:s3:::foo/home/&{aws:username}/*",
                            ]),
                        ),
                        ("principals", principal("AWS", &["arn:blahblah:example"])),
                    ]),
                    obj(vec![
                        ("effect", s("Deny")),
                        ("not_actions", set(&["s3:*"])),
                        ("not_resources", set(&["arn:aws:s3:::*"])),
                    ]),
                    obj(vec![
                        ("effect", s("Allow")),
                        ("actions", set(&["kinesis:*"])),
                        ("principals", principal("AWS", &["*"])),
                    ]),
                    obj(vec![
                        ("effect", s("Allow")),
                        ("actions", set(&["firehose:*"])),
                        ("principals", principal("*", &["*"])),
                    ]),
                ]),
            ),
        ]);
        let (json, _, _) = render(&c);
        let want = r#"{
  "Version": "2012-10-17",
  "Id": "policy_id",
  "Statement": [
    {
      "Sid": "1",
      "Effect": "Allow",
      "Action": [
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation"
      ],
      "Resource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::foo",
      "NotPrincipal": {
        "AWS": "arn:blahblah:example"
      },
      "Condition": {
        "StringLike": {
          "s3:prefix": [
            "home/",
            "",
            "home/${aws:username}/"
          ]
        }
      }
    },
    {
      "Effect": "Allow",
      "Action": "s3:*",
      "Resource": [
        "arn:aws:s3:::foo/home/${aws:username}/*",
        "arn:aws:s3:::foo/home/${aws:username}"
      ],
      "Principal": {
        "AWS": "arn:blahblah:example"
      }
    },
    {
      "Effect": "Deny",
      "NotAction": "s3:*",
      "NotResource": "arn:aws:s3:::*"
    },
    {
      "Effect": "Allow",
      "Action": "kinesis:*",
      "Principal": {
        "AWS": "*"
      }
    },
    {
      "Effect": "Allow",
      "Action": "firehose:*",
      "Principal": "*"
    }
  ]
}"#;
        assert_eq!(json, want);
    }

    #[test]
    fn service_principal_not_actions_and_interpolation_escape() {
        let c = config(vec![(
            "statement",
            Value::List(vec![obj(vec![
                ("effect", s("Allow")),
                ("not_actions", set(&["iam:*"])),
                ("resources", set(&["arn:aws:s3:::lab/&{aws:username}/*"])),
                (
                    "principals",
                    Value::List(vec![obj(vec![
                        ("type", s("Service")),
                        ("identifiers", set(&["cloudtrail.amazonaws.com"])),
                    ])]),
                ),
                (
                    "condition",
                    Value::List(vec![obj(vec![
                        ("test", s("StringEquals")),
                        ("variable", s("s3:x-amz-acl")),
                        ("values", set(&["bucket-owner-full-control"])),
                    ])]),
                ),
            ])]),
        )]);
        let (json, _, _) = render(&c);
        let want = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "NotAction": "iam:*",
      "Resource": "arn:aws:s3:::lab/${aws:username}/*",
      "Principal": {
        "Service": "cloudtrail.amazonaws.com"
      },
      "Condition": {
        "StringEquals": {
          "s3:x-amz-acl": "bucket-owner-full-control"
        }
      }
    }
  ]
}"#;
        assert_eq!(json, want);
    }

    #[test]
    fn source_and_override_documents_merge_by_sid() {
        let source = r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"Keep","Effect":"Allow","Action":["s3:GetObject"],"Resource":"*","Principal":{"AWS":["b","a"]}},
            {"Sid":"Replace","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}"#;
        let overrides = r#"{"Statement":[{"Sid":"Own","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*",
            "Condition":{"Bool":{"aws:SecureTransport":false}}}]}"#;
        let c = config(vec![
            ("source_policy_documents", Value::List(vec![s(source)])),
            ("override_policy_documents", Value::List(vec![s(overrides)])),
            (
                "statement",
                Value::List(vec![
                    obj(vec![
                        ("sid", s("Replace")),
                        ("effect", s("Deny")),
                        ("actions", set(&["s3:PutObject"])),
                        ("resources", set(&["*"])),
                    ]),
                    obj(vec![
                        ("sid", s("Own")),
                        ("effect", s("Allow")),
                        ("actions", set(&["s3:ListBucket"])),
                        ("resources", set(&["*"])),
                    ]),
                ]),
            ),
        ]);
        let (_, min, _) = render(&c);
        assert_eq!(
            min,
            concat!(
                r#"{"Version":"2012-10-17","Statement":["#,
                r#"{"Sid":"Keep","Effect":"Allow","Action":["s3:GetObject"],"Resource":"*","Principal":{"AWS":["b","a"]}},"#,
                r#"{"Sid":"Replace","Effect":"Deny","Action":"s3:PutObject","Resource":"*"},"#,
                r#"{"Sid":"Own","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#
            )
        );
    }

    #[test]
    fn html_characters_escape_as_go_does_and_empty_doc_has_only_a_version() {
        let c = config(vec![(
            "statement",
            Value::List(vec![obj(vec![
                ("effect", s("Allow")),
                ("actions", set(&["a<b>&c"])),
                ("resources", set(&["*"])),
            ])]),
        )]);
        let (_, min, _) = render(&c);
        assert!(min.contains(r#""Action":"a\u003cb\u003e\u0026c""#), "{min}");
        let (json, min, _) = render(&Map::new());
        assert_eq!(json, "{\n  \"Version\": \"2012-10-17\"\n}");
        assert_eq!(min, r#"{"Version":"2012-10-17"}"#);
    }

    #[test]
    fn duplicate_sids_and_unknown_inputs() {
        let dup = obj(vec![
            ("sid", s("A")),
            ("effect", s("Allow")),
            ("actions", set(&["s3:*"])),
        ]);
        let c = config(vec![("statement", Value::List(vec![dup.clone(), dup]))]);
        let e = read_policy_document(&c).unwrap_err();
        assert_eq!(
            e.message,
            "writing IAM Policy Document: duplicate Sid (A). Remove the Sid or ensure the Sid is unique."
        );
        let c = config(vec![(
            "source_policy_documents",
            Value::List(vec![Value::Unknown]),
        )]);
        let m = read_policy_document(&c).unwrap();
        assert_eq!(m["json"], Value::Unknown);
        assert_eq!(m["id"], Value::Unknown);
        let c = config(vec![(
            "source_policy_documents",
            Value::List(vec![s(r#"{"Statement":{"Effect":"Allow"}}"#)]),
        )]);
        let e = read_policy_document(&c).unwrap_err();
        assert!(e.message.starts_with("writing IAM Policy Document: merging source document 0: json: cannot unmarshal object"), "{}", e.message);
    }
}
