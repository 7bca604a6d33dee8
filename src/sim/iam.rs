//! IAM: users, inline policies, customer managed policies (with versions), attachments of
//! customer and AWS managed policies, and access keys.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::policy::{self, PolicyDocument};
use crate::sim::world::{AccessKey, EntityRef, IamUser, ManagedPolicy, PolicyVersion};
use crate::sim::{CallContext, Cloud, Op, Principal, SimError, opt_bool, opt_str, req_str};

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

fn no_such_user(name: &str) -> SimError {
    SimError::service(
        "NoSuchEntity",
        404,
        format!("The user with name {name} cannot be found."),
    )
}

fn no_such_policy(arn: &str) -> SimError {
    SimError::service(
        "NoSuchEntity",
        404,
        format!("Policy {arn} does not exist or is not attachable."),
    )
}

fn malformed(e: impl std::fmt::Display) -> SimError {
    SimError::service("MalformedPolicyDocument", 400, e.to_string())
}

fn check_name(kind: &str, name: &str, max: usize) -> Result<(), SimError> {
    if name.is_empty()
        || name.len() > max
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(SimError::service(
            "ValidationError",
            400,
            format!(
                "The specified value for {kind} is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_- and be 1 to {max} characters long."
            ),
        ));
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), SimError> {
    if !(path.starts_with('/') && path.ends_with('/')) || path.len() > 512 {
        return Err(SimError::service(
            "ValidationError",
            400,
            format!(
                "The specified value for path is invalid: {path}. It must begin and end with / and be at most 512 characters."
            ),
        ));
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
        return Err(SimError::service(
            "LimitExceeded",
            409,
            format!("Cannot exceed quota for PolicySize: {MANAGED_POLICY_MAX_CHARS}"),
        ));
    }
    Ok(())
}

fn check_identity_policy(doc: &str) -> Result<(), SimError> {
    let d = PolicyDocument::parse(doc).map_err(malformed)?;
    d.validate_for(policy::PolicyKind::Identity)
        .map_err(malformed)
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
        }
    }

    fn user_json(u: &IamUser) -> Json {
        json!({"Path": u.path, "UserName": u.name, "UserId": u.user_id, "Arn": u.arn, "CreateDate": iso8601(u.created)})
    }

    fn user_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        name: &str,
        action: &str,
    ) -> Result<(), SimError> {
        let arn = self
            .world
            .iam
            .users
            .get(name)
            .map_or_else(|| self.user_arn("/", name), |u| u.arn.clone());
        t.resources.push(("AWS::IAM::User".into(), arn.clone()));
        self.authorize(ctx, &Access::iam_only(action, &arn))?;
        if !self.world.iam.users.contains_key(name) {
            return Err(no_such_user(name));
        }
        Ok(())
    }

    pub fn iam_create_user(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "UserName")?.to_string();
        let path = opt_str(p, "Path")?.unwrap_or("/").to_string();
        self.run(ctx, iam_op("CreateUser", p, false), |c, t| {
            let arn = c.user_arn(&path, &name);
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
                return Err(SimError::service(
                    "EntityAlreadyExists",
                    409,
                    format!("User with name {name} already exists."),
                ));
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
                    return Err(SimError::service(
                        "ValidationError",
                        400,
                        "Must specify userName when calling with non-User credentials",
                    ));
                }
            };
            c.user_prelude(ctx, t, &name, "iam:GetUser")?;
            let u = c
                .world
                .iam
                .users
                .get(&name)
                .ok_or_else(|| no_such_user(&name))?;
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
            c.user_prelude(ctx, t, &name, "iam:UpdateUser")?;
            if let Some(n) = &new_name {
                check_name("newUserName", n, 64)?;
                if n != &name && c.world.iam.users.contains_key(n) {
                    return Err(SimError::service(
                        "EntityAlreadyExists",
                        409,
                        format!("User with name {n} already exists."),
                    ));
                }
            }
            if let Some(pth) = &new_path {
                check_path(pth)?;
            }
            let Some(mut u) = c.world.iam.users.remove(&name) else {
                return Err(no_such_user(&name));
            };
            c.touch(EntityRef::User(name.clone()));
            if let Some(n) = new_name {
                u.name = n;
            }
            if let Some(pth) = new_path {
                u.path = pth;
            }
            u.arn = c.user_arn(&u.path, &u.name);
            let key = u.name.clone();
            c.world.iam.users.insert(key.clone(), u);
            c.touch(EntityRef::User(key));
            Ok(json!({}))
        })
    }

    pub fn iam_delete_user(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "UserName")?.to_string();
        self.run(ctx, iam_op("DeleteUser", p, false), |c, t| {
            c.user_prelude(ctx, t, &name, "iam:DeleteUser")?;
            let u = c
                .world
                .iam
                .users
                .get(&name)
                .ok_or_else(|| no_such_user(&name))?;
            if !u.inline_policies.is_empty() || !u.attached_policies.is_empty() {
                return Err(SimError::service(
                    "DeleteConflict",
                    409,
                    "Cannot delete entity, must delete policies first.",
                ));
            }
            if !u.access_keys.is_empty() {
                return Err(SimError::service(
                    "DeleteConflict",
                    409,
                    "Cannot delete entity, must delete access keys first.",
                ));
            }
            c.world.iam.users.remove(&name);
            c.touch(EntityRef::User(name));
            Ok(json!({}))
        })
    }

    pub fn iam_put_user_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let pname = req_str(p, "PolicyName")?.to_string();
        let doc = req_str(p, "PolicyDocument")?.to_string();
        self.run(ctx, iam_op("PutUserPolicy", p, false), |c, t| {
            c.user_prelude(ctx, t, &user, "iam:PutUserPolicy")?;
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
                return Err(SimError::service(
                    "LimitExceeded",
                    409,
                    format!("Maximum policy size of {USER_INLINE_POLICIES_MAX_CHARS} bytes exceeded for user {user}"),
                ));
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
            c.user_prelude(ctx, t, &user, "iam:GetUserPolicy")?;
            let doc = c
                .world
                .iam
                .users
                .get(&user)
                .and_then(|u| u.inline_policies.get(&pname))
                .cloned()
                .ok_or_else(|| {
                    SimError::service(
                        "NoSuchEntity",
                        404,
                        format!("The user policy with name {pname} cannot be found."),
                    )
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
            c.user_prelude(ctx, t, &user, "iam:ListUserPolicies")?;
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
            c.user_prelude(ctx, t, &user, "iam:DeleteUserPolicy")?;
            let removed = c
                .world
                .iam
                .users
                .get_mut(&user)
                .and_then(|u| u.inline_policies.remove(&pname));
            if removed.is_none() {
                return Err(SimError::service(
                    "NoSuchEntity",
                    404,
                    format!("The user policy with name {pname} cannot be found."),
                ));
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    fn policy_arn(&self, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:policy{path}{name}", self.world.account_id)
    }

    /// `attachments`: how many users it is attached to.
    fn policy_json(m: &ManagedPolicy, attachments: usize) -> Json {
        json!({
            "PolicyName": m.name, "PolicyId": m.policy_id, "Arn": m.arn, "Path": m.path,
            "DefaultVersionId": m.default_version().map(|v| v.id.clone()).unwrap_or_default(),
            "AttachmentCount": attachments, "IsAttachable": true,
            "Description": m.description, "CreateDate": iso8601(m.created), "UpdateDate": iso8601(m.updated.unwrap_or(m.created)),
        })
    }

    pub fn iam_create_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "PolicyName")?.to_string();
        let path = opt_str(p, "Path")?.unwrap_or("/").to_string();
        let doc = req_str(p, "PolicyDocument")?.to_string();
        let description = opt_str(p, "Description")?.unwrap_or("").to_string();
        self.run(ctx, iam_op("CreatePolicy", p, false), |c, t| {
            let arn = c.policy_arn(&path, &name);
            t.resources.push(("AWS::IAM::Policy".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("iam:CreatePolicy", &arn))?;
            check_name("policyName", &name, 128)?;
            check_path(&path)?;
            check_managed_policy_size(&doc)?;
            check_identity_policy(&doc)?;
            if c.world.iam.policies.contains_key(&arn) {
                return Err(SimError::service(
                    "EntityAlreadyExists",
                    409,
                    format!(
                        "A policy called {name} already exists. Duplicate names are not allowed."
                    ),
                ));
            }
            let m = ManagedPolicy {
                name,
                path,
                arn: arn.clone(),
                policy_id: c.world.ids.iam_id("ANPA"),
                description,
                created: c.world.now,
                updated: None,
                versions: vec![PolicyVersion {
                    id: "v1".into(),
                    document: doc,
                    is_default: true,
                    created: c.world.now,
                }],
                tags: BTreeMap::new(),
            };
            // A policy created a moment ago is attached to nothing.
            let out = json!({"Policy": Cloud::policy_json(&m, 0)});
            c.world.iam.policies.insert(arn.clone(), m);
            c.touch(EntityRef::Policy(arn));
            Ok(out)
        })
    }

    fn policy_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut crate::sim::Touched,
        arn: &str,
        action: &str,
    ) -> Result<(), SimError> {
        t.resources
            .push(("AWS::IAM::Policy".into(), arn.to_string()));
        self.authorize(ctx, &Access::iam_only(action, arn))?;
        if !self.world.iam.policies.contains_key(arn) {
            return Err(no_such_policy(arn));
        }
        Ok(())
    }

    pub fn iam_get_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        self.run(ctx, iam_op("GetPolicy", p, true), |c, t| {
            if let Some(info) = policy::managed_policy_info(&arn) {
                c.authorize(ctx, &Access::iam_only("iam:GetPolicy", &arn))?;
                return Ok(json!({"Policy": {
                    "PolicyName": info.name, "Arn": info.arn, "Path": "/", "DefaultVersionId": info.version,
                    "AttachmentCount": c.world.iam.attachment_count(&arn), "IsAttachable": true,
                }}));
            }
            c.policy_prelude(ctx, t, &arn, "iam:GetPolicy")?;
            let m = c.world.iam.policies.get(&arn).ok_or_else(|| no_such_policy(&arn))?;
            Ok(json!({"Policy": Cloud::policy_json(m, c.world.iam.attachment_count(&arn))}))
        })
    }

    pub fn iam_get_policy_version(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        let vid = req_str(p, "VersionId")?.to_string();
        self.run(ctx, iam_op("GetPolicyVersion", p, true), |c, t| {
            if let Some(info) = policy::managed_policy_info(&arn) {
                c.authorize(ctx, &Access::iam_only("iam:GetPolicyVersion", &arn))?;
                let doc = policy::managed_policy(&arn).map(|d| d.json().to_string()).unwrap_or_default();
                return Ok(json!({"PolicyVersion": {"Document": doc, "VersionId": info.version, "IsDefaultVersion": true}}));
            }
            c.policy_prelude(ctx, t, &arn, "iam:GetPolicyVersion")?;
            let m = c.world.iam.policies.get(&arn).ok_or_else(|| no_such_policy(&arn))?;
            let v = m.versions.iter().find(|v| v.id == vid).ok_or_else(|| {
                SimError::service("NoSuchEntity", 404, format!("Policy {arn} version {vid} does not exist or is not attachable."))
            })?;
            Ok(json!({"PolicyVersion": {"Document": v.document, "VersionId": v.id, "IsDefaultVersion": v.is_default, "CreateDate": iso8601(v.created)}}))
        })
    }

    pub fn iam_list_policy_versions(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        self.run(ctx, iam_op("ListPolicyVersions", p, true), |c, t| {
            c.policy_prelude(ctx, t, &arn, "iam:ListPolicyVersions")?;
            let m = c.world.iam.policies.get(&arn).ok_or_else(|| no_such_policy(&arn))?;
            let vs: Vec<Json> = m
                .versions
                .iter()
                .map(|v| json!({"VersionId": v.id, "IsDefaultVersion": v.is_default, "CreateDate": iso8601(v.created)}))
                .collect();
            Ok(json!({"Versions": vs, "IsTruncated": false}))
        })
    }

    pub fn iam_create_policy_version(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        let doc = req_str(p, "PolicyDocument")?.to_string();
        let set_default = opt_bool(p, "SetAsDefault")?.unwrap_or(false);
        self.run(ctx, iam_op("CreatePolicyVersion", p, false), |c, t| {
            c.policy_prelude(ctx, t, &arn, "iam:CreatePolicyVersion")?;
            check_managed_policy_size(&doc)?;
            check_identity_policy(&doc)?;
            let now = c.world.now;
            let m = c.world.iam.policies.get_mut(&arn).ok_or_else(|| no_such_policy(&arn))?;
            if m.versions.len() >= MAX_POLICY_VERSIONS {
                return Err(SimError::service(
                    "LimitExceeded",
                    409,
                    format!("A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version."),
                ));
            }
            let next = m.versions.iter().filter_map(|v| v.id.trim_start_matches('v').parse::<u32>().ok()).max().unwrap_or(0) + 1;
            if set_default {
                m.versions.iter_mut().for_each(|v| v.is_default = false);
                m.updated = Some(now);
            }
            let id = format!("v{next}");
            m.versions.push(PolicyVersion { id: id.clone(), document: doc, is_default: set_default, created: now });
            c.touch(EntityRef::Policy(arn));
            Ok(json!({"PolicyVersion": {"VersionId": id, "IsDefaultVersion": set_default}}))
        })
    }

    pub fn iam_delete_policy_version(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        let vid = req_str(p, "VersionId")?.to_string();
        self.run(ctx, iam_op("DeletePolicyVersion", p, false), |c, t| {
            c.policy_prelude(ctx, t, &arn, "iam:DeletePolicyVersion")?;
            let m = c
                .world
                .iam
                .policies
                .get_mut(&arn)
                .ok_or_else(|| no_such_policy(&arn))?;
            match m.versions.iter().position(|v| v.id == vid) {
                None => {
                    return Err(SimError::service(
                        "NoSuchEntity",
                        404,
                        format!("Policy {arn} version {vid} does not exist."),
                    ));
                }
                Some(i) if m.versions[i].is_default => {
                    return Err(SimError::service(
                        "DeleteConflict",
                        409,
                        "Cannot delete a policy version that is the default version.",
                    ));
                }
                Some(i) => {
                    m.versions.remove(i);
                }
            }
            c.touch(EntityRef::Policy(arn));
            Ok(json!({}))
        })
    }

    pub fn iam_delete_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        self.run(ctx, iam_op("DeletePolicy", p, false), |c, t| {
            c.policy_prelude(ctx, t, &arn, "iam:DeletePolicy")?;
            if c.world.iam.attachment_count(&arn) > 0 {
                return Err(SimError::service("DeleteConflict", 409, "Cannot delete a policy attached to entities."));
            }
            if c.world.iam.policies.get(&arn).is_some_and(|m| m.versions.len() > 1) {
                return Err(SimError::service("DeleteConflict", 409, "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy."));
            }
            c.world.iam.policies.remove(&arn);
            c.touch(EntityRef::Policy(arn));
            Ok(json!({}))
        })
    }

    pub fn iam_attach_user_policy(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let arn = req_str(p, "PolicyArn")?.to_string();
        self.run(ctx, iam_op("AttachUserPolicy", p, false), |c, t| {
            c.user_prelude(ctx, t, &user, "iam:AttachUserPolicy")?;
            if !arn.starts_with("arn:aws:iam::") {
                return Err(SimError::service(
                    "InvalidInput",
                    400,
                    format!("ARN {arn} is not valid."),
                ));
            }
            if policy::managed_policy(&arn).is_none() && !c.world.iam.policies.contains_key(&arn) {
                return Err(no_such_policy(&arn));
            }
            let u = c
                .world
                .iam
                .users
                .get_mut(&user)
                .ok_or_else(|| no_such_user(&user))?;
            if !u.attached_policies.contains(&arn)
                && u.attached_policies.len() >= MAX_ATTACHED_PER_USER
            {
                return Err(SimError::service(
                    "LimitExceeded",
                    409,
                    format!("Cannot exceed quota for PoliciesPerUser: {MAX_ATTACHED_PER_USER}"),
                ));
            }
            u.attached_policies.insert(arn);
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    pub fn iam_detach_user_policy(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let arn = req_str(p, "PolicyArn")?.to_string();
        self.run(ctx, iam_op("DetachUserPolicy", p, false), |c, t| {
            c.user_prelude(ctx, t, &user, "iam:DetachUserPolicy")?;
            let u = c
                .world
                .iam
                .users
                .get_mut(&user)
                .ok_or_else(|| no_such_user(&user))?;
            if !u.attached_policies.remove(&arn) {
                return Err(SimError::service(
                    "NoSuchEntity",
                    404,
                    format!("Policy {arn} was not found."),
                ));
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    pub fn iam_list_attached_user_policies(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        self.run(ctx, iam_op("ListAttachedUserPolicies", p, true), |c, t| {
            c.user_prelude(ctx, t, &user, "iam:ListAttachedUserPolicies")?;
            let list: Vec<Json> = c
                .world
                .iam
                .users
                .get(&user)
                .map(|u| {
                    u.attached_policies
                        .iter()
                        .map(|a| json!({"PolicyName": a.rsplit('/').next().unwrap_or(a), "PolicyArn": a}))
                        .collect()
                })
                .unwrap_or_default();
            Ok(json!({"AttachedPolicies": list, "IsTruncated": false}))
        })
    }

    pub fn iam_create_access_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = opt_str(p, "UserName")?.map(str::to_string);
        self.run(ctx, iam_op("CreateAccessKey", p, false), |c, t| {
            let user = match (given, &ctx.principal) {
                (Some(u), _) => u,
                (None, Principal::User(u)) => u.clone(),
                _ => return Err(SimError::service("ValidationError", 400, "Must specify userName when calling with non-User credentials")),
            };
            c.user_prelude(ctx, t, &user, "iam:CreateAccessKey")?;
            if c.world.iam.users.get(&user).is_some_and(|u| u.access_keys.len() >= 2) {
                return Err(SimError::service("LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2"));
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
            c.user_prelude(ctx, t, &user, "iam:ListAccessKeys")?;
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
                _ => return Err(SimError::service("ValidationError", 400, "Must specify userName when calling with non-User credentials")),
            };
            c.user_prelude(ctx, t, &user, "iam:UpdateAccessKey")?;
            if !matches!(status.as_str(), "Active" | "Inactive") {
                return Err(SimError::service(
                    "ValidationError",
                    400,
                    format!("1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
                ));
            }
            let key = c
                .world
                .iam
                .users
                .get_mut(&user)
                .and_then(|u| u.access_keys.iter_mut().find(|k| k.id == id))
                .ok_or_else(|| {
                    SimError::service("NoSuchEntity", 404, format!("The Access Key with id {id} cannot be found."))
                })?;
            key.status = status;
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }

    pub fn iam_delete_access_key(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        let id = req_str(p, "AccessKeyId")?.to_string();
        self.run(ctx, iam_op("DeleteAccessKey", p, false), |c, t| {
            c.user_prelude(ctx, t, &user, "iam:DeleteAccessKey")?;
            let u = c
                .world
                .iam
                .users
                .get_mut(&user)
                .ok_or_else(|| no_such_user(&user))?;
            let before = u.access_keys.len();
            u.access_keys.retain(|k| k.id != id);
            if u.access_keys.len() == before {
                return Err(SimError::service(
                    "NoSuchEntity",
                    404,
                    format!("The Access Key with id {id} cannot be found."),
                ));
            }
            c.touch(EntityRef::User(user));
            Ok(json!({}))
        })
    }
}

/// The secret access key's text: the 30 random bytes in base64 (40 characters), with `+` and
/// `/` replaced so the secret is safe in shell `export` lines and URLs.
fn secret_text(bytes: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
        .replace(['+', '/'], "A")
}

/// One access key as a request signer presents it: whose it is and its secret.
pub struct AccessKeyInfo {
    pub user: String,
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
        let (user, key) = self
            .world
            .iam
            .users
            .values()
            .find_map(|u| u.access_keys.iter().find(|k| k.id == id).map(|k| (u, k)))?;
        let m = self
            .root
            .unwrap(&format!("iam/{id}"), 1, &key.wrapped_secret)
            .ok()?;
        Some(AccessKeyInfo {
            user: user.name.clone(),
            status: key.status.clone(),
            secret: zeroize::Zeroizing::new(secret_text(&m.expose()[..30])),
        })
    }

    /// STS GetCallerIdentity: who the caller is. Needs no permission (even an explicit Deny
    /// cannot block it); CloudTrail records it as a management event, as AWS does.
    pub fn sts_get_caller_identity(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let op = Op {
            service: "sts",
            name: "GetCallerIdentity",
            params: p.clone(),
            read_only: true,
            data_event: false,
        };
        self.run(ctx, op, |c, _| match &ctx.principal {
            Principal::User(n) => {
                let u = c.world.iam.users.get(n).ok_or_else(|| no_such_user(n))?;
                Ok(json!({"UserId": u.user_id, "Account": c.world.account_id, "Arn": u.arn}))
            }
            _ => Err(SimError::service(
                "MissingAuthenticationToken",
                403,
                "Request is missing Authentication Token",
            )),
        })
    }
}
