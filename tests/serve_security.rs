//! `keyform serve` lets in only those it should: control endpoints refuse every cross-site
//! form a web page can produce, SigV4 covers every `x-amz-*` header and exactly the query the
//! service reads, bodies are not buffered before their sender is known, and only loopback
//! peers count as secure transport.

use crate::support::Test;
use serde_json::json;

use crate::support::wire::{Client, Creds, Reply, Served};

/// Every control endpoint: method, path, query.
const CONTROL: &[(&str, &str, &str)] = &[
    ("POST", "/_keyform/reset", ""),
    ("POST", "/moto-api/reset", ""),
    ("POST", "/_keyform/clock/advance", "by=8d"),
    ("GET", "/_keyform/clock", ""),
];

/// A request a web page can make the trainer's browser send, and the refusal it must get.
struct CrossSite {
    name: &'static str,
    /// Extra headers; `HOST` is replaced by the server's address.
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
    /// Whether the form exists for GET too (a GET is otherwise harmless: it changes nothing).
    applies_to_get: bool,
    code: &'static str,
}

const HOST: &str = "HOST";

const CROSS_SITE: &[CrossSite] = &[
    CrossSite {
        name: "cross-site HTML form POST",
        headers: &[
            ("host", HOST),
            ("origin", "https://evil.example"),
            ("content-type", "application/x-www-form-urlencoded"),
            ("sec-fetch-site", "cross-site"),
        ],
        body: b"by=8d",
        applies_to_get: false,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "no-cors fetch without a body",
        headers: &[("host", HOST), ("origin", "https://evil.example")],
        body: b"",
        applies_to_get: true,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "text/plain form from a sandboxed frame",
        headers: &[
            ("host", HOST),
            ("origin", "null"),
            ("content-type", "text/plain"),
        ],
        body: b"x",
        applies_to_get: false,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "image or navigation",
        headers: &[("host", HOST), ("sec-fetch-site", "cross-site")],
        body: b"",
        applies_to_get: true,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "same-site page on another port",
        headers: &[("host", HOST), ("sec-fetch-site", "same-site")],
        body: b"",
        applies_to_get: true,
        code: "CrossSiteRequest",
    },
    CrossSite {
        name: "DNS rebinding (the page's own host name)",
        headers: &[("host", "evil.example:4566")],
        body: b"",
        applies_to_get: true,
        code: "ForeignHost",
    },
    CrossSite {
        name: "form POST from a browser that sends no Origin",
        headers: &[
            ("host", HOST),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        body: b"by=8d",
        applies_to_get: false,
        code: "SimpleRequestRefused",
    },
    CrossSite {
        name: "a guessed token",
        headers: &[("host", HOST), ("x-keyform-token", "guess")],
        body: b"",
        applies_to_get: true,
        code: "InvalidControlToken",
    },
];

fn headers(s: &Served, hs: &[(&str, &str)]) -> Vec<(String, String)> {
    hs.iter()
        .map(|(n, v)| {
            let v = if *v == HOST { s.addr.as_str() } else { v };
            (n.to_string(), v.to_string())
        })
        .collect()
}

/// A raw request without the client's own `host` header.
fn send(
    s: &Served,
    method: &str,
    path: &str,
    query: &str,
    hs: &[(String, String)],
    body: &[u8],
) -> Reply {
    s.client(None).raw(method, path, query, hs, body)
}

fn now(s: &Served) -> String {
    let r = send(
        s,
        "GET",
        "/_keyform/clock",
        "",
        &headers(s, &[("host", HOST)]),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["now"].as_str().expect("now").to_string()
}

#[test]
fn every_control_endpoint_refuses_every_cross_site_form() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    assert_eq!(
        s.control_token.len(),
        32,
        "serve prints its control token: {}",
        s.banner
    );
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/survivor", "", &[], b"").status, 200);
    let before = now(&s);
    let mut refused = 0;
    for (method, path, query) in CONTROL {
        for form in CROSS_SITE {
            if *method == "GET" && !form.applies_to_get {
                continue;
            }
            let r = send(
                &s,
                method,
                path,
                query,
                &headers(&s, form.headers),
                form.body,
            );
            assert_eq!(
                (r.status, r.json()["code"].as_str().unwrap_or("")),
                (403, form.code),
                "{method} {path} as a {}: {}",
                form.name,
                r.text()
            );
            assert!(
                !r.text().contains(&s.control_token),
                "a refusal never shows the token"
            );
            refused += 1;
        }
    }
    assert_eq!(refused, 3 * CROSS_SITE.len() + 5);
    // Nothing happened: the clock was not advanced (it only followed the wall clock) and the
    // bucket is still there.
    let at = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .expect("an RFC 3339 time")
            .unix_timestamp()
    };
    assert!(at(&now(&s)) - at(&before) < 600, "the clock was advanced");
    let r = admin.s3("GET", "/", "", &[], b"");
    assert!(r.text().contains("survivor"), "{}", r.text());
}

#[test]
fn scripts_moto_and_the_token_still_reach_the_control_endpoints() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let before = now(&s);
    // curl -X POST: no Content-Type, no body.
    let r = send(
        &s,
        "POST",
        "/_keyform/clock/advance",
        "by=1d",
        &headers(&s, &[("host", HOST), ("user-agent", "curl/8.5.0")]),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // A body or a Content-Type is fine with the non-simple header.
    let r = send(
        &s,
        "POST",
        "/_keyform/clock/advance",
        "by=1d",
        &headers(
            &s,
            &[
                ("host", HOST),
                ("content-type", "application/json"),
                ("x-keyform-control", "1"),
            ],
        ),
        b"{}",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    // localhost names this machine too.
    let port = s.addr.rsplit(':').next().unwrap_or_default();
    let r = send(
        &s,
        "GET",
        "/_keyform/clock",
        "",
        &[("host".into(), format!("localhost:{port}"))],
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_ne!(now(&s), before);
    // With the token, any Host (serve bound to another interface is reached by its address).
    assert_eq!(
        admin.s3("PUT", "/gone-after-reset", "", &[], b"").status,
        200
    );
    let r = send(
        &s,
        "POST",
        "/_keyform/reset",
        "",
        &headers(
            &s,
            &[
                ("host", "lab-server.internal:4566"),
                ("x-keyform-token", &s.control_token),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        ),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !admin
            .s3("GET", "/", "", &[], b"")
            .text()
            .contains("gone-after-reset")
    );
    // moto's reset, exactly as `requests.post(f"{endpoint}/moto-api/reset")` sends it.
    assert_eq!(
        admin.s3("PUT", "/gone-after-moto", "", &[], b"").status,
        200
    );
    let r = send(
        &s,
        "POST",
        "/moto-api/reset",
        "",
        &headers(
            &s,
            &[
                ("host", HOST),
                ("user-agent", "python-requests/2.32.3"),
                ("accept-encoding", "gzip, deflate"),
                ("accept", "*/*"),
            ],
        ),
        b"",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        !admin
            .s3("GET", "/", "", &[], b"")
            .text()
            .contains("gone-after-moto")
    );
}

#[test]
fn a_lenient_server_lets_no_web_page_act_as_lab_admin() {
    let t = Test::new();
    let s = Served::start(&t, &["-auth=lenient"]);
    let form = |extra: &[(&str, &str)]| {
        let mut h = headers(
            &s,
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
        );
        h.extend(headers(&s, extra));
        h.insert(0, ("host".into(), s.addr.clone()));
        send(
            &s,
            "POST",
            "/",
            "",
            &h,
            b"Action=CreateUser&Version=2010-05-08&UserName=planted",
        )
    };
    // A cross-site form POST: a simple request, no preflight.
    let r = form(&[("origin", "https://evil.example")]);
    assert_eq!(r.status, 403, "{}", r.text());
    assert!(
        r.text().contains("MissingAuthenticationToken"),
        "{}",
        r.text()
    );
    let r = form(&[("sec-fetch-site", "same-origin")]);
    assert_eq!(r.status, 403, "{}", r.text());
    let get = || {
        s.client(None)
            .query("iam", "GetUser", &[("UserName", "planted")])
    };
    assert_eq!(get().status, 404, "{}", get().text());
    // A script sending the same request unsigned acts as lab-admin, as -auth=lenient says.
    let r = form(&[]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(get().status, 200, "{}", get().text());
}

/// A signed request with one header added after signing: what a man in the middle, or a
/// client adding a header after its signer ran, sends.
fn with_unsigned(
    c: &Client,
    service: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    added: (&str, &str),
) -> Reply {
    let hs = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let mut hs = c.signed(service, method, path, "", hs, body);
    hs.push((added.0.to_string(), added.1.to_string()));
    c.raw(method, path, "", &hs, body)
}

const FORM: (&str, &str) = (
    "content-type",
    "application/x-www-form-urlencoded; charset=utf-8",
);
const JSON: (&str, &str) = ("content-type", "application/x-amz-json-1.1");

#[test]
fn every_protocol_refuses_x_amz_headers_its_signature_does_not_cover() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/signed-only", "", &[], b"").status, 200);
    let keys_before = admin.kms("ListKeys", json!({})).json()["Keys"].clone();

    // S3: an ACL slipped into a signed PutObject.
    let r = with_unsigned(
        &admin,
        "s3",
        "PUT",
        "/signed-only/k.txt",
        &[],
        b"data",
        ("x-amz-acl", "public-read"),
    );
    assert_eq!((r.status, r.xml_code().as_str()), (403, "AccessDenied"));
    assert!(
        r.text()
            .contains("There were headers present in the request which were not signed")
            && r.text()
                .contains("<HeadersNotSigned>x-amz-acl</HeadersNotSigned>"),
        "{}",
        r.text()
    );
    let r = admin.s3("GET", "/signed-only/k.txt", "", &[], b"");
    assert_eq!(r.xml_code(), "NoSuchKey", "nothing was written");

    // KMS and CloudTrail: the operation itself, unsigned, would let anyone replay a captured
    // body as another operation.
    for (service, target) in [
        ("kms", "TrentService.CreateKey"),
        (
            "cloudtrail",
            "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
        ),
    ] {
        let r = with_unsigned(
            &admin,
            service,
            "POST",
            "/",
            &[JSON],
            b"{}",
            ("x-amz-target", target),
        );
        assert_eq!(
            (r.status, r.json()["__type"].as_str().unwrap_or("")),
            (400, "IncompleteSignatureException"),
            "{service}: {}",
            r.text()
        );
        assert!(r.text().contains("x-amz-target"), "{}", r.text());
    }
    assert_eq!(admin.kms("ListKeys", json!({})).json()["Keys"], keys_before);

    // IAM and STS (query protocol).
    for (service, body) in [
        (
            "iam",
            &b"Action=CreateUser&Version=2010-05-08&UserName=slipped"[..],
        ),
        ("sts", &b"Action=GetCallerIdentity&Version=2011-06-15"[..]),
    ] {
        let r = with_unsigned(
            &admin,
            service,
            "POST",
            "/",
            &[FORM],
            body,
            ("x-amz-security-token", "stolen"),
        );
        assert_eq!(r.status, 400, "{service}: {}", r.text());
        assert!(
            r.text().contains("<Code>IncompleteSignature</Code>")
                && r.text().contains("x-amz-security-token"),
            "{service}: {}",
            r.text()
        );
    }
    let r = admin.query("iam", "GetUser", &[("UserName", "slipped")]);
    assert_eq!(r.status, 404, "no user was created: {}", r.text());
}

/// Signs `signed_query` but sends `sent_query`.
fn query_swap(s: &Served, path: &str, signed_query: &str, sent_query: &str) -> Reply {
    let admin = s.client(Some(&s.admin));
    let mut hs = vec![("host".to_string(), s.addr.clone())];
    keyform::serve::sigv4::sign(
        "GET",
        path,
        signed_query,
        &mut hs,
        b"",
        &s.admin.id,
        &s.admin.secret,
        &s.region,
        "s3",
        &crate::support::wire::now_amz(),
    );
    admin.raw("GET", path, sent_query, &hs, b"")
}

#[test]
fn a_query_verifies_only_as_what_s3_reads_and_sigv2_is_told_to_use_sigv4() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/plus", "", &[], b"").status, 200);
    for k in ["/plus/a%2Bb.txt", "/plus/a%20b.txt"] {
        assert_eq!(admin.s3("PUT", k, "", &[], b"x").status, 200);
    }
    // Signed for the prefix "a+b", sent as `a+b`, which S3 reads as "a b": refused.
    let r = query_swap(
        &s,
        "/plus",
        "list-type=2&prefix=a%2Bb",
        "list-type=2&prefix=a+b",
    );
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (403, "SignatureDoesNotMatch"),
        "{}",
        r.text()
    );
    // `a%20b` and `a+b` are one query to the signature and to S3.
    let r = query_swap(
        &s,
        "/plus",
        "list-type=2&prefix=a%20b",
        "list-type=2&prefix=a+b",
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<Key>a b.txt</Key>") && !r.text().contains("a+b.txt"),
        "{}",
        r.text()
    );
    let r = query_swap(
        &s,
        "/plus",
        "list-type=2&prefix=a%2Bb",
        "list-type=2&prefix=a%2Bb",
    );
    assert!(
        r.text().contains("<Key>a+b.txt</Key>") && !r.text().contains("a b.txt"),
        "{}",
        r.text()
    );

    // Signature Version 2, in the header and presigned: S3's own answer, not anonymous.
    let anon = s.client(None);
    let host = ("host".to_string(), s.addr.clone());
    let v2 = [
        host.clone(),
        (
            "authorization".into(),
            format!("AWS {}:c2lnbmF0dXJlIQ==", s.admin.id),
        ),
        ("date".into(), "Tue, 01 Dec 2026 00:00:00 GMT".into()),
    ];
    let presigned_v2 = format!(
        "AWSAccessKeyId={}&Expires=4102444800&Signature=c2lnbmF0dXJlIQ%3D%3D",
        s.admin.id
    );
    for (headers, query) in [(&v2[..], ""), (&[host.clone()][..], presigned_v2.as_str())] {
        let r = anon.raw("GET", "/plus/a%20b.txt", query, headers, b"");
        assert_eq!(
            (r.status, r.xml_code().as_str()),
            (400, "InvalidRequest"),
            "{}",
            r.text()
        );
        assert!(
            r.text().contains("Please use AWS4-HMAC-SHA256."),
            "{}",
            r.text()
        );
    }
    // The query protocol's SigV2 is named too, not taken for a missing signature.
    let q = format!(
        "Action=ListUsers&Version=2010-05-08&AWSAccessKeyId={}&SignatureVersion=2&SignatureMethod=HmacSHA256&Timestamp=2026-12-01T00%3A00%3A00Z&Signature=x",
        s.admin.id
    );
    let r = anon.raw("GET", "/", &q, std::slice::from_ref(&host), b"");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().contains("<Code>IncompleteSignature</Code>")
            && r.text().contains("AWS4-HMAC-SHA256"),
        "{}",
        r.text()
    );
    // ...and in a form body.
    let form = [host, (FORM.0.to_string(), FORM.1.to_string())];
    let r = anon.raw("POST", "/", "", &form, q.as_bytes());
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(
        r.text().contains("<Code>IncompleteSignature</Code>")
            && r.text().contains("AWS4-HMAC-SHA256"),
        "{}",
        r.text()
    );
}

#[test]
fn only_s3_accepts_an_unsigned_payload() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let unsigned = ("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    let r = admin.s3("PUT", "/upl", "", &[unsigned], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = admin.s3("PUT", "/upl/k", "", &[unsigned], b"body");
    assert_eq!(r.status, 200, "{}", r.text());
    let r = admin.send(
        "kms",
        "POST",
        "/",
        "",
        vec![
            (JSON.0.into(), JSON.1.into()),
            ("x-amz-target".into(), "TrentService.CreateKey".into()),
            (unsigned.0.into(), unsigned.1.into()),
        ],
        b"{}",
    );
    assert_eq!(
        r.json()["__type"],
        "IncompleteSignatureException",
        "{}",
        r.text()
    );
    assert_eq!(admin.kms("ListKeys", json!({})).json()["Keys"], json!([]));
    let r = admin.send(
        "iam",
        "POST",
        "/",
        "",
        vec![
            (FORM.0.into(), FORM.1.into()),
            (unsigned.0.into(), unsigned.1.into()),
        ],
        b"Action=CreateUser&Version=2010-05-08&UserName=u",
    );
    assert!(
        r.text().contains("<Code>IncompleteSignature</Code>"),
        "{}",
        r.text()
    );
    // S3 signed in the header must name its payload hash.
    let mut hs = admin.signed("s3", "GET", "/upl", "", vec![], b"");
    hs.retain(|(n, _)| n != "x-amz-content-sha256");
    let r = admin.raw("GET", "/upl", "", &hs, b"");
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (400, "InvalidRequest"),
        "{}",
        r.text()
    );
}

type Headers = Vec<(String, String)>;

/// 200 MB, the size of the example.
const BIG: usize = 200 * 1024 * 1024;

#[test]
fn an_unauthenticated_large_request_is_refused_on_its_head_in_every_protocol() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/big", "", &[], b"").status, 200);
    let wrong = Creds {
        id: s.admin.id.clone(),
        secret: "x".repeat(40),
    };
    let unknown = Creds {
        id: "AKIAUNKNOWNUNKNOWN00".into(),
        secret: "x".repeat(40),
    };
    let declared_hash = ("x-amz-content-sha256", "a".repeat(64));
    let s3_put = |c: Option<&Creds>, extra: &[(&str, &str)]| {
        let mut hs: Vec<(String, String)> = extra
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        hs.push((declared_hash.0.into(), declared_hash.1.clone()));
        s.client(c).signed("s3", "PUT", "/big/k", "", hs, b"")
    };
    let rpc = |c: Option<&Creds>, service: &str, head: (&str, &str), target: Option<&str>| {
        let mut hs = vec![(head.0.to_string(), head.1.to_string())];
        if let Some(t) = target {
            hs.push(("x-amz-target".into(), t.into()));
        }
        s.client(c).signed(service, "POST", "/", "", hs, b"{}")
    };
    let mut added = s3_put(Some(&s.admin), &[]);
    added.push(("x-amz-acl".into(), "public-read".into()));
    let kms = Some("TrentService.Encrypt");
    let ct = Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails");
    let cases: Vec<(&str, Headers, u16, &str)> = vec![
        (
            "S3, wrong secret",
            s3_put(Some(&wrong), &[]),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "S3, unknown key",
            s3_put(Some(&unknown), &[]),
            403,
            "InvalidAccessKeyId",
        ),
        ("S3, unsigned", s3_put(None, &[]), 400, "EntityTooLarge"),
        ("S3, an unsigned x-amz header", added, 403, "AccessDenied"),
        (
            "KMS, unsigned",
            rpc(None, "kms", JSON, kms),
            400,
            "MissingAuthenticationTokenException",
        ),
        (
            "KMS, unknown key",
            rpc(Some(&unknown), "kms", JSON, kms),
            400,
            "UnrecognizedClientException",
        ),
        // The body is in its signature: too large for any KMS call, whoever signed.
        (
            "KMS, wrong secret",
            rpc(Some(&wrong), "kms", JSON, kms),
            413,
            "RequestEntityTooLarge",
        ),
        (
            "CloudTrail, unknown key",
            rpc(Some(&unknown), "cloudtrail", JSON, ct),
            400,
            "UnrecognizedClientException",
        ),
        (
            "IAM, unsigned",
            rpc(None, "iam", FORM, None),
            413,
            "RequestEntityTooLarge",
        ),
        (
            "IAM, unknown key",
            rpc(Some(&unknown), "iam", FORM, None),
            403,
            "InvalidClientTokenId",
        ),
        (
            "STS, unknown key",
            rpc(Some(&unknown), "sts", FORM, None),
            403,
            "InvalidClientTokenId",
        ),
    ];
    for (name, headers, status, code) in &cases {
        let target = if name.starts_with("S3") {
            "/big/k"
        } else {
            "/"
        };
        let method = if name.starts_with("S3") {
            "PUT"
        } else {
            "POST"
        };
        let r = admin.head_only(method, target, headers, BIG);
        let got = if r.text().starts_with('{') {
            r.json()["__type"].as_str().unwrap_or("").to_string()
        } else {
            r.xml_code()
        };
        assert_eq!(
            (r.status, got.as_str()),
            (*status, *code),
            "{name}: {}",
            r.text()
        );
    }
    // Even a signed upload is refused on its head when it announces more than one request
    // may carry.
    let r = admin.head_only(
        "PUT",
        "/big/k",
        &s3_put(Some(&s.admin), &[]),
        300 * 1024 * 1024,
    );
    assert_eq!(
        (r.status, r.xml_code().as_str()),
        (400, "EntityTooLarge"),
        "{}",
        r.text()
    );
    // Nothing was stored, and serve still answers.
    let r = admin.s3("GET", "/big/k", "", &[], b"");
    assert_eq!(r.xml_code(), "NoSuchKey");
}

/// The server's peak resident memory (Linux), in bytes.
#[cfg(target_os = "linux")]
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM")
        * 1024
}

/// Streams `BIG` bytes after `head` (chunked when `chunked`), ignoring a server that stops
/// reading, and returns whatever answer arrived.
#[cfg(target_os = "linux")]
fn stream_big(addr: &str, head: String, chunked: bool) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .ok();
    let mut w = s.try_clone().expect("clone");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'z'; 1024 * 1024];
        if w.write_all(head.as_bytes()).is_err() {
            return;
        }
        for _ in 0..BIG / chunk.len() {
            let ok = if chunked {
                w.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                    .and_then(|()| w.write_all(&chunk))
                    .and_then(|()| w.write_all(b"\r\n"))
            } else {
                w.write_all(&chunk)
            };
            if ok.is_err() {
                return;
            }
        }
        let _ = w.write_all(if chunked { b"0\r\n\r\n" } else { b"" });
    });
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let _ = writer.join();
    answer
}

#[test]
#[cfg(target_os = "linux")]
fn unauthenticated_200_mb_bodies_do_not_grow_the_server() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    assert_eq!(admin.s3("PUT", "/mem", "", &[], b"").status, 200);
    let before = peak_rss(s.child.id());
    let wrong = s.client(Some(&Creds {
        id: s.admin.id.clone(),
        secret: "x".repeat(40),
    }));
    let signed = wrong.signed(
        "s3",
        "PUT",
        "/mem/k",
        "",
        vec![("x-amz-content-sha256".into(), "UNSIGNED-PAYLOAD".into())],
        b"",
    );
    let mut head = "PUT /mem/k HTTP/1.1\r\n".to_string();
    for (n, v) in &signed {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str(&format!("content-length: {BIG}\r\n\r\n"));
    let answer = String::from_utf8_lossy(&stream_big(&s.addr, head, false)).into_owned();
    assert!(answer.contains("SignatureDoesNotMatch"), "{answer}");
    // Unsigned and chunked: no length to refuse up front, cut off at the anonymous limit.
    let head = format!(
        "PUT /mem/k2 HTTP/1.1\r\nhost: {}\r\ntransfer-encoding: chunked\r\n\r\n",
        s.addr
    );
    let answer = String::from_utf8_lossy(&stream_big(&s.addr, head, true)).into_owned();
    assert!(answer.contains("EntityTooLarge"), "{answer}");
    let grown = peak_rss(s.child.id()).saturating_sub(before);
    assert!(
        grown < 64 * 1024 * 1024,
        "two unauthenticated 200 MB requests grew serve's peak memory by {} MiB",
        grown / (1024 * 1024)
    );
    assert_eq!(
        admin.s3("GET", "/mem/k", "", &[], b"").xml_code(),
        "NoSuchKey"
    );
}

/// Reads one response off a kept-alive connection (its body by `content-length`).
fn read_one(s: &mut std::net::TcpStream) -> Reply {
    use std::io::Read;
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).expect("response head");
        raw.push(byte[0]);
    }
    let head = Reply::parse(&raw);
    let n: usize = head
        .header("content-length")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; n];
    s.read_exact(&mut body).expect("response body");
    raw.extend_from_slice(&body);
    Reply::parse(&raw)
}

#[test]
fn a_request_refused_on_its_head_leaves_the_connection_usable() {
    use std::io::Write;
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let unknown = Creds {
        id: "AKIAUNKNOWNUNKNOWN00".into(),
        secret: "x".repeat(40),
    };
    let target = (
        "x-amz-target".to_string(),
        "TrentService.ListKeys".to_string(),
    );
    let json = (JSON.0.to_string(), JSON.1.to_string());
    let request = |c: &Creds| {
        let hs = s.client(Some(c)).signed(
            "kms",
            "POST",
            "/",
            "",
            vec![json.clone(), target.clone()],
            b"{}",
        );
        let mut r = "POST / HTTP/1.1\r\n".to_string();
        for (n, v) in hs {
            r.push_str(&format!("{n}: {v}\r\n"));
        }
        r.push_str("content-length: 2\r\n\r\n{}");
        r
    };
    let mut conn = std::net::TcpStream::connect(&s.addr).expect("connect");
    conn.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .ok();
    conn.write_all(request(&unknown).as_bytes()).expect("write");
    let r = read_one(&mut conn);
    assert_eq!(
        r.json()["__type"],
        "UnrecognizedClientException",
        "{}",
        r.text()
    );
    conn.write_all(request(&s.admin).as_bytes()).expect("write");
    let r = read_one(&mut conn);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.json()["Keys"].is_array(), "{}", r.text());
}
