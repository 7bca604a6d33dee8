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
//!
//! This file holds the data source, its schema and the configured statements; the document
//! model and its Go-compatible JSON encoding and decoding are in `iam_policy_document/model.rs`.

mod model;

use std::collections::HashSet;

use model::{Condition, Doc, GoJson, Principal, Statement, Strs, decode_doc};

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{set_of_strings, string};
use crate::provider::aws::common::{blocks, str_of, strings, val};
use crate::provider::{DataSource, ProviderError};
use crate::schema::{
    AttrSchema as A, AttrType as T, BlockSchema as B, BodySchema, ResourceSchema, check,
};
use crate::value::{Map, Value};

/// `data.aws_iam_policy_document`.
pub(crate) struct PolicyDocument;

impl DataSource<AwsProvider<'_>> for PolicyDocument {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_policy_document",
            summary: "Renders an IAM policy document as JSON",
            body: BodySchema::new(vec![
                A::optional("version", string())
                    .default("2012-10-17")
                    .validate(|v| check::one_of(v, &["2012-10-17", "2008-10-17"])),
                A::optional("policy_id", string()),
                A::optional("source_policy_documents", T::List(Box::new(T::String))),
                A::optional("override_policy_documents", T::List(Box::new(T::String))),
                A::computed("json", string()),
                A::computed("minified_json", string()),
                A::computed("id", string()),
            ])
            .blocks(vec![B::list(
                "statement",
                0,
                usize::MAX,
                BodySchema::new(vec![
                    A::optional("sid", string()).validate(sid),
                    A::optional("effect", string())
                        .default("Allow")
                        .validate(|v| check::one_of(v, &["Allow", "Deny"])),
                    A::optional("actions", set_of_strings()),
                    A::optional("not_actions", set_of_strings()),
                    A::optional("resources", set_of_strings()),
                    A::optional("not_resources", set_of_strings()),
                ])
                .blocks(vec![
                    B::set("principals", 0, usize::MAX, principals()),
                    B::set("not_principals", 0, usize::MAX, principals()),
                    B::set(
                        "condition",
                        0,
                        usize::MAX,
                        BodySchema::new(vec![
                            A::required("test", string()),
                            A::required("variable", string()),
                            A::required("values", T::List(Box::new(T::String))),
                        ]),
                    ),
                ]),
            )]),
        }
    }

    fn read(&self, _aws: &AwsProvider<'_>, config: &Map) -> Result<Map, ProviderError> {
        read_policy_document(config)
    }
}

/// The `principals` and `not_principals` blocks of a statement.
fn principals() -> BodySchema {
    BodySchema::new(vec![
        A::required("type", string()),
        A::required("identifiers", set_of_strings()),
    ])
}

/// Statement ids of `aws_iam_policy_document`: letters and digits only, as the provider checks.
fn sid(v: &Value) -> Result<(), String> {
    if v.as_str()
        .is_some_and(|s| s.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        Ok(())
    } else {
        Err(format!("{v} must only include alphanumeric characters"))
    }
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

/// Reads the data source: the configuration plus `version` (defaulted), `json`,
/// `minified_json` and `id`. An unknown input makes the three outputs unknown.
fn read_policy_document(config: &Map) -> Result<Map, ProviderError> {
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
        Value::string(crc32fast::hash(json.as_bytes()).to_string()),
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
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32fast::hash(b""), 0);
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
        assert_eq!(id, crc32fast::hash(json.as_bytes()).to_string());
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
