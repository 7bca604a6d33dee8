//! The members of the structures operations take, typed as the AWS API model (botocore 1.44)
//! types them, so front ends that parse the AWS CLI's shorthand syntax (`sim`) convert
//! `BlockPublicAcls=false` to a boolean and `Key=a` to a one-element list where the model says
//! so. Only the members' names and types: the handlers still read and check what they honour.

use super::param::ParamType::{self, *};
use super::param::{Param, opt, req};

const STRINGS: ParamType = List(&String);

/// `{Key, Value}` tags (IAM, STS, CloudTrail, S3).
pub(super) const KEY_VALUE_TAGS: ParamType =
    List(&Shape(&[opt("Key", String), opt("Value", String)]));
/// KMS's `{TagKey, TagValue}` tags.
pub(super) const KMS_TAGS: ParamType =
    List(&Shape(&[req("TagKey", String), req("TagValue", String)]));
/// KMS's `Recipient` (Nitro Enclaves attestation).
pub(super) const KMS_RECIPIENT: ParamType = Shape(&[
    opt("KeyEncryptionAlgorithm", Enum(&["RSAES_OAEP_SHA_256"])),
    opt("AttestationDocument", Blob),
]);
/// STS's session policy ARNs.
pub(super) const POLICY_ARNS: ParamType = List(&Shape(&[opt("arn", String)]));

/// S3 CreateBucket's `CreateBucketConfiguration`.
pub(super) const CREATE_BUCKET_CONFIGURATION: ParamType = Shape(&[
    opt("LocationConstraint", String),
    opt(
        "Location",
        Shape(&[opt("Type", String), opt("Name", String)]),
    ),
    opt(
        "Bucket",
        Shape(&[opt("DataRedundancy", String), opt("Type", String)]),
    ),
    opt("Tags", KEY_VALUE_TAGS),
]);
/// S3 PutBucketEncryption's `ServerSideEncryptionConfiguration`.
pub(super) const SERVER_SIDE_ENCRYPTION_CONFIGURATION: ParamType = Shape(&[req(
    "Rules",
    List(&Shape(&[
        opt(
            "ApplyServerSideEncryptionByDefault",
            Shape(&[req("SSEAlgorithm", String), opt("KMSMasterKeyID", String)]),
        ),
        opt("BucketKeyEnabled", Boolean),
        opt(
            "BlockedEncryptionTypes",
            Shape(&[opt("EncryptionType", STRINGS)]),
        ),
    ])),
)]);
/// S3 PutPublicAccessBlock's `PublicAccessBlockConfiguration`.
pub(super) const PUBLIC_ACCESS_BLOCK_CONFIGURATION: ParamType = Shape(&[
    opt("BlockPublicAcls", Boolean),
    opt("IgnorePublicAcls", Boolean),
    opt("BlockPublicPolicy", Boolean),
    opt("RestrictPublicBuckets", Boolean),
]);
/// S3 PutBucketVersioning's `VersioningConfiguration`.
pub(super) const VERSIONING_CONFIGURATION: ParamType =
    Shape(&[opt("MFADelete", String), opt("Status", String)]);
/// S3 DeleteObjects' `Delete`.
pub(super) const DELETE: ParamType = Shape(&[
    req(
        "Objects",
        List(&Shape(&[
            req("Key", String),
            opt("VersionId", String),
            opt("ETag", String),
            opt("LastModifiedTime", Timestamp),
            opt("Size", Integer),
        ])),
    ),
    opt("Quiet", Boolean),
]);
const PART: &[Param] = &[
    opt("ETag", String),
    opt("ChecksumCRC32", String),
    opt("ChecksumCRC32C", String),
    opt("ChecksumCRC64NVME", String),
    opt("ChecksumSHA1", String),
    opt("ChecksumSHA256", String),
    opt("ChecksumSHA512", String),
    opt("ChecksumMD5", String),
    opt("ChecksumXXHASH64", String),
    opt("ChecksumXXHASH3", String),
    opt("ChecksumXXHASH128", String),
    opt("PartNumber", Integer),
];
/// S3 CompleteMultipartUpload's `MultipartUpload`.
pub(super) const MULTIPART_UPLOAD: ParamType = Shape(&[opt("Parts", List(&Shape(PART)))]);

/// CloudTrail PutEventSelectors' `EventSelectors`.
pub(super) const EVENT_SELECTORS: ParamType = List(&Shape(&[
    opt("ReadWriteType", String),
    opt("IncludeManagementEvents", Boolean),
    opt(
        "DataResources",
        List(&Shape(&[opt("Type", String), opt("Values", STRINGS)])),
    ),
    opt("ExcludeManagementEventSources", STRINGS),
]));
/// CloudTrail PutEventSelectors' `AdvancedEventSelectors`.
pub(super) const ADVANCED_EVENT_SELECTORS: ParamType = List(&Shape(&[
    opt("Name", String),
    req(
        "FieldSelectors",
        List(&Shape(&[
            req("Field", String),
            opt("Equals", STRINGS),
            opt("StartsWith", STRINGS),
            opt("EndsWith", STRINGS),
            opt("NotEquals", STRINGS),
            opt("NotStartsWith", STRINGS),
            opt("NotEndsWith", STRINGS),
        ])),
    ),
]));
/// CloudTrail LookupEvents' `LookupAttributes`.
pub(super) const LOOKUP_ATTRIBUTES: ParamType = List(&Shape(&[
    req("AttributeKey", String),
    req("AttributeValue", String),
]));
