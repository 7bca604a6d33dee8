//! IAM users and their inline policies: Create/Get/List/Update/DeleteUser and
//! Put/Get/List/DeleteUserPolicy (with IAM's aggregate size quota for a user's inline policies).
//!
//! Managed policies and attachments are in `policies`, access keys in `access_keys`.

use serde_json::{Value as Json, json};

use super::{
    Entity, IamError, USER_INLINE_POLICIES_MAX_CHARS, check_identity_policy, check_name,
    check_path, iam_op, policy_chars,
};
use crate::sim::authz::Access;
use crate::sim::world::EntityRef;
use crate::sim::{CallContext, Cloud, Principal, SimError, opt_str, req_str};

impl Cloud {
    pub fn iam_create_user(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "UserName")?.to_string();
        let path = opt_str(p, "Path")?.unwrap_or("/").to_string();
        self.run(ctx, iam_op("CreateUser", p, false), |c, t| {
            let arn = c.entity_arn(Entity::User, &path, &name);
            t.resources.push(("AWS::IAM::User".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("iam:CreateUser", &arn))?;
            check_name("userName", &name, 64)?;
            check_path(&path)?;
            if c.world
                .iam
                .users
                .keys()
                .any(|n| n.eq_ignore_ascii_case(&name))
            {
                return Err(IamError::UserExists { name: name.clone() }.into());
            }
            let u = c.new_user(&name, &path);
            let out = json!({"User": Cloud::user_json(&u)});
            c.world.iam.users.insert(name.clone(), u);
            c.touch(EntityRef::User(name));
            Ok(out)
        })
    }

    pub fn iam_get_user(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        self.run(ctx, iam_op("GetUser", p, true), |c, t| {
            let name = match (given, &ctx.principal) {
                (Some(n), _) => n,
                (None, Principal::User(n)) => n.clone(),
                (None, _) => {
                    return Err(IamError::UserNameRequired.into());
                }
            };
            c.entity_prelude(Entity::User, ctx, t, &name, "iam:GetUser", &[])?;
            let u = c
                .world
                .iam
                .users
                .get(&name)
                .ok_or_else(|| IamError::NoSuchUser {
                    name: name.to_string(),
                })?;
            Ok(json!({"User": Cloud::user_json(u)}))
        })
    }

    pub fn iam_list_users(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.run(ctx, iam_op("ListUsers", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("iam:ListUsers", "*"))?;
            let users: Vec<Json> = c.world.iam.users.values().map(Cloud::user_json).collect();
            Ok(json!({"Users": users, "IsTruncated": false}))
        })
    }

    pub fn iam_update_user(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "UserName")?.to_string();
        let new_name = opt_str(p, "NewUserName")?.map(str::to_string);
        let new_path = opt_str(p, "NewPath")?.map(str::to_string);
        self.run(ctx, iam_op("UpdateUser", p, false), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &name, "iam:UpdateUser", &[])?;
            if let Some(n) = &new_name {
                check_name("newUserName", n, 64)?;
                if n != &name && c.world.iam.users.contains_key(n) {
                    return Err(IamError::UserExists { name: n.clone() }.into());
                }
            }
            if let Some(pth) = &new_path {
                check_path(pth)?;
            }
            let Some(mut u) = c.world.iam.users.remove(&name) else {
                return Err(IamError::NoSuchUser {
                    name: name.to_string(),
                }
                .into());
            };
            c.touch(EntityRef::User(name.clone()));
            if let Some(n) = new_name {
                u.name = n;
            }
            if let Some(pth) = new_path {
                u.path = pth;
            }
            u.arn = c.entity_arn(Entity::User, &u.path, &u.name);
            let key = u.name.clone();
            if key != name {
                let groups: Vec<String> = c
                    .world
                    .iam
                    .groups_of(&name)
                    .map(|g| g.name.clone())
                    .collect();
                for g in groups {
                    if let Some(g) = c.world.iam.groups.get_mut(&g) {
                        g.members.remove(&name);
                        g.members.insert(key.clone());
                    }
                    c.touch(EntityRef::Group(g));
                }
            }
            c.world.iam.users.insert(key.clone(), u);
            c.touch(EntityRef::User(key));
            Ok(json!({}))
        })
    }

    pub fn iam_delete_user(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "UserName")?.to_string();
        self.run(ctx, iam_op("DeleteUser", p, false), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &name, "iam:DeleteUser", &[])?;
            let u = c
                .world
                .iam
                .users
                .get(&name)
                .ok_or_else(|| IamError::NoSuchUser {
                    name: name.to_string(),
                })?;
            if !u.inline_policies.is_empty() || !u.attached_policies.is_empty() {
                return Err(IamError::UserHasPolicies.into());
            }
            if !u.access_keys.is_empty() {
                return Err(IamError::UserHasAccessKeys.into());
            }
            if u.login_profile.is_some() {
                return Err(super::LoginProfileError::UserHasLoginProfile.into());
            }
            if c.world.iam.groups_of(&name).next().is_some() {
                return Err(IamError::UserInGroups.into());
            }
            let (arn, id) = (u.arn.clone(), u.user_id.clone());
            c.world.iam.users.remove(&name);
            c.touch(EntityRef::User(name));
            // Policies that named the user now name its unique id, as AWS shows them.
            c.principal_deleted(&arn, &id);
            Ok(json!({}))
        })
    }

    pub fn iam_put_user_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        let doc = req_str(p, "PolicyDocument")?.to_string();
        self.run(ctx, iam_op("PutUserPolicy", p, false), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:PutUserPolicy", &[])?;
            check_name("policyName", &pname, 128)?;
            // The quota is on all of a user's inline policies together.
            let others: usize = c.world.iam.users.get(&user).map_or(0, |u| {
                u.inline_policies
                    .iter()
                    .filter(|(n, _)| **n != pname)
                    .map(|(_, d)| policy_chars(d))
                    .sum()
            });
            if others + policy_chars(&doc) > USER_INLINE_POLICIES_MAX_CHARS {
                return Err(IamError::InlinePoliciesTooLarge { user: user.clone() }.into());
            }
            check_identity_policy(&doc)?;
            if let Some(u) = c.world.iam.users.get_mut(&user) {
                u.inline_policies.insert(pname, doc);
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    pub fn iam_get_user_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        self.run(ctx, iam_op("GetUserPolicy", p, true), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:GetUserPolicy", &[])?;
            let doc = c
                .world
                .iam
                .users
                .get(&user)
                .and_then(|u| u.inline_policies.get(&pname))
                .cloned()
                .ok_or_else(|| IamError::NoSuchUserPolicy {
                    name: pname.clone(),
                })?;
            Ok(json!({"UserName": user, "PolicyName": pname, "PolicyDocument": doc}))
        })
    }

    pub fn iam_list_user_policies(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        self.run(ctx, iam_op("ListUserPolicies", p, true), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:ListUserPolicies", &[])?;
            let names: Vec<&String> = c
                .world
                .iam
                .users
                .get(&user)
                .map(|u| u.inline_policies.keys().collect())
                .unwrap_or_default();
            Ok(json!({"PolicyNames": names, "IsTruncated": false}))
        })
    }

    pub fn iam_delete_user_policy(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        self.run(ctx, iam_op("DeleteUserPolicy", p, false), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:DeleteUserPolicy", &[])?;
            let removed = c
                .world
                .iam
                .users
                .get_mut(&user)
                .and_then(|u| u.inline_policies.remove(&pname));
            if removed.is_none() {
                return Err(IamError::NoSuchUserPolicy {
                    name: pname.clone(),
                }
                .into());
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }
}
