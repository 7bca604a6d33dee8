//! CloudTrail log file integrity validation, as AWS does it: a trail with
//! `LogFileValidationEnabled` delivers, once an hour of world time has passed since its last
//! one, a digest file listing the log files delivered since (their SHA-256 hashes), chained to
//! the previous digest and signed SHA256withRSA with the region's key; `ListPublicKeys` answers
//! the public keys, so `aws cloudtrail validate-logs` verifies the chain and reports a log file
//! that was changed or deleted.
//!
//! The digest is written as `AWSLogs/<account>/CloudTrail-Digest/<region>/<y>/<m>/<d>/
//! <account>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHMMSSZ>.json.gz` with its
//! signature in the object's `x-amz-meta-signature` and `x-amz-meta-signature-algorithm`.
//! The private key exists only sealed under a data key wrapped by the world's root key.

use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::{Pkcs1v15Sign, PrivateKey as RsaPrivateKey};
use serde_json::{Value as Json, json};
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use super::SERVICE;
use crate::sim::authz::Access;
use crate::sim::clock::{Millis, iso8601};
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::world::{DigestChain, DigestKey, DigestLog, EntityRef, PreviousDigest};
use crate::sim::{CallContext, Cloud, SimError};

const HOUR: Millis = 3_600_000;
/// How long a signing key is valid before the next one is made.
const KEY_VALIDITY: Millis = 365 * 24 * HOUR;
const SIGNING_KEY_WRAP: &str = "cloudtrail-digest-key";

fn internal(e: impl std::fmt::Display) -> SimError {
    SimError::internal(e.to_string())
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn gzip(body: &[u8]) -> Result<Vec<u8>, SimError> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body).map_err(internal)?;
    gz.finish().map_err(internal)
}

/// `20260101T013000Z`.
fn compact_time(t: Millis) -> String {
    iso8601(t - t.rem_euclid(1000))
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// The oldest and newest `eventTime` of a log file's records.
pub(super) fn event_span(records: &[Json]) -> (String, String) {
    let mut times: Vec<&str> = records
        .iter()
        .filter_map(|r| r.get("eventTime").and_then(Json::as_str))
        .collect();
    times.sort_unstable();
    (
        times.first().copied().unwrap_or_default().to_string(),
        times.last().copied().unwrap_or_default().to_string(),
    )
}

impl Cloud {
    /// Notes a delivered log file for the trail's next digest.
    pub(super) fn note_log_for_digest(&mut self, trail: &str, log: DigestLog) {
        if let Some(t) = self.world.cloudtrail.trails.get_mut(trail)
            && t.log_file_validation
        {
            t.digest
                .get_or_insert_with(DigestChain::default)
                .logs
                .push(log);
        }
    }

    /// The signing key valid now, made on first use (and when the last one expired).
    fn digest_key(&mut self) -> Result<DigestKey, SimError> {
        let now = self.world.now;
        if let Some(k) = self
            .world
            .cloudtrail
            .digest_keys
            .iter()
            .rev()
            .find(|k| k.valid_from <= now && now < k.valid_to)
        {
            return Ok(k.clone());
        }
        let sk = RsaPrivateKey::new(&mut getrandom::SysRng, 2048).map_err(internal)?;
        let secret = Zeroizing::new(sk.to_pkcs8_der().map_err(internal)?.as_bytes().to_vec());
        crate::sim::reveal_secret("cloudtrail-digest-key", &secret);
        let public = sk
            .to_public_key()
            .to_pkcs1_der()
            .map_err(internal)?
            .as_bytes()
            .to_vec();
        let m = KeyMaterial::generate().map_err(internal)?;
        let fingerprint = crypto::md5_hex(&public);
        let wrapped_key = self
            .root
            .wrap(&format!("{SIGNING_KEY_WRAP}/{fingerprint}"), 1, &m)
            .map_err(internal)?;
        let sealed =
            crypto::encrypt_body(m.expose(), &secret, fingerprint.as_bytes()).map_err(internal)?;
        let key = DigestKey {
            fingerprint,
            public_der: B64.encode(&public),
            sealed_secret: B64.encode(sealed),
            wrapped_key,
            valid_from: now,
            valid_to: now + KEY_VALIDITY,
        };
        self.world.cloudtrail.digest_keys.push(key.clone());
        Ok(key)
    }

    /// Signs `message` SHA256withRSA with a digest key; the signature in hex.
    fn sign_digest(&self, key: &DigestKey, message: &[u8]) -> Result<String, SimError> {
        let m = self
            .root
            .unwrap(
                &format!("{SIGNING_KEY_WRAP}/{}", key.fingerprint),
                1,
                &key.wrapped_key,
            )
            .map_err(internal)?;
        let sealed = B64.decode(&key.sealed_secret).map_err(internal)?;
        let secret = crypto::decrypt_body(m.expose(), &sealed, key.fingerprint.as_bytes())
            .map_err(|_| SimError::internal("the CloudTrail signing key was tampered with"))?;
        let sk = RsaPrivateKey::from_pkcs8_der(&secret).map_err(internal)?;
        let sig = sk
            .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
            .map_err(internal)?;
        Ok(hex::encode(sig))
    }

    /// Delivers the digest file of every validating, logging trail whose period has lasted an
    /// hour. Returns the digests' S3 URLs.
    pub(super) fn deliver_digests(&mut self) -> Vec<String> {
        let now = self.world.now;
        let due: Vec<String> = self
            .world
            .cloudtrail
            .trails
            .iter_mut()
            .filter(|(_, t)| t.is_logging && t.log_file_validation)
            .filter_map(|(n, t)| {
                let chain = t.digest.get_or_insert_with(DigestChain::default);
                let start = *chain.period_start.get_or_insert(now);
                (now - start >= HOUR).then(|| n.clone())
            })
            .collect();
        let mut delivered = Vec::new();
        for name in due {
            match self.deliver_digest(&name) {
                Ok(Some(url)) => delivered.push(url),
                Ok(None) => {}
                // A digest CloudTrail cannot write (the bucket policy changed, the bucket is
                // gone) is retried at the next delivery, as AWS retries.
                Err(_) => {}
            }
            self.touch(EntityRef::Trail(name));
        }
        delivered
    }

    fn deliver_digest(&mut self, name: &str) -> Result<Option<String>, SimError> {
        let Some(trail) = self.world.cloudtrail.trails.get(name).cloned() else {
            return Ok(None);
        };
        let chain = trail.digest.clone().unwrap_or_default();
        let now = self.world.now;
        let start = chain.period_start.unwrap_or(now);
        let key = self.digest_key()?;
        let (acct, region) = (self.world.account_id.clone(), self.world.region.clone());
        let prefix = trail
            .s3_key_prefix
            .as_deref()
            .map(|p| format!("{p}/"))
            .unwrap_or_default();
        let (day, _) = crate::sim::clock::trail_path_parts(now);
        let object = format!(
            "{prefix}AWSLogs/{acct}/CloudTrail-Digest/{region}/{day}/{acct}_CloudTrail-Digest_{region}_{}_{region}_{}.json.gz",
            trail.name,
            compact_time(now)
        );
        let bucket = trail.s3_bucket_name.clone();
        let end_time = iso8601(now - now.rem_euclid(1000));
        let oldest = chain.logs.iter().map(|l| l.oldest_event.as_str()).min();
        let newest = chain.logs.iter().map(|l| l.newest_event.as_str()).max();
        let prev = chain.previous.as_ref();
        let body = json!({
            "awsAccountId": acct,
            "digestStartTime": iso8601(start - start.rem_euclid(1000)),
            "digestEndTime": end_time,
            "digestS3Bucket": bucket,
            "digestS3Object": object,
            "digestPublicKeyFingerprint": key.fingerprint,
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": newest,
            "oldestEventTime": oldest,
            "previousDigestS3Bucket": prev.map(|p| &p.bucket),
            "previousDigestS3Object": prev.map(|p| &p.key),
            "previousDigestHashValue": prev.map(|p| &p.sha256),
            "previousDigestHashAlgorithm": prev.map(|_| "SHA-256"),
            "previousDigestSignature": prev.map(|p| &p.signature),
            "logFiles": chain.logs.iter().map(|l| json!({
                "s3Bucket": l.bucket,
                "s3Object": l.key,
                "hashValue": l.sha256,
                "hashAlgorithm": "SHA-256",
                "newestEventTime": l.newest_event,
                "oldestEventTime": l.oldest_event,
            })).collect::<Vec<_>>(),
        })
        .to_string();
        let to_sign = format!(
            "{end_time}\n{bucket}/{object}\n{}\n{}",
            sha256_hex(body.as_bytes()),
            prev.map_or("null", |p| p.signature.as_str())
        );
        let signature = self.sign_digest(&key, to_sign.as_bytes())?;
        let conds = vec![
            ("aws:SourceArn".to_string(), trail.arn.clone()),
            ("aws:SourceAccount".to_string(), acct.clone()),
            (
                "s3:x-amz-acl".to_string(),
                "bucket-owner-full-control".to_string(),
            ),
        ];
        let metadata = json!({"signature": signature, "signature-algorithm": "SHA256withRSA"});
        self.s3_put_as_service_with(
            SERVICE,
            &bucket,
            &object,
            &gzip(body.as_bytes())?,
            &conds,
            metadata,
        )?;
        if let Some(t) = self.world.cloudtrail.trails.get_mut(name) {
            t.latest_digest_delivery = Some(now);
            t.digest = Some(DigestChain {
                period_start: Some(now),
                logs: Vec::new(),
                previous: Some(PreviousDigest {
                    bucket: bucket.clone(),
                    key: object.clone(),
                    sha256: sha256_hex(body.as_bytes()),
                    signature,
                }),
            });
        }
        Ok(Some(format!("s3://{bucket}/{object}")))
    }

    /// ListPublicKeys: the digest signing keys valid at some time in [StartTime, EndTime]
    /// (default: the last 30 days up to now).
    pub fn cloudtrail_list_public_keys(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let now = self.world.now;
        let time = |n: &str| -> Result<Option<Millis>, SimError> {
            match p.get(n) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::Number(x)) => Ok(x.as_f64().map(|s| (s * 1000.0) as Millis)),
                Some(Json::String(s)) => crate::sim::clock::parse_iso8601(s)
                    .or_else(|| s.parse::<f64>().ok().map(|x| (x * 1000.0) as Millis))
                    .map(Some)
                    .ok_or_else(|| SimError::param(format!("Invalid timestamp for {n}: {s}"))),
                Some(other) => Err(SimError::param(format!(
                    "Invalid timestamp for {n}: {other}"
                ))),
            }
        };
        let end = time("EndTime")?.unwrap_or(now);
        let start = time("StartTime")?.unwrap_or(end - 30 * 24 * HOUR);
        crate::sim::opt_str(p, "NextToken")?;
        self.run(ctx, super::ct_op("ListPublicKeys", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("cloudtrail:ListPublicKeys", "*"))?;
            if start > end {
                return Err(super::CloudTrailError::InvalidTimeRange.into());
            }
            let keys: Vec<Json> = c
                .world
                .cloudtrail
                .digest_keys
                .iter()
                .filter(|k| k.valid_from <= end && start < k.valid_to)
                .map(|k| {
                    json!({
                        // The PKCS#1 DER public key (a blob: base64 in JSON).
                        "Value": k.public_der,
                        "ValidityStartTime": iso8601(k.valid_from),
                        "ValidityEndTime": iso8601(k.valid_to),
                        "Fingerprint": k.fingerprint,
                    })
                })
                .collect();
            Ok(json!({"PublicKeyList": keys}))
        })
    }
}
