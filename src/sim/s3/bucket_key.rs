//! S3 Bucket Keys: a bucket key from KMS (as the caller) is cached per caller and KMS key,
//! wrapped under the root key, until it expires on the simulated clock. A cached key never spares
//! a caller its own kms permission or the key's state: each use is re-checked, without a KMS call.
//!
//! It does not seal objects (see `object`).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use zeroize::Zeroizing;

use super::S3Error;
use super::object::b64_field;
use crate::sim::authz::Access;
use crate::sim::clock::{MINUTE, Millis};
use crate::sim::crypto::KeyMaterial;
use crate::sim::kms::KmsError;
use crate::sim::world::{BucketKeyEntry, KeyState, ObjectEncryption};
use crate::sim::{CallContext, Cloud, SimError};

/// How long a bucket key stays cached for one caller, on the simulated clock.
pub const BUCKET_KEY_TTL: Millis = 5 * MINUTE;

impl Cloud {
    /// The root-key binding of a cached bucket key: which bucket, caller and KMS key it is for.
    fn bucket_key_wrap_id(b: &str, who: &str, key_arn: &str) -> String {
        format!("s3-bucket-key/{b}/{who}/{key_arn}")
    }

    /// The unexpired cached bucket key of `who` for `key_arn` in bucket `b` (for a GET: the
    /// one whose KMS blob is `blob`), unwrapped.
    fn cached_bucket_key(
        &self,
        b: &str,
        who: &str,
        key_arn: &str,
        blob: Option<&str>,
    ) -> Option<(KeyMaterial, String)> {
        let now = self.world.now;
        let e = self
            .world
            .s3
            .buckets
            .get(b)?
            .bucket_keys
            .iter()
            .rev()
            .find(|e| {
                e.principal == who
                    && e.kms_key_arn == key_arn
                    && e.expires > now
                    && blob.is_none_or(|x| x == e.blob)
            })?;
        let key = self
            .root
            .unwrap(&Cloud::bucket_key_wrap_id(b, who, key_arn), 1, &e.wrapped)
            .ok()?;
        Some((key, e.blob.clone()))
    }

    /// Caches a bucket key for `who` (wrapped under the root key), dropping expired entries.
    fn cache_bucket_key(
        &mut self,
        b: &str,
        who: &str,
        key_arn: &str,
        key: &KeyMaterial,
        blob: &str,
    ) -> Result<(), SimError> {
        let wrapped = self
            .root
            .wrap(&Cloud::bucket_key_wrap_id(b, who, key_arn), 1, key)
            .map_err(|e| SimError::internal(e.to_string()))?;
        let now = self.world.now;
        let bucket = self.bucket_mut(b)?;
        bucket.bucket_keys.retain(|e| {
            e.expires > now && !(e.principal == who && e.kms_key_arn == key_arn && e.blob == blob)
        });
        bucket.bucket_keys.push(BucketKeyEntry {
            principal: who.to_string(),
            kms_key_arn: key_arn.to_string(),
            blob: blob.to_string(),
            wrapped,
            expires: now + BUCKET_KEY_TTL,
        });
        Ok(())
    }

    /// Forgets every cached bucket key of a KMS key (its deletion ran: its data stays lost).
    pub(crate) fn forget_bucket_keys_of(&mut self, key_arn: &str) {
        let names: Vec<String> = self
            .world
            .s3
            .buckets
            .values()
            .filter(|b| b.bucket_keys.iter().any(|e| e.kms_key_arn == key_arn))
            .map(|b| b.name.clone())
            .collect();
        for n in names {
            if let Ok(b) = self.bucket_mut(&n) {
                b.bucket_keys.retain(|e| e.kms_key_arn != key_arn);
            }
        }
    }

    /// A bucket key for a PUT: from the caller's cache, or a new one from KMS as the caller.
    pub(super) fn bucket_key_for_put(
        &mut self,
        ctx: &CallContext,
        b: &str,
        key_arn: &str,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<(KeyMaterial, String), SimError> {
        let who = self.principal_arn(&ctx.principal);
        if let Some((key, blob)) = self.cached_bucket_key(b, &who, key_arn, None) {
            // A cached key never spares the caller its own permission or the key's state.
            self.check_cached_key_use(ctx, key_arn, "kms:GenerateDataKey", enc_ctx)?;
            return Ok((key, blob));
        }
        let req = json!({"KeyId": key_arn, "KeySpec": "AES_256", "EncryptionContext": enc_ctx});
        let r = self
            .kms_generate_data_key_typed(&ctx.via("s3.amazonaws.com"), &req)
            .map_err(KmsError::through_s3)?;
        let key = KeyMaterial::from_slice(&Zeroizing::new(b64_field(&r, "Plaintext")?))
            .map_err(|e| SimError::internal(e.to_string()))?;
        let blob = r
            .get("CiphertextBlob")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        self.cache_bucket_key(b, &who, key_arn, &key, &blob)?;
        Ok((key, blob))
    }

    /// Checks, without a KMS call or event, that the caller may (still) use the key through
    /// S3: a cached bucket key's use, and the key a multipart upload names.
    pub(super) fn check_cached_key_use(
        &mut self,
        ctx: &CallContext,
        key_arn: &str,
        action: &str,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<(), S3Error> {
        let id = key_arn.rsplit('/').next().unwrap_or_default().to_string();
        let via = ctx.via("s3.amazonaws.com");
        // Exactly the keys the GenerateDataKey or Decrypt call S3 would make carries (with
        // kms:CallerAccount, added for every KMS request): a key policy that lets S3 use the
        // key for the account's callers (the aws/s3 key's) allows the cached use too.
        let mut conds = self.kms_key_conditions(&id, None);
        conds.extend(self.crypto_conditions(&via, enc_ctx));
        self.authorize(&via, &Access::kms(action, key_arn, &id, &conds))
            .map_err(|d| KmsError::from(d).through_s3())?;
        // The key's own state, worded as KMS words it through S3.
        let arn = key_arn.to_string();
        match self.world.kms.keys.get(&id).map(|k| k.state) {
            Some(KeyState::Enabled) => Ok(()),
            Some(KeyState::Disabled) => Err(KmsError::Disabled { arn }.through_s3()),
            Some(KeyState::PendingDeletion) => Err(KmsError::PendingDeletion { arn }.through_s3()),
            Some(KeyState::PendingImport) => Err(KmsError::PendingImport { arn }.through_s3()),
            None => Err(KmsError::KeyNotFound { arn }.through_s3()),
        }
    }

    pub(super) fn bucket_key_for_get(
        &mut self,
        ctx: &CallContext,
        b: &str,
        enc: &ObjectEncryption,
        blob: &str,
    ) -> Result<KeyMaterial, SimError> {
        let key_arn = enc.kms_key_arn.clone().unwrap_or_default();
        let who = self.principal_arn(&ctx.principal);
        if let Some((key, _)) = self.cached_bucket_key(b, &who, &key_arn, Some(blob)) {
            self.check_cached_key_use(ctx, &key_arn, "kms:Decrypt", &enc.context)?;
            return Ok(key);
        }
        let req = json!({"CiphertextBlob": blob, "EncryptionContext": enc.context});
        let r = self
            .kms_decrypt_typed(&ctx.via("s3.amazonaws.com"), &req)
            .map_err(KmsError::through_s3)?;
        let key = KeyMaterial::from_slice(&Zeroizing::new(b64_field(&r, "Plaintext")?))
            .map_err(|e| SimError::internal(e.to_string()))?;
        self.cache_bucket_key(b, &who, &key_arn, &key, blob)?;
        Ok(key)
    }
}
