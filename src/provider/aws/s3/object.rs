//! `aws_s3_object`: an object in a bucket, encrypted as the bucket or the arguments say (the
//! sim encrypts, as S3 does). Bodies come from `content`, `content_base64` or a `source` file
//! confined to the configuration directory. Tags live in state only.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use super::{DSSE_BUCKET_KEY_WARNING, already_gone, dsse_with_bucket_key, sse_algorithm};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{string, with_tags};
use crate::provider::aws::common::{
    bool_of, carry, fail, invalid, keep_key_ref, map_value, nonempty_str, state_tags, str_of,
    string_map, target, val,
};
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::value::{Map, Value};

const OBJECT: &str = "S3 Object";

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

/// `aws_s3_object`.
pub(crate) struct Object;

impl Resource<AwsProvider<'_>> for Object {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_s3_object",
            summary: "An object in a bucket, encrypted as the bucket or the arguments say",
            body: BodySchema::new(with_tags(vec![
                A::required("bucket", string()).force_new(),
                A::required("key", string())
                    .force_new()
                    .validate(|v| check::len_between(v, 1, 1024)),
                A::optional("content", string()).conflicts_with(&["content_base64", "source"]),
                A::optional("content_base64", string()).conflicts_with(&["content", "source"]),
                A::optional("source", string()).conflicts_with(&["content", "content_base64"]),
                A::optional("source_hash", string()),
                A::optional_computed("content_type", string()),
                A::optional_computed("server_side_encryption", string()).validate(sse_algorithm),
                A::optional_computed("kms_key_id", string()),
                A::optional_computed("bucket_key_enabled", T::Bool),
                A::optional("metadata", T::Map(Box::new(T::String))),
                A::optional_computed("etag", string()),
                A::optional("force_destroy", T::Bool).default(false),
                A::computed("id", string()),
                A::computed("arn", string()),
                A::computed("version_id", string()),
                A::computed("checksum_sha256", string()),
            ]))
            .unsupported(&[
                "acl",
                "cache_control",
                "content_disposition",
                "content_encoding",
                "content_language",
                "website_redirect",
                "storage_class",
                "checksum_algorithm",
                "object_lock_legal_hold_status",
                "object_lock_mode",
                "object_lock_retain_until_date",
                "override_provider",
                "region",
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        OBJECT
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_object(&aws.cloud.world, prior)
    }

    fn plan(
        &self,
        _aws: &AwsProvider<'_>,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        Ok(PlanAdjustments {
            warnings: plan_object(prior, planned),
            ..PlanAdjustments::default()
        })
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let id = upload(aws, "creating", planned)?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        self.read_back(aws, "creating", &id, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let changed = CONTENT_ARGS
            .iter()
            .any(|k| val(prior, k) != val(planned, k));
        if changed {
            upload(aws, "updating", planned)?;
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
        let (bucket, key) = object_parts(prior).unwrap_or_default();
        let p = json!({"Bucket": bucket, "Key": key});
        match aws.cloud.call_json(&aws.ctx, "s3:DeleteObject", &p) {
            Err(e) if !already_gone(&e.code) => Err(fail(
                "deleting",
                &target(OBJECT, &format!("{bucket}/{key}")),
                e,
            )),
            _ => Ok(()),
        }
    }
}

fn read_object(w: &World, prior: &Map) -> Option<Map> {
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
fn plan_object(prior: Option<&Map>, planned: &mut Map) -> Vec<String> {
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

fn object_body(aws: &AwsProvider<'_>, planned: &Map) -> Result<Vec<u8>, ProviderError> {
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
        let path = confined_source(&aws.base_dir, s)?;
        return std::fs::read(&path)
            .map_err(|e| invalid(format!("reading source file {}: {e}", path.display())));
    }
    Ok(Vec::new())
}

fn upload(aws: &mut AwsProvider<'_>, doing: &str, planned: &Map) -> Result<String, ProviderError> {
    let (bucket, key) = object_parts(planned).unwrap_or_default();
    let (bucket, key) = (bucket.to_string(), key.to_string());
    let what = target(OBJECT, &format!("{bucket}/{key}"));
    let body =
        object_body(aws, planned).map_err(|e| invalid(format!("{doing} {what}: {}", e.message)))?;
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
    aws.cloud
        .call(&aws.ctx, "s3:PutObject", &p, Some(&body))
        .map_err(|e| fail(doing, &what, e))?;
    Ok(format!("{bucket}/{key}"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::AwsProvider;
    use crate::provider::aws::common::testing::*;
    use crate::provider::aws::s3::DSSE_BUCKET_KEY_WARNING;
    use crate::value::Value;

    #[test]
    fn object_lifecycle_with_bucket_default_encryption() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "obj-bucket");
        let k = key(&mut p);
        let ctx = p.ctx.clone();
        p.cloud
            .call_json(&ctx, "s3:PutBucketEncryption", &json!({"Bucket": "obj-bucket", "ServerSideEncryptionConfiguration": {"Rules": [
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
        let mut p = AwsProvider::new(&mut c, &conf);
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
