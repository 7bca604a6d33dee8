//! `aws_iam_role`: an IAM role with its trust policy (`assume_role_policy`, updated in place with
//! UpdateAssumeRolePolicy), description and `max_session_duration` (UpdateRole). Tags live in
//! state only (the simulated IAM has no TagRole).

use serde_json::json;

use super::{iam_name, identity_attrs, ignore_missing, name_and_path_attrs, strip_policies};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{policy_json, string, with_tags};
use crate::provider::aws::common::{
    carry, fail, int_of, keep_policy, name_prefix_from_name, nonempty_str, pick_name, state_tags,
    str_of, target, val,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::sim::clock::iso8601;
use crate::value::{Map, Value};

const ROLE: &str = "IAM Role";

/// `aws_iam_role`.
pub(crate) struct Role;

impl Resource<AwsProvider<'_>> for Role {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_role",
            summary: "An IAM role: who may assume it (its trust policy) and what it may do",
            body: BodySchema::new(with_tags(
                name_and_path_attrs(|v| iam_name(v, 64))
                    .into_iter()
                    .chain([
                        A::required("assume_role_policy", T::Json).validate(policy_json),
                        A::optional("description", string()),
                        A::optional("max_session_duration", T::Number)
                            .default(3600)
                            .validate(|v| match v.as_i64() {
                                Some(n) if (3600..=43200).contains(&n) => Ok(()),
                                _ => Err(format!("{v} must be between 3600 and 43200 seconds")),
                            }),
                        A::optional("force_detach_policies", T::Bool).default(false),
                        A::computed("arn", string()),
                        A::computed("unique_id", string()),
                        A::computed("create_date", string()),
                        A::computed("id", string()),
                    ])
                    .collect(),
            ))
            .unsupported(&[
                "permissions_boundary",
                "inline_policy",
                "managed_policy_arns",
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        ROLE
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_role(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(
            &aws.cloud.world,
            planned,
            "name",
            "name_prefix",
            "terraform-",
        );
        let what = target(ROLE, &name);
        let mut p = json!({
            "RoleName": name,
            "Path": str_of(planned, "path").unwrap_or("/"),
            "AssumeRolePolicyDocument": str_of(planned, "assume_role_policy").unwrap_or_default(),
            "MaxSessionDuration": int_of(planned, "max_session_duration").unwrap_or(3600),
        });
        if let Some(d) = nonempty_str(planned, "description") {
            p["Description"] = json!(d);
        }
        aws.cloud
            .call_json(&aws.ctx, "iam:CreateRole", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_role(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(ROLE, &name);
        if val(prior, "assume_role_policy") != val(planned, "assume_role_policy") {
            let p = json!({"RoleName": name,
                "PolicyDocument": str_of(planned, "assume_role_policy").unwrap_or_default()});
            aws.cloud
                .call_json(&aws.ctx, "iam:UpdateAssumeRolePolicy", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        if val(prior, "description") != val(planned, "description")
            || val(prior, "max_session_duration") != val(planned, "max_session_duration")
        {
            let p = json!({"RoleName": name,
                "Description": str_of(planned, "description").unwrap_or(""),
                "MaxSessionDuration": int_of(planned, "max_session_duration").unwrap_or(3600)});
            aws.cloud
                .call_json(&aws.ctx, "iam:UpdateRole", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        self.read_back(aws, "updating", &name, &seed)
    }

    /// With force_detach_policies, inline policies and attachments go first.
    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(ROLE, &name);
        if prior.get("force_detach_policies").and_then(Value::as_bool) == Some(true) {
            let (inline, attached) = match aws.cloud.world.iam.roles.get(&name) {
                Some(r) => (
                    r.inline_policies.keys().cloned().collect::<Vec<_>>(),
                    r.attached_policies.iter().cloned().collect::<Vec<_>>(),
                ),
                None => return Ok(()),
            };
            strip_policies(aws, "Role", &name, &what, inline, attached)?;
        }
        ignore_missing(
            aws.cloud
                .call_json(&aws.ctx, "iam:DeleteRole", &json!({"RoleName": name})),
        )
        .map_err(|e| fail("deleting", &what, e))
    }
}

pub(super) fn read_role(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "name"))?;
    let r = w.iam.roles.get(name)?;
    // An unset description is "" in IAM; keep it unset so it plans no change.
    let description = match (r.description.as_str(), val(prior, "description")) {
        ("", Value::Null | Value::Unknown) => Value::Null,
        (d, _) => Value::string(d),
    };
    let mut m = identity_attrs(&r.name, &r.path, &r.arn, &r.role_id);
    m.insert("name_prefix".into(), name_prefix_from_name(&r.name));
    m.insert(
        "assume_role_policy".into(),
        keep_policy(prior, "assume_role_policy", &r.assume_role_policy),
    );
    m.insert("description".into(), description);
    m.insert(
        "max_session_duration".into(),
        Value::from(r.max_session_duration),
    );
    m.insert(
        "force_detach_policies".into(),
        carry(prior, "force_detach_policies", Value::Bool(false)),
    );
    m.insert("create_date".into(), Value::string(iso8601(r.created)));
    state_tags(&mut m, prior);
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn role_create_update_in_place_and_force_detach() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_role",
            vec![("name", s("app")), ("assume_role_policy", s(TRUST))],
        );
        let r = p.create("aws_iam_role", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_role", &r);
        assert_eq!(r["arn"], s("arn:aws:iam::123456789012:role/app"));
        assert!(r["unique_id"].as_str().unwrap().starts_with("AROA"));
        assert_eq!(r["max_session_duration"], Value::from(3600));
        assert_eq!(p.read("aws_iam_role", &r).unwrap().as_ref(), Some(&r));

        let trust2 = TRUST.replace(":root", ":user/lab-admin");
        let planned = plan_update(
            &p,
            "aws_iam_role",
            &r,
            vec![
                ("assume_role_policy", s(&trust2)),
                ("max_session_duration", Value::from(7200)),
                ("description", s("the app")),
            ],
        );
        let mark = events(&p);
        let r2 = p.update("aws_iam_role", &r, &planned).unwrap();
        assert_eq!(
            event_names(&p, mark),
            ["UpdateAssumeRolePolicy", "UpdateRole"]
        );
        assert_eq!(r2["unique_id"], r["unique_id"], "updated in place");
        assert_eq!(p.cloud.world.iam.roles["app"].max_session_duration, 7200);

        let ctx = p.ctx.clone();
        p.cloud
            .call_json(
                &ctx,
                "iam:AttachRolePolicy",
                &serde_json::json!({"RoleName": "app", "PolicyArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}),
            )
            .unwrap();
        let e = p.delete("aws_iam_role", &r2).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("DeleteConflict"));
        let mut forced = r2.clone();
        forced.insert("force_detach_policies".into(), Value::Bool(true));
        p.delete("aws_iam_role", &forced).unwrap();
        assert_eq!(p.read("aws_iam_role", &r2).unwrap(), None);
        p.delete("aws_iam_role", &r2)
            .expect("deleting a missing role succeeds");
    }
}
