//! Request bodies of S3: `aws-chunked` framing (chunk signatures checked), checksum headers,
//! and PutObject's storage headers as parameters.

use super::*;

/// Checks `Content-MD5` and `x-amz-checksum-*` (header or trailer) against the body. Returns
/// the checksum header to echo, if any.
pub(super) fn verify_checksums(
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
    let alg = name
        .trim_start_matches("x-amz-checksum-")
        .to_ascii_uppercase();
    let computed = crate::sim::s3::checksum::checksum(&alg, body);
    if let Some(c) = computed
        && c != value.trim()
    {
        return Err(WireError::new(
            "BadDigest",
            400,
            format!("The {alg} you specified did not match the calculated checksum."),
        ));
    }
    Ok(Some((name, value)))
}

/// Trailing headers of an `aws-chunked` body.
pub(super) type Trailers = Vec<(String, String)>;

/// How the S3 routes call the simulation.
pub(super) type SimCall<'a> =
    dyn FnMut(&str, Json, Option<&[u8]>) -> Result<crate::sim::ops::Response, WireError> + 'a;

/// The request body with `aws-chunked` framing removed (chunk signatures checked), and its
/// trailing headers.
pub(super) fn decoded_body(
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
pub(super) fn put_params(req: &Request, bucket: &str, key: &str) -> Result<Json, WireError> {
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
        ("x-amz-tagging", "Tagging"),
        ("x-amz-sdk-checksum-algorithm", "ChecksumAlgorithm"),
        ("x-amz-checksum-algorithm", "ChecksumAlgorithm"),
    ] {
        if let Some(v) = req.header(h) {
            p[name] = json!(v.to_string());
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

/// An HTTP date (`If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT`) as ISO 8601; None when it
/// does not parse (HTTP says a condition with an invalid date is ignored).
pub(super) fn http_date_iso(v: &str) -> Option<String> {
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let t = time::PrimitiveDateTime::parse(v.trim(), &f).ok()?;
    Some(crate::sim::clock::iso8601(
        t.assume_utc().unix_timestamp() * 1000,
    ))
}

/// The conditional headers of a request as parameters: `If-Match` -> `IfMatch` and so on, or
/// with `copy`, `x-amz-copy-source-if-match` -> `CopySourceIfMatch`. `dates` says whether the
/// operation takes the two date conditions.
pub(super) fn condition_params(req: &Request, p: &mut Json, copy: bool, dates: bool) {
    let (hp, pp) = if copy {
        ("x-amz-copy-source-", "CopySource")
    } else {
        ("", "")
    };
    for (h, n) in [("if-match", "IfMatch"), ("if-none-match", "IfNoneMatch")] {
        if let Some(v) = req.header(&format!("{hp}{h}")) {
            p[format!("{pp}{n}")] = json!(v);
        }
    }
    if dates {
        for (h, n) in [
            ("if-modified-since", "IfModifiedSince"),
            ("if-unmodified-since", "IfUnmodifiedSince"),
        ] {
            if let Some(v) = req.header(&format!("{hp}{h}")).and_then(http_date_iso) {
                p[format!("{pp}{n}")] = json!(v);
            }
        }
    }
}
