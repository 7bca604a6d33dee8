//! Schemas of the AWS provider's resource types and data sources that keyform simulates,
//! matching terraform-provider-aws (aws-semantics.md §1): arguments, defaults, validation,
//! ForceNew and computed attributes.

use crate::schema::{
    AttrSchema as A, AttrType as T, BlockSchema as B, BodySchema, ResourceSchema, check,
};
use crate::value::Value;

fn s() -> T {
    T::String
}
fn set_of_strings() -> T {
    T::Set(Box::new(T::String))
}
fn tags() -> Vec<A> {
    vec![
        A::optional("tags", T::Map(Box::new(T::String))),
        A::computed("tags_all", T::Map(Box::new(T::String))),
    ]
}

fn with_tags(mut attrs: Vec<A>) -> Vec<A> {
    attrs.extend(tags());
    attrs
}

const KEY_SPECS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
];

fn key_spec(v: &Value) -> Result<(), String> {
    check::one_of(v, KEY_SPECS)?;
    if v.as_str() != Some("SYMMETRIC_DEFAULT") {
        return Err(format!(
            "{v} is a valid AWS key spec, but keyform simulates only SYMMETRIC_DEFAULT keys (AES-256-GCM); asymmetric and HMAC keys are not supported by keyform"
        ));
    }
    Ok(())
}

fn key_usage(v: &Value) -> Result<(), String> {
    check::one_of(
        v,
        &[
            "ENCRYPT_DECRYPT",
            "SIGN_VERIFY",
            "GENERATE_VERIFY_MAC",
            "KEY_AGREEMENT",
        ],
    )?;
    if v.as_str() != Some("ENCRYPT_DECRYPT") {
        return Err(format!(
            "{v} is a valid AWS key usage, but keyform simulates only ENCRYPT_DECRYPT keys"
        ));
    }
    Ok(())
}

fn alias_name(v: &Value) -> Result<(), String> {
    let n = v.as_str().unwrap_or("");
    let rest = n.strip_prefix("alias/").ok_or_else(|| {
        format!("{v} must begin with 'alias/' and be comprised of only [a-zA-Z0-9/_-]")
    })?;
    if n.starts_with("alias/aws/") {
        return Err(format!(
            "{v} cannot begin with reserved AWS CMK prefix 'alias/aws/'"
        ));
    }
    if rest.is_empty()
        || n.len() > 256
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
    {
        return Err(format!(
            "{v} must begin with 'alias/' and be comprised of only [a-zA-Z0-9/_-]"
        ));
    }
    Ok(())
}

fn bucket_name(v: &Value) -> Result<(), String> {
    crate::sim::s3::validate_bucket_name(v.as_str().unwrap_or(""))
        .map_err(|e| format!("invalid bucket name {v}: {e}"))
}

fn iam_name(v: &Value, max: usize) -> Result<(), String> {
    let n = v.as_str().unwrap_or("");
    if n.is_empty()
        || n.len() > max
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
    {
        return Err(format!(
            "{v} must be 1-{max} characters of letters, digits and +=,.@_-"
        ));
    }
    Ok(())
}

fn iam_path(v: &Value) -> Result<(), String> {
    let p = v.as_str().unwrap_or("");
    if p.starts_with('/') && p.ends_with('/') && p.len() <= 512 {
        Ok(())
    } else {
        Err(format!("{v} must begin and end with /"))
    }
}

fn policy_json(v: &Value) -> Result<(), String> {
    check::json(v)?;
    if v.as_str().is_some_and(|s| s.trim_start().starts_with('{')) {
        Ok(())
    } else {
        Err(format!("{v} is not a JSON policy document (an object)"))
    }
}

fn key_policy(v: &Value) -> Result<(), String> {
    policy_json(v)?;
    check::len_between(v, 0, 32_768)
}

fn sse_algorithm(v: &Value) -> Result<(), String> {
    check::one_of(v, &["AES256", "aws:kms", "aws:kms:dsse"])
}

fn trail_name(v: &Value) -> Result<(), String> {
    crate::sim::cloudtrail::validate_trail_name(v.as_str().unwrap_or(""))
}

/// Statement ids of `aws_iam_policy_document`: letters and digits only, as the provider checks.
fn sid(v: &Value) -> Result<(), String> {
    if v.as_str()
        .is_some_and(|s| s.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        Ok(())
    } else {
        Err(format!("{v} must only include alphanumeric characters"))
    }
}

/// Every managed resource type keyform simulates.
pub(super) fn resources() -> Vec<ResourceSchema> {
    vec![
        ResourceSchema {
            kind: "aws_kms_key",
            summary: "A customer managed KMS key (symmetric, AES-256-GCM)",
            body: BodySchema::new(with_tags(vec![
                A::optional_computed("description", s())
                    .validate(|v| check::len_between(v, 0, 8192)),
                A::optional("key_usage", s())
                    .default("ENCRYPT_DECRYPT")
                    .force_new()
                    .validate(key_usage),
                A::optional("customer_master_key_spec", s())
                    .default("SYMMETRIC_DEFAULT")
                    .force_new()
                    .validate(key_spec),
                A::optional_computed("policy", T::Json).validate(key_policy),
                A::optional("bypass_policy_lockout_safety_check", T::Bool).default(false),
                A::optional("deletion_window_in_days", T::Number)
                    .validate(|v| check::int_between(v, 7, 30)),
                A::optional("is_enabled", T::Bool).default(true),
                A::optional("enable_key_rotation", T::Bool).default(false),
                A::optional_computed("rotation_period_in_days", T::Number)
                    .validate(|v| check::int_between(v, 90, 2560))
                    .required_with(&["enable_key_rotation"]),
                A::optional_computed("multi_region", T::Bool).force_new(),
                A::computed("arn", s()),
                A::computed("key_id", s()),
                A::computed("id", s()),
            ]))
            .unsupported(&["custom_key_store_id", "xks_key_id", "region"]),
        },
        ResourceSchema {
            kind: "aws_kms_alias",
            summary: "A friendly name (alias/...) for a KMS key",
            body: BodySchema::new(vec![
                A::optional_computed("name", s())
                    .force_new()
                    .validate(alias_name)
                    .conflicts_with(&["name_prefix"]),
                A::optional_computed("name_prefix", s())
                    .force_new()
                    .validate(alias_name)
                    .conflicts_with(&["name"]),
                A::required("target_key_id", s()),
                A::computed("arn", s()),
                A::computed("target_key_arn", s()),
                A::computed("id", s()),
            ])
            .unsupported(&["region"]),
        },
        ResourceSchema {
            kind: "aws_kms_key_policy",
            summary: "The key policy of a KMS key, managed on its own",
            body: BodySchema::new(vec![
                A::required("key_id", s()).force_new(),
                A::required("policy", T::Json).validate(key_policy),
                A::optional("bypass_policy_lockout_safety_check", T::Bool).default(false),
                A::computed("id", s()),
            ])
            .unsupported(&["region"]),
        },
        ResourceSchema {
            kind: "aws_s3_bucket",
            summary: "An S3 bucket",
            body: BodySchema::new(with_tags(vec![
                A::optional_computed("bucket", s())
                    .force_new()
                    .validate(bucket_name)
                    .conflicts_with(&["bucket_prefix"]),
                A::optional_computed("bucket_prefix", s())
                    .force_new()
                    .validate(|v| check::len_between(v, 1, 37))
                    .conflicts_with(&["bucket"]),
                A::optional("force_destroy", T::Bool).default(false),
                A::computed("id", s()),
                A::computed("arn", s()),
                A::computed("bucket_domain_name", s()),
                A::computed("bucket_regional_domain_name", s()),
                A::computed("hosted_zone_id", s()),
                A::computed("region", s()),
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
        },
        ResourceSchema {
            kind: "aws_s3_bucket_server_side_encryption_configuration",
            summary: "Default encryption of a bucket (SSE-S3, SSE-KMS, DSSE-KMS, bucket keys)",
            body: BodySchema::new(vec![
                A::required("bucket", s()).force_new(),
                A::computed("id", s()),
            ])
            .blocks(vec![B::set(
                "rule",
                1,
                usize::MAX,
                BodySchema::new(vec![A::optional("bucket_key_enabled", T::Bool)])
                    .blocks(vec![B::list(
                        "apply_server_side_encryption_by_default",
                        0,
                        1,
                        BodySchema::new(vec![
                            A::required("sse_algorithm", s()).validate(sse_algorithm),
                            A::optional("kms_master_key_id", s()),
                        ]),
                    )])
                    .unsupported(&["blocked_encryption_types"]),
            )])
            .unsupported(&["expected_bucket_owner", "region"]),
        },
        ResourceSchema {
            kind: "aws_s3_bucket_public_access_block",
            summary: "The four Block Public Access switches of a bucket",
            body: BodySchema::new(vec![
                A::required("bucket", s()).force_new(),
                A::optional("block_public_acls", T::Bool).default(false),
                A::optional("block_public_policy", T::Bool).default(false),
                A::optional("ignore_public_acls", T::Bool).default(false),
                A::optional("restrict_public_buckets", T::Bool).default(false),
                A::optional("skip_destroy", T::Bool).default(false),
                A::computed("id", s()),
            ])
            .unsupported(&["region"]),
        },
        ResourceSchema {
            kind: "aws_s3_bucket_policy",
            summary: "A bucket policy",
            body: BodySchema::new(vec![
                A::required("bucket", s()).force_new(),
                A::required("policy", T::Json).validate(policy_json),
                A::computed("id", s()),
            ])
            .unsupported(&["region"]),
        },
        ResourceSchema {
            kind: "aws_s3_object",
            summary: "An object in a bucket, encrypted as the bucket or the arguments say",
            body: BodySchema::new(with_tags(vec![
                A::required("bucket", s()).force_new(),
                A::required("key", s())
                    .force_new()
                    .validate(|v| check::len_between(v, 1, 1024)),
                A::optional("content", s()).conflicts_with(&["content_base64", "source"]),
                A::optional("content_base64", s()).conflicts_with(&["content", "source"]),
                A::optional("source", s()).conflicts_with(&["content", "content_base64"]),
                A::optional("source_hash", s()),
                A::optional_computed("content_type", s()),
                A::optional_computed("server_side_encryption", s()).validate(sse_algorithm),
                A::optional_computed("kms_key_id", s()),
                A::optional_computed("bucket_key_enabled", T::Bool),
                A::optional("metadata", T::Map(Box::new(T::String))),
                A::optional_computed("etag", s()),
                A::optional("force_destroy", T::Bool).default(false),
                A::computed("id", s()),
                A::computed("arn", s()),
                A::computed("version_id", s()),
                A::computed("checksum_sha256", s()),
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
        },
        ResourceSchema {
            kind: "aws_iam_user",
            summary: "An IAM user (a lab persona such as S3-Admin-User)",
            body: BodySchema::new(with_tags(vec![
                A::required("name", s()).validate(|v| iam_name(v, 64)),
                A::optional("path", s()).default("/").validate(iam_path),
                A::optional("force_destroy", T::Bool).default(false),
                A::computed("arn", s()),
                A::computed("unique_id", s()),
                A::computed("id", s()),
            ]))
            .unsupported(&["permissions_boundary"]),
        },
        ResourceSchema {
            kind: "aws_iam_policy",
            summary: "A customer managed IAM policy",
            body: BodySchema::new(with_tags(vec![
                A::optional_computed("name", s())
                    .force_new()
                    .validate(|v| iam_name(v, 128))
                    .conflicts_with(&["name_prefix"]),
                A::optional_computed("name_prefix", s())
                    .force_new()
                    .conflicts_with(&["name"]),
                A::optional("path", s())
                    .default("/")
                    .force_new()
                    .validate(iam_path),
                A::optional("description", s()).force_new(),
                A::required("policy", T::Json).validate(policy_json),
                A::computed("arn", s()),
                A::computed("id", s()),
                A::computed("policy_id", s()),
                A::computed("attachment_count", T::Number),
            ])),
        },
        ResourceSchema {
            kind: "aws_iam_user_policy",
            summary: "An inline policy of an IAM user",
            body: BodySchema::new(vec![
                A::required("user", s()).force_new(),
                A::optional_computed("name", s())
                    .force_new()
                    .validate(|v| iam_name(v, 128))
                    .conflicts_with(&["name_prefix"]),
                A::optional_computed("name_prefix", s())
                    .force_new()
                    .conflicts_with(&["name"]),
                A::required("policy", T::Json).validate(policy_json),
                A::computed("id", s()),
            ]),
        },
        ResourceSchema {
            kind: "aws_iam_access_key",
            summary: "An access key of a user, for signing requests to `keyform serve`",
            body: BodySchema::new(vec![
                A::required("user", s()).force_new(),
                A::optional("status", s())
                    .default("Active")
                    .validate(|v| match v {
                        Value::String(x) if x == "Active" || x == "Inactive" => Ok(()),
                        _ => Err(format!(
                            "expected status to be one of [\"Active\" \"Inactive\"], got {}",
                            v.to_json()
                        )),
                    }),
                A::computed("id", s()),
                A::computed("secret", s()).sensitive(),
                A::computed("create_date", s()),
            ]),
        },
        ResourceSchema {
            kind: "aws_iam_user_policy_attachment",
            summary: "Attaches a managed policy (AWS or customer) to a user",
            body: BodySchema::new(vec![
                A::required("user", s()).force_new(),
                A::required("policy_arn", s()).force_new(),
                A::computed("id", s()),
            ]),
        },
        ResourceSchema {
            kind: "aws_cloudtrail",
            summary: "A CloudTrail trail delivering log files into a bucket",
            body: BodySchema::new(with_tags(vec![
                A::required("name", s()).force_new().validate(trail_name),
                A::required("s3_bucket_name", s()),
                A::optional("s3_key_prefix", s()).validate(|v| check::len_between(v, 0, 2000)),
                A::optional("enable_logging", T::Bool).default(true),
                A::optional("include_global_service_events", T::Bool).default(true),
                A::optional("is_multi_region_trail", T::Bool).default(false),
                A::optional("enable_log_file_validation", T::Bool).default(false),
                A::optional("kms_key_id", s()),
                A::computed("arn", s()),
                A::computed("id", s()),
                A::computed("home_region", s()),
            ]))
            .blocks(vec![B::list(
                "event_selector",
                0,
                5,
                BodySchema::new(vec![
                    A::optional("read_write_type", s())
                        .default("All")
                        .validate(|v| check::one_of(v, &["All", "ReadOnly", "WriteOnly"])),
                    A::optional("include_management_events", T::Bool).default(true),
                    A::optional("exclude_management_event_sources", set_of_strings()),
                ])
                .blocks(vec![B::list(
                    "data_resource",
                    0,
                    usize::MAX,
                    BodySchema::new(vec![
                        A::required("type", s()).validate(|v| {
                            check::one_of(
                                v,
                                &[
                                    "AWS::S3::Object",
                                    "AWS::Lambda::Function",
                                    "AWS::DynamoDB::Table",
                                ],
                            )
                        }),
                        A::required("values", T::List(Box::new(T::String))),
                    ]),
                )]),
            )])
            .unsupported(&[
                "is_organization_trail",
                "cloud_watch_logs_group_arn",
                "cloud_watch_logs_role_arn",
                "sns_topic_name",
                "advanced_event_selector",
                "insight_selector",
                "region",
            ]),
        },
    ]
}

/// Every data source keyform simulates.
pub(super) fn data_sources() -> Vec<ResourceSchema> {
    let principals = || {
        BodySchema::new(vec![
            A::required("type", s()),
            A::required("identifiers", set_of_strings()),
        ])
    };
    vec![
        ResourceSchema {
            kind: "aws_iam_policy_document",
            summary: "Renders an IAM policy document as JSON",
            body: BodySchema::new(vec![
                A::optional("version", s())
                    .default("2012-10-17")
                    .validate(|v| check::one_of(v, &["2012-10-17", "2008-10-17"])),
                A::optional("policy_id", s()),
                A::optional("source_policy_documents", T::List(Box::new(T::String))),
                A::optional("override_policy_documents", T::List(Box::new(T::String))),
                A::computed("json", s()),
                A::computed("minified_json", s()),
                A::computed("id", s()),
            ])
            .blocks(vec![B::list(
                "statement",
                0,
                usize::MAX,
                BodySchema::new(vec![
                    A::optional("sid", s()).validate(sid),
                    A::optional("effect", s())
                        .default("Allow")
                        .validate(|v| check::one_of(v, &["Allow", "Deny"])),
                    A::optional("actions", set_of_strings()),
                    A::optional("not_actions", set_of_strings()),
                    A::optional("resources", set_of_strings()),
                    A::optional("not_resources", set_of_strings()),
                ])
                .blocks(vec![
                    B::set("principals", 0, usize::MAX, principals()),
                    B::set("not_principals", 0, usize::MAX, principals()),
                    B::set(
                        "condition",
                        0,
                        usize::MAX,
                        BodySchema::new(vec![
                            A::required("test", s()),
                            A::required("variable", s()),
                            A::required("values", T::List(Box::new(T::String))),
                        ]),
                    ),
                ]),
            )]),
        },
        ResourceSchema {
            kind: "aws_caller_identity",
            summary: "The identity running the lab (lab-admin)",
            body: BodySchema::new(vec![
                A::computed("account_id", s()),
                A::computed("arn", s()),
                A::computed("user_id", s()),
                A::computed("id", s()),
            ]),
        },
        ResourceSchema {
            kind: "aws_region",
            summary: "The lab's region",
            body: BodySchema::new(vec![
                A::optional_computed("name", s()),
                A::optional_computed("region", s()),
                A::computed("description", s()),
                A::computed("endpoint", s()),
                A::computed("id", s()),
            ]),
        },
        ResourceSchema {
            kind: "aws_partition",
            summary: "The partition (aws)",
            body: BodySchema::new(vec![
                A::computed("partition", s()),
                A::computed("dns_suffix", s()),
                A::computed("reverse_dns_prefix", s()),
                A::computed("id", s()),
            ]),
        },
        ResourceSchema {
            kind: "aws_kms_alias",
            summary: "Looks up a KMS alias",
            body: BodySchema::new(vec![
                A::required("name", s()).validate(|v| {
                    if v.as_str().is_some_and(|n| n.starts_with("alias/")) {
                        Ok(())
                    } else {
                        Err(format!("{v} must begin with 'alias/'"))
                    }
                }),
                A::computed("arn", s()),
                A::computed("target_key_id", s()),
                A::computed("target_key_arn", s()),
                A::computed("id", s()),
            ]),
        },
    ]
}

/// Resource types of the AWS provider that keyform recognises but does not simulate.
pub(super) const KNOWN_UNSUPPORTED: &[&str] = &[
    "aws_instance",
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_lambda_function",
    "aws_iam_role",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_group",
    "aws_iam_group_policy",
    "aws_iam_group_membership",
    "aws_kms_grant",
    "aws_kms_replica_key",
    "aws_kms_external_key",
    "aws_kms_ciphertext",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_lifecycle_configuration",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_notification",
    "aws_dynamodb_table",
    "aws_sns_topic",
    "aws_sqs_queue",
    "aws_cloudwatch_log_group",
    "aws_iam_user_login_profile",
];
