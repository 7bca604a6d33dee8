//! Imported key material (keys of origin EXTERNAL): GetParametersForImport (an RSA wrapping
//! key pair and an import token valid 24 hours on the world clock), ImportKeyMaterial (with
//! ValidTo / ExpirationModel), DeleteImportedKeyMaterial, and the material's expiry when the
//! clock passes ValidTo (the key goes to PendingImport, as in AWS).
//!
//! keyform takes 256-bit symmetric material wrapped with RSAES_OAEP_SHA_1 or
//! RSAES_OAEP_SHA_256 (what `openssl pkeyutl -encrypt -pkeyopt rsa_padding_mode:oaep` makes),
//! or with RSA_AES_KEY_WRAP_SHA_1 / _SHA_256 (an ephemeral AES key wrapped so, then the
//! material under it with `openssl enc -id-aes256-wrap-pad`; `key_wrap`).
//! The wrapping private key is kept sealed under a throwaway key the root key wraps; a new
//! GetParametersForImport replaces the previous token.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};

use super::asym::{self, OaepHash};
use super::crypto_ops::b64_param;
use super::key_wrap;
use super::keyspec::KeyKind;
use super::{IdForms, KmsError, kms_op};
use crate::sim::clock::{DAY, iso8601, parse_iso8601};
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::world::{ImportParams, KeyState, WrappedMaterial};
use crate::sim::{CallContext, Cloud, SimError, opt_str, req_str};

const TOKEN_PREFIX: &str = "keyform-import-token:";

fn params_aad(key_id: &str) -> Vec<u8> {
    format!("keyform import wrapping key of {key_id}").into_bytes()
}

fn kek_name(key_id: &str) -> String {
    format!("{key_id}/import")
}

impl Cloud {
    /// The key must be of origin EXTERNAL.
    fn require_external(&self, id: &str) -> Result<(), KmsError> {
        let k = self.key(id)?;
        if k.import.is_none() {
            return Err(KmsError::NotExternal { arn: k.arn.clone() });
        }
        Ok(())
    }

    pub fn kms_get_parameters_for_import(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let algorithm = req_str(p, "WrappingAlgorithm")?.to_string();
        let spec = req_str(p, "WrappingKeySpec")?.to_string();
        self.run(ctx, kms_op("GetParametersForImport", p, true), |c, t| {
            let conds = [
                ("kms:WrappingAlgorithm".to_string(), algorithm.clone()),
                ("kms:WrappingKeySpec".to_string(), spec.clone()),
            ];
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:GetParametersForImport",
                &conds,
            )?;
            c.require_external(&id)?;
            c.require_not_pending(&id)?;
            if wrapping(&algorithm).is_none() {
                return Err(KmsError::WrappingUnsupported {
                    what: format!("WrappingAlgorithm {algorithm}"),
                }
                .into());
            }
            let bits = match spec.as_str() {
                "RSA_2048" => 2048,
                "RSA_3072" => 3072,
                "RSA_4096" => 4096,
                _ => {
                    return Err(KmsError::WrappingUnsupported {
                        what: format!("WrappingKeySpec {spec}"),
                    }
                    .into());
                }
            };
            let pair = asym::generate(KeyKind::Rsa(bits)).map_err(KmsError::from)?;
            let kek = KeyMaterial::generate().map_err(|e| SimError::internal(e.to_string()))?;
            let wrapped_kek = c
                .root
                .wrap(&kek_name(&id), 1, &kek)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let sealed = crypto::encrypt_body(kek.expose(), &pair.secret, &params_aad(&id))
                .map_err(|e| SimError::internal(e.to_string()))?;
            let public = pair.public.unwrap_or_default();
            let token_id = c.world.ids.hex(32);
            let valid_to = c.world.now + DAY;
            let arn = c.key_arn(&id);
            let k = c.key_mut(&id)?;
            if let Some(i) = &mut k.import {
                i.params = Some(ImportParams {
                    token_id: token_id.clone(),
                    algorithm,
                    valid_to,
                    wrapped_kek,
                    sealed_private: B64.encode(sealed),
                });
            }
            let token = B64.encode(format!("{TOKEN_PREFIX}{id}:{token_id}"));
            Ok(json!({
                "KeyId": arn,
                "ImportToken": token,
                "PublicKey": B64.encode(public),
                "ParametersValidTo": iso8601(valid_to),
            }))
        })
    }

    /// The wrapping private key and algorithm of the import token `token` for key `id`.
    fn import_wrapping_key(
        &self,
        id: &str,
        token: &[u8],
    ) -> Result<(zeroize::Zeroizing<Vec<u8>>, String), KmsError> {
        let text = std::str::from_utf8(token).map_err(|_| KmsError::InvalidImportToken)?;
        let (key, token_id) = text
            .strip_prefix(TOKEN_PREFIX)
            .and_then(|r| r.split_once(':'))
            .ok_or(KmsError::InvalidImportToken)?;
        let k = self.key(id)?;
        let params = k
            .import
            .as_ref()
            .and_then(|i| i.params.as_ref())
            .filter(|pr| key == id && pr.token_id == token_id)
            .ok_or(KmsError::InvalidImportToken)?;
        if params.valid_to <= self.world.now {
            return Err(KmsError::ExpiredImportToken);
        }
        let damaged = |what: &str| -> KmsError {
            SimError::internal(format!("key store damaged: {what} of {id}")).into()
        };
        let kek = self
            .root
            .unwrap(&kek_name(id), 1, &params.wrapped_kek)
            .map_err(|_| damaged("the import wrapping key"))?;
        let sealed = B64
            .decode(&params.sealed_private)
            .map_err(|_| damaged("the import wrapping key"))?;
        let secret = crypto::decrypt_body(kek.expose(), &sealed, &params_aad(id))
            .map_err(|_| damaged("the import wrapping key"))?;
        Ok((secret, params.algorithm.clone()))
    }

    pub fn kms_import_key_material(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let token = b64_param(p, "ImportToken")?;
        let wrapped = b64_param(p, "EncryptedKeyMaterial")?;
        let model = opt_str(p, "ExpirationModel")?
            .unwrap_or("KEY_MATERIAL_EXPIRES")
            .to_string();
        let valid_to = opt_str(p, "ValidTo")?.map(str::to_string);
        let import_type = opt_str(p, "ImportType")?.map(str::to_string);
        let named = opt_str(p, "KeyMaterialId")?.map(str::to_string);
        let mut params = p.clone();
        if let Json::Object(m) = &mut params {
            m.remove("ImportToken");
            m.remove("EncryptedKeyMaterial");
        }
        self.run(ctx, kms_op("ImportKeyMaterial", &params, false), |c, t| {
            let mut conds = vec![("kms:ExpirationModel".to_string(), model.clone())];
            if let Some(v) = &valid_to {
                conds.push(("kms:ValidTo".to_string(), v.clone()));
            }
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:ImportKeyMaterial",
                &conds,
            )?;
            c.require_external(&id)?;
            c.require_not_pending(&id)?;
            let expires = match (model.as_str(), &valid_to) {
                ("KEY_MATERIAL_EXPIRES", Some(v)) => {
                    let at = parse_iso8601(v).ok_or(KmsError::ValidToRange)?;
                    let now = c.world.now;
                    if at <= now || at > now + 365 * DAY {
                        return Err(KmsError::ValidToRange.into());
                    }
                    Some(at)
                }
                ("KEY_MATERIAL_DOES_NOT_EXPIRE", None) => None,
                _ => return Err(KmsError::ValidToChoice.into()),
            };
            let (secret, algorithm) = c.import_wrapping_key(&id, &token)?;
            let material = unwrap_material(&secret, &algorithm, &wrapped)?;
            let m =
                KeyMaterial::from_slice(&material).map_err(|_| KmsError::IncorrectKeyMaterial)?;
            let fingerprint = hex(&crypto::sha256(m.expose()));
            let k = c.key(&id)?;
            let known = k.import.as_ref().and_then(|i| i.fingerprint.clone());
            if known.as_ref().is_some_and(|f| *f != fingerprint)
                || named
                    .as_ref()
                    .is_some_and(|n| *n != material_id(&fingerprint))
            {
                return Err(KmsError::IncorrectKeyMaterial.into());
            }
            // A second, different material version (NEW_KEY_MATERIAL on a key that has had
            // material) is on-demand rotation of imported material, which keyform lacks.
            if known.is_some() && import_type.as_deref() == Some("NEW_KEY_MATERIAL") {
                return Err(KmsError::WrappingUnsupported {
                    what: "ImportType NEW_KEY_MATERIAL on a key that has had material".into(),
                }
                .into());
            }
            crate::sim::reveal_secret("key-material", m.expose());
            let wrapped = c
                .root
                .wrap(&id, 1, &m)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let now = c.world.now;
            let arn = c.key_arn(&id);
            let k = c.key_mut(&id)?;
            k.materials = vec![WrappedMaterial {
                version: 1,
                created: now,
                wrapped,
            }];
            if k.state == KeyState::PendingImport {
                k.state = KeyState::Enabled;
            }
            if let Some(i) = &mut k.import {
                i.fingerprint = Some(fingerprint.clone());
                i.expiration_model = Some(model.clone());
                i.valid_to = expires;
            }
            Ok(json!({"KeyId": arn, "KeyMaterialId": material_id(&fingerprint)}))
        })
    }

    pub fn kms_delete_imported_key_material(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let named = opt_str(p, "KeyMaterialId")?.map(str::to_string);
        self.run(
            ctx,
            kms_op("DeleteImportedKeyMaterial", p, false),
            |c, t| {
                let id = c.kms_prelude(
                    ctx,
                    t,
                    &given,
                    IdForms::KeyOnly,
                    "kms:DeleteImportedKeyMaterial",
                    &[],
                )?;
                c.require_external(&id)?;
                c.require_not_pending(&id)?;
                let arn = c.key_arn(&id);
                let k = c.key(&id)?;
                let material_id = k.import.as_ref().and_then(|i| i.fingerprint.clone());
                if k.materials.is_empty() {
                    return Err(KmsError::PendingImport { arn }.into());
                }
                if named.as_ref().is_some_and(|n| {
                    material_id.as_deref().map(self::material_id).as_ref() != Some(n)
                }) {
                    return Err(KmsError::IncorrectKeyMaterial.into());
                }
                c.drop_imported_material(&id);
                let mut out = json!({"KeyId": arn});
                if let Some(m) = material_id {
                    out["KeyMaterialId"] = json!(self::material_id(&m));
                }
                Ok(out)
            },
        )
    }

    /// Removes a key's imported material: the key waits for it again.
    fn drop_imported_material(&mut self, id: &str) {
        if let Ok(k) = self.key_mut(id) {
            k.materials.clear();
            if k.state != KeyState::PendingDeletion {
                k.state = KeyState::PendingImport;
            }
            if let Some(i) = &mut k.import {
                i.valid_to = None;
                i.expiration_model = None;
            }
        }
        self.material_destroyed = true;
    }

    /// The clock passed the material's ValidTo: KMS deletes it and records that it did.
    pub(super) fn expire_imported_material(&mut self, id: &str) -> Option<String> {
        let arn = self.world.kms.keys.get(id)?.arn.clone();
        self.drop_imported_material(id);
        self.record_service_event("DeleteExpiredKeyMaterial", &arn);
        Some(format!(
            "the imported key material of {arn} expired: the key is pending import"
        ))
    }
}

/// The OAEP hash of a wrapping algorithm keyform takes, and whether the material is wrapped
/// under an ephemeral AES key first (RSA_AES_KEY_WRAP_*).
fn wrapping(algorithm: &str) -> Option<(OaepHash, bool)> {
    match algorithm {
        "RSAES_OAEP_SHA_1" => Some((OaepHash::Sha1, false)),
        "RSAES_OAEP_SHA_256" => Some((OaepHash::Sha256, false)),
        "RSA_AES_KEY_WRAP_SHA_1" => Some((OaepHash::Sha1, true)),
        "RSA_AES_KEY_WRAP_SHA_256" => Some((OaepHash::Sha256, true)),
        _ => None,
    }
}

/// The material `wrapped` carries, with the wrapping private key `secret`: RSAES-OAEP of the
/// material itself, or (RSA_AES_KEY_WRAP_*) RSAES-OAEP of a 256-bit AES key followed by the
/// material under it with AES Key Wrap with Padding (RFC 5649), as KMS's import procedure
/// makes it with `openssl pkeyutl` and `openssl enc -id-aes256-wrap-pad`.
fn unwrap_material(
    secret: &[u8],
    algorithm: &str,
    wrapped: &[u8],
) -> Result<zeroize::Zeroizing<Vec<u8>>, KmsError> {
    let bad = |_| KmsError::WrappedMaterialInvalid;
    let (hash, aes) = wrapping(algorithm).ok_or(KmsError::WrappedMaterialInvalid)?;
    if !aes {
        return asym::rsa_decrypt(secret, hash, wrapped).map_err(bad);
    }
    let k = asym::rsa_size(secret).map_err(KmsError::from)?;
    if wrapped.len() <= k {
        return Err(KmsError::WrappedMaterialInvalid);
    }
    let aes_key = asym::rsa_decrypt(secret, hash, &wrapped[..k]).map_err(bad)?;
    key_wrap::unwrap(&aes_key, &wrapped[k..]).map_err(|_| KmsError::WrappedMaterialInvalid)
}

/// The KeyMaterialId of material with this fingerprint (a hash of the hash: it says which
/// material, never anything about it).
fn material_id(fingerprint: &str) -> String {
    hex(&crypto::sha256(
        format!("keyform key material id {fingerprint}").as_bytes(),
    ))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
