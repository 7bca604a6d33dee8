//! The bucket sub-resources the simulation does not configure, answered as S3 answers for a
//! bucket that has none (what the Terraform AWS provider reads for every `aws_s3_bucket`): the
//! owner's FULL_CONTROL ACL, no CORS/website/lifecycle/replication/Object Lock configuration,
//! no logging, the bucket owner paying, no transfer acceleration, BucketOwnerEnforced.

use serde_json::{Value as Json, json};

use super::{S3Error, s3_op};
use crate::sim::{CallContext, Cloud, SimError};

/// What S3 answers for a bucket without the configuration.
enum Unset {
    Answer(Json),
    Missing {
        code: &'static str,
        message: &'static str,
    },
}

impl Cloud {
    fn bucket_default(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        op: &'static str,
        action: &'static str,
        query: &'static str,
        unset: impl FnOnce(&Cloud) -> Unset,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        params[query] = json!("");
        self.run(ctx, s3_op(op, params, true, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, action)?;
            match unset(c) {
                Unset::Answer(j) => Ok(j),
                Unset::Missing { code, message } => {
                    Err(S3Error::NotConfigured { code, message }.into())
                }
            }
        })
    }

    pub fn s3_get_bucket_acl(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.bucket_default(ctx, p, "GetBucketAcl", "s3:GetBucketAcl", "acl", |c| {
            let owner = json!({"ID": c.world.account_id});
            Unset::Answer(json!({"Owner": owner, "Grants": [{
                "Grantee": {"Type": "CanonicalUser", "ID": c.world.account_id},
                "Permission": "FULL_CONTROL"}]}))
        })
    }

    pub fn s3_get_bucket_cors(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.bucket_default(ctx, p, "GetBucketCors", "s3:GetBucketCORS", "cors", |_| {
            Unset::Missing {
                code: "NoSuchCORSConfiguration",
                message: "The CORS configuration does not exist",
            }
        })
    }

    pub fn s3_get_bucket_website(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketWebsite",
            "s3:GetBucketWebsite",
            "website",
            |_| Unset::Missing {
                code: "NoSuchWebsiteConfiguration",
                message: "The specified bucket does not have a website configuration",
            },
        )
    }

    pub fn s3_get_bucket_logging(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketLogging",
            "s3:GetBucketLogging",
            "logging",
            |_| Unset::Answer(json!({})),
        )
    }

    pub fn s3_get_bucket_lifecycle_configuration(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketLifecycleConfiguration",
            "s3:GetLifecycleConfiguration",
            "lifecycle",
            |_| Unset::Missing {
                code: "NoSuchLifecycleConfiguration",
                message: "The lifecycle configuration does not exist",
            },
        )
    }

    pub fn s3_get_bucket_replication(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketReplication",
            "s3:GetReplicationConfiguration",
            "replication",
            |_| Unset::Missing {
                code: "ReplicationConfigurationNotFoundError",
                message: "The replication configuration was not found",
            },
        )
    }

    pub fn s3_get_object_lock_configuration(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetObjectLockConfiguration",
            "s3:GetBucketObjectLockConfiguration",
            "object-lock",
            |_| Unset::Missing {
                code: "ObjectLockConfigurationNotFoundError",
                message: "Object Lock configuration does not exist for this bucket",
            },
        )
    }

    pub fn s3_get_bucket_request_payment(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketRequestPayment",
            "s3:GetBucketRequestPayment",
            "requestPayment",
            |_| Unset::Answer(json!({"Payer": "BucketOwner"})),
        )
    }

    pub fn s3_get_bucket_accelerate_configuration(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketAccelerateConfiguration",
            "s3:GetAccelerateConfiguration",
            "accelerate",
            |_| Unset::Answer(json!({})),
        )
    }

    pub fn s3_get_bucket_ownership_controls(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.bucket_default(
            ctx,
            p,
            "GetBucketOwnershipControls",
            "s3:GetBucketOwnershipControls",
            "ownershipControls",
            |_| {
                Unset::Answer(json!({"OwnershipControls": {"Rules": [
                    {"ObjectOwnership": "BucketOwnerEnforced"}]}}))
            },
        )
    }
}
