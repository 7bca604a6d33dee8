//! Object checksums as S3 keeps them: CRC32, CRC32C, SHA1, SHA256 or CRC64NVME (S3's default
//! for uploads that name none), stored with each object and answered by Get/HeadObject in
//! checksum mode. A multipart object's checksum is either the whole object's (`FULL_OBJECT`,
//! the CRCs) or the checksum of its parts' checksums followed by `-N` (`COMPOSITE`, the
//! default for CRC32/CRC32C and the only type of SHA1/SHA256); CRC64NVME is full-object only.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use sha1::Digest as _;

use super::S3Error;

/// S3's checksum algorithms.
pub(crate) const ALGORITHMS: &[&str] = &["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"];
/// The algorithm S3 uses when an upload names none.
pub(crate) const DEFAULT: &str = "CRC64NVME";

const CRC32C: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);
const CRC64NVME: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_NVME);

/// The raw digest of `body` under `alg` (one of [`ALGORITHMS`]).
pub(crate) fn digest(alg: &str, body: &[u8]) -> Option<Vec<u8>> {
    Some(match alg {
        "CRC32" => crc32fast::hash(body).to_be_bytes().to_vec(),
        "CRC32C" => CRC32C.checksum(body).to_be_bytes().to_vec(),
        "CRC64NVME" => CRC64NVME.checksum(body).to_be_bytes().to_vec(),
        "SHA1" => sha1::Sha1::digest(body).to_vec(),
        "SHA256" => crate::sim::crypto::sha256(body).to_vec(),
        _ => return None,
    })
}

/// The base64 checksum of `body`, as `x-amz-checksum-*` carries it.
pub(crate) fn checksum(alg: &str, body: &[u8]) -> Option<String> {
    digest(alg, body).map(|d| B64.encode(d))
}

/// The response member of an algorithm: `ChecksumCRC32`...
pub(crate) fn member(alg: &str) -> String {
    format!("Checksum{alg}")
}

/// An algorithm name as given (any case) in S3's spelling, or InvalidRequest.
pub(crate) fn algorithm(given: &str) -> Result<&'static str, S3Error> {
    ALGORITHMS
        .iter()
        .find(|a| a.eq_ignore_ascii_case(given))
        .copied()
        .ok_or_else(|| S3Error::InvalidChecksum {
            why: format!("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]: {given}"),
        })
}

/// Whether an algorithm takes composite multipart checksums.
pub(crate) fn composite_allowed(alg: &str) -> bool {
    alg != "CRC64NVME"
}

/// Whether an algorithm takes full-object multipart checksums.
pub(crate) fn full_object_allowed(alg: &str) -> bool {
    alg.starts_with("CRC")
}

/// A composite checksum: the checksum of the parts' raw checksums, then `-N`.
pub(crate) fn composite(alg: &str, parts: &[String]) -> Option<String> {
    let mut raw = Vec::new();
    for p in parts {
        raw.extend(B64.decode(p).ok()?);
    }
    Some(format!("{}-{}", checksum(alg, &raw)?, parts.len()))
}

/// `FULL_OBJECT` or `COMPOSITE`, from a stored value.
pub(crate) fn kind(value: &str) -> &'static str {
    match value.rsplit_once('-') {
        Some((_, n)) if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => "COMPOSITE",
        _ => "FULL_OBJECT",
    }
}

/// Checks the checksums a request carries (`ChecksumCRC32`... parameters) against the body.
pub(crate) fn verify(p: &serde_json::Value, body: &[u8]) -> Result<Option<&'static str>, S3Error> {
    let mut found = None;
    for alg in ALGORITHMS {
        if let Some(given) = p.get(member(alg)).and_then(serde_json::Value::as_str) {
            if checksum(alg, body).as_deref() != Some(given.trim()) {
                return Err(S3Error::BadDigest {
                    algorithm: alg.to_string(),
                });
            }
            found = Some(*alg);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check values of each algorithm ("123456789"), as their specifications give them.
    #[test]
    fn algorithms_match_their_check_values() {
        let d = |a| hex::encode(digest(a, b"123456789").unwrap());
        assert_eq!(d("CRC32"), "cbf43926");
        assert_eq!(d("CRC32C"), "e3069283");
        assert_eq!(d("CRC64NVME"), "ae8b14860a799888");
        assert_eq!(d("SHA1"), "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
        assert_eq!(kind("abc=-3"), "COMPOSITE");
        assert_eq!(kind("abc="), "FULL_OBJECT");
        assert!(algorithm("md5").is_err());
        assert_eq!(algorithm("crc32c").unwrap(), "CRC32C");
    }
}
