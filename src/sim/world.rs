//! What the simulated cloud holds: keys, aliases, buckets, objects, users, policies, trails,
//! CloudTrail events, the clock. Plain data (serde); behaviour lives in the service modules.
//!
//! Changes are tracked per entity ([`EntityRef`]) so a command can journal exactly what it
//! changed ([`WorldOp`]) instead of rewriting the whole world.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::sim::clock::Millis;
use crate::sim::ids::IdGen;

/// Version of the world file format; newer files are refused, older ones migrated. Format 2
/// files carry a checksum of their content (format 1 files, without one, are still read).
pub const WORLD_FORMAT_VERSION: u32 = 3;

/// The whole simulated account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct World {
    pub account_id: String,
    pub region: String,
    pub now: Millis,
    /// Every advance of the clock made so far (`sim clock advance`, a control endpoint, a
    /// test's `clock:Advance`): a served world runs at the wall clock plus this.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clock_offset: Millis,
    /// Orders events that happen at the same instant.
    pub seq: u64,
    pub ids: IdGen,
    pub kms: KmsState,
    pub s3: S3State,
    pub iam: IamState,
    pub cloudtrail: TrailState,
}

impl World {
    pub fn new(account_id: &str, region: &str, now: Millis, ids: IdGen) -> World {
        World {
            account_id: account_id.to_string(),
            region: region.to_string(),
            now,
            clock_offset: 0,
            seq: 0,
            ids,
            kms: KmsState::default(),
            s3: S3State::default(),
            iam: IamState::default(),
            cloudtrail: TrailState::default(),
        }
    }

    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id)
    }
}

// ---------------------------------------------------------------- KMS

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

// ---------------------------------------------------------------- S3

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
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Bucket {
    pub name: String,
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

// ---------------------------------------------------------------- IAM

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamState {
    pub users: BTreeMap<String, IamUser>,
    /// Customer managed policies by ARN.
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// Roles by name.
    #[serde(default)]
    pub roles: BTreeMap<String, IamRole>,
    /// Groups by name.
    #[serde(default)]
    pub groups: BTreeMap<String, IamGroup>,
    /// Role sessions (STS temporary credentials) by access key id (`ASIA...`).
    #[serde(default)]
    pub sessions: BTreeMap<String, RoleSession>,
}

impl IamState {
    /// Every attachment of a managed policy: to users, groups and roles.
    fn attachments(&self) -> impl Iterator<Item = &String> {
        self.users
            .values()
            .flat_map(|u| &u.attached_policies)
            .chain(self.groups.values().flat_map(|g| &g.attached_policies))
            .chain(self.roles.values().flat_map(|r| &r.attached_policies))
    }

    /// How many users, groups and roles a managed policy (by ARN) is attached to.
    pub fn attachment_count(&self, arn: &str) -> usize {
        self.attachments().filter(|a| *a == arn).count()
    }

    /// How many entities each attached managed policy is attached to, in one pass.
    pub fn attachment_counts(&self) -> std::collections::HashMap<String, usize> {
        let mut counts = std::collections::HashMap::new();
        for arn in self.attachments() {
            *counts.entry(arn.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// The groups a user belongs to, by name.
    pub fn groups_of<'a>(&'a self, user: &'a str) -> impl Iterator<Item = &'a IamGroup> + 'a {
        self.groups
            .values()
            .filter(move |g| g.members.contains(user))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IamUser {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub user_id: String,
    pub created: Millis,
    pub inline_policies: BTreeMap<String, String>,
    pub attached_policies: BTreeSet<String>,
    pub access_keys: Vec<AccessKey>,
    pub permissions_boundary: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// The console password (CreateLoginProfile), as a hash only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_profile: Option<LoginProfile>,
}

/// A user's console password: its Argon2id hash (PHC string, random salt), never the password.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    pub password_hash: String,
    pub created: Millis,
    pub password_reset_required: bool,
}

/// An IAM role: who may assume it (the trust policy) and what its sessions may do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IamRole {
    pub name: String,
    pub path: String,
    pub arn: String,
    /// `AROA...`.
    pub role_id: String,
    pub created: Millis,
    /// The trust policy (AssumeRolePolicyDocument), as given.
    pub assume_role_policy: String,
    pub description: String,
    /// Longest session, in seconds (3600 to 43200).
    pub max_session_duration: i64,
    pub inline_policies: BTreeMap<String, String>,
    pub attached_policies: BTreeSet<String>,
    pub tags: BTreeMap<String, String>,
}

/// An IAM group: users whose identity policies include the group's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IamGroup {
    pub name: String,
    pub path: String,
    pub arn: String,
    /// `AGPA...`.
    pub group_id: String,
    pub created: Millis,
    /// Member user names.
    pub members: BTreeSet<String>,
    pub inline_policies: BTreeMap<String, String>,
    pub attached_policies: BTreeSet<String>,
}

/// A role session: the temporary credentials STS AssumeRole handed out.
#[derive(Clone, Serialize, Deserialize)]
pub struct RoleSession {
    /// `ASIA...`.
    pub access_key_id: String,
    /// Wrapped under the root key, like an access key's secret.
    pub wrapped_secret: String,
    /// SHA-256 (hex) of the session token: the token itself is never stored.
    pub token_sha256: String,
    pub role_name: String,
    pub role_id: String,
    pub role_arn: String,
    pub session_name: String,
    pub created: Millis,
    pub expires: Millis,
    /// The inline session policy, if the caller passed one.
    pub policy: Option<String>,
    /// Managed session policies (PolicyArns), if any.
    pub policy_arns: Vec<String>,
    /// The ARN of whoever assumed the role.
    pub source_arn: String,
    /// Session tags (`aws:PrincipalTag/KEY`, over the role's tags of the same key).
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The session tags that pass on when this session assumes another role.
    #[serde(default)]
    pub transitive_tag_keys: BTreeSet<String>,
}

impl RoleSession {
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub fn arn(&self, account: &str) -> String {
        format!(
            "arn:aws:sts::{account}:assumed-role/{}/{}",
            self.role_name, self.session_name
        )
    }

    /// `AROA...:SESSION`, the session's `aws:userid`.
    pub fn user_id(&self) -> String {
        format!("{}:{}", self.role_id, self.session_name)
    }
}

impl std::fmt::Debug for RoleSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RoleSession({}, {})",
            self.access_key_id, self.session_name
        )
    }
}

#[derive(Clone, Serialize, Deserialize)]
pub struct AccessKey {
    pub id: String,
    /// Wrapped under the root key; shown only at creation.
    pub wrapped_secret: String,
    pub status: String,
    pub created: Millis,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessKey({})", self.id)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub policy_id: String,
    pub description: String,
    pub created: Millis,
    /// When the default version last changed (None: never, or a world older than this).
    #[serde(default)]
    pub updated: Option<Millis>,
    pub versions: Vec<PolicyVersion>,
    pub tags: BTreeMap<String, String>,
}

impl ManagedPolicy {
    pub fn default_version(&self) -> Option<&PolicyVersion> {
        self.versions.iter().find(|v| v.is_default)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: String,
    pub is_default: bool,
    pub created: Millis,
}

// ---------------------------------------------------------------- CloudTrail

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TrailState {
    pub trails: BTreeMap<String, Trail>,
    pub events: Vec<TrailEvent>,
}

/// One recorded CloudTrail event, kept as its compact JSON text: a world holds thousands and
/// most are never read again, so keeping them as text (one allocation each, copied verbatim
/// into snapshots) rather than as JSON trees saves most of a large world's memory and load time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrailEvent(Box<serde_json::value::RawValue>);

impl TrailEvent {
    pub fn new(event: &serde_json::Value) -> TrailEvent {
        match serde_json::value::to_raw_value(event) {
            Ok(raw) => TrailEvent(raw),
            // A JSON value always encodes; the fallback only keeps this free of panics.
            Err(_) => TrailEvent(serde_json::value::RawValue::NULL.to_owned()),
        }
    }

    /// The event as a JSON value.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub s3_bucket_name: String,
    pub s3_key_prefix: Option<String>,
    pub is_logging: bool,
    pub include_global_service_events: bool,
    pub is_multi_region: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub event_selectors: Vec<EventSelector>,
    pub created: Millis,
    /// Events with index below this were already delivered (or predate logging).
    pub delivered_upto: usize,
    pub tags: BTreeMap<String, String>,
    /// PutEventSelectors' AdvancedEventSelectors (when set, `event_selectors` is empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
    /// When logging last started and stopped (GetTrailStatus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_started: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging_stopped: Option<Millis>,
    /// When the last log file and the last digest file were delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_delivery: Option<Millis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_digest_delivery: Option<Millis>,
    /// RecursiveLogging as last set (AWS's default is true); keyform never delivers the
    /// events of its own deliveries either way (README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_logging: Option<bool>,
}

/// One advanced event selector: an event is selected when every field selector matches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

/// One condition of an advanced event selector, on one field (`eventCategory`, `readOnly`,
/// `eventSource`, `eventName`, `resources.type`, `resources.ARN`); each operator's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdvancedFieldSelector {
    pub field: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSelector {
    pub read_write_type: String,
    pub include_management_events: bool,
    pub exclude_management_event_sources: Vec<String>,
    pub data_resources: Vec<DataResource>,
}

impl Default for EventSelector {
    fn default() -> Self {
        EventSelector {
            read_write_type: "All".into(),
            include_management_events: true,
            exclude_management_event_sources: Vec::new(),
            data_resources: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataResource {
    pub kind: String,
    pub values: Vec<String>,
}

// ---------------------------------------------------------------- change tracking

/// One entity of the world, for journaling.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "t", content = "k")]
pub enum EntityRef {
    KmsKey(String),
    KmsAlias(String),
    Bucket(String),
    Object(String, String),
    User(String),
    Policy(String),
    Trail(String),
    Upload(String),
    Role(String),
    Group(String),
    Session(String),
    /// A key's noncurrent versions and delete markers.
    Versions(String, String),
}

/// A journaled change: an entity's new value (None = deleted), or appended events.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorldDelta {
    pub now: Millis,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clock_offset: Millis,
    pub seq: u64,
    pub ids: IdGen,
    pub upserts: Vec<(EntityRef, Option<serde_json::Value>)>,
    /// Events appended since the last delta, starting at index `events_from`.
    pub events_from: usize,
    pub events: Vec<TrailEvent>,
}

impl World {
    /// Serializes the current value of each touched entity.
    pub fn delta(&self, touched: &BTreeSet<EntityRef>, events_from: usize) -> WorldDelta {
        let upserts = touched
            .iter()
            .map(|r| {
                let v = match r {
                    EntityRef::KmsKey(id) => self.kms.keys.get(id).map(to_json),
                    EntityRef::KmsAlias(n) => self.kms.aliases.get(n).map(to_json),
                    EntityRef::Bucket(n) => self.s3.buckets.get(n).map(to_json),
                    EntityRef::Object(b, k) => {
                        self.s3.objects.get(b).and_then(|m| m.get(k)).map(to_json)
                    }
                    EntityRef::User(n) => self.iam.users.get(n).map(to_json),
                    EntityRef::Policy(a) => self.iam.policies.get(a).map(to_json),
                    EntityRef::Trail(n) => self.cloudtrail.trails.get(n).map(to_json),
                    EntityRef::Upload(id) => self.s3.uploads.get(id).map(to_json),
                    EntityRef::Role(n) => self.iam.roles.get(n).map(to_json),
                    EntityRef::Group(n) => self.iam.groups.get(n).map(to_json),
                    EntityRef::Session(id) => self.iam.sessions.get(id).map(to_json),
                    EntityRef::Versions(b, k) => {
                        self.s3.versions.get(b).and_then(|m| m.get(k)).map(to_json)
                    }
                };
                (r.clone(), v)
            })
            .collect();
        let from = events_from.min(self.cloudtrail.events.len());
        WorldDelta {
            now: self.now,
            clock_offset: self.clock_offset,
            seq: self.seq,
            ids: self.ids.clone(),
            upserts,
            events_from: from,
            events: self.cloudtrail.events[from..].to_vec(),
        }
    }

    /// Applies a journaled delta; idempotent, so replaying a record twice is harmless.
    pub fn apply_delta(&mut self, d: &WorldDelta) -> Result<(), serde_json::Error> {
        self.now = d.now;
        self.clock_offset = d.clock_offset;
        self.seq = d.seq;
        self.ids = d.ids.clone();
        for (r, v) in &d.upserts {
            match r {
                EntityRef::KmsKey(id) => put(&mut self.kms.keys, id, v)?,
                EntityRef::KmsAlias(n) => put(&mut self.kms.aliases, n, v)?,
                EntityRef::Bucket(n) => put(&mut self.s3.buckets, n, v)?,
                EntityRef::Object(b, k) => {
                    let m = self.s3.objects.entry(b.clone()).or_default();
                    put(m, k, v)?;
                    if m.is_empty() {
                        self.s3.objects.remove(b);
                    }
                }
                EntityRef::User(n) => put(&mut self.iam.users, n, v)?,
                EntityRef::Policy(a) => put(&mut self.iam.policies, a, v)?,
                EntityRef::Trail(n) => put(&mut self.cloudtrail.trails, n, v)?,
                EntityRef::Upload(id) => put(&mut self.s3.uploads, id, v)?,
                EntityRef::Role(n) => put(&mut self.iam.roles, n, v)?,
                EntityRef::Group(n) => put(&mut self.iam.groups, n, v)?,
                EntityRef::Session(id) => put(&mut self.iam.sessions, id, v)?,
                EntityRef::Versions(b, k) => {
                    let m = self.s3.versions.entry(b.clone()).or_default();
                    put(m, k, v)?;
                    if m.is_empty() {
                        self.s3.versions.remove(b);
                    }
                }
            }
        }
        let events = &mut self.cloudtrail.events;
        events.truncate(d.events_from.min(events.len()));
        if events.len() == d.events_from {
            events.extend(d.events.iter().cloned());
        }
        Ok(())
    }
}

fn is_zero(v: &Millis) -> bool {
    *v == 0
}

fn to_json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn put<T: serde::de::DeserializeOwned>(
    map: &mut BTreeMap<String, T>,
    key: &str,
    v: &Option<serde_json::Value>,
) -> Result<(), serde_json::Error> {
    match v {
        Some(j) => {
            map.insert(key.to_string(), T::deserialize(j)?);
        }
        None => {
            map.remove(key);
        }
    }
    Ok(())
}
