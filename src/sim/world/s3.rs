//! S3's part of the world: buckets, objects and their versions, multipart uploads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sim::clock::Millis;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct S3State {
    pub buckets: BTreeMap<String, Bucket>,
    /// Bucket name -> object key -> object.
    pub objects: BTreeMap<String, BTreeMap<String, S3Object>>,
    /// Multipart uploads in progress, by upload id.
    #[serde(default)]
    pub uploads: BTreeMap<String, MultipartUpload>,
    /// Bucket name -> key -> the key's noncurrent versions and delete markers, oldest first
    /// (a versioned bucket). The current version stays in `objects`; when a key has no current
    /// object and its newest entry here is a delete marker, that marker is the latest version.
    #[serde(default)]
    pub versions: BTreeMap<String, BTreeMap<String, Vec<ObjectVersion>>>,
}

/// A noncurrent version of an object, or a delete marker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectVersion {
    /// `null` for the version written while versioning was off or suspended.
    pub version_id: String,
    pub last_modified: Millis,
    /// None: a delete marker.
    pub object: Option<S3Object>,
}

/// A multipart upload in progress: where it goes, how it is to be stored, its parts so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultipartUpload {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated: Millis,
    /// ARN of the caller who started it.
    pub initiator: String,
    pub request: PutRequest,
    pub parts: BTreeMap<u32, UploadPart>,
}

/// How PutObject (or CreateMultipartUpload) asks for an object to be stored; kept with a
/// multipart upload until it completes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PutRequest {
    pub sse: Option<String>,
    pub kms_key: Option<String>,
    /// Base64 JSON, as the `x-amz-server-side-encryption-context` header carries it.
    pub extra_ctx: Option<String>,
    pub bucket_key: Option<bool>,
    pub content_type: String,
    pub metadata: BTreeMap<String, String>,
    /// Tags the object is created with (`x-amz-tagging`, or a copy's).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The checksum algorithm asked for (`CRC32`, `CRC32C`, `SHA1`, `SHA256`, `CRC64NVME`).
    #[serde(default)]
    pub checksum_algorithm: Option<String>,
    /// A multipart upload's checksum type: `COMPOSITE` or `FULL_OBJECT`.
    #[serde(default)]
    pub checksum_type: Option<String>,
}

/// One uploaded part, sealed under its own S3-managed key until the upload completes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadPart {
    pub etag: String,
    pub size: u64,
    pub blob: String,
    /// The part's data key, wrapped under the root key.
    pub wrapped_key: String,
    pub last_modified: Millis,
    /// The part's checksum (base64) under the upload's checksum algorithm.
    #[serde(default)]
    pub checksum: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
    /// The owning account (bucket names are global, their buckets each an account's). Empty
    /// only in worlds of format 3 and older, which [`super::World::migrate`] fills in.
    #[serde(default)]
    pub owner: String,
    pub created: Millis,
    pub region: String,
    pub encryption: Option<Vec<EncryptionRule>>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub policy: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// `Enabled` or `Suspended` once PutBucketVersioning has been called (never back to off).
    #[serde(default)]
    pub versioning: Option<String>,
    /// S3 Bucket Keys S3 holds for this bucket, per caller and KMS key, until they expire on
    /// the simulated clock. Kept with the bucket so they outlive one command, as S3's cache
    /// outlives one request.
    #[serde(default)]
    pub bucket_keys: Vec<BucketKeyEntry>,
}

/// One cached S3 Bucket Key. The plaintext bucket key exists only wrapped under the world's
/// root key (S3's own protection); entries are dropped when they expire, when the bucket's
/// encryption changes and when their KMS key is deleted, so a deleted key's data stays lost.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketKeyEntry {
    /// ARN of the caller the key was generated or decrypted for.
    pub principal: String,
    pub kms_key_arn: String,
    /// The bucket key's KMS ciphertext blob (base64), as stored with each object.
    pub blob: String,
    /// The plaintext bucket key wrapped under the root key.
    pub wrapped: String,
    pub expires: Millis,
}

impl std::fmt::Debug for BucketKeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BucketKeyEntry({} {})", self.principal, self.kms_key_arn)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptionRule {
    pub sse_algorithm: String,
    pub kms_master_key_id: Option<String>,
    pub bucket_key_enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct S3Object {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub checksum_sha256: String,
    pub last_modified: Millis,
    pub content_type: String,
    pub metadata: BTreeMap<String, String>,
    pub encryption: ObjectEncryption,
    /// Where the sealed body lives in the blob store.
    pub blob: String,
    /// The version id (None: the `null` version of an unversioned or suspended bucket).
    #[serde(default)]
    pub version_id: Option<String>,
    /// Object tags (PutObjectTagging, or `x-amz-tagging` on upload).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The checksum algorithm the object was uploaded with and its value (base64; a multipart
    /// object's is the composite `...-N`).
    #[serde(default)]
    pub checksum: Option<(String, String)>,
}

/// How an object body is protected. Data keys are stored only wrapped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    pub kms_key_arn: Option<String>,
    pub bucket_key_enabled: bool,
    /// KMS ciphertext blob (base64) of the object's data key, or of the bucket key when
    /// `bucket_sealed_key` is set.
    pub wrapped_data_key: Option<String>,
    /// With a bucket key: the object's data key sealed under the bucket key (base64).
    #[serde(default)]
    pub bucket_sealed_key: Option<String>,
    /// Encryption context the data key was generated with.
    pub context: BTreeMap<String, String>,
    /// For SSE-S3 and DSSE's second layer: the S3-managed data key, wrapped under the root key.
    pub s3_wrapped_key: Option<String>,
}
