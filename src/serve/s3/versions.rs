//! S3 versioning on the wire: `?versioning` (Put/GetBucketVersioning) and `?versions`
//! (ListObjectVersions).

use super::*;

/// PUT `?versioning`: the `VersioningConfiguration` body.
pub(super) fn put_versioning(
    call: &mut SimCall<'_>,
    req: &Request,
    chunks: Option<&ChunkVerifier>,
    b: &str,
    rid: &str,
) -> Result<Response, WireError> {
    let (body, _) = decoded_body(req, chunks)?;
    let root = parse_xml_body(&body)?;
    let mut cfg = json!({});
    for n in ["Status", "MFADelete"] {
        if let Some(v) = root.text_of(n) {
            cfg[n] = json!(v);
        }
    }
    call(
        "s3:PutBucketVersioning",
        json!({"Bucket": b, "VersioningConfiguration": cfg}),
        None,
    )?;
    Ok(empty(rid, 200))
}

pub(super) fn get_versioning(
    call: &mut SimCall<'_>,
    b: &str,
    rid: &str,
) -> Result<Response, WireError> {
    let f = call("s3:GetBucketVersioning", json!({"Bucket": b}), None)?.fields;
    let mut w = Writer::document();
    w.open_ns("VersioningConfiguration", NS)
        .leaf_json("Status", f.get("Status"))
        .close("VersioningConfiguration");
    Ok(xml_ok(rid, w))
}

/// GET `?versions`.
pub(super) fn list_versions(
    call: &mut SimCall<'_>,
    b: &str,
    query: &[(String, String)],
    rid: &str,
) -> Result<Response, WireError> {
    let get = |n: &str| query.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let url = get("encoding-type").as_deref() == Some("url");
    let mut p = json!({"Bucket": b});
    for (q, name) in [
        ("prefix", "Prefix"),
        ("delimiter", "Delimiter"),
        ("key-marker", "KeyMarker"),
        ("version-id-marker", "VersionIdMarker"),
    ] {
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
    let f = call("s3:ListObjectVersions", p, None)?.fields;
    let mut w = Writer::document();
    w.open_ns("ListVersionsResult", NS);
    w.leaf("Name", b);
    w.leaf("Prefix", &list_key(&get("prefix").unwrap_or_default(), url));
    w.leaf(
        "KeyMarker",
        &list_key(&get("key-marker").unwrap_or_default(), url),
    );
    w.leaf(
        "VersionIdMarker",
        &get("version-id-marker").unwrap_or_default(),
    );
    if let Some(n) = f.get("NextKeyMarker").and_then(Json::as_str) {
        w.leaf("NextKeyMarker", &list_key(n, url));
    }
    w.leaf_json("NextVersionIdMarker", f.get("NextVersionIdMarker"));
    w.leaf_json("MaxKeys", f.get("MaxKeys"));
    if let Some(d) = get("delimiter").filter(|d| !d.is_empty()) {
        w.leaf("Delimiter", &list_key(&d, url));
    }
    w.leaf_json("IsTruncated", f.get("IsTruncated"));
    if url {
        w.leaf("EncodingType", "url");
    }
    for v in f
        .get("Versions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("Version");
        w.leaf("Key", &list_key(v["Key"].as_str().unwrap_or(""), url));
        for n in ["VersionId", "IsLatest", "LastModified", "ETag", "Size"] {
            w.leaf_json(n, v.get(n));
        }
        if let Some(o) = v.pointer("/Owner/ID").and_then(Json::as_str) {
            w.open("Owner").leaf("ID", o).close("Owner");
        }
        w.leaf_json("StorageClass", v.get("StorageClass"));
        w.close("Version");
    }
    for d in f
        .get("DeleteMarkers")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("DeleteMarker");
        w.leaf("Key", &list_key(d["Key"].as_str().unwrap_or(""), url));
        for n in ["VersionId", "IsLatest", "LastModified"] {
            w.leaf_json(n, d.get(n));
        }
        if let Some(o) = d.pointer("/Owner/ID").and_then(Json::as_str) {
            w.open("Owner").leaf("ID", o).close("Owner");
        }
        w.close("DeleteMarker");
    }
    for cp in f
        .get("CommonPrefixes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        w.open("CommonPrefixes")
            .leaf(
                "Prefix",
                &list_key(cp["Prefix"].as_str().unwrap_or(""), url),
            )
            .close("CommonPrefixes");
    }
    w.close("ListVersionsResult");
    Ok(xml_ok(rid, w))
}

/// `x-amz-version-id` / `x-amz-delete-marker` of an answer.
pub(super) fn version_headers(mut r: Response, f: &Json) -> Response {
    if let Some(v) = f.get("VersionId").and_then(Json::as_str) {
        r = r.header("x-amz-version-id", v);
    }
    if f.get("DeleteMarker").and_then(Json::as_bool) == Some(true) {
        r = r.header("x-amz-delete-marker", "true");
    }
    r
}
