//! KMS's part of the world: keys, their material and rotation, grants, imports, aliases.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::sim::clock::Millis;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct KmsState {
    pub keys: BTreeMap<String, KmsKey>,
    /// Alias name (`alias/lab-key`) -> alias.
    pub aliases: BTreeMap<String, KmsAlias>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
    /// A key of origin EXTERNAL without key material (never imported, deleted or expired).
    PendingImport,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingImport => "PendingImport",
        }
    }
}

/// Who manages a key: the customer, or AWS (the `aws/s3` key S3 creates on first use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KeyManager {
    #[default]
    #[serde(rename = "CUSTOMER")]
    Customer,
    #[serde(rename = "AWS")]
    Aws,
}

impl KeyManager {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyManager::Customer => "CUSTOMER",
            KeyManager::Aws => "AWS",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KmsKey {
    pub key_id: String,
    pub arn: String,
    /// Absent in worlds written before it existed: those keys are fixed up on load.
    #[serde(default)]
    pub key_manager: KeyManager,
    pub description: String,
    pub key_usage: String,
    pub key_spec: String,
    pub state: KeyState,
    pub created: Millis,
    pub deletion_date: Option<Millis>,
    pub pending_window_days: Option<u32>,
    pub policy: String,
    pub multi_region: bool,
    pub tags: BTreeMap<String, String>,
    /// Automatic rotation, when enabled.
    pub rotation: Option<RotationSchedule>,
    /// Rotation status kept while pending deletion, restored on cancel.
    pub rotation_before_deletion: Option<RotationSchedule>,
    pub rotations: Vec<RotationRecord>,
    /// Key material versions, oldest first, each wrapped under the world's root key.
    pub materials: Vec<WrappedMaterial>,
    /// Asymmetric and HMAC keys: the private key (PKCS#8 DER) or the HMAC key, sealed under
    /// material version 1 (base64; never plaintext).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_secret: Option<String>,
    /// Asymmetric keys: the public key, DER SubjectPublicKeyInfo, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<String>,
    /// The key's grants, oldest first (they go with the key when it is deleted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<KmsGrant>,
    /// Keys of origin EXTERNAL (imported key material); None for AWS_KMS keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import: Option<ImportState>,
}

impl KmsKey {
    /// The account owning the key (its ARN names it).
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or_default()
    }
}

/// What a key of origin EXTERNAL knows about its imported material.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportState {
    /// SHA-256 (hex) of the material first imported: a key takes only that material again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// `KEY_MATERIAL_EXPIRES` or `KEY_MATERIAL_DOES_NOT_EXPIRE`, once material was imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_model: Option<String>,
    /// When the material in the key expires (KEY_MATERIAL_EXPIRES).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<Millis>,
    /// The latest GetParametersForImport: its wrapping key and token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<ImportParams>,
}

/// A wrapping key pair and import token from GetParametersForImport. The private key is
/// sealed under a throwaway key wrapped by the world's root key (never plaintext).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportParams {
    pub token_id: String,
    pub algorithm: String,
    pub valid_to: Millis,
    /// The throwaway key, wrapped under the root key.
    pub wrapped_kek: String,
    /// The wrapping private key (PKCS#8 DER) sealed under the throwaway key, base64.
    pub sealed_private: String,
}

impl KmsKey {
    /// `AWS_KMS` or `EXTERNAL`.
    pub fn origin(&self) -> &'static str {
        if self.import.is_some() {
            "EXTERNAL"
        } else {
            "AWS_KMS"
        }
    }

    /// When imported material in the key expires, if it does and the key has it.
    pub fn material_expires(&self) -> Option<Millis> {
        match self.state {
            KeyState::Enabled | KeyState::Disabled if !self.materials.is_empty() => {
                self.import.as_ref().and_then(|i| i.valid_to)
            }
            _ => None,
        }
    }
}

/// A grant on a KMS key: operations its grantee may perform, under optional encryption
/// context constraints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KmsGrant {
    pub grant_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub grantee: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retiring: Option<String>,
    /// Grant operation names as the API spells them (`Decrypt`, `GenerateDataKey`).
    pub operations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_equals: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_subset: Option<BTreeMap<String, String>>,
    /// The SourceArn constraint (grants for a service principal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_arn: Option<String>,
    /// The account root ARN the grant was issued under.
    pub issuing_account: String,
    pub created: Millis,
}

impl KmsKey {
    pub fn current_version(&self) -> u32 {
        self.materials.last().map_or(0, |m| m.version)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationSchedule {
    pub period_days: u32,
    pub next: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationRecord {
    pub date: Millis,
    /// `AUTOMATIC` or `ON_DEMAND`.
    pub kind: String,
    pub version: u32,
}

/// Key material as stored: never plaintext.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedMaterial {
    pub version: u32,
    pub created: Millis,
    pub wrapped: String,
}

impl std::fmt::Debug for WrappedMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WrappedMaterial(v{})", self.version)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KmsAlias {
    pub name: String,
    pub arn: String,
    pub target_key_id: String,
    pub created: Millis,
    /// When UpdateAlias last pointed it elsewhere (None: never, or a world older than this).
    #[serde(default)]
    pub updated: Option<Millis>,
}
