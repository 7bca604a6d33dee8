//! Principals in key and bucket policies on the paths other than the simulator's own tests:
//! `keyform serve` over HTTP (invalid principals refused with AWS's codes and texts, bucket
//! policy operations closed to anonymous callers with 405) and `keyform apply` (the
//! aws_kms_key, aws_kms_key_policy and aws_s3_bucket_policy resources refused the same way).

use serde_json::json;

use crate::support::Test;
use crate::support::wire::Served;

fn policy(statements: serde_json::Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

#[test]
fn serve_refuses_invalid_principals_and_keeps_bucket_policies_to_the_owner() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let anon = s.client(None);

    let missing = "arn:aws:iam::123456789012:user/nobody";
    let kp = policy(json!([
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": missing}, "Action": "kms:Decrypt",
         "Resource": "*"}]));
    let r = admin.kms("CreateKey", json!({"Policy": kp}));
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.json()["__type"], "MalformedPolicyDocumentException");
    assert_eq!(
        r.json()["message"],
        "Policy contains a statement with one or more invalid principals."
    );

    assert_eq!(admin.s3("PUT", "/pr-bucket", "", &[], b"").status, 200);
    assert_eq!(
        admin
            .s3("DELETE", "/pr-bucket", "publicAccessBlock", &[], b"")
            .status,
        204
    );
    let bad = policy(json!([{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:group/devs"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pr-bucket/*"}]));
    let r = admin.s3("PUT", "/pr-bucket", "policy", &[], bad.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(r.xml_code(), "MalformedPolicy");
    assert!(
        r.text()
            .contains("<Message>Invalid principal in policy</Message>")
    );

    // Unsigned callers with no grant: 403. With a grant to everyone: 405, and the policy stays.
    let r = anon.s3("GET", "/pr-bucket", "policy", &[], b"");
    assert_eq!((r.status, r.xml_code().as_str()), (403, "AccessDenied"));
    let open = policy(json!([{"Effect": "Allow", "Principal": "*",
        "Action": ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        "Resource": "arn:aws:s3:::pr-bucket"}]));
    let r = admin.s3("PUT", "/pr-bucket", "policy", &[], open.as_bytes());
    assert_eq!(r.status, 204, "{}", r.text());
    for (method, body) in [("GET", ""), ("PUT", open.as_str()), ("DELETE", "")] {
        let r = anon.s3(method, "/pr-bucket", "policy", &[], body.as_bytes());
        assert_eq!(
            (r.status, r.xml_code().as_str()),
            (405, "MethodNotAllowed"),
            "{method}: {}",
            r.text()
        );
    }
    let r = admin.s3("GET", "/pr-bucket", "policy", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).ok(),
        serde_json::from_str(&open).ok()
    );
}

#[test]
fn apply_refuses_key_and_bucket_policies_naming_principals_that_do_not_exist() {
    let cases = [
        (
            r#"resource "aws_kms_key" "k" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "kms:*", Resource = "*" },
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:user/nobody" }, Action = "kms:Decrypt", Resource = "*" },
    ]
  })
}
"#,
            "Policy contains a statement with one or more invalid principals.",
        ),
        (
            r#"resource "aws_kms_key" "k" {}
resource "aws_kms_key_policy" "p" {
  key_id = aws_kms_key.k.key_id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "kms:*", Resource = "*" },
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:role/missing" }, Action = "kms:Decrypt", Resource = "*" },
    ]
  })
}
"#,
            "Policy contains a statement with one or more invalid principals.",
        ),
        (
            r#"resource "aws_s3_bucket" "b" {
  bucket = "pr-apply-bucket"
}
resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:user/nobody" }, Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" },
    ]
  })
}
"#,
            "Invalid principal in policy",
        ),
    ];
    for (main_tf, text) in cases {
        let t = Test::new().file("main.tf", main_tf);
        t.run(&["apply", "-auto-approve"])
            .status(1)
            .stderr_has(text);
    }
}
