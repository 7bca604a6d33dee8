//! Accounts of a world besides the default one: creating one with the role its learners reach
//! it through, and finding which account a caller's credentials belong to.
//!
//! A new account holds one role, `OrganizationAccountAccessRole`, trusting the default
//! account's root (so the default account's administrators may assume it) with
//! AdministratorAccess: the role AWS Organizations creates in every account it creates.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::sim::world::{EntityRef, IamRole, World};
use crate::sim::{CallContext, Cloud, SimError};

/// The role every created account holds, as AWS Organizations names it.
pub const BOOTSTRAP_ROLE: &str = "OrganizationAccountAccessRole";

/// Whether `id` is an AWS account id (twelve digits).
pub fn valid_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

impl Cloud {
    /// Adds account `id` with its bootstrap role; false when the world has it already.
    pub fn create_account(&mut self, id: &str) -> Result<bool, SimError> {
        if !valid_account_id(id) {
            return Err(SimError::param(format!(
                "{id:?} is not an AWS account id (twelve digits)"
            )));
        }
        if !self.world.add_account(id) {
            return Ok(false);
        }
        let home = self.world.account_id.clone();
        let trust = json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{home}:root")},
                "Action": "sts:AssumeRole"
            }]
        });
        let role = IamRole {
            name: BOOTSTRAP_ROLE.into(),
            path: "/".into(),
            arn: format!("arn:aws:iam::{id}:role/{BOOTSTRAP_ROLE}"),
            role_id: self.world.ids.iam_id("AROA"),
            created: self.world.now,
            assume_role_policy: trust.to_string(),
            description: "Lets the default account's administrators into this account".into(),
            max_session_duration: 3600,
            inline_policies: BTreeMap::new(),
            attached_policies: BTreeSet::from([
                "arn:aws:iam::aws:policy/AdministratorAccess".to_string()
            ]),
            tags: BTreeMap::new(),
        };
        if let Some(iam) = self.world.iam_of_mut(id) {
            iam.roles.insert(BOOTSTRAP_ROLE.into(), role);
        }
        self.touch_in(id, EntityRef::Role(BOOTSTRAP_ROLE.into()));
        Ok(true)
    }

    /// The caller `--account` and `--as` name (test actions' `account` and `as`): in the
    /// default account (or none given) as [`Cloud::caller_named`]; in another account, its
    /// user, its root (`root`), a session of its role `role/NAME` that lab-admin assumes, or,
    /// with no name, a session of its [`BOOTSTRAP_ROLE`], each a real sts:AssumeRole.
    pub fn caller_in(
        &mut self,
        account: Option<&str>,
        name: Option<&str>,
    ) -> Result<CallContext, SimError> {
        let home = self.world.account_id.clone();
        let Some(acct) = account.filter(|a| *a != home) else {
            return match name {
                Some(n) => self.caller_named(n),
                None => Ok(CallContext::lab_admin()),
            };
        };
        let Some(iam) = self.world.iam_of(acct) else {
            return Err(SimError::param(format!(
                "This world has no account {acct} (its accounts: {}).",
                self.world.account_ids().join(", ")
            )));
        };
        let role = match name {
            None => BOOTSTRAP_ROLE,
            Some(super::sts::ROOT_CALLER) => return Ok(CallContext::root().in_account(acct)),
            Some(n) => match n.strip_prefix("role/") {
                Some(r) => r,
                None => return Ok(CallContext::user(n).in_account(acct)),
            },
        };
        let arn = iam.roles.get(role).map_or_else(
            || format!("arn:aws:iam::{acct}:role/{role}"),
            |r| r.arn.clone(),
        );
        self.assume_role_arn_as_lab_admin(&arn)
    }
}

impl World {
    /// The account holding a role session's credentials (`ASIA...`), if any does.
    pub fn session_account(&self, access_key_id: &str) -> Option<String> {
        self.account_ids().into_iter().find(|a| {
            self.iam_of(a)
                .is_some_and(|iam| iam.sessions.contains_key(access_key_id))
        })
    }

    /// The account and user owning a long-term access key (`AKIA...`), if any.
    pub fn access_key_owner(&self, access_key_id: &str) -> Option<(String, String)> {
        self.account_ids().into_iter().find_map(|a| {
            let iam = self.iam_of(&a)?;
            iam.users
                .values()
                .find(|u| u.access_keys.iter().any(|k| k.id == access_key_id))
                .map(|u| (a.clone(), u.name.clone()))
        })
    }
}
