//! `aws_iam_role_policy_attachment` and `aws_iam_group_policy_attachment`: attaches a managed
//! policy (AWS or customer) to a role or a group. Every argument forces replacement.

use serde_json::json;

use super::ignore_missing;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{carry, fail, str_of, target, unique_name};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

/// A policy-attachment resource type of roles or groups.
pub(crate) struct HolderAttachment {
    kind: &'static str,
    noun: &'static str,
    summary: &'static str,
    attr: &'static str,
    param: &'static str,
    op: &'static str,
}

/// `aws_iam_role_policy_attachment`.
pub(crate) const ROLE_ATTACHMENT: HolderAttachment = HolderAttachment {
    kind: "aws_iam_role_policy_attachment",
    noun: "IAM Role Policy Attachment",
    summary: "Attaches a managed policy (AWS or customer) to a role",
    attr: "role",
    param: "RoleName",
    op: "Role",
};

/// `aws_iam_group_policy_attachment`.
pub(crate) const GROUP_ATTACHMENT: HolderAttachment = HolderAttachment {
    kind: "aws_iam_group_policy_attachment",
    noun: "IAM Group Policy Attachment",
    summary: "Attaches a managed policy (AWS or customer) to a group",
    attr: "group",
    param: "GroupName",
    op: "Group",
};

impl HolderAttachment {
    fn read_attachment(&self, w: &World, prior: &Map) -> Option<Map> {
        let (holder, arn) = (str_of(prior, self.attr)?, str_of(prior, "policy_arn")?);
        let attached = match self.op {
            "Role" => &w.iam.roles.get(holder)?.attached_policies,
            _ => &w.iam.groups.get(holder)?.attached_policies,
        };
        if !attached.contains(arn) {
            return None;
        }
        let mut m = Map::new();
        m.insert("id".into(), carry(prior, "id", Value::Null));
        m.insert(self.attr.into(), Value::string(holder));
        m.insert("policy_arn".into(), Value::string(arn));
        Some(m)
    }

    fn params(&self, m: &Map) -> (String, String, serde_json::Value) {
        let holder = str_of(m, self.attr).unwrap_or_default().to_string();
        let arn = str_of(m, "policy_arn").unwrap_or_default().to_string();
        let mut p = json!({"PolicyArn": arn});
        p[self.param] = json!(holder);
        (holder, arn, p)
    }
}

impl Resource<AwsProvider<'_>> for HolderAttachment {
    /// Terraform's import id of an attachment: `<holder>/<policy ARN>`.
    fn import_seed(&self, id: &str) -> Option<Map> {
        let (holder, arn) = id.split_once('/')?;
        let mut m = Map::new();
        m.insert("id".into(), Value::string(id));
        m.insert(self.attr.into(), Value::string(holder));
        m.insert("policy_arn".into(), Value::string(arn));
        Some(m)
    }
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: self.kind,
            summary: self.summary,
            body: BodySchema::new(vec![
                A::required(self.attr, string()).force_new(),
                A::required("policy_arn", string()).force_new(),
                A::computed("id", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        self.noun
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        self.read_attachment(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let (holder, arn, p) = self.params(planned);
        let what = target(self.noun, &format!("{holder}/{arn}"));
        let id = unique_name(&aws.cloud.world, &format!("{holder}-"));
        aws.cloud
            .call_json(&aws.ctx, &format!("iam:Attach{}Policy", self.op), &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(id));
        self.read_attachment(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let (holder, arn, p) = self.params(prior);
        let op = format!("iam:Detach{}Policy", self.op);
        ignore_missing(aws.cloud.call_json(&aws.ctx, &op, &p)).map_err(|e| {
            fail(
                "deleting",
                &target(self.noun, &format!("{holder}/{arn}")),
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
    fn role_and_group_attachments_round_trip() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        role(&mut p, "app");
        group(&mut p, "devs");
        let arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        for (kind, attr, holder) in [
            ("aws_iam_role_policy_attachment", "role", "app"),
            ("aws_iam_group_policy_attachment", "group", "devs"),
        ] {
            let planned = plan_create(&p, kind, vec![(attr, s(holder)), ("policy_arn", s(arn))]);
            let att = p.create(kind, &planned).unwrap();
            assert_complete(Mode::Managed, kind, &att);
            assert!(
                att["id"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{holder}-"))
            );
            assert_eq!(p.read(kind, &att).unwrap().as_ref(), Some(&att));
            p.delete(kind, &att).unwrap();
            assert_eq!(p.read(kind, &att).unwrap(), None);
            p.delete(kind, &att).expect("detaching twice succeeds");
        }
        assert_eq!(p.cloud.world.iam.attachment_count(arn), 0);
    }
}
