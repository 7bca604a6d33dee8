//! IAM and STS: users, groups, roles and role sessions; inline policies, customer managed
//! policies (with versions), attachments of customer and AWS managed policies; access keys.
//!
//! This file holds what the operations share: the operation record, IAM's name, path and
//! policy-size rules, and finding a user. The operations live beside it by concern: `users`
//! (users and their inline policies), `policies` (managed policies, versions, user
//! attachments), `groups` and `roles` (with `entity_policies`, their inline policies and
//! attachments), `policy_lookups` (ListPolicies, ListEntitiesForPolicy), `sts` (AssumeRole,
//! GetCallerIdentity, session credentials) with `session_tags`, `principals`
//! (principals named in resource policies), `access_keys`, `login_profiles`; their errors are
//! [`IamError`].

mod access_keys;
mod accounts;
mod entity_policies;
mod error;
mod groups;
mod login_profiles;
mod policies;
mod policy_lookups;
mod principals;
mod roles;
mod root_login;
mod session_tags;
mod sts;
mod users;

pub use access_keys::AccessKeyInfo;
pub use accounts::{BOOTSTRAP_ROLE, valid_account_id};
pub use error::{IamError, TokenService};
pub use login_profiles::{
    LoginProfileError, PASSWORD_SYMBOLS, SignInError, generate_password, password_meets_policy,
};
pub use sts::{ROOT_CALLER, SessionKeyInfo};

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::policy::{self, PolicyDocument};
use crate::sim::world::IamUser;
use crate::sim::{CallContext, Cloud, Op, SimError};

/// Managed policies a user may have attached (IAM quota).
pub const MAX_ATTACHED_PER_USER: usize = 10;
/// Versions a managed policy may keep.
pub const MAX_POLICY_VERSIONS: usize = 5;

fn iam_op(name: &'static str, params: &Json, read_only: bool) -> Op {
    let mut p = params.clone();
    if let Json::Object(m) = &mut p {
        let lowered: Vec<(String, Json)> = m
            .iter()
            .map(|(k, v)| {
                let mut c = k.chars();
                (
                    c.next()
                        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
                        .unwrap_or_default(),
                    v.clone(),
                )
            })
            .collect();
        *m = lowered.into_iter().collect();
    }
    Op {
        service: "iam",
        name,
        params: p,
        read_only,
        data_event: false,
    }
}

fn check_name(kind: &'static str, name: &str, max: usize) -> Result<(), SimError> {
    if name.is_empty()
        || name.len() > max
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(IamError::InvalidName { member: kind, max }.into());
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), SimError> {
    if !(path.starts_with('/') && path.ends_with('/')) || path.len() > 512 {
        return Err(IamError::InvalidPath { path: path.into() }.into());
    }
    Ok(())
}

/// IAM's size quotas, counted as AWS counts them: characters other than whitespace.
const MANAGED_POLICY_MAX_CHARS: usize = 6144;
const USER_INLINE_POLICIES_MAX_CHARS: usize = 2048;

fn policy_chars(doc: &str) -> usize {
    doc.chars().filter(|c| !c.is_whitespace()).count()
}

fn check_managed_policy_size(doc: &str) -> Result<(), SimError> {
    if policy_chars(doc) > MANAGED_POLICY_MAX_CHARS {
        return Err(IamError::PolicyTooLarge.into());
    }
    Ok(())
}

fn check_identity_policy(doc: &str) -> Result<(), IamError> {
    let d = PolicyDocument::parse(doc).map_err(IamError::MalformedPolicy)?;
    d.validate_for(policy::PolicyKind::Identity)
        .map_err(IamError::MalformedPolicy)
}

/// The kinds of IAM identity an operation names by `UserName`, `RoleName` or `GroupName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    User,
    Role,
    Group,
}

impl Entity {
    /// The ARN's resource-type segment (`arn:aws:iam::ACCOUNT:user/...`).
    fn arn_kind(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Role => "role",
            Entity::Group => "group",
        }
    }

    /// CloudTrail's resource type.
    fn resource_type(self) -> &'static str {
        match self {
            Entity::User => "AWS::IAM::User",
            Entity::Role => "AWS::IAM::Role",
            Entity::Group => "AWS::IAM::Group",
        }
    }

    fn no_such(self, name: &str) -> IamError {
        let name = name.to_string();
        match self {
            Entity::User => IamError::NoSuchUser { name },
            Entity::Role => IamError::NoSuchRole { name },
            Entity::Group => IamError::NoSuchGroup { name },
        }
    }
}

impl Cloud {
    /// The ARN an identity of this kind has, or would have, under `path`.
    pub(crate) fn entity_arn(&self, e: Entity, path: &str, name: &str) -> String {
        format!(
            "arn:aws:iam::{}:{}{path}{name}",
            self.world.account_id,
            e.arn_kind()
        )
    }

    /// The ARN of an existing identity, or the one it would have at path `/`.
    fn existing_arn(&self, e: Entity, name: &str) -> Option<String> {
        let iam = &self.world.iam;
        match e {
            Entity::User => iam.users.get(name).map(|u| u.arn.clone()),
            Entity::Role => iam.roles.get(name).map(|r| r.arn.clone()),
            Entity::Group => iam.groups.get(name).map(|g| g.arn.clone()),
        }
    }

    pub(crate) fn new_user(&mut self, name: &str, path: &str) -> IamUser {
        IamUser {
            name: name.to_string(),
            path: path.to_string(),
            arn: self.entity_arn(Entity::User, path, name),
            user_id: self.world.ids.iam_id("AIDA"),
            created: self.world.now,
            inline_policies: BTreeMap::new(),
            attached_policies: BTreeSet::new(),
            access_keys: Vec::new(),
            permissions_boundary: None,
            tags: BTreeMap::new(),
            login_profile: None,
        }
    }

    pub(crate) fn user_json(u: &IamUser) -> Json {
        json!({"Path": u.path, "UserName": u.name, "UserId": u.user_id, "Arn": u.arn, "CreateDate": iso8601(u.created)})
    }

    /// What every operation on a named user, role or group does first: authorize `action`
    /// (with the operation's own condition keys, such as `iam:PolicyARN`) on the identity's
    /// ARN, then make sure it exists — in that order, as IAM answers AccessDenied before
    /// NoSuchEntity.
    pub(crate) fn entity_prelude(
        &mut self,
        e: Entity,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        name: &str,
        action: &str,
        conds: &[(String, String)],
    ) -> Result<(), SimError> {
        let existing = self.existing_arn(e, name);
        let exists = existing.is_some();
        let arn = existing.unwrap_or_else(|| self.entity_arn(e, "/", name));
        t.resources.push((e.resource_type().into(), arn.clone()));
        let access = Access {
            conditions: conds.to_vec(),
            ..Access::iam_only(action, &arn)
        };
        self.authorize(ctx, &access)?;
        if !exists {
            return Err(e.no_such(name).into());
        }
        Ok(())
    }
}
#[cfg(test)]
mod tests;
