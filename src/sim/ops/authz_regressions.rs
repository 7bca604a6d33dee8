//! Regression tests for authorization gaps a review found, each as the learner would meet it:
//! a cached path missing request keys, a check AWS performs that keyform skipped, a lookup
//! answered before authorization, a value rewritten before evaluation.

use serde_json::{Value as Json, json};

use crate::sim::{CallContext, Cloud, SimError};

const ACCT: &str = "123456789012";

fn cloud() -> Cloud {
    Cloud::in_memory(ACCT, "us-east-1", 0, crate::sim::ids::IdGen::seeded(3)).unwrap()
}

fn admin() -> CallContext {
    CallContext::lab_admin()
}

fn ok(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> Json {
    c.call_json(ctx, op, &p)
        .unwrap_or_else(|e| panic!("{op}: {} {}", e.code, e.message))
}

fn err(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> SimError {
    match c.call_json(ctx, op, &p) {
        Ok(r) => panic!("{op} succeeded: {r}"),
        Err(e) => e,
    }
}

fn key(c: &mut Cloud, p: Json) -> String {
    ok(c, &admin(), "kms:CreateKey", p)["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn arn(id: &str) -> String {
    format!("arn:aws:kms:us-east-1:{ACCT}:key/{id}")
}

/// A user with one inline policy.
fn user(c: &mut Cloud, name: &str, statements: Json) -> CallContext {
    ok(c, &admin(), "iam:CreateUser", json!({"UserName": name}));
    let doc = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    ok(
        c,
        &admin(),
        "iam:PutUserPolicy",
        json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc}),
    );
    CallContext::user(name)
}

fn put(c: &mut Cloud, ctx: &CallContext, p: Json) -> Result<Json, SimError> {
    c.call(ctx, "s3:PutObject", &p, Some(b"body"))
        .map(|r| r.fields)
}

#[test]
fn a_second_upload_to_an_aws_s3_bucket_key_bucket_succeeds() {
    // The aws/s3 key's policy allows use through S3 only with kms:CallerAccount and
    // kms:ViaService: the cached bucket key's re-check must carry both, as the first call did.
    let mut c = cloud();
    let a = admin();
    ok(
        &mut c,
        &a,
        "s3:CreateBucket",
        json!({"Bucket": "bk-bucket"}),
    );
    ok(
        &mut c,
        &a,
        "s3:PutBucketEncryption",
        json!({"Bucket": "bk-bucket", "ServerSideEncryptionConfiguration": {"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": true}]}}),
    );
    for k in ["one", "two", "three"] {
        let r = put(&mut c, &a, json!({"Bucket": "bk-bucket", "Key": k}))
            .unwrap_or_else(|e| panic!("upload {k}: {} {}", e.code, e.message));
        assert_eq!(r["BucketKeyEnabled"], true);
    }
    for k in ["one", "two"] {
        let r = c
            .call(
                &a,
                "s3:GetObject",
                &json!({"Bucket": "bk-bucket", "Key": k}),
                None,
            )
            .unwrap_or_else(|e| panic!("get {k}: {} {}", e.code, e.message));
        assert_eq!(r.body.as_deref().map(|b| b.as_slice()), Some(&b"body"[..]));
    }
}

#[test]
fn update_alias_needs_kms_update_alias_on_the_key_the_alias_points_to_now() {
    let mut c = cloud();
    let a = admin();
    let victim = key(&mut c, json!({}));
    let own = key(&mut c, json!({}));
    ok(
        &mut c,
        &a,
        "kms:CreateAlias",
        json!({"AliasName": "alias/shared", "TargetKeyId": victim}),
    );
    // Rights on the alias and on her own key, none on the key the alias points to.
    let mallory = user(
        &mut c,
        "mallory",
        json!([{"Effect": "Allow", "Action": "kms:*",
                "Resource": [arn(&own), format!("arn:aws:kms:us-east-1:{ACCT}:alias/shared")]}]),
    );
    let e = err(
        &mut c,
        &mallory,
        "kms:UpdateAlias",
        json!({"AliasName": "alias/shared", "TargetKeyId": own}),
    );
    assert_eq!(e.code, "AccessDeniedException");
    assert!(
        e.message
            .contains(&format!("kms:UpdateAlias on resource: {}", arn(&victim))),
        "{}",
        e.message
    );
    assert_eq!(c.world.kms.aliases["alias/shared"].target_key_id, victim);
    // With rights on both keys the repointing goes through.
    ok(
        &mut c,
        &a,
        "kms:UpdateAlias",
        json!({"AliasName": "alias/shared", "TargetKeyId": own}),
    );
}

#[test]
fn update_and_delete_alias_authorize_the_alias_before_saying_it_does_not_exist() {
    let mut c = cloud();
    let nobody = user(
        &mut c,
        "nobody",
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    );
    let k = key(&mut c, json!({}));
    for (op, p) in [
        (
            "kms:UpdateAlias",
            json!({"AliasName": "alias/none", "TargetKeyId": k}),
        ),
        ("kms:DeleteAlias", json!({"AliasName": "alias/none"})),
    ] {
        let e = err(&mut c, &nobody, op, p.clone());
        assert_eq!(e.code, "AccessDeniedException", "{op}: {}", e.message);
        let e = err(&mut c, &admin(), op, p);
        assert_eq!(e.code, "NotFoundException", "{op}: {}", e.message);
    }
}

#[test]
fn a_multipart_upload_naming_a_kms_key_needs_kms_generate_data_key() {
    let mut c = cloud();
    let k = key(&mut c, json!({}));
    ok(
        &mut c,
        &admin(),
        "s3:CreateBucket",
        json!({"Bucket": "mp-bucket"}),
    );
    let s3_only = user(
        &mut c,
        "s3-only",
        json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]),
    );
    let p = json!({"Bucket": "mp-bucket", "Key": "big", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": k});
    let e = err(&mut c, &s3_only, "s3:CreateMultipartUpload", p.clone());
    assert_eq!(e.code, "AccessDenied");
    assert!(e.message.contains("kms:GenerateDataKey"), "{}", e.message);
    assert!(c.world.s3.uploads.is_empty());
    ok(&mut c, &admin(), "s3:CreateMultipartUpload", p);
}

#[test]
fn a_trails_kms_key_must_exist_and_let_cloudtrail_encrypt() {
    let mut c = cloud();
    let a = admin();
    ok(
        &mut c,
        &a,
        "s3:CreateBucket",
        json!({"Bucket": "trail-logs"}),
    );
    let logs = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": ["s3:GetBucketAcl", "s3:PutObject"], "Resource": ["arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"]}]});
    ok(
        &mut c,
        &a,
        "s3:PutBucketPolicy",
        json!({"Bucket": "trail-logs", "Policy": logs.to_string()}),
    );
    // The default key policy names only the account: CloudTrail may not use the key.
    let closed = key(&mut c, json!({}));
    let trail = |k: &str| json!({"Name": "audit", "S3BucketName": "trail-logs", "KmsKeyId": k});
    let e = err(&mut c, &a, "cloudtrail:CreateTrail", trail(&closed));
    assert_eq!(
        e.code, "InsufficientEncryptionPolicyException",
        "{}",
        e.message
    );
    let e = err(&mut c, &a, "cloudtrail:CreateTrail", trail("alias/none"));
    assert_eq!(e.code, "KmsKeyNotFoundException");
    let open = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:root")}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "kms:GenerateDataKey*",
         "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn":
             format!("arn:aws:cloudtrail:*:{ACCT}:trail/*")}}}]});
    let usable = key(&mut c, json!({"Policy": open.to_string()}));
    ok(&mut c, &a, "cloudtrail:CreateTrail", trail(&usable));
    // UpdateTrail checks a new key the same way.
    let e = err(
        &mut c,
        &a,
        "cloudtrail:UpdateTrail",
        json!({"Name": "audit", "KmsKeyId": closed}),
    );
    assert_eq!(e.code, "InsufficientEncryptionPolicyException");
}

#[test]
fn the_lockout_safety_check_sees_the_request_context() {
    let mut c = cloud();
    let a = admin();
    let k = key(&mut c, json!({}));
    let policy = |cond: Json| {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:user/lab-admin")},
             "Action": "kms:*", "Resource": "*", "Condition": cond}]})
        .to_string()
    };
    // Allowed by a condition on the request context: the caller keeps control.
    ok(
        &mut c,
        &a,
        "kms:PutKeyPolicy",
        json!({"KeyId": k, "Policy": policy(json!({"StringEquals": {"kms:CallerAccount": ACCT}}))}),
    );
    ok(
        &mut c,
        &a,
        "kms:PutKeyPolicy",
        json!({"KeyId": k, "Policy": policy(json!({"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}))}),
    );
    // A condition the caller's request does not meet would lock it out: refused.
    let e = err(
        &mut c,
        &a,
        "kms:PutKeyPolicy",
        json!({"KeyId": k, "Policy": policy(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))}),
    );
    assert_eq!(e.code, "MalformedPolicyDocumentException", "{}", e.message);
}

#[test]
fn condition_values_reach_the_evaluator_exactly_as_sent() {
    let mut c = cloud();
    let k = key(&mut c, json!({}));
    // A context value that looks like a placeholder is the caller's value, not a template.
    let u = user(
        &mut c,
        "literal",
        json!([{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": arn(&k),
                "Condition": {"StringEquals": {"kms:EncryptionContext:where": "{region}"}}}]),
    );
    let p = |v: &str| json!({"KeyId": k, "Plaintext": "aGk=", "EncryptionContext": {"where": v}});
    ok(&mut c, &u, "kms:Encrypt", p("{region}"));
    let e = err(&mut c, &u, "kms:Encrypt", p("us-east-1"));
    assert_eq!(e.code, "AccessDeniedException");
}

#[test]
fn explain_shows_the_whole_request_context() {
    let mut c = cloud();
    let k = key(&mut c, json!({}));
    let (r, log) = c.explain_call(
        &admin(),
        "kms:Encrypt",
        &json!({"KeyId": k, "Plaintext": "aGk=", "EncryptionContext": {"team": "lab"}}),
        None,
    );
    assert!(r.is_ok());
    let keys = &log[0].request.conditions;
    for (k, v) in [
        ("aws:CurrentTime", "1970-01-01T00:00:00Z"),
        ("aws:EpochTime", "0"),
        ("aws:SourceIp", "127.0.0.1"),
        ("aws:RequestedRegion", "us-east-1"),
        (
            "aws:PrincipalArn",
            "arn:aws:iam::123456789012:user/lab-admin",
        ),
        ("aws:username", "lab-admin"),
        ("aws:SecureTransport", "true"),
        ("kms:CallerAccount", ACCT),
        ("kms:EncryptionContext:team", "lab"),
        ("kms:EncryptionContextKeys", "team"),
        ("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"),
    ] {
        assert_eq!(
            keys.get(k).map(Vec::as_slice),
            Some(&[v.to_string()][..]),
            "{k}"
        );
    }
}
