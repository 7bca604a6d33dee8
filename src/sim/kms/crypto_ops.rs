//! KMS crypto operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey (with and without
//! plaintext) and GenerateRandom, with the encryption-context and via-service condition keys
//! they authorize with.
//!
//! Sealing and opening ciphertext blobs is `crypto`'s; this file decides which key, which
//! material version and whether the caller may.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};

use super::keyspec::{self, KeyKind};
use super::{IdForms, KmsError, MAX_PLAINTEXT, asym, kms_op};
use crate::sim::authz::Access;
use crate::sim::{
    CallContext, Cloud, SimError, Touched, crypto, opt_int, opt_str, opt_str_map, req_str,
};

pub(super) fn b64_param(p: &Json, name: &str) -> Result<Vec<u8>, SimError> {
    let s = req_str(p, name)?;
    B64.decode(s.trim()).map_err(|_| {
        SimError::param(format!(
            "Invalid base64 for parameter {name}: pass the bytes base64-encoded"
        ))
    })
}

impl Cloud {
    /// The condition keys of a cryptographic request: the encryption context, exactly as the
    /// caller sent it, the algorithm, and `kms:ViaService` when a service calls on the
    /// caller's behalf (`kms:CallerAccount` and the key's own keys are added for every KMS
    /// request). S3's cached bucket keys are re-checked with the same keys.
    pub(crate) fn crypto_conditions(
        &self,
        ctx: &CallContext,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Vec<(String, String)> {
        self.crypto_conditions_with(ctx, enc_ctx, "SYMMETRIC_DEFAULT")
    }

    /// [`Cloud::crypto_conditions`] with the encryption algorithm the caller asked for.
    fn crypto_conditions_with(
        &self,
        ctx: &CallContext,
        enc_ctx: &BTreeMap<String, String>,
        algorithm: &str,
    ) -> Vec<(String, String)> {
        let mut conds: Vec<(String, String)> = enc_ctx
            .iter()
            .map(|(k, v)| (format!("kms:EncryptionContext:{k}"), v.clone()))
            .collect();
        conds.extend(
            enc_ctx
                .keys()
                .map(|k| ("kms:EncryptionContextKeys".to_string(), k.clone())),
        );
        conds.push(("kms:EncryptionAlgorithm".to_string(), algorithm.to_string()));
        if let Some(s) = &ctx.invoked_by {
            let service = s.trim_end_matches(".amazonaws.com");
            conds.push((
                "kms:ViaService".into(),
                format!("{service}.{}.amazonaws.com", self.world.region),
            ));
        }
        conds
    }

    pub fn kms_encrypt(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let plaintext = zeroize::Zeroizing::new(b64_param(p, "Plaintext")?);
        let enc_ctx = opt_str_map(p, "EncryptionContext")?;
        let algorithm = opt_str(p, "EncryptionAlgorithm")?
            .unwrap_or("SYMMETRIC_DEFAULT")
            .to_string();
        self.run(ctx, kms_op("Encrypt", p, false), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            algorithm_in_model(&algorithm)?;
            // AWS's exact messages (verified against AWS by moto's test_kms_encrypt.py).
            if plaintext.is_empty() {
                return Err(KmsError::TooShort {
                    member: "plaintext",
                    min: 1,
                }
                .into());
            }
            if plaintext.len() > MAX_PLAINTEXT {
                return Err(KmsError::TooLong {
                    member: "plaintext",
                    value: None,
                    max: MAX_PLAINTEXT,
                }
                .into());
            }
            let conds = c.crypto_conditions_with(ctx, &enc_ctx, &algorithm);
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, "kms:Encrypt", &conds)?;
            c.require_usable(&id)?;
            let blob = match c.encryption_kind(&id, &algorithm, &enc_ctx)? {
                KeyKind::Rsa(bits) => c.rsa_encrypt(&id, bits, &algorithm, &plaintext)?,
                _ => c.seal_with_current(&id, &plaintext, &enc_ctx)?,
            };
            Ok(json!({
                "CiphertextBlob": B64.encode(blob), "KeyId": c.key_arn(&id),
                "EncryptionAlgorithm": algorithm,
            }))
        })
    }

    fn seal_with_current(
        &self,
        id: &str,
        plaintext: &[u8],
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, KmsError> {
        let k = self.key(id)?;
        let v = k.current_version();
        let m = self.material(k, v)?;
        crypto::seal(&m, id, v, plaintext, enc_ctx)
            .map_err(|e| SimError::internal(e.to_string()).into())
    }

    /// Finds the key a ciphertext blob names, authorizes, checks state, and opens it.
    fn open_blob(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        blob: &[u8],
        enc_ctx: &BTreeMap<String, String>,
        expected_key: Option<&str>,
        action: &str,
    ) -> Result<(String, zeroize::Zeroizing<Vec<u8>>), KmsError> {
        let header = crypto::parse_blob_header(blob).map_err(|_| KmsError::InvalidCiphertext)?;
        if let Some(given) = expected_key {
            let want = self.resolve_key(given, IdForms::WithAlias)?;
            if want != header.key_id {
                return Err(KmsError::IncorrectKey);
            }
        }
        let id = header.key_id.clone();
        if !self.world.kms.keys.contains_key(&id) {
            // A deleted key: its material is gone, so this ciphertext can never be opened again.
            t.resources
                .push(("AWS::KMS::Key".into(), self.key_arn(&id)));
            return Err(KmsError::KeyNotFound {
                arn: self.key_arn(&id),
            });
        }
        let mut conds = self.kms_key_conditions(&id, expected_key);
        conds.extend(self.crypto_conditions(ctx, enc_ctx));
        let arn = self.key_arn(&id);
        t.resources.push(("AWS::KMS::Key".into(), arn.clone()));
        self.authorize_key(ctx, t, &id, &Access::kms(action, &arn, &id, &conds))?;
        self.require_usable(&id)?;
        let k = self.key(&id)?;
        if k.key_usage != "ENCRYPT_DECRYPT" {
            return Err(KmsError::WrongUsage {
                arn: k.arn.clone(),
                have: k.key_usage.clone(),
                need: "ENCRYPT_DECRYPT",
            });
        }
        let m = self.material(k, header.version)?;
        let pt = crypto::open(&m, blob, enc_ctx).map_err(|_| KmsError::InvalidCiphertext)?;
        Ok((id, pt))
    }

    pub fn kms_decrypt(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.kms_decrypt_typed(ctx, p).map_err(SimError::from)
    }

    /// Decrypt with KMS's own error, for a service that calls KMS on its caller's behalf and
    /// reports KMS's failures its own way (S3).
    pub(crate) fn kms_decrypt_typed(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, KmsError> {
        let blob = b64_param(p, "CiphertextBlob")?;
        let enc_ctx = opt_str_map(p, "EncryptionContext")?;
        let key = opt_str(p, "KeyId")?.map(str::to_string);
        let algorithm = opt_str(p, "EncryptionAlgorithm")?
            .unwrap_or("SYMMETRIC_DEFAULT")
            .to_string();
        check_recipient(p)?;
        let mut params = p.clone();
        if let Json::Object(m) = &mut params {
            m.insert("EncryptionAlgorithm".into(), json!(algorithm));
        }
        self.run(ctx, kms_op("Decrypt", &params, true), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            algorithm_in_model(&algorithm)?;
            // An asymmetric ciphertext names no key: the caller says which.
            let asymmetric = key
                .as_deref()
                .and_then(|k| c.resolve_key(k, IdForms::WithAlias).ok())
                .filter(|id| c.key(id).is_ok_and(|k| k.key_spec != "SYMMETRIC_DEFAULT"));
            let (id, pt) = match asymmetric {
                Some(_) => {
                    let given = key.as_deref().unwrap_or_default();
                    let conds = c.crypto_conditions_with(ctx, &enc_ctx, &algorithm);
                    let id =
                        c.kms_prelude(ctx, t, given, IdForms::WithAlias, "kms:Decrypt", &conds)?;
                    c.require_usable(&id)?;
                    c.encryption_kind(&id, &algorithm, &enc_ctx)?;
                    let pt = c.rsa_decrypt(&id, &algorithm, &blob)?;
                    (id, pt)
                }
                None => {
                    if algorithm != "SYMMETRIC_DEFAULT" {
                        return Err(KmsError::UnsupportedAlgorithm {
                            algorithm: algorithm.clone(),
                        });
                    }
                    c.open_blob(ctx, t, &blob, &enc_ctx, key.as_deref(), "kms:Decrypt")?
                }
            };
            Ok(json!({
                "KeyId": c.key_arn(&id), "Plaintext": B64.encode(&*pt),
                "EncryptionAlgorithm": algorithm,
            }))
        })
    }

    pub fn kms_re_encrypt(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let blob = b64_param(p, "CiphertextBlob")?;
        let src_ctx = opt_str_map(p, "SourceEncryptionContext")?;
        let src_key = opt_str(p, "SourceKeyId")?.map(str::to_string);
        let dst_given = req_str(p, "DestinationKeyId")?.to_string();
        let dst_ctx = opt_str_map(p, "DestinationEncryptionContext")?;
        check_algorithm_member(p, "SourceEncryptionAlgorithm")?;
        check_algorithm_member(p, "DestinationEncryptionAlgorithm")?;
        self.run(ctx, kms_op("ReEncrypt", p, false), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            let (src, pt) = c.open_blob(ctx, t, &blob, &src_ctx, src_key.as_deref(), "kms:ReEncryptFrom")?;
            let conds = c.crypto_conditions(ctx, &dst_ctx);
            let dst = c.kms_prelude(ctx, t, &dst_given, IdForms::WithAlias, "kms:ReEncryptTo", &conds)?;
            c.require_usable(&dst)?;
            c.require_symmetric_encryption(&dst)?;
            let out = c.seal_with_current(&dst, &pt, &dst_ctx)?;
            Ok(json!({
                "CiphertextBlob": B64.encode(out), "SourceKeyId": c.key_arn(&src), "KeyId": c.key_arn(&dst),
                "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }))
        })
    }

    pub fn kms_generate_data_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.generate_data_key(ctx, p, true).map_err(SimError::from)
    }

    /// GenerateDataKey with KMS's own error, for a service that calls KMS on its caller's
    /// behalf and reports KMS's failures its own way (S3).
    pub(crate) fn kms_generate_data_key_typed(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, KmsError> {
        self.generate_data_key(ctx, p, true)
    }

    pub fn kms_generate_data_key_without_plaintext(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.generate_data_key(ctx, p, false)
            .map_err(SimError::from)
    }

    fn generate_data_key(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        with_plaintext: bool,
    ) -> Result<Json, KmsError> {
        let given = req_str(p, "KeyId")?.to_string();
        let spec = opt_str(p, "KeySpec")?.map(str::to_string);
        let nbytes = opt_int(p, "NumberOfBytes")?;
        let enc_ctx = opt_str_map(p, "EncryptionContext")?;
        check_recipient(p)?;
        let (name, action) = if with_plaintext {
            ("GenerateDataKey", "kms:GenerateDataKey")
        } else {
            (
                "GenerateDataKeyWithoutPlaintext",
                "kms:GenerateDataKeyWithoutPlaintext",
            )
        };
        self.run(ctx, kms_op(name, p, true), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            let n = match (spec.as_deref(), nbytes) {
                (Some("AES_256"), None) => 32,
                (Some("AES_128"), None) => 16,
                (Some(other), None) => {
                    return Err(KmsError::NotInEnum {
                        member: "keySpec",
                        value: other.into(),
                        allowed: &["AES_256", "AES_128"],
                    });
                }
                (None, Some(n)) if (1..=1024).contains(&n) => n as usize,
                (None, Some(n)) => return Err(number_of_bytes(n)),
                (None, None) => return Err(KmsError::DataKeySizeMissing),
                (Some(_), Some(_)) => return Err(KmsError::DataKeySizeTwice),
            };
            let conds = c.crypto_conditions(ctx, &enc_ctx);
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, action, &conds)?;
            c.require_usable(&id)?;
            c.require_symmetric_encryption(&id)?;
            let dk = crypto::random_bytes(n).map_err(|e| SimError::internal(e.to_string()))?;
            crate::sim::reveal_secret("data-key", &dk);
            let blob = c.seal_with_current(&id, &dk, &enc_ctx)?;
            let mut out = json!({"CiphertextBlob": B64.encode(blob), "KeyId": c.key_arn(&id)});
            if with_plaintext {
                out["Plaintext"] = json!(B64.encode(&*dk));
            }
            Ok(out)
        })
    }

    /// GenerateRandom: 1 to 1024 bytes from the OS RNG; IAM policy only (no key involved).
    pub fn kms_generate_random(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let n = opt_int(p, "NumberOfBytes")?;
        if let Some(id) = opt_str(p, "CustomKeyStoreId")? {
            return Err(KmsError::CustomKeyStoreNotFound { id: id.into() }.into());
        }
        check_recipient(p)?;
        self.run(ctx, kms_op("GenerateRandom", p, true), |c, _| {
            let n = match n {
                Some(n) if (1..=1024).contains(&n) => n as usize,
                Some(n) => return Err(number_of_bytes(n).into()),
                None => {
                    return Err(KmsError::Missing {
                        member: "numberOfBytes",
                    }
                    .into());
                }
            };
            c.authorize(ctx, &Access::iam_only("kms:GenerateRandom", "*"))?;
            let bytes = crypto::random_bytes(n).map_err(|e| SimError::internal(e.to_string()))?;
            Ok(json!({"Plaintext": B64.encode(&*bytes)}))
        })
    }
}

/// `Recipient` (a Nitro attestation document) can never verify in a keyform world.
pub(super) fn check_recipient(p: &Json) -> Result<(), KmsError> {
    match p.get("Recipient") {
        None | Some(Json::Null) => Ok(()),
        Some(_) => Err(KmsError::UnverifiableAttestation),
    }
}

fn check_algorithm_member(p: &Json, member: &str) -> Result<(), KmsError> {
    match opt_str(p, member)? {
        None | Some("SYMMETRIC_DEFAULT") => Ok(()),
        Some(other) => Err(KmsError::UnsupportedAlgorithm {
            algorithm: other.into(),
        }),
    }
}

/// An EncryptionAlgorithm of the API model.
fn algorithm_in_model(algorithm: &str) -> Result<(), KmsError> {
    if keyspec::ENCRYPTION_ALGORITHMS.contains(&algorithm) {
        return Ok(());
    }
    Err(KmsError::NotInEnum {
        member: "encryptionAlgorithm",
        value: algorithm.into(),
        allowed: keyspec::ENCRYPTION_ALGORITHMS,
    })
}

/// NumberOfBytes outside the model's 1 to 1024.
fn number_of_bytes(n: i64) -> KmsError {
    KmsError::OutOfRange {
        member: "numberOfBytes",
        value: n,
        min: 1,
        max: 1024,
    }
}

impl Cloud {
    /// A symmetric encryption key (data keys, ReEncrypt's destination).
    fn require_symmetric_encryption(&self, id: &str) -> Result<(), KmsError> {
        let k = self.key(id)?;
        if k.key_usage != "ENCRYPT_DECRYPT" {
            return Err(KmsError::WrongUsage {
                arn: k.arn.clone(),
                have: k.key_usage.clone(),
                need: "ENCRYPT_DECRYPT",
            });
        }
        if k.key_spec != "SYMMETRIC_DEFAULT" {
            return Err(KmsError::NotSymmetric {
                arn: k.arn.clone(),
                spec: k.key_spec.clone(),
            });
        }
        Ok(())
    }

    /// The kind of an encryption key, after checking the algorithm and context suit it.
    fn encryption_kind(
        &self,
        id: &str,
        algorithm: &str,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<KeyKind, KmsError> {
        let k = self.key(id)?;
        if k.key_usage != "ENCRYPT_DECRYPT" {
            return Err(KmsError::WrongUsage {
                arn: k.arn.clone(),
                have: k.key_usage.clone(),
                need: "ENCRYPT_DECRYPT",
            });
        }
        let kind = KeyKind::of(&k.key_spec).unwrap_or(KeyKind::Symmetric);
        let offered = keyspec::algorithms(kind, &k.key_usage).0;
        if !offered.contains(&algorithm) {
            if kind == KeyKind::Symmetric {
                return Err(KmsError::UnsupportedAlgorithm {
                    algorithm: algorithm.into(),
                });
            }
            return Err(KmsError::AlgorithmNotForKey {
                algorithm: algorithm.into(),
                spec: k.key_spec.clone(),
            });
        }
        if kind != KeyKind::Symmetric && !enc_ctx.is_empty() {
            return Err(KmsError::ContextWithAsymmetric);
        }
        Ok(kind)
    }

    fn rsa_encrypt(
        &self,
        id: &str,
        bits: usize,
        algorithm: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, KmsError> {
        let k = self.key(id)?;
        let hash = keyspec::oaep(algorithm).ok_or_else(|| KmsError::AlgorithmNotForKey {
            algorithm: algorithm.into(),
            spec: k.key_spec.clone(),
        })?;
        let public = self.key_public(k)?;
        asym::rsa_encrypt(&public, bits, hash, plaintext).map_err(|e| match e {
            asym::AsymError::TooLong => KmsError::PlaintextTooLongFor {
                algorithm: algorithm.into(),
                spec: k.key_spec.clone(),
                max: asym::oaep_max(bits, hash),
            },
            e => e.into(),
        })
    }

    fn rsa_decrypt(
        &self,
        id: &str,
        algorithm: &str,
        ciphertext: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, KmsError> {
        let k = self.key(id)?;
        let hash = keyspec::oaep(algorithm).ok_or_else(|| KmsError::AlgorithmNotForKey {
            algorithm: algorithm.into(),
            spec: k.key_spec.clone(),
        })?;
        let secret = self.key_secret(k)?;
        Ok(asym::rsa_decrypt(&secret, hash, ciphertext)?)
    }
}
