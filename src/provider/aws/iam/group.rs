//! `aws_iam_group` (a group of users whose policies its members get), and its memberships:
//! `aws_iam_group_membership` (the group's whole member list) and
//! `aws_iam_user_group_membership` (some groups of one user).

use serde_json::json;

use super::{iam_name, iam_path, identity_attrs, ignore_missing};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{set_of_strings, string};
use crate::provider::aws::common::{carry, fail, str_of, string_set, strings, target, unique_name};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const GROUP: &str = "IAM Group";
const MEMBERSHIP: &str = "IAM Group Membership";
const USER_MEMBERSHIP: &str = "IAM User Group Membership";

/// `aws_iam_group`.
pub(crate) struct Group;

impl Resource<AwsProvider<'_>> for Group {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_group",
            summary: "An IAM group: its members get its policies",
            body: BodySchema::new(vec![
                A::required("name", string())
                    .force_new()
                    .validate(|v| iam_name(v, 128)),
                A::optional("path", string())
                    .default("/")
                    .force_new()
                    .validate(iam_path),
                A::computed("arn", string()),
                A::computed("unique_id", string()),
                A::computed("id", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        GROUP
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_group(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = str_of(planned, "name").unwrap_or_default().to_string();
        let what = target(GROUP, &name);
        let p = json!({"GroupName": name, "Path": str_of(planned, "path").unwrap_or("/")});
        aws.cloud
            .call_json(&aws.ctx, "iam:CreateGroup", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_group(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default();
        ignore_missing(aws.cloud.call_json(
            &aws.ctx,
            "iam:DeleteGroup",
            &json!({"GroupName": name}),
        ))
        .map_err(|e| fail("deleting", &target(GROUP, name), e))
    }
}

fn read_group(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "name"))?;
    let g = w.iam.groups.get(name)?;
    Some(identity_attrs(&g.name, &g.path, &g.arn, &g.group_id))
}

fn membership_call(
    aws: &mut AwsProvider<'_>,
    add: bool,
    group: &str,
    user: &str,
    what: &str,
    doing: &str,
) -> Result<(), ProviderError> {
    let op = if add {
        "iam:AddUserToGroup"
    } else {
        "iam:RemoveUserFromGroup"
    };
    let r = aws
        .cloud
        .call_json(&aws.ctx, op, &json!({"GroupName": group, "UserName": user}));
    if add {
        r.map(|_| ())
    } else {
        ignore_missing(r)
    }
    .map_err(|e| fail(doing, what, e))
}

/// `aws_iam_group_membership`: the whole member list of one group.
pub(crate) struct GroupMembership;

impl Resource<AwsProvider<'_>> for GroupMembership {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_group_membership",
            summary: "The members of an IAM group (all of them)",
            body: BodySchema::new(vec![
                A::required("name", string()).force_new(),
                A::required("group", string()).force_new(),
                A::required("users", set_of_strings()),
                A::computed("id", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        MEMBERSHIP
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        let w = &aws.cloud.world;
        let group = str_of(prior, "group")?;
        let g = w.iam.groups.get(group)?;
        let mut m = Map::new();
        m.insert("id".into(), carry(prior, "id", Value::Null));
        m.insert("name".into(), carry(prior, "name", Value::Null));
        m.insert("group".into(), Value::string(group));
        m.insert("users".into(), string_set(g.members.iter().cloned()));
        Some(m)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = str_of(planned, "name").unwrap_or_default().to_string();
        let group = str_of(planned, "group").unwrap_or_default().to_string();
        let what = target(MEMBERSHIP, &name);
        for u in strings(planned.get("users").unwrap_or(&Value::Null)) {
            membership_call(aws, true, &group, &u, &what, "creating")?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        self.read_back(aws, "creating", &name, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let group = str_of(prior, "group").unwrap_or_default().to_string();
        let what = target(MEMBERSHIP, &name);
        let old = strings(prior.get("users").unwrap_or(&Value::Null));
        let new = strings(planned.get("users").unwrap_or(&Value::Null));
        for u in old.iter().filter(|u| !new.contains(u)) {
            membership_call(aws, false, &group, u, &what, "updating")?;
        }
        for u in new.iter().filter(|u| !old.contains(u)) {
            membership_call(aws, true, &group, u, &what, "updating")?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        self.read_back(aws, "updating", &name, &seed)
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let group = str_of(prior, "group").unwrap_or_default().to_string();
        let what = target(MEMBERSHIP, &name);
        for u in strings(prior.get("users").unwrap_or(&Value::Null)) {
            membership_call(aws, false, &group, &u, &what, "deleting")?;
        }
        Ok(())
    }
}

/// `aws_iam_user_group_membership`: some groups of one user (others may add more).
pub(crate) struct UserGroupMembership;

impl Resource<AwsProvider<'_>> for UserGroupMembership {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_user_group_membership",
            summary: "Puts one IAM user in some groups",
            body: BodySchema::new(vec![
                A::required("user", string()).force_new(),
                A::required("groups", set_of_strings()),
                A::computed("id", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        USER_MEMBERSHIP
    }

    /// Only the groups this resource manages count: other memberships are not drift.
    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        let w = &aws.cloud.world;
        let user = str_of(prior, "user")?;
        w.iam.users.get(user)?;
        let managed = strings(prior.get("groups").unwrap_or(&Value::Null));
        let groups = w
            .iam
            .groups_of(user)
            .map(|g| g.name.clone())
            .filter(|g| managed.contains(g));
        let mut m = Map::new();
        m.insert("id".into(), carry(prior, "id", Value::Null));
        m.insert("user".into(), Value::string(user));
        m.insert("groups".into(), string_set(groups));
        Some(m)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let what = target(USER_MEMBERSHIP, &user);
        for g in strings(planned.get("groups").unwrap_or(&Value::Null)) {
            membership_call(aws, true, &g, &user, &what, "creating")?;
        }
        let id = unique_name(&aws.cloud.world, "terraform-");
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        self.read_back(aws, "creating", &id, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let user = str_of(prior, "user").unwrap_or_default().to_string();
        let what = target(USER_MEMBERSHIP, &user);
        let old = strings(prior.get("groups").unwrap_or(&Value::Null));
        let new = strings(planned.get("groups").unwrap_or(&Value::Null));
        for g in old.iter().filter(|g| !new.contains(g)) {
            membership_call(aws, false, g, &user, &what, "updating")?;
        }
        for g in new.iter().filter(|g| !old.contains(g)) {
            membership_call(aws, true, g, &user, &what, "updating")?;
        }
        let id = str_of(prior, "id").unwrap_or_default().to_string();
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        self.read_back(aws, "updating", &id, &seed)
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let user = str_of(prior, "user").unwrap_or_default().to_string();
        let what = target(USER_MEMBERSHIP, &user);
        for g in strings(prior.get("groups").unwrap_or(&Value::Null)) {
            membership_call(aws, false, &g, &user, &what, "deleting")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    fn set(items: &[&str]) -> Value {
        Value::List(items.iter().map(|i| s(i)).collect())
    }

    #[test]
    fn groups_and_both_membership_kinds_round_trip() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let g = group(&mut p, "key-users");
        assert_complete(Mode::Managed, "aws_iam_group", &g);
        assert_eq!(g["arn"], s("arn:aws:iam::123456789012:group/key-users"));
        assert!(g["unique_id"].as_str().unwrap().starts_with("AGPA"));
        assert_eq!(p.read("aws_iam_group", &g).unwrap().as_ref(), Some(&g));
        user(&mut p, "ann");
        user(&mut p, "ben");

        let planned = plan_create(
            &p,
            "aws_iam_group_membership",
            vec![
                ("name", s("m")),
                ("group", s("key-users")),
                ("users", set(&["ann"])),
            ],
        );
        let m = p.create("aws_iam_group_membership", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_group_membership", &m);
        assert_eq!(
            p.read("aws_iam_group_membership", &m).unwrap().as_ref(),
            Some(&m)
        );
        let planned = plan_update(
            &p,
            "aws_iam_group_membership",
            &m,
            vec![("users", set(&["ben"]))],
        );
        let m2 = p.update("aws_iam_group_membership", &m, &planned).unwrap();
        assert_eq!(m2["users"], set(&["ben"]));
        assert!(
            p.cloud.world.iam.groups["key-users"]
                .members
                .contains("ben")
        );
        assert!(
            !p.cloud.world.iam.groups["key-users"]
                .members
                .contains("ann")
        );
        // Someone adds ann by hand: the membership sees drift.
        let ctx = p.ctx.clone();
        p.cloud
            .call_json(
                &ctx,
                "iam:AddUserToGroup",
                &serde_json::json!({"GroupName": "key-users", "UserName": "ann"}),
            )
            .unwrap();
        assert_eq!(
            p.read("aws_iam_group_membership", &m2).unwrap().unwrap()["users"],
            set(&["ann", "ben"])
        );
        p.delete("aws_iam_group_membership", &m2).unwrap();
        assert!(
            p.cloud.world.iam.groups["key-users"]
                .members
                .contains("ann")
        );

        let planned = plan_create(
            &p,
            "aws_iam_user_group_membership",
            vec![("user", s("ben")), ("groups", set(&["key-users"]))],
        );
        let um = p.create("aws_iam_user_group_membership", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_user_group_membership", &um);
        assert_eq!(
            p.read("aws_iam_user_group_membership", &um)
                .unwrap()
                .as_ref(),
            Some(&um)
        );
        p.delete("aws_iam_user_group_membership", &um).unwrap();
        assert!(
            !p.cloud.world.iam.groups["key-users"]
                .members
                .contains("ben")
        );
        p.cloud
            .call_json(
                &ctx,
                "iam:RemoveUserFromGroup",
                &serde_json::json!({"GroupName": "key-users", "UserName": "ann"}),
            )
            .unwrap();
        p.delete("aws_iam_group", &g).unwrap();
        assert_eq!(p.read("aws_iam_group", &g).unwrap(), None);
    }
}
