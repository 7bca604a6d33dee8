//! S3 on the simulated cloud: `aws_s3_bucket` and the resources that configure a bucket
//! (default encryption, Block Public Access, bucket policy) and `aws_s3_object`, one file each,
//! plus what they share.
//!
//! Writes go through the sim's S3 operations as lab-admin (objects are encrypted by the sim, as
//! S3 does); reads look at the world directly and record nothing.

pub(super) mod bucket;
pub(super) mod bucket_policy;
pub(super) mod bucket_public_access_block;
pub(super) mod bucket_server_side_encryption_configuration;
pub(super) mod bucket_versioning;
pub(super) mod object;
pub(super) mod object_copy;

use crate::schema::check;
use crate::value::Value;

/// Shown with a plan that asks for bucket keys under DSSE-KMS.
pub(crate) const DSSE_BUCKET_KEY_WARNING: &str =
    "bucket_key_enabled has no effect with aws:kms:dsse (DSSE-KMS never uses S3 Bucket Keys)";

/// Errors that mean the thing to delete is already gone.
fn already_gone(code: &str) -> bool {
    matches!(
        code,
        "NoSuchBucket"
            | "NoSuchKey"
            | "NoSuchPublicAccessBlockConfiguration"
            | "NoSuchBucketPolicy"
    )
}

/// True if a rule asks for bucket keys under DSSE-KMS.
fn dsse_with_bucket_key(algorithm: Option<&str>, bucket_key: Option<bool>) -> bool {
    algorithm == Some("aws:kms:dsse") && bucket_key == Some(true)
}

fn sse_algorithm(v: &Value) -> Result<(), String> {
    check::one_of(v, &["AES256", "aws:kms", "aws:kms:dsse"])
}

/// Test support shared by the S3 files.
#[cfg(test)]
pub(super) mod testing {
    use serde_json::json;

    use crate::provider::Provider;
    use crate::provider::aws::AwsProvider;
    use crate::provider::aws::common::testing::*;
    use crate::value::{Map, Value};

    pub(crate) fn bucket(p: &mut AwsProvider<'_>, name: &str) -> Map {
        let planned = plan_create(p, "aws_s3_bucket", vec![("bucket", s(name))]);
        p.create("aws_s3_bucket", &planned).expect("creates bucket")
    }

    pub(crate) fn key(p: &mut AwsProvider<'_>) -> Map {
        let planned = plan_create(p, "aws_kms_key", vec![]);
        p.create("aws_kms_key", &planned).expect("creates key")
    }

    pub(crate) fn object(
        p: &mut AwsProvider<'_>,
        b: &str,
        k: &str,
        extra: Vec<(&str, Value)>,
    ) -> Map {
        let mut cfg = vec![("bucket", s(b)), ("key", s(k))];
        cfg.extend(extra);
        let planned = plan_create(p, "aws_s3_object", cfg);
        p.create("aws_s3_object", &planned).expect("creates object")
    }

    pub(crate) fn get_body(p: &mut AwsProvider<'_>, b: &str, k: &str) -> Vec<u8> {
        let ctx = p.ctx.clone();
        p.cloud
            .call(&ctx, "s3:GetObject", &json!({"Bucket": b, "Key": k}), None)
            .expect("gets object")
            .body
            .expect("GetObject answers a body")
            .to_vec()
    }
}
