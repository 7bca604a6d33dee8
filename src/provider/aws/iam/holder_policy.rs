//! `aws_iam_role_policy` and `aws_iam_group_policy`: an inline policy of a role or a group,
//! identified as `holder:name`. One implementation; [`HolderPolicy`] says which.

use serde_json::json;

use super::{iam_name, ignore_missing};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{policy_json, string};
use crate::provider::aws::common::{
    fail, keep_policy, name_prefix_from_name, pick_name, str_of, target, val,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

/// An inline-policy resource type of roles or groups.
pub(crate) struct HolderPolicy {
    kind: &'static str,
    noun: &'static str,
    summary: &'static str,
    /// The attribute naming the holder (`role`, `group`).
    attr: &'static str,
    /// The API's name parameter (`RoleName`, `GroupName`) and operation noun (`Role`, `Group`).
    param: &'static str,
    op: &'static str,
}

/// `aws_iam_role_policy`.
pub(crate) const ROLE_POLICY: HolderPolicy = HolderPolicy {
    kind: "aws_iam_role_policy",
    noun: "IAM Role Policy",
    summary: "An inline policy of an IAM role",
    attr: "role",
    param: "RoleName",
    op: "Role",
};

/// `aws_iam_group_policy`.
pub(crate) const GROUP_POLICY: HolderPolicy = HolderPolicy {
    kind: "aws_iam_group_policy",
    noun: "IAM Group Policy",
    summary: "An inline policy of an IAM group",
    attr: "group",
    param: "GroupName",
    op: "Group",
};

impl HolderPolicy {
    fn parts<'m>(&self, m: &'m Map) -> Option<(&'m str, &'m str)> {
        if let (Some(h), Some(n)) = (str_of(m, self.attr), str_of(m, "name")) {
            return Some((h, n));
        }
        str_of(m, "id")?.split_once(':')
    }

    fn read_policy(&self, w: &World, prior: &Map) -> Option<Map> {
        let (holder, name) = self.parts(prior)?;
        let doc = match self.op {
            "Role" => w.iam.roles.get(holder)?.inline_policies.get(name)?,
            _ => w.iam.groups.get(holder)?.inline_policies.get(name)?,
        };
        let mut m = Map::new();
        m.insert("id".into(), Value::string(format!("{holder}:{name}")));
        m.insert(self.attr.into(), Value::string(holder));
        m.insert("name".into(), Value::string(name));
        m.insert("name_prefix".into(), name_prefix_from_name(name));
        m.insert("policy".into(), keep_policy(prior, "policy", doc));
        Some(m)
    }

    fn put(
        &self,
        aws: &mut AwsProvider<'_>,
        doing: &str,
        holder: &str,
        name: &str,
        doc: &str,
    ) -> Result<(), ProviderError> {
        let mut p = json!({"PolicyName": name, "PolicyDocument": doc});
        p[self.param] = json!(holder);
        aws.cloud
            .call_json(&aws.ctx, &format!("iam:Put{}Policy", self.op), &p)
            .map(|_| ())
            .map_err(|e| fail(doing, &target(self.noun, &format!("{holder}:{name}")), e))
    }
}

impl Resource<AwsProvider<'_>> for HolderPolicy {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: self.kind,
            summary: self.summary,
            body: BodySchema::new(vec![
                A::required(self.attr, string()).force_new(),
                A::optional_computed("name", string())
                    .force_new()
                    .validate(|v| iam_name(v, 128))
                    .conflicts_with(&["name_prefix"]),
                A::optional_computed("name_prefix", string())
                    .force_new()
                    .conflicts_with(&["name"]),
                A::required("policy", T::Json).validate(policy_json),
                A::computed("id", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        self.noun
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        self.read_policy(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let holder = str_of(planned, self.attr).unwrap_or_default().to_string();
        let name = pick_name(
            &aws.cloud.world,
            planned,
            "name",
            "name_prefix",
            "terraform-",
        );
        let doc = str_of(planned, "policy").unwrap_or_default().to_string();
        self.put(aws, "creating", &holder, &name, &doc)?;
        let mut seed = planned.clone();
        seed.insert("name".into(), Value::string(&name));
        self.read_policy(&aws.cloud.world, &seed).ok_or_else(|| {
            ProviderError::gone_after("creating", &target(self.noun, &format!("{holder}:{name}")))
        })
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let (holder, name) = self.parts(prior).unwrap_or_default();
        let (holder, name) = (holder.to_string(), name.to_string());
        if val(prior, "policy") != val(planned, "policy") {
            let doc = str_of(planned, "policy").unwrap_or_default().to_string();
            self.put(aws, "updating", &holder, &name, &doc)?;
        }
        let mut seed = planned.clone();
        seed.insert(self.attr.into(), Value::string(&holder));
        seed.insert("name".into(), Value::string(&name));
        self.read_policy(&aws.cloud.world, &seed).ok_or_else(|| {
            ProviderError::gone_after("updating", &target(self.noun, &format!("{holder}:{name}")))
        })
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let (holder, name) = self.parts(prior).unwrap_or_default();
        let mut p = json!({"PolicyName": name});
        p[self.param] = json!(holder);
        let op = format!("iam:Delete{}Policy", self.op);
        ignore_missing(aws.cloud.call_json(&aws.ctx, &op, &p)).map_err(|e| {
            fail(
                "deleting",
                &target(self.noun, &format!("{holder}:{name}")),
                e,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;

    #[test]
    fn role_and_group_inline_policies_round_trip() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        role(&mut p, "app");
        group(&mut p, "devs");
        for (kind, attr, holder) in [
            ("aws_iam_role_policy", "role", "app"),
            ("aws_iam_group_policy", "group", "devs"),
        ] {
            let planned = plan_create(
                &p,
                kind,
                vec![(attr, s(holder)), ("name", s("read")), ("policy", s(DOC))],
            );
            let rp = p.create(kind, &planned).unwrap();
            assert_complete(Mode::Managed, kind, &rp);
            assert_eq!(rp["id"], s(&format!("{holder}:read")));
            assert_eq!(p.read(kind, &rp).unwrap().as_ref(), Some(&rp));
            let planned = plan_update(&p, kind, &rp, vec![("policy", s(&doc("s3:GetObject")))]);
            let rp2 = p.update(kind, &rp, &planned).unwrap();
            assert_eq!(rp2["policy"], s(&doc("s3:GetObject")));
            p.delete(kind, &rp2).unwrap();
            assert_eq!(p.read(kind, &rp2).unwrap(), None);
            p.delete(kind, &rp2).expect("deleting twice succeeds");
        }
    }
}
