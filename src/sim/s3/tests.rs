//! S3 behaviours a client relies on, through the operation table (what `sim`, test files and
//! serve all call): conditional requests.

use serde_json::{Value as Json, json};

use crate::sim::{CallContext, Cloud, SimError};

fn cloud() -> Cloud {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        crate::sim::ids::IdGen::seeded(3),
    )
    .unwrap();
    c.call_json(
        &CallContext::lab_admin(),
        "s3:CreateBucket",
        &json!({"Bucket": "bkt"}),
    )
    .unwrap();
    c
}

fn put(c: &mut Cloud, p: Json, body: &[u8]) -> Result<Json, SimError> {
    let mut p = p;
    p["Bucket"] = json!("bkt");
    c.call(&CallContext::lab_admin(), "s3:PutObject", &p, Some(body))
        .map(|r| r.fields)
}

fn get(c: &mut Cloud, op: &str, p: Json) -> Result<(Json, Vec<u8>), SimError> {
    let mut p = p;
    p["Bucket"] = json!("bkt");
    c.call(&CallContext::lab_admin(), op, &p, None)
        .map(|r| (r.fields, r.body.map(|b| b.to_vec()).unwrap_or_default()))
}

fn code(r: Result<impl std::fmt::Debug, SimError>) -> (String, u16) {
    let e = r.unwrap_err();
    (e.code, e.status)
}

#[test]
fn if_none_match_star_creates_once_and_never_overwrites() {
    let mut c = cloud();
    let lock = json!({"Key": "state.tflock", "IfNoneMatch": "*"});
    put(&mut c, lock.clone(), b"holder one").unwrap();
    assert_eq!(
        code(put(&mut c, lock, b"holder two")),
        ("PreconditionFailed".into(), 412)
    );
    let (_, body) = get(&mut c, "s3:GetObject", json!({"Key": "state.tflock"})).unwrap();
    assert_eq!(body, b"holder one", "the refused write changed nothing");
    // Only `*` is a write condition S3 takes in If-None-Match.
    assert_eq!(
        code(put(
            &mut c,
            json!({"Key": "other", "IfNoneMatch": "\"abc\""}),
            b"x"
        )),
        ("NotImplemented".into(), 501)
    );
    assert!(get(&mut c, "s3:HeadObject", json!({"Key": "other"})).is_err());
}

#[test]
fn if_match_writes_only_over_the_named_version() {
    let mut c = cloud();
    let e1 = put(&mut c, json!({"Key": "k"}), b"one").unwrap()["ETag"].clone();
    let e1 = e1.as_str().unwrap().to_string();
    let e2 = put(&mut c, json!({"Key": "k", "IfMatch": e1}), b"two").unwrap()["ETag"]
        .as_str()
        .unwrap()
        .to_string();
    for stale in [e1.as_str(), "\"malformed", ""] {
        assert_eq!(
            code(put(&mut c, json!({"Key": "k", "IfMatch": stale}), b"three")),
            ("PreconditionFailed".into(), 412),
            "{stale}"
        );
    }
    let (f, body) = get(&mut c, "s3:GetObject", json!({"Key": "k"})).unwrap();
    assert_eq!(
        (f["ETag"].as_str().unwrap(), body.as_slice()),
        (e2.as_str(), &b"two"[..])
    );
    assert_eq!(
        code(put(&mut c, json!({"Key": "absent", "IfMatch": e2}), b"x")),
        ("NoSuchKey".into(), 404)
    );
    assert_eq!(
        code(get(
            &mut c,
            "s3:DeleteObject",
            json!({"Key": "k", "IfMatch": e1})
        )),
        ("PreconditionFailed".into(), 412)
    );
    get(
        &mut c,
        "s3:DeleteObject",
        json!({"Key": "k", "IfMatch": e2}),
    )
    .unwrap();
}

#[test]
fn reads_answer_304_and_412_in_rfc_7232_order() {
    let mut c = cloud();
    let etag = put(&mut c, json!({"Key": "k"}), b"body").unwrap()["ETag"]
        .as_str()
        .unwrap()
        .to_string();
    let (before, written, after) = (
        "2025-12-31T00:00:00Z",
        "2026-01-01T00:00:00Z",
        "2026-01-02T00:00:00Z",
    );
    for op in ["s3:GetObject", "s3:HeadObject"] {
        let cases: Vec<(Json, Option<(&str, u16)>)> = vec![
            (json!({"IfMatch": etag}), None),
            (
                json!({"IfMatch": "\"other\""}),
                Some(("PreconditionFailed", 412)),
            ),
            (json!({"IfNoneMatch": etag}), Some(("NotModified", 304))),
            (json!({"IfNoneMatch": "\"other\""}), None),
            (
                json!({"IfModifiedSince": written}),
                Some(("NotModified", 304)),
            ),
            (json!({"IfModifiedSince": before}), None),
            (
                json!({"IfUnmodifiedSince": before}),
                Some(("PreconditionFailed", 412)),
            ),
            (json!({"IfUnmodifiedSince": after}), None),
            // If-Match true wins over If-Unmodified-Since false ...
            (json!({"IfMatch": etag, "IfUnmodifiedSince": before}), None),
            // ... and If-None-Match false with If-Modified-Since true is 304.
            (
                json!({"IfNoneMatch": etag, "IfModifiedSince": before}),
                Some(("NotModified", 304)),
            ),
        ];
        for (cond, want) in cases {
            let mut p = cond.clone();
            p["Key"] = json!("k");
            let r = get(&mut c, op, p);
            match want {
                None => assert!(r.is_ok(), "{op} {cond}: {:?}", r.err()),
                Some((code_, status)) => {
                    assert_eq!(code(r), (code_.to_string(), status), "{op} {cond}")
                }
            }
        }
    }
}
