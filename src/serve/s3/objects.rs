//! S3 copies, tags, ListParts and checksums on the wire: `x-amz-copy-source` PUTs (CopyObject,
//! UploadPartCopy), `?tagging` on objects and buckets, GET `?uploadId` (ListParts), and the
//! `x-amz-checksum-*` response headers.

use super::*;
use crate::sim::s3::checksum;

/// The checksum headers of a result (`ChecksumCRC32` -> `x-amz-checksum-crc32`, and
/// `x-amz-checksum-type`).
pub(super) fn checksum_headers(mut r: Response, f: &Json) -> Response {
    for alg in checksum::ALGORITHMS {
        if let Some(v) = f.get(checksum::member(alg)).and_then(Json::as_str) {
            r = r.header(&format!("x-amz-checksum-{}", alg.to_ascii_lowercase()), v);
        }
    }
    if let Some(t) = f.get("ChecksumType").and_then(Json::as_str) {
        r = r.header("x-amz-checksum-type", t);
    }
    r
}

/// The checksum members of a result as XML leaves.
pub(super) fn checksum_leaves(w: &mut Writer, f: &Json) {
    for alg in checksum::ALGORITHMS {
        let m = checksum::member(alg);
        w.leaf_json(&m, f.get(&m));
    }
    w.leaf_json("ChecksumType", f.get("ChecksumType"));
}

/// The checksum a request body came with, as its parameter (`ChecksumCRC32`: value).
pub(super) fn checksum_param(p: &mut Json, echo: &Option<(String, String)>) {
    if let Some((name, value)) = echo
        && let Some(alg) = name.strip_prefix("x-amz-checksum-")
    {
        p[format!("Checksum{}", alg.to_ascii_uppercase())] = json!(value.trim());
    }
}

/// PUT with `x-amz-copy-source` and no upload: CopyObject.
pub(super) fn copy_object(
    call: &mut SimCall<'_>,
    req: &Request,
    b: &str,
    k: &str,
    rid: &str,
) -> Result<Response, WireError> {
    let mut p = put_params(req, b, k)?;
    if req.header("content-type").is_none()
        && let Some(m) = p.as_object_mut()
    {
        m.remove("ContentType");
    }
    p["CopySource"] = json!(req.header("x-amz-copy-source").unwrap_or_default());
    for (h, n) in [
        ("x-amz-metadata-directive", "MetadataDirective"),
        ("x-amz-tagging-directive", "TaggingDirective"),
    ] {
        if let Some(v) = req.header(h) {
            p[n] = json!(v);
        }
    }
    condition_params(req, &mut p, true, true);
    condition_params(req, &mut p, false, false);
    let f = call("s3:CopyObject", p, None)?.fields;
    let r = &f["CopyObjectResult"];
    let mut w = Writer::document();
    w.open_ns("CopyObjectResult", NS)
        .leaf_json("ETag", r.get("ETag"))
        .leaf_json("LastModified", r.get("LastModified"));
    checksum_leaves(&mut w, r);
    w.close("CopyObjectResult");
    let mut resp = version_headers(sse_headers(xml_ok(rid, w), &f), &f);
    if let Some(v) = f.get("CopySourceVersionId").and_then(Json::as_str) {
        resp = resp.header("x-amz-copy-source-version-id", v);
    }
    Ok(resp)
}

/// PUT `?partNumber&uploadId` with `x-amz-copy-source`: UploadPartCopy.
pub(super) fn upload_part_copy(
    call: &mut SimCall<'_>,
    req: &Request,
    b: &str,
    k: &str,
    query: &[(String, String)],
    rid: &str,
) -> Result<Response, WireError> {
    let get = |n: &str| query.iter().find(|(q, _)| q == n).map(|(_, v)| v.clone());
    let mut p = json!({"Bucket": b, "Key": k,
        "UploadId": get("uploadId").unwrap_or_default(),
        "PartNumber": get("partNumber").unwrap_or_default(),
        "CopySource": req.header("x-amz-copy-source").unwrap_or_default()});
    if let Some(r) = req.header("x-amz-copy-source-range") {
        p["CopySourceRange"] = json!(r);
    }
    condition_params(req, &mut p, true, true);
    let f = call("s3:UploadPartCopy", p, None)?.fields;
    let r = &f["CopyPartResult"];
    let mut w = Writer::document();
    w.open_ns("CopyPartResult", NS)
        .leaf_json("ETag", r.get("ETag"))
        .leaf_json("LastModified", r.get("LastModified"));
    checksum_leaves(&mut w, r);
    w.close("CopyPartResult");
    let mut resp = sse_headers(xml_ok(rid, w), &f);
    if let Some(v) = f.get("CopySourceVersionId").and_then(Json::as_str) {
        resp = resp.header("x-amz-copy-source-version-id", v);
    }
    Ok(resp)
}

/// GET `?uploadId`: ListParts.
pub(super) fn list_parts(
    call: &mut SimCall<'_>,
    b: &str,
    k: &str,
    query: &[(String, String)],
    rid: &str,
) -> Result<Response, WireError> {
    let get = |n: &str| query.iter().find(|(q, _)| q == n).map(|(_, v)| v.clone());
    let mut p = json!({"Bucket": b, "Key": k, "UploadId": get("uploadId").unwrap_or_default()});
    for (q, n) in [
        ("max-parts", "MaxParts"),
        ("part-number-marker", "PartNumberMarker"),
    ] {
        if let Some(v) = get(q) {
            let v: i64 = v.parse().map_err(|_| {
                WireError::new(
                    "InvalidArgument",
                    400,
                    format!("Provided {q} not an integer"),
                )
            })?;
            p[n] = json!(v);
        }
    }
    let f = call("s3:ListParts", p, None)?.fields;
    let mut w = Writer::document();
    w.open_ns("ListPartsResult", NS)
        .leaf("Bucket", b)
        .leaf("Key", k)
        .leaf_json("UploadId", f.get("UploadId"))
        .leaf_json("PartNumberMarker", f.get("PartNumberMarker"))
        .leaf_json("NextPartNumberMarker", f.get("NextPartNumberMarker"))
        .leaf_json("MaxParts", f.get("MaxParts"))
        .leaf_json("IsTruncated", f.get("IsTruncated"))
        .leaf_json("ChecksumAlgorithm", f.get("ChecksumAlgorithm"))
        .leaf_json("ChecksumType", f.get("ChecksumType"))
        .open("Initiator")
        .leaf_json("ID", f.pointer("/Initiator/ID"))
        .leaf_json("DisplayName", f.pointer("/Initiator/DisplayName"))
        .close("Initiator")
        .open("Owner")
        .leaf_json("ID", f.pointer("/Owner/ID"))
        .close("Owner")
        .leaf_json("StorageClass", f.get("StorageClass"));
    for part in f
        .get("Parts")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("Part")
            .leaf_json("PartNumber", part.get("PartNumber"))
            .leaf_json("LastModified", part.get("LastModified"))
            .leaf_json("ETag", part.get("ETag"))
            .leaf_json("Size", part.get("Size"));
        for alg in checksum::ALGORITHMS {
            let m = checksum::member(alg);
            w.leaf_json(&m, part.get(&m));
        }
        w.close("Part");
    }
    w.close("ListPartsResult");
    Ok(xml_ok(rid, w))
}

/// A `Tagging` body as the operation's `Tagging` structure.
fn tagging_body(body: &[u8]) -> Result<Json, WireError> {
    let root = parse_xml_body(body)?;
    let set = root
        .child("TagSet")
        .ok_or_else(|| malformed_xml("no TagSet"))?;
    let tags: Vec<Json> = set
        .children_named("Tag")
        .map(|t| json!({"Key": t.text_of("Key").unwrap_or(""), "Value": t.text_of("Value").unwrap_or("")}))
        .collect();
    Ok(json!({"TagSet": tags}))
}

fn tagging_xml(rid: &str, f: &Json) -> Response {
    let mut w = Writer::document();
    w.open_ns("Tagging", NS).open("TagSet");
    for t in f
        .get("TagSet")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("Tag")
            .leaf_json("Key", t.get("Key"))
            .leaf_json("Value", t.get("Value"))
            .close("Tag");
    }
    w.close("TagSet").close("Tagging");
    xml_ok(rid, w)
}

/// `?tagging` on an object (`key` given) or a bucket.
pub(super) fn tagging(
    call: &mut SimCall<'_>,
    req: &Request,
    chunks: Option<&ChunkVerifier>,
    b: &str,
    key: Option<&str>,
    version: Option<String>,
    rid: &str,
) -> Result<Response, WireError> {
    let mut p = json!({"Bucket": b});
    if let Some(k) = key {
        p["Key"] = json!(k);
        if let Some(v) = version {
            p["VersionId"] = json!(v);
        }
    }
    let kind = if key.is_some() { "Object" } else { "Bucket" };
    let f = match req.method.as_str() {
        "PUT" => {
            let (body, trailers) = decoded_body(req, chunks)?;
            verify_checksums(req, &trailers, &body)?;
            p["Tagging"] = tagging_body(&body)?;
            let f = call(&format!("s3:Put{kind}Tagging"), p, None)?.fields;
            return Ok(version_headers(
                empty(rid, if key.is_some() { 200 } else { 204 }),
                &f,
            ));
        }
        "GET" => call(&format!("s3:Get{kind}Tagging"), p, None)?.fields,
        "DELETE" => {
            let f = call(&format!("s3:Delete{kind}Tagging"), p, None)?.fields;
            return Ok(version_headers(empty(rid, 204), &f));
        }
        _ => {
            return Err(WireError::new(
                "MethodNotAllowed",
                405,
                "The specified method is not allowed against this resource.",
            ));
        }
    };
    Ok(version_headers(tagging_xml(rid, &f), &f))
}

/// GET of a bucket sub-resource keyform does not configure: S3's answer for a bucket that has
/// none (the XML document, or the operation's 404). None for other requests.
pub(super) fn unconfigured_sub_resource(
    call: &mut SimCall<'_>,
    b: &str,
    has: &dyn Fn(&str) -> bool,
    rid: &str,
) -> Option<Result<Response, WireError>> {
    let (sub, op) = [
        ("acl", "s3:GetBucketAcl"),
        ("cors", "s3:GetBucketCors"),
        ("website", "s3:GetBucketWebsite"),
        ("logging", "s3:GetBucketLogging"),
        ("lifecycle", "s3:GetBucketLifecycleConfiguration"),
        ("replication", "s3:GetBucketReplication"),
        ("object-lock", "s3:GetObjectLockConfiguration"),
        ("requestPayment", "s3:GetBucketRequestPayment"),
        ("accelerate", "s3:GetBucketAccelerateConfiguration"),
        ("ownershipControls", "s3:GetBucketOwnershipControls"),
    ]
    .into_iter()
    .find(|(s, _)| has(s))?;
    let f = match call(op, json!({"Bucket": b}), None) {
        Ok(r) => r.fields,
        Err(e) => return Some(Err(e)),
    };
    let mut w = Writer::document();
    match sub {
        "acl" => {
            w.open_ns("AccessControlPolicy", NS)
                .open("Owner")
                .leaf_json("ID", f.pointer("/Owner/ID"))
                .close("Owner")
                .open("AccessControlList");
            for g in f
                .get("Grants")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                w.out.push_str(
                    "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">",
                );
                w.leaf_json("ID", g.pointer("/Grantee/ID"))
                    .close("Grantee")
                    .leaf_json("Permission", g.get("Permission"))
                    .close("Grant");
            }
            w.close("AccessControlList").close("AccessControlPolicy");
        }
        "logging" => {
            w.open_ns("BucketLoggingStatus", NS)
                .close("BucketLoggingStatus");
        }
        "requestPayment" => {
            w.open_ns("RequestPaymentConfiguration", NS)
                .leaf_json("Payer", f.get("Payer"))
                .close("RequestPaymentConfiguration");
        }
        "accelerate" => {
            w.open_ns("AccelerateConfiguration", NS)
                .close("AccelerateConfiguration");
        }
        _ => {
            w.open_ns("OwnershipControls", NS).open("Rule");
            w.leaf_json(
                "ObjectOwnership",
                f.pointer("/OwnershipControls/Rules/0/ObjectOwnership"),
            );
            w.close("Rule").close("OwnershipControls");
        }
    }
    Some(Ok(xml_ok(rid, w)))
}
