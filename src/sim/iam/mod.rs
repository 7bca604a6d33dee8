//! IAM and STS: users, groups, roles and role sessions; inline policies, customer managed
//! policies (with versions), attachments of customer and AWS managed policies; access keys.
//!
//! This file holds what the operations share: the operation record, IAM's name, path and
//! policy-size rules, and finding a user. The operations live beside it by concern: `users`
//! (users and their inline policies), `policies` (managed policies, versions, user
//! attachments), `groups` and `roles` (with `entity_policies`, their inline policies and
//! attachments), `sts` (AssumeRole, GetCallerIdentity, session credentials), `principals`
//! (principals named in resource policies), `access_keys`, `login_profiles`; their errors are
//! [`IamError`].

mod access_keys;
mod entity_policies;
mod error;
mod groups;
mod login_profiles;
mod policies;
mod principals;
mod roles;
mod sts;
mod users;

pub use access_keys::AccessKeyInfo;
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

impl Cloud {
    fn user_arn(&self, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:user{path}{name}", self.world.account_id)
    }

    pub(crate) fn new_user(&mut self, name: &str, path: &str) -> IamUser {
        IamUser {
            name: name.to_string(),
            path: path.to_string(),
            arn: self.user_arn(path, name),
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

    pub(crate) fn user_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        name: &str,
        action: &str,
    ) -> Result<(), SimError> {
        self.user_prelude_with(ctx, t, name, action, &[])
    }

    /// The same, with the operation's own condition keys (`iam:PolicyARN`).
    fn user_prelude_with(
        &mut self,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        name: &str,
        action: &str,
        conds: &[(String, String)],
    ) -> Result<(), SimError> {
        let arn = self
            .world
            .iam
            .users
            .get(name)
            .map_or_else(|| self.user_arn("/", name), |u| u.arn.clone());
        t.resources.push(("AWS::IAM::User".into(), arn.clone()));
        let access = Access {
            conditions: conds.to_vec(),
            ..Access::iam_only(action, &arn)
        };
        self.authorize(ctx, &access)?;
        if !self.world.iam.users.contains_key(name) {
            return Err(IamError::NoSuchUser {
                name: name.to_string(),
            }
            .into());
        }
        Ok(())
    }
}
#[cfg(test)]
mod tests;
