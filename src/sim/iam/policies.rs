//! IAM managed policies: customer managed policies and their versions (Create/Get/DeletePolicy,
//! Create/Get/List/DeletePolicyVersion), AWS managed policies as `policy::managed` offers them,
//! and attaching either to users (Attach/Detach/ListAttachedUserPolicies).
//!
//! The AWS managed documents themselves are `policy::managed`'s; evaluating any policy is
//! `policy`'s.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::{
    Entity, IamError, MAX_ATTACHED_PER_USER, MAX_POLICY_VERSIONS, check_identity_policy,
    check_managed_policy_size, check_name, check_path, iam_op,
};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, ManagedPolicy, PolicyVersion};
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_str, policy, req_str};

impl Cloud {
    fn policy_arn(&self, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:policy{path}{name}", self.world.account_id)
    }

    /// `attachments`: how many users it is attached to.
    pub(super) fn policy_json(m: &ManagedPolicy, attachments: usize) -> Json {
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
                return Err(IamError::PolicyExists { name: name.clone() }.into());
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
            return Err(IamError::NoSuchPolicy {
                arn: arn.to_string(),
            }
            .into());
        }
        Ok(())
    }

    pub fn iam_get_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        self.run(ctx, iam_op("GetPolicy", p, true), |c, t| {
            if let Some(info) = policy::managed_policy_info(&arn) {
                c.authorize(ctx, &Access::iam_only("iam:GetPolicy", &arn))?;
                let count = c.world.iam.attachment_count(&arn);
                return Ok(json!({"Policy": Cloud::aws_managed_json(info, count)}));
            }
            c.policy_prelude(ctx, t, &arn, "iam:GetPolicy")?;
            let m = c
                .world
                .iam
                .policies
                .get(&arn)
                .ok_or_else(|| IamError::NoSuchPolicy {
                    arn: arn.to_string(),
                })?;
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
            let m = c.world.iam.policies.get(&arn).ok_or_else(|| IamError::NoSuchPolicy { arn: arn.to_string() })?;
            let v = m.versions.iter().find(|v| v.id == vid).ok_or_else(|| {
                IamError::NoSuchVersion { arn: arn.clone(), version: vid.clone() }
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
            let m = c.world.iam.policies.get(&arn).ok_or_else(|| IamError::NoSuchPolicy { arn: arn.to_string() })?;
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
            let m = c
                .world
                .iam
                .policies
                .get_mut(&arn)
                .ok_or_else(|| IamError::NoSuchPolicy {
                    arn: arn.to_string(),
                })?;
            if m.versions.len() >= MAX_POLICY_VERSIONS {
                return Err(IamError::TooManyVersions.into());
            }
            let next = m
                .versions
                .iter()
                .filter_map(|v| v.id.trim_start_matches('v').parse::<u32>().ok())
                .max()
                .unwrap_or(0)
                + 1;
            if set_default {
                m.versions.iter_mut().for_each(|v| v.is_default = false);
                m.updated = Some(now);
            }
            let id = format!("v{next}");
            m.versions.push(PolicyVersion {
                id: id.clone(),
                document: doc,
                is_default: set_default,
                created: now,
            });
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
                .ok_or_else(|| IamError::NoSuchPolicy {
                    arn: arn.to_string(),
                })?;
            match m.versions.iter().position(|v| v.id == vid) {
                None => {
                    return Err(IamError::NoSuchVersionToDelete {
                        arn: arn.clone(),
                        version: vid.clone(),
                    }
                    .into());
                }
                Some(i) if m.versions[i].is_default => {
                    return Err(IamError::DeleteDefaultVersion.into());
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
                return Err(IamError::PolicyAttached.into());
            }
            if c.world
                .iam
                .policies
                .get(&arn)
                .is_some_and(|m| m.versions.len() > 1)
            {
                return Err(IamError::PolicyHasVersions.into());
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
            c.entity_prelude(
                Entity::User,
                ctx,
                t,
                &user,
                "iam:AttachUserPolicy",
                &[("iam:PolicyARN".into(), arn.clone())],
            )?;
            if !arn.starts_with("arn:aws:iam::") {
                return Err(IamError::InvalidArn { arn: arn.clone() }.into());
            }
            if policy::managed_policy(&arn).is_none() && !c.world.iam.policies.contains_key(&arn) {
                return Err(IamError::NoSuchPolicy {
                    arn: arn.to_string(),
                }
                .into());
            }
            let u = c
                .world
                .iam
                .users
                .get_mut(&user)
                .ok_or_else(|| IamError::NoSuchUser {
                    name: user.to_string(),
                })?;
            if !u.attached_policies.contains(&arn)
                && u.attached_policies.len() >= MAX_ATTACHED_PER_USER
            {
                return Err(IamError::TooManyAttached {
                    quota: "PoliciesPerUser",
                }
                .into());
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
            c.entity_prelude(
                Entity::User,
                ctx,
                t,
                &user,
                "iam:DetachUserPolicy",
                &[("iam:PolicyARN".into(), arn.clone())],
            )?;
            let u = c
                .world
                .iam
                .users
                .get_mut(&user)
                .ok_or_else(|| IamError::NoSuchUser {
                    name: user.to_string(),
                })?;
            if !u.attached_policies.remove(&arn) {
                return Err(IamError::PolicyNotAttached { arn: arn.clone() }.into());
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
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:ListAttachedUserPolicies", &[])?;
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
}
