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

fn call(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    let mut p = p;
    p["Bucket"] = json!("bkt");
    c.call_json(&CallContext::lab_admin(), op, &p)
}

#[test]
fn versioning_keeps_every_version_and_delete_markers_hide_without_losing() {
    let mut c = cloud();
    assert_eq!(
        call(&mut c, "s3:GetBucketVersioning", json!({})).unwrap(),
        json!({})
    );
    let unversioned = put(&mut c, json!({"Key": "k"}), b"zero").unwrap();
    assert!(unversioned.get("VersionId").is_none());
    call(
        &mut c,
        "s3:PutBucketVersioning",
        json!({"VersioningConfiguration": {"Status": "Enabled"}}),
    )
    .unwrap();
    assert_eq!(
        call(&mut c, "s3:GetBucketVersioning", json!({})).unwrap()["Status"],
        "Enabled"
    );
    let v1 = put(&mut c, json!({"Key": "k"}), b"one").unwrap()["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    let v2 = put(&mut c, json!({"Key": "k"}), b"two").unwrap()["VersionId"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(v1, v2);
    assert_eq!(v1.len(), 32);
    let body = |c: &mut Cloud, v: &str| {
        get(c, "s3:GetObject", json!({"Key": "k", "VersionId": v})).map(|(_, b)| b)
    };
    assert_eq!(body(&mut c, "null").unwrap(), b"zero");
    assert_eq!(body(&mut c, &v1).unwrap(), b"one");
    assert_eq!(
        get(&mut c, "s3:GetObject", json!({"Key": "k"})).unwrap().1,
        b"two"
    );

    // A delete hides the object behind a delete marker; every version stays readable by id.
    let d = call(&mut c, "s3:DeleteObject", json!({"Key": "k"})).unwrap();
    assert_eq!(d["DeleteMarker"], true);
    let marker = d["VersionId"].as_str().unwrap().to_string();
    assert_eq!(
        code(get(&mut c, "s3:GetObject", json!({"Key": "k"}))),
        ("NoSuchKey".into(), 404)
    );
    assert_eq!(body(&mut c, &v2).unwrap(), b"two");
    assert_eq!(
        code(body(&mut c, &marker)),
        ("MethodNotAllowed".into(), 405)
    );
    let l = call(&mut c, "s3:ListObjectVersions", json!({})).unwrap();
    let ids: Vec<&str> = l["Versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["VersionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [v2.as_str(), v1.as_str(), "null"], "newest first");
    assert_eq!(l["DeleteMarkers"][0]["VersionId"], marker.as_str());
    assert_eq!(l["DeleteMarkers"][0]["IsLatest"], true);
    assert_eq!(l["Versions"][0]["IsLatest"], false);
    // ListObjectsV2 shows only current objects.
    assert_eq!(
        call(&mut c, "s3:ListObjectsV2", json!({})).unwrap()["KeyCount"],
        0
    );
    let page = call(&mut c, "s3:ListObjectVersions", json!({"MaxKeys": 2})).unwrap();
    assert_eq!(page["IsTruncated"], true);
    let rest = call(
        &mut c,
        "s3:ListObjectVersions",
        json!({"KeyMarker": page["NextKeyMarker"], "VersionIdMarker": page["NextVersionIdMarker"]}),
    )
    .unwrap();
    assert_eq!(rest["Versions"].as_array().unwrap().len(), 2);

    // Deleting the marker brings v2 back; deleting v2 for good makes v1 current.
    call(
        &mut c,
        "s3:DeleteObject",
        json!({"Key": "k", "VersionId": marker}),
    )
    .unwrap();
    assert_eq!(
        get(&mut c, "s3:GetObject", json!({"Key": "k"})).unwrap().1,
        b"two"
    );
    call(
        &mut c,
        "s3:DeleteObject",
        json!({"Key": "k", "VersionId": v2}),
    )
    .unwrap();
    assert_eq!(
        get(&mut c, "s3:GetObject", json!({"Key": "k"})).unwrap().1,
        b"one"
    );
    assert_eq!(code(body(&mut c, &v2)), ("NoSuchVersion".into(), 404));

    // Bad version ids: AWS's codes, nothing changed.
    assert_eq!(
        code(body(&mut c, "not-a-version")),
        ("InvalidArgument".into(), 400)
    );
    assert_eq!(
        code(call(
            &mut c,
            "s3:DeleteObject",
            json!({"Key": "k", "VersionId": "bad/id"})
        )),
        ("InvalidArgument".into(), 400)
    );
    let unknown = "A".repeat(32);
    call(
        &mut c,
        "s3:DeleteObject",
        json!({"Key": "k", "VersionId": unknown}),
    )
    .unwrap();
    assert_eq!(
        get(&mut c, "s3:GetObject", json!({"Key": "k"})).unwrap().1,
        b"one"
    );
    // A bucket with versions is not empty.
    for v in [v1.as_str(), "null"] {
        call(
            &mut c,
            "s3:DeleteObject",
            json!({"Key": "k", "VersionId": v}),
        )
        .unwrap();
    }
    call(&mut c, "s3:DeleteBucket", json!({})).unwrap();
}

#[test]
fn suspended_versioning_overwrites_only_the_null_version() {
    let mut c = cloud();
    call(
        &mut c,
        "s3:PutBucketVersioning",
        json!({"VersioningConfiguration": {"Status": "Enabled"}}),
    )
    .unwrap();
    let v1 = put(&mut c, json!({"Key": "k"}), b"one").unwrap()["VersionId"].clone();
    call(
        &mut c,
        "s3:PutBucketVersioning",
        json!({"VersioningConfiguration": {"Status": "Suspended"}}),
    )
    .unwrap();
    assert_eq!(
        put(&mut c, json!({"Key": "k"}), b"two").unwrap()["VersionId"],
        "null"
    );
    assert_eq!(
        put(&mut c, json!({"Key": "k"}), b"three").unwrap()["VersionId"],
        "null"
    );
    let l = call(&mut c, "s3:ListObjectVersions", json!({})).unwrap();
    assert_eq!(l["Versions"].as_array().unwrap().len(), 2);
    let (_, b) = get(&mut c, "s3:GetObject", json!({"Key": "k", "VersionId": v1})).unwrap();
    assert_eq!(b, b"one");
    assert_eq!(
        code(call(
            &mut c,
            "s3:PutBucketVersioning",
            json!({"VersioningConfiguration": {"Status": "Off"}})
        )),
        ("MalformedXML".into(), 400)
    );
}

#[test]
fn explicit_sse_kms_headers_take_the_buckets_bucket_key_setting() {
    let mut c = cloud();
    let ctx = CallContext::lab_admin();
    let key = c.call_json(&ctx, "kms:CreateKey", &json!({})).unwrap()["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    call(
        &mut c,
        "s3:PutBucketEncryption",
        json!({"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault":
            {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key}, "BucketKeyEnabled": true}]}}),
    )
    .unwrap();
    let explicit = json!({"Key": "e", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": key});
    assert_eq!(
        put(&mut c, explicit, b"x").unwrap()["BucketKeyEnabled"],
        true
    );
    let (f, _) = get(&mut c, "s3:HeadObject", json!({"Key": "e"})).unwrap();
    assert_eq!(f["BucketKeyEnabled"], true);
    let off = json!({"Key": "o", "ServerSideEncryption": "aws:kms", "BucketKeyEnabled": false});
    assert!(
        put(&mut c, off, b"x")
            .unwrap()
            .get("BucketKeyEnabled")
            .is_none()
    );
}
