//! The evaluator's conformance corpus: cases from AWS's documentation of policy evaluation
//! (`tests/fixtures/policy-corpus/*.json`), each a request, the policies in force and the
//! decision AWS documents for them. Every case is run through [`decide_standard`] or
//! [`decide_kms`]; one wrong decision fails the test with every mismatching case listed.
//!
//! A case is a JSON object:
//! - `name`, `source` (the documentation page and section it comes from);
//! - `mode`: `standard` (S3, IAM; the default) or `kms` (the key policy is mandatory);
//! - `caller`: `root`, `user/NAME`, `session/ROLE/SESSION`, `anonymous`, `service/NAME` or a
//!   full principal ARN (another account's principal, say); default `user/alice`;
//! - `action` (default `s3:GetObject`), `resource` (default `arn:aws:s3:::bucket/key`),
//!   `resource_account` (default the caller-side account 123456789012), `context` (condition
//!   keys: a string or a list of strings each);
//! - `identity`: identity-based policies, each a document or a list of statements;
//!   `resource_policy`: the bucket or key policy, likewise;
//! - `expect`: `Allow`, `ExplicitDeny` or `ImplicitDeny`, and optionally `kind` (`identity` or
//!   `resource`: where the deny is, or which kind of policy would have had to allow).

use serde_json::{Value, json};

use super::*;

const ACCT: &str = "123456789012";

const FILES: &[(&str, &str)] = &[
    (
        "same_account.json",
        include_str!("../../../tests/fixtures/policy-corpus/same_account.json"),
    ),
    (
        "cross_account.json",
        include_str!("../../../tests/fixtures/policy-corpus/cross_account.json"),
    ),
    (
        "kms.json",
        include_str!("../../../tests/fixtures/policy-corpus/kms.json"),
    ),
    (
        "not_elements.json",
        include_str!("../../../tests/fixtures/policy-corpus/not_elements.json"),
    ),
    (
        "conditions.json",
        include_str!("../../../tests/fixtures/policy-corpus/conditions.json"),
    ),
    (
        "set_operators.json",
        include_str!("../../../tests/fixtures/policy-corpus/set_operators.json"),
    ),
    (
        "variables.json",
        include_str!("../../../tests/fixtures/policy-corpus/variables.json"),
    ),
    (
        "case_rules.json",
        include_str!("../../../tests/fixtures/policy-corpus/case_rules.json"),
    ),
];

fn caller(spec: &str) -> Caller {
    let principal = |arn: String| {
        let account = arn.split(':').nth(4).unwrap_or_default().to_string();
        Caller::Principal { arn, account }
    };
    if spec == "anonymous" {
        Caller::Anonymous
    } else if let Some(name) = spec.strip_prefix("service/") {
        Caller::Service(name.into())
    } else if spec == "root" {
        principal(format!("arn:aws:iam::{ACCT}:root"))
    } else if let Some(rest) = spec.strip_prefix("session/") {
        principal(format!("arn:aws:sts::{ACCT}:assumed-role/{rest}"))
    } else if spec.starts_with("arn:") {
        principal(spec.into())
    } else {
        principal(format!("arn:aws:iam::{ACCT}:{spec}"))
    }
}

fn document(v: &Value) -> Result<PolicyDocument, String> {
    let v = match v {
        Value::Array(_) => json!({"Version": "2012-10-17", "Statement": v}),
        other => other.clone(),
    };
    PolicyDocument::from_value(v).map_err(|e| e.to_string())
}

fn text<'a>(case: &'a Value, field: &str, default: &'a str) -> &'a str {
    case.get(field).and_then(Value::as_str).unwrap_or(default)
}

/// Runs one case: `Ok` when the decision is the expected one, else why not.
fn run(case: &Value) -> Result<(), String> {
    let mut ctx = RequestContext::new(
        caller(text(case, "caller", "user/alice")),
        text(case, "action", "s3:GetObject"),
        text(case, "resource", "arn:aws:s3:::bucket/key"),
    );
    let resource_account = text(case, "resource_account", ACCT);
    ctx = ctx.with_condition("aws:ResourceAccount", [resource_account]);
    if let Some(Value::Object(m)) = case.get("context") {
        for (k, v) in m {
            let values: Vec<String> = match v {
                Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().unwrap_or_default().to_string())
                    .collect(),
                other => vec![other.as_str().unwrap_or_default().to_string()],
            };
            ctx = ctx.with_condition(k.clone(), values);
        }
    }
    let identity_docs = match case.get("identity") {
        Some(Value::Array(a)) => a.iter().map(document).collect::<Result<Vec<_>, _>>()?,
        _ => Vec::new(),
    };
    let resource_doc = case.get("resource_policy").map(document).transpose()?;
    let identity: Vec<PolicySource<'_>> = identity_docs
        .iter()
        .enumerate()
        .map(|(i, d)| PolicySource {
            label: format!("identity policy {i}"),
            kind: PolicyKind::Identity,
            doc: d,
        })
        .collect();
    let resource: Vec<PolicySource<'_>> = resource_doc
        .iter()
        .map(|d| PolicySource {
            label: "resource policy".into(),
            kind: PolicyKind::Resource,
            doc: d,
        })
        .collect();
    let decision = match text(case, "mode", "standard") {
        "kms" => {
            let key_policy = resource.first().ok_or("a kms case needs resource_policy")?;
            let root = format!("arn:aws:iam::{resource_account}:root");
            decide_kms(&ctx, key_policy, &identity, &root).0
        }
        "standard" => decide_standard(&ctx, &identity, &resource).0,
        other => return Err(format!("unknown mode {other}")),
    };
    let kind = |k: PolicyKind| match k {
        PolicyKind::Identity => "identity",
        PolicyKind::Resource => "resource",
    };
    let (got, got_kind) = match decision {
        Decision::Allow => ("Allow", None),
        Decision::ExplicitDeny { kind: k } => ("ExplicitDeny", Some(kind(k))),
        Decision::ImplicitDeny { missing } => ("ImplicitDeny", Some(kind(missing))),
    };
    let want = text(case, "expect", "");
    let want_kind = case.get("kind").and_then(Value::as_str);
    if got != want || (want_kind.is_some() && want_kind != got_kind) {
        return Err(format!(
            "expected {want}{}, got {got}{}",
            want_kind.map(|k| format!(" ({k})")).unwrap_or_default(),
            got_kind.map(|k| format!(" ({k})")).unwrap_or_default()
        ));
    }
    Ok(())
}

fn cases() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (file, body) in FILES {
        let parsed: Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"));
        for case in parsed.as_array().cloned().unwrap_or_default() {
            out.push((file.to_string(), case));
        }
    }
    out
}

#[test]
fn every_corpus_case_gets_the_decision_aws_documents() {
    let all = cases();
    let mut failures = Vec::new();
    let mut names = std::collections::BTreeSet::new();
    for (file, case) in &all {
        let name = text(case, "name", "");
        assert!(!name.is_empty(), "{file}: a case without a name");
        assert!(
            !text(case, "source", "").is_empty(),
            "{file}: {name} names no source"
        );
        assert!(names.insert(name.to_string()), "{file}: duplicate {name}");
        if let Err(why) = run(case) {
            failures.push(format!("{file}: {name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with AWS:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_topic_the_documentation_has() {
    let all = cases();
    let count = |file: &str| all.iter().filter(|(f, _)| f == file).count();
    for (file, _) in FILES {
        assert!(count(file) >= 5, "{file} has only {} cases", count(file));
    }
    let expects = |e: &str| {
        all.iter()
            .filter(|(_, c)| text(c, "expect", "") == e)
            .count()
    };
    for e in ["Allow", "ExplicitDeny", "ImplicitDeny"] {
        assert!(expects(e) >= 10, "only {} {e} cases", expects(e));
    }
    // Every condition operator family appears, with and without IfExists.
    let corpus: String = FILES.iter().map(|(_, b)| *b).collect();
    for op in [
        "\"StringEquals\"",
        "\"StringNotEquals\"",
        "\"StringEqualsIgnoreCase\"",
        "\"StringNotEqualsIgnoreCase\"",
        "\"StringLike\"",
        "\"StringNotLike\"",
        "\"NumericEquals\"",
        "\"NumericNotEquals\"",
        "\"NumericLessThan\"",
        "\"NumericLessThanEquals\"",
        "\"NumericGreaterThan\"",
        "\"NumericGreaterThanEquals\"",
        "\"DateEquals\"",
        "\"DateNotEquals\"",
        "\"DateLessThan\"",
        "\"DateLessThanEquals\"",
        "\"DateGreaterThan\"",
        "\"DateGreaterThanEquals\"",
        "\"Bool\"",
        "\"BinaryEquals\"",
        "\"IpAddress\"",
        "\"NotIpAddress\"",
        "\"ArnEquals\"",
        "\"ArnLike\"",
        "\"ArnNotEquals\"",
        "\"ArnNotLike\"",
        "\"Null\"",
        "IfExists\"",
        "\"ForAnyValue:",
        "\"ForAllValues:",
        "\"NotAction\"",
        "\"NotResource\"",
        "\"NotPrincipal\"",
        "${aws:username}",
    ] {
        assert!(corpus.contains(op), "no corpus case uses {op}");
    }
}
