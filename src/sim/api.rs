//! One entry point for every operation by name (`kms:Encrypt`, `s3:GetObject`): used by the
//! `sim` command line, the grading runner and the wire server alike.

use serde_json::Value as Json;
use zeroize::Zeroizing;

use crate::sim::{CallContext, Cloud, SimError};

/// A response: JSON fields with AWS's names, plus the object body for GetObject.
#[derive(Debug)]
pub struct Response {
    pub fields: Json,
    pub body: Option<Zeroizing<Vec<u8>>>,
}

type JsonOp = fn(&mut Cloud, &CallContext, &Json) -> Result<Json, SimError>;

/// Every JSON-in/JSON-out operation, by `service:Operation`.
const OPS: &[(&str, JsonOp)] = &[
    ("kms:CreateKey", Cloud::kms_create_key),
    ("kms:DescribeKey", Cloud::kms_describe_key),
    ("kms:ListKeys", Cloud::kms_list_keys),
    ("kms:ListAliases", Cloud::kms_list_aliases),
    ("kms:CreateAlias", Cloud::kms_create_alias),
    ("kms:UpdateAlias", Cloud::kms_update_alias),
    ("kms:DeleteAlias", Cloud::kms_delete_alias),
    ("kms:EnableKey", Cloud::kms_enable_key),
    ("kms:DisableKey", Cloud::kms_disable_key),
    ("kms:ScheduleKeyDeletion", Cloud::kms_schedule_key_deletion),
    ("kms:CancelKeyDeletion", Cloud::kms_cancel_key_deletion),
    ("kms:EnableKeyRotation", Cloud::kms_enable_key_rotation),
    ("kms:DisableKeyRotation", Cloud::kms_disable_key_rotation),
    (
        "kms:GetKeyRotationStatus",
        Cloud::kms_get_key_rotation_status,
    ),
    ("kms:RotateKeyOnDemand", Cloud::kms_rotate_key_on_demand),
    ("kms:ListKeyRotations", Cloud::kms_list_key_rotations),
    ("kms:GetKeyPolicy", Cloud::kms_get_key_policy),
    ("kms:ListKeyPolicies", Cloud::kms_list_key_policies),
    ("kms:GenerateRandom", Cloud::kms_generate_random),
    ("kms:PutKeyPolicy", Cloud::kms_put_key_policy),
    (
        "kms:UpdateKeyDescription",
        Cloud::kms_update_key_description,
    ),
    ("kms:TagResource", Cloud::kms_tag_resource),
    ("kms:UntagResource", Cloud::kms_untag_resource),
    ("kms:ListResourceTags", Cloud::kms_list_resource_tags),
    ("kms:Encrypt", Cloud::kms_encrypt),
    ("kms:Decrypt", Cloud::kms_decrypt),
    ("kms:ReEncrypt", Cloud::kms_re_encrypt),
    ("kms:GenerateDataKey", Cloud::kms_generate_data_key),
    (
        "kms:GenerateDataKeyWithoutPlaintext",
        Cloud::kms_generate_data_key_without_plaintext,
    ),
    ("s3:CreateBucket", Cloud::s3_create_bucket),
    ("s3:DeleteBucket", Cloud::s3_delete_bucket),
    ("s3:HeadBucket", Cloud::s3_head_bucket),
    ("s3:ListBuckets", Cloud::s3_list_buckets),
    ("s3:PutBucketEncryption", Cloud::s3_put_bucket_encryption),
    ("s3:GetBucketEncryption", Cloud::s3_get_bucket_encryption),
    (
        "s3:DeleteBucketEncryption",
        Cloud::s3_delete_bucket_encryption,
    ),
    ("s3:PutPublicAccessBlock", Cloud::s3_put_public_access_block),
    ("s3:GetPublicAccessBlock", Cloud::s3_get_public_access_block),
    (
        "s3:DeletePublicAccessBlock",
        Cloud::s3_delete_public_access_block,
    ),
    ("s3:PutBucketPolicy", Cloud::s3_put_bucket_policy),
    ("s3:GetBucketPolicy", Cloud::s3_get_bucket_policy),
    ("s3:DeleteBucketPolicy", Cloud::s3_delete_bucket_policy),
    ("s3:HeadObject", Cloud::s3_head_object),
    ("s3:DeleteObject", Cloud::s3_delete_object),
    ("s3:ListObjectsV2", Cloud::s3_list_objects_v2),
    (
        "s3:CreateMultipartUpload",
        Cloud::s3_create_multipart_upload,
    ),
    (
        "s3:CompleteMultipartUpload",
        Cloud::s3_complete_multipart_upload,
    ),
    ("s3:AbortMultipartUpload", Cloud::s3_abort_multipart_upload),
    ("s3:DeleteObjects", Cloud::s3_delete_objects),
    ("s3:GetBucketLocation", Cloud::s3_get_bucket_location),
    ("sts:GetCallerIdentity", Cloud::sts_get_caller_identity),
    ("iam:CreateUser", Cloud::iam_create_user),
    ("iam:GetUser", Cloud::iam_get_user),
    ("iam:ListUsers", Cloud::iam_list_users),
    ("iam:UpdateUser", Cloud::iam_update_user),
    ("iam:DeleteUser", Cloud::iam_delete_user),
    ("iam:PutUserPolicy", Cloud::iam_put_user_policy),
    ("iam:GetUserPolicy", Cloud::iam_get_user_policy),
    ("iam:ListUserPolicies", Cloud::iam_list_user_policies),
    ("iam:DeleteUserPolicy", Cloud::iam_delete_user_policy),
    ("iam:CreatePolicy", Cloud::iam_create_policy),
    ("iam:GetPolicy", Cloud::iam_get_policy),
    ("iam:GetPolicyVersion", Cloud::iam_get_policy_version),
    ("iam:ListPolicyVersions", Cloud::iam_list_policy_versions),
    ("iam:CreatePolicyVersion", Cloud::iam_create_policy_version),
    ("iam:DeletePolicyVersion", Cloud::iam_delete_policy_version),
    ("iam:DeletePolicy", Cloud::iam_delete_policy),
    ("iam:AttachUserPolicy", Cloud::iam_attach_user_policy),
    ("iam:DetachUserPolicy", Cloud::iam_detach_user_policy),
    (
        "iam:ListAttachedUserPolicies",
        Cloud::iam_list_attached_user_policies,
    ),
    ("iam:CreateAccessKey", Cloud::iam_create_access_key),
    ("iam:ListAccessKeys", Cloud::iam_list_access_keys),
    ("iam:DeleteAccessKey", Cloud::iam_delete_access_key),
    ("iam:UpdateAccessKey", Cloud::iam_update_access_key),
    ("cloudtrail:CreateTrail", Cloud::cloudtrail_create_trail),
    ("cloudtrail:UpdateTrail", Cloud::cloudtrail_update_trail),
    ("cloudtrail:DeleteTrail", Cloud::cloudtrail_delete_trail),
    ("cloudtrail:GetTrail", Cloud::cloudtrail_get_trail),
    (
        "cloudtrail:DescribeTrails",
        Cloud::cloudtrail_describe_trails,
    ),
    (
        "cloudtrail:GetTrailStatus",
        Cloud::cloudtrail_get_trail_status,
    ),
    ("cloudtrail:StartLogging", Cloud::cloudtrail_start_logging),
    ("cloudtrail:StopLogging", Cloud::cloudtrail_stop_logging),
    (
        "cloudtrail:PutEventSelectors",
        Cloud::cloudtrail_put_event_selectors,
    ),
    (
        "cloudtrail:GetEventSelectors",
        Cloud::cloudtrail_get_event_selectors,
    ),
    ("cloudtrail:LookupEvents", Cloud::cloudtrail_lookup_events),
];

/// The parameters each operation honours, as AWS names them. A parameter outside this list is
/// refused before the call (as botocore's validation does) rather than silently ignored: a
/// mistyped `PendingWindowDays` must not quietly schedule a 30-day deletion.
const PARAMS: &[(&str, &[&str])] = &[
    (
        "kms:CreateKey",
        &[
            "Policy",
            "Description",
            "KeyUsage",
            "KeySpec",
            "CustomerMasterKeySpec",
            "BypassPolicyLockoutSafetyCheck",
            "Tags",
            "MultiRegion",
        ],
    ),
    ("kms:DescribeKey", &["KeyId"]),
    ("kms:ListKeys", &["Limit", "Marker"]),
    ("kms:ListAliases", &["KeyId"]),
    ("kms:CreateAlias", &["AliasName", "TargetKeyId"]),
    ("kms:UpdateAlias", &["AliasName", "TargetKeyId"]),
    ("kms:DeleteAlias", &["AliasName"]),
    ("kms:EnableKey", &["KeyId"]),
    ("kms:DisableKey", &["KeyId"]),
    ("kms:ScheduleKeyDeletion", &["KeyId", "PendingWindowInDays"]),
    ("kms:CancelKeyDeletion", &["KeyId"]),
    ("kms:EnableKeyRotation", &["KeyId", "RotationPeriodInDays"]),
    ("kms:DisableKeyRotation", &["KeyId"]),
    ("kms:GetKeyRotationStatus", &["KeyId"]),
    ("kms:RotateKeyOnDemand", &["KeyId"]),
    ("kms:ListKeyRotations", &["KeyId"]),
    ("kms:GetKeyPolicy", &["KeyId", "PolicyName"]),
    ("kms:ListKeyPolicies", &["KeyId", "Limit", "Marker"]),
    ("kms:GenerateRandom", &["NumberOfBytes"]),
    (
        "kms:PutKeyPolicy",
        &[
            "KeyId",
            "PolicyName",
            "Policy",
            "BypassPolicyLockoutSafetyCheck",
        ],
    ),
    ("kms:UpdateKeyDescription", &["KeyId", "Description"]),
    ("kms:TagResource", &["KeyId", "Tags"]),
    ("kms:UntagResource", &["KeyId", "TagKeys"]),
    ("kms:ListResourceTags", &["KeyId"]),
    (
        "kms:Encrypt",
        &[
            "KeyId",
            "Plaintext",
            "EncryptionContext",
            "EncryptionAlgorithm",
        ],
    ),
    (
        "kms:Decrypt",
        &[
            "CiphertextBlob",
            "EncryptionContext",
            "KeyId",
            "EncryptionAlgorithm",
        ],
    ),
    (
        "kms:ReEncrypt",
        &[
            "CiphertextBlob",
            "SourceEncryptionContext",
            "SourceKeyId",
            "DestinationKeyId",
            "DestinationEncryptionContext",
        ],
    ),
    (
        "kms:GenerateDataKey",
        &["KeyId", "EncryptionContext", "NumberOfBytes", "KeySpec"],
    ),
    (
        "kms:GenerateDataKeyWithoutPlaintext",
        &["KeyId", "EncryptionContext", "NumberOfBytes", "KeySpec"],
    ),
    ("s3:CreateBucket", &["Bucket", "CreateBucketConfiguration"]),
    ("s3:DeleteBucket", &["Bucket"]),
    ("s3:HeadBucket", &["Bucket"]),
    ("s3:ListBuckets", &[]),
    (
        "s3:PutBucketEncryption",
        &["Bucket", "ServerSideEncryptionConfiguration"],
    ),
    ("s3:GetBucketEncryption", &["Bucket"]),
    ("s3:DeleteBucketEncryption", &["Bucket"]),
    (
        "s3:PutPublicAccessBlock",
        &["Bucket", "PublicAccessBlockConfiguration"],
    ),
    ("s3:GetPublicAccessBlock", &["Bucket"]),
    ("s3:DeletePublicAccessBlock", &["Bucket"]),
    ("s3:PutBucketPolicy", &["Bucket", "Policy"]),
    ("s3:GetBucketPolicy", &["Bucket"]),
    ("s3:DeleteBucketPolicy", &["Bucket"]),
    (
        "s3:PutObject",
        &[
            "Bucket",
            "Key",
            "ServerSideEncryption",
            "SSEKMSKeyId",
            "SSEKMSEncryptionContext",
            "BucketKeyEnabled",
            "ContentType",
            "Metadata",
        ],
    ),
    ("s3:GetObject", &["Bucket", "Key", "Range"]),
    ("s3:HeadObject", &["Bucket", "Key"]),
    ("s3:DeleteObject", &["Bucket", "Key"]),
    (
        "s3:ListObjectsV2",
        &[
            "Bucket",
            "Prefix",
            "Delimiter",
            "MaxKeys",
            "ContinuationToken",
            "StartAfter",
        ],
    ),
    (
        "s3:CreateMultipartUpload",
        &[
            "Bucket",
            "Key",
            "ServerSideEncryption",
            "SSEKMSKeyId",
            "SSEKMSEncryptionContext",
            "BucketKeyEnabled",
            "ContentType",
            "Metadata",
        ],
    ),
    (
        "s3:UploadPart",
        &["Bucket", "Key", "UploadId", "PartNumber"],
    ),
    (
        "s3:CompleteMultipartUpload",
        &["Bucket", "Key", "UploadId", "MultipartUpload"],
    ),
    ("s3:AbortMultipartUpload", &["Bucket", "Key", "UploadId"]),
    ("s3:DeleteObjects", &["Bucket", "Delete"]),
    ("s3:GetBucketLocation", &["Bucket"]),
    ("sts:GetCallerIdentity", &[]),
    ("iam:CreateUser", &["UserName", "Path"]),
    ("iam:GetUser", &["UserName"]),
    ("iam:ListUsers", &[]),
    ("iam:UpdateUser", &["UserName", "NewUserName", "NewPath"]),
    ("iam:DeleteUser", &["UserName"]),
    (
        "iam:PutUserPolicy",
        &["UserName", "PolicyName", "PolicyDocument"],
    ),
    ("iam:GetUserPolicy", &["UserName", "PolicyName"]),
    ("iam:ListUserPolicies", &["UserName"]),
    ("iam:DeleteUserPolicy", &["UserName", "PolicyName"]),
    (
        "iam:CreatePolicy",
        &["PolicyName", "Path", "PolicyDocument", "Description"],
    ),
    ("iam:GetPolicy", &["PolicyArn"]),
    ("iam:GetPolicyVersion", &["PolicyArn", "VersionId"]),
    ("iam:ListPolicyVersions", &["PolicyArn"]),
    (
        "iam:CreatePolicyVersion",
        &["PolicyArn", "PolicyDocument", "SetAsDefault"],
    ),
    ("iam:DeletePolicyVersion", &["PolicyArn", "VersionId"]),
    ("iam:DeletePolicy", &["PolicyArn"]),
    ("iam:AttachUserPolicy", &["UserName", "PolicyArn"]),
    ("iam:DetachUserPolicy", &["UserName", "PolicyArn"]),
    ("iam:ListAttachedUserPolicies", &["UserName"]),
    ("iam:CreateAccessKey", &["UserName"]),
    ("iam:ListAccessKeys", &["UserName"]),
    ("iam:DeleteAccessKey", &["UserName", "AccessKeyId"]),
    (
        "iam:UpdateAccessKey",
        &["UserName", "AccessKeyId", "Status"],
    ),
    (
        "cloudtrail:CreateTrail",
        &[
            "Name",
            "S3BucketName",
            "S3KeyPrefix",
            "KmsKeyId",
            "IncludeGlobalServiceEvents",
            "IsMultiRegionTrail",
            "EnableLogFileValidation",
        ],
    ),
    (
        "cloudtrail:UpdateTrail",
        &[
            "Name",
            "S3BucketName",
            "S3KeyPrefix",
            "KmsKeyId",
            "IncludeGlobalServiceEvents",
            "IsMultiRegionTrail",
            "EnableLogFileValidation",
        ],
    ),
    ("cloudtrail:DeleteTrail", &["Name"]),
    ("cloudtrail:GetTrail", &["Name"]),
    ("cloudtrail:DescribeTrails", &[]),
    ("cloudtrail:GetTrailStatus", &["Name"]),
    ("cloudtrail:StartLogging", &["Name"]),
    ("cloudtrail:StopLogging", &["Name"]),
    (
        "cloudtrail:PutEventSelectors",
        &["TrailName", "EventSelectors"],
    ),
    ("cloudtrail:GetEventSelectors", &["TrailName"]),
    (
        "cloudtrail:LookupEvents",
        &[
            "LookupAttributes",
            "StartTime",
            "EndTime",
            "MaxResults",
            "NextToken",
        ],
    ),
];

/// The parameters operation `op` (canonical `service:Operation`) honours.
pub fn parameters(op: &str) -> Option<&'static [&'static str]> {
    PARAMS.iter().find(|(n, _)| *n == op).map(|(_, p)| *p)
}

/// Refuses parameters the operation does not know, botocore's way.
fn check_parameters(op: &str, params: &Json) -> Result<(), SimError> {
    let (Some(known), Json::Object(given)) = (parameters(op), params) else {
        return Ok(());
    };
    match given.keys().find(|k| !known.contains(&k.as_str())) {
        None => Ok(()),
        Some(k) => Err(SimError::param(format!(
            "Unknown parameter in input: \"{k}\", must be one of: {}",
            known.join(", ")
        ))),
    }
}

/// Operations with bodies, handled apart from [`OPS`].
const BODY_OPS: &[&str] = &["s3:PutObject", "s3:GetObject", "s3:UploadPart"];

/// Every operation name, for listings and "did you mean".
pub fn operation_names() -> Vec<&'static str> {
    sorted_names().to_vec()
}

/// The sorted operation names, built once: `call` looks names up on every simulated call.
fn sorted_names() -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut v: Vec<&str> = OPS
            .iter()
            .map(|(n, _)| *n)
            .chain(BODY_OPS.iter().copied())
            .collect();
        v.sort_unstable();
        v
    })
}

/// Finds the canonical name of an operation (service part case-insensitive).
pub fn canonical(name: &str) -> Option<&'static str> {
    let (svc, op) = name.split_once(':')?;
    if let Ok(i) = sorted_names().binary_search(&name) {
        return Some(sorted_names()[i]);
    }
    sorted_names().iter().copied().find(|n| {
        n.split_once(':')
            .is_some_and(|(s, o)| s.eq_ignore_ascii_case(svc) && o == op)
    })
}

impl Cloud {
    /// Calls an operation by name. `body` is the request body of PutObject.
    pub fn call(
        &mut self,
        ctx: &CallContext,
        op: &str,
        params: &Json,
        body: Option<&[u8]>,
    ) -> Result<Response, SimError> {
        let Some(name) = canonical(op) else {
            let names = operation_names();
            let hint = crate::diag::suggestion(op, names.iter().copied());
            return Err(SimError::param(format!(
                "Unknown operation {op:?}: operations are named service:Operation, like kms:Encrypt.{hint}"
            )));
        };
        if !params.is_object() && !params.is_null() {
            return Err(SimError::param(format!(
                "Parameters of {name} must be an object of AWS parameter names"
            )));
        }
        let empty = Json::Object(Default::default());
        let params = if params.is_null() { &empty } else { params };
        check_parameters(name, params)?;
        match name {
            "s3:PutObject" => {
                let body = body.unwrap_or_default();
                Ok(Response {
                    fields: self.s3_put_object(ctx, params, body)?,
                    body: None,
                })
            }
            "s3:UploadPart" => {
                let body = body.unwrap_or_default();
                Ok(Response {
                    fields: self.s3_upload_part(ctx, params, body)?,
                    body: None,
                })
            }
            "s3:GetObject" => {
                let (fields, body) = self.s3_get_object(ctx, params)?;
                Ok(Response {
                    fields,
                    body: Some(body),
                })
            }
            _ => {
                let f = OPS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f);
                match f {
                    Some(f) => Ok(Response {
                        fields: f(self, ctx, params)?,
                        body: None,
                    }),
                    None => Err(SimError::internal(format!(
                        "operation {name} is listed but has no handler"
                    ))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_canonicalised() {
        assert_eq!(canonical("KMS:Encrypt"), Some("kms:Encrypt"));
        assert_eq!(canonical("kms:encrypt"), None);
        assert!(operation_names().contains(&"s3:GetObject"));
    }

    #[test]
    fn every_operation_lists_its_parameters_and_unknown_ones_are_refused() {
        for op in operation_names() {
            assert!(parameters(op).is_some(), "{op} has no parameter list");
        }
        let mut c = Cloud::in_memory(
            "123456789012",
            "us-east-1",
            0,
            crate::sim::ids::IdGen::seeded(1),
        )
        .unwrap();
        let e = c
            .call(
                &CallContext::lab_admin(),
                "kms:ScheduleKeyDeletion",
                &serde_json::json!({"KeyId": "k", "PendingWindowDays": 7}),
                None,
            )
            .unwrap_err();
        assert_eq!(e.kind, crate::sim::ErrorKind::Parameter);
        assert_eq!(
            e.message,
            "Unknown parameter in input: \"PendingWindowDays\", must be one of: KeyId, PendingWindowInDays"
        );
        // Nothing reached the service, so nothing was recorded.
        assert!(c.world.cloudtrail.events.is_empty());
    }
}
