//! `aws_s3_bucket_public_access_block`: the four Block Public Access switches of a bucket.
//! `skip_destroy` leaves them in place when the resource is destroyed.

use serde_json::json;

use super::already_gone;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{bool_of, carry, fail, str_of, target, val};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const PAB: &str = "S3 Bucket Public Access Block";

const PAB_FLAGS: [(&str, &str); 4] = [
    ("block_public_acls", "BlockPublicAcls"),
    ("block_public_policy", "BlockPublicPolicy"),
    ("ignore_public_acls", "IgnorePublicAcls"),
    ("restrict_public_buckets", "RestrictPublicBuckets"),
];

/// `aws_s3_bucket_public_access_block`.
pub(crate) struct BucketPublicAccessBlock;

impl Resource<AwsProvider<'_>> for BucketPublicAccessBlock {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_s3_bucket_public_access_block",
            summary: "The four Block Public Access switches of a bucket",
            body: BodySchema::new(vec![
                A::required("bucket", string()).force_new(),
                A::optional("block_public_acls", T::Bool).default(false),
                A::optional("block_public_policy", T::Bool).default(false),
                A::optional("ignore_public_acls", T::Bool).default(false),
                A::optional("restrict_public_buckets", T::Bool).default(false),
                A::optional("skip_destroy", T::Bool).default(false),
                A::computed("id", string()),
            ])
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        PAB
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_pab(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = put_pab(aws, "creating", planned)?;
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
        if PAB_FLAGS
            .iter()
            .any(|(a, _)| val(prior, a) != val(planned, a))
        {
            put_pab(aws, "updating", planned)?;
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
        if bool_of(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let bucket = str_of(prior, "id").unwrap_or_default();
        match aws.cloud.call_json(
            &aws.ctx,
            "s3:DeletePublicAccessBlock",
            &json!({"Bucket": bucket}),
        ) {
            Err(e) if !already_gone(&e.code) => Err(fail("deleting", &target(PAB, bucket), e)),
            _ => Ok(()),
        }
    }
}

fn read_pab(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let pab = b.public_access_block?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert(
        "block_public_acls".into(),
        Value::Bool(pab.block_public_acls),
    );
    m.insert(
        "block_public_policy".into(),
        Value::Bool(pab.block_public_policy),
    );
    m.insert(
        "ignore_public_acls".into(),
        Value::Bool(pab.ignore_public_acls),
    );
    m.insert(
        "restrict_public_buckets".into(),
        Value::Bool(pab.restrict_public_buckets),
    );
    m.insert(
        "skip_destroy".into(),
        carry(prior, "skip_destroy", Value::Bool(false)),
    );
    Some(m)
}

fn put_pab(aws: &mut AwsProvider<'_>, doing: &str, planned: &Map) -> Result<String, ProviderError> {
    let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
    let mut cfg = json!({});
    for (attr, name) in PAB_FLAGS {
        cfg[name] = json!(bool_of(planned, attr).unwrap_or(false));
    }
    let p = json!({"Bucket": bucket, "PublicAccessBlockConfiguration": cfg});
    aws.cloud
        .call_json(&aws.ctx, "s3:PutPublicAccessBlock", &p)
        .map_err(|e| fail(doing, &target(PAB, &bucket), e))?;
    Ok(bucket)
}
