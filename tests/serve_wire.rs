//! `keyform serve` over HTTP from a hand-written SigV4 client: the seed stories' outcomes
//! (who may read an SSE-KMS object), authentication failures, transport details
//! (aws-chunked, checksums, ranges, multipart), the control endpoints, locking and
//! persistence.

use serde_json::json;

use crate::support::Test;
use crate::support::wire::{Creds, Served};
use keyform::serve::sigv4;

fn key_id(r: &crate::support::wire::Reply) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("KeyId")
        .to_string()
}

/// A bucket with an SSE-KMS object under a new customer key: (key id, body).
fn bucket_with_kms_object(s: &Served) -> (String, &'static [u8]) {
    let admin = s.client(Some(&s.admin));
    let key = key_id(&admin.kms("CreateKey", json!({"Description": "lab key"})));
    assert_eq!(admin.s3("PUT", "/lab-bucket", "", &[], b"").status, 200);
    let body: &[u8] = b"kms encryption test file\n";
    let r = admin.s3(
        "PUT",
        "/lab-bucket/encryption-test-file.txt",
        "",
        &[
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", &key),
        ],
        body,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert!(
        r.header("x-amz-server-side-encryption-aws-kms-key-id")
            .is_some_and(|a| a.starts_with("arn:aws:kms:") && a.ends_with(&key)),
        "PutObject echoes the key ARN: {:?}",
        r.headers
    );
    (key, body)
}

#[test]
fn kms_round_trips_and_sse_kms_objects_read_back_over_http() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    assert!(s.banner.starts_with("listening on 127.0.0.1:"));
    assert_eq!(s.region, "us-east-1");
    assert!(s.admin.id.starts_with("AKIA") && s.admin.id.len() == 20);
    assert_eq!(s.admin.secret.len(), 40);
    let admin = s.client(Some(&s.admin));

    let created = admin.kms("CreateKey", json!({}));
    assert_eq!(
        created.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    assert!(created.header("x-amzn-requestid").is_some());
    assert!(
        created.json()["KeyMetadata"]["CreationDate"].is_number(),
        "JSON 1.1 timestamps are epoch seconds: {}",
        created.text()
    );
    let key = key_id(&created);
    let enc = admin.kms("Encrypt", json!({"KeyId": key, "Plaintext": "aGVsbG8="}));
    assert_eq!(enc.status, 200, "{}", enc.text());
    let blob = enc.json()["CiphertextBlob"].as_str().unwrap().to_string();
    let dec = admin.kms("Decrypt", json!({"CiphertextBlob": blob}));
    assert_eq!(dec.json()["Plaintext"], "aGVsbG8=");

    let (_, body) = bucket_with_kms_object(&s);
    let g = admin.s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(g.status, 200, "{}", g.text());
    assert_eq!(g.body, body);
    assert_eq!(g.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert!(
        g.header("last-modified")
            .is_some_and(|d| d.ends_with(" GMT"))
    );
    // A range answers 206 with just those bytes.
    let r = admin.s3(
        "GET",
        "/lab-bucket/encryption-test-file.txt",
        "",
        &[("range", "bytes=0-2")],
        b"",
    );
    assert_eq!((r.status, r.body.as_slice()), (206, &b"kms"[..]));
    assert_eq!(
        r.header("content-range"),
        Some(format!("bytes 0-2/{}", body.len()).as_str())
    );
    // HEAD: the length and encryption, no body.
    let h = admin.s3("HEAD", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(h.status, 200);
    assert_eq!(
        h.header("content-length"),
        Some(body.len().to_string().as_str())
    );
    assert!(h.body.is_empty());
    // Listing, v2 and v1.
    let l = admin.s3("GET", "/lab-bucket", "list-type=2&prefix=enc", &[], b"");
    assert!(
        l.text().contains("<Key>encryption-test-file.txt</Key>"),
        "{}",
        l.text()
    );
    assert!(l.text().contains("<KeyCount>1</KeyCount>"));
    let l1 = admin.s3("GET", "/lab-bucket", "", &[], b"");
    assert!(l1.text().contains("<Key>encryption-test-file.txt</Key>"));
}

#[test]
fn each_user_signs_with_its_own_keys_and_gets_the_seed_stories_answers() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let (key, body) = bucket_with_kms_object(&s);

    // S3-Admin-User: AmazonS3FullAccess but no kms:Decrypt.
    assert_eq!(
        admin
            .query("iam", "CreateUser", &[("UserName", "S3-Admin-User")])
            .status,
        200
    );
    let a = admin.query(
        "iam",
        "AttachUserPolicy",
        &[
            ("UserName", "S3-Admin-User"),
            ("PolicyArn", "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let ak = admin.query("iam", "CreateAccessKey", &[("UserName", "S3-Admin-User")]);
    assert_eq!(ak.status, 200, "{}", ak.text());
    let text = ak.text();
    let between = |a: &str, b: &str| {
        text.split(a)
            .nth(1)
            .and_then(|r| r.split(b).next())
            .unwrap_or("")
            .to_string()
    };
    let user = Creds {
        id: between("<AccessKeyId>", "</AccessKeyId>"),
        secret: between("<SecretAccessKey>", "</SecretAccessKey>"),
    };
    assert!(
        user.id.starts_with("AKIA") && user.secret.len() == 40,
        "{text}"
    );
    let u = s.client(Some(&user));
    let who = u.query("sts", "GetCallerIdentity", &[]);
    assert!(
        who.text()
            .contains("<Arn>arn:aws:iam::123456789012:user/S3-Admin-User</Arn>"),
        "{}",
        who.text()
    );
    let denied = u.s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(
        (denied.status, denied.xml_code().as_str()),
        (403, "AccessDenied")
    );
    assert!(denied.text().contains("kms:Decrypt"), "{}", denied.text());
    assert!(denied.header("x-amz-request-id").is_some());
    // ...but the object's listing is S3's alone.
    assert_eq!(
        u.s3("GET", "/lab-bucket", "list-type=2", &[], b"").status,
        200
    );

    // A wrong secret, an unknown key.
    let wrong = s.client(Some(&Creds {
        id: user.id.clone(),
        secret: "x".repeat(40),
    }));
    let r = wrong.s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (403, "SignatureDoesNotMatch")
    );
    let r = wrong.kms("ListKeys", json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "InvalidSignatureException");
    let unknown = s.client(Some(&Creds {
        id: "AKIAUNKNOWNUNKNOWN22".into(),
        secret: "x".repeat(40),
    }));
    let r = unknown.s3("GET", "/", "", &[], b"");
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (403, "InvalidAccessKeyId")
    );
    let r = unknown.query("iam", "ListUsers", &[]);
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>InvalidClientTokenId</Code>"),
        "{}",
        r.text()
    );

    // Anonymous: a private bucket refuses; once the object is public, SSE-KMS still needs
    // SigV4.
    let anon = s.client(None);
    let r = anon.s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (403, "AccessDenied"),
        "{}",
        r.text()
    );
    assert_eq!(
        admin
            .s3("DELETE", "/lab-bucket", "publicAccessBlock", &[], b"")
            .status,
        204
    );
    let public = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lab-bucket/*"}]});
    let r = admin.s3(
        "PUT",
        "/lab-bucket",
        "policy",
        &[],
        public.to_string().as_bytes(),
    );
    assert_eq!(r.status, 204, "{}", r.text());
    let r = anon.s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (400, "InvalidArgument"),
        "{}",
        r.text()
    );
    let r = anon.kms("ListKeys", json!({}));
    assert_eq!(r.json()["__type"], "MissingAuthenticationTokenException");

    // A disabled key: S3 reports KMS's code.
    assert_eq!(admin.kms("DisableKey", json!({"KeyId": key})).status, 200);
    let r = admin.s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"");
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (400, "KMS.DisabledException")
    );
    assert_eq!(admin.kms("EnableKey", json!({"KeyId": key})).status, 200);
    assert_eq!(
        admin
            .s3("GET", "/lab-bucket/encryption-test-file.txt", "", &[], b"")
            .body,
        body
    );

    // CloudTrail saw who called, with which key, from where.
    let ev = admin.cloudtrail(
        "LookupEvents",
        json!({"LookupAttributes": [{"AttributeKey": "AccessKeyId", "AttributeValue": user.id}]}),
    );
    assert_eq!(ev.status, 200, "{}", ev.text());
    let events = ev.json()["Events"].as_array().cloned().unwrap_or_default();
    let decrypt = events
        .iter()
        .find(|e| e["EventName"] == "Decrypt")
        .expect("the denied Decrypt is recorded under the user's key");
    assert!(decrypt["EventTime"].is_number());
    let record: serde_json::Value =
        serde_json::from_str(decrypt["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["errorCode"], "AccessDenied");
    assert_eq!(record["userIdentity"]["userName"], "S3-Admin-User");
    assert_eq!(record["userIdentity"]["invokedBy"], "s3.amazonaws.com");
    let get = events
        .iter()
        .find(|e| e["EventName"] == "GetCallerIdentity")
        .expect("STS calls are management events");
    let record: serde_json::Value =
        serde_json::from_str(get["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(record["sourceIPAddress"], "127.0.0.1");
}

#[test]
fn aws_chunked_bodies_checksums_and_multipart_uploads_store_the_exact_bytes() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/chunky", "", &[], b"").status, 200);

    // A signed aws-chunked PUT, as SDKs stream bodies.
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let amz = sigv4::amz_date(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64,
    );
    let date = &amz[..8];
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), s.addr.clone()),
        (
            "x-amz-content-sha256".into(),
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD".into(),
        ),
        ("content-encoding".into(), "aws-chunked".into()),
        (
            "x-amz-decoded-content-length".into(),
            data.len().to_string(),
        ),
    ];
    let seed = sigv4::sign(
        "PUT",
        "/chunky/streamed.bin",
        "",
        &mut headers,
        b"",
        &s.admin.id,
        &s.admin.secret,
        "us-east-1",
        "s3",
        &amz,
    );
    let key = sigv4::signing_key(&s.admin.secret, date, "us-east-1", "s3");
    let scope = format!("{date}/us-east-1/s3/aws4_request");
    let chunked = |data: &[u8], tamper: bool| {
        let mut body = Vec::new();
        let mut prev = seed.clone();
        for chunk in data.chunks(65536).chain(std::iter::once(&[][..])) {
            let sig = sigv4::chunk_signature(&key, &amz, &scope, &prev, chunk);
            body.extend_from_slice(
                format!("{:x};chunk-signature={sig}\r\n", chunk.len()).as_bytes(),
            );
            body.extend_from_slice(chunk);
            body.extend_from_slice(b"\r\n");
            prev = sig;
        }
        if tamper {
            body[150] ^= 1;
        }
        body
    };
    let r = admin.raw(
        "PUT",
        "/chunky/streamed.bin",
        "",
        &headers,
        &chunked(&data, false),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let g = admin.s3("GET", "/chunky/streamed.bin", "", &[], b"");
    assert_eq!(g.body, data, "the chunk framing is gone");
    let r = admin.raw(
        "PUT",
        "/chunky/streamed.bin",
        "",
        &headers,
        &chunked(&data, true),
    );
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (403, "SignatureDoesNotMatch")
    );

    // Checksums: a right CRC32 is echoed, a wrong one is BadDigest.
    let crc = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        crc32fast::hash(b"hello").to_be_bytes(),
    );
    let r = admin.s3(
        "PUT",
        "/chunky/c.txt",
        "",
        &[("x-amz-checksum-crc32", &crc)],
        b"hello",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let r = admin.s3(
        "PUT",
        "/chunky/c.txt",
        "",
        &[("x-amz-checksum-crc32", "AAAAAA==")],
        b"hello",
    );
    assert_eq!((r.status, r.xml_code().as_str()), (400, "BadDigest"));

    // Multipart with SSE-KMS (aws/s3 key): 5 MiB + a tail, joined and encrypted on completion.
    let part1: Vec<u8> = vec![7u8; 5 * 1024 * 1024];
    let part2: &[u8] = b"the tail";
    let c = admin.s3(
        "POST",
        "/chunky/big%20file.bin",
        "uploads",
        &[("x-amz-server-side-encryption", "aws:kms")],
        b"",
    );
    assert_eq!(c.status, 200, "{}", c.text());
    let upload = c
        .text()
        .split("<UploadId>")
        .nth(1)
        .and_then(|r| r.split("</UploadId>").next())
        .unwrap()
        .to_string();
    let q = |n: u32| format!("partNumber={n}&uploadId={upload}");
    let e1 = admin.s3("PUT", "/chunky/big%20file.bin", &q(1), &[], &part1);
    let e2 = admin.s3("PUT", "/chunky/big%20file.bin", &q(2), &[], part2);
    assert_eq!((e1.status, e2.status), (200, 200), "{}", e1.text());
    let complete = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part><Part><PartNumber>2</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        e1.header("etag").unwrap(),
        e2.header("etag").unwrap()
    );
    let done = admin.s3(
        "POST",
        "/chunky/big%20file.bin",
        &format!("uploadId={upload}"),
        &[],
        complete.as_bytes(),
    );
    assert_eq!(done.status, 200, "{}", done.text());
    assert!(
        done.text().contains("-2&quot;</ETag>") || done.text().contains("-2\"</ETag>"),
        "{}",
        done.text()
    );
    assert_eq!(done.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert!(
        done.text().contains(&format!(
            "<Location>http://{}/chunky/big%20file.bin</Location>",
            s.addr
        )),
        "Location is the object's URL: {}",
        done.text()
    );
    let g = admin.s3("GET", "/chunky/big%20file.bin", "", &[], b"");
    assert_eq!(g.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(g.body.len(), part1.len() + part2.len());
    assert!(g.body.ends_with(part2) && g.body[..part1.len()] == part1[..]);
    // The upload is gone once completed.
    let r = admin.s3("PUT", "/chunky/big%20file.bin", &q(3), &[], b"x");
    assert_eq!((r.status, r.xml_code().as_str()), (404, "NoSuchUpload"));

    // What the simulation does not model answers 501 with S3's error body.
    let r = admin.s3("GET", "/chunky", "analytics", &[], b"");
    assert_eq!((r.status, r.xml_code().as_str()), (501, "NotImplemented"));
}

#[test]
fn serve_holds_the_lock_saves_every_request_and_resets_and_moves_the_clock() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let key = key_id(&admin.kms("CreateKey", json!({})));
    assert_eq!(admin.s3("PUT", "/kept-bucket", "", &[], b"").status, 200);

    // Other commands on the directory fail fast, naming serve.
    t.run(&["sim", "kms", "list-keys"])
        .status(255)
        .stderr_has("keyform serve");

    // The clock: a deletion scheduled for 7 days runs when the clock passes it.
    let r = admin.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let anon = s.client(None);
    let host = [("host".to_string(), s.addr.clone())];
    let r = anon.raw("POST", "/_keyform/clock/advance", "by=8d", &host, b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = admin.kms("DescribeKey", json!({"KeyId": key}));
    assert_eq!(r.json()["__type"], "NotFoundException", "{}", r.text());

    // Killed without warning, the world keeps every answered request.
    drop(s);
    t.run(&["sim", "s3api", "list-buckets"])
        .success()
        .stdout_has("kept-bucket");

    // Reset: a fresh world, and the printed keys still work.
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let host = [("host".to_string(), s.addr.clone())];
    let r = s
        .client(None)
        .raw("POST", "/moto-api/reset", "", &host, b"");
    assert_eq!(r.status, 200);
    let r = admin.s3("GET", "/", "", &[], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.text().contains("kept-bucket"), "{}", r.text());
}

#[test]
fn concurrent_requests_share_fsyncs_and_every_answered_one_survives_a_kill() {
    let t = Test::new();
    let s = Served::start(&t, &["-quiet"]);
    let admin = s.client(Some(&s.admin));
    // Eight clients at once: their records are group-committed, each answered only once its
    // own record is durable.
    let made: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|w| {
                let admin = admin.clone();
                scope.spawn(move || {
                    (0..12)
                        .map(|i| {
                            let name = format!("gc-{w}-{i}");
                            let r = admin.s3("PUT", &format!("/{name}"), "", &[], b"");
                            assert_eq!(r.status, 200, "{name}: {}", r.text());
                            name
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("client thread"))
            .collect()
    });
    assert_eq!(made.len(), 96);
    drop(s);
    let listed = t.run(&["sim", "s3api", "list-buckets"]).success();
    let missing: Vec<_> = made
        .iter()
        .filter(|n| !listed.stdout.contains(&format!("\"{n}\"")))
        .collect();
    assert!(missing.is_empty(), "answered but lost: {missing:?}");
}

#[test]
fn lenient_auth_lets_fake_keys_act_as_lab_admin_and_strict_refuses_them() {
    let t = Test::new();
    let s = Served::start(&t, &["-auth=lenient"]);
    assert!(s.banner.contains("auth: lenient"));
    let fake = s.client(Some(&Creds {
        id: "FOOBARKEY".into(),
        secret: "FOOBARSECRET".into(),
    }));
    let r = fake.kms("CreateKey", json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
    let r = fake.query("sts", "GetCallerIdentity", &[]);
    assert!(r.text().contains("user/lab-admin"), "{}", r.text());
    drop(s);
    let s = Served::start(&t, &[]);
    let fake = s.client(Some(&Creds {
        id: "FOOBARKEY".into(),
        secret: "FOOBARSECRET".into(),
    }));
    assert_eq!(
        fake.kms("ListKeys", json!({})).json()["__type"],
        "UnrecognizedClientException"
    );
}

#[test]
fn serve_refuses_a_bad_bind_address() {
    let t = Test::new();
    t.run(&["serve", "-bind=nowhere"])
        .status(1)
        .stderr_has("Invalid -bind");
}

const ACCESS_KEY_CONFIG: &str = r#"
resource "aws_iam_user" "app" {
  name = "app-user"
}

resource "aws_iam_access_key" "app" {
  user = aws_iam_user.app.name
}

output "key_id" {
  value = aws_iam_access_key.app.id
}

output "secret" {
  value     = aws_iam_access_key.app.secret
  sensitive = true
}
"#;

#[test]
fn aws_iam_access_key_in_hcl_signs_requests_and_its_secret_stays_sensitive() {
    let t = Test::new().file("main.tf", ACCESS_KEY_CONFIG);
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["output"])
        .success()
        .stdout_has("secret = <sensitive>")
        .stdout_has("key_id = \"AKIA");
    let id = t.run(&["output", "-raw", "key_id"]).success().stdout;
    let secret = t.run(&["output", "-raw", "secret"]).success().stdout;
    assert_eq!(secret.len(), 40, "{secret:?}");
    let shown = t
        .run(&["state", "show", "aws_iam_access_key.app"])
        .success();
    assert!(
        !shown.stdout.contains(&secret),
        "state show hides the secret"
    );
    // The key signs for app-user.
    let s = Served::start(&t, &[]);
    let c = s.client(Some(&Creds {
        id: id.clone(),
        secret,
    }));
    let r = c.query("sts", "GetCallerIdentity", &[]);
    assert!(r.text().contains("user/app-user"), "{}", r.text());
    drop(s);
    // Deactivated, it signs nothing.
    t.write(
        "main.tf",
        &ACCESS_KEY_CONFIG.replace(
            "user = aws_iam_user.app.name",
            "user   = aws_iam_user.app.name\n  status = \"Inactive\"",
        ),
    );
    t.run(&["apply", "-auto-approve"]).success();
    let s = Served::start(&t, &[]);
    let secret = t.run(&["output", "-raw", "secret"]).success().stdout;
    let c = s.client(Some(&Creds { id, secret }));
    let r = c.query("sts", "GetCallerIdentity", &[]);
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(r.text().contains("InvalidClientTokenId"));
}

#[test]
fn an_output_showing_a_secret_must_be_sensitive() {
    let t = Test::new().file(
        "main.tf",
        &ACCESS_KEY_CONFIG.replace("  sensitive = true\n", ""),
    );
    t.run(&["validate"])
        .status(1)
        .stderr_has("Output refers to sensitive values");
}

#[test]
fn cloudtrail_answers_every_target_form_the_sdks_send() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    // botocore and the AWS CLI send the long form, the JavaScript v3 and Rust SDKs the short.
    for target in [
        "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.ListTrails",
        "CloudTrail_20131101.ListTrails",
    ] {
        let r = admin.json_target("cloudtrail", target, json!({}));
        assert_eq!(r.status, 200, "{target}: {}", r.text());
        assert_eq!(r.json()["Trails"], json!([]), "{target}");
    }
    let r = admin.json_target(
        "cloudtrail",
        "CloudTrail_20131101.DescribeTrails",
        json!({"trailNameList": ["nope"], "includeShadowTrails": true}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["trailList"], json!([]));
    // A target naming no operation is refused in AWS's terms.
    let r = admin.json_target("cloudtrail", "CloudTrail_20131101.", json!({}));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["__type"], "UnknownOperationException");
    let r = admin.json_target("kms", "TrentService.ListKeys", json!({}));
    assert_eq!(r.status, 200, "{}", r.text());
}

#[test]
fn the_served_clock_is_the_wall_clock_plus_every_advance() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let anon = s.client(None);
    let host = [("host".to_string(), s.addr.clone())];
    let now = |c: &crate::support::wire::Client| -> i64 {
        let r = c.raw("GET", "/_keyform/clock", "", &host, b"");
        let t = r.json()["now"].as_str().unwrap().to_string();
        time::OffsetDateTime::parse(&t, &time::format_description::well_known::Rfc3339)
            .unwrap()
            .unix_timestamp()
    };
    let wall = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    // Time moves on its own between requests.
    let first = now(&anon);
    assert!(
        (first - wall()).abs() <= 2,
        "served time {first} is the wall clock"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(now(&anon) > first, "the served clock moves");

    // A deletion scheduled 7 days out, with the clock advanced to 2 s before it: it runs on
    // its own once 2 more seconds of wall time have passed.
    let key = key_id(&admin.kms("CreateKey", json!({})));
    let r = admin.kms(
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let deletion = r.json()["DeletionDate"].as_f64().unwrap() as i64;
    let lead = deletion - now(&anon) - 2;
    let r = anon.raw(
        "POST",
        "/_keyform/clock/advance",
        &format!("by={lead}s"),
        &host,
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = admin.kms("DescribeKey", json!({"KeyId": key}));
    assert_eq!(
        r.json()["KeyMetadata"]["KeyState"],
        "PendingDeletion",
        "{}",
        r.text()
    );
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let r = admin.kms("DescribeKey", json!({"KeyId": key}));
    assert_eq!(r.json()["__type"], "NotFoundException", "{}", r.text());

    // The advance is kept: after a restart the world is still a week ahead of the wall clock.
    drop(s);
    let s = Served::start(&t, &[]);
    let anon = s.client(None);
    let host = [("host".to_string(), s.addr.clone())];
    let r = anon.raw("GET", "/_keyform/clock", "", &host, b"");
    let t2 = r.json()["now"].as_str().unwrap().to_string();
    let ahead = time::OffsetDateTime::parse(&t2, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
        - wall();
    assert!((ahead - lead).abs() <= 3, "{ahead} vs {lead}");
}

/// Waits (up to 10 s) until serve's stderr has a line containing every one of `parts`.
fn log_has(s: &Served, parts: &[&str]) -> Option<String> {
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(10) {
        let log = s.log.lock().unwrap().clone();
        if let Some(l) = log.lines().find(|l| parts.iter().all(|p| l.contains(p))) {
            return Some(l.to_string());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    None
}

#[test]
fn serve_logs_one_line_per_request_unless_quiet() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.kms("ListKeys", json!({})).status, 200);
    let r = admin.json_target(
        "cloudtrail",
        "CloudTrail_20131101.GetTrail",
        json!({"Name": "nope"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        s.client(None)
            .s3("GET", "/no-such-bucket", "", &[], b"")
            .status,
        404
    );
    let line = log_has(&s, &[" lab-admin kms:ListKeys 200 "]).expect("a line for ListKeys");
    // time, caller, service:operation, status, milliseconds.
    let words: Vec<&str> = line.split(' ').collect();
    assert_eq!(words.len(), 5, "{line}");
    assert!(
        time::OffsetDateTime::parse(words[0], &time::format_description::well_known::Rfc3339)
            .is_ok(),
        "{line}"
    );
    assert!(
        words[4].ends_with("ms") && words[4].trim_end_matches("ms").parse::<u64>().is_ok(),
        "{line}"
    );
    assert!(log_has(&s, &[" lab-admin cloudtrail:GetTrail 400 "]).is_some());
    assert!(
        log_has(&s, &[" anonymous s3:ListObjects"]).is_some()
            || log_has(&s, &[" anonymous s3:"]).is_some()
    );
    // A refused signature: nobody was authenticated.
    let bad = crate::support::wire::Creds {
        id: s.admin.id.clone(),
        secret: "wrong".into(),
    };
    assert_eq!(s.client(Some(&bad)).kms("ListKeys", json!({})).status, 400);
    assert!(
        log_has(&s, &[" - kms:- 400 "]).is_some(),
        "{}",
        s.log.lock().unwrap()
    );
    // The secret never reaches the log.
    assert!(!s.log.lock().unwrap().contains(s.admin.secret.as_str()));
    drop(s);

    let s = Served::start(&t, &["-quiet"]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.kms("ListKeys", json!({})).status, 200);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        !s.log.lock().unwrap().contains("kms:ListKeys"),
        "{}",
        s.log.lock().unwrap()
    );
}
