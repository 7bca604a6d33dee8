//! S3 bucket settings: default encryption (Put/Get/DeleteBucketEncryption), the public access
//! block (Put/Get/DeletePublicAccessBlock, and RestrictPublicBuckets at every call) and the
//! bucket policy (Put/Get/DeleteBucketPolicy, with BlockPublicPolicy).
//!
//! Evaluating the bucket policy is `authz`'s and `policy`'s work, not this file's.

use serde_json::{Value as Json, json};

use super::{S3Error, s3_op};
use crate::sim::policy::{PolicyDocument, PolicyError};
use crate::sim::world::{EncryptionRule, PublicAccessBlock};
use crate::sim::{CallContext, Cloud, Principal, SimError, opt_bool, opt_str, req_str};

impl Cloud {
    /// RestrictPublicBuckets: a public bucket policy serves only the owner account.
    pub(super) fn check_public_restriction(
        &self,
        ctx: &CallContext,
        b: &str,
    ) -> Result<(), S3Error> {
        let restrict = self
            .bucket(b)?
            .public_access_block
            .is_some_and(|p| p.restrict_public_buckets);
        if restrict && matches!(ctx.principal, Principal::Anonymous) {
            return Err(S3Error::AnonymousDenied);
        }
        Ok(())
    }

    pub fn s3_put_bucket_encryption(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let cfg = p
            .get("ServerSideEncryptionConfiguration")
            .cloned()
            .unwrap_or(Json::Null);
        params["ServerSideEncryptionConfiguration"] = cfg.clone();
        let rules = parse_encryption_rules(&cfg)?;
        self.run(
            ctx,
            s3_op("PutBucketEncryption", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutEncryptionConfiguration")?;
                let bucket = c.bucket_mut(&b)?;
                bucket.encryption = Some(rules);
                // New objects must use the new configuration's key, not a cached one.
                bucket.bucket_keys.clear();
                Ok(json!({}))
            },
        )
    }

    pub fn s3_get_bucket_encryption(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(ctx, s3_op("GetBucketEncryption", params, true, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:GetEncryptionConfiguration")?;
            // Since January 2023 a bucket without configuration reports SSE-S3.
            let rules = c.bucket(&b)?.encryption.clone().unwrap_or_else(|| {
                vec![EncryptionRule { sse_algorithm: "AES256".into(), kms_master_key_id: None, bucket_key_enabled: false }]
            });
            let rules: Vec<Json> = rules
                .iter()
                .map(|r| {
                    let mut d = json!({"SSEAlgorithm": r.sse_algorithm});
                    if let Some(k) = &r.kms_master_key_id {
                        d["KMSMasterKeyID"] = json!(k);
                    }
                    json!({"ApplyServerSideEncryptionByDefault": d, "BucketKeyEnabled": r.bucket_key_enabled})
                })
                .collect();
            Ok(json!({"ServerSideEncryptionConfiguration": {"Rules": rules}}))
        })
    }

    pub fn s3_delete_bucket_encryption(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("DeleteBucketEncryption", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutEncryptionConfiguration")?;
                c.bucket_mut(&b)?.encryption = None;
                Ok(json!({}))
            },
        )
    }

    pub fn s3_put_public_access_block(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let cfg = p
            .get("PublicAccessBlockConfiguration")
            .cloned()
            .unwrap_or(Json::Null);
        if !cfg.is_object() {
            return Err(SimError::param(
                "Missing required parameter in input: \"PublicAccessBlockConfiguration\"",
            ));
        }
        let flag = |n: &str| opt_bool(&cfg, n).map(|v| v.unwrap_or(false));
        let pab = PublicAccessBlock {
            block_public_acls: flag("BlockPublicAcls")?,
            ignore_public_acls: flag("IgnorePublicAcls")?,
            block_public_policy: flag("BlockPublicPolicy")?,
            restrict_public_buckets: flag("RestrictPublicBuckets")?,
        };
        params["PublicAccessBlockConfiguration"] = cfg;
        self.run(
            ctx,
            s3_op("PutPublicAccessBlock", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketPublicAccessBlock")?;
                c.bucket_mut(&b)?.public_access_block = Some(pab);
                Ok(json!({}))
            },
        )
    }

    pub fn s3_get_public_access_block(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(ctx, s3_op("GetPublicAccessBlock", params, true, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketPublicAccessBlock")?;
            let Some(pab) = c.bucket(&b)?.public_access_block else {
                return Err(S3Error::NoSuchPublicAccessBlock.into());
            };
            Ok(json!({"PublicAccessBlockConfiguration": {
                "BlockPublicAcls": pab.block_public_acls, "IgnorePublicAcls": pab.ignore_public_acls,
                "BlockPublicPolicy": pab.block_public_policy, "RestrictPublicBuckets": pab.restrict_public_buckets,
            }}))
        })
    }

    pub fn s3_delete_public_access_block(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("DeletePublicAccessBlock", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketPublicAccessBlock")?;
                c.bucket_mut(&b)?.public_access_block = None;
                Ok(json!({}))
            },
        )
    }

    pub fn s3_put_bucket_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let policy = req_str(p, "Policy")?.to_string();
        params["bucketPolicy"] = serde_json::from_str(&policy).unwrap_or(Json::Null);
        self.run(
            ctx,
            s3_op("PutBucketPolicy", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketPolicy")?;
                owner_account_only(ctx)?;
                let doc = PolicyDocument::parse(&policy).map_err(|e| match e {
                    PolicyError::InvalidPrincipal { .. } => S3Error::InvalidPrincipal,
                    e => S3Error::MalformedPolicy(e),
                })?;
                if doc.statements().iter().any(|s| !s.has_principal()) {
                    return Err(S3Error::PolicyWithoutPrincipal.into());
                }
                if c.invalid_principal(&policy).is_some() {
                    return Err(S3Error::InvalidPrincipal.into());
                }
                let blocks = c
                    .bucket(&b)?
                    .public_access_block
                    .is_some_and(|x| x.block_public_policy);
                if blocks && doc.is_public() {
                    let arn = c.principal_arn(&ctx.principal);
                    return Err(S3Error::PublicPolicyBlocked {
                        caller: arn,
                        bucket: b.clone(),
                    }
                    .into());
                }
                c.bucket_mut(&b)?.policy = Some(policy);
                Ok(json!({}))
            },
        )
    }

    pub fn s3_get_bucket_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("GetBucketPolicy", params, true, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketPolicy")?;
                owner_account_only(ctx)?;
                match &c.bucket(&b)?.policy {
                    Some(pol) => Ok(json!({"Policy": pol})),
                    None => Err(S3Error::NoSuchBucketPolicy.into()),
                }
            },
        )
    }

    pub fn s3_delete_bucket_policy(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("DeleteBucketPolicy", params, false, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:DeleteBucketPolicy")?;
                owner_account_only(ctx)?;
                c.bucket_mut(&b)?.policy = None;
                Ok(json!({}))
            },
        )
    }
}

/// Bucket policy operations belong to the bucket owner's account: a caller the policies allow
/// but who is not of that account gets 405 MethodNotAllowed (after the permission check, which
/// answers 403 first). Every user, role session and the root are of the one account a world
/// has; anonymous callers and services are of none, so they never read or change a bucket
/// policy, whatever the policy says.
fn owner_account_only(ctx: &CallContext) -> Result<(), S3Error> {
    match ctx.principal {
        Principal::User(_) | Principal::Root | Principal::Session(_) => Ok(()),
        Principal::Anonymous | Principal::Service(_) => Err(S3Error::NotBucketOwner),
    }
}

/// Parses a ServerSideEncryptionConfiguration parameter.
fn parse_encryption_rules(cfg: &Json) -> Result<Vec<EncryptionRule>, SimError> {
    let rules = cfg.get("Rules").and_then(Json::as_array).ok_or_else(|| {
        SimError::param(
            "Missing required parameter in ServerSideEncryptionConfiguration: \"Rules\"",
        )
    })?;
    if rules.is_empty() {
        return Err(S3Error::MalformedXml.into());
    }
    rules
        .iter()
        .map(|r| {
            let d = r
                .get("ApplyServerSideEncryptionByDefault")
                .cloned()
                .unwrap_or(Json::Null);
            let alg = req_str(&d, "SSEAlgorithm")?.to_string();
            if !matches!(alg.as_str(), "AES256" | "aws:kms" | "aws:kms:dsse") {
                return Err(S3Error::UnsupportedSseAlgorithm { algorithm: alg }.into());
            }
            let key = opt_str(&d, "KMSMasterKeyID")?.map(str::to_string);
            if key.is_some() && alg == "AES256" {
                return Err(S3Error::KmsKeyNotApplicable.into());
            }
            Ok(EncryptionRule {
                sse_algorithm: alg,
                kms_master_key_id: key,
                bucket_key_enabled: opt_bool(r, "BucketKeyEnabled")?.unwrap_or(false),
            })
        })
        .collect()
}
