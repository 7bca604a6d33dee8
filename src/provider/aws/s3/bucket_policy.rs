//! `aws_s3_bucket_policy`: a bucket's policy. Equivalent JSON is no change; whether the policy
//! is allowed (Block Public Access) is the sim's to decide.

use serde_json::json;

use super::already_gone;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{policy_json, string};
use crate::provider::aws::common::{fail, keep_policy, str_of, target, val};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const POLICY: &str = "S3 Bucket Policy";

/// `aws_s3_bucket_policy`.
pub(crate) struct BucketPolicy;

impl Resource<AwsProvider<'_>> for BucketPolicy {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_s3_bucket_policy",
            summary: "A bucket policy",
            body: BodySchema::new(vec![
                A::required("bucket", string()).force_new(),
                A::required("policy", T::Json).validate(policy_json),
                A::computed("id", string()),
            ])
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        POLICY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_bucket_policy(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = put_bucket_policy(aws, "creating", planned)?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&bucket));
        self.read_back(aws, "creating", &bucket, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        if val(prior, "policy") != val(planned, "policy") {
            put_bucket_policy(aws, "updating", planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        self.read_back(
            aws,
            "updating",
            str_of(prior, "id").unwrap_or_default(),
            &seed,
        )
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let bucket = str_of(prior, "id").unwrap_or_default();
        match aws.cloud.call_json(
            &aws.ctx,
            "s3:DeleteBucketPolicy",
            &json!({"Bucket": bucket}),
        ) {
            Err(e) if !already_gone(&e.code) => Err(fail("deleting", &target(POLICY, bucket), e)),
            _ => Ok(()),
        }
    }
}

fn read_bucket_policy(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let policy = b.policy.as_deref()?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert("policy".into(), keep_policy(prior, "policy", policy));
    Some(m)
}

fn put_bucket_policy(
    aws: &mut AwsProvider<'_>,
    doing: &str,
    planned: &Map,
) -> Result<String, ProviderError> {
    let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
    let p = json!({"Bucket": bucket, "Policy": str_of(planned, "policy").unwrap_or_default()});
    aws.cloud
        .call_json(&aws.ctx, "s3:PutBucketPolicy", &p)
        .map_err(|e| fail(doing, &target(POLICY, &bucket), e))?;
    Ok(bucket)
}

#[cfg(test)]
mod tests {

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;

    use crate::provider::aws::common::testing::*;

    use crate::value::Value;

    #[test]
    fn public_access_block_and_bucket_policy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "pol-bucket");
        let planned = plan_create(
            &p,
            "aws_s3_bucket_public_access_block",
            vec![
                ("bucket", s("pol-bucket")),
                ("block_public_policy", Value::Bool(true)),
            ],
        );
        let pab = p
            .create("aws_s3_bucket_public_access_block", &planned)
            .unwrap();
        assert_complete(Mode::Managed, "aws_s3_bucket_public_access_block", &pab);
        assert_eq!(pab["block_public_acls"], Value::Bool(false));
        assert_eq!(pab["block_public_policy"], Value::Bool(true));
        assert_eq!(
            p.read("aws_s3_bucket_public_access_block", &pab)
                .unwrap()
                .as_ref(),
            Some(&pab)
        );
        let pab_state = p.cloud.world.s3.buckets["pol-bucket"]
            .public_access_block
            .unwrap();
        assert!(pab_state.block_public_policy && !pab_state.restrict_public_buckets);

        let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::pol-bucket/*"}]}"#;
        let planned = plan_create(
            &p,
            "aws_s3_bucket_policy",
            vec![("bucket", s("pol-bucket")), ("policy", s(public))],
        );
        let e = p.create("aws_s3_bucket_policy", &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("AccessDenied"));

        let planned = plan_update(
            &p,
            "aws_s3_bucket_public_access_block",
            &pab,
            vec![("block_public_policy", Value::Bool(false))],
        );
        let pab2 = p
            .update("aws_s3_bucket_public_access_block", &pab, &planned)
            .unwrap();
        assert_eq!(pab2["block_public_policy"], Value::Bool(false));
        let planned = plan_create(
            &p,
            "aws_s3_bucket_policy",
            vec![("bucket", s("pol-bucket")), ("policy", s(public))],
        );
        let bp = p.create("aws_s3_bucket_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_s3_bucket_policy", &bp);
        assert_eq!(
            p.read("aws_s3_bucket_policy", &bp).unwrap().as_ref(),
            Some(&bp)
        );
        let pretty = serde_json::to_string_pretty(
            &serde_json::from_str::<serde_json::Value>(public).unwrap(),
        )
        .unwrap();
        let planned = plan_update(
            &p,
            "aws_s3_bucket_policy",
            &bp,
            vec![("policy", s(&pretty))],
        );
        assert_eq!(
            planned["policy"],
            s(public),
            "reformatted JSON is no change"
        );
        let narrower = public.replace("pol-bucket/*", "pol-bucket/public/*");
        let planned = plan_update(
            &p,
            "aws_s3_bucket_policy",
            &bp,
            vec![("policy", s(&narrower))],
        );
        let bp = p.update("aws_s3_bucket_policy", &bp, &planned).unwrap();
        assert_eq!(bp["policy"], s(&narrower));
        let stored = p.cloud.world.s3.buckets["pol-bucket"].policy.clone();
        assert_eq!(stored.as_deref(), Some(narrower.as_str()));

        p.delete("aws_s3_bucket_policy", &bp).unwrap();
        assert_eq!(p.cloud.world.s3.buckets["pol-bucket"].policy, None);
        assert_eq!(p.read("aws_s3_bucket_policy", &bp).unwrap(), None);

        let mut keep = pab2.clone();
        keep.insert("skip_destroy".into(), Value::Bool(true));
        p.delete("aws_s3_bucket_public_access_block", &keep)
            .unwrap();
        assert!(
            p.cloud.world.s3.buckets["pol-bucket"]
                .public_access_block
                .is_some(),
            "skip_destroy keeps it"
        );
        p.delete("aws_s3_bucket_public_access_block", &pab2)
            .unwrap();
        assert!(
            p.cloud.world.s3.buckets["pol-bucket"]
                .public_access_block
                .is_none()
        );
        assert_eq!(
            p.read("aws_s3_bucket_public_access_block", &pab2).unwrap(),
            None
        );
    }
}
