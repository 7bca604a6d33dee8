//! `aws_iam_user_policy_attachment`: attaches a managed policy (AWS or customer) to a user.
//! Every argument forces replacement, so `update` is the default read-back.

use serde_json::json;

use super::ignore_missing;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{carry, fail, str_of, target, unique_name};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const ATTACHMENT: &str = "IAM User Policy Attachment";

/// `aws_iam_user_policy_attachment`.
pub(crate) struct UserPolicyAttachment;

impl Resource<AwsProvider<'_>> for UserPolicyAttachment {
    /// Terraform's import id of an attachment: `<holder>/<policy ARN>`.
    fn import_seed(&self, id: &str) -> Option<Map> {
        let (holder, arn) = id.split_once('/')?;
        let mut m = Map::new();
        m.insert("id".into(), Value::string(id));
        m.insert("user".into(), Value::string(holder));
        m.insert("policy_arn".into(), Value::string(arn));
        Some(m)
    }
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_user_policy_attachment",
            summary: "Attaches a managed policy (AWS or customer) to a user",
            body: BodySchema::new(vec![
                A::required("user", string()).force_new(),
                A::required("policy_arn", string()).force_new(),
                A::computed("id", string()),
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        ATTACHMENT
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_attachment(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let arn = str_of(planned, "policy_arn")
            .unwrap_or_default()
            .to_string();
        let what = target(ATTACHMENT, &format!("{user}/{arn}"));
        // Terraform's id for an attachment: the user name, a dash, and a generated suffix.
        let id = unique_name(&aws.cloud.world, &format!("{user}-"));
        let p = json!({"UserName": user, "PolicyArn": arn});
        aws.cloud
            .call_json(&aws.ctx, "iam:AttachUserPolicy", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(id));
        read_attachment(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let user = str_of(prior, "user").unwrap_or_default();
        let arn = str_of(prior, "policy_arn").unwrap_or_default();
        let p = json!({"UserName": user, "PolicyArn": arn});
        ignore_missing(aws.cloud.call_json(&aws.ctx, "iam:DetachUserPolicy", &p))
            .map_err(|e| fail("deleting", &target(ATTACHMENT, &format!("{user}/{arn}")), e))
    }
}

fn read_attachment(w: &World, prior: &Map) -> Option<Map> {
    let (user, arn) = (str_of(prior, "user")?, str_of(prior, "policy_arn")?);
    if !w.iam.users.get(user)?.attached_policies.contains(arn) {
        return None;
    }
    let mut m = Map::new();
    m.insert("id".into(), carry(prior, "id", Value::Null));
    m.insert("user".into(), Value::string(user));
    m.insert("policy_arn".into(), Value::string(arn));
    Some(m)
}

#[cfg(test)]
mod tests {

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;

    #[test]
    fn policy_attachment_lifecycle() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        user(&mut p, "carol");
        let arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        let planned = plan_create(
            &p,
            "aws_iam_user_policy_attachment",
            vec![("user", s("carol")), ("policy_arn", s(arn))],
        );
        let att = p
            .create("aws_iam_user_policy_attachment", &planned)
            .unwrap();
        assert_complete(Mode::Managed, "aws_iam_user_policy_attachment", &att);
        let id = att["id"].as_str().unwrap();
        assert!(
            id.starts_with("carol-") && id.len() == "carol-".len() + 26,
            "{id}"
        );
        assert!(
            p.cloud.world.iam.users["carol"]
                .attached_policies
                .contains(arn)
        );
        assert_eq!(
            p.read("aws_iam_user_policy_attachment", &att)
                .unwrap()
                .as_ref(),
            Some(&att)
        );
        let mark = events(&p);
        let same = plan_update(&p, "aws_iam_user_policy_attachment", &att, vec![]);
        assert_eq!(
            p.update("aws_iam_user_policy_attachment", &att, &same)
                .unwrap(),
            att
        );
        assert_eq!(events(&p), mark, "an attachment has nothing to update");
        p.delete("aws_iam_user_policy_attachment", &att).unwrap();
        assert!(
            p.cloud.world.iam.users["carol"]
                .attached_policies
                .is_empty()
        );
        assert_eq!(
            p.read("aws_iam_user_policy_attachment", &att).unwrap(),
            None
        );
        p.delete("aws_iam_user_policy_attachment", &att)
            .expect("detaching twice succeeds");
    }
}
