//! Shared helpers of the policy tests: callers, documents and one-statement evaluations.

use serde_json::{Value, json};

use super::*;

pub(super) const ACCT: &str = "123456789012";
pub(super) const ROOT: &str = "arn:aws:iam::123456789012:root";
pub(super) const USER_ARN: &str = "arn:aws:iam::123456789012:user/S3-Admin-User";
pub(super) const KEY_ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/abcd";

pub(super) fn user(name: &str) -> Caller {
    Caller::Principal {
        arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
        account: ACCT.into(),
    }
}

pub(super) fn root() -> Caller {
    Caller::Principal {
        arn: ROOT.into(),
        account: ACCT.into(),
    }
}

pub(super) fn doc(v: Value) -> PolicyDocument {
    PolicyDocument::from_value(v).expect("test policy parses")
}

pub(super) fn err(text: &str) -> String {
    PolicyDocument::parse(text)
        .expect_err("policy must be refused")
        .to_string()
}

pub(super) fn source<'a>(label: &str, kind: PolicyKind, d: &'a PolicyDocument) -> PolicySource<'a> {
    PolicySource {
        label: label.into(),
        kind,
        doc: d,
    }
}

/// Whether a one-statement identity policy applies to the request.
pub(super) fn applies(statement: Value, ctx: &RequestContext) -> bool {
    let d = doc(json!({"Version": "2012-10-17", "Statement": statement}));
    evaluate(ctx, &[source("p", PolicyKind::Identity, &d)]).traces[0].matched
}

/// Whether a one-statement resource policy applies, and how its principal matched.
pub(super) fn resource_match(statement: Value, ctx: &RequestContext) -> Option<PrincipalMatch> {
    let d = doc(json!({"Version": "2012-10-17", "Statement": statement}));
    let t = &evaluate(ctx, &[source("p", PolicyKind::Resource, &d)]).traces[0];
    if t.matched { t.principal_match } else { None }
}

/// Whether an Allow-everything identity statement with this Condition applies.
pub(super) fn cond(condition: Value, ctx: &RequestContext) -> bool {
    applies(
        json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}),
        ctx,
    )
}

pub(super) fn ctx_with(pairs: &[(&str, &[&str])]) -> RequestContext {
    let mut ctx = RequestContext::new(user("alice"), "s3:GetObject", "arn:aws:s3:::b/k");
    for (k, vs) in pairs {
        ctx = ctx.with_condition(*k, vs.iter().copied());
    }
    ctx
}

pub(super) fn action_allowed(pattern: &str, action: &str) -> bool {
    let ctx = RequestContext::new(user("alice"), action, "*");
    applies(
        json!({"Effect": "Allow", "Action": pattern, "Resource": "*"}),
        &ctx,
    )
}

pub(super) fn resource_allowed(pattern: &str, resource: &str) -> bool {
    let ctx = RequestContext::new(user("alice"), "s3:GetObject", resource);
    applies(
        json!({"Effect": "Allow", "Action": "*", "Resource": pattern}),
        &ctx,
    )
}

pub(super) fn identity_allow(action: &str) -> PolicyDocument {
    doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": action, "Resource": "*"}}),
    )
}

pub(super) fn identity_deny(action: &str) -> PolicyDocument {
    doc(
        json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": action, "Resource": "*"}}),
    )
}

pub(super) fn default_key_policy() -> PolicyDocument {
    doc(
        json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
        "Sid": "Enable IAM User Permissions", "Effect": "Allow",
        "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}]}),
    )
}

pub(super) fn kms(
    ctx: &RequestContext,
    key: &PolicyDocument,
    identity: &[&PolicyDocument],
) -> Decision {
    let key_src = source(
        &format!("key policy of {KEY_ARN}"),
        PolicyKind::Resource,
        key,
    );
    let ids: Vec<PolicySource<'_>> = identity
        .iter()
        .map(|d| source("identity", PolicyKind::Identity, d))
        .collect();
    decide_kms(ctx, &key_src, &ids, ROOT).0
}

pub(super) fn standard(
    ctx: &RequestContext,
    identity: &[&PolicyDocument],
    resource: &[&PolicyDocument],
) -> Decision {
    let ids: Vec<PolicySource<'_>> = identity
        .iter()
        .map(|d| source("identity", PolicyKind::Identity, d))
        .collect();
    let res: Vec<PolicySource<'_>> = resource
        .iter()
        .map(|d| source("bucket policy", PolicyKind::Resource, d))
        .collect();
    decide_standard(ctx, &ids, &res).0
}

pub(super) fn decrypt_ctx(caller: Caller) -> RequestContext {
    RequestContext::new(caller, "kms:Decrypt", KEY_ARN)
}
