//! KMS key lifecycle: CreateKey (with the API model's enum checks), DescribeKey, ListKeys,
//! Enable/DisableKey, Schedule/CancelKeyDeletion and the deletion itself when it falls due,
//! UpdateKeyDescription, tags, and the AWS managed `aws/s3` key S3 creates on first use.
//!
//! Key policies, aliases, rotation and the crypto calls live in their own files.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::keyspec::{self, KeyKind};
use super::paging;
use super::{IdForms, KmsError, kms_op};
use crate::sim::authz::Access;
use crate::sim::clock::{DAY, iso8601};
#[cfg(any(debug_assertions, feature = "test-hooks"))]
use crate::sim::crypto::KeyMaterial;
use crate::sim::world::{EntityRef, KeyManager, KeyState, KmsAlias, KmsKey, RotationSchedule};
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_int, opt_str, req_str};

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
fn check_enum(
    member: &'static str,
    value: &str,
    allowed: &'static [&'static str],
) -> Result<(), KmsError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(KmsError::NotInEnum {
        member,
        value: value.into(),
        allowed,
    })
}

impl Cloud {
    /// The `KeyMetadata` DescribeKey returns for a key (also what `data.aws_kms_key` reads).
    pub(crate) fn key_metadata(&self, k: &KmsKey) -> Json {
        let mut m = json!({
            "AWSAccountId": self.world.account_id,
            "KeyId": k.key_id,
            "Arn": k.arn,
            "CreationDate": iso8601(k.created),
            "Enabled": k.state == KeyState::Enabled,
            "Description": k.description,
            "KeyUsage": k.key_usage,
            "KeyState": k.state.as_str(),
            "Origin": k.origin(),
            "KeyManager": k.key_manager.as_str(),
            "CustomerMasterKeySpec": k.key_spec,
            "KeySpec": k.key_spec,
            "MultiRegion": k.multi_region,
        });
        let kind = KeyKind::of(&k.key_spec).unwrap_or(KeyKind::Symmetric);
        let (enc, sign, mac) = keyspec::algorithms(kind, &k.key_usage);
        for (name, algs) in [
            ("EncryptionAlgorithms", enc),
            ("SigningAlgorithms", sign),
            ("MacAlgorithms", mac),
        ] {
            if !algs.is_empty() {
                m[name] = json!(algs);
            }
        }
        if let Some(i) = &k.import
            && !k.materials.is_empty()
        {
            if let Some(e) = &i.expiration_model {
                m["ExpirationModel"] = json!(e);
            }
            if let Some(v) = i.valid_to {
                m["ValidTo"] = json!(iso8601(v));
            }
        }
        if let (Some(d), Json::Object(o)) = (k.deletion_date, &mut m) {
            o.insert("DeletionDate".into(), json!(iso8601(d)));
            if let Some(w) = k.pending_window_days {
                o.insert("PendingDeletionWindowInDays".into(), json!(w));
            }
        }
        m
    }

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
        let origin = opt_str(p, "Origin")?.unwrap_or("AWS_KMS").to_string();
        let tags = tag_list(p)?;
        self.run(ctx, op, |c, t| {
            // The API model's enums come first (ValidationException), before authorization
            // and before the policy is read.
            check_enum("keyUsage", &usage, KEY_USAGES)?;
            match opt_str(p, "KeySpec")? {
                Some(s) => check_enum("keySpec", s, KEY_SPECS)?,
                None => check_enum("customerMasterKeySpec", &spec, CUSTOMER_MASTER_KEY_SPECS)?,
            }
            let request = [
                ("kms:KeySpec", spec.clone()),
                ("kms:KeyUsage", usage.clone()),
                ("kms:KeyOrigin", origin.clone()),
                ("kms:MultiRegion", multi_region.to_string()),
            ];
            c.authorize(
                ctx,
                &Access {
                    conditions: request.map(|(k, v)| (k.to_string(), v)).to_vec(),
                    ..Access::iam_only("kms:CreateKey", "*")
                },
            )?;
            if description.chars().count() > 8192 {
                return Err(KmsError::DescriptionTooLong.into());
            }
            // Origin is AWS_KMS (anything else is refused before the call): no custom key
            // store exists in a keyform world, and XksKeyId needs EXTERNAL_KEY_STORE.
            if let Some(id) = opt_str(p, "CustomKeyStoreId")? {
                return Err(KmsError::CustomKeyStoreNotFound { id: id.into() }.into());
            }
            if matches!(origin.as_str(), "AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE") {
                return Err(KmsError::OriginWithoutStore { origin }.into());
            }
            if opt_str(p, "XksKeyId")?.is_some() {
                return Err(KmsError::XksKeyIdWithoutExternalStore.into());
            }
            let kind = keyspec::check_pair(&spec, &usage)?;
            let external = origin == "EXTERNAL";
            if external && kind != KeyKind::Symmetric {
                return Err(KmsError::UnsupportedKeySpec {
                    spec: spec.clone(),
                    usage: usage.clone(),
                }
                .into());
            }
            let id = if multi_region {
                format!("mrk-{}", c.world.ids.hex(32))
            } else {
                c.world.ids.uuid()
            };
            let arn = c.key_arn(&id);
            let policy = match policy {
                Some(pol) => {
                    c.check_key_policy(ctx, &pol, bypass, &arn)?;
                    pol
                }
                None => c.default_key_policy(),
            };
            let (materials, sealed_secret, public_key) = if external {
                (Vec::new(), None, None)
            } else {
                let material = c.new_material(&id, 1)?;
                let (sealed, public) = c.new_secret(&id, &material, kind)?;
                (vec![material], sealed, public)
            };
            let key = KmsKey {
                sealed_secret,
                public_key,
                grants: Vec::new(),
                import: external.then(Default::default),
                key_id: id.clone(),
                arn: arn.clone(),
                key_manager: KeyManager::Customer,
                description,
                key_usage: usage,
                key_spec: spec,
                state: if external {
                    KeyState::PendingImport
                } else {
                    KeyState::Enabled
                },
                created: c.world.now,
                deletion_date: None,
                pending_window_days: None,
                policy,
                multi_region,
                tags,
                rotation: None,
                rotation_before_deletion: None,
                rotations: Vec::new(),
                materials,
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
            super::grant_auth::present_grant_tokens(p, t)?;
            let id = c.kms_prelude(ctx, t, &given, IdForms::WithAlias, "kms:DescribeKey", &[])?;
            let k = c.key(&id)?;
            Ok(json!({ "KeyMetadata": c.key_metadata(k) }))
        })
    }

    pub fn kms_list_keys(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let limit = opt_int(p, "Limit")?.unwrap_or(1000).clamp(1, 1000) as usize;
        let marker = opt_str(p, "Marker")?.map(str::to_string);
        // ResourceOwners: SELF (the default) lists this account's keys; no other account
        // shares keys through RAM with a keyform world, so OTHER_ACCOUNTS_VIA_RAM adds none.
        let own = match p.get("ResourceOwners") {
            None | Some(Json::Null) => true,
            Some(Json::Array(a)) => {
                let mut own = false;
                for v in a {
                    match v.as_str() {
                        Some("SELF") => own = true,
                        Some("OTHER_ACCOUNTS_VIA_RAM") => {}
                        _ => {
                            return Err(KmsError::NotInEnum {
                                member: "resourceOwners",
                                value: v.to_string(),
                                allowed: &["SELF", "OTHER_ACCOUNTS_VIA_RAM"],
                            }
                            .into());
                        }
                    }
                }
                own
            }
            Some(_) => {
                return Err(SimError::param(
                    "Invalid type for parameter ResourceOwners: a list of strings",
                ));
            }
        };
        self.run(ctx, kms_op("ListKeys", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("kms:ListKeys", "*"))?;
            let ids: Vec<&String> = c
                .world
                .kms
                .keys
                .iter()
                .filter(|_| own)
                .filter(|(_, k)| k.account() == c.world.account_id)
                .map(|(id, _)| id)
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
            if c.key(&id)?.state == KeyState::PendingImport {
                return Err(KmsError::PendingImport {
                    arn: c.key_arn(&id),
                }
                .into());
            }
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
                return Err(KmsError::PendingWindow { days }.into());
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
                return Err(KmsError::NotPendingDeletion { arn: k.arn.clone() }.into());
            }
            // An EXTERNAL key without material goes back to waiting for it.
            k.state = if k.import.is_some() && k.materials.is_empty() {
                KeyState::PendingImport
            } else {
                KeyState::Disabled
            };
            k.deletion_date = None;
            k.pending_window_days = None;
            k.rotation = k.rotation_before_deletion.take();
            Ok(json!({"KeyId": k.arn}))
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
        // ListResourceTags pages 1 to 50 tags (default 50), the marker naming the last key given.
        let (limit, marker) = paging::params(
            p,
            paging::Limits {
                max: 50,
                default: 50,
            },
        )?;
        self.run(ctx, kms_op("ListResourceTags", p, true), |c, t| {
            let id = c.kms_prelude(
                ctx,
                t,
                &given,
                IdForms::KeyOnly,
                "kms:ListResourceTags",
                &[],
            )?;
            let k = c.key(&id)?;
            let order: Vec<String> = k.tags.keys().cloned().collect();
            let tags: Vec<(String, Json)> = k
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), json!({"TagKey": k, "TagValue": v})))
                .collect();
            Ok(paging::page(
                &order,
                tags,
                limit,
                marker.as_deref(),
                "Tags",
            )?)
        })
    }

    /// Runs a scheduled deletion that fell due: the key, its aliases and every bucket key made
    /// from it go, and its material is destroyed for good.
    pub(super) fn run_deletion(&mut self, id: &str) -> Option<String> {
        let k = self.world.kms.keys.get(id)?;
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
            sealed_secret: None,
            public_key: None,
            grants: Vec::new(),
            import: None,
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
