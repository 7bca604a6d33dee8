//! `aws_iam_policy`: a customer managed IAM policy. Updates keep IAM's five-version limit the
//! way the Terraform provider does (delete the oldest non-default version, then create the new
//! default); tags live in state only.

use serde_json::{Value as Json, json};

use super::{iam_name, ignore_missing, name_and_path_attrs};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{policy_json, string, with_tags};
use crate::provider::aws::common::{
    fail, keep_policy, name_prefix_from_name, nonempty_str, pick_name, state_tags, str_of, target,
    val,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::sim::iam::MAX_POLICY_VERSIONS;
use crate::value::{Map, Value};

const POLICY: &str = "IAM Policy";

/// `aws_iam_policy`.
pub(crate) struct Policy;

impl Resource<AwsProvider<'_>> for Policy {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_iam_policy",
            summary: "A customer managed IAM policy",
            body: BodySchema::new(with_tags(
                name_and_path_attrs(|v| iam_name(v, 128))
                    .into_iter()
                    .chain([
                        A::optional("description", string()).force_new(),
                        A::required("policy", T::Json).validate(policy_json),
                        A::computed("arn", string()),
                        A::computed("id", string()),
                        A::computed("policy_id", string()),
                        A::computed("attachment_count", T::Number),
                    ])
                    .collect(),
            )),
        }
    }

    fn noun(&self) -> &'static str {
        POLICY
    }

    /// Attachment counts come from the provider's cache, built on the first policy read (a
    /// refresh reads every policy; counting per read would scan every user each time).
    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        let w = &aws.cloud.world;
        let counts = aws
            .attachment_counts
            .get_or_init(|| w.iam.attachment_counts());
        read_policy(w, prior, |arn| counts.get(arn).copied().unwrap_or(0))
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(
            &aws.cloud.world,
            planned,
            "name",
            "name_prefix",
            "terraform-",
        );
        let what = target(POLICY, &name);
        let mut p = json!({
            "PolicyName": name,
            "Path": str_of(planned, "path").unwrap_or("/"),
            "PolicyDocument": str_of(planned, "policy").unwrap_or_default(),
        });
        if let Some(d) = nonempty_str(planned, "description") {
            p["Description"] = json!(d);
        }
        let r = aws
            .cloud
            .call_json(&aws.ctx, "iam:CreatePolicy", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let arn = r
            .pointer("/Policy/Arn")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&arn));
        // Nothing can be attached to a policy that did not exist a moment ago.
        read_policy(&aws.cloud.world, &seed, |_| 0)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    /// A new document becomes a new default version; at IAM's limit the oldest non-default
    /// version is deleted first.
    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let arn = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(POLICY, &arn);
        if val(prior, "policy") != val(planned, "policy") {
            prune_policy_versions(aws, &arn)?;
            let p = json!({
                "PolicyArn": arn,
                "PolicyDocument": str_of(planned, "policy").unwrap_or_default(),
                "SetAsDefault": true,
            });
            aws.cloud
                .call_json(&aws.ctx, "iam:CreatePolicyVersion", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&arn));
        read_policy(&aws.cloud.world, &seed, |arn| {
            aws.cloud.world.iam.attachment_count(arn)
        })
        .ok_or_else(|| ProviderError::gone_after("updating", &what))
    }

    /// Non-default versions first (IAM refuses to delete a policy that has them).
    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let arn = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(POLICY, &arn);
        let versions: Vec<String> = aws
            .cloud
            .world
            .iam
            .policies
            .get(&arn)
            .map(|p| {
                p.versions
                    .iter()
                    .filter(|v| !v.is_default)
                    .map(|v| v.id.clone())
                    .collect()
            })
            .unwrap_or_default();
        for v in versions {
            let p = json!({"PolicyArn": arn, "VersionId": v});
            ignore_missing(aws.cloud.call_json(&aws.ctx, "iam:DeletePolicyVersion", &p))
                .map_err(|e| fail("deleting", &format!("{what} version ({v})"), e))?;
        }
        ignore_missing(aws.cloud.call_json(
            &aws.ctx,
            "iam:DeletePolicy",
            &json!({"PolicyArn": arn}),
        ))
        .map_err(|e| fail("deleting", &what, e))
    }
}

/// `attachments` tells how many users a policy ARN is attached to.
fn read_policy(w: &World, prior: &Map, attachments: impl Fn(&str) -> usize) -> Option<Map> {
    let arn = str_of(prior, "id").or_else(|| str_of(prior, "arn"))?;
    let p = w.iam.policies.get(arn)?;
    let doc = p.default_version().map_or("", |v| v.document.as_str());
    let attachments = attachments(arn);
    // An unset description is "" in IAM; keep it unset so it plans no (replacing) change.
    let description = match (p.description.as_str(), val(prior, "description")) {
        ("", Value::Null | Value::Unknown) => Value::Null,
        (d, _) => Value::string(d),
    };
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&p.arn));
    m.insert("arn".into(), Value::string(&p.arn));
    m.insert("name".into(), Value::string(&p.name));
    m.insert("name_prefix".into(), name_prefix_from_name(&p.name));
    m.insert("path".into(), Value::string(&p.path));
    m.insert("description".into(), description);
    m.insert("policy".into(), keep_policy(prior, "policy", doc));
    m.insert("policy_id".into(), Value::string(&p.policy_id));
    m.insert("attachment_count".into(), Value::from(attachments as i64));
    // The simulated IAM has no TagPolicy: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

fn prune_policy_versions(aws: &mut AwsProvider<'_>, arn: &str) -> Result<(), ProviderError> {
    let oldest = match aws.cloud.world.iam.policies.get(arn) {
        Some(p) if p.versions.len() >= MAX_POLICY_VERSIONS => p
            .versions
            .iter()
            .filter(|v| !v.is_default)
            .min_by_key(|v| {
                (
                    v.created,
                    v.id.trim_start_matches('v').parse::<u64>().unwrap_or(0),
                )
            })
            .map(|v| v.id.clone()),
        _ => None,
    };
    if let Some(v) = oldest {
        let p = json!({"PolicyArn": arn, "VersionId": v});
        aws.cloud
            .call_json(&aws.ctx, "iam:DeletePolicyVersion", &p)
            .map_err(|e| {
                fail(
                    "deleting",
                    &format!("{} version ({v})", target(POLICY, arn)),
                    e,
                )
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn managed_policy_versions_stay_within_the_limit() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_policy",
            vec![("name", s("lab-read")), ("policy", s(DOC))],
        );
        let mut pol = p.create("aws_iam_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_iam_policy", &pol);
        let arn = "arn:aws:iam::123456789012:policy/lab-read";
        assert_eq!(pol["id"], s(arn));
        assert_eq!(pol["arn"], s(arn));
        assert_eq!(
            pol["description"],
            Value::Null,
            "unset description stays unset"
        );
        assert_eq!(pol["attachment_count"], Value::from(0));
        assert!(pol["policy_id"].as_str().unwrap().starts_with("ANPA"));
        assert_eq!(p.read("aws_iam_policy", &pol).unwrap().as_ref(), Some(&pol));

        for (i, action) in [
            "s3:GetObject",
            "s3:PutObject",
            "s3:ListBucket",
            "s3:DeleteObject",
            "s3:GetBucketPolicy",
            "kms:Decrypt",
        ]
        .iter()
        .enumerate()
        {
            let planned = plan_update(
                &p,
                "aws_iam_policy",
                &pol,
                vec![("policy", s(&doc(action)))],
            );
            pol = p.update("aws_iam_policy", &pol, &planned).unwrap();
            let m = &p.cloud.world.iam.policies[arn];
            assert!(m.versions.len() <= 5);
            assert_eq!(m.default_version().unwrap().id, format!("v{}", i + 2));
            assert_eq!(pol["policy"], s(&doc(action)));
        }
        let ids: Vec<&str> = p.cloud.world.iam.policies[arn]
            .versions
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["v3", "v4", "v5", "v6", "v7"],
            "the oldest versions were pruned"
        );

        let alice = user(&mut p, "alice");
        let planned = plan_create(
            &p,
            "aws_iam_user_policy_attachment",
            vec![("user", s("alice")), ("policy_arn", s(arn))],
        );
        let att = p
            .create("aws_iam_user_policy_attachment", &planned)
            .unwrap();
        assert_eq!(
            p.read("aws_iam_policy", &pol).unwrap().unwrap()["attachment_count"],
            Value::from(1)
        );
        p.delete("aws_iam_user_policy_attachment", &att).unwrap();
        // The count read above is not reused once the attachment is gone.
        assert_eq!(
            p.read("aws_iam_policy", &pol).unwrap().unwrap()["attachment_count"],
            Value::from(0)
        );

        p.delete("aws_iam_policy", &pol).unwrap();
        assert!(p.cloud.world.iam.policies.is_empty());
        assert_eq!(p.read("aws_iam_policy", &pol).unwrap(), None);
        let _ = alice;
    }

    #[test]
    fn generated_policy_names_and_conflicts() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_iam_policy",
            vec![("name_prefix", s("lab-")), ("policy", s(DOC))],
        );
        let pol = p.create("aws_iam_policy", &planned).unwrap();
        assert_eq!(pol["name_prefix"], s("lab-"));
        assert!(pol["name"].as_str().unwrap().starts_with("lab-1970"));
        let planned = plan_create(
            &p,
            "aws_iam_policy",
            vec![("name", pol["name"].clone()), ("policy", s(DOC))],
        );
        let e = p.create("aws_iam_policy", &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("EntityAlreadyExists"));
    }
}
