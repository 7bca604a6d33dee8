//! S3 on the REST-XML protocol: path-style `/<bucket>/<key>?<sub-resource>` (virtual-host
//! when the Host names a bucket), SSE headers in and out, XML bodies, `aws-chunked` bodies,
//! checksum headers, ranges, multipart uploads. Sub-resources the simulation does not model
//! answer 501 NotImplemented, which the Terraform provider tolerates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value as Json, json};

use super::sigv4::{ChunkVerifier, percent_decode, uri_encode};
use super::xml::{self, Element, Writer};
use super::{Request, Response, Service, WireError, sigv4};
use crate::sim::clock::parse_iso8601;
use crate::sim::{CallContext, ErrorKind};

const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Bucket sub-resources S3 has and the simulation does not model (answered 501).
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
    "tagging",
    "versioning",
    "versions",
    "website",
    "uploads",
    "metadataTable",
    "abac",
];

/// Object sub-resources the simulation does not model.
const UNMODELLED_OBJECT: &[&str] = &[
    "acl",
    "tagging",
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
    let body = if req.method == "HEAD" {
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

/// RFC 1123 (`Last-Modified`) of an ISO 8601 time.
fn http_date(iso: &str) -> String {
    let ms = parse_iso8601(iso).unwrap_or(0);
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
            ))
            .ok()
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- checksums

const fn crc32c_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0x82F6_3B78 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CRC32C: [u32; 256] = crc32c_table();

/// CRC-32C (Castagnoli), as `x-amz-checksum-crc32c` carries it.
pub fn crc32c(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC32C[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Checks `Content-MD5` and `x-amz-checksum-*` (header or trailer) against the body. SHA-1
/// and CRC-64 are accepted unchecked. Returns the checksum header to echo, if any.
fn verify_checksums(
    req: &Request,
    trailers: &[(String, String)],
    body: &[u8],
) -> Result<Option<(String, String)>, WireError> {
    if let Some(md5) = req.header("content-md5") {
        let given = B64.decode(md5.trim()).map_err(|_| {
            WireError::new(
                "InvalidDigest",
                400,
                "The Content-MD5 you specified was invalid.",
            )
        })?;
        if hex::encode(given) != crate::sim::crypto::md5_hex(body) {
            return Err(WireError::new(
                "BadDigest",
                400,
                "The Content-MD5 you specified did not match what we received.",
            ));
        }
    }
    let given = req
        .headers
        .iter()
        .chain(trailers.iter())
        .find(|(n, _)| {
            n.starts_with("x-amz-checksum-")
                && n != "x-amz-checksum-mode"
                && n != "x-amz-checksum-type"
        })
        .cloned();
    let Some((name, value)) = given else {
        return Ok(None);
    };
    let computed = match name.as_str() {
        "x-amz-checksum-crc32" => Some(B64.encode(crc32fast::hash(body).to_be_bytes())),
        "x-amz-checksum-crc32c" => Some(B64.encode(crc32c(body).to_be_bytes())),
        "x-amz-checksum-sha256" => Some(B64.encode(crate::sim::crypto::sha256(body))),
        _ => None,
    };
    if let Some(c) = computed
        && c != value.trim()
    {
        let alg = name
            .trim_start_matches("x-amz-checksum-")
            .to_ascii_uppercase();
        return Err(WireError::new(
            "BadDigest",
            400,
            format!("The {alg} you specified did not match the calculated checksum."),
        ));
    }
    Ok(Some((name, value)))
}

/// Trailing headers of an `aws-chunked` body.
type Trailers = Vec<(String, String)>;

/// How the S3 routes call the simulation.
type SimCall<'a> =
    dyn FnMut(&str, Json, Option<&[u8]>) -> Result<crate::sim::ops::Response, WireError> + 'a;

/// The request body with `aws-chunked` framing removed (chunk signatures checked), and its
/// trailing headers.
fn decoded_body(
    req: &Request,
    chunks: Option<&ChunkVerifier>,
) -> Result<(Vec<u8>, Trailers), WireError> {
    let streaming = req
        .header("x-amz-content-sha256")
        .is_some_and(|h| h.starts_with("STREAMING-"))
        || req
            .header("content-encoding")
            .is_some_and(|h| h.split(',').any(|p| p.trim() == "aws-chunked"));
    if !streaming {
        return Ok((req.body.clone(), Vec::new()));
    }
    let d = sigv4::dechunk(&req.body, chunks).map_err(|e| match e {
        sigv4::AuthError::Mismatch(m) => WireError::new("SignatureDoesNotMatch", 403, m),
        sigv4::AuthError::Malformed(m) => WireError::new("IncompleteBody", 400, m),
        _ => WireError::new("IncompleteBody", 400, "the aws-chunked body is malformed"),
    })?;
    if let Some(n) = req
        .header("x-amz-decoded-content-length")
        .and_then(|n| n.parse::<usize>().ok())
        && n != d.data.len()
    {
        return Err(WireError::new(
            "IncompleteBody",
            400,
            format!(
                "You did not provide the number of bytes specified by the x-amz-decoded-content-length header ({n}, got {})",
                d.data.len()
            ),
        ));
    }
    Ok((d.data, d.trailers))
}

// ---------------------------------------------------------------- request parameters

/// PutObject / CreateMultipartUpload parameters from the request's headers.
fn put_params(req: &Request, bucket: &str, key: &str) -> Result<Json, WireError> {
    if req
        .header("x-amz-server-side-encryption-customer-algorithm")
        .is_some()
    {
        return Err(not_implemented(
            "SSE-C (customer-provided keys); use SSE-S3, SSE-KMS or DSSE-KMS",
        ));
    }
    let mut p = json!({"Bucket": bucket, "Key": key});
    for (h, name) in [
        ("x-amz-server-side-encryption", "ServerSideEncryption"),
        ("x-amz-server-side-encryption-aws-kms-key-id", "SSEKMSKeyId"),
        (
            "x-amz-server-side-encryption-context",
            "SSEKMSEncryptionContext",
        ),
        ("content-type", "ContentType"),
    ] {
        if let Some(v) = req.header(h) {
            p[name] = json!(v);
        }
    }
    if let Some(v) = req.header("x-amz-server-side-encryption-bucket-key-enabled") {
        p["BucketKeyEnabled"] = json!(v.eq_ignore_ascii_case("true"));
    }
    let meta: Map<String, Json> = req
        .headers
        .iter()
        .filter_map(|(n, v)| {
            n.strip_prefix("x-amz-meta-")
                .map(|k| (k.to_string(), json!(v)))
        })
        .collect();
    if !meta.is_empty() {
        p["Metadata"] = Json::Object(meta);
    }
    Ok(p)
}

fn parse_xml_body(body: &[u8]) -> Result<Element, WireError> {
    let text = std::str::from_utf8(body).map_err(|_| malformed_xml("the body is not UTF-8"))?;
    xml::parse(text).map_err(|e| malformed_xml(&e))
}

fn xml_bool(e: &Element, name: &str) -> Option<bool> {
    e.text_of(name).map(|v| v.eq_ignore_ascii_case("true"))
}

fn encryption_config(body: &[u8]) -> Result<Json, WireError> {
    let root = parse_xml_body(body)?;
    let rules: Vec<Json> = root
        .children_named("Rule")
        .map(|r| {
            let mut rule = json!({});
            if let Some(d) = r.child("ApplyServerSideEncryptionByDefault") {
                let mut dd = json!({});
                if let Some(a) = d.text_of("SSEAlgorithm") {
                    dd["SSEAlgorithm"] = json!(a);
                }
                if let Some(k) = d.text_of("KMSMasterKeyID") {
                    dd["KMSMasterKeyID"] = json!(k);
                }
                rule["ApplyServerSideEncryptionByDefault"] = dd;
            }
            if let Some(b) = xml_bool(r, "BucketKeyEnabled") {
                rule["BucketKeyEnabled"] = json!(b);
            }
            rule
        })
        .collect();
    Ok(json!({"Rules": rules}))
}

fn public_access_block(body: &[u8]) -> Result<Json, WireError> {
    let root = parse_xml_body(body)?;
    let mut m = Map::new();
    for n in [
        "BlockPublicAcls",
        "IgnorePublicAcls",
        "BlockPublicPolicy",
        "RestrictPublicBuckets",
    ] {
        if let Some(b) = xml_bool(&root, n) {
            m.insert(n.into(), json!(b));
        }
    }
    Ok(Json::Object(m))
}

// ---------------------------------------------------------------- responses

/// SSE response headers from a sim result (PutObject, Get/Head, multipart).
fn sse_headers(mut r: Response, f: &Json) -> Response {
    if let Some(a) = f.get("ServerSideEncryption").and_then(Json::as_str) {
        r = r.header("x-amz-server-side-encryption", a);
    }
    if let Some(k) = f.get("SSEKMSKeyId").and_then(Json::as_str) {
        r = r.header("x-amz-server-side-encryption-aws-kms-key-id", k);
    }
    if f.get("BucketKeyEnabled").and_then(Json::as_bool) == Some(true) {
        r = r.header("x-amz-server-side-encryption-bucket-key-enabled", "true");
    }
    r
}

fn object_headers(mut r: Response, f: &Json, req: &Request) -> Response {
    r.headers.retain(|(n, _)| n != "content-type");
    let ct = f
        .get("ContentType")
        .and_then(Json::as_str)
        .unwrap_or("binary/octet-stream");
    r = r.header("content-type", ct);
    if let Some(e) = f.get("ETag").and_then(Json::as_str) {
        r = r.header("etag", e);
    }
    if let Some(t) = f.get("LastModified").and_then(Json::as_str) {
        r = r.header("last-modified", http_date(t));
    }
    r = r.header("accept-ranges", "bytes");
    if let Some(Json::Object(m)) = f.get("Metadata") {
        for (k, v) in m {
            r = r.header(&format!("x-amz-meta-{k}"), xml::scalar(v));
        }
    }
    if req
        .header("x-amz-checksum-mode")
        .is_some_and(|m| m.eq_ignore_ascii_case("ENABLED"))
        && f.get("ContentRange").is_none()
        && let Some(c) = f.get("ChecksumSHA256").and_then(Json::as_str)
    {
        r = r.header("x-amz-checksum-sha256", c);
    }
    sse_headers(r, f)
}

/// Keys in list results: URL-encoded when the client asked for `encoding-type=url`.
fn list_key(s: &str, url: bool) -> String {
    if url {
        uri_encode(s, true)
    } else {
        s.to_string()
    }
}

fn write_contents(w: &mut Writer, f: &Json, url: bool, owner: Option<&str>) {
    for c in f
        .get("Contents")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("Contents");
        w.leaf("Key", &list_key(c["Key"].as_str().unwrap_or(""), url));
        w.leaf_json("LastModified", c.get("LastModified"));
        w.leaf_json("ETag", c.get("ETag"));
        w.leaf_json("Size", c.get("Size"));
        if let Some(o) = owner {
            w.open("Owner").leaf("ID", o).close("Owner");
        }
        w.leaf_json("StorageClass", c.get("StorageClass"));
        w.close("Contents");
    }
    for p in f
        .get("CommonPrefixes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("CommonPrefixes")
            .leaf("Prefix", &list_key(p["Prefix"].as_str().unwrap_or(""), url))
            .close("CommonPrefixes");
    }
}

// ---------------------------------------------------------------- dispatch

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
        if let Some(sub) = UNMODELLED_BUCKET.iter().find(|s| has(s)) {
            return Err(not_implemented(&format!(
                "the bucket's ?{sub} sub-resource"
            )));
        }
        return match method {
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
                    .map(|o| json!({"Key": o.text_of("Key").unwrap_or("")}))
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
    match method {
        "PUT" if req.header("x-amz-copy-source").is_some() => Err(not_implemented(
            "CopyObject or UploadPartCopy; download and upload the object instead",
        )),
        "PUT" if has("uploadId") || has("partNumber") => {
            let (body, trailers) = decoded_body(req, chunks)?;
            let echo = verify_checksums(req, &trailers, &body)?;
            let mut p = op;
            p["UploadId"] = json!(get("uploadId").unwrap_or_default());
            p["PartNumber"] = json!(get("partNumber").unwrap_or_default());
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
            let p = put_params(req, &b, &k)?;
            let f = call("s3:PutObject", p, Some(&body))?.fields;
            let mut r = sse_headers(empty(rid, 200), &f);
            if let Some(e) = f.get("ETag").and_then(Json::as_str) {
                r = r.header("etag", e);
            }
            if let Some(c) = req.header("x-amz-server-side-encryption-context") {
                r = r.header("x-amz-server-side-encryption-context", c);
            }
            if let Some((n, v)) = echo {
                r = r.header(&n, v);
            }
            Ok(r)
        }
        "GET" if has("uploadId") => Err(not_implemented("ListParts")),
        "GET" | "HEAD" => {
            let range = req.header("range").map(str::to_string);
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
            let mut r = object_headers(ok(rid, status, "", body), &f, req);
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
            call("s3:DeleteObject", op, None)?;
            Ok(empty(rid, 204))
        }
        "POST" if has("uploads") => {
            let p = put_params(req, &b, &k)?;
            let f = call("s3:CreateMultipartUpload", p, None)?.fields;
            let mut w = Writer::document();
            w.open_ns("InitiateMultipartUploadResult", NS)
                .leaf("Bucket", &b)
                .leaf("Key", &k)
                .leaf_json("UploadId", f.get("UploadId"))
                .close("InitiateMultipartUploadResult");
            Ok(sse_headers(xml_ok(rid, w), &f))
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
            let f = call("s3:CompleteMultipartUpload", p, None)?.fields;
            let mut w = Writer::document();
            w.open_ns("CompleteMultipartUploadResult", NS)
                .leaf_json("Location", f.get("Location"))
                .leaf("Bucket", &b)
                .leaf("Key", &k)
                .leaf_json("ETag", f.get("ETag"))
                .close("CompleteMultipartUploadResult");
            Ok(sse_headers(xml_ok(rid, w), &f))
        }
        _ => Err(WireError::new(
            "MethodNotAllowed",
            405,
            "The specified method is not allowed against this resource.",
        )),
    }
}

/// ListObjectsV2 (`?list-type=2`) or ListObjects (v1, `marker`), both on the sim's
/// ListObjectsV2.
fn list_objects(
    call: &mut SimCall<'_>,
    req: &Request,
    b: &str,
    query: &[(String, String)],
    rid: &str,
) -> Result<Response, WireError> {
    let get = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let v2 = get("list-type").as_deref() == Some("2");
    let url = get("encoding-type").as_deref() == Some("url");
    let mut p = json!({"Bucket": b});
    for (q, name) in [("prefix", "Prefix"), ("delimiter", "Delimiter")] {
        if let Some(v) = get(q).filter(|v| !v.is_empty()) {
            p[name] = json!(v);
        }
    }
    if let Some(m) = get("max-keys") {
        let n: i64 = m.parse().map_err(|_| {
            WireError::new(
                "InvalidArgument",
                400,
                "Provided max-keys not an integer or within integer range",
            )
        })?;
        p["MaxKeys"] = json!(n);
    }
    let token = get("continuation-token");
    if v2 {
        if let Some(t) = &token {
            p["ContinuationToken"] = json!(t);
        }
        if let Some(s) = get("start-after") {
            p["StartAfter"] = json!(s);
        }
    } else if let Some(m) = get("marker").filter(|m| !m.is_empty()) {
        p["StartAfter"] = json!(m);
    }
    let f = call("s3:ListObjectsV2", p, None)?.fields;
    let _ = req;
    let mut w = Writer::document();
    w.open_ns("ListBucketResult", NS);
    w.leaf("Name", b);
    w.leaf("Prefix", &list_key(&get("prefix").unwrap_or_default(), url));
    if v2 {
        if let Some(t) = &token {
            w.leaf("ContinuationToken", t);
        }
        if let Some(n) = f.get("NextContinuationToken").and_then(Json::as_str) {
            w.leaf("NextContinuationToken", n);
        }
        if let Some(s) = get("start-after") {
            w.leaf("StartAfter", &list_key(&s, url));
        }
        w.leaf_json("KeyCount", f.get("KeyCount"));
    } else {
        w.leaf("Marker", &list_key(&get("marker").unwrap_or_default(), url));
        let truncated = f.get("IsTruncated").and_then(Json::as_bool) == Some(true);
        if truncated && get("delimiter").is_some() {
            let last = f
                .get("Contents")
                .and_then(Json::as_array)
                .and_then(|c| c.last())
                .and_then(|c| c.get("Key"))
                .and_then(Json::as_str)
                .map(str::to_string);
            let last_prefix = f
                .get("CommonPrefixes")
                .and_then(Json::as_array)
                .and_then(|c| c.last())
                .and_then(|c| c.get("Prefix"))
                .and_then(Json::as_str)
                .map(str::to_string);
            if let Some(m) = last.into_iter().chain(last_prefix).max() {
                w.leaf("NextMarker", &list_key(&m, url));
            }
        }
    }
    w.leaf_json("MaxKeys", f.get("MaxKeys"));
    if let Some(d) = get("delimiter").filter(|d| !d.is_empty()) {
        w.leaf("Delimiter", &list_key(&d, url));
    }
    w.leaf_json("IsTruncated", f.get("IsTruncated"));
    if url {
        w.leaf("EncodingType", "url");
    }
    write_contents(&mut w, &f, url, None);
    w.close("ListBucketResult");
    Ok(xml_ok(rid, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: &str, path: &str) -> Request {
        Request {
            method: "GET".into(),
            raw_path: path.into(),
            raw_query: String::new(),
            headers: vec![("host".into(), host.into())],
            body: Vec::new(),
            peer: std::net::IpAddr::from([127, 0, 0, 1]),
        }
    }

    #[test]
    fn buckets_and_keys_come_from_the_path_or_a_virtual_host() {
        assert_eq!(
            address(&req("127.0.0.1:4566", "/bkt/a/b%20c.txt")),
            (Some("bkt".into()), Some("a/b c.txt".into()))
        );
        assert_eq!(
            address(&req("bkt.localhost:4566", "/a%2Bb")),
            (Some("bkt".into()), Some("a+b".into()))
        );
        assert_eq!(
            address(&req("bkt.s3.localhost.localstack.cloud:4566", "/k")),
            (Some("bkt".into()), Some("k".into()))
        );
        assert_eq!(address(&req("localhost:4566", "/")), (None, None));
        assert_eq!(
            address(&req("localhost", "/bkt/")),
            (Some("bkt".into()), None)
        );
    }

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }
}
