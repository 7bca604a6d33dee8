//! Asymmetric signing and HMAC: Sign, Verify, GetPublicKey, GenerateMac and VerifyMac, and the
//! secrets of asymmetric and HMAC keys (generated with the key, sealed under its material).
//!
//! The cryptography is `asym`'s; which algorithms a key offers is `keyspec`'s.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};
use zeroize::Zeroizing;

use super::asym::{self, AsymError};
use super::crypto_ops::b64_param;
use super::keyspec::{self, KeyKind};
use super::{IdForms, KmsError, kms_op};
use crate::sim::world::{KmsKey, WrappedMaterial};
use crate::sim::{CallContext, Cloud, SimError, crypto, opt_str, req_str};

/// Largest message Sign, Verify and GenerateMac take.
const MAX_MESSAGE: usize = 4096;

/// The associated data a key's secret is sealed with: which key, and what the bytes are.
fn secret_aad(key_id: &str) -> Vec<u8> {
    format!("keyform/kms-key-secret/v1\0{key_id}").into_bytes()
}

impl From<AsymError> for KmsError {
    fn from(e: AsymError) -> KmsError {
        match e {
            AsymError::BadSignature => KmsError::InvalidSignature,
            AsymError::BadCiphertext => KmsError::InvalidCiphertext,
            AsymError::TooLong | AsymError::Internal(_) => {
                SimError::internal(format!("asymmetric key operation failed: {e:?}")).into()
            }
        }
    }
}

impl Cloud {
    /// A new asymmetric or HMAC key's secret, sealed under its first material, and its
    /// public key (both base64); nothing for a symmetric key.
    pub(super) fn new_secret(
        &self,
        key_id: &str,
        material: &WrappedMaterial,
        kind: KeyKind,
    ) -> Result<(Option<String>, Option<String>), KmsError> {
        if kind == KeyKind::Symmetric {
            return Ok((None, None));
        }
        let new = asym::generate(kind)?;
        crate::sim::reveal_secret("key-secret", &new.secret);
        let m = self
            .root
            .unwrap(key_id, material.version, &material.wrapped)
            .map_err(|e| SimError::internal(e.to_string()))?;
        let sealed = crypto::encrypt_body(m.expose(), &new.secret, &secret_aad(key_id))
            .map_err(|e| SimError::internal(e.to_string()))?;
        Ok((Some(B64.encode(sealed)), new.public.map(|p| B64.encode(p))))
    }

    /// The secret of an asymmetric or HMAC key, unsealed.
    pub(super) fn key_secret(&self, k: &KmsKey) -> Result<Zeroizing<Vec<u8>>, KmsError> {
        let damaged = |what: &str| -> KmsError {
            SimError::internal(format!("key store damaged: {what} of {}", k.key_id)).into()
        };
        let sealed = k
            .sealed_secret
            .as_deref()
            .and_then(|s| B64.decode(s).ok())
            .ok_or_else(|| damaged("no secret"))?;
        let m = self.material(k, 1)?;
        crypto::decrypt_body(m.expose(), &sealed, &secret_aad(&k.key_id))
            .map_err(|_| damaged("the secret does not open"))
    }

    /// The public key (DER) of an asymmetric key.
    pub(super) fn key_public(&self, k: &KmsKey) -> Result<Vec<u8>, KmsError> {
        k.public_key
            .as_deref()
            .and_then(|s| B64.decode(s).ok())
            .ok_or_else(|| KmsError::NoPublicKey { arn: k.arn.clone() })
    }

    /// The key's kind, after checking its usage is `need`.
    fn kind_for(&self, id: &str, need: &'static str) -> Result<KeyKind, KmsError> {
        let k = self.key(id)?;
        if k.key_usage != need {
            return Err(KmsError::WrongUsage {
                arn: k.arn.clone(),
                have: k.key_usage.clone(),
                need,
            });
        }
        Ok(KeyKind::of(&k.key_spec).unwrap_or(KeyKind::Symmetric))
    }

    pub fn kms_sign(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.sign_or_verify(ctx, p, false)
    }

    pub fn kms_verify(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.sign_or_verify(ctx, p, true)
    }

    fn sign_or_verify(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        verify: bool,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let message = Zeroizing::new(b64_param(p, "Message")?);
        let algorithm = req_str(p, "SigningAlgorithm")?.to_string();
        let message_type = opt_str(p, "MessageType")?.unwrap_or("RAW").to_string();
        let signature = if verify {
            Some(b64_param(p, "Signature")?)
        } else {
            None
        };
        let (name, action) = if verify {
            ("Verify", "kms:Verify")
        } else {
            ("Sign", "kms:Sign")
        };
        self.run(ctx, kms_op(name, p, true), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            check_message(&message)?;
            if signature.as_ref().is_some_and(Vec::is_empty) {
                return Err(KmsError::TooShort {
                    member: "signature",
                    min: 1,
                }
                .into());
            }
            check_enum("signingAlgorithm", &algorithm, keyspec::SIGNING_ALGORITHMS)?;
            check_enum("messageType", &message_type, &["RAW", "DIGEST", "EXTERNAL_MU"])?;
            let conds = [
                ("kms:SigningAlgorithm".to_string(), algorithm.clone()),
                ("kms:MessageType".to_string(), message_type.clone()),
            ];
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, action, &conds)?;
            c.require_usable(&id)?;
            let kind = c.kind_for(&id, "SIGN_VERIFY")?;
            let k = c.key(&id)?;
            let offered = keyspec::algorithms(kind, &k.key_usage).1;
            let (padding, hash) = keyspec::signing(&algorithm)
                .filter(|_| offered.contains(&algorithm.as_str()) && message_type != "EXTERNAL_MU")
                .ok_or_else(|| KmsError::AlgorithmNotForKey {
                    algorithm: algorithm.clone(),
                    spec: k.key_spec.clone(),
                })?;
            let digest = if message_type == "DIGEST" {
                if message.len() != hash.len() {
                    return Err(KmsError::DigestLength {
                        algorithm: algorithm.clone(),
                    }
                    .into());
                }
                message.to_vec()
            } else {
                asym::digest(hash, &message)
            };
            let arn = k.arn.clone();
            let out = match &signature {
                Some(sig) => {
                    let public = c.key_public(k)?;
                    asym::verify(kind, &public, padding, hash, &digest, sig)
                        .map_err(KmsError::from)?;
                    json!({"KeyId": arn, "SignatureValid": true, "SigningAlgorithm": algorithm})
                }
                None => {
                    let secret = c.key_secret(k)?;
                    let sig = asym::sign(kind, &secret, padding, hash, &digest)
                        .map_err(KmsError::from)?;
                    json!({"KeyId": arn, "Signature": B64.encode(sig), "SigningAlgorithm": algorithm})
                }
            };
            Ok(out)
        })
    }

    pub fn kms_get_public_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("GetPublicKey", p, true), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, "kms:GetPublicKey", &[])?;
            c.require_usable(&id)?;
            let k = c.key(&id)?;
            let public = c.key_public(k)?;
            let kind = KeyKind::of(&k.key_spec).unwrap_or(KeyKind::Symmetric);
            let (enc, sign, _) = keyspec::algorithms(kind, &k.key_usage);
            let mut out = json!({
                "KeyId": k.arn, "PublicKey": B64.encode(public),
                "CustomerMasterKeySpec": k.key_spec, "KeySpec": k.key_spec,
                "KeyUsage": k.key_usage,
            });
            if !enc.is_empty() {
                out["EncryptionAlgorithms"] = json!(enc);
            }
            if !sign.is_empty() {
                out["SigningAlgorithms"] = json!(sign);
            }
            Ok(out)
        })
    }

    pub fn kms_generate_mac(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.mac(ctx, p, false)
    }

    pub fn kms_verify_mac(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.mac(ctx, p, true)
    }

    fn mac(&mut self, ctx: &CallContext, p: &Json, verify: bool) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let message = Zeroizing::new(b64_param(p, "Message")?);
        let algorithm = req_str(p, "MacAlgorithm")?.to_string();
        let mac = if verify {
            Some(b64_param(p, "Mac")?)
        } else {
            None
        };
        let (name, action) = if verify {
            ("VerifyMac", "kms:VerifyMac")
        } else {
            ("GenerateMac", "kms:GenerateMac")
        };
        self.run(ctx, kms_op(name, p, true), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            check_message(&message)?;
            check_enum("macAlgorithm", &algorithm, keyspec::MAC_ALGORITHMS)?;
            let conds = [("kms:MacAlgorithm".to_string(), algorithm.clone())];
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, action, &conds)?;
            c.require_usable(&id)?;
            let kind = c.kind_for(&id, "GENERATE_VERIFY_MAC")?;
            let k = c.key(&id)?;
            let hash = match kind {
                KeyKind::Hmac(h)
                    if keyspec::algorithms(kind, "")
                        .2
                        .contains(&algorithm.as_str()) =>
                {
                    h
                }
                _ => {
                    return Err(KmsError::AlgorithmNotForKey {
                        algorithm: algorithm.clone(),
                        spec: k.key_spec.clone(),
                    }
                    .into());
                }
            };
            let secret = c.key_secret(k)?;
            let arn = k.arn.clone();
            match &mac {
                Some(m) => {
                    asym::hmac_verify(hash, &secret, &message, m)
                        .map_err(|_| KmsError::InvalidMac)?;
                    Ok(json!({"KeyId": arn, "MacValid": true, "MacAlgorithm": algorithm}))
                }
                None => {
                    let m = asym::hmac(hash, &secret, &message).map_err(KmsError::from)?;
                    Ok(json!({"KeyId": arn, "Mac": B64.encode(m), "MacAlgorithm": algorithm}))
                }
            }
        })
    }
}

/// A message of 1 to 4096 bytes, as the model says.
fn check_message(message: &[u8]) -> Result<(), KmsError> {
    if message.is_empty() {
        return Err(KmsError::TooShort {
            member: "message",
            min: 1,
        });
    }
    if message.len() > MAX_MESSAGE {
        return Err(KmsError::TooLong {
            member: "message",
            value: None,
            max: MAX_MESSAGE,
        });
    }
    Ok(())
}

fn check_enum(
    member: &'static str,
    value: &str,
    allowed: &'static [&'static str],
) -> Result<(), KmsError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(KmsError::NotInEnum {
            member,
            value: value.into(),
            allowed,
        })
    }
}
