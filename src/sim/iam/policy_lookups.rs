//! Finding managed policies and who has them: ListPolicies (AWS managed and customer managed,
//! by scope, path and attachment) and ListEntitiesForPolicy (the users, groups and roles a
//! policy is attached to).

use serde_json::{Value as Json, json};

use super::{IamError, iam_op};
use crate::sim::authz::Access;
use crate::sim::{CallContext, Cloud, SimError, opt_bool, opt_str, policy, req_str};

/// The value of an enum member, or AWS's ValidationError naming the values it may take.
fn one_of(
    p: &Json,
    name: &str,
    member: &'static str,
    allowed: &'static [&'static str],
) -> Result<Option<String>, SimError> {
    match opt_str(p, name)? {
        Some(v) if !allowed.contains(&v) => Err(IamError::NotInEnum {
            member,
            value: v.to_string(),
            allowed,
        }
        .into()),
        v => Ok(v.map(str::to_string)),
    }
}

/// IAM's `MaxItems` (1 to 1000, default 100) and the place a `Marker` resumes after. A marker
/// is opaque to clients (base64 of the last listed item's place in the list's order), so one no
/// page gave is refused.
fn page_params(p: &Json) -> Result<(usize, Option<String>), SimError> {
    let max = crate::sim::opt_int(p, "MaxItems")?.unwrap_or(100);
    if !(1..=1000).contains(&max) {
        return Err(IamError::OutOfRange {
            member: "maxItems",
            value: max,
            min: 1,
            max: 1000,
        }
        .into());
    }
    let after = match opt_str(p, "Marker")? {
        None => None,
        Some(m) => {
            let place = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, m)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|s| s.starts_with("0/") || s.starts_with("1/"))
                .ok_or(IamError::InvalidMarker)?;
            Some(place)
        }
    };
    Ok((max as usize, after))
}

/// One page of `items` (each with its place, in order) under `member`, after the marker's
/// place: `IsTruncated`, and `Marker` for the next page when there is more.
fn page(items: Vec<(String, Json)>, max: usize, after: Option<&str>, member: &str) -> Json {
    let rest: Vec<(String, Json)> = items
        .into_iter()
        .filter(|(place, _)| after.is_none_or(|a| place.as_str() > a))
        .collect();
    let truncated = rest.len() > max;
    let mut out = json!({
        member: rest.iter().take(max).map(|(_, v)| v.clone()).collect::<Vec<_>>(),
        "IsTruncated": truncated,
    });
    if truncated {
        out["Marker"] = json!(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            rest[max - 1].0.as_bytes()
        ));
    }
    out
}

impl Cloud {
    /// An AWS managed policy as GetPolicy and ListPolicies show it.
    pub(super) fn aws_managed_json(info: &policy::ManagedPolicy, attachments: usize) -> Json {
        let mut out = json!({
            "PolicyName": info.name, "Arn": info.arn, "Path": "/",
            "DefaultVersionId": info.version, "AttachmentCount": attachments,
            "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
            "UpdateDate": info.version_created,
        });
        if let Some(id) = info.policy_id {
            out["PolicyId"] = json!(id);
        }
        out
    }

    pub fn iam_list_policies(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let scope =
            one_of(p, "Scope", "scope", &["All", "AWS", "Local"])?.unwrap_or_else(|| "All".into());
        let only_attached = opt_bool(p, "OnlyAttached")?.unwrap_or(false);
        let prefix = opt_str(p, "PathPrefix")?.unwrap_or("/").to_string();
        let (max_items, after) = page_params(p)?;
        self.run(ctx, iam_op("ListPolicies", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("iam:ListPolicies", "*"))?;
            let counts = c.world.iam.attachment_counts();
            let count = |arn: &str| counts.get(arn).copied().unwrap_or(0);
            // Each policy's place in the one order pages follow: AWS managed ones in the
            // catalogue's order, then the account's by ARN.
            let mut out: Vec<(String, Json)> = Vec::new();
            if scope != "Local" && "/".starts_with(&prefix) {
                for (i, arn) in policy::managed_policy_arns().iter().enumerate() {
                    let Some(info) = policy::managed_policy_info(arn) else {
                        continue;
                    };
                    if !only_attached || count(arn) > 0 {
                        out.push((
                            format!("0/{i:06}"),
                            Cloud::aws_managed_json(info, count(arn)),
                        ));
                    }
                }
            }
            if scope != "AWS" {
                for m in c.world.iam.policies.values() {
                    if m.path.starts_with(&prefix) && (!only_attached || count(&m.arn) > 0) {
                        out.push((format!("1/{}", m.arn), Cloud::policy_json(m, count(&m.arn))));
                    }
                }
            }
            Ok(page(out, max_items, after.as_deref(), "Policies"))
        })
    }

    pub fn iam_list_entities_for_policy(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let arn = req_str(p, "PolicyArn")?.to_string();
        let filter = one_of(
            p,
            "EntityFilter",
            "entityFilter",
            &[
                "User",
                "Role",
                "Group",
                "LocalManagedPolicy",
                "AWSManagedPolicy",
            ],
        )?;
        let prefix = opt_str(p, "PathPrefix")?.unwrap_or("/").to_string();
        self.run(ctx, iam_op("ListEntitiesForPolicy", p, true), |c, t| {
            t.resources.push(("AWS::IAM::Policy".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("iam:ListEntitiesForPolicy", &arn))?;
            if policy::managed_policy_info(&arn).is_none()
                && !c.world.iam.policies.contains_key(&arn)
            {
                return Err(IamError::NoSuchPolicy { arn: arn.clone() }.into());
            }
            let wants = |kind: &str| filter.as_deref().is_none_or(|f| f == kind);
            let iam = &c.world.iam;
            let has = |path: &str, attached: &std::collections::BTreeSet<String>| {
                path.starts_with(&prefix) && attached.contains(&arn)
            };
            let users: Vec<Json> = iam
                .users
                .values()
                .filter(|u| wants("User") && has(&u.path, &u.attached_policies))
                .map(|u| json!({"UserName": u.name, "UserId": u.user_id}))
                .collect();
            let groups: Vec<Json> = iam
                .groups
                .values()
                .filter(|g| wants("Group") && has(&g.path, &g.attached_policies))
                .map(|g| json!({"GroupName": g.name, "GroupId": g.group_id}))
                .collect();
            let roles: Vec<Json> = iam
                .roles
                .values()
                .filter(|r| wants("Role") && has(&r.path, &r.attached_policies))
                .map(|r| json!({"RoleName": r.name, "RoleId": r.role_id}))
                .collect();
            Ok(
                json!({"PolicyUsers": users, "PolicyGroups": groups, "PolicyRoles": roles,
                      "IsTruncated": false}),
            )
        })
    }
}
