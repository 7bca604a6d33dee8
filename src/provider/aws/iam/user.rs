//! `aws_iam_user`: an IAM user (a lab persona such as S3-Admin-User). Renames and moves go
//! through UpdateUser; tags live in state only (the simulated IAM has no TagUser).

use serde_json::json;

use super::{iam_name, iam_path, identity_attrs, ignore_missing, strip_policies};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{string, with_tags};
use crate::provider::aws::common::{carry, fail, state_tags, str_of, target};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const USER: &str = "IAM User";

/// `aws_iam_user`.
pub(crate) struct User;

impl Resource<AwsProvider<'_>> for User {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_user",
            summary: "An IAM user (a lab persona such as S3-Admin-User)",
            body: BodySchema::new(with_tags(vec![
                A::required("name", string()).validate(|v| iam_name(v, 64)),
                A::optional("path", string())
                    .default("/")
                    .validate(iam_path),
                A::optional("force_destroy", T::Bool).default(false),
                A::computed("arn", string()),
                A::computed("unique_id", string()),
                A::computed("id", string()),
            ]))
            .unsupported(&["permissions_boundary"]),
        }
    }

    fn noun(&self) -> &'static str {
        USER
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_user(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = str_of(planned, "name").unwrap_or_default().to_string();
        let what = target(USER, &name);
        let p = json!({"UserName": name, "Path": str_of(planned, "path").unwrap_or("/")});
        aws.cloud
            .call_json(&aws.ctx, "iam:CreateUser", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_user(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    /// Renames and moves go through UpdateUser; tags and force_destroy are state only.
    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let old = str_of(prior, "id").unwrap_or_default().to_string();
        let new = str_of(planned, "name").unwrap_or(&old).to_string();
        let mut p = json!({"UserName": old});
        if new != old {
            p["NewUserName"] = json!(new);
        }
        if let Some(path) = str_of(planned, "path").filter(|p| Some(*p) != str_of(prior, "path")) {
            p["NewPath"] = json!(path);
        }
        if p.as_object().is_some_and(|o| o.len() > 1) {
            aws.cloud
                .call_json(&aws.ctx, "iam:UpdateUser", &p)
                .map_err(|e| fail("updating", &target(USER, &old), e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&new));
        self.read_back(aws, "updating", &new, &seed)
    }

    /// With force_destroy, access keys, inline policies and attachments go first.
    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(USER, &name);
        if prior.get("force_destroy").and_then(Value::as_bool) == Some(true) {
            let (keys, inline, attached) = match aws.cloud.world.iam.users.get(&name) {
                Some(u) => (
                    u.access_keys
                        .iter()
                        .map(|k| k.id.clone())
                        .collect::<Vec<_>>(),
                    u.inline_policies.keys().cloned().collect::<Vec<_>>(),
                    u.attached_policies.iter().cloned().collect::<Vec<_>>(),
                ),
                None => return Ok(()),
            };
            for k in keys {
                let p = json!({"UserName": name, "AccessKeyId": k});
                ignore_missing(aws.cloud.call_json(&aws.ctx, "iam:DeleteAccessKey", &p))
                    .map_err(|e| fail("deleting", &format!("{what} access key ({k})"), e))?;
            }
            strip_policies(aws, "User", &name, &what, inline, attached)?;
        }
        ignore_missing(
            aws.cloud
                .call_json(&aws.ctx, "iam:DeleteUser", &json!({"UserName": name})),
        )
        .map_err(|e| fail("deleting", &what, e))
    }
}

fn read_user(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "name"))?;
    let u = w.iam.users.get(name)?;
    let mut m = identity_attrs(&u.name, &u.path, &u.arn, &u.user_id);
    m.insert(
        "force_destroy".into(),
        carry(prior, "force_destroy", Value::Bool(false)),
    );
    // The simulated IAM has no TagUser: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn user_create_rename_and_force_destroy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_user",
            vec![("name", s("alice")), ("path", s("/lab/"))],
        );
        let u = p.create("aws_iam_user", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_user", &u);
        assert_eq!(u["id"], s("alice"));
        assert_eq!(u["arn"], s("arn:aws:iam::123456789012:user/lab/alice"));
        assert!(u["unique_id"].as_str().unwrap().starts_with("AIDA"));
        assert_eq!(p.read("aws_iam_user", &u).unwrap().as_ref(), Some(&u));

        let planned = plan_update(&p, "aws_iam_user", &u, vec![("name", s("alice2"))]);
        let mark = events(&p);
        let u2 = p.update("aws_iam_user", &u, &planned).unwrap();
        assert_eq!(event_names(&p, mark), ["UpdateUser"]);
        assert_eq!(u2["id"], s("alice2"));
        assert_eq!(u2["unique_id"], u["unique_id"], "a rename keeps the user");
        assert!(!p.cloud.world.iam.users.contains_key("alice"));

        let ctx = p.ctx.clone();
        p.cloud
            .call_json(&ctx, "iam:CreateAccessKey", &json!({"UserName": "alice2"}))
            .unwrap();
        p.cloud
            .call_json(
                &ctx,
                "iam:PutUserPolicy",
                &json!({"UserName": "alice2", "PolicyName": "inline", "PolicyDocument": DOC}),
            )
            .unwrap();
        p.cloud
            .call_json(&ctx, "iam:AttachUserPolicy", &json!({"UserName": "alice2", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}),
            )
            .unwrap();
        let e = p.delete("aws_iam_user", &u2).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("DeleteConflict"));
        assert!(
            e.message
                .starts_with("deleting IAM User (alice2): DeleteConflict:")
        );

        let mut forced = u2.clone();
        forced.insert("force_destroy".into(), Value::Bool(true));
        p.delete("aws_iam_user", &forced).unwrap();
        assert!(!p.cloud.world.iam.users.contains_key("alice2"));
        assert_eq!(p.read("aws_iam_user", &u2).unwrap(), None);
        p.delete("aws_iam_user", &u2)
            .expect("deleting a missing user succeeds");
    }
}
