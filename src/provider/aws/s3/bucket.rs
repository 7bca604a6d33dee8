//! `aws_s3_bucket`: an S3 bucket. Tags live in state only (the simulated S3 has no
//! PutBucketTagging); `force_destroy` empties the bucket before deleting it.

use serde_json::json;

use super::already_gone;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{string, with_tags};
use crate::provider::aws::common::{
    bool_of, carry, fail, name_prefix_from_name, opt_string, pick_name, region_info, state_tags,
    str_of, target,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::value::{Map, Value};

const BUCKET: &str = "S3 Bucket";

fn bucket_name(v: &Value) -> Result<(), String> {
    crate::sim::s3::validate_bucket_name(v.as_str().unwrap_or(""))
        .map_err(|e| format!("invalid bucket name {v}: {e}"))
}

/// `aws_s3_bucket`. Only state-only arguments (tags, force_destroy) can change in place, so
/// `update` is the default read-back.
pub(crate) struct Bucket;

impl Resource<AwsProvider<'_>> for Bucket {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_s3_bucket",
            summary: "An S3 bucket",
            body: BodySchema::new(with_tags(vec![
                A::optional_computed("bucket", string())
                    .force_new()
                    .validate(bucket_name)
                    .conflicts_with(&["bucket_prefix"]),
                A::optional_computed("bucket_prefix", string())
                    .force_new()
                    .validate(|v| check::len_between(v, 1, 37))
                    .conflicts_with(&["bucket"]),
                A::optional("force_destroy", T::Bool).default(false),
                A::computed("id", string()),
                A::computed("arn", string()),
                A::computed("bucket_domain_name", string()),
                A::computed("bucket_regional_domain_name", string()),
                A::computed("hosted_zone_id", string()),
                A::computed("region", string()),
            ]))
            .unsupported(&[
                "acl",
                "grant",
                "policy",
                "cors_rule",
                "website",
                "versioning",
                "logging",
                "lifecycle_rule",
                "replication_configuration",
                "object_lock_configuration",
                "object_lock_enabled",
                "acceleration_status",
                "request_payer",
                "server_side_encryption_configuration",
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        BUCKET
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_bucket(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(
            &aws.cloud.world,
            planned,
            "bucket",
            "bucket_prefix",
            "terraform-",
        );
        let what = target(BUCKET, &name);
        let mut p = json!({"Bucket": name});
        let region = aws.cloud.world.region.clone();
        // us-east-1 takes no location constraint; every other region needs its own.
        if region != "us-east-1" {
            p["CreateBucketConfiguration"] = json!({"LocationConstraint": region});
        }
        aws.cloud
            .call_json(&aws.ctx, "s3:CreateBucket", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_bucket(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(BUCKET, &name);
        let p = json!({"Bucket": name});
        match aws.cloud.call_json(&aws.ctx, "s3:DeleteBucket", &p) {
            Ok(_) => Ok(()),
            Err(e) if already_gone(&e.code) => Ok(()),
            Err(e) if e.code == "BucketNotEmpty" => {
                if bool_of(prior, "force_destroy") != Some(true) {
                    let mut err = fail("deleting", &what, e);
                    err.message.push_str(
                        ". Empty the bucket first, or set force_destroy = true on the \
                         aws_s3_bucket and apply that change, so that destroying it deletes \
                         every object first",
                    );
                    return Err(err);
                }
                empty_bucket(aws, &name)?;
                aws.cloud
                    .call_json(&aws.ctx, "s3:DeleteBucket", &p)
                    .map(|_| ())
                    .map_err(|e| fail("deleting", &what, e))
            }
            Err(e) => Err(fail("deleting", &what, e)),
        }
    }
}

fn read_bucket(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert("bucket_prefix".into(), name_prefix_from_name(&b.name));
    m.insert(
        "arn".into(),
        Value::string(format!("arn:aws:s3:::{}", b.name)),
    );
    m.insert(
        "bucket_domain_name".into(),
        Value::string(format!("{}.s3.amazonaws.com", b.name)),
    );
    m.insert(
        "bucket_regional_domain_name".into(),
        Value::string(format!("{}.s3.{}.amazonaws.com", b.name, b.region)),
    );
    m.insert(
        "hosted_zone_id".into(),
        opt_string(region_info(&b.region).map(|r| r.2)),
    );
    m.insert("region".into(), Value::string(&b.region));
    m.insert(
        "force_destroy".into(),
        carry(prior, "force_destroy", Value::Bool(false)),
    );
    // The simulated S3 has no PutBucketTagging: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

/// Deletes every object of a bucket (force_destroy).
fn empty_bucket(aws: &mut AwsProvider<'_>, name: &str) -> Result<(), ProviderError> {
    let keys: Vec<String> = aws
        .cloud
        .world
        .s3
        .objects
        .get(name)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    for k in keys {
        let p = json!({"Bucket": name, "Key": k});
        if let Err(e) = aws.cloud.call_json(&aws.ctx, "s3:DeleteObject", &p)
            && !already_gone(&e.code)
        {
            return Err(fail("emptying", &target(BUCKET, name), e));
        }
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
    fn bucket_create_read_update_delete() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let b = bucket(&mut p, "lab-bucket");
        assert_complete(Mode::Managed, "aws_s3_bucket", &b);
        assert_eq!(b["id"], s("lab-bucket"));
        assert_eq!(b["arn"], s("arn:aws:s3:::lab-bucket"));
        assert_eq!(b["bucket_domain_name"], s("lab-bucket.s3.amazonaws.com"));
        assert_eq!(
            b["bucket_regional_domain_name"],
            s("lab-bucket.s3.us-east-1.amazonaws.com")
        );
        assert_eq!(b["hosted_zone_id"], s("Z3AQBSTGFYJSTF"));
        assert_eq!(b["region"], s("us-east-1"));
        assert_eq!(b["force_destroy"], Value::Bool(false));
        assert_eq!(b["bucket_prefix"], Value::Null);
        assert_eq!(p.read("aws_s3_bucket", &b).unwrap().as_ref(), Some(&b));

        let planned = plan_update(
            &p,
            "aws_s3_bucket",
            &b,
            vec![("tags", obj(vec![("env", s("lab"))]))],
        );
        let b2 = p.update("aws_s3_bucket", &b, &planned).unwrap();
        assert_eq!(b2["tags_all"], obj(vec![("env", s("lab"))]));

        object(&mut p, "lab-bucket", "a.txt", vec![("content", s("hi"))]);
        let e = p.delete("aws_s3_bucket", &b2).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("BucketNotEmpty"));
        assert!(
            e.message
                .starts_with("deleting S3 Bucket (lab-bucket): BucketNotEmpty:"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("Empty the bucket") && e.message.contains("force_destroy = true")
        );

        let planned = plan_update(
            &p,
            "aws_s3_bucket",
            &b2,
            vec![("force_destroy", Value::Bool(true))],
        );
        let mark = events(&p);
        let b3 = p.update("aws_s3_bucket", &b2, &planned).unwrap();
        assert_eq!(events(&p), mark, "force_destroy is state only");
        p.delete("aws_s3_bucket", &b3).unwrap();
        assert!(p.cloud.world.s3.buckets.is_empty() && p.cloud.world.s3.objects.is_empty());
        assert_eq!(p.read("aws_s3_bucket", &b3).unwrap(), None);
    }

    #[test]
    fn generated_bucket_names_keep_their_prefix() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(&p, "aws_s3_bucket", vec![("bucket_prefix", s("lab-"))]);
        let b = p.create("aws_s3_bucket", &planned).unwrap();
        let name = b["bucket"].as_str().unwrap();
        assert!(
            name.starts_with("lab-19700101") && name.len() == 4 + 26,
            "{name}"
        );
        assert_eq!(b["bucket_prefix"], s("lab-"));
        let planned = plan_create(&p, "aws_s3_bucket", vec![]);
        let b2 = p.create("aws_s3_bucket", &planned).unwrap();
        assert!(b2["bucket"].as_str().unwrap().starts_with("terraform-"));
        assert_ne!(b["bucket"], b2["bucket"]);
    }
}
