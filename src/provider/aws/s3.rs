//! `aws_s3_bucket`, `aws_s3_bucket_server_side_encryption_configuration`,
//! `aws_s3_bucket_public_access_block`, `aws_s3_bucket_policy` and `aws_s3_object` on the
//! simulated S3.
//!
//! Writes go through the sim's S3 operations as lab-admin (objects are encrypted by the sim, as
//! S3 does); reads look at the world directly and record nothing. Object bodies come from
//! `content`, `content_base64` or a `source` file confined to the configuration directory.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};

use super::AwsProvider;
use super::common::{
    blocks, bool_of, carry, fail, invalid, keep_key_ref, keep_policy, map_value,
    name_prefix_from_name, nonempty_str, object_set, opt_string, pick_name, region_info,
    state_tags, str_of, string_map, target, val,
};
use crate::provider::ProviderError;
use crate::sim::World;
use crate::sim::world::EncryptionRule;
use crate::value::{Map, Value};

const BUCKET: &str = "S3 Bucket";
const SSE: &str = "S3 Bucket Server-side Encryption Configuration";
const PAB: &str = "S3 Bucket Public Access Block";
const POLICY: &str = "S3 Bucket Policy";
const OBJECT: &str = "S3 Object";

/// Shown with a plan that asks for bucket keys under DSSE-KMS.
pub(super) const DSSE_BUCKET_KEY_WARNING: &str =
    "bucket_key_enabled has no effect with aws:kms:dsse (DSSE-KMS never uses S3 Bucket Keys)";

fn gone_after(doing: &str, what: &str) -> ProviderError {
    ProviderError::new(format!(
        "{doing} {what}: not found in the cloud right after the call"
    ))
}

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

// ------------------------------------------------------------------ aws_s3_bucket

pub(super) fn read_bucket(w: &World, prior: &Map) -> Option<Map> {
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

impl AwsProvider<'_> {
    pub(super) fn create_bucket(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(
            &self.cloud.world,
            planned,
            "bucket",
            "bucket_prefix",
            "terraform-",
        );
        let what = target(BUCKET, &name);
        let mut p = json!({"Bucket": name});
        let region = self.cloud.world.region.clone();
        // us-east-1 takes no location constraint; every other region needs its own.
        if region != "us-east-1" {
            p["CreateBucketConfiguration"] = json!({"LocationConstraint": region});
        }
        self.cloud
            .s3_create_bucket(&self.ctx, &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_bucket(&self.cloud.world, &seed).ok_or_else(|| gone_after("creating", &what))
    }

    /// Only state-only arguments (tags, force_destroy) can change in place.
    pub(super) fn update_bucket(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        let what = target(BUCKET, str_of(prior, "id").unwrap_or_default());
        read_bucket(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_bucket(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(BUCKET, &name);
        let p = json!({"Bucket": name});
        match self.cloud.s3_delete_bucket(&self.ctx, &p) {
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
                self.empty_bucket(&name)?;
                self.cloud
                    .s3_delete_bucket(&self.ctx, &p)
                    .map(|_| ())
                    .map_err(|e| fail("deleting", &what, e))
            }
            Err(e) => Err(fail("deleting", &what, e)),
        }
    }

    /// Deletes every object of a bucket (force_destroy).
    fn empty_bucket(&mut self, name: &str) -> Result<(), ProviderError> {
        let keys: Vec<String> = self
            .cloud
            .world
            .s3
            .objects
            .get(name)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        for k in keys {
            let p = json!({"Bucket": name, "Key": k});
            if let Err(e) = self.cloud.s3_delete_object(&self.ctx, &p)
                && !already_gone(&e.code)
            {
                return Err(fail("emptying", &target(BUCKET, name), e));
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ encryption configuration

fn rule_json(rule: &Map) -> Json {
    let mut r = json!({});
    if let Some(d) = blocks(rule, "apply_server_side_encryption_by_default").first() {
        let mut def = json!({"SSEAlgorithm": str_of(d, "sse_algorithm")});
        if let Some(k) = nonempty_str(d, "kms_master_key_id") {
            def["KMSMasterKeyID"] = json!(k);
        }
        r["ApplyServerSideEncryptionByDefault"] = def;
    }
    if let Some(b) = bool_of(rule, "bucket_key_enabled") {
        r["BucketKeyEnabled"] = json!(b);
    }
    r
}

fn same_algorithm_rule<'a>(prior_rules: &[&'a Map], r: &EncryptionRule) -> Option<&'a Map> {
    prior_rules.iter().copied().find(|p| {
        blocks(p, "apply_server_side_encryption_by_default")
            .first()
            .is_some_and(|d| str_of(d, "sse_algorithm") == Some(r.sse_algorithm.as_str()))
    })
}

/// The cloud's rules as state, keeping the prior spelling of key references and an unset
/// `bucket_key_enabled` where the cloud reports the zero value.
fn rules_state(w: &World, rules: &[EncryptionRule], prior: &Map) -> Value {
    let prior_rules = blocks(prior, "rule");
    let items = rules
        .iter()
        .map(|r| {
            let before = same_algorithm_rule(&prior_rules, r);
            let prior_default = before.and_then(|p| {
                blocks(p, "apply_server_side_encryption_by_default")
                    .first()
                    .copied()
            });
            let mut d = Map::new();
            d.insert("sse_algorithm".into(), Value::string(&r.sse_algorithm));
            let key = match (&r.kms_master_key_id, prior_default) {
                (Some(k), Some(p)) => keep_key_ref(w, p, "kms_master_key_id", k),
                (Some(k), None) => Value::string(k),
                (None, _) => Value::Null,
            };
            d.insert("kms_master_key_id".into(), key);
            let bke = match before.map(|p| val(p, "bucket_key_enabled")) {
                Some(Value::Null | Value::Unknown) if !r.bucket_key_enabled => Value::Null,
                _ => Value::Bool(r.bucket_key_enabled),
            };
            let mut rule = Map::new();
            rule.insert("bucket_key_enabled".into(), bke);
            rule.insert(
                "apply_server_side_encryption_by_default".into(),
                Value::List(vec![Value::Object(d)]),
            );
            rule
        })
        .collect();
    object_set(items)
}

/// Reads a bucket's default encryption. A bucket without configuration reports SSE-S3 (as S3
/// has since January 2023), so an out-of-band delete shows up as a change back to AES256.
pub(super) fn read_sse(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let rules = b.encryption.clone().unwrap_or_else(|| {
        vec![EncryptionRule {
            sse_algorithm: "AES256".into(),
            kms_master_key_id: None,
            bucket_key_enabled: false,
        }]
    });
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert("rule".into(), rules_state(w, &rules, prior));
    Some(m)
}

/// True if a rule asks for bucket keys under DSSE-KMS.
fn dsse_with_bucket_key(algorithm: Option<&str>, bucket_key: Option<bool>) -> bool {
    algorithm == Some("aws:kms:dsse") && bucket_key == Some(true)
}

/// The DSSE-KMS warning for an encryption configuration plan, if it applies.
pub(super) fn sse_warnings(planned: &Map) -> Vec<String> {
    let hit = blocks(planned, "rule").iter().any(|r| {
        blocks(r, "apply_server_side_encryption_by_default")
            .iter()
            .any(|d| {
                dsse_with_bucket_key(str_of(d, "sse_algorithm"), bool_of(r, "bucket_key_enabled"))
            })
    });
    if hit {
        vec![DSSE_BUCKET_KEY_WARNING.to_string()]
    } else {
        Vec::new()
    }
}

impl AwsProvider<'_> {
    fn put_sse(&mut self, doing: &str, planned: &Map) -> Result<String, ProviderError> {
        let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
        let rules: Vec<Json> = blocks(planned, "rule").into_iter().map(rule_json).collect();
        let p = json!({"Bucket": bucket, "ServerSideEncryptionConfiguration": {"Rules": rules}});
        self.cloud
            .s3_put_bucket_encryption(&self.ctx, &p)
            .map_err(|e| fail(doing, &target(SSE, &bucket), e))?;
        Ok(bucket)
    }

    pub(super) fn create_sse(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = self.put_sse("creating", planned)?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&bucket));
        read_sse(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("creating", &target(SSE, &bucket)))
    }

    pub(super) fn update_sse(&mut self, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        if val(prior, "rule") != val(planned, "rule") {
            self.put_sse("updating", planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        let what = target(SSE, str_of(prior, "id").unwrap_or_default());
        read_sse(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    /// DeleteBucketEncryption: the bucket goes back to SSE-S3, not to "unencrypted".
    pub(super) fn delete_sse(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let bucket = str_of(prior, "id").unwrap_or_default();
        match self
            .cloud
            .s3_delete_bucket_encryption(&self.ctx, &json!({"Bucket": bucket}))
        {
            Err(e) if !already_gone(&e.code) => Err(fail("deleting", &target(SSE, bucket), e)),
            _ => Ok(()),
        }
    }
}

// ------------------------------------------------------------------ public access block

const PAB_FLAGS: [(&str, &str); 4] = [
    ("block_public_acls", "BlockPublicAcls"),
    ("block_public_policy", "BlockPublicPolicy"),
    ("ignore_public_acls", "IgnorePublicAcls"),
    ("restrict_public_buckets", "RestrictPublicBuckets"),
];

pub(super) fn read_pab(w: &World, prior: &Map) -> Option<Map> {
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

impl AwsProvider<'_> {
    fn put_pab(&mut self, doing: &str, planned: &Map) -> Result<String, ProviderError> {
        let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
        let mut cfg = json!({});
        for (attr, name) in PAB_FLAGS {
            cfg[name] = json!(bool_of(planned, attr).unwrap_or(false));
        }
        let p = json!({"Bucket": bucket, "PublicAccessBlockConfiguration": cfg});
        self.cloud
            .s3_put_public_access_block(&self.ctx, &p)
            .map_err(|e| fail(doing, &target(PAB, &bucket), e))?;
        Ok(bucket)
    }

    pub(super) fn create_pab(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = self.put_pab("creating", planned)?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&bucket));
        read_pab(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("creating", &target(PAB, &bucket)))
    }

    pub(super) fn update_pab(&mut self, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        if PAB_FLAGS
            .iter()
            .any(|(a, _)| val(prior, a) != val(planned, a))
        {
            self.put_pab("updating", planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        let what = target(PAB, str_of(prior, "id").unwrap_or_default());
        read_pab(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_pab(&mut self, prior: &Map) -> Result<(), ProviderError> {
        if bool_of(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let bucket = str_of(prior, "id").unwrap_or_default();
        match self
            .cloud
            .s3_delete_public_access_block(&self.ctx, &json!({"Bucket": bucket}))
        {
            Err(e) if !already_gone(&e.code) => Err(fail("deleting", &target(PAB, bucket), e)),
            _ => Ok(()),
        }
    }
}

// ------------------------------------------------------------------ bucket policy

pub(super) fn read_bucket_policy(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "bucket"))?;
    let b = w.s3.buckets.get(name)?;
    let policy = b.policy.as_deref()?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&b.name));
    m.insert("bucket".into(), Value::string(&b.name));
    m.insert("policy".into(), keep_policy(prior, "policy", policy));
    Some(m)
}

impl AwsProvider<'_> {
    fn put_bucket_policy(&mut self, doing: &str, planned: &Map) -> Result<String, ProviderError> {
        let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
        let p = json!({"Bucket": bucket, "Policy": str_of(planned, "policy").unwrap_or_default()});
        self.cloud
            .s3_put_bucket_policy(&self.ctx, &p)
            .map_err(|e| fail(doing, &target(POLICY, &bucket), e))?;
        Ok(bucket)
    }

    pub(super) fn create_bucket_policy(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let bucket = self.put_bucket_policy("creating", planned)?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&bucket));
        read_bucket_policy(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("creating", &target(POLICY, &bucket)))
    }

    pub(super) fn update_bucket_policy(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        if val(prior, "policy") != val(planned, "policy") {
            self.put_bucket_policy("updating", planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        let what = target(POLICY, str_of(prior, "id").unwrap_or_default());
        read_bucket_policy(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_bucket_policy(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let bucket = str_of(prior, "id").unwrap_or_default();
        match self
            .cloud
            .s3_delete_bucket_policy(&self.ctx, &json!({"Bucket": bucket}))
        {
            Err(e) if !already_gone(&e.code) => Err(fail("deleting", &target(POLICY, bucket), e)),
            _ => Ok(()),
        }
    }
}

// ------------------------------------------------------------------ aws_s3_object

/// Arguments whose change re-uploads the object (the Terraform provider's list, as simulated).
const CONTENT_ARGS: &[&str] = &[
    "content",
    "content_base64",
    "source",
    "source_hash",
    "content_type",
    "server_side_encryption",
    "kms_key_id",
    "bucket_key_enabled",
    "metadata",
    "etag",
];

/// Arguments whose change gives the object a new body.
const BODY_ARGS: &[&str] = &["content", "content_base64", "source", "source_hash"];

fn object_parts(m: &Map) -> Option<(&str, &str)> {
    if let (Some(b), Some(k)) = (str_of(m, "bucket"), str_of(m, "key")) {
        return Some((b, k));
    }
    str_of(m, "id")?.split_once('/')
}

pub(super) fn read_object(w: &World, prior: &Map) -> Option<Map> {
    let (bucket, key) = object_parts(prior)?;
    w.s3.buckets.get(bucket)?;
    let o = w.s3.objects.get(bucket)?.get(key)?;
    let enc = &o.encryption;
    let default_key = w
        .kms
        .aliases
        .get("alias/aws/s3")
        .and_then(|a| w.kms.keys.get(&a.target_key_id))
        .map(|k| k.arn.as_str());
    // As the Terraform provider: the AWS managed aws/s3 key is not written into kms_key_id.
    let kms_key_id = match &enc.kms_key_arn {
        None => Value::Null,
        Some(arn) if Some(arn.as_str()) == default_key => carry(prior, "kms_key_id", Value::Null),
        Some(arn) => keep_key_ref(w, prior, "kms_key_id", arn),
    };
    let metadata = if o.metadata.is_empty() && val(prior, "metadata").as_object().is_none() {
        Value::Null
    } else {
        map_value(&o.metadata)
    };
    let mut m = Map::new();
    m.insert("id".into(), Value::string(format!("{bucket}/{key}")));
    m.insert(
        "arn".into(),
        Value::string(format!("arn:aws:s3:::{bucket}/{key}")),
    );
    m.insert("bucket".into(), Value::string(bucket));
    m.insert("key".into(), Value::string(key));
    for k in ["content", "content_base64", "source", "source_hash"] {
        m.insert(k.into(), carry(prior, k, Value::Null));
    }
    m.insert(
        "force_destroy".into(),
        carry(prior, "force_destroy", Value::Bool(false)),
    );
    m.insert("content_type".into(), Value::string(&o.content_type));
    m.insert(
        "server_side_encryption".into(),
        Value::string(&enc.algorithm),
    );
    m.insert("kms_key_id".into(), kms_key_id);
    m.insert(
        "bucket_key_enabled".into(),
        Value::Bool(enc.bucket_key_enabled),
    );
    m.insert("metadata".into(), metadata);
    m.insert("etag".into(), Value::string(&o.etag));
    // No versioning is simulated: S3 reports the "null" version.
    m.insert("version_id".into(), Value::string("null"));
    m.insert("checksum_sha256".into(), Value::string(&o.checksum_sha256));
    // The simulated S3 has no PutObjectTagging: tags live in state only.
    state_tags(&mut m, prior);
    Some(m)
}

/// Resolves `source` inside `base`, refusing anything (`..`, absolute paths, symlinks) that
/// leads outside the configuration directory.
fn confined_source(base: &Path, source: &str) -> Result<PathBuf, ProviderError> {
    let root = base.canonicalize().map_err(|e| {
        invalid(format!(
            "reading source {source:?}: configuration directory {}: {e}",
            base.display()
        ))
    })?;
    let path = root
        .join(source)
        .canonicalize()
        .map_err(|e| invalid(format!("reading source file {source:?}: {e}")))?;
    if !path.starts_with(&root) {
        return Err(invalid(format!(
            "source {source:?} resolves to {}, outside the configuration directory {}: keyform \
             uploads only files inside the configuration directory",
            path.display(),
            root.display()
        )));
    }
    Ok(path)
}

/// Plan rules of `aws_s3_object`: a new body makes etag/version/checksum unknown; SSE-S3 takes
/// no KMS key; the DSSE-KMS bucket-key warning.
pub(super) fn plan_object(prior: Option<&Map>, planned: &mut Map) -> Vec<String> {
    if let Some(prior) = prior {
        let changed = |planned: &Map, k: &str| val(prior, k) != val(planned, k);
        if CONTENT_ARGS.iter().any(|k| changed(planned, k)) {
            planned.insert("version_id".into(), Value::Unknown);
        }
        if BODY_ARGS.iter().any(|k| changed(planned, k)) {
            for k in ["checksum_sha256", "etag"] {
                if val(planned, k) == val(prior, k) {
                    planned.insert(k.into(), Value::Unknown);
                }
            }
        }
        if str_of(planned, "server_side_encryption") == Some("AES256")
            && val(planned, "kms_key_id") == val(prior, "kms_key_id")
        {
            planned.insert("kms_key_id".into(), Value::Null);
        }
    }
    if dsse_with_bucket_key(
        str_of(planned, "server_side_encryption"),
        bool_of(planned, "bucket_key_enabled"),
    ) {
        vec![DSSE_BUCKET_KEY_WARNING.to_string()]
    } else {
        Vec::new()
    }
}

impl AwsProvider<'_> {
    fn object_body(&self, planned: &Map) -> Result<Vec<u8>, ProviderError> {
        if let Some(c) = str_of(planned, "content") {
            return Ok(c.as_bytes().to_vec());
        }
        if let Some(c) = str_of(planned, "content_base64") {
            return B64.decode(c.trim()).map_err(|e| {
                invalid(format!(
                    "decoding content_base64: {e} (expected standard base64)"
                ))
            });
        }
        if let Some(s) = str_of(planned, "source") {
            let path = confined_source(&self.base_dir, s)?;
            return std::fs::read(&path)
                .map_err(|e| invalid(format!("reading source file {}: {e}", path.display())));
        }
        Ok(Vec::new())
    }

    fn upload(&mut self, doing: &str, planned: &Map) -> Result<String, ProviderError> {
        let (bucket, key) = object_parts(planned).unwrap_or_default();
        let (bucket, key) = (bucket.to_string(), key.to_string());
        let what = target(OBJECT, &format!("{bucket}/{key}"));
        let body = self
            .object_body(planned)
            .map_err(|e| invalid(format!("{doing} {what}: {}", e.message)))?;
        let mut p = json!({"Bucket": bucket, "Key": key});
        if let Some(ct) = str_of(planned, "content_type") {
            p["ContentType"] = json!(ct);
        }
        // As the Terraform provider: a KMS key implies aws:kms unless an algorithm is given.
        if let Some(k) = nonempty_str(planned, "kms_key_id") {
            p["SSEKMSKeyId"] = json!(k);
            p["ServerSideEncryption"] = json!("aws:kms");
        }
        if let Some(s) = nonempty_str(planned, "server_side_encryption") {
            p["ServerSideEncryption"] = json!(s);
        }
        if let Some(b) = bool_of(planned, "bucket_key_enabled") {
            p["BucketKeyEnabled"] = json!(b);
        }
        let meta = string_map(val(planned, "metadata"));
        if !meta.is_empty() {
            p["Metadata"] = json!(meta);
        }
        self.cloud
            .s3_put_object(&self.ctx, &p, &body)
            .map_err(|e| fail(doing, &what, e))?;
        Ok(format!("{bucket}/{key}"))
    }

    pub(super) fn create_object(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let id = self.upload("creating", planned)?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        read_object(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("creating", &target(OBJECT, &id)))
    }

    pub(super) fn update_object(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let changed = CONTENT_ARGS
            .iter()
            .any(|k| val(prior, k) != val(planned, k));
        if changed {
            self.upload("updating", planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), val(prior, "id").clone());
        let what = target(OBJECT, str_of(prior, "id").unwrap_or_default());
        read_object(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_object(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let (bucket, key) = object_parts(prior).unwrap_or_default();
        let p = json!({"Bucket": bucket, "Key": key});
        match self.cloud.s3_delete_object(&self.ctx, &p) {
            Err(e) if !already_gone(&e.code) => Err(fail(
                "deleting",
                &target(OBJECT, &format!("{bucket}/{key}")),
                e,
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::common::testing::*;
    use super::DSSE_BUCKET_KEY_WARNING;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::value::{Map, Value};

    fn bucket(p: &mut super::AwsProvider<'_>, name: &str) -> Map {
        let planned = plan_create(p, "aws_s3_bucket", vec![("bucket", s(name))]);
        p.create("aws_s3_bucket", &planned).expect("creates bucket")
    }

    fn key(p: &mut super::AwsProvider<'_>) -> Map {
        let planned = plan_create(p, "aws_kms_key", vec![]);
        p.create("aws_kms_key", &planned).expect("creates key")
    }

    fn object(p: &mut super::AwsProvider<'_>, b: &str, k: &str, extra: Vec<(&str, Value)>) -> Map {
        let mut cfg = vec![("bucket", s(b)), ("key", s(k))];
        cfg.extend(extra);
        let planned = plan_create(p, "aws_s3_object", cfg);
        p.create("aws_s3_object", &planned).expect("creates object")
    }

    fn get_body(p: &mut super::AwsProvider<'_>, b: &str, k: &str) -> Vec<u8> {
        let ctx = p.ctx.clone();
        p.cloud
            .s3_get_object(&ctx, &json!({"Bucket": b, "Key": k}))
            .expect("gets object")
            .1
            .to_vec()
    }

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

    #[test]
    fn encryption_configuration_lifecycle() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "enc-bucket");
        let k = key(&mut p);
        let rule = |alg: &str, key: Value, bke: Value| {
            Value::List(vec![obj(vec![
                ("bucket_key_enabled", bke),
                (
                    "apply_server_side_encryption_by_default",
                    Value::List(vec![obj(vec![
                        ("sse_algorithm", s(alg)),
                        ("kms_master_key_id", key),
                    ])]),
                ),
            ])])
        };
        let planned = plan_create(
            &p,
            "aws_s3_bucket_server_side_encryption_configuration",
            vec![
                ("bucket", s("enc-bucket")),
                ("rule", rule("aws:kms", k["id"].clone(), Value::Bool(true))),
            ],
        );
        let sse = p
            .create(
                "aws_s3_bucket_server_side_encryption_configuration",
                &planned,
            )
            .unwrap();
        assert_complete(
            Mode::Managed,
            "aws_s3_bucket_server_side_encryption_configuration",
            &sse,
        );
        assert_eq!(sse["id"], s("enc-bucket"));
        assert_eq!(
            sse["rule"],
            rule("aws:kms", k["id"].clone(), Value::Bool(true))
        );
        let ctx = p.ctx.clone();
        let got = p
            .cloud
            .s3_get_bucket_encryption(&ctx, &json!({"Bucket": "enc-bucket"}))
            .unwrap();
        assert_eq!(
            got["ServerSideEncryptionConfiguration"]["Rules"][0],
            json!({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": k["id"].as_str()}, "BucketKeyEnabled": true})
        );
        assert_eq!(
            p.read("aws_s3_bucket_server_side_encryption_configuration", &sse)
                .unwrap()
                .as_ref(),
            Some(&sse)
        );

        let planned = plan_update(
            &p,
            "aws_s3_bucket_server_side_encryption_configuration",
            &sse,
            vec![("rule", rule("AES256", Value::Null, Value::Null))],
        );
        let sse2 = p
            .update(
                "aws_s3_bucket_server_side_encryption_configuration",
                &sse,
                &planned,
            )
            .unwrap();
        assert_eq!(
            sse2["rule"],
            rule("AES256", Value::Null, Value::Null),
            "unset bucket_key_enabled stays unset"
        );

        let mut dsse = plan_update(
            &p,
            "aws_s3_bucket_server_side_encryption_configuration",
            &sse2,
            vec![(
                "rule",
                rule("aws:kms:dsse", k["arn"].clone(), Value::Bool(true)),
            )],
        );
        let adj = p
            .plan(
                "aws_s3_bucket_server_side_encryption_configuration",
                Some(&sse2),
                &mut dsse,
            )
            .unwrap();
        assert_eq!(adj.warnings, [DSSE_BUCKET_KEY_WARNING]);

        p.delete("aws_s3_bucket_server_side_encryption_configuration", &sse2)
            .unwrap();
        assert_eq!(p.cloud.world.s3.buckets["enc-bucket"].encryption, None);
        let got = p
            .cloud
            .s3_get_bucket_encryption(&ctx, &json!({"Bucket": "enc-bucket"}))
            .unwrap();
        assert_eq!(
            got["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]
                ["SSEAlgorithm"],
            "AES256"
        );
    }

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

    #[test]
    fn object_lifecycle_with_bucket_default_encryption() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "obj-bucket");
        let k = key(&mut p);
        let ctx = p.ctx.clone();
        p.cloud
            .s3_put_bucket_encryption(
                &ctx,
                &json!({"Bucket": "obj-bucket", "ServerSideEncryptionConfiguration": {"Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": k["arn"].as_str()}}
                ]}}),
            )
            .unwrap();
        let o = object(
            &mut p,
            "obj-bucket",
            "notes/a.txt",
            vec![("content", s("hello"))],
        );
        assert_complete(Mode::Managed, "aws_s3_object", &o);
        assert_eq!(o["id"], s("obj-bucket/notes/a.txt"));
        assert_eq!(o["arn"], s("arn:aws:s3:::obj-bucket/notes/a.txt"));
        assert_eq!(
            o["server_side_encryption"],
            s("aws:kms"),
            "the bucket default shows up"
        );
        assert_eq!(o["kms_key_id"], k["arn"]);
        assert_eq!(o["content_type"], s("binary/octet-stream"));
        assert_eq!(o["version_id"], s("null"));
        assert_eq!(o["bucket_key_enabled"], Value::Bool(false));
        assert_eq!(o["content"], s("hello"));
        assert!(o["etag"].as_str().is_some_and(|e| e.len() == 32));
        assert_eq!(p.read("aws_s3_object", &o).unwrap().as_ref(), Some(&o));
        assert_eq!(get_body(&mut p, "obj-bucket", "notes/a.txt"), b"hello");

        let planned = plan_update(&p, "aws_s3_object", &o, vec![("content", s("bye"))]);
        assert_eq!(planned["etag"], Value::Unknown);
        assert_eq!(planned["version_id"], Value::Unknown);
        let o2 = p.update("aws_s3_object", &o, &planned).unwrap();
        assert_ne!(o2["etag"], o["etag"]);
        assert_eq!(get_body(&mut p, "obj-bucket", "notes/a.txt"), b"bye");

        let mark = events(&p);
        let planned = plan_update(
            &p,
            "aws_s3_object",
            &o2,
            vec![("tags", obj(vec![("a", s("b"))]))],
        );
        p.update("aws_s3_object", &o2, &planned).unwrap();
        assert_eq!(events(&p), mark, "tags alone upload nothing");

        let planned = plan_update(
            &p,
            "aws_s3_object",
            &o2,
            vec![("server_side_encryption", s("AES256"))],
        );
        assert_eq!(
            planned["kms_key_id"],
            Value::Null,
            "SSE-S3 takes no KMS key"
        );
        let o3 = p.update("aws_s3_object", &o2, &planned).unwrap();
        assert_eq!(o3["server_side_encryption"], s("AES256"));
        assert_eq!(o3["kms_key_id"], Value::Null);

        let mut dsse = plan_update(
            &p,
            "aws_s3_object",
            &o3,
            vec![
                ("server_side_encryption", s("aws:kms:dsse")),
                ("bucket_key_enabled", Value::Bool(true)),
            ],
        );
        let adj = p.plan("aws_s3_object", Some(&o3), &mut dsse).unwrap();
        assert_eq!(adj.warnings, [DSSE_BUCKET_KEY_WARNING]);

        p.delete("aws_s3_object", &o3).unwrap();
        assert_eq!(p.read("aws_s3_object", &o3).unwrap(), None);
        p.delete("aws_s3_object", &o3)
            .expect("deleting a missing object succeeds");
    }

    #[test]
    fn object_bodies_from_base64_and_confined_source_files() {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("conf");
        std::fs::create_dir(&conf).unwrap();
        std::fs::write(conf.join("data.bin"), b"\x00\x01bin").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        let mut c = cloud();
        let mut p = super::AwsProvider::new(&mut c, &conf);
        bucket(&mut p, "src-bucket");
        object(
            &mut p,
            "src-bucket",
            "b64",
            vec![
                ("content_base64", s("aGk=")),
                ("content_type", s("text/plain")),
            ],
        );
        assert_eq!(get_body(&mut p, "src-bucket", "b64"), b"hi");
        assert_eq!(
            p.cloud.world.s3.objects["src-bucket"]["b64"].content_type,
            "text/plain"
        );
        let o = object(
            &mut p,
            "src-bucket",
            "file",
            vec![("source", s("data.bin"))],
        );
        assert_eq!(get_body(&mut p, "src-bucket", "file"), b"\x00\x01bin");
        assert_eq!(o["source"], s("data.bin"));
        for bad in [
            "../secret.txt",
            dir.path().join("secret.txt").to_str().unwrap(),
        ] {
            let planned = plan_create(
                &p,
                "aws_s3_object",
                vec![
                    ("bucket", s("src-bucket")),
                    ("key", s("x")),
                    ("source", s(bad)),
                ],
            );
            let e = p.create("aws_s3_object", &planned).unwrap_err();
            assert!(
                e.message.contains("outside the configuration directory"),
                "{}",
                e.message
            );
        }
        assert!(!p.cloud.world.s3.objects["src-bucket"].contains_key("x"));
    }
}
