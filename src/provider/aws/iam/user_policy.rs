//! `aws_iam_user_policy`: an inline policy of an IAM user, identified as `user:name`.

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

const USER_POLICY: &str = "IAM User Policy";

/// `aws_iam_user_policy`.
pub(crate) struct UserPolicy;

impl Resource<AwsProvider<'_>> for UserPolicy {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_user_policy",
            summary: "An inline policy of an IAM user",
            body: BodySchema::new(vec![
                A::required("user", string()).force_new(),
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
        USER_POLICY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_user_policy(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let user = str_of(planned, "user").unwrap_or_default().to_string();
        let name = pick_name(
            &aws.cloud.world,
            planned,
            "name",
            "name_prefix",
            "terraform-",
        );
        put_user_policy(
            aws,
            "creating",
            &user,
            &name,
            str_of(planned, "policy").unwrap_or_default(),
        )?;
        let mut seed = planned.clone();
        seed.insert("name".into(), Value::string(&name));
        read_user_policy(&aws.cloud.world, &seed).ok_or_else(|| {
            ProviderError::gone_after("creating", &target(USER_POLICY, &format!("{user}:{name}")))
        })
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let (user, name) = user_policy_parts(prior).unwrap_or_default();
        let (user, name) = (user.to_string(), name.to_string());
        if val(prior, "policy") != val(planned, "policy") {
            let doc = str_of(planned, "policy").unwrap_or_default().to_string();
            put_user_policy(aws, "updating", &user, &name, &doc)?;
        }
        let mut seed = planned.clone();
        seed.insert("user".into(), Value::string(&user));
        seed.insert("name".into(), Value::string(&name));
        read_user_policy(&aws.cloud.world, &seed).ok_or_else(|| {
            ProviderError::gone_after("updating", &target(USER_POLICY, &format!("{user}:{name}")))
        })
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let (user, name) = user_policy_parts(prior).unwrap_or_default();
        let p = json!({"UserName": user, "PolicyName": name});
        ignore_missing(aws.cloud.call_json(&aws.ctx, "iam:DeleteUserPolicy", &p)).map_err(|e| {
            fail(
                "deleting",
                &target(USER_POLICY, &format!("{user}:{name}")),
                e,
            )
        })
    }
}

fn user_policy_parts(m: &Map) -> Option<(&str, &str)> {
    if let (Some(u), Some(n)) = (str_of(m, "user"), str_of(m, "name")) {
        return Some((u, n));
    }
    str_of(m, "id")?.split_once(':')
}

fn read_user_policy(w: &World, prior: &Map) -> Option<Map> {
    let (user, name) = user_policy_parts(prior)?;
    let doc = w.iam.users.get(user)?.inline_policies.get(name)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(format!("{user}:{name}")));
    m.insert("user".into(), Value::string(user));
    m.insert("name".into(), Value::string(name));
    m.insert("name_prefix".into(), name_prefix_from_name(name));
    m.insert("policy".into(), keep_policy(prior, "policy", doc));
    Some(m)
}

fn put_user_policy(
    aws: &mut AwsProvider<'_>,
    doing: &str,
    user: &str,
    name: &str,
    doc: &str,
) -> Result<(), ProviderError> {
    let p = json!({"UserName": user, "PolicyName": name, "PolicyDocument": doc});
    aws.cloud
        .call_json(&aws.ctx, "iam:PutUserPolicy", &p)
        .map(|_| ())
        .map_err(|e| fail(doing, &target(USER_POLICY, &format!("{user}:{name}")), e))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;

    #[test]
    fn inline_user_policy_lifecycle() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        user(&mut p, "bob");
        let planned = plan_create(
            &p,
            "aws_iam_user_policy",
            vec![("user", s("bob")), ("name", s("read")), ("policy", s(DOC))],
        );
        let up = p.create("aws_iam_user_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_user_policy", &up);
        assert_eq!(up["id"], s("bob:read"));
        assert_eq!(
            p.read("aws_iam_user_policy", &up).unwrap().as_ref(),
            Some(&up)
        );

        let planned = plan_update(
            &p,
            "aws_iam_user_policy",
            &up,
            vec![("policy", s(&doc("s3:GetObject")))],
        );
        let up2 = p.update("aws_iam_user_policy", &up, &planned).unwrap();
        assert_eq!(
            p.cloud.world.iam.users["bob"].inline_policies["read"],
            doc("s3:GetObject")
        );
        assert_eq!(up2["policy"], s(&doc("s3:GetObject")));

        let ctx = p.ctx.clone();
        p.cloud
            .call_json(
                &ctx,
                "iam:DeleteUserPolicy",
                &json!({"UserName": "bob", "PolicyName": "read"}),
            )
            .unwrap();
        assert_eq!(
            p.read("aws_iam_user_policy", &up2).unwrap(),
            None,
            "deleted out of band"
        );
        p.delete("aws_iam_user_policy", &up2)
            .expect("deleting a missing inline policy succeeds");

        let planned = plan_create(
            &p,
            "aws_iam_user_policy",
            vec![("user", s("bob")), ("policy", s(DOC))],
        );
        let generated = p.create("aws_iam_user_policy", &planned).unwrap();
        assert_eq!(generated["name_prefix"], s("terraform-"));
        p.delete("aws_iam_user_policy", &generated).unwrap();
        assert!(p.cloud.world.iam.users["bob"].inline_policies.is_empty());
    }
}
