//! SigV4 unit tests: AWS's published examples, and what a signature must cover.
use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn h(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn aws_test_suite_get_vanilla_verifies() {
    // AWS SigV4 test suite, "get-vanilla".
    let headers = h(&[
        ("host", "example.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        ),
    ]);
    let req = RequestParts {
        method: "GET",
        raw_path: "/",
        raw_query: "",
        headers: &headers,
        body: b"",
    };
    let cred = parse(&req).unwrap().unwrap();
    assert_eq!(cred.access_key_id, "AKIDEXAMPLE");
    assert_eq!(cred.service, "service");
    let now = parse_amz_date("20150830T123600Z").unwrap();
    verify(&req, &cred, SECRET, now).unwrap();
    // One character of the secret off: refused.
    assert!(matches!(
        verify(&req, &cred, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", now),
        Err(AuthError::Mismatch(_))
    ));
    // An hour later: too far from the wall clock.
    assert!(matches!(
        verify(&req, &cred, SECRET, now + 3600),
        Err(AuthError::Skewed(_))
    ));
}

#[test]
fn aws_documentation_iam_list_users_verifies() {
    // The IAM ListUsers example of the SigV4 documentation.
    let body = b"Action=ListUsers&Version=2010-05-08";
    let headers = h(&[
        (
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
        ("host", "iam.amazonaws.com"),
        ("x-amz-date", "20150830T123600Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        ),
    ]);
    let req = RequestParts {
        method: "GET",
        raw_path: "/",
        raw_query: "Action=ListUsers&Version=2010-05-08",
        headers: &headers,
        body: b"",
    };
    let _ = body;
    let cred = parse(&req).unwrap().unwrap();
    verify(
        &req,
        &cred,
        SECRET,
        parse_amz_date("20150830T123600Z").unwrap(),
    )
    .unwrap();
}

#[test]
fn signing_and_verifying_agree_for_s3_paths_and_queries() {
    let mut headers = h(&[("host", "127.0.0.1:4566")]);
    let body = b"hello";
    sign(
        "PUT",
        "/bkt/a/b%20c.txt",
        "x-id=PutObject&tagging",
        &mut headers,
        body,
        "AKIAEXAMPLE",
        "secret",
        "us-east-1",
        "s3",
        "20260101T000000Z",
    );
    let req = RequestParts {
        method: "PUT",
        raw_path: "/bkt/a/b%20c.txt",
        raw_query: "x-id=PutObject&tagging",
        headers: &headers,
        body,
    };
    let cred = parse(&req).unwrap().unwrap();
    let now = parse_amz_date("20260101T000000Z").unwrap();
    verify(&req, &cred, "secret", now).unwrap();
    // The body changed in transit: its hash no longer matches the signed one.
    let tampered = RequestParts {
        body: b"hellO",
        ..req
    };
    assert_eq!(
        verify(&tampered, &cred, "secret", now),
        Err(AuthError::ContentMismatch)
    );
}

#[test]
fn aws_documentation_chunked_upload_verifies_each_chunk() {
    // The aws-chunked example of the S3 documentation (64 KiB + 1 KiB of 'a').
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let v = ChunkVerifier {
        key: signing_key(secret, "20130524", "us-east-1", "s3"),
        amz_date: "20130524T000000Z".into(),
        scope: "20130524/us-east-1/s3/aws4_request".into(),
        seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9".into(),
    };
    let mut body = Vec::new();
    body.extend_from_slice(b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
    body.extend(std::iter::repeat_n(b'a', 65536));
    body.extend_from_slice(b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    body.extend(std::iter::repeat_n(b'a', 1024));
    body.extend_from_slice(b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
    let d = dechunk(&body, Some(&v)).unwrap();
    assert_eq!(d.data.len(), 66560);
    // A flipped byte in the data breaks that chunk's signature.
    let mut bad = body.clone();
    bad[200] = b'b';
    assert!(matches!(
        dechunk(&bad, Some(&v)),
        Err(AuthError::Mismatch(_))
    ));
}

#[test]
fn unsigned_chunks_keep_their_trailers() {
    let body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
    let d = dechunk(body, None).unwrap();
    assert_eq!(d.data, b"hello");
    assert_eq!(
        d.trailers,
        vec![("x-amz-checksum-crc32".to_string(), "NhCmhg==".to_string())]
    );
    assert!(dechunk(b"5\r\nhel", None).is_err());
}

#[test]
fn presigned_queries_parse_and_expire() {
    let headers = h(&[("host", "127.0.0.1:4566")]);
    let q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAX%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
    let cred0 = Credentials {
        access_key_id: "AKIAX".into(),
        date: "20260101".into(),
        region: "us-east-1".into(),
        service: "s3".into(),
        signed_headers: vec!["host".into()],
        signature: String::new(),
        amz_date: "20260101T000000Z".into(),
        expires: Some(60),
    };
    let req = RequestParts {
        method: "GET",
        raw_path: "/b/k",
        raw_query: q,
        headers: &headers,
        body: b"",
    };
    let sts = string_to_sign(
        "20260101T000000Z",
        &cred0.scope(),
        &canonical_request(&req, &cred0, false),
    );
    let sig = hex::encode(hmac(
        &signing_key("s", "20260101", "us-east-1", "s3"),
        sts.as_bytes(),
    ));
    let full = format!("{q}&X-Amz-Signature={sig}");
    let req = RequestParts {
        raw_query: &full,
        ..req
    };
    let cred = parse(&req).unwrap().unwrap();
    assert_eq!(cred.expires, Some(60));
    let t = parse_amz_date("20260101T000000Z").unwrap();
    verify(&req, &cred, "s", t + 30).unwrap();
    assert!(matches!(
        verify(&req, &cred, "s", t + 61),
        Err(AuthError::Expired(_))
    ));
}

#[test]
fn unsigned_requests_have_no_credentials_and_bad_headers_are_malformed() {
    let headers = h(&[("host", "x")]);
    let req = RequestParts {
        method: "GET",
        raw_path: "/",
        raw_query: "",
        headers: &headers,
        body: b"",
    };
    assert_eq!(parse(&req).unwrap(), None);
    let headers = h(&[("host", "x"), ("authorization", "Bearer abc")]);
    let req = RequestParts {
        headers: &headers,
        ..req
    };
    assert!(matches!(parse(&req), Err(AuthError::Malformed(_))));
}

/// A request signed by [`sign`] for `service`, then changed by `tamper` before it is checked.
fn signed_then(
    service: &str,
    query_signed: &str,
    query_sent: &str,
    extra: &[(&str, &str)],
    tamper: impl FnOnce(&mut Vec<(String, String)>),
) -> Result<(), AuthError> {
    let mut headers = h(&[("host", "127.0.0.1:4566")]);
    headers.extend(h(extra));
    let body = b"{}";
    sign(
        "POST",
        "/",
        query_signed,
        &mut headers,
        body,
        "AKIAEXAMPLE",
        "secret",
        "us-east-1",
        service,
        "20260101T000000Z",
    );
    tamper(&mut headers);
    let req = RequestParts {
        method: "POST",
        raw_path: "/",
        raw_query: query_sent,
        headers: &headers,
        body,
    };
    let cred = parse(&req)?.expect("signed");
    verify(
        &req,
        &cred,
        "secret",
        parse_amz_date("20260101T000000Z").unwrap(),
    )
}

#[test]
fn signature_version_2_is_refused_by_name_not_taken_as_anonymous() {
    let req = |headers: &[(String, String)], q: &'static str| {
        parse(&RequestParts {
            method: "GET",
            raw_path: "/b/k",
            raw_query: q,
            headers,
            body: b"",
        })
    };
    let host = h(&[("host", "x")]);
    let v2 = h(&[("host", "x"), ("authorization", "AWS AKIAX:c2lnbmF0dXJl")]);
    assert_eq!(req(&v2, ""), Err(AuthError::UnsupportedScheme));
    // S3's presigned form, and the query protocol's.
    assert_eq!(
        req(
            &host,
            "AWSAccessKeyId=AKIAX&Expires=1700000000&Signature=abc%3D"
        ),
        Err(AuthError::UnsupportedScheme)
    );
    assert_eq!(
        req(
            &host,
            "Action=ListUsers&AWSAccessKeyId=AKIAX&SignatureVersion=2&SignatureMethod=HmacSHA256&Signature=x"
        ),
        Err(AuthError::UnsupportedScheme)
    );
    assert_eq!(req(&host, "AWSAccessKeyId=just-a-parameter"), Ok(None));
}

#[test]
fn every_x_amz_header_present_must_be_signed_in_every_protocol() {
    for service in ["s3", "kms", "iam", "sts", "cloudtrail"] {
        assert_eq!(
            signed_then(service, "", "", &[], |_| {}),
            Ok(()),
            "{service}"
        );
        let added = |name: &'static str| {
            move |hs: &mut Vec<(String, String)>| hs.push((name.into(), "v".into()))
        };
        for name in [
            "x-amz-target",
            "x-amz-security-token",
            "x-amz-server-side-encryption",
            "x-amz-acl",
            "x-amz-user-agent",
        ] {
            assert_eq!(
                signed_then(service, "", "", &[], added(name)),
                Err(AuthError::UnsignedHeaders(vec![name.to_string()])),
                "{service} {name}"
            );
        }
        // Not x-amz-: the SDKs leave the trace id unsigned.
        assert_eq!(
            signed_then(service, "", "", &[], added("x-amzn-trace-id")),
            Ok(()),
            "{service}"
        );
    }
}

#[test]
fn the_query_verifies_as_exactly_what_the_service_reads() {
    // `+` is a space to the service: a signature over `a%2Bb` (a plus) does not cover `a+b`.
    assert!(matches!(
        signed_then("s3", "prefix=a%2Bb", "prefix=a+b", &[], |_| {}),
        Err(AuthError::Mismatch(_))
    ));
    // ...while `a%20b` and `a+b` are the same query to both.
    assert_eq!(
        signed_then("s3", "prefix=a%20b", "prefix=a+b", &[], |_| {}),
        Ok(())
    );
    assert_eq!(
        service_query_pairs("prefix=a+b&x=a%2Bb"),
        vec![
            ("prefix".to_string(), "a b".to_string()),
            ("x".to_string(), "a+b".to_string())
        ]
    );
    // A repeated name: the order the signature ignores would decide what is read.
    assert!(matches!(
        signed_then("s3", "prefix=a&prefix=b", "prefix=b&prefix=a", &[], |_| {}),
        Err(AuthError::Malformed(_))
    ));
}

#[test]
fn only_s3_may_leave_the_body_unsigned() {
    for payload in ["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"] {
        let extra = [("x-amz-content-sha256", payload)];
        assert_eq!(
            signed_then("s3", "", "", &extra, |_| {}),
            Ok(()),
            "{payload}"
        );
        for service in ["kms", "iam", "sts", "cloudtrail"] {
            assert!(
                matches!(
                    signed_then(service, "", "", &extra, |_| {}),
                    Err(AuthError::Malformed(_))
                ),
                "{service} {payload}"
            );
        }
    }
    // S3 signed in the header names its payload hash.
    assert_eq!(
        signed_then("s3", "", "", &[], |hs| hs
            .retain(|(n, _)| n != "x-amz-content-sha256")),
        Err(AuthError::MissingContentSha256)
    );
}

#[test]
fn an_s3_signature_is_checked_before_the_body_arrives() {
    let mut headers = h(&[("host", "127.0.0.1:4566")]);
    let body = vec![7u8; 4096];
    sign(
        "PUT",
        "/b/k",
        "",
        &mut headers,
        &body,
        "AKIAEXAMPLE",
        "secret",
        "us-east-1",
        "s3",
        "20260101T000000Z",
    );
    let head = RequestParts {
        method: "PUT",
        raw_path: "/b/k",
        raw_query: "",
        headers: &headers,
        body: b"",
    };
    let cred = parse(&head).unwrap().unwrap();
    let now = parse_amz_date("20260101T000000Z").unwrap();
    assert!(!signature_needs_body(&head, &cred));
    check_claims(&head, &cred, now).unwrap();
    check_signature(&head, &cred, "secret").unwrap();
    assert!(matches!(
        check_signature(&head, &cred, "wrong"),
        Err(AuthError::Mismatch(_))
    ));
    // The body, once read, must still be the signed one.
    assert_eq!(check_payload(&head), Err(AuthError::ContentMismatch));
    let full = RequestParts {
        body: &body,
        ..head
    };
    check_payload(&full).unwrap();
}
