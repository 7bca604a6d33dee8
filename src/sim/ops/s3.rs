//! S3's operations: handler, input shape and the authorizations AWS performs for each (the S3
//! API reference's "Permissions" sections and the Service Authorization Reference), including
//! the KMS calls S3 makes on the caller's behalf for SSE-KMS.

use super::access::{By, Check, KMS_VIA_S3, Res, identity, key, s3};
use super::param::ParamType::*;
use super::param::{Param, opt, req};
use super::{EventKind, Handler, JsonFn, Operation, shapes};
use crate::sim::Cloud;

const BUCKET: Param = req("Bucket", String);
const KEY: Param = req("Key", String);
const VIA_S3: By = By::CallerVia("s3.amazonaws.com");
const SSE_KEYS: &[&str] = &[
    "s3:x-amz-server-side-encryption?",
    "s3:x-amz-server-side-encryption-aws-kms-key-id?",
    "s3:if-match?",
    "s3:if-none-match?",
];
/// The write conditions of PutObject and CompleteMultipartUpload.
const IF_MATCH: Param = opt("IfMatch", String);
const IF_NONE_MATCH: Param = opt("IfNoneMatch", String);
const VERSION_ID: Param = opt("VersionId", String);
/// GetObject's and HeadObject's read conditions.
const READ_IF: [Param; 4] = [
    IF_MATCH,
    IF_NONE_MATCH,
    opt("IfModifiedSince", Timestamp),
    opt("IfUnmodifiedSince", Timestamp),
];
const SSE: Param = opt(
    "ServerSideEncryption",
    Enum(&["AES256", "aws:kms", "aws:kms:dsse"]),
);
const STORAGE: &[Param] = &[
    BUCKET,
    KEY,
    SSE,
    opt("SSEKMSKeyId", String),
    opt("SSEKMSEncryptionContext", String),
    opt("BucketKeyEnabled", Boolean),
    opt("ContentType", String),
    opt("Metadata", StringMap),
    opt("Tagging", String),
    CHECKSUM_ALGORITHM,
    opt("ChecksumType", Enum(&["COMPOSITE", "FULL_OBJECT"])),
];
const CHECKSUM_ALGORITHM: Param = opt(
    "ChecksumAlgorithm",
    Enum(&["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"]),
);
/// The checksums a request may carry for its body.
const CHECKSUMS: [Param; 5] = [
    opt("ChecksumCRC32", String),
    opt("ChecksumCRC32C", String),
    opt("ChecksumSHA1", String),
    opt("ChecksumSHA256", String),
    opt("ChecksumCRC64NVME", String),
];
/// A copy's source and its conditions.
const COPY_SOURCE: [Param; 5] = [
    req("CopySource", String),
    opt("CopySourceIfMatch", String),
    opt("CopySourceIfNoneMatch", String),
    opt("CopySourceIfModifiedSince", Timestamp),
    opt("CopySourceIfUnmodifiedSince", Timestamp),
];
/// PutObject: the storage parameters and the write conditions.
const PUT: &[Param] = &[
    BUCKET,
    KEY,
    SSE,
    opt("SSEKMSKeyId", String),
    opt("SSEKMSEncryptionContext", String),
    opt("BucketKeyEnabled", Boolean),
    opt("ContentType", String),
    opt("Metadata", StringMap),
    opt("Tagging", String),
    CHECKSUM_ALGORITHM,
    CHECKSUMS[0],
    CHECKSUMS[1],
    CHECKSUMS[2],
    CHECKSUMS[3],
    CHECKSUMS[4],
    IF_MATCH,
    IF_NONE_MATCH,
];
/// CopyObject: the storage parameters of the destination, its directives, the source.
const COPY: &[Param] = &[
    BUCKET,
    KEY,
    SSE,
    opt("SSEKMSKeyId", String),
    opt("SSEKMSEncryptionContext", String),
    opt("BucketKeyEnabled", Boolean),
    opt("ContentType", String),
    opt("Metadata", StringMap),
    opt("Tagging", String),
    CHECKSUM_ALGORITHM,
    opt("MetadataDirective", Enum(&["COPY", "REPLACE"])),
    opt("TaggingDirective", Enum(&["COPY", "REPLACE"])),
    COPY_SOURCE[0],
    COPY_SOURCE[1],
    COPY_SOURCE[2],
    COPY_SOURCE[3],
    COPY_SOURCE[4],
    IF_MATCH,
    IF_NONE_MATCH,
];
/// Tagging a write asks for: s3:PutObjectTagging with the tags as condition keys.
const PUT_TAGS: Check = s3("s3:PutObjectTagging", Res::Object)
    .with(&["s3:RequestObjectTag/?"])
    .when("with Tagging");
const DECRYPT_VIA_S3: Check = key("kms:Decrypt")
    .by(VIA_S3)
    .with(KMS_VIA_S3)
    .when("an SSE-KMS source");
const COPY_KEYS: &[&str] = &[
    "s3:x-amz-server-side-encryption?",
    "s3:x-amz-server-side-encryption-aws-kms-key-id?",
    "s3:if-match?",
    "s3:if-none-match?",
    "s3:x-amz-copy-source",
    "s3:x-amz-metadata-directive?",
];
const OBJECT_TAGGING: &[Param] = &[BUCKET, KEY, VERSION_ID];

/// The data key S3 asks KMS for when it encrypts with SSE-KMS (a new one, or a cached bucket
/// key re-checked without a KMS call).
const GENERATE_VIA_S3: Check = key("kms:GenerateDataKey")
    .by(VIA_S3)
    .with(KMS_VIA_S3)
    .when("with SSE-KMS");

/// A bucket-level operation (a management event).
const fn bucket_op(
    name: &'static str,
    handler: JsonFn,
    params: &'static [Param],
    mutates: bool,
    checks: &'static [Check],
) -> Operation {
    Operation {
        name,
        handler: Handler::Json(handler),
        params,
        mutates,
        event: EventKind::Management,
        checks,
        output_blobs: &[],
    }
}

/// An object-level operation (a data event).
const fn object_op(
    name: &'static str,
    handler: Handler,
    params: &'static [Param],
    mutates: bool,
    checks: &'static [Check],
) -> Operation {
    Operation {
        name,
        handler,
        params,
        mutates,
        event: EventKind::Data,
        checks,
        output_blobs: &[],
    }
}

const ON_BUCKET: &[Param] = &[BUCKET];

pub(super) const OPS: &[Operation] = &[
    bucket_op(
        "s3:CreateBucket",
        Cloud::s3_create_bucket,
        &[
            BUCKET,
            opt(
                "CreateBucketConfiguration",
                shapes::CREATE_BUCKET_CONFIGURATION,
            ),
        ],
        true,
        &[identity("s3:CreateBucket", Res::Bucket)],
    ),
    bucket_op(
        "s3:DeleteBucket",
        Cloud::s3_delete_bucket,
        ON_BUCKET,
        true,
        &[s3("s3:DeleteBucket", Res::Bucket)],
    ),
    bucket_op(
        "s3:HeadBucket",
        Cloud::s3_head_bucket,
        ON_BUCKET,
        false,
        &[s3("s3:ListBucket", Res::Bucket)],
    ),
    bucket_op(
        "s3:ListBuckets",
        Cloud::s3_list_buckets,
        &[],
        false,
        &[identity("s3:ListAllMyBuckets", Res::Star)],
    ),
    bucket_op(
        "s3:GetBucketLocation",
        Cloud::s3_get_bucket_location,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketLocation", Res::Bucket)],
    ),
    bucket_op(
        "s3:PutBucketEncryption",
        Cloud::s3_put_bucket_encryption,
        &[
            BUCKET,
            req(
                "ServerSideEncryptionConfiguration",
                shapes::SERVER_SIDE_ENCRYPTION_CONFIGURATION,
            ),
        ],
        true,
        &[s3("s3:PutEncryptionConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketEncryption",
        Cloud::s3_get_bucket_encryption,
        ON_BUCKET,
        false,
        &[s3("s3:GetEncryptionConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:DeleteBucketEncryption",
        Cloud::s3_delete_bucket_encryption,
        ON_BUCKET,
        true,
        &[s3("s3:PutEncryptionConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:PutPublicAccessBlock",
        Cloud::s3_put_public_access_block,
        &[
            BUCKET,
            req(
                "PublicAccessBlockConfiguration",
                shapes::PUBLIC_ACCESS_BLOCK_CONFIGURATION,
            ),
        ],
        true,
        &[s3("s3:PutBucketPublicAccessBlock", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetPublicAccessBlock",
        Cloud::s3_get_public_access_block,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketPublicAccessBlock", Res::Bucket)],
    ),
    bucket_op(
        "s3:DeletePublicAccessBlock",
        Cloud::s3_delete_public_access_block,
        ON_BUCKET,
        true,
        &[s3("s3:PutBucketPublicAccessBlock", Res::Bucket)],
    ),
    bucket_op(
        "s3:PutBucketPolicy",
        Cloud::s3_put_bucket_policy,
        &[BUCKET, req("Policy", PolicyDocument)],
        true,
        &[s3("s3:PutBucketPolicy", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketPolicy",
        Cloud::s3_get_bucket_policy,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketPolicy", Res::Bucket)],
    ),
    bucket_op(
        "s3:DeleteBucketPolicy",
        Cloud::s3_delete_bucket_policy,
        ON_BUCKET,
        true,
        &[s3("s3:DeleteBucketPolicy", Res::Bucket)],
    ),
    bucket_op(
        "s3:ListObjectsV2",
        Cloud::s3_list_objects_v2,
        &[
            BUCKET,
            opt("Prefix", String),
            opt("Delimiter", String),
            opt("MaxKeys", Integer),
            opt("ContinuationToken", String),
            opt("StartAfter", String),
        ],
        false,
        &[s3("s3:ListBucket", Res::Bucket).with(&["s3:prefix?", "s3:delimiter?", "s3:max-keys?"])],
    ),
    bucket_op(
        "s3:GetBucketAcl",
        Cloud::s3_get_bucket_acl,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketAcl", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketCors",
        Cloud::s3_get_bucket_cors,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketCORS", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketWebsite",
        Cloud::s3_get_bucket_website,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketWebsite", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketLogging",
        Cloud::s3_get_bucket_logging,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketLogging", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketLifecycleConfiguration",
        Cloud::s3_get_bucket_lifecycle_configuration,
        ON_BUCKET,
        false,
        &[s3("s3:GetLifecycleConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketReplication",
        Cloud::s3_get_bucket_replication,
        ON_BUCKET,
        false,
        &[s3("s3:GetReplicationConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetObjectLockConfiguration",
        Cloud::s3_get_object_lock_configuration,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketObjectLockConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketRequestPayment",
        Cloud::s3_get_bucket_request_payment,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketRequestPayment", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketAccelerateConfiguration",
        Cloud::s3_get_bucket_accelerate_configuration,
        ON_BUCKET,
        false,
        &[s3("s3:GetAccelerateConfiguration", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketOwnershipControls",
        Cloud::s3_get_bucket_ownership_controls,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketOwnershipControls", Res::Bucket)],
    ),
    bucket_op(
        "s3:PutBucketTagging",
        Cloud::s3_put_bucket_tagging,
        &[BUCKET, req("Tagging", Structure)],
        true,
        &[s3("s3:PutBucketTagging", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketTagging",
        Cloud::s3_get_bucket_tagging,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketTagging", Res::Bucket)],
    ),
    bucket_op(
        "s3:DeleteBucketTagging",
        Cloud::s3_delete_bucket_tagging,
        ON_BUCKET,
        true,
        &[s3("s3:PutBucketTagging", Res::Bucket)],
    ),
    bucket_op(
        "s3:PutBucketVersioning",
        Cloud::s3_put_bucket_versioning,
        &[
            BUCKET,
            req("VersioningConfiguration", shapes::VERSIONING_CONFIGURATION),
        ],
        true,
        &[s3("s3:PutBucketVersioning", Res::Bucket)],
    ),
    bucket_op(
        "s3:GetBucketVersioning",
        Cloud::s3_get_bucket_versioning,
        ON_BUCKET,
        false,
        &[s3("s3:GetBucketVersioning", Res::Bucket)],
    ),
    bucket_op(
        "s3:ListObjectVersions",
        Cloud::s3_list_object_versions,
        &[
            BUCKET,
            opt("Prefix", String),
            opt("Delimiter", String),
            opt("MaxKeys", Integer),
            opt("KeyMarker", String),
            opt("VersionIdMarker", String),
        ],
        false,
        &[s3("s3:ListBucketVersions", Res::Bucket).with(&[
            "s3:prefix?",
            "s3:delimiter?",
            "s3:max-keys?",
        ])],
    ),
    object_op(
        "s3:PutObject",
        Handler::PutBody(Cloud::s3_put_object),
        PUT,
        true,
        &[
            s3("s3:PutObject", Res::Object).with(SSE_KEYS),
            PUT_TAGS,
            GENERATE_VIA_S3,
        ],
    ),
    object_op(
        "s3:CopyObject",
        Handler::Json(Cloud::s3_copy_object),
        COPY,
        true,
        &[
            s3("s3:GetObject", Res::Object).when("the source, without versionId"),
            s3("s3:GetObjectVersion", Res::Object).when("the source, with versionId"),
            s3("s3:GetObjectTagging", Res::Object).when("copying a tagged source's tags"),
            s3("s3:GetObjectVersionTagging", Res::Object)
                .when("copying a tagged source version's tags"),
            s3("s3:PutObject", Res::Object).with(COPY_KEYS),
            PUT_TAGS.when("with tags"),
            DECRYPT_VIA_S3,
            GENERATE_VIA_S3.when("with SSE-KMS"),
        ],
    ),
    object_op(
        "s3:UploadPartCopy",
        Handler::Json(Cloud::s3_upload_part_copy),
        &[
            BUCKET,
            KEY,
            req("UploadId", String),
            req("PartNumber", Integer),
            opt("CopySourceRange", String),
            COPY_SOURCE[0],
            COPY_SOURCE[1],
            COPY_SOURCE[2],
            COPY_SOURCE[3],
            COPY_SOURCE[4],
        ],
        true,
        &[
            s3("s3:GetObject", Res::Object).when("the source, without versionId"),
            s3("s3:GetObjectVersion", Res::Object).when("the source, with versionId"),
            s3("s3:PutObject", Res::Object).with(&["s3:x-amz-copy-source"]),
            DECRYPT_VIA_S3,
        ],
    ),
    object_op(
        "s3:ListParts",
        Handler::Json(Cloud::s3_list_parts),
        &[
            BUCKET,
            KEY,
            req("UploadId", String),
            opt("MaxParts", Integer),
            opt("PartNumberMarker", Integer),
        ],
        false,
        &[s3("s3:ListMultipartUploadParts", Res::Object)],
    ),
    object_op(
        "s3:PutObjectTagging",
        Handler::Json(Cloud::s3_put_object_tagging),
        &[BUCKET, KEY, VERSION_ID, req("Tagging", Structure)],
        true,
        &[
            s3("s3:PutObjectTagging", Res::Object)
                .with(&["s3:RequestObjectTag/?"])
                .when("without VersionId"),
            s3("s3:PutObjectVersionTagging", Res::Object)
                .with(&["s3:RequestObjectTag/?"])
                .when("with VersionId"),
        ],
    ),
    object_op(
        "s3:GetObjectTagging",
        Handler::Json(Cloud::s3_get_object_tagging),
        OBJECT_TAGGING,
        false,
        &[
            s3("s3:GetObjectTagging", Res::Object).when("without VersionId"),
            s3("s3:GetObjectVersionTagging", Res::Object).when("with VersionId"),
        ],
    ),
    object_op(
        "s3:DeleteObjectTagging",
        Handler::Json(Cloud::s3_delete_object_tagging),
        OBJECT_TAGGING,
        true,
        &[
            s3("s3:DeleteObjectTagging", Res::Object).when("without VersionId"),
            s3("s3:DeleteObjectVersionTagging", Res::Object).when("with VersionId"),
        ],
    ),
    Operation {
        output_blobs: &["Body"],
        ..object_op(
            "s3:GetObject",
            Handler::GetBody(Cloud::s3_get_object),
            &[
                BUCKET,
                KEY,
                opt("Range", String),
                VERSION_ID,
                READ_IF[0],
                READ_IF[1],
                READ_IF[2],
                READ_IF[3],
            ],
            false,
            &[
                s3("s3:GetObject", Res::Object).when("without VersionId"),
                s3("s3:GetObjectVersion", Res::Object).when("with VersionId"),
                key("kms:Decrypt")
                    .by(VIA_S3)
                    .with(KMS_VIA_S3)
                    .when("an SSE-KMS object"),
            ],
        )
    },
    object_op(
        "s3:HeadObject",
        Handler::Json(Cloud::s3_head_object),
        &[
            BUCKET, KEY, VERSION_ID, READ_IF[0], READ_IF[1], READ_IF[2], READ_IF[3],
        ],
        false,
        &[
            s3("s3:GetObject", Res::Object).when("without VersionId"),
            s3("s3:GetObjectVersion", Res::Object).when("with VersionId"),
        ],
    ),
    object_op(
        "s3:DeleteObject",
        Handler::Json(Cloud::s3_delete_object),
        &[BUCKET, KEY, VERSION_ID, IF_MATCH],
        true,
        &[
            s3("s3:DeleteObject", Res::Object).when("without VersionId"),
            s3("s3:DeleteObjectVersion", Res::Object).when("with VersionId"),
        ],
    ),
    object_op(
        "s3:DeleteObjects",
        Handler::Json(Cloud::s3_delete_objects),
        &[BUCKET, req("Delete", shapes::DELETE)],
        true,
        &[
            s3("s3:DeleteObject", Res::Object).when("each key without VersionId"),
            s3("s3:DeleteObjectVersion", Res::Object).when("each key with VersionId"),
        ],
    ),
    object_op(
        "s3:CreateMultipartUpload",
        Handler::Json(Cloud::s3_create_multipart_upload),
        STORAGE,
        true,
        &[
            s3("s3:PutObject", Res::Object).with(SSE_KEYS),
            GENERATE_VIA_S3.when("with SSE-KMS named in the request"),
        ],
    ),
    object_op(
        "s3:UploadPart",
        Handler::PutBody(Cloud::s3_upload_part),
        &[
            BUCKET,
            KEY,
            req("UploadId", String),
            req("PartNumber", Integer),
            CHECKSUMS[0],
            CHECKSUMS[1],
            CHECKSUMS[2],
            CHECKSUMS[3],
            CHECKSUMS[4],
        ],
        true,
        &[s3("s3:PutObject", Res::Object)],
    ),
    object_op(
        "s3:CompleteMultipartUpload",
        Handler::Json(Cloud::s3_complete_multipart_upload),
        &[
            BUCKET,
            KEY,
            req("UploadId", String),
            opt("MultipartUpload", shapes::MULTIPART_UPLOAD),
            IF_MATCH,
            IF_NONE_MATCH,
        ],
        true,
        &[
            s3("s3:PutObject", Res::Object).with(SSE_KEYS),
            GENERATE_VIA_S3,
        ],
    ),
    object_op(
        "s3:AbortMultipartUpload",
        Handler::Json(Cloud::s3_abort_multipart_upload),
        &[BUCKET, KEY, req("UploadId", String)],
        true,
        &[s3("s3:AbortMultipartUpload", Res::Object)],
    ),
];
