//! The policy document model of `aws_iam_policy_document` (document, statements, principals,
//! conditions) and its JSON as the Terraform provider's Go code writes and reads it: Go's
//! encoding order and escaping, and `json.Unmarshal`'s decoding of source and override
//! documents with its error texts.
//!
//! Does not own the configured statements or the merge order (the parent module does).

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// A JSON value in Go's encoding order (struct field order, or sorted map keys).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum GoJson {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<GoJson>),
    Obj(Vec<(String, GoJson)>),
}

impl GoJson {
    pub(super) fn compact(&self, out: &mut String) {
        match self {
            GoJson::Null => out.push_str("null"),
            GoJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoJson::Num(n) => out.push_str(n),
            GoJson::Str(s) => crate::text::json_quote(s, out),
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
                    crate::text::json_quote(k, out);
                    out.push(':');
                    v.compact(out);
                }
                out.push('}');
            }
        }
    }

    /// `json.MarshalIndent(v, "", "  ")`: empty arrays and objects stay `[]` and `{}`.
    pub(super) fn indented(&self, out: &mut String, depth: usize) {
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
                    crate::text::json_quote(k, out);
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
pub(super) enum Strs {
    One(String),
    Many(Vec<String>),
}

impl Strs {
    pub(super) fn to_go(&self) -> GoJson {
        match self {
            Strs::One(s) => GoJson::Str(s.clone()),
            Strs::Many(l) => GoJson::Arr(l.iter().cloned().map(GoJson::Str).collect()),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Principal {
    pub(super) ty: String,
    pub(super) ids: Strs,
}

#[derive(Debug, Clone)]
pub(super) struct Condition {
    pub(super) test: String,
    pub(super) variable: String,
    pub(super) values: Strs,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Statement {
    pub(super) sid: String,
    pub(super) effect: String,
    pub(super) action: Option<GoJson>,
    pub(super) not_action: Option<GoJson>,
    pub(super) resource: Option<GoJson>,
    pub(super) not_resource: Option<GoJson>,
    pub(super) principals: Vec<Principal>,
    pub(super) not_principals: Vec<Principal>,
    pub(super) conditions: Vec<Condition>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Doc {
    pub(super) version: String,
    pub(super) id: String,
    pub(super) statements: Vec<Statement>,
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
    pub(super) fn to_go(&self) -> GoJson {
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
    pub(super) fn to_go(&self) -> GoJson {
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
    pub(super) fn merge(&mut self, other: Doc) {
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
pub(super) fn decode_doc(text: &str) -> Result<Doc, String> {
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
