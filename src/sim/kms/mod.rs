//! KMS: keys, aliases, key policies, rotation, scheduled deletion, and the crypto calls.
//!
//! Key states and errors follow AWS (aws-semantics.md §3). Material is generated from the OS
//! RNG, stored only wrapped under the world's root key, and destroyed for good when a scheduled
//! deletion runs.
//!
//! This file holds what every KMS operation shares: resolving a KeyId in the forms AWS accepts
//! per operation, the prelude (resolve, record the resource, authorize against the key policy),
//! the key-state checks, key material, and running what fell due on the clock. The operations
//! live beside it by concern: `keys` (lifecycle, metadata, tags), `aliases`, `rotation`,
//! `key_policy`, `crypto_ops`; their errors are [`KmsError`] (`error`).

mod aliases;
mod asym;
#[cfg(test)]
mod asym_tests;
mod crypto_ops;
mod error;
mod grant_auth;
mod grants;
#[cfg(test)]
mod grants_tests;
mod import;
#[cfg(test)]
mod import_tests;
mod key_policy;
mod key_wrap;
mod keys;
mod keyspec;
mod paging;
mod rotation;
mod sign_ops;
#[cfg(test)]
mod tests;

pub use error::KmsError;

/// Wraps key material to a wrapping public key (DER) with RSAES_OAEP_SHA_1, as a caller of
/// ImportKeyMaterial does (tests of other modules).
#[cfg(test)]
pub(crate) fn wrap_for_tests(public: &[u8], material: &[u8]) -> Vec<u8> {
    asym::rsa_encrypt(public, 2048, asym::OaepHash::Sha1, material).unwrap_or_default()
}

use serde_json::Value as Json;

use crate::sim::authz::Access;
use crate::sim::clock::Millis;
use crate::sim::crypto::KeyMaterial;
use crate::sim::world::{EntityRef, KeyState, KmsGrant, KmsKey, World, WrappedMaterial};
use crate::sim::{CallContext, Cloud, Op, SimError, Touched};

/// Largest plaintext Encrypt accepts.
pub const MAX_PLAINTEXT: usize = 4096;
/// On-demand rotations allowed per key.
pub const MAX_ON_DEMAND_ROTATIONS: usize = 25;
/// Aliases allowed per key.
pub const MAX_ALIASES_PER_KEY: usize = 50;

/// Forms of key id an operation accepts (aws-semantics.md §3.1).
#[derive(Clone, Copy, PartialEq, Eq)]
enum IdForms {
    /// Key id or key ARN only (lifecycle, policy and rotation calls).
    KeyOnly,
    /// Also alias name and alias ARN (crypto calls, DescribeKey).
    WithAlias,
}

fn kms_op(name: &'static str, params: &Json, read_only: bool) -> Op {
    Op {
        service: "kms",
        name,
        params: redact_params(params),
        read_only,
        data_event: false,
    }
}

/// CloudTrail never records plaintext or ciphertext; keyform keeps grant tokens out too (they
/// are kept as secrets, as Terraform keeps `grant_token`).
fn redact_params(p: &Json) -> Json {
    let mut p = p.clone();
    if let Json::Object(m) = &mut p {
        for k in [
            "Plaintext",
            "CiphertextBlob",
            "Message",
            "Signature",
            "Mac",
            "GrantTokens",
        ] {
            m.remove(k);
        }
        let renamed: Vec<(String, Json)> = m
            .iter()
            .map(|(k, v)| {
                let mut c = k.chars();
                let lower = c
                    .next()
                    .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
                    .unwrap_or_default();
                (lower, v.clone())
            })
            .collect();
        *m = renamed.into_iter().collect();
    }
    p
}

impl Cloud {
    /// A key's ARN (naming its account); for a key not created yet, the caller's account's.
    fn key_arn(&self, id: &str) -> String {
        match self.world.kms.keys.get(id) {
            Some(k) => k.arn.clone(),
            None => format!(
                "arn:aws:kms:{}:{}:key/{id}",
                self.world.region, self.world.account_id
            ),
        }
    }

    fn alias_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:kms:{}:{}:{name}",
            self.world.region, self.world.account_id
        )
    }

    /// Resolves a KeyId parameter to a key id, accepting only the forms AWS accepts.
    fn resolve_key(&self, given: &str, forms: IdForms) -> Result<String, KmsError> {
        // A key id or alias name is the caller's account's; an ARN may name another account
        // (whose key policy must then let the caller in).
        let region_prefix = format!("arn:aws:kms:{}:", self.world.region);
        let mut account = self.world.account_id.clone();
        let (alias, key) = if let Some((acct, rest)) = given
            .strip_prefix(&region_prefix)
            .and_then(|r| r.split_once(':'))
            .filter(|(a, _)| World::arn_account(&format!("arn:aws:kms::{a}:")).is_some())
        {
            account = acct.to_string();
            match rest.split_once('/') {
                Some(("key", id)) => (None, Some(id.to_string())),
                Some(("alias", _)) => (Some(rest.to_string()), None),
                _ => {
                    return Err(KmsError::InvalidArn {
                        given: given.into(),
                    });
                }
            }
        } else if given.starts_with("arn:") {
            return Err(KmsError::KeyNotFound { arn: given.into() });
        } else if given.starts_with("alias/") {
            (Some(given.to_string()), None)
        } else {
            (None, Some(given.to_string()))
        };
        if let Some(a) = alias {
            if forms == IdForms::KeyOnly {
                return Err(KmsError::AliasNotAccepted {
                    given: given.into(),
                });
            }
            return self
                .world
                .aliases_of(&account)
                .and_then(|m| m.get(&a))
                .map(|x| x.target_key_id.clone())
                .ok_or_else(|| KmsError::AliasNotFound {
                    arn: format!("{region_prefix}{account}:{a}"),
                });
        }
        let id = key.unwrap_or_default();
        match self.world.kms.keys.get(&id) {
            Some(k) if k.account() == account => Ok(id),
            _ => Err(KmsError::KeyNotFound {
                arn: format!("{region_prefix}{account}:key/{id}"),
            }),
        }
    }

    fn key(&self, id: &str) -> Result<&KmsKey, KmsError> {
        self.world
            .kms
            .keys
            .get(id)
            .ok_or_else(|| KmsError::KeyNotFound {
                arn: self.key_arn(id),
            })
    }

    fn key_mut(&mut self, id: &str) -> Result<&mut KmsKey, KmsError> {
        self.touch(EntityRef::KmsKey(id.to_string()));
        let arn = self.key_arn(id);
        self.world
            .kms
            .keys
            .get_mut(id)
            .ok_or(KmsError::KeyNotFound { arn })
    }

    /// The usual prelude: resolve, note the resource, authorize against the key policy.
    fn kms_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        given: &str,
        forms: IdForms,
        action: &str,
        conditions: &[(String, String)],
    ) -> Result<String, KmsError> {
        self.kms_prelude_grant(ctx, t, given, forms, action, conditions)
            .map(|(id, _)| id)
    }

    /// [`Cloud::kms_prelude`], also returning the grant that allowed the call, if one did.
    fn kms_prelude_grant(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        given: &str,
        forms: IdForms,
        action: &str,
        conditions: &[(String, String)],
    ) -> Result<(String, Option<KmsGrant>), KmsError> {
        let id = self.resolve_key(given, forms)?;
        let arn = self.key_arn(&id);
        t.resources.push(("AWS::KMS::Key".into(), arn.clone()));
        let mut conds = self.kms_key_conditions(&id, Some(given));
        conds.extend_from_slice(conditions);
        let grant = self.authorize_key(ctx, t, &id, &Access::kms(action, &arn, &id, &conds))?;
        Ok((id, grant))
    }

    /// Authorizes `action` on a key already resolved (the key an alias points to), against its
    /// key policy, and notes it as a resource of the call.
    fn authorize_on_key(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        id: &str,
        action: &str,
    ) -> Result<(), KmsError> {
        let arn = self.key_arn(id);
        t.resources.push(("AWS::KMS::Key".into(), arn.clone()));
        let conds = self.kms_key_conditions(id, None);
        self.authorize_key(ctx, t, id, &Access::kms(action, &arn, id, &conds))?;
        Ok(())
    }

    /// The condition keys every request on a key carries: what the key is (`kms:KeySpec`,
    /// `kms:KeyUsage`, `kms:KeyOrigin`), the aliases that point to it (`kms:ResourceAliases`)
    /// and, when the caller named it by an alias, that alias (`kms:RequestAlias`, the alias
    /// name as AWS gives it, also when an alias ARN was sent).
    pub(crate) fn kms_key_conditions(
        &self,
        id: &str,
        given: Option<&str>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(k) = self.world.kms.keys.get(id) {
            out.push(("kms:KeySpec".to_string(), k.key_spec.clone()));
            out.push(("kms:KeyUsage".to_string(), k.key_usage.clone()));
            out.push(("kms:KeyOrigin".to_string(), k.origin().to_string()));
        }
        for a in self
            .world
            .kms
            .aliases
            .values()
            .filter(|a| a.target_key_id == id)
        {
            out.push(("kms:ResourceAliases".to_string(), a.name.clone()));
        }
        if let Some(g) = given
            && let Some(i) = g.find("alias/")
            && (i == 0 || g.starts_with("arn:"))
        {
            out.push(("kms:RequestAlias".to_string(), g[i..].to_string()));
        }
        out
    }

    /// Crypto calls need an Enabled key.
    fn require_usable(&self, id: &str) -> Result<(), KmsError> {
        let k = self.key(id)?;
        match k.state {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled { arn: k.arn.clone() }),
            KeyState::PendingDeletion => Err(KmsError::PendingDeletion { arn: k.arn.clone() }),
            KeyState::PendingImport => Err(KmsError::PendingImport { arn: k.arn.clone() }),
        }
    }

    /// Rotation is for symmetric encryption keys only.
    fn require_rotatable(&self, id: &str) -> Result<(), KmsError> {
        let k = self.key(id)?;
        if k.key_spec != "SYMMETRIC_DEFAULT" || k.import.is_some() {
            return Err(KmsError::RotationUnsupported { arn: k.arn.clone() });
        }
        Ok(())
    }

    fn require_not_pending(&self, id: &str) -> Result<(), KmsError> {
        let k = self.key(id)?;
        if k.state == KeyState::PendingDeletion {
            return Err(KmsError::PendingDeletion { arn: k.arn.clone() });
        }
        Ok(())
    }

    fn new_material(&mut self, key_id: &str, version: u32) -> Result<WrappedMaterial, SimError> {
        let m = KeyMaterial::generate().map_err(|e| SimError::internal(e.to_string()))?;
        crate::sim::reveal_secret("key-material", m.expose());
        let wrapped = self
            .root
            .wrap(key_id, version, &m)
            .map_err(|e| SimError::internal(e.to_string()))?;
        Ok(WrappedMaterial {
            version,
            created: self.world.now,
            wrapped,
        })
    }

    fn material(&self, k: &KmsKey, version: u32) -> Result<KeyMaterial, KmsError> {
        let w = k
            .materials
            .iter()
            .find(|m| m.version == version)
            .ok_or(KmsError::MaterialMissing)?;
        self.root
            .unwrap(&k.key_id, version, &w.wrapped)
            .map_err(|e| SimError::internal(format!("key store damaged: {e}")).into())
    }

    /// Runs what fell due for one key at time `t`: its deletion or an automatic rotation.
    pub(crate) fn kms_run_due(&mut self, id: &str, t: Millis) -> Option<String> {
        let k = self.world.kms.keys.get(id)?;
        if k.material_expires().is_some_and(|e| e <= t) {
            return self.expire_imported_material(id);
        }
        match (k.state, k.deletion_date, k.rotation) {
            (KeyState::PendingDeletion, Some(d), _) if d <= t => self.run_deletion(id),
            (KeyState::Enabled, _, Some(r)) if r.next <= t => self.run_automatic_rotation(id, r),
            _ => None,
        }
    }

    /// Events KMS records on its own (scheduled deletion, automatic rotation).
    fn record_service_event(&mut self, name: &'static str, key_arn: &str) {
        let ctx = CallContext::service("kms.amazonaws.com");
        let op = Op {
            service: "kms",
            name,
            params: Json::Null,
            read_only: false,
            data_event: false,
        };
        let touched = Touched {
            resources: vec![("AWS::KMS::Key".into(), key_arn.to_string())],
            ..Touched::default()
        };
        self.record_event(&ctx, &op, &touched, None);
    }

    /// Resolves a key reference to its ARN without recording anything (S3 uses this).
    pub(crate) fn kms_key_arn_for(&self, given: &str) -> Result<String, KmsError> {
        let id = self.resolve_key(given, IdForms::WithAlias)?;
        Ok(self.key_arn(&id))
    }
}
