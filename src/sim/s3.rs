//! S3: buckets, default encryption, public access blocks, bucket policies, and objects encrypted
//! for real (SSE-S3, SSE-KMS, DSSE-KMS, with or without bucket keys).
//!
//! A PUT asks KMS for a data key *as the caller* and a GET asks KMS to decrypt it as the caller,
//! so reading an SSE-KMS object needs both s3:GetObject and kms:Decrypt, as in AWS.

mod multipart;

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};
use zeroize::Zeroizing;

use crate::sim::authz::Access;
use crate::sim::clock::{MINUTE, Millis, iso8601};
use crate::sim::crypto::{self, KeyMaterial};
use crate::sim::world::{
    Bucket, BucketKeyEntry, EncryptionRule, EntityRef, ObjectEncryption, PublicAccessBlock,
    S3Object,
};
use crate::sim::{
    CallContext, Cloud, Op, Principal, SimError, Touched, opt_bool, opt_int, opt_str, req_str,
};

/// How long a bucket key stays cached for one caller, on the simulated clock.
pub const BUCKET_KEY_TTL: Millis = 5 * MINUTE;

fn s3_op(name: &'static str, params: Json, read_only: bool, data_event: bool) -> Op {
    Op {
        service: "s3",
        name,
        params,
        read_only,
        data_event,
    }
}

fn no_such_bucket(b: &str) -> SimError {
    SimError::service(
        "NoSuchBucket",
        404,
        format!("The specified bucket does not exist: {b}"),
    )
}

/// Checks a bucket name against S3's rules; Err says which rule failed.
pub fn validate_bucket_name(name: &str) -> Result<(), String> {
    let n = name.len();
    if !(3..=63).contains(&n) {
        return Err(format!(
            "bucket names must be 3 to 63 characters long (got {n})"
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    {
        return Err(
            "bucket names may contain only lowercase letters, digits, dots (.) and hyphens (-)"
                .into(),
        );
    }
    let first_last_ok =
        |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return Err("bucket names must begin and end with a letter or digit".into());
    }
    if name.contains("..") {
        return Err("bucket names must not contain two adjacent periods".into());
    }
    if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        return Err("bucket names must not be formatted as an IP address".into());
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") {
        return Err("bucket names must not start with the prefix xn-- or sthree-".into());
    }
    for suffix in ["-s3alias", "--ol-s3", "--x-s3"] {
        if name.ends_with(suffix) {
            return Err(format!(
                "bucket names must not end with the suffix {suffix}"
            ));
        }
    }
    Ok(())
}

/// KMS errors as S3 reports them (aws-semantics.md §4).
fn kms_error_through_s3(e: SimError) -> SimError {
    match e.code.as_str() {
        "AccessDeniedException" => SimError::service("AccessDenied", 403, e.message),
        "DisabledException"
        | "KMSInvalidStateException"
        | "NotFoundException"
        | "InvalidCiphertextException" => {
            SimError::service(&format!("KMS.{}", e.code), 400, e.message)
        }
        _ => e,
    }
}

/// How PutObject (or CreateMultipartUpload) asks for an object to be stored.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PutRequest {
    pub sse: Option<String>,
    pub kms_key: Option<String>,
    /// Base64 JSON, as the `x-amz-server-side-encryption-context` header carries it.
    pub extra_ctx: Option<String>,
    pub bucket_key: Option<bool>,
    pub content_type: String,
    pub metadata: BTreeMap<String, String>,
}

impl PutRequest {
    /// Reads the storage parameters of PutObject / CreateMultipartUpload.
    pub(crate) fn from_params(p: &Json) -> Result<PutRequest, SimError> {
        Ok(PutRequest {
            sse: opt_str(p, "ServerSideEncryption")?.map(str::to_string),
            kms_key: opt_str(p, "SSEKMSKeyId")?.map(str::to_string),
            extra_ctx: opt_str(p, "SSEKMSEncryptionContext")?.map(str::to_string),
            bucket_key: opt_bool(p, "BucketKeyEnabled")?,
            content_type: opt_str(p, "ContentType")?
                .unwrap_or("binary/octet-stream")
                .to_string(),
            metadata: crate::sim::opt_str_map(p, "Metadata")?,
        })
    }

    /// Adds the encryption headers to the CloudTrail request parameters, as S3 logs them.
    pub(crate) fn log_params(&self, params: &mut Json) {
        for (name, v) in [
            ("x-amz-server-side-encryption", &self.sse),
            ("x-amz-server-side-encryption-aws-kms-key-id", &self.kms_key),
        ] {
            if let Some(v) = v {
                params[name] = json!(v);
            }
        }
    }
}

pub(crate) fn object_arn(b: &str, k: &str) -> String {
    format!("arn:aws:s3:::{b}/{k}")
}

/// One object's metadata as GetObject/HeadObject return it.
fn object_fields(o: &S3Object) -> Json {
    let mut m = json!({
        "ContentLength": o.size,
        "ETag": format!("\"{}\"", o.etag),
        "LastModified": iso8601(o.last_modified),
        "ContentType": o.content_type,
        "ServerSideEncryption": o.encryption.algorithm,
        "ChecksumSHA256": o.checksum_sha256,
        "Metadata": o.metadata,
    });
    if let Some(arn) = &o.encryption.kms_key_arn {
        m["SSEKMSKeyId"] = json!(arn);
    }
    if o.encryption.bucket_key_enabled {
        m["BucketKeyEnabled"] = json!(true);
    }
    m
}

impl Cloud {
    fn bucket(&self, b: &str) -> Result<&Bucket, SimError> {
        self.world
            .s3
            .buckets
            .get(b)
            .ok_or_else(|| no_such_bucket(b))
    }

    fn bucket_mut(&mut self, b: &str) -> Result<&mut Bucket, SimError> {
        self.touch(EntityRef::Bucket(b.to_string()));
        self.world
            .s3
            .buckets
            .get_mut(b)
            .ok_or_else(|| no_such_bucket(b))
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
    ) -> Result<(), SimError> {
        let arn = format!("arn:aws:s3:::{b}");
        t.resources.push(("AWS::S3::Bucket".into(), arn.clone()));
        self.bucket(b)?;
        self.check_public_restriction(ctx, b)?;
        self.authorize(ctx, &Access::s3(action, &arn, b, &[]))
    }

    /// RestrictPublicBuckets: a public bucket policy serves only the owner account.
    fn check_public_restriction(&self, ctx: &CallContext, b: &str) -> Result<(), SimError> {
        let restrict = self
            .bucket(b)?
            .public_access_block
            .is_some_and(|p| p.restrict_public_buckets);
        if restrict && matches!(ctx.principal, Principal::Anonymous) {
            return Err(SimError::service(
                "AccessDenied",
                403,
                crate::sim::policy::S3_ACCESS_DENIED,
            ));
        }
        Ok(())
    }

    pub fn s3_create_bucket(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        let region = p
            .get("CreateBucketConfiguration")
            .and_then(|c| c.get("LocationConstraint"))
            .and_then(Json::as_str)
            .map(str::to_string);
        self.run(ctx, s3_op("CreateBucket", params, false, false), |c, t| {
            let arn = format!("arn:aws:s3:::{b}");
            t.resources.push(("AWS::S3::Bucket".into(), arn.clone()));
            c.authorize(ctx, &Access::iam_only("s3:CreateBucket", &arn))?;
            validate_bucket_name(&b)
                .map_err(|why| SimError::service("InvalidBucketName", 400, format!("The specified bucket is not valid: {why}.")))?;
            if c.world.s3.buckets.contains_key(&b) {
                return Err(SimError::service(
                    "BucketAlreadyOwnedByYou",
                    409,
                    "Your previous request to create the named bucket succeeded and you already own it.",
                ));
            }
            let region = region.unwrap_or_else(|| c.world.region.clone());
            if region != c.world.region && !(region.is_empty() && c.world.region == "us-east-1") {
                return Err(SimError::service(
                    "IllegalLocationConstraintException",
                    400,
                    format!("The {region} location constraint is incompatible for the region specific endpoint this request was sent to."),
                ));
            }
            let bucket = Bucket {
                name: b.clone(),
                created: c.world.now,
                region: c.world.region.clone(),
                encryption: None,
                public_access_block: Some(PublicAccessBlock {
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                }),
                policy: None,
                tags: BTreeMap::new(),
                bucket_keys: Vec::new(),
            };
            c.world.s3.buckets.insert(b.clone(), bucket);
            c.touch(EntityRef::Bucket(b.clone()));
            Ok(json!({"Location": format!("/{b}")}))
        })
    }

    pub fn s3_delete_bucket(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(ctx, s3_op("DeleteBucket", params, false, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:DeleteBucket")?;
            if c.world.s3.objects.get(&b).is_some_and(|o| !o.is_empty()) {
                return Err(SimError::service(
                    "BucketNotEmpty",
                    409,
                    "The bucket you tried to delete is not empty",
                ));
            }
            c.world.s3.buckets.remove(&b);
            c.touch(EntityRef::Bucket(b.clone()));
            Ok(json!({}))
        })
    }

    pub fn s3_head_bucket(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(ctx, s3_op("HeadBucket", params, true, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:ListBucket")?;
            Ok(json!({"BucketRegion": c.bucket(&b)?.region}))
        })
    }

    pub fn s3_list_buckets(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.run(ctx, s3_op("ListBuckets", p.clone(), true, false), |c, _| {
            c.authorize(ctx, &Access::iam_only("s3:ListAllMyBuckets", "*"))?;
            let buckets: Vec<Json> = c
                .world
                .s3
                .buckets
                .values()
                .map(|b| json!({"Name": b.name, "CreationDate": iso8601(b.created)}))
                .collect();
            Ok(json!({"Buckets": buckets, "Owner": {"ID": c.world.account_id}}))
        })
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
                return Err(SimError::service(
                    "NoSuchPublicAccessBlockConfiguration",
                    404,
                    "The public access block configuration was not found",
                ));
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
        self.run(ctx, s3_op("PutBucketPolicy", params, false, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:PutBucketPolicy")?;
            let doc = crate::sim::policy::PolicyDocument::parse(&policy)
                .map_err(|e| SimError::service("MalformedPolicy", 400, e.to_string()))?;
            if doc.statements().iter().any(|s| !s.has_principal()) {
                return Err(SimError::service("MalformedPolicy", 400, "Policy has invalid resource: every statement of a bucket policy needs a Principal"));
            }
            let blocks = c.bucket(&b)?.public_access_block.is_some_and(|x| x.block_public_policy);
            if blocks && doc.is_public() {
                let arn = c.principal_arn(&ctx.principal);
                return Err(SimError::service(
                    "AccessDenied",
                    403,
                    format!("User: {arn} is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::{b}\" because public policies are blocked by the BlockPublicPolicy block public access setting."),
                ));
            }
            c.bucket_mut(&b)?.policy = Some(policy);
            Ok(json!({}))
        })
    }

    pub fn s3_get_bucket_policy(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, params) = Cloud::bucket_params(p)?;
        self.run(
            ctx,
            s3_op("GetBucketPolicy", params, true, false),
            |c, t| {
                c.s3_bucket_prelude(ctx, t, &b, "s3:GetBucketPolicy")?;
                match &c.bucket(&b)?.policy {
                    Some(pol) => Ok(json!({"Policy": pol})),
                    None => Err(SimError::service(
                        "NoSuchBucketPolicy",
                        404,
                        "The bucket policy does not exist",
                    )),
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
                c.bucket_mut(&b)?.policy = None;
                Ok(json!({}))
            },
        )
    }

    // ------------------------------------------------------------ objects

    fn object_prelude(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        k: &str,
        action: &str,
        conds: &[(String, String)],
    ) -> Result<(), SimError> {
        let arn = object_arn(b, k);
        t.resources.push(("AWS::S3::Object".into(), arn.clone()));
        t.resources
            .push(("AWS::S3::Bucket".into(), format!("arn:aws:s3:::{b}")));
        self.bucket(b)?;
        self.check_public_restriction(ctx, b)?;
        self.authorize(ctx, &Access::s3(action, &arn, b, conds))
    }

    /// PutObject with the body given as bytes.
    pub fn s3_put_object(
        &mut self,
        ctx: &CallContext,
        p: &Json,
        body: &[u8],
    ) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        validate_key(&k)?;
        params["key"] = json!(k);
        let req = PutRequest::from_params(p)?;
        req.log_params(&mut params);
        self.run(ctx, s3_op("PutObject", params, false, true), |c, t| {
            c.store_object(ctx, t, &b, &k, &req, body)
        })
    }

    /// Encrypts and stores an object as PutObject does (authorization included); also the
    /// last step of CompleteMultipartUpload.
    pub(crate) fn store_object(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        b: &str,
        k: &str,
        req: &PutRequest,
        body: &[u8],
    ) -> Result<Json, SimError> {
        let (b, k) = (b.to_string(), k.to_string());
        let PutRequest {
            sse,
            kms_key,
            extra_ctx,
            bucket_key,
            content_type,
            metadata,
        } = req.clone();
        let c = self;
        {
            let mut conds = Vec::new();
            if let Some(s) = &sse {
                conds.push(("s3:x-amz-server-side-encryption".to_string(), s.clone()));
            }
            if let Some(kk) = &kms_key {
                conds.push((
                    "s3:x-amz-server-side-encryption-aws-kms-key-id".to_string(),
                    kk.clone(),
                ));
            }
            c.object_prelude(ctx, t, &b, &k, "s3:PutObject", &conds)?;
            let default = c
                .bucket(&b)?
                .encryption
                .as_ref()
                .and_then(|r| r.first().cloned());
            let (algorithm, rule_key, rule_bucket_key) = match (&sse, &default) {
                (Some(s), _) => (s.clone(), None, false),
                (None, Some(r)) => (
                    r.sse_algorithm.clone(),
                    r.kms_master_key_id.clone(),
                    r.bucket_key_enabled,
                ),
                (None, None) => ("AES256".to_string(), None, false),
            };
            if !matches!(algorithm.as_str(), "AES256" | "aws:kms" | "aws:kms:dsse") {
                return Err(SimError::service(
                    "InvalidArgument",
                    400,
                    format!("The encryption method specified is not supported: {algorithm}"),
                ));
            }
            let kms_mode = algorithm != "AES256";
            if !kms_mode && kms_key.is_some() {
                return Err(SimError::service(
                    "InvalidArgument",
                    400,
                    "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
                ));
            }
            let object = object_arn(&b, &k);
            let blob_id = c.world.ids.uuid();
            let aad = format!("{object}\n{blob_id}");
            let mut enc = ObjectEncryption {
                algorithm: algorithm.clone(),
                kms_key_arn: None,
                bucket_key_enabled: false,
                wrapped_data_key: None,
                bucket_sealed_key: None,
                context: BTreeMap::new(),
                s3_wrapped_key: None,
            };
            let sealed = if kms_mode {
                let key_ref = match kms_key.clone().or(rule_key) {
                    Some(r) => r,
                    None => c.aws_managed_s3_key()?,
                };
                let key_arn = c.kms_key_arn_for(&key_ref).map_err(kms_error_through_s3)?;
                // DSSE-KMS never uses a bucket key, as in AWS.
                let use_bucket_key =
                    algorithm == "aws:kms" && bucket_key.unwrap_or(rule_bucket_key);
                let mut enc_ctx = decode_context(extra_ctx.as_deref())?;
                let data_key: Zeroizing<Vec<u8>>;
                if use_bucket_key {
                    let bucket_arn = format!("arn:aws:s3:::{b}");
                    enc_ctx.insert("aws:s3:arn".into(), bucket_arn);
                    let (bk, blob) = c.bucket_key_for_put(ctx, &b, &key_arn, &enc_ctx)?;
                    let dk =
                        crypto::random_bytes(32).map_err(|e| SimError::internal(e.to_string()))?;
                    crate::sim::reveal_secret("s3-object-key", &dk);
                    let sealed_dk = crypto::encrypt_body(bk.expose(), &dk, object.as_bytes())
                        .map_err(|e| SimError::internal(e.to_string()))?;
                    enc.bucket_sealed_key = Some(B64.encode(sealed_dk));
                    enc.wrapped_data_key = Some(blob);
                    enc.bucket_key_enabled = true;
                    data_key = dk;
                } else {
                    enc_ctx.insert("aws:s3:arn".into(), object.clone());
                    let req = json!({"KeyId": key_ref, "KeySpec": "AES_256", "EncryptionContext": enc_ctx});
                    let r = c
                        .kms_generate_data_key(&ctx.via("s3.amazonaws.com"), &req)
                        .map_err(kms_error_through_s3)?;
                    data_key = Zeroizing::new(b64_field(&r, "Plaintext")?);
                    enc.wrapped_data_key = r
                        .get("CiphertextBlob")
                        .and_then(Json::as_str)
                        .map(str::to_string);
                }
                enc.kms_key_arn = Some(key_arn);
                enc.context = enc_ctx;
                let layer1 = crypto::encrypt_body(&data_key, body, aad.as_bytes())
                    .map_err(|e| SimError::internal(e.to_string()))?;
                if algorithm == "aws:kms:dsse" {
                    let (s3_key, wrapped) = c.s3_managed_key(&blob_id)?;
                    enc.s3_wrapped_key = Some(wrapped);
                    crypto::encrypt_body(s3_key.expose(), &layer1, aad.as_bytes())
                        .map_err(|e| SimError::internal(e.to_string()))?
                } else {
                    layer1
                }
            } else {
                let (s3_key, wrapped) = c.s3_managed_key(&blob_id)?;
                enc.s3_wrapped_key = Some(wrapped);
                crypto::encrypt_body(s3_key.expose(), body, aad.as_bytes())
                    .map_err(|e| SimError::internal(e.to_string()))?
            };
            // As S3 does: an SSE-S3 object's ETag is the MD5 of its body; a KMS-encrypted
            // object's is opaque (random per upload), never a digest of the plaintext.
            let etag = if kms_mode {
                c.world.ids.hex(32)
            } else {
                crypto::md5_hex(body)
            };
            c.blobs
                .put(&blob_id, sealed)
                .map_err(|e| SimError::internal(format!("could not store object body: {e}")))?;
            let digest = crypto::sha256(body);
            let obj = S3Object {
                key: k.clone(),
                size: body.len() as u64,
                etag: etag.clone(),
                checksum_sha256: B64.encode(digest),
                last_modified: c.world.now,
                content_type,
                metadata,
                encryption: enc,
                blob: blob_id,
            };
            if let Some(old) = c.world.s3.objects.get(&b).and_then(|m| m.get(&k)) {
                let old_blob = old.blob.clone();
                let _ = c.blobs.delete(&old_blob);
            }
            let mut out = json!({"ETag": format!("\"{etag}\""), "ServerSideEncryption": obj.encryption.algorithm, "ChecksumSHA256": obj.checksum_sha256});
            if let Some(arn) = &obj.encryption.kms_key_arn {
                out["SSEKMSKeyId"] = json!(arn);
            }
            if obj.encryption.bucket_key_enabled {
                out["BucketKeyEnabled"] = json!(true);
            }
            c.world
                .s3
                .objects
                .entry(b.clone())
                .or_default()
                .insert(k.clone(), obj);
            c.touch(EntityRef::Object(b.clone(), k.clone()));
            Ok(out)
        }
    }

    /// A fresh S3-managed data key and its root-wrapped form.
    fn s3_managed_key(&mut self, blob_id: &str) -> Result<(KeyMaterial, String), SimError> {
        let m = KeyMaterial::generate().map_err(|e| SimError::internal(e.to_string()))?;
        crate::sim::reveal_secret("s3-managed-key", m.expose());
        let wrapped = self
            .root
            .wrap(&format!("s3/{blob_id}"), 1, &m)
            .map_err(|e| SimError::internal(e.to_string()))?;
        Ok((m, wrapped))
    }

    /// The root-key binding of a cached bucket key: which bucket, caller and KMS key it is for.
    fn bucket_key_wrap_id(b: &str, who: &str, key_arn: &str) -> String {
        format!("s3-bucket-key/{b}/{who}/{key_arn}")
    }

    /// The unexpired cached bucket key of `who` for `key_arn` in bucket `b` (for a GET: the
    /// one whose KMS blob is `blob`), unwrapped.
    fn cached_bucket_key(
        &self,
        b: &str,
        who: &str,
        key_arn: &str,
        blob: Option<&str>,
    ) -> Option<(KeyMaterial, String)> {
        let now = self.world.now;
        let e = self
            .world
            .s3
            .buckets
            .get(b)?
            .bucket_keys
            .iter()
            .rev()
            .find(|e| {
                e.principal == who
                    && e.kms_key_arn == key_arn
                    && e.expires > now
                    && blob.is_none_or(|x| x == e.blob)
            })?;
        let key = self
            .root
            .unwrap(&Cloud::bucket_key_wrap_id(b, who, key_arn), 1, &e.wrapped)
            .ok()?;
        Some((key, e.blob.clone()))
    }

    /// Caches a bucket key for `who` (wrapped under the root key), dropping expired entries.
    fn cache_bucket_key(
        &mut self,
        b: &str,
        who: &str,
        key_arn: &str,
        key: &KeyMaterial,
        blob: &str,
    ) -> Result<(), SimError> {
        let wrapped = self
            .root
            .wrap(&Cloud::bucket_key_wrap_id(b, who, key_arn), 1, key)
            .map_err(|e| SimError::internal(e.to_string()))?;
        let now = self.world.now;
        let bucket = self.bucket_mut(b)?;
        bucket.bucket_keys.retain(|e| {
            e.expires > now && !(e.principal == who && e.kms_key_arn == key_arn && e.blob == blob)
        });
        bucket.bucket_keys.push(BucketKeyEntry {
            principal: who.to_string(),
            kms_key_arn: key_arn.to_string(),
            blob: blob.to_string(),
            wrapped,
            expires: now + BUCKET_KEY_TTL,
        });
        Ok(())
    }

    /// Forgets every cached bucket key of a KMS key (its deletion ran: its data stays lost).
    pub(crate) fn forget_bucket_keys_of(&mut self, key_arn: &str) {
        let names: Vec<String> = self
            .world
            .s3
            .buckets
            .values()
            .filter(|b| b.bucket_keys.iter().any(|e| e.kms_key_arn == key_arn))
            .map(|b| b.name.clone())
            .collect();
        for n in names {
            if let Ok(b) = self.bucket_mut(&n) {
                b.bucket_keys.retain(|e| e.kms_key_arn != key_arn);
            }
        }
    }

    /// A bucket key for a PUT: from the caller's cache, or a new one from KMS as the caller.
    fn bucket_key_for_put(
        &mut self,
        ctx: &CallContext,
        b: &str,
        key_arn: &str,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<(KeyMaterial, String), SimError> {
        let who = self.principal_arn(&ctx.principal);
        if let Some((key, blob)) = self.cached_bucket_key(b, &who, key_arn, None) {
            // A cached key never spares the caller its own permission or the key's state.
            self.check_cached_key_use(ctx, key_arn, "kms:GenerateDataKey", enc_ctx)?;
            return Ok((key, blob));
        }
        let req = json!({"KeyId": key_arn, "KeySpec": "AES_256", "EncryptionContext": enc_ctx});
        let r = self
            .kms_generate_data_key(&ctx.via("s3.amazonaws.com"), &req)
            .map_err(kms_error_through_s3)?;
        let key = KeyMaterial::from_slice(&Zeroizing::new(b64_field(&r, "Plaintext")?))
            .map_err(|e| SimError::internal(e.to_string()))?;
        let blob = r
            .get("CiphertextBlob")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        self.cache_bucket_key(b, &who, key_arn, &key, &blob)?;
        Ok((key, blob))
    }

    /// Re-checks, without a KMS call or event, that the caller may still use the key.
    fn check_cached_key_use(
        &mut self,
        ctx: &CallContext,
        key_arn: &str,
        action: &str,
        enc_ctx: &BTreeMap<String, String>,
    ) -> Result<(), SimError> {
        let id = key_arn.rsplit('/').next().unwrap_or_default().to_string();
        let mut conds: Vec<(String, String)> = enc_ctx
            .iter()
            .map(|(k, v)| (format!("kms:EncryptionContext:{k}"), v.clone()))
            .collect();
        conds.push((
            "kms:ViaService".into(),
            format!("s3.{}.amazonaws.com", self.world.region),
        ));
        let via = ctx.via("s3.amazonaws.com");
        self.authorize(&via, &Access::kms(action, key_arn, &id, &conds))
            .map_err(kms_error_through_s3)?;
        match self.world.kms.keys.get(&id).map(|k| k.state) {
            Some(crate::sim::world::KeyState::Enabled) => Ok(()),
            Some(crate::sim::world::KeyState::Disabled) => Err(SimError::service(
                "KMS.DisabledException",
                400,
                format!("{key_arn} is disabled."),
            )),
            Some(crate::sim::world::KeyState::PendingDeletion) => Err(SimError::service(
                "KMS.KMSInvalidStateException",
                400,
                format!("{key_arn} is pending deletion."),
            )),
            None => Err(SimError::service(
                "KMS.NotFoundException",
                400,
                format!("Key '{key_arn}' does not exist"),
            )),
        }
    }

    /// GetObject: returns the response fields and the plaintext body.
    pub fn s3_get_object(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<(Json, Zeroizing<Vec<u8>>), SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        let range = opt_str(p, "Range")?.map(str::to_string);
        self.run(ctx, s3_op("GetObject", params, true, true), |c, t| {
            c.object_prelude(ctx, t, &b, &k, "s3:GetObject", &[])?;
            let obj = c.object(&b, &k)?.clone();
            let body = c.open_object(ctx, &b, &obj)?;
            let mut fields = object_fields(&obj);
            let body = match range {
                Some(r) => {
                    let (start, end) = parse_range(&r, body.len())?;
                    fields["ContentRange"] = json!(format!("bytes {start}-{end}/{}", body.len()));
                    fields["ContentLength"] = json!(end + 1 - start);
                    Zeroizing::new(body[start..=end].to_vec())
                }
                None => body,
            };
            Ok((fields, body))
        })
    }

    fn object(&self, b: &str, k: &str) -> Result<&S3Object, SimError> {
        self.world
            .s3
            .objects
            .get(b)
            .and_then(|m| m.get(k))
            .ok_or_else(|| SimError::service("NoSuchKey", 404, "The specified key does not exist."))
    }

    /// Decrypts an object body as the caller (KMS Decrypt through S3 for KMS modes). The
    /// AES-GCM tags authenticate the stored bytes, so a tampered body never decrypts.
    fn open_object(
        &mut self,
        ctx: &CallContext,
        b: &str,
        obj: &S3Object,
    ) -> Result<Zeroizing<Vec<u8>>, SimError> {
        let enc = &obj.encryption;
        let aad = format!("{}\n{}", object_arn(b, &obj.key), obj.blob);
        let corrupt = |_| {
            SimError::internal(format!(
                "stored object {}/{} failed authentication: the object store was tampered with",
                b, obj.key
            ))
        };
        let missing = |e: std::io::Error| {
            SimError::internal(format!("object body missing from the store: {e}"))
        };
        if enc.algorithm == "AES256" {
            let wrapped = enc.s3_wrapped_key.clone().unwrap_or_default();
            let m = self
                .root
                .unwrap(&format!("s3/{}", obj.blob), 1, &wrapped)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let sealed = self.blobs.get(&obj.blob).map_err(missing)?;
            return crypto::decrypt_body(m.expose(), &sealed, aad.as_bytes()).map_err(corrupt);
        }
        if matches!(ctx.principal, Principal::Anonymous) || !ctx.secure_transport {
            return Err(SimError::service(
                "InvalidArgument",
                400,
                "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.",
            ));
        }
        let blob = enc.wrapped_data_key.clone().unwrap_or_default();
        let data_key: Zeroizing<Vec<u8>> = match &enc.bucket_sealed_key {
            Some(sealed_dk) => {
                let bk = self.bucket_key_for_get(ctx, b, enc, &blob)?;
                let sealed_dk = B64
                    .decode(sealed_dk)
                    .map_err(|_| SimError::internal("stored data key damaged"))?;
                crypto::decrypt_body(bk.expose(), &sealed_dk, object_arn(b, &obj.key).as_bytes())
                    .map_err(corrupt)?
            }
            None => {
                let req = json!({"CiphertextBlob": blob, "EncryptionContext": enc.context});
                let r = self
                    .kms_decrypt(&ctx.via("s3.amazonaws.com"), &req)
                    .map_err(kms_error_through_s3)?;
                Zeroizing::new(b64_field(&r, "Plaintext")?)
            }
        };
        let sealed = self.blobs.get(&obj.blob).map_err(missing)?;
        if enc.algorithm == "aws:kms:dsse" {
            let wrapped = enc.s3_wrapped_key.clone().unwrap_or_default();
            let m = self
                .root
                .unwrap(&format!("s3/{}", obj.blob), 1, &wrapped)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let layer1 =
                crypto::decrypt_body(m.expose(), &sealed, aad.as_bytes()).map_err(corrupt)?;
            return crypto::decrypt_body(&data_key, &layer1, aad.as_bytes()).map_err(corrupt);
        }
        crypto::decrypt_body(&data_key, &sealed, aad.as_bytes()).map_err(corrupt)
    }

    fn bucket_key_for_get(
        &mut self,
        ctx: &CallContext,
        b: &str,
        enc: &ObjectEncryption,
        blob: &str,
    ) -> Result<KeyMaterial, SimError> {
        let key_arn = enc.kms_key_arn.clone().unwrap_or_default();
        let who = self.principal_arn(&ctx.principal);
        if let Some((key, _)) = self.cached_bucket_key(b, &who, &key_arn, Some(blob)) {
            self.check_cached_key_use(ctx, &key_arn, "kms:Decrypt", &enc.context)?;
            return Ok(key);
        }
        let req = json!({"CiphertextBlob": blob, "EncryptionContext": enc.context});
        let r = self
            .kms_decrypt(&ctx.via("s3.amazonaws.com"), &req)
            .map_err(kms_error_through_s3)?;
        let key = KeyMaterial::from_slice(&Zeroizing::new(b64_field(&r, "Plaintext")?))
            .map_err(|e| SimError::internal(e.to_string()))?;
        self.cache_bucket_key(b, &who, &key_arn, &key, blob)?;
        Ok(key)
    }

    pub fn s3_head_object(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        self.run(ctx, s3_op("HeadObject", params, true, true), |c, t| {
            c.object_prelude(ctx, t, &b, &k, "s3:GetObject", &[])?;
            Ok(object_fields(c.object(&b, &k)?))
        })
    }

    pub fn s3_delete_object(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let k = req_str(p, "Key")?.to_string();
        params["key"] = json!(k);
        self.run(ctx, s3_op("DeleteObject", params, false, true), |c, t| {
            c.object_prelude(ctx, t, &b, &k, "s3:DeleteObject", &[])?;
            if let Some(obj) = c.world.s3.objects.get_mut(&b).and_then(|m| m.remove(&k)) {
                let _ = c.blobs.delete(&obj.blob);
                c.touch(EntityRef::Object(b.clone(), k.clone()));
            }
            if c.world.s3.objects.get(&b).is_some_and(BTreeMap::is_empty) {
                c.world.s3.objects.remove(&b);
            }
            Ok(json!({}))
        })
    }

    pub fn s3_list_objects_v2(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let (b, mut params) = Cloud::bucket_params(p)?;
        let prefix = opt_str(p, "Prefix")?.unwrap_or("").to_string();
        let delimiter = opt_str(p, "Delimiter")?.map(str::to_string);
        let max = opt_int(p, "MaxKeys")?.unwrap_or(1000).clamp(0, 1000) as usize;
        let after = opt_str(p, "ContinuationToken")?
            .or(opt_str(p, "StartAfter")?)
            .map(str::to_string);
        params["list-type"] = json!(2);
        params["prefix"] = json!(prefix);
        self.run(ctx, s3_op("ListObjects", params, true, false), |c, t| {
            c.s3_bucket_prelude(ctx, t, &b, "s3:ListBucket")?;
            let empty = BTreeMap::new();
            let objects = c.world.s3.objects.get(&b).unwrap_or(&empty);
            let mut contents = Vec::new();
            let mut prefixes: Vec<String> = Vec::new();
            let mut next = None;
            for (k, o) in objects.range::<String, _>((after.as_ref().map_or(std::ops::Bound::Unbounded, std::ops::Bound::Excluded), std::ops::Bound::Unbounded)) {
                if !k.starts_with(&prefix) {
                    continue;
                }
                if contents.len() + prefixes.len() >= max {
                    next = Some(k.clone());
                    break;
                }
                if let Some(d) = &delimiter
                    && let Some(i) = k[prefix.len()..].find(d.as_str()) {
                        let cp = k[..prefix.len() + i + d.len()].to_string();
                        if !prefixes.contains(&cp) {
                            prefixes.push(cp);
                        }
                        continue;
                    }
                contents.push(json!({
                    "Key": k, "LastModified": iso8601(o.last_modified), "ETag": format!("\"{}\"", o.etag),
                    "Size": o.size, "StorageClass": "STANDARD",
                }));
            }
            let mut out = json!({
                "Name": b, "Prefix": prefix, "KeyCount": contents.len() + prefixes.len(), "MaxKeys": max,
                "IsTruncated": next.is_some(), "Contents": contents,
                "CommonPrefixes": prefixes.iter().map(|p| json!({"Prefix": p})).collect::<Vec<_>>(),
            });
            if let Some(n) = next {
                out["NextContinuationToken"] = json!(contents_last_key(&out).unwrap_or(n));
            }
            Ok(out)
        })
    }

    /// Writes a file into a bucket as S3 itself (CloudTrail delivery), encrypted by the
    /// bucket's default encryption.
    pub(crate) fn s3_put_as_service(
        &mut self,
        service: &str,
        b: &str,
        k: &str,
        body: &[u8],
        conditions: &[(String, String)],
    ) -> Result<(), SimError> {
        let ctx = CallContext {
            conditions: conditions.to_vec(),
            ..CallContext::service(service)
        };
        let p = json!({"Bucket": b, "Key": k, "ContentType": "application/x-gzip"});
        self.s3_put_object(&ctx, &p, body).map(|_| ())
    }
}

fn contents_last_key(out: &Json) -> Option<String> {
    out.get("Contents")?
        .as_array()?
        .last()?
        .get("Key")?
        .as_str()
        .map(str::to_string)
}

fn validate_key(k: &str) -> Result<(), SimError> {
    if k.is_empty() || k.len() > 1024 {
        return Err(SimError::service(
            "KeyTooLongError",
            400,
            "Object keys must be 1 to 1024 bytes long.",
        ));
    }
    Ok(())
}

fn b64_field(r: &Json, name: &str) -> Result<Vec<u8>, SimError> {
    let s = r.get(name).and_then(Json::as_str).unwrap_or_default();
    B64.decode(s)
        .map_err(|_| SimError::internal(format!("{name} was not base64")))
}

fn decode_context(extra: Option<&str>) -> Result<BTreeMap<String, String>, SimError> {
    let Some(e) = extra else {
        return Ok(BTreeMap::new());
    };
    let bad = || {
        SimError::service(
            "InvalidArgument",
            400,
            "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
        )
    };
    let raw = B64.decode(e).map_err(|_| bad())?;
    serde_json::from_slice::<BTreeMap<String, String>>(&raw).map_err(|_| bad())
}

fn parse_range(r: &str, len: usize) -> Result<(usize, usize), SimError> {
    let bad = || {
        SimError::service(
            "InvalidRange",
            416,
            "The requested range is not satisfiable",
        )
    };
    let spec = r.strip_prefix("bytes=").ok_or_else(bad)?;
    let (a, b) = spec.split_once('-').ok_or_else(bad)?;
    if len == 0 {
        return Err(bad());
    }
    let (start, end) = match (a.parse::<usize>().ok(), b.parse::<usize>().ok()) {
        (Some(s), Some(e)) => (s, e.min(len - 1)),
        (Some(s), None) if b.is_empty() => (s, len - 1),
        (None, Some(n)) if a.is_empty() => (len.saturating_sub(n), len - 1),
        _ => return Err(bad()),
    };
    if start > end || start >= len {
        return Err(bad());
    }
    Ok((start, end))
}

/// Parses a ServerSideEncryptionConfiguration parameter.
fn parse_encryption_rules(cfg: &Json) -> Result<Vec<EncryptionRule>, SimError> {
    let rules = cfg.get("Rules").and_then(Json::as_array).ok_or_else(|| {
        SimError::param(
            "Missing required parameter in ServerSideEncryptionConfiguration: \"Rules\"",
        )
    })?;
    if rules.is_empty() {
        return Err(SimError::service(
            "MalformedXML",
            400,
            "The XML you provided was not well-formed or did not validate against our published schema",
        ));
    }
    rules
        .iter()
        .map(|r| {
            let d = r.get("ApplyServerSideEncryptionByDefault").cloned().unwrap_or(Json::Null);
            let alg = req_str(&d, "SSEAlgorithm")?.to_string();
            if !matches!(alg.as_str(), "AES256" | "aws:kms" | "aws:kms:dsse") {
                return Err(SimError::service("MalformedXML", 400, format!("Unsupported SSEAlgorithm {alg}: use AES256, aws:kms or aws:kms:dsse")));
            }
            let key = opt_str(&d, "KMSMasterKeyID")?.map(str::to_string);
            if key.is_some() && alg == "AES256" {
                return Err(SimError::service(
                    "InvalidArgument",
                    400,
                    "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                ));
            }
            Ok(EncryptionRule { sse_algorithm: alg, kms_master_key_id: key, bucket_key_enabled: opt_bool(r, "BucketKeyEnabled")?.unwrap_or(false) })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_follow_s3_rules() {
        assert!(validate_bucket_name("aerosecure-sensitive").is_ok());
        for bad in [
            "ab",
            "UPPER",
            "-start",
            "end-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "x-s3alias",
            "under_score",
        ] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_parse_like_http() {
        assert_eq!(parse_range("bytes=0-4", 10).unwrap(), (0, 4));
        assert_eq!(parse_range("bytes=5-", 10).unwrap(), (5, 9));
        assert_eq!(parse_range("bytes=-3", 10).unwrap(), (7, 9));
        assert!(parse_range("bytes=10-12", 10).is_err());
    }
}
