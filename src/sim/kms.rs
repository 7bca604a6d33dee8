//! KMS: keys, aliases, key policies, rotation, scheduled deletion, and the crypto calls.
//!
//! Key states and errors follow AWS (aws-semantics.md §3). Material is generated from the OS
//! RNG, stored only wrapped under the world's root key, and destroyed for good when a scheduled
//! deletion runs.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};

use crate::sim::authz::Access;
use crate::sim::clock::{DAY, Millis, iso8601};
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::world::{
    EntityRef, KeyManager, KeyState, KmsAlias, KmsKey, RotationRecord, RotationSchedule,
    WrappedMaterial,
};
use crate::sim::{
    CallContext, Cloud, Op, SimError, Touched, opt_bool, opt_int, opt_str, opt_str_map, req_str,
};

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

/// KeySpec values of the KMS API model (botocore `kms/2014-11-01`).
const KEY_SPECS: &[&str] = &[
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "SYMMETRIC_DEFAULT",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
];
/// The deprecated CustomerMasterKeySpec takes the specs that existed when it was replaced.
const CUSTOMER_MASTER_KEY_SPECS: &[&str] = KEY_SPECS.split_at(13).0;
/// KeyUsage values of the KMS API model.
const KEY_USAGES: &[&str] = &[
    "SIGN_VERIFY",
    "ENCRYPT_DECRYPT",
    "GENERATE_VERIFY_MAC",
    "KEY_AGREEMENT",
    "ENCAPSULATE_DECAPSULATE",
];

/// A value outside an enum of the API model, refused as AWS's model validation does.
fn check_enum(member: &str, value: &str, allowed: &[&str]) -> Result<(), SimError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(SimError::validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )))
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

/// CloudTrail never records plaintext or ciphertext.
fn redact_params(p: &Json) -> Json {
    let mut p = p.clone();
    if let Json::Object(m) = &mut p {
        for k in ["Plaintext", "CiphertextBlob"] {
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

fn b64_param(p: &Json, name: &str) -> Result<Vec<u8>, SimError> {
    let s = req_str(p, name)?;
    B64.decode(s.trim()).map_err(|_| {
        SimError::param(format!(
            "Invalid base64 for parameter {name}: pass the bytes base64-encoded"
        ))
    })
}

impl Cloud {
    fn key_arn(&self, id: &str) -> String {
        format!(
            "arn:aws:kms:{}:{}:key/{id}",
            self.world.region, self.world.account_id
        )
    }

    fn alias_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:kms:{}:{}:{name}",
            self.world.region, self.world.account_id
        )
    }

    /// Resolves a KeyId parameter to a key id, accepting only the forms AWS accepts.
    fn resolve_key(&self, given: &str, forms: IdForms) -> Result<String, SimError> {
        let prefix = format!(
            "arn:aws:kms:{}:{}:",
            self.world.region, self.world.account_id
        );
        let (alias, key) = if let Some(rest) = given.strip_prefix(&prefix) {
            match rest.split_once('/') {
                Some(("key", id)) => (None, Some(id.to_string())),
                Some(("alias", _)) => (Some(rest.to_string()), None),
                _ => return Err(SimError::kms_not_found(format!("Invalid arn {given}"))),
            }
        } else if given.starts_with("arn:") {
            return Err(SimError::kms_not_found(format!(
                "Key '{given}' does not exist"
            )));
        } else if given.starts_with("alias/") {
            (Some(given.to_string()), None)
        } else {
            (None, Some(given.to_string()))
        };
        if let Some(a) = alias {
            if forms == IdForms::KeyOnly {
                return Err(SimError::kms_not_found(format!(
                    "Invalid keyId '{given}': this operation takes a key id or key ARN, not an alias"
                )));
            }
            return self
                .world
                .kms
                .aliases
                .get(&a)
                .map(|x| x.target_key_id.clone())
                .ok_or_else(|| {
                    SimError::kms_not_found(format!("Alias {} is not found.", self.alias_arn(&a)))
                });
        }
        let id = key.unwrap_or_default();
        if self.world.kms.keys.contains_key(&id) {
            Ok(id)
        } else {
            Err(SimError::kms_not_found(format!(
                "Key '{}' does not exist",
                self.key_arn(&id)
            )))
        }
    }

    fn key(&self, id: &str) -> Result<&KmsKey, SimError> {
        self.world.kms.keys.get(id).ok_or_else(|| {
            SimError::kms_not_found(format!("Key '{}' does not exist", self.key_arn(id)))
        })
    }

    fn key_mut(&mut self, id: &str) -> Result<&mut KmsKey, SimError> {
        self.touch(EntityRef::KmsKey(id.to_string()));
        let arn = self.key_arn(id);
        self.world
            .kms
            .keys
            .get_mut(id)
            .ok_or_else(|| SimError::kms_not_found(format!("Key '{arn}' does not exist")))
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
    ) -> Result<String, SimError> {
        let id = self.resolve_key(given, forms)?;
        let arn = self.key_arn(&id);
        t.resources.push(("AWS::KMS::Key".into(), arn.clone()));
        self.authorize(ctx, &Access::kms(action, &arn, &id, conditions))?;
        Ok(id)
    }

    /// Crypto calls need an Enabled key.
    fn require_usable(&self, id: &str) -> Result<(), SimError> {
        let k = self.key(id)?;
        match k.state {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(SimError::service(
                "DisabledException",
                400,
                format!("{} is disabled.", k.arn),
            )),
            KeyState::PendingDeletion => Err(SimError::service(
                "KMSInvalidStateException",
                400,
                format!("{} is pending deletion.", k.arn),
            )),
        }
    }

    fn require_not_pending(&self, id: &str) -> Result<(), SimError> {
        let k = self.key(id)?;
        if k.state == KeyState::PendingDeletion {
            return Err(SimError::service(
                "KMSInvalidStateException",
                400,
                format!("{} is pending deletion.", k.arn),
            ));
        }
        Ok(())
    }

    fn key_metadata(&self, k: &KmsKey) -> Json {
        let mut m = json!({
            "AWSAccountId": self.world.account_id,
            "KeyId": k.key_id,
            "Arn": k.arn,
            "CreationDate": iso8601(k.created),
            "Enabled": k.state == KeyState::Enabled,
            "Description": k.description,
            "KeyUsage": k.key_usage,
            "KeyState": k.state.as_str(),
            "Origin": "AWS_KMS",
            "KeyManager": k.key_manager.as_str(),
            "CustomerMasterKeySpec": k.key_spec,
            "KeySpec": k.key_spec,
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": k.multi_region,
        });
        if let (Some(d), Json::Object(o)) = (k.deletion_date, &mut m) {
            o.insert("DeletionDate".into(), json!(iso8601(d)));
            if let Some(w) = k.pending_window_days {
                o.insert("PendingDeletionWindowInDays".into(), json!(w));
            }
        }
        m
    }

    /// The policy AWS gives `aws/s3`: any principal of the account may use it through S3.
    fn aws_managed_s3_key_policy(&self) -> String {
        let acct = &self.world.account_id;
        serde_json::to_string_pretty(&json!({
            "Version": "2012-10-17",
            "Id": "auto-s3-2",
            "Statement": [
                {
                    "Sid": "Allow access through S3 for all principals in the account that are authorized to use S3",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {
                        "kms:CallerAccount": acct,
                        "kms:ViaService": format!("s3.{}.amazonaws.com", self.world.region)
                    }}
                },
                {
                    "Sid": "Allow direct access to key metadata to the account",
                    "Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")},
                    "Action": ["kms:Describe*", "kms:Get*", "kms:List*"],
                    "Resource": "*"
                }
            ]
        }))
        .unwrap_or_default()
    }

    fn default_key_policy(&self) -> String {
        serde_json::to_string_pretty(&json!({
            "Version": "2012-10-17",
            "Id": "key-default-1",
            "Statement": [{
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": self.world.root_arn()},
                "Action": "kms:*",
                "Resource": "*"
            }]
        }))
        .unwrap_or_default()
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

    fn material(&self, k: &KmsKey, version: u32) -> Result<KeyMaterial, SimError> {
        let w = k
            .materials
            .iter()
            .find(|m| m.version == version)
            .ok_or_else(|| {
                SimError::service(
                    "InvalidCiphertextException",
                    400,
                    "The ciphertext refers to key material that does not exist.",
                )
            })?;
        self.root
            .unwrap(&k.key_id, version, &w.wrapped)
            .map_err(|e| SimError::internal(format!("key store damaged: {e}")))
    }

    /// Checks a policy document for KMS: parses, limits, and the lockout safety check.
    fn check_key_policy(
        &mut self,
        ctx: &CallContext,
        policy: &str,
        bypass: bool,
        key_arn: &str,
    ) -> Result<(), SimError> {
        if policy.len() > 32_768 {
            return Err(SimError::service(
                "LimitExceededException",
                400,
                "The key policy exceeds the maximum size of 32768 bytes.",
            ));
        }
        let doc = crate::sim::policy::PolicyDocument::parse(policy).map_err(|e| {
            SimError::service("MalformedPolicyDocumentException", 400, e.to_string())
        })?;
        if !bypass && !self.key_policy_lets_caller_manage(ctx, &doc, key_arn) {
            return Err(SimError::service(
                "MalformedPolicyDocumentException",
                400,
                "The new key policy will not allow you to update the key policy in the future.",
            ));
        }
        Ok(())
    }

    // ------------------------------------------------------------ control plane

    pub fn kms_create_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let op = kms_op("CreateKey", p, false);
        let description = opt_str(p, "Description")?.unwrap_or("").to_string();
        let usage = opt_str(p, "KeyUsage")?
            .unwrap_or("ENCRYPT_DECRYPT")
            .to_string();
        let spec = opt_str(p, "KeySpec")?
            .or(opt_str(p, "CustomerMasterKeySpec")?)
            .unwrap_or("SYMMETRIC_DEFAULT")
            .to_string();
        let policy = opt_str(p, "Policy")?.map(str::to_string);
        let bypass = opt_bool(p, "BypassPolicyLockoutSafetyCheck")?.unwrap_or(false);
        let multi_region = opt_bool(p, "MultiRegion")?.unwrap_or(false);
        let tags = tag_list(p)?;
        self.run(ctx, op, |c, t| {
            // The API model's enums come first (ValidationException), before authorization
            // and before the policy is read.
            check_enum("keyUsage", &usage, KEY_USAGES)?;
            match opt_str(p, "KeySpec")? {
                Some(s) => check_enum("keySpec", s, KEY_SPECS)?,
                None => check_enum("customerMasterKeySpec", &spec, CUSTOMER_MASTER_KEY_SPECS)?,
            }
            c.authorize(ctx, &Access::iam_only("kms:CreateKey", "*"))?;
            if description.chars().count() > 8192 {
                return Err(SimError::validation("Description must be at most 8192 characters."));
            }
            if spec != "SYMMETRIC_DEFAULT" || usage != "ENCRYPT_DECRYPT" {
                return Err(SimError::service(
                    "UnsupportedOperationException",
                    400,
                    format!("keyform simulates symmetric encryption keys only (KeySpec SYMMETRIC_DEFAULT, KeyUsage ENCRYPT_DECRYPT); got {spec}/{usage}."),
                ));
            }
            let id = if multi_region { format!("mrk-{}", c.world.ids.hex(32)) } else { c.world.ids.uuid() };
            let arn = c.key_arn(&id);
            let policy = match policy {
                Some(pol) => {
                    c.check_key_policy(ctx, &pol, bypass, &arn)?;
                    pol
                }
                None => c.default_key_policy(),
            };
            let material = c.new_material(&id, 1)?;
            let key = KmsKey {
                key_id: id.clone(),
                arn: arn.clone(),
                key_manager: KeyManager::Customer,
                description,
                key_usage: usage,
                key_spec: spec,
                state: KeyState::Enabled,
                created: c.world.now,
                deletion_date: None,
                pending_window_days: None,
                policy,
                multi_region,
                tags,
                rotation: None,
                rotation_before_deletion: None,
                rotations: Vec::new(),
                materials: vec![material],
            };
            let meta = c.key_metadata(&key);
            c.world.kms.keys.insert(id.clone(), key);
            c.touch(EntityRef::KmsKey(id));
            t.resources.push(("AWS::KMS::Key".into(), arn));
            t.response = Some(json!({"keyMetadata": meta.clone()}));
            Ok(json!({ "KeyMetadata": meta }))
        })
    }

    pub fn kms_describe_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("DescribeKey", p, true), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, "kms:DescribeKey", &[])?;
            let k = c.key(&id)?;
            Ok(json!({ "KeyMetadata": c.key_metadata(k) }))
        })
    }

    pub fn kms_list_keys(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let limit = opt_int(p, "Limit")?.unwrap_or(1000).clamp(1, 1000) as usize;
        let marker = opt_str(p, "Marker")?.map(str::to_string);
        self.run(ctx, kms_op("ListKeys", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("kms:ListKeys", "*"))?;
            let ids: Vec<&String> = c
                .world
                .kms
                .keys
                .keys()
                .filter(|k| marker.as_ref().is_none_or(|m| *k > m))
                .collect();
            let page: Vec<Json> = ids
                .iter()
                .take(limit)
                .map(|id| json!({"KeyId": id, "KeyArn": c.key_arn(id)}))
                .collect();
            let mut out = json!({"Keys": page, "Truncated": ids.len() > limit});
            if ids.len() > limit {
                out["NextMarker"] = json!(ids[limit - 1]);
            }
            Ok(out)
        })
    }

    pub fn kms_list_aliases(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let key = opt_str(p, "KeyId")?.map(str::to_string);
        self.run(ctx, kms_op("ListAliases", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("kms:ListAliases", "*"))?;
            let filter = match &key {
                Some(k) => Some(c.resolve_key(k, IdForms::KeyOnly)?),
                None => None,
            };
            let aliases: Vec<Json> = c
                .world
                .kms
                .aliases
                .values()
                .filter(|a| filter.as_ref().is_none_or(|f| &a.target_key_id == f))
                .map(|a| {
                    json!({
                        "AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.target_key_id,
                        "CreationDate": iso8601(a.created), "LastUpdatedDate": iso8601(a.updated.unwrap_or(a.created)),
                    })
                })
                .collect();
            Ok(json!({"Aliases": aliases, "Truncated": false}))
        })
    }

    /// The checks of an alias name, in AWS's order: the API model's constraints
    /// (ValidationException), the `alias/` prefix, the reserved `alias/aws/`, then KMS's
    /// narrower character rule (no `:`).
    fn validate_alias_name(name: &str) -> Result<(), SimError> {
        if name.len() > 256 {
            return Err(SimError::validation(format!(
                "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256"
            )));
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
        {
            return Err(SimError::validation(format!(
                "1 validation error detected: Value '{name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$"
            )));
        }
        if !name.starts_with("alias/") {
            return Err(SimError::validation("Invalid identifier"));
        }
        if name.starts_with("alias/aws/") {
            return Err(SimError::service(
                "NotAuthorizedException",
                400,
                format!("{name}: the alias/aws/ prefix is reserved for AWS managed keys."),
            ));
        }
        let rest = &name["alias/".len()..];
        if rest.contains(':') {
            // The model's pattern allows `:`; KMS itself refuses it, still as a ValidationException.
            return Err(SimError::validation(format!(
                "{name} contains invalid characters for an alias"
            )));
        }
        if rest.is_empty() {
            return Err(SimError::service(
                "InvalidAliasNameException",
                400,
                format!(
                    "Alias {name} is invalid: use alias/ followed by 1-250 letters, digits, /, _ or -."
                ),
            ));
        }
        Ok(())
    }

    pub fn kms_create_alias(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "AliasName")?.to_string();
        let target = req_str(p, "TargetKeyId")?.to_string();
        self.run(ctx, kms_op("CreateAlias", p, false), |c, t| {
            Cloud::validate_alias_name(&name)?;
            let alias_arn = c.alias_arn(&name);
            c.authorize(ctx, &Access::iam_only("kms:CreateAlias", &alias_arn))?;
            let id = c.kms_prelude(ctx, t, &target, IdForms::KeyOnly, "kms:CreateAlias", &[])?;
            c.require_not_pending(&id)?;
            if c.world.kms.aliases.contains_key(&name) {
                return Err(SimError::service(
                    "AlreadyExistsException",
                    400,
                    format!("An alias with the name {alias_arn} already exists"),
                ));
            }
            if c.world
                .kms
                .aliases
                .values()
                .filter(|a| a.target_key_id == id)
                .count()
                >= MAX_ALIASES_PER_KEY
            {
                return Err(SimError::service(
                    "LimitExceededException",
                    400,
                    "A key can have at most 50 aliases.",
                ));
            }
            let alias = KmsAlias {
                name: name.clone(),
                arn: alias_arn,
                target_key_id: id,
                created: c.world.now,
                updated: None,
            };
            c.world.kms.aliases.insert(name.clone(), alias);
            c.touch(EntityRef::KmsAlias(name));
            Ok(json!({}))
        })
    }

    pub fn kms_update_alias(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "AliasName")?.to_string();
        let target = req_str(p, "TargetKeyId")?.to_string();
        self.run(ctx, kms_op("UpdateAlias", p, false), |c, t| {
            Cloud::validate_alias_name(&name)?;
            let alias_arn = c.alias_arn(&name);
            if !c.world.kms.aliases.contains_key(&name) {
                return Err(SimError::kms_not_found(format!(
                    "Alias {alias_arn} is not found."
                )));
            }
            c.authorize(ctx, &Access::iam_only("kms:UpdateAlias", &alias_arn))?;
            let id = c.kms_prelude(ctx, t, &target, IdForms::KeyOnly, "kms:UpdateAlias", &[])?;
            c.require_not_pending(&id)?;
            let now = c.world.now;
            if let Some(a) = c.world.kms.aliases.get_mut(&name) {
                a.target_key_id = id;
                a.updated = Some(now);
            }
            c.touch(EntityRef::KmsAlias(name));
            Ok(json!({}))
        })
    }

    pub fn kms_delete_alias(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "AliasName")?.to_string();
        self.run(ctx, kms_op("DeleteAlias", p, false), |c, t| {
            Cloud::validate_alias_name(&name)?;
            let alias_arn = c.alias_arn(&name);
            let Some(a) = c.world.kms.aliases.get(&name) else {
                return Err(SimError::kms_not_found(format!(
                    "Alias {alias_arn} is not found."
                )));
            };
            let target = a.target_key_id.clone();
            c.authorize(ctx, &Access::iam_only("kms:DeleteAlias", &alias_arn))?;
            let key_arn = c.key_arn(&target);
            t.resources.push(("AWS::KMS::Key".into(), key_arn.clone()));
            c.authorize(ctx, &Access::kms("kms:DeleteAlias", &key_arn, &target, &[]))?;
            c.world.kms.aliases.remove(&name);
            c.touch(EntityRef::KmsAlias(name));
            Ok(json!({}))
        })
    }

    pub fn kms_enable_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.set_enabled(ctx, p, true)
    }

    pub fn kms_disable_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.set_enabled(ctx, p, false)
    }

    fn set_enabled(&mut self, ctx: &CallContext, p: &Json, enable: bool) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let (name, action) = if enable {
            ("EnableKey", "kms:EnableKey")
        } else {
            ("DisableKey", "kms:DisableKey")
        };
        self.run(ctx, kms_op(name, p, false), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, action, &[])?;
            c.require_not_pending(&id)?;
            let now = c.world.now;
            let k = c.key_mut(&id)?;
            k.state = if enable {
                KeyState::Enabled
            } else {
                KeyState::Disabled
            };
            // Overdue rotation happens on re-enable, as AWS does.
            if enable && let Some(r) = &mut k.rotation {
                r.next = r.next.max(now);
            }
            Ok(json!({}))
        })
    }

    pub fn kms_schedule_key_deletion(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let window = opt_int(p, "PendingWindowInDays")?;
        self.run(ctx, kms_op("ScheduleKeyDeletion", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:ScheduleKeyDeletion",
                &[],
            )?;
            let days = window.unwrap_or(30);
            if !(7..=30).contains(&days) {
                return Err(SimError::validation(format!(
                    "PendingWindowInDays must be between 7 and 30 (got {days})."
                )));
            }
            c.require_not_pending(&id)?;
            let now = c.world.now;
            let k = c.key_mut(&id)?;
            k.state = KeyState::PendingDeletion;
            k.deletion_date = Some(now + days * DAY);
            k.pending_window_days = Some(days as u32);
            k.rotation_before_deletion = k.rotation.take();
            let out = json!({
                "KeyId": k.arn, "DeletionDate": iso8601(now + days * DAY),
                "KeyState": "PendingDeletion", "PendingWindowInDays": days,
            });
            Ok(out)
        })
    }

    pub fn kms_cancel_key_deletion(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("CancelKeyDeletion", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:CancelKeyDeletion",
                &[],
            )?;
            let k = c.key_mut(&id)?;
            if k.state != KeyState::PendingDeletion {
                return Err(SimError::service(
                    "KMSInvalidStateException",
                    400,
                    format!("{} is not pending deletion.", k.arn),
                ));
            }
            k.state = KeyState::Disabled;
            k.deletion_date = None;
            k.pending_window_days = None;
            k.rotation = k.rotation_before_deletion.take();
            Ok(json!({"KeyId": k.arn}))
        })
    }

    pub fn kms_enable_key_rotation(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let period = opt_int(p, "RotationPeriodInDays")?;
        self.run(ctx, kms_op("EnableKeyRotation", p, false), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:EnableKeyRotation", &[])?;
            let days = period.unwrap_or(365);
            if !(90..=2560).contains(&days) {
                return Err(SimError::validation(format!(
                    "1 validation error detected: Value '{days}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560"
                )));
            }
            c.require_usable(&id)?;
            let now = c.world.now;
            let k = c.key_mut(&id)?;
            k.rotation = Some(RotationSchedule { period_days: days as u32, next: now + days * DAY });
            Ok(json!({}))
        })
    }

    pub fn kms_disable_key_rotation(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("DisableKeyRotation", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:DisableKeyRotation",
                &[],
            )?;
            c.require_usable(&id)?;
            c.key_mut(&id)?.rotation = None;
            Ok(json!({}))
        })
    }

    pub fn kms_get_key_rotation_status(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("GetKeyRotationStatus", p, true), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:GetKeyRotationStatus",
                &[],
            )?;
            let k = c.key(&id)?;
            let mut out = json!({"KeyRotationEnabled": k.rotation.is_some(), "KeyId": k.arn});
            if let Some(r) = k.rotation {
                out["RotationPeriodInDays"] = json!(r.period_days);
                out["NextRotationDate"] = json!(iso8601(r.next));
            }
            Ok(out)
        })
    }

    pub fn kms_rotate_key_on_demand(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("RotateKeyOnDemand", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:RotateKeyOnDemand",
                &[],
            )?;
            c.require_usable(&id)?;
            let k = c.key(&id)?;
            if k.rotations.iter().filter(|r| r.kind == "ON_DEMAND").count()
                >= MAX_ON_DEMAND_ROTATIONS
            {
                return Err(SimError::service(
                    "LimitExceededException",
                    400,
                    format!(
                        "{} has reached the maximum of 25 on-demand rotations.",
                        k.arn
                    ),
                ));
            }
            c.rotate(&id, "ON_DEMAND")?;
            let arn = c.key_arn(&id);
            Ok(json!({"KeyId": arn}))
        })
    }

    fn rotate(&mut self, id: &str, kind: &str) -> Result<(), SimError> {
        let version = self.key(id)?.current_version() + 1;
        let m = self.new_material(id, version)?;
        let now = self.world.now;
        let k = self.key_mut(id)?;
        k.materials.push(m);
        k.rotations.push(RotationRecord {
            date: now,
            kind: kind.to_string(),
            version,
        });
        Ok(())
    }

    pub fn kms_list_key_rotations(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("ListKeyRotations", p, true), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:ListKeyRotations", &[])?;
            let k = c.key(&id)?;
            let rotations: Vec<Json> = k
                .rotations
                .iter()
                .map(|r| json!({"KeyId": k.arn, "RotationDate": iso8601(r.date), "RotationType": r.kind}))
                .collect();
            Ok(json!({"Rotations": rotations, "Truncated": false}))
        })
    }

    /// ListKeyPolicies: a key has exactly one policy, `default`.
    pub fn kms_list_key_policies(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("ListKeyPolicies", p, true), |c, t| {
            c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:ListKeyPolicies", &[])?;
            Ok(json!({"PolicyNames": ["default"], "Truncated": false}))
        })
    }

    /// GenerateRandom: 1 to 1024 bytes from the OS RNG; IAM policy only (no key involved).
    pub fn kms_generate_random(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let n = opt_int(p, "NumberOfBytes")?;
        self.run(ctx, kms_op("GenerateRandom", p, true), |c, _| {
            let n = match n {
                Some(n) if (1..=1024).contains(&n) => n as usize,
                Some(n) => {
                    return Err(SimError::validation(format!(
                        "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024"
                    )));
                }
                None => {
                    return Err(SimError::validation(
                        "1 validation error detected: Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null",
                    ));
                }
            };
            c.authorize(ctx, &Access::iam_only("kms:GenerateRandom", "*"))?;
            let bytes = crypto::random_bytes(n).map_err(|e| SimError::internal(e.to_string()))?;
            Ok(json!({"Plaintext": B64.encode(&*bytes)}))
        })
    }

    pub fn kms_get_key_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let name = opt_str(p, "PolicyName")?.unwrap_or("default").to_string();
        self.run(ctx, kms_op("GetKeyPolicy", p, true), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:GetKeyPolicy", &[])?;
            if name != "default" {
                return Err(SimError::kms_not_found(format!(
                    "No such policy exists: {name}"
                )));
            }
            Ok(json!({"Policy": c.key(&id)?.policy, "PolicyName": "default"}))
        })
    }

    pub fn kms_put_key_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let policy = req_str(p, "Policy")?.to_string();
        let name = opt_str(p, "PolicyName")?.unwrap_or("default").to_string();
        let bypass = opt_bool(p, "BypassPolicyLockoutSafetyCheck")?.unwrap_or(false);
        self.run(ctx, kms_op("PutKeyPolicy", p, false), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:PutKeyPolicy", &[])?;
            if name != "default" {
                return Err(SimError::validation("PolicyName must be \"default\"."));
            }
            let arn = c.key_arn(&id);
            c.check_key_policy(ctx, &policy, bypass, &arn)?;
            c.key_mut(&id)?.policy = policy;
            Ok(json!({}))
        })
    }

    pub fn kms_update_key_description(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let d = req_str(p, "Description")?.to_string();
        self.run(ctx, kms_op("UpdateKeyDescription", p, false), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:UpdateKeyDescription",
                &[],
            )?;
            c.require_not_pending(&id)?;
            c.key_mut(&id)?.description = d;
            Ok(json!({}))
        })
    }

    pub fn kms_tag_resource(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        if p.get("Tags").is_none_or(Json::is_null) {
            return Err(SimError::param(
                "Missing required parameter in input: \"Tags\"",
            ));
        }
        let tags = tag_list(p)?;
        self.run(ctx, kms_op("TagResource", p, false), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:TagResource", &[])?;
            c.require_not_pending(&id)?;
            c.key_mut(&id)?.tags.extend(tags);
            Ok(json!({}))
        })
    }

    pub fn kms_untag_resource(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let keys: Vec<String> = match p.get("TagKeys") {
            None | Some(Json::Null) => {
                return Err(SimError::param(
                    "Missing required parameter in input: \"TagKeys\"",
                ));
            }
            Some(Json::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        SimError::param(
                            "Invalid type for parameter TagKeys: expected a list of strings",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(SimError::param(
                    "Invalid type for parameter TagKeys: expected a list of strings",
                ));
            }
        };
        self.run(ctx, kms_op("UntagResource", p, false), |c, t| {
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:UntagResource", &[])?;
            c.require_not_pending(&id)?;
            let k = c.key_mut(&id)?;
            for key in keys {
                k.tags.remove(&key);
            }
            Ok(json!({}))
        })
    }

    pub fn kms_list_resource_tags(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        self.run(ctx, kms_op("ListResourceTags", p, true), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:ListResourceTags",
                &[],
            )?;
            let tags: Vec<Json> = c
                .key(&id)?
                .tags
                .iter()
                .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
                .collect();
            Ok(json!({"Tags": tags, "Truncated": false}))
        })
    }

    // ------------------------------------------------------------ crypto

    fn via_conditions(
        ctx: &CallContext,
        enc_ctx: &BTreeMap<String, String>,
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
        if matches!(ctx.principal, crate::sim::Principal::User(_)) {
            conds.push(("kms:CallerAccount".into(), "{account}".into()));
        }
        if let Some(s) = &ctx.invoked_by {
            let service = s.trim_end_matches(".amazonaws.com");
            conds.push((
                "kms:ViaService".into(),
                format!("{service}.{{region}}.amazonaws.com"),
            ));
        }
        conds
    }

    fn crypto_conditions(
        &self,
        ctx: &CallContext,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Vec<(String, String)> {
        Cloud::via_conditions(ctx, enc_ctx)
            .into_iter()
            .map(|(k, v)| {
                let v = v
                    .replace("{region}", &self.world.region)
                    .replace("{account}", &self.world.account_id);
                (k, v)
            })
            .collect()
    }

    pub fn kms_encrypt(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let plaintext = zeroize::Zeroizing::new(b64_param(p, "Plaintext")?);
        let enc_ctx = opt_str_map(p, "EncryptionContext")?;
        check_algorithm(p)?;
        self.run(ctx, kms_op("Encrypt", p, false), |c, t| {
            // AWS's exact messages (verified against AWS by moto's test_kms_encrypt.py).
            if plaintext.is_empty() {
                return Err(SimError::validation(
                    "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
                ));
            }
            if plaintext.len() > MAX_PLAINTEXT {
                return Err(SimError::validation(format!(
                    "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to {MAX_PLAINTEXT}"
                )));
            }
            let conds = c.crypto_conditions(ctx, &enc_ctx);
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, "kms:Encrypt", &conds)?;
            c.require_usable(&id)?;
            let blob = c.seal_with_current(&id, &plaintext, &enc_ctx)?;
            Ok(json!({
                "CiphertextBlob": B64.encode(blob), "KeyId": c.key_arn(&id),
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }))
        })
    }

    fn seal_with_current(
        &self,
        id: &str,
        plaintext: &[u8],
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, SimError> {
        let k = self.key(id)?;
        let v = k.current_version();
        let m = self.material(k, v)?;
        crypto::seal(&m, id, v, plaintext, enc_ctx).map_err(|e| SimError::internal(e.to_string()))
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
    ) -> Result<(String, zeroize::Zeroizing<Vec<u8>>), SimError> {
        let invalid = || SimError::service("InvalidCiphertextException", 400, "");
        let header = crypto::parse_blob_header(blob).map_err(|_| invalid())?;
        if let Some(given) = expected_key {
            let want = self.resolve_key(given, IdForms::WithAlias)?;
            if want != header.key_id {
                return Err(SimError::service(
                    "IncorrectKeyException",
                    400,
                    "The key ID in the request does not identify a CMK that can perform this operation.",
                ));
            }
        }
        let id = header.key_id.clone();
        if !self.world.kms.keys.contains_key(&id) {
            // A deleted key: its material is gone, so this ciphertext can never be opened again.
            t.resources
                .push(("AWS::KMS::Key".into(), self.key_arn(&id)));
            return Err(SimError::kms_not_found(format!(
                "Key '{}' does not exist",
                self.key_arn(&id)
            )));
        }
        let conds = self.crypto_conditions(ctx, enc_ctx);
        let arn = self.key_arn(&id);
        t.resources.push(("AWS::KMS::Key".into(), arn.clone()));
        self.authorize(ctx, &Access::kms(action, &arn, &id, &conds))?;
        self.require_usable(&id)?;
        let k = self.key(&id)?;
        let m = self.material(k, header.version)?;
        let pt = crypto::open(&m, blob, enc_ctx).map_err(|_| invalid())?;
        Ok((id, pt))
    }

    pub fn kms_decrypt(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let blob = b64_param(p, "CiphertextBlob")?;
        let enc_ctx = opt_str_map(p, "EncryptionContext")?;
        let key = opt_str(p, "KeyId")?.map(str::to_string);
        check_algorithm(p)?;
        let mut params = p.clone();
        if let Json::Object(m) = &mut params {
            m.insert("EncryptionAlgorithm".into(), json!("SYMMETRIC_DEFAULT"));
        }
        self.run(ctx, kms_op("Decrypt", &params, true), |c, t| {
            let (id, pt) = c.open_blob(ctx, t, &blob, &enc_ctx, key.as_deref(), "kms:Decrypt")?;
            Ok(json!({
                "KeyId": c.key_arn(&id), "Plaintext": B64.encode(&*pt),
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }))
        })
    }

    pub fn kms_re_encrypt(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let blob = b64_param(p, "CiphertextBlob")?;
        let src_ctx = opt_str_map(p, "SourceEncryptionContext")?;
        let src_key = opt_str(p, "SourceKeyId")?.map(str::to_string);
        let dst_given = req_str(p, "DestinationKeyId")?.to_string();
        let dst_ctx = opt_str_map(p, "DestinationEncryptionContext")?;
        self.run(ctx, kms_op("ReEncrypt", p, false), |c, t| {
            let (src, pt) = c.open_blob(ctx, t, &blob, &src_ctx, src_key.as_deref(), "kms:ReEncryptFrom")?;
            let conds = c.crypto_conditions(ctx, &dst_ctx);
            let dst = c.kms_prelude(ctx, t, &dst_given, IdForms::WithAlias, "kms:ReEncryptTo", &conds)?;
            c.require_usable(&dst)?;
            let out = c.seal_with_current(&dst, &pt, &dst_ctx)?;
            Ok(json!({
                "CiphertextBlob": B64.encode(out), "SourceKeyId": c.key_arn(&src), "KeyId": c.key_arn(&dst),
                "SourceEncryptionAlgorithm": "SYMMETRIC_DEFAULT", "DestinationEncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }))
        })
    }

    pub fn kms_generate_data_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.generate_data_key(ctx, p, true)
    }

    pub fn kms_generate_data_key_without_plaintext(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.generate_data_key(ctx, p, false)
    }

    fn generate_data_key(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        with_plaintext: bool,
    ) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let spec = opt_str(p, "KeySpec")?.map(str::to_string);
        let nbytes = opt_int(p, "NumberOfBytes")?;
        let enc_ctx = opt_str_map(p, "EncryptionContext")?;
        let (name, action) = if with_plaintext {
            ("GenerateDataKey", "kms:GenerateDataKey")
        } else {
            (
                "GenerateDataKeyWithoutPlaintext",
                "kms:GenerateDataKeyWithoutPlaintext",
            )
        };
        self.run(ctx, kms_op(name, p, true), |c, t| {
            let n = match (spec.as_deref(), nbytes) {
                (Some("AES_256"), None) => 32,
                (Some("AES_128"), None) => 16,
                (Some(other), None) => {
                    return Err(SimError::validation(format!(
                        "1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"
                    )));
                }
                (None, Some(n)) if (1..=1024).contains(&n) => n as usize,
                (None, Some(n)) => {
                    return Err(SimError::validation(format!(
                        "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024"
                    )));
                }
                (None, None) => return Err(SimError::validation("Please specify either number of bytes or key spec.")),
                (Some(_), Some(_)) => {
                    return Err(SimError::validation("Please specify either number of bytes or key spec, not both."));
                }
            };
            let conds = c.crypto_conditions(ctx, &enc_ctx);
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, action, &conds)?;
            c.require_usable(&id)?;
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

    /// Runs what fell due for one key at time `t`: its deletion or an automatic rotation.
    pub(crate) fn kms_run_due(&mut self, id: &str, t: Millis) -> Option<String> {
        let k = self.world.kms.keys.get(id)?;
        match (k.state, k.deletion_date, k.rotation) {
            (KeyState::PendingDeletion, Some(d), _) if d <= t => {
                let arn = k.arn.clone();
                #[cfg(any(debug_assertions, feature = "test-hooks"))]
                {
                    let materials: Vec<(u32, KeyMaterial)> = k
                        .materials
                        .iter()
                        .filter_map(|w| self.material(k, w.version).ok().map(|m| (w.version, m)))
                        .collect();
                    crate::sim::test_hooks::reveal_before_deletion(id, &materials);
                }
                self.world.kms.keys.remove(id);
                self.touch(EntityRef::KmsKey(id.to_string()));
                let aliases: Vec<String> = self
                    .world
                    .kms
                    .aliases
                    .values()
                    .filter(|a| a.target_key_id == id)
                    .map(|a| a.name.clone())
                    .collect();
                for a in aliases {
                    self.world.kms.aliases.remove(&a);
                    self.touch(EntityRef::KmsAlias(a));
                }
                self.forget_bucket_keys_of(&arn);
                self.material_destroyed = true;
                self.record_service_event("DeleteKey", &arn);
                Some(format!("deleted key {arn}: its key material is destroyed"))
            }
            (KeyState::Enabled, _, Some(r)) if r.next <= t => {
                let arn = k.arn.clone();
                let next = r.next + i64::from(r.period_days) * DAY;
                if self.rotate(id, "AUTOMATIC").is_err() {
                    return None;
                }
                if let Some(k) = self.world.kms.keys.get_mut(id)
                    && let Some(rs) = &mut k.rotation
                {
                    rs.next = next;
                }
                self.record_service_event("RotateKey", &arn);
                Some(format!("rotated key {arn} (automatic)"))
            }
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
            response: None,
        };
        self.record_event(&ctx, &op, &touched, None);
    }

    /// The id of the AWS managed key for S3 (`alias/aws/s3`), created on first use.
    pub(crate) fn aws_managed_s3_key(&mut self) -> Result<String, SimError> {
        if let Some(a) = self.world.kms.aliases.get("alias/aws/s3") {
            return Ok(a.target_key_id.clone());
        }
        let id = self.world.ids.uuid();
        let arn = self.key_arn(&id);
        let material = self.new_material(&id, 1)?;
        let key = KmsKey {
            key_id: id.clone(),
            arn,
            key_manager: KeyManager::Aws,
            description: "Default key that protects my S3 objects when no other key is defined"
                .into(),
            key_usage: "ENCRYPT_DECRYPT".into(),
            key_spec: "SYMMETRIC_DEFAULT".into(),
            state: KeyState::Enabled,
            created: self.world.now,
            deletion_date: None,
            pending_window_days: None,
            policy: self.aws_managed_s3_key_policy(),
            multi_region: false,
            tags: BTreeMap::new(),
            rotation: Some(RotationSchedule {
                period_days: 365,
                next: self.world.now + 365 * DAY,
            }),
            rotation_before_deletion: None,
            rotations: Vec::new(),
            materials: vec![material],
        };
        self.world.kms.keys.insert(id.clone(), key);
        self.touch(EntityRef::KmsKey(id.clone()));
        let name = "alias/aws/s3".to_string();
        let alias = KmsAlias {
            name: name.clone(),
            arn: self.alias_arn(&name),
            target_key_id: id.clone(),
            created: self.world.now,
            updated: None,
        };
        self.world.kms.aliases.insert(name.clone(), alias);
        self.touch(EntityRef::KmsAlias(name));
        Ok(id)
    }

    /// Resolves a key reference to its ARN without recording anything (S3 uses this).
    pub(crate) fn kms_key_arn_for(&self, given: &str) -> Result<String, SimError> {
        let id = self.resolve_key(given, IdForms::WithAlias)?;
        Ok(self.key_arn(&id))
    }
}

fn check_algorithm(p: &Json) -> Result<(), SimError> {
    match opt_str(p, "EncryptionAlgorithm")? {
        None | Some("SYMMETRIC_DEFAULT") => Ok(()),
        Some(other) => Err(SimError::service(
            "InvalidKeyUsageException",
            400,
            format!(
                "The encryption algorithm {other} is not supported by symmetric keys; use SYMMETRIC_DEFAULT."
            ),
        )),
    }
}

/// KMS tags: `[{TagKey, TagValue}]`.
fn tag_list(p: &Json) -> Result<BTreeMap<String, String>, SimError> {
    let Some(tags) = p.get("Tags") else {
        return Ok(BTreeMap::new());
    };
    let Some(arr) = tags.as_array() else {
        return Err(SimError::param(
            "Invalid type for parameter Tags: expected a list of {TagKey, TagValue}",
        ));
    };
    arr.iter()
        .map(|t| {
            match (
                t.get("TagKey").and_then(Json::as_str),
                t.get("TagValue").and_then(Json::as_str),
            ) {
                (Some(k), Some(v)) => Ok((k.to_string(), v.to_string())),
                _ => Err(SimError::param(
                    "Each tag needs TagKey and TagValue strings",
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ids::IdGen;

    fn cloud() -> Cloud {
        Cloud::in_memory(
            "123456789012",
            "us-east-1",
            1_767_225_600_000,
            IdGen::seeded(7),
        )
        .unwrap()
    }

    fn call(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
        c.call(&CallContext::lab_admin(), op, &p, None)
            .map(|r| r.fields)
    }

    fn code_and_message(r: Result<Json, SimError>) -> (String, String) {
        let e = r.unwrap_err();
        (e.code, e.message)
    }

    #[test]
    fn alias_names_are_checked_in_awss_order_with_awss_errors() {
        let mut c = cloud();
        let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        let create = |c: &mut Cloud, name: &str| {
            code_and_message(call(
                c,
                "kms:CreateAlias",
                json!({"AliasName": name, "TargetKeyId": key}),
            ))
        };
        assert_eq!(
            create(&mut c, "alias/my-alias!"),
            (
                "ValidationException".into(),
                "1 validation error detected: Value 'alias/my-alias!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$".into()
            )
        );
        assert_eq!(
            create(&mut c, "wrongprefix/my-alias"),
            ("ValidationException".into(), "Invalid identifier".into())
        );
        assert_eq!(
            create(&mut c, "alias/my:alias"),
            (
                "ValidationException".into(),
                "alias/my:alias contains invalid characters for an alias".into()
            )
        );
        assert_eq!(create(&mut c, "alias/aws/s3").0, "NotAuthorizedException");
        let (code, _) = code_and_message(call(
            &mut c,
            "kms:DeleteAlias",
            json!({"AliasName": "wrongprefix/x"}),
        ));
        assert_eq!(code, "ValidationException");
        call(
            &mut c,
            "kms:CreateAlias",
            json!({"AliasName": "alias/ok_name-1/x", "TargetKeyId": key}),
        )
        .unwrap();
    }

    #[test]
    fn unknown_key_specs_fail_model_validation_before_the_policy_is_read() {
        let mut c = cloud();
        let (code, msg) = code_and_message(call(
            &mut c,
            "kms:CreateKey",
            json!({"KeySpec": "NotSupportedKeySpec", "Policy": "my policy"}),
        ));
        assert_eq!(code, "ValidationException");
        assert!(
            msg.starts_with("1 validation error detected: Value 'NotSupportedKeySpec' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [RSA_2048, "),
            "{msg}"
        );
        // A real spec keyform does not simulate is still UnsupportedOperationException.
        let (code, _) = code_and_message(call(
            &mut c,
            "kms:CreateKey",
            json!({"KeySpec": "RSA_2048"}),
        ));
        assert_eq!(code, "UnsupportedOperationException");
        let (code, _) =
            code_and_message(call(&mut c, "kms:CreateKey", json!({"KeyUsage": "SIGN"})));
        assert_eq!(code, "ValidationException");
    }

    #[test]
    fn encrypt_length_errors_are_awss_exact_messages() {
        let mut c = cloud();
        let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
        let enc = |c: &mut Cloud, n: usize| {
            code_and_message(call(
                c,
                "kms:Encrypt",
                json!({"KeyId": key, "Plaintext": B64.encode(vec![b'x'; n])}),
            ))
            .1
        };
        assert_eq!(
            enc(&mut c, 0),
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
        assert_eq!(
            enc(&mut c, 4097),
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
        );
    }

    #[test]
    fn generate_random_list_key_policies_and_required_tag_members() {
        let mut c = cloud();
        let random = call(&mut c, "kms:GenerateRandom", json!({"NumberOfBytes": 24})).unwrap();
        assert_eq!(
            B64.decode(random["Plaintext"].as_str().unwrap())
                .unwrap()
                .len(),
            24
        );
        for bad in [
            json!({"NumberOfBytes": 1025}),
            json!({"NumberOfBytes": 0}),
            json!({}),
        ] {
            assert_eq!(
                code_and_message(call(&mut c, "kms:GenerateRandom", bad)).0,
                "ValidationException"
            );
        }
        let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
        let r = call(&mut c, "kms:ListKeyPolicies", json!({"KeyId": key})).unwrap();
        assert_eq!(r, json!({"PolicyNames": ["default"], "Truncated": false}));
        let e = call(&mut c, "kms:TagResource", json!({"KeyId": key})).unwrap_err();
        assert_eq!(e.message, "Missing required parameter in input: \"Tags\"");
        let e = call(&mut c, "kms:UntagResource", json!({"KeyId": key})).unwrap_err();
        assert_eq!(
            e.message,
            "Missing required parameter in input: \"TagKeys\""
        );
        // The call is in CloudTrail, the random bytes are not.
        let random = random["Plaintext"].as_str().unwrap().to_string();
        let ev = c
            .world
            .cloudtrail
            .events
            .iter()
            .map(crate::sim::world::TrailEvent::json)
            .find(|e| e["eventName"] == "GenerateRandom");
        assert!(
            ev.as_ref()
                .is_some_and(|e| !e.to_string().contains(&random)),
            "{ev:?}"
        );
    }
}
