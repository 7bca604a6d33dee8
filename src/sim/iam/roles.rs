//! IAM roles: Create/Get/List/Update/DeleteRole, UpdateAssumeRolePolicy (the trust policy, with
//! its principals checked as IAM checks them).
//!
//! A role's inline and attached policies are `entity_policies`'; assuming a role is `sts`'.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use super::{Entity, IamError, check_name, check_path, iam_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::policy::{PolicyDocument, PolicyKind};
use crate::sim::world::{EntityRef, IamRole};
use crate::sim::{CallContext, Cloud, SimError, opt_int, opt_str, req_str};

/// Shortest and longest MaxSessionDuration a role may have, in seconds.
pub(super) const ROLE_SESSION_MIN: i64 = 3600;
pub(super) const ROLE_SESSION_MAX: i64 = 43200;

impl Cloud {
    pub(crate) fn role_json(r: &IamRole) -> Json {
        json!({
            "Path": r.path, "RoleName": r.name, "RoleId": r.role_id, "Arn": r.arn,
            "CreateDate": iso8601(r.created), "AssumeRolePolicyDocument": r.assume_role_policy,
            "Description": r.description, "MaxSessionDuration": r.max_session_duration,
            "Tags": r.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
        })
    }

    /// A trust policy as IAM accepts it: a resource-based policy without Resource, whose
    /// principals exist.
    fn check_trust_policy(&self, doc: &str) -> Result<(), SimError> {
        // IAM names a bad principal before anything else it finds wrong.
        if let Ok(raw) = serde_json::from_str::<Json>(doc) {
            self.check_principals(&raw)?;
        }
        let d = PolicyDocument::parse(doc).map_err(IamError::MalformedPolicy)?;
        d.validate_for(PolicyKind::Resource)
            .map_err(IamError::MalformedPolicy)?;
        let statements = match d.json().get("Statement") {
            Some(Json::Array(a)) => a.clone(),
            Some(s) => vec![s.clone()],
            None => Vec::new(),
        };
        for st in &statements {
            for field in ["Resource", "NotResource"] {
                if st.get(field).is_some() {
                    return Err(IamError::ProhibitedField {
                        field: if field == "Resource" {
                            "Resource"
                        } else {
                            "NotResource"
                        },
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    pub fn iam_create_role(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "RoleName")?.to_string();
        let path = opt_str(p, "Path")?.unwrap_or("/").to_string();
        let doc = req_str(p, "AssumeRolePolicyDocument")?.to_string();
        let description = opt_str(p, "Description")?.unwrap_or("").to_string();
        let max = opt_int(p, "MaxSessionDuration")?.unwrap_or(ROLE_SESSION_MIN);
        let tags = tag_list(p)?;
        self.run(ctx, iam_op("CreateRole", p, false), |c, t| {
            let arn = c.entity_arn(Entity::Role, &path, &name);
            t.resources.push(("AWS::IAM::Role".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("iam:CreateRole", &arn))?;
            check_name("roleName", &name, 64)?;
            check_path(&path)?;
            check_max_session(max)?;
            if c.world
                .iam
                .roles
                .keys()
                .any(|n| n.eq_ignore_ascii_case(&name))
            {
                return Err(IamError::RoleExists { name: name.clone() }.into());
            }
            c.check_trust_policy(&doc)?;
            let r = IamRole {
                name: name.clone(),
                path: path.clone(),
                arn,
                role_id: c.world.ids.iam_id("AROA"),
                created: c.world.now,
                assume_role_policy: doc.clone(),
                description: description.clone(),
                max_session_duration: max,
                inline_policies: BTreeMap::new(),
                attached_policies: BTreeSet::new(),
                tags: tags.clone(),
            };
            let out = json!({"Role": Cloud::role_json(&r)});
            c.world.iam.roles.insert(name.clone(), r);
            c.touch(EntityRef::Role(name.clone()));
            Ok(out)
        })
    }

    pub fn iam_get_role(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "RoleName")?.to_string();
        self.run(ctx, iam_op("GetRole", p, true), |c, t| {
            c.entity_prelude(Entity::Role, ctx, t, &name, "iam:GetRole", &[])?;
            let r = c
                .world
                .iam
                .roles
                .get(&name)
                .ok_or_else(|| IamError::NoSuchRole { name: name.clone() })?;
            Ok(json!({"Role": Cloud::role_json(r)}))
        })
    }

    pub fn iam_list_roles(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let prefix = opt_str(p, "PathPrefix")?.unwrap_or("/").to_string();
        self.run(ctx, iam_op("ListRoles", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("iam:ListRoles", "*"))?;
            let roles: Vec<Json> = c
                .world
                .iam
                .roles
                .values()
                .filter(|r| r.path.starts_with(&prefix))
                .map(Cloud::role_json)
                .collect();
            Ok(json!({"Roles": roles, "IsTruncated": false}))
        })
    }

    pub fn iam_update_role(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "RoleName")?.to_string();
        let description = opt_str(p, "Description")?.map(str::to_string);
        let max = opt_int(p, "MaxSessionDuration")?;
        self.run(ctx, iam_op("UpdateRole", p, false), |c, t| {
            c.entity_prelude(Entity::Role, ctx, t, &name, "iam:UpdateRole", &[])?;
            if let Some(m) = max {
                check_max_session(m)?;
            }
            if let Some(r) = c.world.iam.roles.get_mut(&name) {
                if let Some(d) = description {
                    r.description = d;
                }
                if let Some(m) = max {
                    r.max_session_duration = m;
                }
            }
            c.touch(EntityRef::Role(name));
            Ok(json!({}))
        })
    }

    pub fn iam_update_assume_role_policy(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let name = req_str(p, "RoleName")?.to_string();
        let doc = req_str(p, "PolicyDocument")?.to_string();
        self.run(ctx, iam_op("UpdateAssumeRolePolicy", p, false), |c, t| {
            c.entity_prelude(
                Entity::Role,
                ctx,
                t,
                &name,
                "iam:UpdateAssumeRolePolicy",
                &[],
            )?;
            c.check_trust_policy(&doc)?;
            if let Some(r) = c.world.iam.roles.get_mut(&name) {
                r.assume_role_policy = doc;
            }
            c.touch(EntityRef::Role(name));
            Ok(json!({}))
        })
    }

    pub fn iam_delete_role(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "RoleName")?.to_string();
        self.run(ctx, iam_op("DeleteRole", p, false), |c, t| {
            c.entity_prelude(Entity::Role, ctx, t, &name, "iam:DeleteRole", &[])?;
            let r = c
                .world
                .iam
                .roles
                .get(&name)
                .ok_or_else(|| IamError::NoSuchRole { name: name.clone() })?;
            if !r.inline_policies.is_empty() || !r.attached_policies.is_empty() {
                return Err(IamError::UserHasPolicies.into());
            }
            let (arn, id) = (r.arn.clone(), r.role_id.clone());
            c.world.iam.roles.remove(&name);
            c.touch(EntityRef::Role(name));
            // Policies that named the role now name its unique id, as AWS shows them.
            c.principal_deleted(&arn, &id);
            Ok(json!({}))
        })
    }
}

fn check_max_session(max: i64) -> Result<(), SimError> {
    if !(ROLE_SESSION_MIN..=ROLE_SESSION_MAX).contains(&max) {
        return Err(IamError::OutOfRange {
            member: "maxSessionDuration",
            value: max,
            min: ROLE_SESSION_MIN,
            max: ROLE_SESSION_MAX,
        }
        .into());
    }
    Ok(())
}

/// `Tags: [{Key, Value}]` as a map.
pub(super) fn tag_list(p: &Json) -> Result<BTreeMap<String, String>, SimError> {
    let mut out = BTreeMap::new();
    match p.get("Tags") {
        None | Some(Json::Null) => {}
        Some(Json::Array(a)) => {
            for t in a {
                let k = req_str(t, "Key")?;
                let v = opt_str(t, "Value")?.unwrap_or("");
                out.insert(k.to_string(), v.to_string());
            }
        }
        Some(other) => {
            return Err(SimError::param(format!(
                "Invalid type for parameter Tags, value: {other}, valid types: <class 'list'>"
            )));
        }
    }
    Ok(out)
}
