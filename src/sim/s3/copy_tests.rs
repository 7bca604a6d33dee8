//! Copies, tags, ListParts and checksums as a client relies on them, through the operation
//! table.

use serde_json::{Value as Json, json};

use crate::sim::{CallContext, Cloud, SimError};

fn admin() -> CallContext {
    CallContext::lab_admin()
}

fn cloud() -> Cloud {
    let mut c = Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        crate::sim::ids::IdGen::seeded(5),
    )
    .unwrap();
    c.call_json(&admin(), "s3:CreateBucket", &json!({"Bucket": "bkt"}))
        .unwrap();
    c
}

fn call(c: &mut Cloud, ctx: &CallContext, op: &str, p: Json) -> Result<Json, SimError> {
    c.call_json(ctx, op, &p)
}

fn put(c: &mut Cloud, p: Json, body: &[u8]) -> Json {
    c.call(&admin(), "s3:PutObject", &p, Some(body))
        .unwrap()
        .fields
}

fn read(c: &mut Cloud, ctx: &CallContext, k: &str) -> Result<(Json, Vec<u8>), SimError> {
    c.call(
        ctx,
        "s3:GetObject",
        &json!({"Bucket": "bkt", "Key": k}),
        None,
    )
    .map(|r| (r.fields, r.body.map(|b| b.to_vec()).unwrap_or_default()))
}

fn key(c: &mut Cloud) -> String {
    call(c, &admin(), "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string()
}

fn code(r: Result<impl std::fmt::Debug, SimError>) -> (String, u16) {
    let e = r.unwrap_err();
    (e.code, e.status)
}

/// A user with one inline policy.
fn user(c: &mut Cloud, name: &str, statements: Json) -> CallContext {
    call(c, &admin(), "iam:CreateUser", json!({"UserName": name})).unwrap();
    let doc = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    call(
        c,
        &admin(),
        "iam:PutUserPolicy",
        json!({"UserName": name, "PolicyName": "p", "PolicyDocument": doc}),
    )
    .unwrap();
    CallContext::user(name)
}

#[test]
fn copying_an_object_onto_itself_with_a_new_kms_key_re_encrypts_it() {
    let mut c = cloud();
    let (old, new) = (key(&mut c), key(&mut c));
    put(
        &mut c,
        json!({"Bucket": "bkt", "Key": "doc", "ServerSideEncryption": "aws:kms",
               "SSEKMSKeyId": old, "Metadata": {"team": "blue"}, "ContentType": "text/plain"}),
        b"secret",
    );
    // Nothing changes: S3 refuses.
    assert_eq!(
        code(call(
            &mut c,
            &admin(),
            "s3:CopyObject",
            json!({"Bucket": "bkt", "Key": "doc", "CopySource": "bkt/doc"})
        )),
        ("InvalidRequest".into(), 400)
    );
    let out = call(
        &mut c,
        &admin(),
        "s3:CopyObject",
        json!({"Bucket": "bkt", "Key": "doc", "CopySource": "bkt/doc",
               "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": new}),
    )
    .unwrap();
    assert_eq!(out["SSEKMSKeyId"], json!(new));
    assert!(out["CopyObjectResult"]["ETag"].is_string());
    let (f, body) = read(&mut c, &admin(), "doc").unwrap();
    assert_eq!(body, b"secret");
    assert_eq!(f["SSEKMSKeyId"], json!(new));
    // The metadata directive COPY kept the metadata and content type.
    assert_eq!(f["Metadata"], json!({"team": "blue"}));
    assert_eq!(f["ContentType"], json!("text/plain"));
    // The old key can be disabled: nothing depends on it any more.
    call(&mut c, &admin(), "kms:DisableKey", json!({"KeyId": old})).unwrap();
    assert_eq!(read(&mut c, &admin(), "doc").unwrap().1, b"secret");
}

#[test]
fn a_copy_needs_decrypt_on_the_source_key_and_changes_nothing_when_denied() {
    let mut c = cloud();
    let k = key(&mut c);
    put(
        &mut c,
        json!({"Bucket": "bkt", "Key": "src", "ServerSideEncryption": "aws:kms", "SSEKMSKeyId": k}),
        b"data",
    );
    let s3_only = user(
        &mut c,
        "copier",
        json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]),
    );
    let copy = json!({"Bucket": "bkt", "Key": "dst", "CopySource": "bkt/src",
                      "ServerSideEncryption": "AES256"});
    let (code_, status) = code(call(&mut c, &s3_only, "s3:CopyObject", copy.clone()));
    assert_eq!((code_.as_str(), status), ("AccessDenied", 403), "{code_}");
    assert_eq!(code(read(&mut c, &admin(), "dst")).0, "NoSuchKey");
    let with_kms = user(
        &mut c,
        "copier2",
        json!([{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "kms:Decrypt"],
                "Resource": "*"}]),
    );
    call(&mut c, &with_kms, "s3:CopyObject", copy).unwrap();
    let (f, body) = read(&mut c, &admin(), "dst").unwrap();
    assert_eq!(
        (f["ServerSideEncryption"].as_str(), body.as_slice()),
        (Some("AES256"), &b"data"[..])
    );
}

#[test]
fn copy_conditions_missing_sources_and_bad_sources_are_refused_with_awss_codes() {
    let mut c = cloud();
    let etag = put(&mut c, json!({"Bucket": "bkt", "Key": "a"}), b"one")["ETag"]
        .as_str()
        .unwrap()
        .to_string();
    let copy = |extra: Json| {
        let mut p = json!({"Bucket": "bkt", "Key": "b", "CopySource": "bkt/a"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    for (extra, want) in [
        (
            json!({"CopySourceIfMatch": "\"nope\""}),
            ("PreconditionFailed", 412),
        ),
        (
            json!({"CopySourceIfMatch": "\"malformed"}),
            ("PreconditionFailed", 412),
        ),
        (
            json!({"CopySourceIfNoneMatch": etag}),
            ("PreconditionFailed", 412),
        ),
        (
            json!({"CopySourceIfUnmodifiedSince": "2025-01-01T00:00:00Z"}),
            ("PreconditionFailed", 412),
        ),
        (json!({"CopySource": "bkt/missing"}), ("NoSuchKey", 404)),
        (json!({"CopySource": "nobucket/a"}), ("NoSuchBucket", 404)),
        (
            json!({"CopySource": "justabucket"}),
            ("InvalidArgument", 400),
        ),
        (
            json!({"CopySource": "bkt/a?versionId=nonexistentversionid000000000000"}),
            ("NoSuchVersion", 404),
        ),
    ] {
        let r = call(&mut c, &admin(), "s3:CopyObject", copy(extra.clone()));
        let (got, status) = code(r);
        assert_eq!((got.as_str(), status), want, "{extra}");
        assert_eq!(code(read(&mut c, &admin(), "b")).0, "NoSuchKey", "{extra}");
    }
    call(
        &mut c,
        &admin(),
        "s3:CopyObject",
        copy(json!({"CopySourceIfMatch": etag})),
    )
    .unwrap();
    assert_eq!(read(&mut c, &admin(), "b").unwrap().1, b"one");
}

#[test]
fn tags_are_set_read_copied_replaced_and_deleted() {
    let mut c = cloud();
    put(
        &mut c,
        json!({"Bucket": "bkt", "Key": "t", "Tagging": "team=blue&stage=dev%20one"}),
        b"x",
    );
    let get = |c: &mut Cloud, k: &str| {
        call(
            c,
            &admin(),
            "s3:GetObjectTagging",
            json!({"Bucket": "bkt", "Key": k}),
        )
        .unwrap()["TagSet"]
            .clone()
    };
    assert_eq!(
        get(&mut c, "t"),
        json!([{"Key": "stage", "Value": "dev one"}, {"Key": "team", "Value": "blue"}])
    );
    assert_eq!(read(&mut c, &admin(), "t").unwrap().0["TagCount"], json!(2));
    call(
        &mut c,
        &admin(),
        "s3:CopyObject",
        json!({"Bucket": "bkt", "Key": "copy", "CopySource": "bkt/t"}),
    )
    .unwrap();
    assert_eq!(get(&mut c, "copy").as_array().unwrap().len(), 2);
    call(
        &mut c,
        &admin(),
        "s3:CopyObject",
        json!({"Bucket": "bkt", "Key": "copy", "CopySource": "bkt/t",
               "TaggingDirective": "REPLACE", "Tagging": "only=this"}),
    )
    .unwrap();
    assert_eq!(
        get(&mut c, "copy"),
        json!([{"Key": "only", "Value": "this"}])
    );
    let eleven: Vec<Json> = (0..11)
        .map(|i| json!({"Key": format!("k{i}"), "Value": "v"}))
        .collect();
    assert_eq!(
        code(call(
            &mut c,
            &admin(),
            "s3:PutObjectTagging",
            json!({"Bucket": "bkt", "Key": "t", "Tagging": {"TagSet": eleven}})
        )),
        ("InvalidTag".into(), 400)
    );
    assert_eq!(
        get(&mut c, "t").as_array().unwrap().len(),
        2,
        "a refused tagging changed nothing"
    );
    call(
        &mut c,
        &admin(),
        "s3:DeleteObjectTagging",
        json!({"Bucket": "bkt", "Key": "t"}),
    )
    .unwrap();
    assert_eq!(get(&mut c, "t"), json!([]));
    // Bucket tags: none is NoSuchTagSet, as S3 answers.
    assert_eq!(
        code(call(
            &mut c,
            &admin(),
            "s3:GetBucketTagging",
            json!({"Bucket": "bkt"})
        )),
        ("NoSuchTagSet".into(), 404)
    );
    call(
        &mut c,
        &admin(),
        "s3:PutBucketTagging",
        json!({"Bucket": "bkt", "Tagging": {"TagSet": [{"Key": "env", "Value": "lab"}]}}),
    )
    .unwrap();
    assert_eq!(
        call(
            &mut c,
            &admin(),
            "s3:GetBucketTagging",
            json!({"Bucket": "bkt"})
        )
        .unwrap()["TagSet"],
        json!([{"Key": "env", "Value": "lab"}])
    );
    // Tagging on upload needs s3:PutObjectTagging too.
    let no_tagging = user(
        &mut c,
        "writer",
        json!([{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]),
    );
    let r = c.call(
        &no_tagging,
        "s3:PutObject",
        &json!({"Bucket": "bkt", "Key": "w", "Tagging": "a=b"}),
        Some(b"x"),
    );
    assert_eq!(code(r).0, "AccessDenied");
}

#[test]
fn checksums_are_kept_per_algorithm_composite_for_multipart_and_absent_from_ranges() {
    let mut c = cloud();
    let crc = put(
        &mut c,
        json!({"Bucket": "bkt", "Key": "c", "ChecksumAlgorithm": "CRC32"}),
        b"123456789",
    );
    assert_eq!(crc["ChecksumCRC32"], json!("y/Q5Jg=="));
    let (f, _) = read(&mut c, &admin(), "c").unwrap();
    assert_eq!(
        (f["ChecksumCRC32"].as_str(), f["ChecksumType"].as_str()),
        (Some("y/Q5Jg=="), Some("FULL_OBJECT"))
    );
    assert!(f.get("ChecksumSHA256").is_none());
    // No algorithm named: S3's default CRC64NVME.
    put(&mut c, json!({"Bucket": "bkt", "Key": "d"}), b"123456789");
    assert!(read(&mut c, &admin(), "d").unwrap().0["ChecksumCRC64NVME"].is_string());
    // A wrong checksum is BadDigest and stores nothing.
    let r = c.call(
        &admin(),
        "s3:PutObject",
        &json!({"Bucket": "bkt", "Key": "bad", "ChecksumCRC32": "AAAAAA=="}),
        Some(b"x"),
    );
    assert_eq!(code(r), ("BadDigest".into(), 400));
    // A ranged read carries no checksum.
    let ranged = c
        .call(
            &admin(),
            "s3:GetObject",
            &json!({"Bucket": "bkt", "Key": "c", "Range": "bytes=0-2"}),
            None,
        )
        .unwrap();
    assert!(
        ranged
            .fields
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.starts_with("Checksum"))
    );
    // Multipart with CRC32: composite checksum of the parts' checksums, "-N", echoed.
    let up = call(
        &mut c,
        &admin(),
        "s3:CreateMultipartUpload",
        json!({"Bucket": "bkt", "Key": "m", "ChecksumAlgorithm": "CRC32"}),
    )
    .unwrap();
    assert_eq!(
        (
            up["ChecksumAlgorithm"].as_str(),
            up["ChecksumType"].as_str()
        ),
        (Some("CRC32"), Some("COMPOSITE"))
    );
    let id = up["UploadId"].as_str().unwrap().to_string();
    let big = vec![b'a'; 5 * 1024 * 1024];
    let mut parts = Vec::new();
    let mut sums = Vec::new();
    for (n, body) in [(1, big.as_slice()), (2, b"tail".as_slice())] {
        let f = c
            .call(
                &admin(),
                "s3:UploadPart",
                &json!({"Bucket": "bkt", "Key": "m", "UploadId": id, "PartNumber": n}),
                Some(body),
            )
            .unwrap()
            .fields;
        sums.push(f["ChecksumCRC32"].as_str().unwrap().to_string());
        parts.push(json!({"PartNumber": n, "ETag": f["ETag"]}));
    }
    let listed = call(
        &mut c,
        &admin(),
        "s3:ListParts",
        json!({"Bucket": "bkt", "Key": "m", "UploadId": id}),
    )
    .unwrap();
    assert_eq!(listed["Parts"].as_array().unwrap().len(), 2);
    assert_eq!(listed["Parts"][1]["Size"], json!(4));
    assert_eq!(listed["ChecksumAlgorithm"], json!("CRC32"));
    let one = call(
        &mut c,
        &admin(),
        "s3:ListParts",
        json!({"Bucket": "bkt", "Key": "m", "UploadId": id, "MaxParts": 1}),
    )
    .unwrap();
    assert_eq!(
        (
            one["IsTruncated"].as_bool(),
            one["NextPartNumberMarker"].as_i64()
        ),
        (Some(true), Some(1))
    );
    let done = call(
        &mut c,
        &admin(),
        "s3:CompleteMultipartUpload",
        json!({"Bucket": "bkt", "Key": "m", "UploadId": id, "MultipartUpload": {"Parts": parts}}),
    )
    .unwrap();
    let want = super::checksum::composite("CRC32", &sums).unwrap();
    assert!(want.ends_with("-2"));
    assert_eq!(
        (
            done["ChecksumCRC32"].as_str(),
            done["ChecksumType"].as_str()
        ),
        (Some(want.as_str()), Some("COMPOSITE"))
    );
    assert_eq!(
        read(&mut c, &admin(), "m").unwrap().0["ChecksumCRC32"],
        json!(want)
    );
    // SHA256 cannot be full-object; CRC64NVME cannot be composite.
    for (alg, kind) in [("SHA256", "FULL_OBJECT"), ("CRC64NVME", "COMPOSITE")] {
        let r = call(
            &mut c,
            &admin(),
            "s3:CreateMultipartUpload",
            json!({"Bucket": "bkt", "Key": "x", "ChecksumAlgorithm": alg, "ChecksumType": kind}),
        );
        assert_eq!(code(r), ("InvalidRequest".into(), 400));
    }
}

#[test]
fn upload_part_copy_takes_a_range_of_an_object() {
    let mut c = cloud();
    let big: Vec<u8> = (0..(6 * 1024 * 1024)).map(|i| (i % 251) as u8).collect();
    put(&mut c, json!({"Bucket": "bkt", "Key": "src"}), &big);
    let id = call(
        &mut c,
        &admin(),
        "s3:CreateMultipartUpload",
        json!({"Bucket": "bkt", "Key": "dst"}),
    )
    .unwrap()["UploadId"]
        .as_str()
        .unwrap()
        .to_string();
    let half = 5 * 1024 * 1024;
    let mut parts = Vec::new();
    for (n, range) in [
        (1, format!("bytes=0-{}", half - 1)),
        (2, format!("bytes={half}-{}", big.len() - 1)),
    ] {
        let f = call(
            &mut c,
            &admin(),
            "s3:UploadPartCopy",
            json!({"Bucket": "bkt", "Key": "dst", "UploadId": id, "PartNumber": n,
                   "CopySource": "bkt/src", "CopySourceRange": range}),
        )
        .unwrap();
        parts.push(json!({"PartNumber": n, "ETag": f["CopyPartResult"]["ETag"]}));
    }
    assert_eq!(
        code(call(
            &mut c,
            &admin(),
            "s3:UploadPartCopy",
            json!({"Bucket": "bkt", "Key": "dst", "UploadId": id, "PartNumber": 3,
                   "CopySource": "bkt/src", "CopySourceRange": "bytes=0-99999999"})
        )),
        ("InvalidArgument".into(), 400)
    );
    call(
        &mut c,
        &admin(),
        "s3:CompleteMultipartUpload",
        json!({"Bucket": "bkt", "Key": "dst", "UploadId": id, "MultipartUpload": {"Parts": parts}}),
    )
    .unwrap();
    assert_eq!(read(&mut c, &admin(), "dst").unwrap().1, big);
}
