//! IAM access keys (Create/List/Update/DeleteAccessKey; the secret is shown once and stored
//! only wrapped under the root key), looking a key up for a request signer, and STS
//! GetCallerIdentity.
//!
//! Checking a request's signature is `serve`'s; this file only hands it the key.

use serde_json::{Value as Json, json};

use super::{Entity, IamError, iam_op};
use crate::sim::clock::iso8601;
use crate::sim::world::{AccessKey, EntityRef};
use crate::sim::{CallContext, Cloud, Principal, SimError, opt_str, req_str};

impl Cloud {
    pub fn iam_create_access_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        self.run(ctx, iam_op("CreateAccessKey", p, false), |c, t| {
            let user = match (given, &ctx.principal) {
                (Some(u), _) => u,
                (None, Principal::User(u)) => u.clone(),
                _ => return Err(IamError::UserNameRequired.into()),
            };
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:CreateAccessKey", &[])?;
            if c.world.iam.users.get(&user).is_some_and(|u| u.access_keys.len() >= 2) {
                return Err(IamError::TooManyAccessKeys.into());
            }
            let id = format!("AKIA{}", c.world.ids.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
            let secret_bytes = crate::sim::crypto::random_bytes(30).map_err(|e| SimError::internal(e.to_string()))?;
            let secret = secret_text(&secret_bytes[..30]);
            let material = crate::sim::crypto::KeyMaterial::from_slice(&{
                let mut k = [0u8; 32];
                k[..30].copy_from_slice(&secret_bytes);
                k
            })
            .map_err(|e| SimError::internal(e.to_string()))?;
            let wrapped = c.root.wrap(&format!("iam/{id}"), 1, &material).map_err(|e| SimError::internal(e.to_string()))?;
            let now = c.world.now;
            if let Some(u) = c.world.iam.users.get_mut(&user) {
                u.access_keys.push(AccessKey { id: id.clone(), wrapped_secret: wrapped, status: "Active".into(), created: now });
            }
            c.touch(EntityRef::User(user.clone()));
            Ok(json!({"AccessKey": {"UserName": user, "AccessKeyId": id, "Status": "Active", "SecretAccessKey": secret, "CreateDate": iso8601(now)}}))
        })
    }

    pub fn iam_list_access_keys(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        self.run(ctx, iam_op("ListAccessKeys", p, true), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:ListAccessKeys", &[])?;
            let keys: Vec<Json> = c
                .world
                .iam
                .users
                .get(&user)
                .map(|u| u.access_keys.iter().map(|k| json!({"UserName": user, "AccessKeyId": k.id, "Status": k.status, "CreateDate": iso8601(k.created)})).collect())
                .unwrap_or_default();
            Ok(json!({"AccessKeyMetadata": keys, "IsTruncated": false}))
        })
    }

    /// UpdateAccessKey: makes a key Active or Inactive (an inactive key signs nothing).
    pub fn iam_update_access_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        let id = req_str(p, "AccessKeyId")?.to_string();
        let status = req_str(p, "Status")?.to_string();
        self.run(ctx, iam_op("UpdateAccessKey", p, false), |c, t| {
            let user = match (given, &ctx.principal) {
                (Some(u), _) => u,
                (None, Principal::User(u)) => u.clone(),
                _ => return Err(IamError::UserNameRequired.into()),
            };
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:UpdateAccessKey", &[])?;
            if !matches!(status.as_str(), "Active" | "Inactive") {
                return Err(IamError::InvalidStatus {
                    status: status.clone(),
                }
                .into());
            }
            let key = c
                .world
                .iam
                .users
                .get_mut(&user)
                .and_then(|u| u.access_keys.iter_mut().find(|k| k.id == id))
                .ok_or_else(|| IamError::NoSuchAccessKey { id: id.clone() })?;
            key.status = status;
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    pub fn iam_delete_access_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let id = req_str(p, "AccessKeyId")?.to_string();
        self.run(ctx, iam_op("DeleteAccessKey", p, false), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:DeleteAccessKey", &[])?;
            let u = c
                .world
                .iam
                .users
                .get_mut(&user)
                .ok_or_else(|| IamError::NoSuchUser {
                    name: user.to_string(),
                })?;
            let before = u.access_keys.len();
            u.access_keys.retain(|k| k.id != id);
            if u.access_keys.len() == before {
                return Err(IamError::NoSuchAccessKey { id: id.clone() }.into());
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }
}

/// The secret access key's text: the 30 random bytes in base64 (40 characters), with `+` and
/// `/` replaced so the secret is safe in shell `export` lines and URLs.
pub(super) fn secret_text(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
        .replace(['+', '/'], "A")
}

/// One access key as a request signer presents it: whose it is and its secret.
pub struct AccessKeyInfo {
    pub user: String,
    /// The user's account.
    pub account: String,
    pub status: String,
    /// The secret access key (40 characters); never log or store it.
    pub secret: zeroize::Zeroizing<String>,
}

impl std::fmt::Debug for AccessKeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessKeyInfo({}, {})", self.user, self.status)
    }
}

impl Cloud {
    /// Finds an access key by id and recovers its secret (wrapped under the root key since
    /// CreateAccessKey), so a server can verify SigV4 signatures made with it.
    pub fn access_key(&self, id: &str) -> Option<AccessKeyInfo> {
        // Access keys are unique across accounts: any account's user may own this one.
        let (account, name) = self.world.access_key_owner(id)?;
        let user = self.world.iam_of(&account)?.users.get(&name)?;
        let key = user.access_keys.iter().find(|k| k.id == id)?;
        let m = self
            .root
            .unwrap(&format!("iam/{id}"), 1, &key.wrapped_secret)
            .ok()?;
        Some(AccessKeyInfo {
            user: user.name.clone(),
            account,
            status: key.status.clone(),
            secret: zeroize::Zeroizing::new(secret_text(&m.expose()[..30])),
        })
    }
}
