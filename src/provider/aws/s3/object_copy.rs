//! `aws_s3_object_copy`: an object made by S3's CopyObject from `source` (`bucket/key`, with
//! `?versionId=` if wanted), encrypted as the arguments or the destination bucket's default
//! say. Any change of an argument copies again, as the Terraform provider does; destroying it
//! deletes the copy, never the source.

use serde_json::json;

use super::{DSSE_BUCKET_KEY_WARNING, already_gone, dsse_with_bucket_key, sse_algorithm};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{string, with_tags};
use crate::provider::aws::common::{
    bool_of, carry, cloud_tags, fail, keep_key_ref, map_value, nonempty_str, str_of, string_map,
    target, val,
};
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::sim::clock::iso8601;
use crate::value::{Map, Value};

const COPY: &str = "S3 Object Copy";

/// Arguments whose change copies the object again.
const COPY_ARGS: &[&str] = &[
    "source",
    "content_type",
    "server_side_encryption",
    "kms_key_id",
    "kms_encryption_context",
    "bucket_key_enabled",
    "metadata",
    "metadata_directive",
    "tagging_directive",
    "tags",
    "checksum_algorithm",
    "copy_if_match",
    "copy_if_modified_since",
    "copy_if_none_match",
    "copy_if_unmodified_since",
];

/// Computed attributes a new copy changes.
const COPY_RESULTS: &[&str] = &[
    "etag",
    "last_modified",
    "version_id",
    "source_version_id",
    "checksum_crc32",
    "checksum_crc32c",
    "checksum_crc64nvme",
    "checksum_sha1",
    "checksum_sha256",
];

fn directive(v: &Value) -> Result<(), String> {
    check::one_of(v, &["COPY", "REPLACE"])
}

/// `aws_s3_object_copy`.
pub(crate) struct ObjectCopy;

impl Resource<AwsProvider<'_>> for ObjectCopy {
    fn schema(&self) -> ResourceSchema {
        let mut attrs = vec![
            A::required("bucket", string()).force_new(),
            A::required("key", string())
                .force_new()
                .validate(|v| check::len_between(v, 1, 1024)),
            A::required("source", string()),
            A::optional_computed("content_type", string()),
            A::optional_computed("server_side_encryption", string()).validate(sse_algorithm),
            A::optional_computed("kms_key_id", string()).sensitive(),
            A::optional_computed("kms_encryption_context", string()).sensitive(),
            A::optional_computed("bucket_key_enabled", T::Bool),
            A::optional_computed("metadata", T::Map(Box::new(T::String))),
            A::optional("metadata_directive", string()).validate(directive),
            A::optional("tagging_directive", string()).validate(directive),
            A::optional("checksum_algorithm", string()).validate(|v| {
                check::one_of(v, &["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"])
            }),
            A::optional("copy_if_match", string()),
            A::optional("copy_if_modified_since", string()),
            A::optional("copy_if_none_match", string()),
            A::optional("copy_if_unmodified_since", string()),
            A::computed("id", string()),
            A::computed("arn", string()),
        ];
        attrs.extend(COPY_RESULTS.iter().map(|n| A::computed(n, string())));
        ResourceSchema {
            kind: "aws_s3_object_copy",
            summary: "An object copied by S3 from another object (re-encrypted as asked)",
            body: BodySchema::new(with_tags(attrs)).unsupported(&[
                "acl",
                "cache_control",
                "content_disposition",
                "content_encoding",
                "content_language",
                "customer_algorithm",
                "customer_key",
                "customer_key_md5",
                "expected_bucket_owner",
                "expected_source_bucket_owner",
                "expires",
                "grant",
                "object_lock_legal_hold_status",
                "object_lock_mode",
                "object_lock_retain_until_date",
                "request_payer",
                "source_customer_algorithm",
                "source_customer_key",
                "source_customer_key_md5",
                "storage_class",
                "website_redirect",
                "override_provider",
                "region",
            ]),
        }
    }

    fn noun(&self) -> &'static str {
        COPY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_copy(&aws.cloud.world, prior)
    }

    fn plan(
        &self,
        _aws: &AwsProvider<'_>,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        if let Some(prior) = prior
            && COPY_ARGS.iter().any(|k| val(prior, k) != val(planned, k))
        {
            for k in COPY_RESULTS {
                planned.insert((*k).into(), Value::Unknown);
            }
        }
        let warnings = if dsse_with_bucket_key(
            str_of(planned, "server_side_encryption"),
            bool_of(planned, "bucket_key_enabled"),
        ) {
            vec![DSSE_BUCKET_KEY_WARNING.to_string()]
        } else {
            Vec::new()
        };
        Ok(PlanAdjustments {
            warnings,
            ..PlanAdjustments::default()
        })
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let seed = copy(aws, "creating", planned)?;
        let id = str_of(&seed, "id").unwrap_or_default().to_string();
        self.read_back(aws, "creating", &id, &seed)
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let seed = if COPY_ARGS.iter().any(|k| val(prior, k) != val(planned, k)) {
            copy(aws, "updating", planned)?
        } else {
            let mut seed = planned.clone();
            seed.insert("id".into(), val(prior, "id").clone());
            seed.insert(
                "source_version_id".into(),
                val(prior, "source_version_id").clone(),
            );
            seed
        };
        let id = str_of(&seed, "id").unwrap_or_default().to_string();
        self.read_back(aws, "updating", &id, &seed)
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let bucket = str_of(prior, "bucket").unwrap_or_default();
        let key = str_of(prior, "key").unwrap_or_default();
        let p = json!({"Bucket": bucket, "Key": key});
        match aws.cloud.call_json(&aws.ctx, "s3:DeleteObject", &p) {
            Err(e) if !already_gone(&e.code) => Err(fail(
                "deleting",
                &target(COPY, &format!("{bucket}/{key}")),
                e,
            )),
            _ => Ok(()),
        }
    }
}

/// Makes the copy; returns the seed state to read back (the planned arguments, the id and
/// what only the copy's answer says: the source version).
fn copy(aws: &mut AwsProvider<'_>, doing: &str, planned: &Map) -> Result<Map, ProviderError> {
    let bucket = str_of(planned, "bucket").unwrap_or_default().to_string();
    let key = str_of(planned, "key").unwrap_or_default().to_string();
    let what = target(COPY, &format!("{bucket}/{key}"));
    let mut p = json!({"Bucket": bucket, "Key": key,
        "CopySource": str_of(planned, "source").unwrap_or_default()});
    for (attr, param) in [
        ("content_type", "ContentType"),
        ("kms_encryption_context", "SSEKMSEncryptionContext"),
        ("metadata_directive", "MetadataDirective"),
        ("tagging_directive", "TaggingDirective"),
        ("checksum_algorithm", "ChecksumAlgorithm"),
        ("copy_if_match", "CopySourceIfMatch"),
        ("copy_if_modified_since", "CopySourceIfModifiedSince"),
        ("copy_if_none_match", "CopySourceIfNoneMatch"),
        ("copy_if_unmodified_since", "CopySourceIfUnmodifiedSince"),
    ] {
        if let Some(v) = nonempty_str(planned, attr) {
            p[param] = json!(v);
        }
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
        if p.get("MetadataDirective").is_none() {
            p["MetadataDirective"] = json!("REPLACE");
        }
    }
    let tags = string_map(val(planned, "tags"));
    if !tags.is_empty() {
        let q: Vec<String> = tags
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    crate::serve::sigv4::uri_encode(k, false),
                    crate::serve::sigv4::uri_encode(v, false)
                )
            })
            .collect();
        p["Tagging"] = json!(q.join("&"));
        if p.get("TaggingDirective").is_none() {
            p["TaggingDirective"] = json!("REPLACE");
        }
    }
    let out = aws
        .cloud
        .call_json(&aws.ctx, "s3:CopyObject", &p)
        .map_err(|e| fail(doing, &what, e))?;
    let mut seed = planned.clone();
    seed.insert("id".into(), Value::string(format!("{bucket}/{key}")));
    seed.insert(
        "source_version_id".into(),
        out.get("CopySourceVersionId")
            .and_then(|v| v.as_str())
            .map_or(Value::Null, Value::string),
    );
    Ok(seed)
}

fn read_copy(w: &World, prior: &Map) -> Option<Map> {
    let bucket = str_of(prior, "bucket")?;
    let key = str_of(prior, "key")?;
    let o = w.s3.objects.get(bucket)?.get(key)?;
    let enc = &o.encryption;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(format!("{bucket}/{key}")));
    m.insert(
        "arn".into(),
        Value::string(format!("arn:aws:s3:::{bucket}/{key}")),
    );
    m.insert("bucket".into(), Value::string(bucket));
    m.insert("key".into(), Value::string(key));
    for k in [
        "source",
        "metadata_directive",
        "tagging_directive",
        "checksum_algorithm",
        "kms_encryption_context",
        "copy_if_match",
        "copy_if_modified_since",
        "copy_if_none_match",
        "copy_if_unmodified_since",
        "source_version_id",
    ] {
        m.insert(k.into(), carry(prior, k, Value::Null));
    }
    m.insert("content_type".into(), Value::string(&o.content_type));
    m.insert(
        "server_side_encryption".into(),
        Value::string(&enc.algorithm),
    );
    m.insert(
        "kms_key_id".into(),
        match &enc.kms_key_arn {
            None => Value::Null,
            Some(arn) => keep_key_ref(w, prior, "kms_key_id", arn),
        },
    );
    m.insert(
        "bucket_key_enabled".into(),
        Value::Bool(enc.bucket_key_enabled),
    );
    m.insert("metadata".into(), map_value(&o.metadata));
    m.insert("etag".into(), Value::string(&o.etag));
    m.insert(
        "last_modified".into(),
        Value::string(iso8601(o.last_modified)),
    );
    m.insert(
        "version_id".into(),
        Value::string(o.version_id.as_deref().unwrap_or("null")),
    );
    for alg in ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] {
        let v = match &o.checksum {
            Some((a, v)) if a.eq_ignore_ascii_case(alg) && !v.is_empty() => Value::string(v),
            None if alg == "sha256" => Value::string(&o.checksum_sha256),
            _ => Value::Null,
        };
        m.insert(format!("checksum_{alg}"), v);
    }
    cloud_tags(&mut m, prior, &o.tags);
    Some(m)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn object_copy_re_encrypts_copies_again_on_change_and_deletes_only_the_copy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        bucket(&mut p, "copy-bucket");
        let (k1, k2) = (key(&mut p), key(&mut p));
        object(
            &mut p,
            "copy-bucket",
            "src.txt",
            vec![
                ("content", s("payload")),
                ("kms_key_id", k1["arn"].clone()),
                ("content_type", s("text/plain")),
            ],
        );
        let planned = plan_create(
            &p,
            "aws_s3_object_copy",
            vec![
                ("bucket", s("copy-bucket")),
                ("key", s("dst.txt")),
                ("source", s("copy-bucket/src.txt")),
                ("kms_key_id", k2["arn"].clone()),
                ("tags", obj(vec![("team", s("blue"))])),
            ],
        );
        let o = p.create("aws_s3_object_copy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_s3_object_copy", &o);
        assert_eq!(o["kms_key_id"], k2["arn"]);
        assert_eq!(o["server_side_encryption"], s("aws:kms"));
        assert_eq!(o["content_type"], s("text/plain"), "metadata copied");
        assert_eq!(o["tags"], obj(vec![("team", s("blue"))]));
        assert!(o["checksum_crc64nvme"].as_str().is_some());
        assert_eq!(get_body(&mut p, "copy-bucket", "dst.txt"), b"payload");
        assert_eq!(p.read("aws_s3_object_copy", &o).unwrap().as_ref(), Some(&o));
        let ctx = p.ctx.clone();
        let tags = p
            .cloud
            .call_json(
                &ctx,
                "s3:GetObjectTagging",
                &json!({"Bucket": "copy-bucket", "Key": "dst.txt"}),
            )
            .unwrap();
        assert_eq!(tags["TagSet"], json!([{"Key": "team", "Value": "blue"}]));

        let planned = plan_update(
            &p,
            "aws_s3_object_copy",
            &o,
            vec![
                ("server_side_encryption", s("AES256")),
                ("kms_key_id", Value::Null),
            ],
        );
        assert_eq!(planned["etag"], Value::Unknown);
        let o2 = p.update("aws_s3_object_copy", &o, &planned).unwrap();
        assert_eq!(o2["server_side_encryption"], s("AES256"));
        assert_eq!(o2["kms_key_id"], Value::Null);
        assert_eq!(get_body(&mut p, "copy-bucket", "dst.txt"), b"payload");

        p.delete("aws_s3_object_copy", &o2).unwrap();
        assert_eq!(p.read("aws_s3_object_copy", &o2).unwrap(), None);
        assert_eq!(get_body(&mut p, "copy-bucket", "src.txt"), b"payload");

        let planned = plan_create(
            &p,
            "aws_s3_object_copy",
            vec![
                ("bucket", s("copy-bucket")),
                ("key", s("x")),
                ("source", s("copy-bucket/missing")),
            ],
        );
        let e = p.create("aws_s3_object_copy", &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("NoSuchKey"), "{}", e.message);
    }
}
