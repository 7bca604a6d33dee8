//! AWS Signature Version 4: parsing a request's credentials (Authorization header or presigned
//! query), verifying the signature against the access key's secret in constant time, and
//! de-chunking `aws-chunked` bodies with their chunk signatures.
//!
//! The canonical request follows botocore's, which every AWS SDK agrees with: S3 signs the raw
//! path as sent, other services the normalised path encoded once more; the query is signed as
//! sent (pairs sorted), with a re-encoded form tried as well for clients that encode
//! differently. [`sign`] produces the same signatures, for tests and tools.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The only algorithm AWS accepts for SigV4.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// How far a request's time may be from the wall clock (AWS: 15 minutes).
pub const MAX_SKEW_SECS: i64 = 15 * 60;
/// sha256 of the empty string, used by chunk signatures.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A request as the verifier sees it: header names in lower case.
pub struct RequestParts<'a> {
    pub method: &'a str,
    /// The path exactly as sent (still percent-encoded).
    pub raw_path: &'a str,
    /// The query exactly as sent, without `?`.
    pub raw_query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

impl RequestParts<'_> {
    /// The values of a header (names compare case-insensitively).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a signed request claims: who signed, for which scope, and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    /// `YYYYMMDD` of the scope.
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// `YYYYMMDDTHHMMSSZ` of the request.
    pub amz_date: String,
    /// Presigned URLs: seconds the signature stays valid.
    pub expires: Option<i64>,
}

impl Credentials {
    /// `DATE/REGION/SERVICE/aws4_request`.
    pub fn scope(&self) -> String {
        format!(
            "{}/{}/{}/aws4_request",
            self.date, self.region, self.service
        )
    }

    pub fn presigned(&self) -> bool {
        self.expires.is_some()
    }
}

/// Why a request's authentication failed, before the protocol names the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The Authorization header or presigned query is not SigV4 as AWS parses it.
    Malformed(String),
    /// The signature (or a chunk's) does not match.
    Mismatch(String),
    /// The request time is too far from now.
    Skewed(String),
    /// A presigned URL past its expiry.
    Expired(String),
    /// The body's hash differs from `x-amz-content-sha256`.
    ContentMismatch,
}

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // Invariant: HMAC accepts keys of any length, so new_from_slice cannot fail.
    let mut m = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    m.update(data);
    m.finalize().into_bytes().into()
}

/// Lower-case hex of sha256(data).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The signing key: HMAC chain `"AWS4"+secret` -> date -> region -> service -> `aws4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k = hmac(&k, region.as_bytes());
    let k = hmac(&k, service.as_bytes());
    hmac(&k, b"aws4_request")
}

fn parse_credential(value: &str) -> Result<(String, String, String, String), AuthError> {
    let parts: Vec<&str> = value.split('/').collect();
    match parts.as_slice() {
        [id, date, region, service, "aws4_request"] if !id.is_empty() => Ok((
            id.to_string(),
            date.to_string(),
            region.to_string(),
            service.to_string(),
        )),
        _ => Err(AuthError::Malformed(format!(
            "Credential should be scoped to a valid region and end with aws4_request, e.g. AKID/20260101/us-east-1/kms/aws4_request (got {value:?})"
        ))),
    }
}

/// Percent-decodes (no `+` to space: SigV4 never uses it).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// AWS's URI encoding: everything but unreserved characters (and `/` when `keep_slash`).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.~".contains(&c) || (keep_slash && c == b'/') {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// Splits a raw query into (key, value) pairs as sent (a missing `=` gives an empty value).
pub fn query_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Reads the credentials of a request: the Authorization header, else a presigned query.
/// `Ok(None)` means the request is unsigned (anonymous).
pub fn parse(req: &RequestParts<'_>) -> Result<Option<Credentials>, AuthError> {
    if let Some(h) = req.header("authorization") {
        let rest = h.trim().strip_prefix(ALGORITHM).ok_or_else(|| {
            AuthError::Malformed(
                "Unsupported Authorization Type: only AWS4-HMAC-SHA256 (Signature Version 4) is accepted".into(),
            )
        })?;
        let mut credential = None;
        let mut signed = None;
        let mut signature = None;
        for part in rest.split(',') {
            let part = part.trim();
            if let Some(v) = part.strip_prefix("Credential=") {
                credential = Some(v);
            } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
                signed = Some(v);
            } else if let Some(v) = part.strip_prefix("Signature=") {
                signature = Some(v);
            }
        }
        let missing = |n: &str| {
            AuthError::Malformed(format!(
                "Authorization header requires '{n}' parameter. Authorization={h}"
            ))
        };
        let (id, date, region, service) =
            parse_credential(credential.ok_or_else(|| missing("Credential"))?)?;
        let amz_date = req
            .header("x-amz-date")
            .map(str::to_string)
            .or_else(|| req.header("date").and_then(http_date_to_amz))
            .ok_or_else(|| {
                AuthError::Malformed(
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into(),
                )
            })?;
        return Ok(Some(Credentials {
            access_key_id: id,
            date,
            region,
            service,
            signed_headers: signed
                .ok_or_else(|| missing("SignedHeaders"))?
                .split(';')
                .map(str::to_ascii_lowercase)
                .collect(),
            signature: signature
                .ok_or_else(|| missing("Signature"))?
                .to_ascii_lowercase(),
            amz_date,
            expires: None,
        }));
    }
    let q: Vec<(String, String)> = query_pairs(req.raw_query)
        .into_iter()
        .map(|(k, v)| (percent_decode(&k), percent_decode(&v)))
        .collect();
    let get = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let Some(alg) = get("X-Amz-Algorithm") else {
        return Ok(None);
    };
    if alg != ALGORITHM {
        return Err(AuthError::Malformed(format!(
            "X-Amz-Algorithm only supports \"{ALGORITHM}\""
        )));
    }
    let need = |n: &str| {
        get(n).ok_or_else(|| {
            AuthError::Malformed(format!(
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters ({n} is missing)."
            ))
        })
    };
    let (id, date, region, service) = parse_credential(need("X-Amz-Credential")?)?;
    let expires = need("X-Amz-Expires")?
        .parse::<i64>()
        .ok()
        .filter(|e| (1..=604_800).contains(e))
        .ok_or_else(|| {
            AuthError::Malformed(
                "X-Amz-Expires must be a number of seconds from 1 to 604800 (7 days)".into(),
            )
        })?;
    Ok(Some(Credentials {
        access_key_id: id,
        date,
        region,
        service,
        signed_headers: need("X-Amz-SignedHeaders")?
            .split(';')
            .map(str::to_ascii_lowercase)
            .collect(),
        signature: need("X-Amz-Signature")?.to_ascii_lowercase(),
        amz_date: need("X-Amz-Date")?.to_string(),
        expires: Some(expires),
    }))
}

/// `Date: Tue, 01 Jan 2026 00:00:00 GMT` -> `20260101T000000Z`.
fn http_date_to_amz(d: &str) -> Option<String> {
    let t = time::PrimitiveDateTime::parse(
        d.trim_end_matches(" GMT"),
        time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second]"
        ),
    )
    .ok()?;
    Some(format_amz(t.assume_utc()))
}

fn format_amz(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Seconds since the epoch of a `YYYYMMDDTHHMMSSZ` time.
pub fn parse_amz_date(s: &str) -> Option<i64> {
    let t = time::PrimitiveDateTime::parse(
        s,
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .ok()?;
    Some(t.assume_utc().unix_timestamp())
}

/// `YYYYMMDDTHHMMSSZ` of a time in epoch seconds.
pub fn amz_date(epoch_secs: i64) -> String {
    format_amz(
        time::OffsetDateTime::from_unix_timestamp(epoch_secs)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    )
}

/// Removes `.` and `..` segments (RFC 3986), as botocore does for non-S3 services.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut p = out.join("/");
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    if (path.ends_with("/.") || path.ends_with("/..")) && !p.ends_with('/') {
        p.push('/');
    }
    p
}

fn canonical_uri(raw_path: &str, service: &str) -> String {
    let path = if raw_path.is_empty() { "/" } else { raw_path };
    if service == "s3" {
        return path.to_string();
    }
    let normalised = remove_dot_segments(path);
    let mut out = String::new();
    for &c in normalised.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.~/".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// The canonical query: as sent, or with every key and value re-encoded AWS's way.
fn canonical_query(raw: &str, presigned: bool, reencode: bool) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(raw)
        .into_iter()
        .filter(|(k, _)| !(presigned && percent_decode(k) == "X-Amz-Signature"))
        .map(|(k, v)| {
            if reencode {
                (
                    uri_encode(&percent_decode(&k), false),
                    uri_encode(&percent_decode(&v), false),
                )
            } else {
                (k, v)
            }
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn canonical_headers(req: &RequestParts<'_>, signed: &[String]) -> String {
    let mut out = String::new();
    for name in signed {
        let values: Vec<String> = req
            .header_values(name)
            .into_iter()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out
}

/// The payload hash the signature covers.
fn payload_hash(req: &RequestParts<'_>, cred: &Credentials) -> String {
    match req.header("x-amz-content-sha256") {
        Some(h) => h.to_string(),
        None if cred.presigned() && cred.service == "s3" => "UNSIGNED-PAYLOAD".into(),
        None => sha256_hex(req.body),
    }
}

/// The canonical request of `req` for `cred` (query as sent, or re-encoded).
pub fn canonical_request(req: &RequestParts<'_>, cred: &Credentials, reencode: bool) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        req.method,
        canonical_uri(req.raw_path, &cred.service),
        canonical_query(req.raw_query, cred.presigned(), reencode),
        canonical_headers(req, &cred.signed_headers),
        cred.signed_headers.join(";"),
        payload_hash(req, cred)
    )
}

/// The string to sign for a canonical request.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    )
}

fn hex_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Verifies a request's signature with the secret of its access key, and its time against
/// `now_secs` (the wall clock, never the simulated one). Also checks that a hex
/// `x-amz-content-sha256` is the body's.
pub fn verify(
    req: &RequestParts<'_>,
    cred: &Credentials,
    secret: &str,
    now_secs: i64,
) -> Result<(), AuthError> {
    let t = parse_amz_date(&cred.amz_date).ok_or_else(|| {
        AuthError::Malformed(format!(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" (got {:?})",
            cred.amz_date
        ))
    })?;
    if !cred.amz_date.starts_with(&cred.date) {
        return Err(AuthError::Malformed(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'",
            cred.date,
            &cred.amz_date[..cred.amz_date.len().min(8)]
        )));
    }
    if let Some(exp) = cred.expires {
        if now_secs > t + exp {
            return Err(AuthError::Expired(format!(
                "Request has expired: signed at {} for {exp} seconds",
                cred.amz_date
            )));
        }
        if t - now_secs > MAX_SKEW_SECS {
            return Err(AuthError::Skewed(format!(
                "Request is not valid yet: signed for {}",
                cred.amz_date
            )));
        }
    } else if (now_secs - t).abs() > MAX_SKEW_SECS {
        return Err(AuthError::Skewed(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            cred.amz_date,
            amz_date(now_secs - MAX_SKEW_SECS),
            amz_date(now_secs)
        )));
    }
    if !cred.signed_headers.iter().any(|h| h == "host") {
        return Err(AuthError::Malformed(
            "'Host' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    let key = signing_key(secret, &cred.date, &cred.region, &cred.service);
    let scope = cred.scope();
    let mut matched = false;
    for reencode in [false, true] {
        let canonical = canonical_request(req, cred, reencode);
        let sts = string_to_sign(&cred.amz_date, &scope, &canonical);
        let sig = hex::encode(hmac(&key, sts.as_bytes()));
        if hex_eq(&sig, &cred.signature) {
            matched = true;
            break;
        }
    }
    if !matched {
        return Err(AuthError::Mismatch(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.".into(),
        ));
    }
    if let Some(h) = req.header("x-amz-content-sha256")
        && h.len() == 64
        && h.bytes().all(|c| c.is_ascii_hexdigit())
        && !hex_eq(&h.to_ascii_lowercase(), &sha256_hex(req.body))
    {
        return Err(AuthError::ContentMismatch);
    }
    Ok(())
}

/// How an `aws-chunked` body's chunks are to be checked.
pub struct ChunkVerifier {
    pub key: [u8; 32],
    pub amz_date: String,
    pub scope: String,
    /// The request's own signature, which the first chunk's chains from.
    pub seed: String,
}

/// The signature of one `aws-chunked` chunk, chained from the previous signature.
pub fn chunk_signature(
    key: &[u8; 32],
    amz_date: &str,
    scope: &str,
    prev: &str,
    chunk: &[u8],
) -> String {
    let sts = format!(
        "{ALGORITHM}-PAYLOAD\n{amz_date}\n{scope}\n{prev}\n{EMPTY_SHA256}\n{}",
        sha256_hex(chunk)
    );
    hex::encode(hmac(key, sts.as_bytes()))
}

/// A de-chunked `aws-chunked` body and its trailing headers (`x-amz-checksum-*`).
pub struct Dechunked {
    pub data: Vec<u8>,
    pub trailers: Vec<(String, String)>,
}

fn chunk_error(msg: &str) -> AuthError {
    AuthError::Malformed(format!("aws-chunked body: {msg}"))
}

fn read_line<'a>(body: &'a [u8], pos: &mut usize) -> Result<&'a str, AuthError> {
    let rest = &body[(*pos).min(body.len())..];
    let end = rest
        .windows(2)
        .position(|w| w == b"\r\n")
        .ok_or_else(|| chunk_error("a line is not terminated by CRLF"))?;
    *pos += end + 2;
    std::str::from_utf8(&rest[..end]).map_err(|_| chunk_error("a chunk header is not text"))
}

/// Decodes an `aws-chunked` body. With a verifier each chunk's `chunk-signature` must chain
/// from the previous one (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); without, chunks are unsigned
/// (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
pub fn dechunk(body: &[u8], verifier: Option<&ChunkVerifier>) -> Result<Dechunked, AuthError> {
    let mut pos = 0;
    let mut data = Vec::new();
    let mut prev = verifier.map(|v| v.seed.clone()).unwrap_or_default();
    loop {
        let line = read_line(body, &mut pos)?;
        let (size_hex, ext) = line.split_once(';').unwrap_or((line, ""));
        let size = usize::from_str_radix(size_hex.trim(), 16)
            .map_err(|_| chunk_error(&format!("bad chunk size {size_hex:?}")))?;
        let chunk = body
            .get(pos..pos + size)
            .ok_or_else(|| chunk_error("a chunk is shorter than its declared size"))?;
        if let Some(v) = verifier {
            let sig = ext
                .trim()
                .strip_prefix("chunk-signature=")
                .ok_or_else(|| chunk_error("a chunk has no chunk-signature"))?;
            let expected = chunk_signature(&v.key, &v.amz_date, &v.scope, &prev, chunk);
            if !hex_eq(&expected, &sig.to_ascii_lowercase()) {
                return Err(AuthError::Mismatch(
                    "The chunk signature we calculated does not match the signature you provided."
                        .into(),
                ));
            }
            prev = expected;
        }
        data.extend_from_slice(chunk);
        pos += size;
        if size == 0 {
            break;
        }
        if body.get(pos..pos + 2) != Some(b"\r\n") {
            return Err(chunk_error("a chunk is longer than its declared size"));
        }
        pos += 2;
    }
    let mut trailers = Vec::new();
    while pos < body.len() {
        let line = read_line(body, &mut pos)?;
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            if k != "x-amz-trailer-signature" {
                trailers.push((k, v.trim().to_string()));
            }
        }
    }
    Ok(Dechunked { data, trailers })
}

/// Signs a request (adds `x-amz-date`, `x-amz-content-sha256` for S3 unless given, and
/// `authorization`): what a client does, for tests and tools. `headers` must already hold
/// `host`. Returns the signature (the seed of an `aws-chunked` body's chunk signatures).
#[allow(clippy::too_many_arguments)]
pub fn sign(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &mut Vec<(String, String)>,
    body: &[u8],
    access_key_id: &str,
    secret: &str,
    region: &str,
    service: &str,
    amz_date: &str,
) -> String {
    headers.retain(|(n, _)| n != "authorization");
    headers.push(("x-amz-date".into(), amz_date.to_string()));
    if service == "s3" && !headers.iter().any(|(n, _)| n == "x-amz-content-sha256") {
        headers.push(("x-amz-content-sha256".into(), sha256_hex(body)));
    }
    let mut signed: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    signed.sort();
    signed.dedup();
    let cred = Credentials {
        access_key_id: access_key_id.to_string(),
        date: amz_date[..8.min(amz_date.len())].to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed,
        signature: String::new(),
        amz_date: amz_date.to_string(),
        expires: None,
    };
    let req = RequestParts {
        method,
        raw_path,
        raw_query,
        headers,
        body,
    };
    let canonical = canonical_request(&req, &cred, false);
    let sts = string_to_sign(amz_date, &cred.scope(), &canonical);
    let key = signing_key(secret, &cred.date, region, service);
    let sig = hex::encode(hmac(&key, sts.as_bytes()));
    let auth = format!(
        "{ALGORITHM} Credential={access_key_id}/{}, SignedHeaders={}, Signature={sig}",
        cred.scope(),
        cred.signed_headers.join(";")
    );
    headers.push(("authorization".into(), auth));
    sig
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn h(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn aws_test_suite_get_vanilla_verifies() {
        // AWS SigV4 test suite, "get-vanilla".
        let headers = h(&[
            ("host", "example.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            ),
        ]);
        let req = RequestParts {
            method: "GET",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: b"",
        };
        let cred = parse(&req).unwrap().unwrap();
        assert_eq!(cred.access_key_id, "AKIDEXAMPLE");
        assert_eq!(cred.service, "service");
        let now = parse_amz_date("20150830T123600Z").unwrap();
        verify(&req, &cred, SECRET, now).unwrap();
        // One character of the secret off: refused.
        assert!(matches!(
            verify(&req, &cred, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ", now),
            Err(AuthError::Mismatch(_))
        ));
        // An hour later: too far from the wall clock.
        assert!(matches!(
            verify(&req, &cred, SECRET, now + 3600),
            Err(AuthError::Skewed(_))
        ));
    }

    #[test]
    fn aws_documentation_iam_list_users_verifies() {
        // The IAM ListUsers example of the SigV4 documentation.
        let body = b"Action=ListUsers&Version=2010-05-08";
        let headers = h(&[
            (
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("host", "iam.amazonaws.com"),
            ("x-amz-date", "20150830T123600Z"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            ),
        ]);
        let req = RequestParts {
            method: "GET",
            raw_path: "/",
            raw_query: "Action=ListUsers&Version=2010-05-08",
            headers: &headers,
            body: b"",
        };
        let _ = body;
        let cred = parse(&req).unwrap().unwrap();
        verify(
            &req,
            &cred,
            SECRET,
            parse_amz_date("20150830T123600Z").unwrap(),
        )
        .unwrap();
    }

    #[test]
    fn signing_and_verifying_agree_for_s3_paths_and_queries() {
        let mut headers = h(&[("host", "127.0.0.1:4566")]);
        let body = b"hello";
        sign(
            "PUT",
            "/bkt/a/b%20c.txt",
            "x-id=PutObject&tagging",
            &mut headers,
            body,
            "AKIAEXAMPLE",
            "secret",
            "us-east-1",
            "s3",
            "20260101T000000Z",
        );
        let req = RequestParts {
            method: "PUT",
            raw_path: "/bkt/a/b%20c.txt",
            raw_query: "x-id=PutObject&tagging",
            headers: &headers,
            body,
        };
        let cred = parse(&req).unwrap().unwrap();
        let now = parse_amz_date("20260101T000000Z").unwrap();
        verify(&req, &cred, "secret", now).unwrap();
        // The body changed in transit: its hash no longer matches the signed one.
        let tampered = RequestParts {
            body: b"hellO",
            ..req
        };
        assert_eq!(
            verify(&tampered, &cred, "secret", now),
            Err(AuthError::ContentMismatch)
        );
    }

    #[test]
    fn aws_documentation_chunked_upload_verifies_each_chunk() {
        // The aws-chunked example of the S3 documentation (64 KiB + 1 KiB of 'a').
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let v = ChunkVerifier {
            key: signing_key(secret, "20130524", "us-east-1", "s3"),
            amz_date: "20130524T000000Z".into(),
            scope: "20130524/us-east-1/s3/aws4_request".into(),
            seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9".into(),
        };
        let mut body = Vec::new();
        body.extend_from_slice(b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
        body.extend(std::iter::repeat_n(b'a', 65536));
        body.extend_from_slice(b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
        body.extend(std::iter::repeat_n(b'a', 1024));
        body.extend_from_slice(b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
        let d = dechunk(&body, Some(&v)).unwrap();
        assert_eq!(d.data.len(), 66560);
        // A flipped byte in the data breaks that chunk's signature.
        let mut bad = body.clone();
        bad[200] = b'b';
        assert!(matches!(
            dechunk(&bad, Some(&v)),
            Err(AuthError::Mismatch(_))
        ));
    }

    #[test]
    fn unsigned_chunks_keep_their_trailers() {
        let body = b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
        let d = dechunk(body, None).unwrap();
        assert_eq!(d.data, b"hello");
        assert_eq!(
            d.trailers,
            vec![("x-amz-checksum-crc32".to_string(), "NhCmhg==".to_string())]
        );
        assert!(dechunk(b"5\r\nhel", None).is_err());
    }

    #[test]
    fn presigned_queries_parse_and_expire() {
        let headers = h(&[("host", "127.0.0.1:4566")]);
        let q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAX%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
        let cred0 = Credentials {
            access_key_id: "AKIAX".into(),
            date: "20260101".into(),
            region: "us-east-1".into(),
            service: "s3".into(),
            signed_headers: vec!["host".into()],
            signature: String::new(),
            amz_date: "20260101T000000Z".into(),
            expires: Some(60),
        };
        let req = RequestParts {
            method: "GET",
            raw_path: "/b/k",
            raw_query: q,
            headers: &headers,
            body: b"",
        };
        let sts = string_to_sign(
            "20260101T000000Z",
            &cred0.scope(),
            &canonical_request(&req, &cred0, false),
        );
        let sig = hex::encode(hmac(
            &signing_key("s", "20260101", "us-east-1", "s3"),
            sts.as_bytes(),
        ));
        let full = format!("{q}&X-Amz-Signature={sig}");
        let req = RequestParts {
            raw_query: &full,
            ..req
        };
        let cred = parse(&req).unwrap().unwrap();
        assert_eq!(cred.expires, Some(60));
        let t = parse_amz_date("20260101T000000Z").unwrap();
        verify(&req, &cred, "s", t + 30).unwrap();
        assert!(matches!(
            verify(&req, &cred, "s", t + 61),
            Err(AuthError::Expired(_))
        ));
    }

    #[test]
    fn unsigned_requests_have_no_credentials_and_bad_headers_are_malformed() {
        let headers = h(&[("host", "x")]);
        let req = RequestParts {
            method: "GET",
            raw_path: "/",
            raw_query: "",
            headers: &headers,
            body: b"",
        };
        assert_eq!(parse(&req).unwrap(), None);
        let headers = h(&[("host", "x"), ("authorization", "AWS AKID:sig")]);
        let req = RequestParts {
            headers: &headers,
            ..req
        };
        assert!(matches!(parse(&req), Err(AuthError::Malformed(_))));
    }
}
