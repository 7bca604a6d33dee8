//! S3: buckets, default encryption, public access blocks, bucket policies, and objects encrypted
//! for real (SSE-S3, SSE-KMS, DSSE-KMS, with or without bucket keys).
//!
//! A PUT asks KMS for a data key *as the caller* and a GET asks KMS to decrypt it as the caller,
//! so reading an SSE-KMS object needs both s3:GetObject and kms:Decrypt, as in AWS.
//!
//! This file holds what the operations share: the operation record, finding a bucket, and the
//! bucket-level prelude (the bucket exists, RestrictPublicBuckets, authorization). The
//! operations live beside it by concern: `bucket` (create, delete, list, location),
//! `bucket_config` (encryption, public access block, bucket policy), `object`, `bucket_key`
//! (S3 Bucket Keys cached per caller), `multipart`; their errors are [`S3Error`] (`error`).

mod bucket;
mod bucket_config;
mod bucket_key;
pub(crate) mod checksum;
mod conditions;
mod copy;
#[cfg(test)]
mod copy_tests;
mod defaults;
mod error;
mod multipart;
mod object;
mod tagging;
#[cfg(test)]
mod tests;
mod versioning;

pub use bucket::validate_bucket_name;
pub use bucket_key::BUCKET_KEY_TTL;
pub use error::S3Error;

use serde_json::{Value as Json, json};

use crate::sim::authz::Access;
use crate::sim::world::{Bucket, EntityRef};
use crate::sim::{CallContext, Cloud, Op, SimError, Touched, req_str};

fn s3_op(name: &'static str, params: Json, read_only: bool, data_event: bool) -> Op {
    Op {
        service: "s3",
        name,
        params,
        read_only,
        data_event,
    }
}

pub(crate) fn object_arn(b: &str, k: &str) -> String {
    format!("arn:aws:s3:::{b}/{k}")
}

impl Cloud {
    fn bucket(&self, b: &str) -> Result<&Bucket, S3Error> {
        self.world
            .s3
            .buckets
            .get(b)
            .ok_or_else(|| S3Error::NoSuchBucket { bucket: b.into() })
    }

    fn bucket_mut(&mut self, b: &str) -> Result<&mut Bucket, S3Error> {
        self.touch(EntityRef::Bucket(b.to_string()));
        self.world
            .s3
            .buckets
            .get_mut(b)
            .ok_or_else(|| S3Error::NoSuchBucket { bucket: b.into() })
    }

    fn bucket_params(p: &Json) -> Result<(String, Json), SimError> {
        let b = req_str(p, "Bucket")?.to_string();
        Ok((
            b.clone(),
            json!({"bucketName": b, "Host": format!("{b}.s3.amazonaws.com")}),
        ))
    }

    /// Authorizes a bucket-level call: s3:ACTION on the bucket ARN.
    fn s3_bucket_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        action: &str,
    ) -> Result<(), S3Error> {
        self.s3_bucket_prelude_with(ctx, t, b, action, &[])
    }

    /// The same, with the operation's own condition keys (ListObjectsV2's `s3:prefix`).
    fn s3_bucket_prelude_with(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        action: &str,
        conds: &[(String, String)],
    ) -> Result<(), S3Error> {
        let arn = format!("arn:aws:s3:::{b}");
        t.resources.push(("AWS::S3::Bucket".into(), arn.clone()));
        self.bucket(b)?;
        self.check_public_restriction(ctx, b)?;
        Ok(self.authorize(ctx, &Access::s3(action, &arn, b, conds))?)
    }
}
