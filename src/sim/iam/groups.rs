//! IAM groups: Create/Get/List/DeleteGroup, Add/RemoveUserToGroup, ListGroupsForUser. A group's
//! policies count among its members' identity policies; a group is never a principal.
//!
//! Its inline and attached policies are `entity_policies`'.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value as Json, json};

use super::{Entity, IamError, check_name, check_path, iam_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, IamGroup};
use crate::sim::{CallContext, Cloud, SimError, opt_str, req_str};

impl Cloud {
    fn group_json(g: &IamGroup) -> Json {
        json!({"Path": g.path, "GroupName": g.name, "GroupId": g.group_id, "Arn": g.arn,
               "CreateDate": iso8601(g.created)})
    }

    pub fn iam_create_group(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "GroupName")?.to_string();
        let path = opt_str(p, "Path")?.unwrap_or("/").to_string();
        self.run(ctx, iam_op("CreateGroup", p, false), |c, t| {
            let arn = c.entity_arn(Entity::Group, &path, &name);
            t.resources.push(("AWS::IAM::Group".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("iam:CreateGroup", &arn))?;
            check_name("groupName", &name, 128)?;
            check_path(&path)?;
            if c.world
                .iam
                .groups
                .keys()
                .any(|n| n.eq_ignore_ascii_case(&name))
            {
                return Err(IamError::GroupExists { name: name.clone() }.into());
            }
            let g = IamGroup {
                name: name.clone(),
                path: path.clone(),
                arn,
                group_id: c.world.ids.iam_id("AGPA"),
                created: c.world.now,
                members: BTreeSet::new(),
                inline_policies: BTreeMap::new(),
                attached_policies: BTreeSet::new(),
            };
            let out = json!({"Group": Cloud::group_json(&g)});
            c.world.iam.groups.insert(name.clone(), g);
            c.touch(EntityRef::Group(name.clone()));
            Ok(out)
        })
    }

    pub fn iam_get_group(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "GroupName")?.to_string();
        self.run(ctx, iam_op("GetGroup", p, true), |c, t| {
            c.entity_prelude(Entity::Group, ctx, t, &name, "iam:GetGroup", &[])?;
            let g = c
                .world
                .iam
                .groups
                .get(&name)
                .ok_or_else(|| IamError::NoSuchGroup { name: name.clone() })?;
            let users: Vec<Json> = g
                .members
                .iter()
                .filter_map(|u| c.world.iam.users.get(u))
                .map(Cloud::user_json)
                .collect();
            Ok(json!({"Group": Cloud::group_json(g), "Users": users, "IsTruncated": false}))
        })
    }

    pub fn iam_list_groups(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.run(ctx, iam_op("ListGroups", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("iam:ListGroups", "*"))?;
            let groups: Vec<Json> = c.world.iam.groups.values().map(Cloud::group_json).collect();
            Ok(json!({"Groups": groups, "IsTruncated": false}))
        })
    }

    pub fn iam_delete_group(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "GroupName")?.to_string();
        self.run(ctx, iam_op("DeleteGroup", p, false), |c, t| {
            c.entity_prelude(Entity::Group, ctx, t, &name, "iam:DeleteGroup", &[])?;
            let g = c
                .world
                .iam
                .groups
                .get(&name)
                .ok_or_else(|| IamError::NoSuchGroup { name: name.clone() })?;
            if !g.members.is_empty() {
                return Err(IamError::GroupHasMembers.into());
            }
            if !g.inline_policies.is_empty() || !g.attached_policies.is_empty() {
                return Err(IamError::UserHasPolicies.into());
            }
            c.world.iam.groups.remove(&name);
            c.touch(EntityRef::Group(name));
            Ok(json!({}))
        })
    }

    fn membership(&mut self, ctx: &CallContext, p: &Json, add: bool) -> Result<Json, SimError> {
        let group = req_str(p, "GroupName")?.to_string();
        let user = req_str(p, "UserName")?.to_string();
        let (name, action) = if add {
            ("AddUserToGroup", "iam:AddUserToGroup")
        } else {
            ("RemoveUserFromGroup", "iam:RemoveUserFromGroup")
        };
        self.run(ctx, iam_op(name, p, false), |c, t| {
            c.entity_prelude(Entity::Group, ctx, t, &group, action, &[])?;
            if !c.world.iam.users.contains_key(&user) {
                return Err(IamError::NoSuchUser { name: user.clone() }.into());
            }
            let Some(g) = c.world.iam.groups.get_mut(&group) else {
                return Err(IamError::NoSuchGroup {
                    name: group.clone(),
                }
                .into());
            };
            if add {
                g.members.insert(user.clone());
            } else if !g.members.remove(&user) {
                return Err(IamError::NotAMember {
                    user: user.clone(),
                    group: group.clone(),
                }
                .into());
            }
            c.touch(EntityRef::Group(group));
            Ok(json!({}))
        })
    }

    pub fn iam_add_user_to_group(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.membership(ctx, p, true)
    }

    pub fn iam_remove_user_from_group(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.membership(ctx, p, false)
    }

    pub fn iam_list_groups_for_user(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let user = req_str(p, "UserName")?.to_string();
        self.run(ctx, iam_op("ListGroupsForUser", p, true), |c, t| {
            c.entity_prelude(Entity::User, ctx, t, &user, "iam:ListGroupsForUser", &[])?;
            let groups: Vec<Json> = c
                .world
                .iam
                .groups_of(&user)
                .map(Cloud::group_json)
                .collect();
            Ok(json!({"Groups": groups, "IsTruncated": false}))
        })
    }
}
