//! S3 on the REST-XML protocol: path-style `/<bucket>/<key>?<sub-resource>` (virtual-host
//! when the Host names a bucket), SSE headers in and out, XML bodies, `aws-chunked` bodies,
//! checksum headers, ranges, multipart uploads. Sub-resources the simulation does not model
//! answer 501 NotImplemented, which the Terraform provider tolerates.
//!
//! Here: addressing, errors and the routes (each route one `Cloud::call` by the table's
//! operation name). `body` reads request bodies (aws-chunked, checksums) and PutObject's
//! headers, `config` the XML configuration bodies, `render` the XML and headers of answers.

mod body;
mod config;
mod objects;
mod render;
#[cfg(test)]
mod tests;
mod versions;

use body::*;
use config::*;
use objects::*;
use render::*;
use versions::*;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value as Json, json};

use super::sigv4::{ChunkVerifier, percent_decode, uri_encode};
use super::xml::{self, Element, Writer};
use super::{Request, Response, Service, WireError, sigv4};
use crate::sim::clock::parse_iso8601;
use crate::sim::{CallContext, ErrorKind};

const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Bucket sub-resources S3 has and the simulation does not model (answered 501; a GET of the
/// ones the Terraform provider reads answers as for a bucket without them, `objects.rs`).
const UNMODELLED_BUCKET: &[&str] = &[
    "acl",
    "accelerate",
    "analytics",
    "cors",
    "intelligent-tiering",
    "inventory",
    "lifecycle",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policyStatus",
    "replication",
    "requestPayment",
    "website",
    "uploads",
    "metadataTable",
    "abac",
];

/// Object sub-resources the simulation does not model.
const UNMODELLED_OBJECT: &[&str] = &[
    "acl",
    "retention",
    "legal-hold",
    "torrent",
    "restore",
    "select",
    "attributes",
    "renameObject",
];

/// S3's request id form: 16 upper-case hex characters.
fn s3_request_id(rid: &str) -> String {
    rid.replace('-', "")
        .chars()
        .take(16)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// An S3 error: XML body (none for HEAD), request id headers.
pub fn error_response(req: &Request, e: &WireError, rid: &str) -> Response {
    let id = s3_request_id(rid);
    let host_id = B64.encode(rid.as_bytes());
    // 304 Not Modified carries no body, as HTTP requires.
    let body = if req.method == "HEAD" || e.status == 304 {
        String::new()
    } else {
        let mut w = Writer::document();
        w.open("Error")
            .leaf("Code", &e.code)
            .leaf("Message", &e.message);
        let (bucket, key) = address(req);
        if let Some(k) = key.filter(|_| matches!(e.code.as_str(), "NoSuchKey" | "AccessDenied")) {
            w.leaf("Key", &k);
        }
        if let Some(b) =
            bucket.filter(|_| e.code.starts_with("NoSuch") || e.code.starts_with("Bucket"))
        {
            w.leaf("BucketName", &b);
        }
        for (n, v) in &e.details {
            w.leaf(n, v);
        }
        w.leaf("RequestId", &id)
            .leaf("HostId", &host_id)
            .close("Error");
        w.out
    };
    Response::new(e.status, "application/xml", body)
        .header("x-amz-request-id", id)
        .header("x-amz-id-2", host_id)
}

fn ok(rid: &str, status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Response {
    Response::new(status, content_type, body)
        .header("x-amz-request-id", s3_request_id(rid))
        .header("x-amz-id-2", B64.encode(rid.as_bytes()))
}

fn xml_ok(rid: &str, w: Writer) -> Response {
    ok(rid, 200, "application/xml", w.out)
}

fn empty(rid: &str, status: u16) -> Response {
    let mut r = ok(rid, status, "application/xml", Vec::new());
    r.headers.retain(|(n, _)| n != "content-type");
    r
}

/// CompleteMultipartUpload's `Location`: the object's URL on the endpoint the client used.
fn location_url(req: &Request, b: &str, k: &str) -> String {
    let host = req.header("host").unwrap_or("localhost");
    let key = uri_encode(k, true);
    match address_is_virtual(req) {
        true => format!("http://{host}/{key}"),
        false => format!("http://{host}/{}/{key}", uri_encode(b, false)),
    }
}

/// Whether the Host names the bucket (virtual-host addressing).
fn address_is_virtual(req: &Request) -> bool {
    let path = req.raw_path.strip_prefix('/').unwrap_or(&req.raw_path);
    let (b, _) = address(req);
    b.is_some_and(|b| !path.starts_with(&format!("{b}/")) && path != b)
}

/// The bucket and key a request addresses (virtual-host when the Host names a bucket).
pub fn address(req: &Request) -> (Option<String>, Option<String>) {
    let host = req.header("host").unwrap_or("");
    let host = match host.rsplit_once(':') {
        Some((h, p))
            if p.chars().all(|c| c.is_ascii_digit()) && (!h.contains(':') || h.ends_with(']')) =>
        {
            h
        }
        _ => host,
    };
    let virtual_bucket = if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        None
    } else if let Some(b) = host.strip_suffix(".localhost") {
        Some(b.strip_suffix(".s3").unwrap_or(b).to_string())
    } else {
        host.find(".s3.")
            .or_else(|| host.find(".s3-"))
            .map(|i| host[..i].to_string())
    };
    let path = req.raw_path.strip_prefix('/').unwrap_or(&req.raw_path);
    match virtual_bucket.filter(|b| !b.is_empty()) {
        Some(b) => (
            Some(b),
            Some(percent_decode(path)).filter(|k| !k.is_empty()),
        ),
        None => {
            let (b, k) = path.split_once('/').unwrap_or((path, ""));
            (
                Some(percent_decode(b)).filter(|b| !b.is_empty()),
                Some(percent_decode(k)).filter(|k| !k.is_empty()),
            )
        }
    }
}

fn not_implemented(what: &str) -> WireError {
    WireError::new(
        "NotImplemented",
        501,
        format!(
            "A header or query you provided requested a function that is not implemented: keyform does not simulate {what}."
        ),
    )
}

fn malformed_xml(detail: &str) -> WireError {
    WireError::new(
        "MalformedXML",
        400,
        format!(
            "The XML you provided was not well-formed or did not validate against our published schema ({detail})"
        ),
    )
}

/// A sim error in S3 terms.
fn wire(e: crate::sim::SimError) -> WireError {
    match e.kind {
        ErrorKind::Parameter => WireError::new("InvalidArgument", 400, e.message),
        ErrorKind::Internal => WireError::new("InternalError", 500, e.message),
        ErrorKind::Service => e.into(),
    }
}

/// Answers an S3 request.
pub fn handle(
    svc: &mut Service,
    req: &Request,
    ctx: &CallContext,
    chunks: Option<&ChunkVerifier>,
    rid: &str,
) -> Response {
    match route(svc, req, ctx, chunks, rid) {
        Ok(r) => r,
        Err(e) => error_response(req, &e, rid),
    }
}

fn route(
    svc: &mut Service,
    req: &Request,
    ctx: &CallContext,
    chunks: Option<&ChunkVerifier>,
    rid: &str,
) -> Result<Response, WireError> {
    let (bucket, key) = address(req);
    let query = req.query();
    let has = |n: &str| query.iter().any(|(k, _)| k == n);
    let get = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let method = req.method.as_str();
    let mut call = |op: &str, params: Json, body: Option<&[u8]>| {
        svc.cloud.call(ctx, op, &params, body).map_err(wire)
    };
    let Some(b) = bucket else {
        if method != "GET" {
            return Err(WireError::new(
                "MethodNotAllowed",
                405,
                "The specified method is not allowed against this resource.",
            ));
        }
        let f = call("s3:ListBuckets", json!({}), None)?.fields;
        let owner = f.pointer("/Owner/ID").and_then(Json::as_str).unwrap_or("");
        let mut w = Writer::document();
        w.open_ns("ListAllMyBucketsResult", NS)
            .open("Owner")
            .leaf("ID", owner)
            .close("Owner")
            .open("Buckets");
        for x in f
            .get("Buckets")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            w.open("Bucket")
                .leaf_json("Name", x.get("Name"))
                .leaf_json("CreationDate", x.get("CreationDate"))
                .close("Bucket");
        }
        w.close("Buckets").close("ListAllMyBucketsResult");
        return Ok(xml_ok(rid, w));
    };
    let bp = json!({"Bucket": b});
    let Some(k) = key else {
        // ------------------------------------------------ bucket level
        if method == "GET"
            && let Some(r) = unconfigured_sub_resource(&mut call, &b, &has, rid)
        {
            return r;
        }
        if let Some(sub) = UNMODELLED_BUCKET.iter().find(|s| has(s)) {
            return Err(not_implemented(&format!(
                "the bucket's ?{sub} sub-resource"
            )));
        }
        return match method {
            _ if has("tagging") => tagging(&mut call, req, chunks, &b, None, None, rid),
            "PUT" if has("versioning") => put_versioning(&mut call, req, chunks, &b, rid),
            "GET" if has("versioning") => get_versioning(&mut call, &b, rid),
            "GET" if has("versions") => list_versions(&mut call, &b, &query, rid),
            "PUT" if has("encryption") => {
                let (body, _) = decoded_body(req, chunks)?;
                let mut p = bp;
                p["ServerSideEncryptionConfiguration"] = encryption_config(&body)?;
                call("s3:PutBucketEncryption", p, None)?;
                Ok(empty(rid, 200))
            }
            "GET" if has("encryption") => {
                let f = call("s3:GetBucketEncryption", bp, None)?.fields;
                let mut w = Writer::document();
                w.open_ns("ServerSideEncryptionConfiguration", NS);
                for r in f
                    .pointer("/ServerSideEncryptionConfiguration/Rules")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    w.open("Rule").open("ApplyServerSideEncryptionByDefault");
                    let d = &r["ApplyServerSideEncryptionByDefault"];
                    w.leaf_json("SSEAlgorithm", d.get("SSEAlgorithm"))
                        .leaf_json("KMSMasterKeyID", d.get("KMSMasterKeyID"))
                        .close("ApplyServerSideEncryptionByDefault")
                        .leaf_json("BucketKeyEnabled", r.get("BucketKeyEnabled"))
                        .close("Rule");
                }
                w.close("ServerSideEncryptionConfiguration");
                Ok(xml_ok(rid, w))
            }
            "DELETE" if has("encryption") => {
                call("s3:DeleteBucketEncryption", bp, None)?;
                Ok(empty(rid, 204))
            }
            "PUT" if has("policy") => {
                let (body, _) = decoded_body(req, chunks)?;
                let mut p = bp;
                p["Policy"] = json!(String::from_utf8_lossy(&body));
                call("s3:PutBucketPolicy", p, None)?;
                Ok(empty(rid, 204))
            }
            "GET" if has("policy") => {
                let f = call("s3:GetBucketPolicy", bp, None)?.fields;
                let pol = f.get("Policy").and_then(Json::as_str).unwrap_or("");
                Ok(ok(rid, 200, "application/json", pol.as_bytes().to_vec()))
            }
            "DELETE" if has("policy") => {
                call("s3:DeleteBucketPolicy", bp, None)?;
                Ok(empty(rid, 204))
            }
            "PUT" if has("publicAccessBlock") => {
                let (body, _) = decoded_body(req, chunks)?;
                let mut p = bp;
                p["PublicAccessBlockConfiguration"] = public_access_block(&body)?;
                call("s3:PutPublicAccessBlock", p, None)?;
                Ok(empty(rid, 200))
            }
            "GET" if has("publicAccessBlock") => {
                let f = call("s3:GetPublicAccessBlock", bp, None)?.fields;
                let c = &f["PublicAccessBlockConfiguration"];
                let mut w = Writer::document();
                w.open_ns("PublicAccessBlockConfiguration", NS);
                for n in [
                    "BlockPublicAcls",
                    "IgnorePublicAcls",
                    "BlockPublicPolicy",
                    "RestrictPublicBuckets",
                ] {
                    w.leaf_json(n, c.get(n));
                }
                w.close("PublicAccessBlockConfiguration");
                Ok(xml_ok(rid, w))
            }
            "DELETE" if has("publicAccessBlock") => {
                call("s3:DeletePublicAccessBlock", bp, None)?;
                Ok(empty(rid, 204))
            }
            "GET" if has("location") => {
                let f = call("s3:GetBucketLocation", bp, None)?.fields;
                let mut w = Writer::document();
                w.open_ns("LocationConstraint", NS);
                if let Some(r) = f.get("LocationConstraint").and_then(Json::as_str) {
                    w.out.push_str(&xml::escape(r));
                }
                w.close("LocationConstraint");
                Ok(xml_ok(rid, w))
            }
            "POST" if has("delete") => {
                let (body, trailers) = decoded_body(req, chunks)?;
                verify_checksums(req, &trailers, &body)?;
                let root = parse_xml_body(&body)?;
                let objects: Vec<Json> = root
                    .children_named("Object")
                    .map(|o| {
                        let mut j = json!({"Key": o.text_of("Key").unwrap_or("")});
                        if let Some(v) = o.text_of("VersionId") {
                            j["VersionId"] = json!(v);
                        }
                        j
                    })
                    .collect();
                let quiet = xml_bool(&root, "Quiet").unwrap_or(false);
                let mut p = bp;
                p["Delete"] = json!({"Objects": objects, "Quiet": quiet});
                let f = call("s3:DeleteObjects", p, None)?.fields;
                let mut w = Writer::document();
                w.open_ns("DeleteResult", NS);
                for d in f
                    .get("Deleted")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    w.open("Deleted")
                        .leaf_json("Key", d.get("Key"))
                        .leaf_json("VersionId", d.get("VersionId"))
                        .leaf_json("DeleteMarker", d.get("DeleteMarker"))
                        .leaf_json("DeleteMarkerVersionId", d.get("DeleteMarkerVersionId"))
                        .close("Deleted");
                }
                for e in f
                    .get("Errors")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                {
                    w.open("Error")
                        .leaf_json("Key", e.get("Key"))
                        .leaf_json("VersionId", e.get("VersionId"))
                        .leaf_json("Code", e.get("Code"))
                        .leaf_json("Message", e.get("Message"))
                        .close("Error");
                }
                w.close("DeleteResult");
                Ok(xml_ok(rid, w))
            }
            "PUT" => {
                let (body, _) = decoded_body(req, chunks)?;
                let mut p = bp;
                if !body.iter().all(u8::is_ascii_whitespace) {
                    let root = parse_xml_body(&body)?;
                    if let Some(lc) = root.text_of("LocationConstraint") {
                        p["CreateBucketConfiguration"] = json!({"LocationConstraint": lc});
                    }
                }
                call("s3:CreateBucket", p, None)?;
                Ok(empty(rid, 200).header("location", format!("/{b}")))
            }
            "DELETE" => {
                call("s3:DeleteBucket", bp, None)?;
                Ok(empty(rid, 204))
            }
            "HEAD" => {
                let f = call("s3:HeadBucket", bp, None)?.fields;
                let region = f.get("BucketRegion").and_then(Json::as_str).unwrap_or("");
                Ok(empty(rid, 200).header("x-amz-bucket-region", region))
            }
            "GET" => list_objects(&mut call, req, &b, &query, rid),
            _ => Err(WireError::new(
                "MethodNotAllowed",
                405,
                "The specified method is not allowed against this resource.",
            )),
        };
    };
    // ---------------------------------------------------- object level
    if let Some(sub) = UNMODELLED_OBJECT.iter().find(|s| has(s)) {
        return Err(not_implemented(&format!(
            "the object's ?{sub} sub-resource"
        )));
    }
    let op = json!({"Bucket": b, "Key": k});
    let copy = req.header("x-amz-copy-source").is_some();
    match method {
        _ if has("tagging") => tagging(&mut call, req, chunks, &b, Some(&k), get("versionId"), rid),
        "PUT" if copy && (has("uploadId") || has("partNumber")) => {
            upload_part_copy(&mut call, req, &b, &k, &query, rid)
        }
        "PUT" if copy => copy_object(&mut call, req, &b, &k, rid),
        "PUT" if has("uploadId") || has("partNumber") => {
            let (body, trailers) = decoded_body(req, chunks)?;
            let echo = verify_checksums(req, &trailers, &body)?;
            let mut p = op;
            p["UploadId"] = json!(get("uploadId").unwrap_or_default());
            p["PartNumber"] = json!(get("partNumber").unwrap_or_default());
            checksum_param(&mut p, &echo);
            let f = call("s3:UploadPart", p, Some(&body))?.fields;
            let mut r = empty(rid, 200);
            if let Some(e) = f.get("ETag").and_then(Json::as_str) {
                r = r.header("etag", e);
            }
            if let Some((n, v)) = echo {
                r = r.header(&n, v);
            }
            Ok(r)
        }
        "PUT" => {
            let (body, trailers) = decoded_body(req, chunks)?;
            let echo = verify_checksums(req, &trailers, &body)?;
            let mut p = put_params(req, &b, &k)?;
            condition_params(req, &mut p, false, false);
            checksum_param(&mut p, &echo);
            let f = call("s3:PutObject", p, Some(&body))?.fields;
            let mut r = version_headers(sse_headers(empty(rid, 200), &f), &f);
            if let Some(e) = f.get("ETag").and_then(Json::as_str) {
                r = r.header("etag", e);
            }
            if let Some(c) = req.header("x-amz-server-side-encryption-context") {
                r = r.header("x-amz-server-side-encryption-context", c);
            }
            if echo.is_some() {
                r = checksum_headers(r, &f);
            }
            Ok(r)
        }
        "GET" if has("uploadId") => list_parts(&mut call, &b, &k, &query, rid),
        "GET" | "HEAD" => {
            let range = req.header("range").map(str::to_string);
            let mut op = op;
            condition_params(req, &mut op, false, true);
            if let Some(v) = get("versionId") {
                op["VersionId"] = json!(v);
            }
            let (f, body) = if method == "GET" {
                let mut p = op;
                if let Some(r) = &range {
                    p["Range"] = json!(r);
                }
                let resp = call("s3:GetObject", p, None)?;
                (
                    resp.fields,
                    resp.body.map(|b| b.to_vec()).unwrap_or_default(),
                )
            } else {
                (call("s3:HeadObject", op, None)?.fields, Vec::new())
            };
            let status = if f.get("ContentRange").is_some() {
                206
            } else {
                200
            };
            let mut r = version_headers(object_headers(ok(rid, status, "", body), &f, req), &f);
            if let Some(cr) = f.get("ContentRange").and_then(Json::as_str) {
                r = r.header("content-range", cr);
            }
            if method == "HEAD" {
                let len = f.get("ContentLength").map(xml::scalar).unwrap_or_default();
                r = r.header("content-length", len);
            }
            Ok(r)
        }
        "DELETE" if has("uploadId") => {
            let mut p = op;
            p["UploadId"] = json!(get("uploadId").unwrap_or_default());
            call("s3:AbortMultipartUpload", p, None)?;
            Ok(empty(rid, 204))
        }
        "DELETE" => {
            let mut op = op;
            condition_params(req, &mut op, false, false);
            if let Some(v) = get("versionId") {
                op["VersionId"] = json!(v);
            }
            let f = call("s3:DeleteObject", op, None)?.fields;
            Ok(version_headers(empty(rid, 204), &f))
        }
        "POST" if has("uploads") => {
            let mut p = put_params(req, &b, &k)?;
            if let Some(t) = req.header("x-amz-checksum-type") {
                p["ChecksumType"] = json!(t);
            }
            let f = call("s3:CreateMultipartUpload", p, None)?.fields;
            let mut w = Writer::document();
            w.open_ns("InitiateMultipartUploadResult", NS)
                .leaf("Bucket", &b)
                .leaf("Key", &k)
                .leaf_json("UploadId", f.get("UploadId"))
                .close("InitiateMultipartUploadResult");
            let mut r = sse_headers(xml_ok(rid, w), &f);
            if let Some(a) = f.get("ChecksumAlgorithm").and_then(Json::as_str) {
                r = r.header("x-amz-checksum-algorithm", a);
            }
            if let Some(t) = f.get("ChecksumType").and_then(Json::as_str) {
                r = r.header("x-amz-checksum-type", t);
            }
            Ok(r)
        }
        "POST" if has("uploadId") => {
            let (body, _) = decoded_body(req, chunks)?;
            let root = parse_xml_body(&body)?;
            let parts: Vec<Json> = root
                .children_named("Part")
                .map(|p| {
                    json!({
                        "PartNumber": p.text_of("PartNumber").unwrap_or("0"),
                        "ETag": p.text_of("ETag").unwrap_or(""),
                    })
                })
                .collect();
            let mut p = op;
            p["UploadId"] = json!(get("uploadId").unwrap_or_default());
            p["MultipartUpload"] = json!({"Parts": parts});
            condition_params(req, &mut p, false, false);
            let f = call("s3:CompleteMultipartUpload", p, None)?.fields;
            let mut w = Writer::document();
            w.open_ns("CompleteMultipartUploadResult", NS)
                .leaf("Location", &location_url(req, &b, &k))
                .leaf("Bucket", &b)
                .leaf("Key", &k)
                .leaf_json("ETag", f.get("ETag"));
            checksum_leaves(&mut w, &f);
            w.close("CompleteMultipartUploadResult");
            Ok(version_headers(sse_headers(xml_ok(rid, w), &f), &f))
        }
        _ => Err(WireError::new(
            "MethodNotAllowed",
            405,
            "The specified method is not allowed against this resource.",
        )),
    }
}
