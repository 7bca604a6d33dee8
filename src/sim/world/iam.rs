//! IAM's and STS's part of the world: users, roles, groups, sessions, access keys, policies.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::sim::clock::Millis;

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
    /// The account root user's console sign-in (its email address and password), once
    /// `keyform console` has given it one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_login: Option<RootLogin>,
}

/// The root user's console credentials: the account's email address and an Argon2id hash of
/// the password (never the password).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RootLogin {
    pub email: String,
    pub password_hash: String,
    pub created: Millis,
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
