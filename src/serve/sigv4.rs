//! AWS Signature Version 4: parsing a request's credentials (Authorization header or presigned
//! query), verifying the signature against the access key's secret in constant time, and
//! de-chunking `aws-chunked` bodies with their chunk signatures.
//!
//! The canonical request follows botocore's, which every AWS SDK agrees with: S3 signs the raw
//! path as sent, other services the normalised path encoded once more; the query is signed as
//! sent (pairs sorted), with a re-encoded form tried as well for clients that encode
//! differently. The re-encoded form starts from the pairs exactly as the service decodes them
//! ([`service_query_pairs`]: `+` is a space), so no query verifies as one thing and is read as
//! another. [`sign`] produces the same signatures, for tests and tools.
//!
//! What the signature must cover, as AWS requires: `host`, every `x-amz-*` header present
//! ([`AuthError::UnsignedHeaders`]), and the body, whose hash only S3 may leave out
//! (`UNSIGNED-PAYLOAD`, `STREAMING-*`). Signature Version 2 is refused by name, never taken for
//! an unsigned (anonymous) request.

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
    /// `x-amz-*` headers the signature does not cover (names in lower case).
    UnsignedHeaders(Vec<String>),
    /// Signature Version 2 (or another scheme than AWS4-HMAC-SHA256).
    UnsupportedScheme,
    /// An S3 request signed in its header without `x-amz-content-sha256`.
    MissingContentSha256,
}

/// `x-amz-*` headers a signature may leave out: the payload hash is bound by the signature
/// whatever its header says (S3 tolerates it unsigned).
const MAY_BE_UNSIGNED: &[&str] = &["x-amz-content-sha256"];

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

/// The query's pairs exactly as the services read them: form decoding, `+` is a space.
pub fn service_query_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw).unwrap_or_else(|_| {
        query_pairs(raw)
            .into_iter()
            .map(|(k, v)| {
                let plus = |s: &str| percent_decode(&s.replace('+', " "));
                (plus(&k), plus(&v))
            })
            .collect()
    })
}

/// Whether query or form pairs carry a Signature Version 2 signature: S3's presigned
/// `AWSAccessKeyId=..&Signature=..`, the query protocol's `SignatureVersion=2`.
pub fn is_sigv2(pairs: &[(String, String)]) -> bool {
    let has = |n: &str| pairs.iter().any(|(k, _)| k == n);
    has("AWSAccessKeyId") && (has("Signature") || has("SignatureVersion"))
}

/// Reads the credentials of a request: the Authorization header, else a presigned query.
/// `Ok(None)` means the request is unsigned (anonymous).
pub fn parse(req: &RequestParts<'_>) -> Result<Option<Credentials>, AuthError> {
    if let Some(h) = req.header("authorization") {
        // Signature Version 2: `AWS AKID:signature`.
        if h.trim_start().starts_with("AWS ") {
            return Err(AuthError::UnsupportedScheme);
        }
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
    let q = service_query_pairs(req.raw_query);
    let get = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    let Some(alg) = get("X-Amz-Algorithm") else {
        // Signature Version 2 in the query: S3's presigned `AWSAccessKeyId=..&Signature=..`,
        // the query protocol's `SignatureVersion=2`.
        if is_sigv2(&q) {
            return Err(AuthError::UnsupportedScheme);
        }
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

/// The canonical query: as sent, or the pairs as the service decodes them re-encoded AWS's
/// way (never a decoding of its own: `a+b` is `a b` to the service, so it is `a%20b` here).
fn canonical_query(raw: &str, presigned: bool, reencode: bool) -> String {
    let signature = |k: &str| presigned && k == "X-Amz-Signature";
    let mut pairs: Vec<(String, String)> = if reencode {
        service_query_pairs(raw)
            .into_iter()
            .filter(|(k, _)| !signature(k))
            .map(|(k, v)| (uri_encode(&k, false), uri_encode(&v, false)))
            .collect()
    } else {
        query_pairs(raw)
            .into_iter()
            .filter(|(k, _)| !signature(&percent_decode(k)))
            .collect()
    };
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

/// Whether a header value is a SHA-256 in hex.
fn is_sha256_hex(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The payload hash the signature covers ([`check_claims`] has refused the forms a service
/// does not accept).
fn payload_hash(req: &RequestParts<'_>, cred: &Credentials) -> String {
    match req.header("x-amz-content-sha256") {
        Some(h) => h.to_string(),
        None if cred.presigned() && cred.service == "s3" => "UNSIGNED-PAYLOAD".into(),
        None => sha256_hex(req.body),
    }
}

/// Whether the signature can be checked only once the body is read: the payload hash is the
/// body's own, not a header's.
pub fn signature_needs_body(req: &RequestParts<'_>, cred: &Credentials) -> bool {
    req.header("x-amz-content-sha256").is_none() && !(cred.presigned() && cred.service == "s3")
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
    check_claims(req, cred, now_secs)?;
    check_signature(req, cred, secret)?;
    check_payload(req)
}

/// What can be checked without the secret or the body: the time, the scope's date, that
/// `host` and every `x-amz-*` header present are signed, and the payload-hash form the
/// service accepts.
pub fn check_claims(
    req: &RequestParts<'_>,
    cred: &Credentials,
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
    let mut unsigned: Vec<String> = req
        .headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .filter(|n| n.starts_with("x-amz-") && !MAY_BE_UNSIGNED.contains(&n.as_str()))
        .filter(|n| !cred.signed_headers.contains(n))
        .collect();
    if !unsigned.is_empty() {
        unsigned.sort();
        unsigned.dedup();
        return Err(AuthError::UnsignedHeaders(unsigned));
    }
    // The canonical query sorts its pairs, so `?p=a&p=b` and `?p=b&p=a` sign alike while a
    // service reads the first: a repeated name would let the order change the meaning.
    let mut names: Vec<String> = service_query_pairs(req.raw_query)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    names.sort();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(AuthError::Malformed(format!(
            "the query names {:?} more than once, which a signature cannot order",
            w[0]
        )));
    }
    match req.header("x-amz-content-sha256") {
        None if cred.service == "s3" && !cred.presigned() => Err(AuthError::MissingContentSha256),
        Some(h) if cred.service != "s3" && !is_sha256_hex(h) => Err(AuthError::Malformed(format!(
            "x-amz-content-sha256 {h:?} leaves the body unsigned, which only S3 accepts: sign the body's SHA-256"
        ))),
        _ => Ok(()),
    }
}

/// Checks the signature itself (for a body-hashed payload, `req` must carry the body).
pub fn check_signature(
    req: &RequestParts<'_>,
    cred: &Credentials,
    secret: &str,
) -> Result<(), AuthError> {
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
    Ok(())
}

/// Checks that a hex `x-amz-content-sha256` is the body's.
pub fn check_payload(req: &RequestParts<'_>) -> Result<(), AuthError> {
    if let Some(h) = req.header("x-amz-content-sha256")
        && is_sha256_hex(h)
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
#[path = "sigv4_tests.rs"]
mod tests;
