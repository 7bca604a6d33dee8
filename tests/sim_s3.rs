//! S3 encryption through the binary: bucket keys cut KMS calls (counted in CloudTrail),
//! DSSE-KMS never uses one, anonymous reads of public objects, and ETags as S3 computes them.

use serde_json::{Value as Json, json};

use keyform::sim::ids::IdGen;
use keyform::sim::{CallContext, Cloud};

use crate::sim_common::*;

const BUCKET_KEYS: &str = include_str!("fixtures/sim/bucket-keys/main.tf");
const PUBLIC_READ: &str = include_str!("fixtures/sim/public-read/main.tf");

/// The encryption context (`aws:s3:arn`) of each GenerateDataKey or Decrypt S3 made.
fn kms_contexts(t: &crate::support::Test, event: &str) -> Vec<String> {
    lookup(t, &["--event-name", event])
        .iter()
        .inspect(|e| assert_eq!(s(e, "/userIdentity/invokedBy"), "s3.amazonaws.com", "{e}"))
        .map(|e| s(e, "/requestParameters/encryptionContext/aws:s3:arn").to_string())
        .collect()
}

#[test]
fn bucket_keys_cut_kms_calls_and_dsse_never_uses_one() {
    let t = crate::support::Test::new().file("main.tf", BUCKET_KEYS);
    // The plan warns (on stdout or stderr: where warnings go is the renderer's business).
    let plan = t.run(&["plan"]).success();
    assert!(
        format!("{}{}", plan.stdout, plan.stderr).contains(
            "bucket_key_enabled has no effect with aws:kms:dsse (DSSE-KMS never uses S3 Bucket Keys)"
        ),
        "{}{}",
        plan.stdout,
        plan.stderr
    );
    t.run(&["apply", "-auto-approve"]).success();
    t.write("body.txt", "same body\n");
    const N: usize = 5;
    for bucket in ["bk-with-bucket-key", "bk-without-bucket-key", "bk-dsse"] {
        for i in 0..N {
            let put = sim_json(
                &t,
                &[
                    "s3api",
                    "put-object",
                    "--bucket",
                    bucket,
                    "--key",
                    &format!("o{i}"),
                    "--body",
                    "body.txt",
                ],
            );
            let expect_bucket_key = bucket == "bk-with-bucket-key";
            assert_eq!(
                put.get("BucketKeyEnabled") == Some(&json!(true)),
                expect_bucket_key,
                "{bucket}: {put}"
            );
        }
    }
    let gdk = kms_contexts(&t, "GenerateDataKey");
    let count = |prefix: &str| gdk.iter().filter(|c| c.starts_with(prefix)).count();
    // One bucket key (context = the bucket ARN) serves all N objects...
    assert_eq!(count("arn:aws:s3:::bk-with-bucket-key"), 1, "{gdk:?}");
    assert!(
        gdk.contains(&"arn:aws:s3:::bk-with-bucket-key".to_string()),
        "{gdk:?}"
    );
    // ...while without one every object costs a call (context = the object ARN)...
    assert_eq!(count("arn:aws:s3:::bk-without-bucket-key/"), N, "{gdk:?}");
    // ...and DSSE-KMS ignores bucket_key_enabled.
    assert_eq!(count("arn:aws:s3:::bk-dsse/"), N, "{gdk:?}");

    // Reads, once the bucket key cached by the uploads has expired: one Decrypt of the bucket
    // key serves all N objects; without a bucket key each object costs one.
    sim(&t, &["clock", "advance", "10m"]).success();
    for bucket in ["bk-with-bucket-key", "bk-without-bucket-key", "bk-dsse"] {
        for i in 0..N {
            let got = sim_json(
                &t,
                &[
                    "s3api",
                    "get-object",
                    "--bucket",
                    bucket,
                    "--key",
                    &format!("o{i}"),
                    "out.txt",
                ],
            );
            assert_eq!(t.read("out.txt"), "same body\n");
            assert_eq!(
                got.get("BucketKeyEnabled") == Some(&json!(true)),
                bucket == "bk-with-bucket-key"
            );
            let want = if bucket == "bk-dsse" {
                "aws:kms:dsse"
            } else {
                "aws:kms"
            };
            assert_eq!(s(&got, "/ServerSideEncryption"), want);
        }
    }
    let dec = kms_contexts(&t, "Decrypt");
    let count = |prefix: &str| dec.iter().filter(|c| c.starts_with(prefix)).count();
    assert_eq!(count("arn:aws:s3:::bk-with-bucket-key"), 1, "{dec:?}");
    assert_eq!(count("arn:aws:s3:::bk-without-bucket-key/"), N, "{dec:?}");
    assert_eq!(count("arn:aws:s3:::bk-dsse/"), N, "{dec:?}");

    // Bucket keys expire on the simulated clock: after that S3 asks KMS again.
    sim(&t, &["clock", "advance", "1h"]).success();
    sim(
        &t,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "bk-with-bucket-key",
            "--key",
            "late",
            "--body",
            "body.txt",
        ],
    )
    .success();
    assert_eq!(
        kms_contexts(&t, "GenerateDataKey")
            .iter()
            .filter(|c| c.starts_with("arn:aws:s3:::bk-with-bucket-key"))
            .count(),
        2
    );
}

/// A Cloud in memory with a key, a bucket-key bucket and a user with S3 rights only.
fn cloud_with_bucket_key() -> (Cloud, String) {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(7),
    )
    .unwrap();
    let admin = CallContext::lab_admin();
    let call = |c: &mut Cloud, op: &str, p: Json| c.call(&admin, op, &p, None).unwrap().fields;
    let key = call(&mut c, "kms:CreateKey", json!({}));
    let arn = s(&key, "/KeyMetadata/Arn").to_string();
    call(&mut c, "s3:CreateBucket", json!({"Bucket": "bk-cache"}));
    call(
        &mut c,
        "s3:PutBucketEncryption",
        json!({"Bucket": "bk-cache", "ServerSideEncryptionConfiguration": {"Rules": [{
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn},
            "BucketKeyEnabled": true
        }]}}),
    );
    call(&mut c, "iam:CreateUser", json!({"UserName": "reader"}));
    call(
        &mut c,
        "iam:AttachUserPolicy",
        json!({"UserName": "reader", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}),
    );
    (c, arn)
}

#[test]
fn a_cached_bucket_key_never_spares_a_caller_its_own_kms_permission_or_the_key_state() {
    let (mut c, key_arn) = cloud_with_bucket_key();
    let admin = CallContext::lab_admin();
    let reader = CallContext::user("reader");
    let get = json!({"Bucket": "bk-cache", "Key": "a"});
    c.call(
        &admin,
        "s3:PutObject",
        &json!({"Bucket": "bk-cache", "Key": "a"}),
        Some(b"alpha"),
    )
    .unwrap();
    c.call(
        &admin,
        "s3:PutObject",
        &json!({"Bucket": "bk-cache", "Key": "b"}),
        Some(b"beta"),
    )
    .unwrap();
    // lab-admin's cached bucket key does not help the reader, who has no kms:Decrypt.
    let e = c.call(&reader, "s3:GetObject", &get, None).unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    assert!(
        e.message
            .contains("user/reader is not authorized to perform: kms:Decrypt"),
        "{e}"
    );
    // Granting the reader kms:Decrypt through IAM (the key policy delegates to the account).
    c.call(
        &admin,
        "iam:PutUserPolicy",
        &json!({"UserName": "reader", "PolicyName": "use-key", "PolicyDocument": json!({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn}]
        }).to_string()}),
        None,
    )
    .unwrap();
    let body = c
        .call(&reader, "s3:GetObject", &get, None)
        .unwrap()
        .body
        .unwrap();
    assert_eq!(body.as_slice(), b"alpha");
    // Revoked while the reader's bucket key is still cached: denied all the same.
    c.call(
        &admin,
        "iam:DeleteUserPolicy",
        &json!({"UserName": "reader", "PolicyName": "use-key"}),
        None,
    )
    .unwrap();
    let e = c
        .call(
            &reader,
            "s3:GetObject",
            &json!({"Bucket": "bk-cache", "Key": "b"}),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    // Disabling the key stops cached use too, with KMS's code as S3 reports it.
    c.call(&admin, "kms:DisableKey", &json!({"KeyId": key_arn}), None)
        .unwrap();
    let e = c
        .call(
            &admin,
            "s3:GetObject",
            &json!({"Bucket": "bk-cache", "Key": "b"}),
            None,
        )
        .unwrap_err();
    assert_eq!(e.code, "KMS.DisabledException");
    let e = c
        .call(
            &admin,
            "s3:PutObject",
            &json!({"Bucket": "bk-cache", "Key": "c"}),
            Some(b"gamma"),
        )
        .unwrap_err();
    assert_eq!(e.code, "KMS.DisabledException");
}

#[test]
fn anonymous_get_of_a_public_sse_kms_object_is_refused_but_sse_s3_is_served() {
    let t = applied(PUBLIC_READ);
    t.write("page.html", "<h1>hello</h1>\n");
    for bucket in ["public-kms-bucket", "public-sse-s3-bucket"] {
        sim(
            &t,
            &[
                "s3api",
                "put-object",
                "--bucket",
                bucket,
                "--key",
                "page.html",
                "--body",
                "page.html",
            ],
        )
        .success();
    }
    sim(
        &t,
        &["s3api", "get-object", "--bucket", "public-kms-bucket", "--key", "page.html", "kms.html", "--anonymous"],
    )
    .status(SERVICE_ERROR)
    .stderr_has(
        "An error occurred (InvalidArgument) when calling the GetObject operation: Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.",
    );
    assert!(!t.path().join("kms.html").exists());
    let got = sim_json(
        &t,
        &[
            "s3api",
            "get-object",
            "--bucket",
            "public-sse-s3-bucket",
            "--key",
            "page.html",
            "s3.html",
            "--anonymous",
        ],
    );
    assert_eq!(s(&got, "/ServerSideEncryption"), "AES256");
    assert_eq!(t.read("s3.html"), "<h1>hello</h1>\n");
    // The bucket policy grants GetObject only: anonymous listing is still denied.
    sim_fails(
        &t,
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "public-sse-s3-bucket",
            "--anonymous",
        ],
        "AccessDenied",
    )
    .stderr_has("Access Denied");
}

#[test]
fn etags_are_the_body_md5_for_sse_s3_and_opaque_for_sse_kms() {
    let t = applied(PUBLIC_READ);
    let body = "The quick brown fox jumps over the lazy dog";
    t.write("fox.txt", body);
    let md5 = "\"9e107d9d372bb6826bd81d3542a419d6\"";
    let put = sim_json(
        &t,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "public-sse-s3-bucket",
            "--key",
            "fox",
            "--body",
            "fox.txt",
        ],
    );
    assert_eq!(s(&put, "/ETag"), md5);
    let head = sim_json(
        &t,
        &[
            "s3api",
            "head-object",
            "--bucket",
            "public-sse-s3-bucket",
            "--key",
            "fox",
        ],
    );
    assert_eq!(s(&head, "/ETag"), md5);
    let list = sim_json(
        &t,
        &[
            "s3api",
            "list-objects-v2",
            "--bucket",
            "public-sse-s3-bucket",
        ],
    );
    assert_eq!(s(&list, "/Contents/0/ETag"), md5);
    // No checksum asked for: S3's default CRC64NVME of the whole object, and only that one.
    assert_eq!(s(&head, "/ChecksumCRC64NVME").len(), 12, "{head}");
    assert_eq!(s(&head, "/ChecksumType"), "FULL_OBJECT");
    assert!(head.get("ChecksumSHA256").is_none(), "{head}");

    let put = sim_json(
        &t,
        &[
            "s3api",
            "put-object",
            "--bucket",
            "public-kms-bucket",
            "--key",
            "fox",
            "--body",
            "fox.txt",
        ],
    );
    let etag = s(&put, "/ETag");
    assert_eq!(etag.len(), 34, "{etag}");
    assert!(
        etag.trim_matches('"')
            .chars()
            .all(|c| c.is_ascii_hexdigit()),
        "{etag}"
    );
    assert_ne!(etag, md5, "an SSE-KMS ETag must not reveal the body's MD5");
    let head = sim_json(
        &t,
        &[
            "s3api",
            "head-object",
            "--bucket",
            "public-kms-bucket",
            "--key",
            "fox",
        ],
    );
    assert_eq!(s(&head, "/ETag"), etag);
}

#[test]
fn operations_without_output_print_nothing_as_the_aws_cli_does() {
    let t = crate::support::Test::new().file(
        "main.tf",
        "provider \"aws\" {\n  region = \"us-east-1\"\n}\n",
    );
    t.run(&["sim", "s3api", "create-bucket", "--bucket", "quiet-bucket"])
        .success();
    t.write("b.txt", "x");
    t.run(&[
        "sim",
        "s3api",
        "put-object",
        "--bucket",
        "quiet-bucket",
        "--key",
        "k",
        "--body",
        "b.txt",
    ])
    .success()
    .stdout_has("ETag");
    let deleted = t
        .run(&[
            "sim",
            "s3api",
            "delete-object",
            "--bucket",
            "quiet-bucket",
            "--key",
            "k",
        ])
        .success();
    assert_eq!(deleted.stdout, "", "delete-object has no output members");
}
