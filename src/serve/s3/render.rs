//! S3's answers: HTTP dates, SSE and object headers, and listing XML.

use super::*;

/// RFC 1123 (`Last-Modified`) of an ISO 8601 time.
pub(super) fn http_date(iso: &str) -> String {
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

/// SSE response headers from a sim result (PutObject, Get/Head, multipart).
pub(super) fn sse_headers(mut r: Response, f: &Json) -> Response {
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

pub(super) fn object_headers(mut r: Response, f: &Json, req: &Request) -> Response {
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
    {
        r = super::objects::checksum_headers(r, f);
    }
    if req.method == "GET"
        && let Some(n) = f.get("TagCount")
    {
        r = r.header("x-amz-tagging-count", xml::scalar(n));
    }
    sse_headers(r, f)
}

/// Keys in list results: URL-encoded when the client asked for `encoding-type=url`.
pub(super) fn list_key(s: &str, url: bool) -> String {
    if url {
        uri_encode(s, true)
    } else {
        s.to_string()
    }
}

pub(super) fn write_contents(w: &mut Writer, f: &Json, url: bool, owner: Option<&str>) {
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

/// ListObjectsV2 (`?list-type=2`) or ListObjects (v1, `marker`), both on the sim's
/// ListObjectsV2.
pub(super) fn list_objects(
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
