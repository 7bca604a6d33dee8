//! S3's errors as data. Each variant holds what its message names; [`SimError::from`] turns it
//! into AWS's error code, HTTP status and exact message text at the service edge.
//!
//! It does not decide when an error happens; the operations do. KMS failures S3 meets while
//! acting for its caller arrive as [`KmsError`] and are classified by
//! [`KmsError::through_s3`].

use crate::sim::SimError;
use crate::sim::authz::{Denied, DeniedBy};
use crate::sim::kms::KmsError;
use crate::sim::policy::{PolicyError, S3_ACCESS_DENIED};

/// Why an S3 call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Error {
    // ------------------------------------------------------------ buckets
    /// NoSuchBucket.
    NoSuchBucket { bucket: String },
    /// InvalidBucketName: `why` names the rule the name breaks.
    InvalidBucketName { why: String },
    /// BucketAlreadyOwnedByYou.
    BucketAlreadyOwnedByYou,
    /// BucketAlreadyExists: another account owns a bucket of that name.
    BucketAlreadyExists,
    /// IllegalLocationConstraintException: a region other than the endpoint's.
    IllegalLocationConstraint { region: String },
    /// BucketNotEmpty: DeleteBucket of a bucket that still has objects.
    BucketNotEmpty,
    /// NoSuchPublicAccessBlockConfiguration.
    NoSuchPublicAccessBlock,
    /// NoSuchBucketPolicy.
    NoSuchBucketPolicy,
    /// MalformedPolicy: the bucket policy does not parse.
    MalformedPolicy(PolicyError),
    /// MalformedPolicy: a bucket policy statement without Principal.
    PolicyWithoutPrincipal,
    /// MalformedPolicy: a principal that does not exist or cannot be one (a group).
    InvalidPrincipal,
    /// MethodNotAllowed (405): a bucket policy operation by a caller the policies allow but
    /// who is not of the bucket owner's account (anonymous callers, services).
    NotBucketOwner,
    /// AccessDenied: BlockPublicPolicy refuses a public bucket policy.
    PublicPolicyBlocked { caller: String, bucket: String },

    // ------------------------------------------------------------ who may
    /// AccessDenied with AWS's denial sentence (policies, or KMS refusing S3's caller).
    AccessDenied { message: String },
    /// AccessDenied as S3 tells anonymous callers: no more than "Access Denied".
    AnonymousDenied,
    /// InvalidAccessKeyId: credentials of no existing user.
    InvalidAccessKeyId,

    // ------------------------------------------------------------ objects and encryption
    /// NoSuchKey.
    NoSuchKey,
    /// KeyTooLongError: object keys are 1 to 1024 bytes.
    KeyTooLong,
    /// InvalidRange: a Range header that selects nothing.
    InvalidRange,
    /// InvalidArgument: a server-side encryption method S3 does not have.
    UnsupportedEncryption { algorithm: String },
    /// InvalidArgument: a KMS key id with SSE-S3.
    KmsKeyWithoutKms,
    /// InvalidArgument: an SSE-KMS object read without SigV4 (anonymously, or in plain HTTP).
    SigV4Required,
    /// InvalidArgument: the encryption context header is not base64 JSON of strings.
    BadEncryptionContext,
    /// InvalidArgument: a KMSMasterKeyID in a default-encryption rule for AES256.
    KmsKeyNotApplicable,
    /// MalformedXML: a default-encryption rule with an SSEAlgorithm S3 does not have.
    UnsupportedSseAlgorithm { algorithm: String },
    /// MalformedXML: a request body S3 cannot use (no rules, no parts, too many keys).
    MalformedXml,
    /// KMS refused a call S3 made for its caller: KMS's code behind `KMS.`, KMS's message.
    Kms(KmsError),

    // ------------------------------------------------------------ versions
    /// NoSuchVersion: a well-formed version id the key does not have.
    NoSuchVersion,
    /// InvalidArgument: a version id S3 could not have issued.
    InvalidVersionId,
    /// MethodNotAllowed (405): reading a delete marker by its version id.
    DeleteMarkerNotReadable,
    /// InvalidArgument: MFA delete needs the root user's MFA device, which keyform does not have.
    MfaDeleteUnsupported,

    // ------------------------------------------------------------ conditional requests
    /// PreconditionFailed (412): `condition` is the header that did not hold.
    PreconditionFailed { condition: &'static str },
    /// 304 Not Modified: a read whose If-None-Match / If-Modified-Since says the caller's copy
    /// is current.
    NotModified,
    /// NotImplemented (501): a conditional header S3 does not take in that form
    /// (`If-None-Match` other than `*` on a write).
    ConditionalHeaderNotImplemented { header: &'static str },

    // ------------------------------------------------------------ multipart uploads
    /// NoSuchUpload.
    NoSuchUpload,
    /// InvalidArgument: a part number outside 1 to `max`.
    InvalidPartNumber { max: i64 },
    /// InvalidPartOrder.
    InvalidPartOrder,
    /// InvalidPart: a listed part was not uploaded, or its ETag differs.
    InvalidPart,
    /// EntityTooSmall: a part other than the last is under 5 MiB.
    EntityTooSmall,

    // ------------------------------------------------------------ copies and tags
    /// InvalidArgument: an `x-amz-copy-source` that names no bucket and key.
    InvalidCopySource,
    /// InvalidRequest: a copy of an object onto itself that changes nothing.
    CopyToItself,
    /// InvalidArgument: an `x-amz-copy-source-range` that is not `bytes=first-last` inside
    /// the source.
    InvalidCopyRange,
    /// InvalidTag: `why` is S3's sentence.
    InvalidTag { why: &'static str },
    /// NoSuchTagSet: GetBucketTagging of a bucket without tags.
    NoSuchTagSet,
    /// 404 for a bucket sub-resource that is not configured (NoSuchCORSConfiguration...).
    NotConfigured {
        code: &'static str,
        message: &'static str,
    },
    /// InvalidRequest: a checksum algorithm S3 does not have, or a checksum that does not match
    /// the upload's algorithm.
    InvalidChecksum { why: String },
    /// BadDigest: the checksum sent does not match the body.
    BadDigest { algorithm: String },

    /// An error another layer made (parameter validation, internal failures, KMS errors that
    /// reach S3's caller unchanged).
    Other(SimError),
}

const MALFORMED_XML: &str = "The XML you provided was not well-formed or did not validate \
                             against our published schema";

impl S3Error {
    /// AWS's error code.
    pub fn code(&self) -> String {
        use S3Error::*;
        match self {
            NoSuchBucket { .. } => "NoSuchBucket".into(),
            InvalidBucketName { .. } => "InvalidBucketName".into(),
            BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou".into(),
            BucketAlreadyExists => "BucketAlreadyExists".into(),
            IllegalLocationConstraint { .. } => "IllegalLocationConstraintException".into(),
            BucketNotEmpty => "BucketNotEmpty".into(),
            NoSuchPublicAccessBlock => "NoSuchPublicAccessBlockConfiguration".into(),
            NoSuchBucketPolicy => "NoSuchBucketPolicy".into(),
            MalformedPolicy(_) | PolicyWithoutPrincipal | InvalidPrincipal => {
                "MalformedPolicy".into()
            }
            PublicPolicyBlocked { .. } | AccessDenied { .. } | AnonymousDenied => {
                "AccessDenied".into()
            }
            InvalidAccessKeyId => "InvalidAccessKeyId".into(),
            NoSuchKey => "NoSuchKey".into(),
            KeyTooLong => "KeyTooLongError".into(),
            InvalidRange => "InvalidRange".into(),
            UnsupportedEncryption { .. }
            | KmsKeyWithoutKms
            | SigV4Required
            | BadEncryptionContext
            | KmsKeyNotApplicable
            | InvalidPartNumber { .. } => "InvalidArgument".into(),
            UnsupportedSseAlgorithm { .. } | MalformedXml => "MalformedXML".into(),
            Kms(e) => format!("KMS.{}", e.code()),
            PreconditionFailed { .. } => "PreconditionFailed".into(),
            NoSuchVersion => "NoSuchVersion".into(),
            InvalidVersionId | MfaDeleteUnsupported => "InvalidArgument".into(),
            DeleteMarkerNotReadable | NotBucketOwner => "MethodNotAllowed".into(),
            NotModified => "NotModified".into(),
            ConditionalHeaderNotImplemented { .. } => "NotImplemented".into(),
            NoSuchUpload => "NoSuchUpload".into(),
            InvalidPartOrder => "InvalidPartOrder".into(),
            InvalidPart => "InvalidPart".into(),
            EntityTooSmall => "EntityTooSmall".into(),
            InvalidCopySource | InvalidCopyRange => "InvalidArgument".into(),
            CopyToItself | InvalidChecksum { .. } => "InvalidRequest".into(),
            InvalidTag { .. } => "InvalidTag".into(),
            NoSuchTagSet => "NoSuchTagSet".into(),
            NotConfigured { code, .. } => (*code).into(),
            BadDigest { .. } => "BadDigest".into(),
            Other(e) => e.code.clone(),
        }
    }

    /// The HTTP status S3 answers with.
    pub fn status(&self) -> u16 {
        use S3Error::*;
        match self {
            NoSuchBucket { .. }
            | NoSuchPublicAccessBlock
            | NoSuchBucketPolicy
            | NoSuchKey
            | NoSuchUpload
            | NoSuchTagSet
            | NotConfigured { .. } => 404,
            BucketAlreadyOwnedByYou | BucketAlreadyExists | BucketNotEmpty => 409,
            PublicPolicyBlocked { .. }
            | AccessDenied { .. }
            | AnonymousDenied
            | InvalidAccessKeyId => 403,
            InvalidRange => 416,
            PreconditionFailed { .. } => 412,
            NoSuchVersion => 404,
            DeleteMarkerNotReadable | NotBucketOwner => 405,
            NotModified => 304,
            ConditionalHeaderNotImplemented { .. } => 501,
            Other(e) => e.status,
            _ => 400,
        }
    }

    /// AWS's message text.
    pub fn message(&self) -> String {
        use S3Error::*;
        match self {
            NoSuchBucket { bucket } => format!("The specified bucket does not exist: {bucket}"),
            InvalidBucketName { why } => format!("The specified bucket is not valid: {why}."),
            BucketAlreadyOwnedByYou => "Your previous request to create the named bucket \
                                        succeeded and you already own it."
                .into(),
            BucketAlreadyExists => "The requested bucket name is not available. The bucket \
                                    namespace is shared by all users of the system. Please \
                                    select a different name and try again."
                .into(),
            IllegalLocationConstraint { region } => format!(
                "The {region} location constraint is incompatible for the region specific \
                 endpoint this request was sent to."
            ),
            BucketNotEmpty => "The bucket you tried to delete is not empty".into(),
            NoSuchPublicAccessBlock => "The public access block configuration was not found".into(),
            NoSuchBucketPolicy => "The bucket policy does not exist".into(),
            MalformedPolicy(e) => e.to_string(),
            PolicyWithoutPrincipal => "Missing required field Principal".into(),
            InvalidPrincipal => "Invalid principal in policy".into(),
            PublicPolicyBlocked { caller, bucket } => format!(
                "User: {caller} is not authorized to perform: s3:PutBucketPolicy on resource: \
                 \"arn:aws:s3:::{bucket}\" because public policies are blocked by the \
                 BlockPublicPolicy block public access setting."
            ),
            AccessDenied { message } => message.clone(),
            AnonymousDenied => S3_ACCESS_DENIED.into(),
            InvalidAccessKeyId => {
                "The AWS Access Key Id you provided does not exist in our records.".into()
            }
            NoSuchKey => "The specified key does not exist.".into(),
            KeyTooLong => "Object keys must be 1 to 1024 bytes long.".into(),
            InvalidRange => "The requested range is not satisfiable".into(),
            UnsupportedEncryption { algorithm } => {
                format!("The encryption method specified is not supported: {algorithm}")
            }
            KmsKeyWithoutKms => "Server Side Encryption with AWS KMS managed key requires HTTP \
                                 header x-amz-server-side-encryption : aws:kms"
                .into(),
            SigV4Required => "Requests specifying Server Side Encryption with AWS KMS managed \
                              keys require AWS Signature Version 4."
                .into(),
            BadEncryptionContext => "The header 'x-amz-server-side-encryption-context' shall be \
                                     Base64-encoded UTF-8 string holding JSON which represents a \
                                     string-string map"
                .into(),
            KmsKeyNotApplicable => "a KMSMasterKeyID is not applicable if the default sse \
                                    algorithm is not aws:kms or aws:kms:dsse"
                .into(),
            UnsupportedSseAlgorithm { algorithm } => {
                format!("Unsupported SSEAlgorithm {algorithm}: use AES256, aws:kms or aws:kms:dsse")
            }
            MalformedXml => MALFORMED_XML.into(),
            Kms(e) => e.message(),
            PreconditionFailed { .. } => {
                "At least one of the pre-conditions you specified did not hold".into()
            }
            NotModified => "Not Modified".into(),
            NoSuchVersion => "The specified version does not exist.".into(),
            InvalidVersionId => "Invalid version id specified".into(),
            DeleteMarkerNotReadable | NotBucketOwner => {
                "The specified method is not allowed against this resource.".into()
            }
            MfaDeleteUnsupported => "MFA Delete is not supported by keyform: the root user's MFA \
                                     device is not simulated"
                .into(),
            ConditionalHeaderNotImplemented { header } => format!(
                "A header you provided implies functionality that is not implemented: {header}"
            ),
            NoSuchUpload => "The specified upload does not exist. The upload ID may be invalid, \
                             or the upload may have been aborted or completed."
                .into(),
            InvalidPartNumber { max } => {
                format!("Part number must be an integer between 1 and {max}, inclusive")
            }
            InvalidPartOrder => "The list of parts was not in ascending order. Parts must be \
                                 ordered by part number."
                .into(),
            InvalidPart => "One or more of the specified parts could not be found. The part may \
                            not have been uploaded, or the specified entity tag may not match \
                            the part's entity tag."
                .into(),
            EntityTooSmall => {
                "Your proposed upload is smaller than the minimum allowed object size.".into()
            }
            InvalidCopySource => "Copy Source must mention the source bucket and key: \
                                  sourcebucket/sourcekey"
                .into(),
            CopyToItself => "This copy request is illegal because it is trying to copy an \
                             object to itself without changing the object's metadata, storage \
                             class, website redirect location or encryption attributes."
                .into(),
            InvalidCopyRange => "The x-amz-copy-source-range value must be of the form \
                                 bytes=first-last where first and last are the zero-based \
                                 offsets of the first and last bytes to copy"
                .into(),
            InvalidTag { why } => (*why).into(),
            NoSuchTagSet => "The TagSet does not exist".into(),
            NotConfigured { message, .. } => (*message).into(),
            InvalidChecksum { why } => why.clone(),
            BadDigest { algorithm } => {
                format!("The {algorithm} you specified did not match the calculated checksum.")
            }
            Other(e) => e.message.clone(),
        }
    }
}

impl From<S3Error> for SimError {
    fn from(e: S3Error) -> SimError {
        match e {
            S3Error::Other(e) => e,
            e => SimError::service(&e.code(), e.status(), e.message()),
        }
    }
}

impl From<Denied> for S3Error {
    fn from(d: Denied) -> S3Error {
        match d.by {
            DeniedBy::S3 { anonymous: true } => S3Error::AnonymousDenied,
            DeniedBy::S3 { anonymous: false } => S3Error::AccessDenied { message: d.message },
            _ => S3Error::Other(d.into()),
        }
    }
}

impl From<SimError> for S3Error {
    fn from(e: SimError) -> S3Error {
        S3Error::Other(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::kms::KmsError;

    /// Every variant becomes the code, HTTP status and message text the service answered
    /// with before errors were data (the expected texts are the old call sites' own).
    #[test]
    fn variants_keep_awss_code_status_and_message() {
        let cases: Vec<(S3Error, &str, u16, &str)> = vec![
            (
                S3Error::NoSuchBucket {
                    bucket: "lab-bucket".into(),
                },
                "NoSuchBucket",
                404,
                "The specified bucket does not exist: lab-bucket",
            ),
            (
                S3Error::InvalidBucketName {
                    why: "bucket names must not contain two adjacent periods".into(),
                },
                "InvalidBucketName",
                400,
                "The specified bucket is not valid: bucket names must not contain two adjacent periods.",
            ),
            (
                S3Error::BucketAlreadyOwnedByYou,
                "BucketAlreadyOwnedByYou",
                409,
                "Your previous request to create the named bucket succeeded and you already own it.",
            ),
            (
                S3Error::BucketAlreadyExists,
                "BucketAlreadyExists",
                409,
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
            ),
            (
                S3Error::IllegalLocationConstraint {
                    region: "eu-west-1".into(),
                },
                "IllegalLocationConstraintException",
                400,
                "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.",
            ),
            (
                S3Error::BucketNotEmpty,
                "BucketNotEmpty",
                409,
                "The bucket you tried to delete is not empty",
            ),
            (
                S3Error::NoSuchPublicAccessBlock,
                "NoSuchPublicAccessBlockConfiguration",
                404,
                "The public access block configuration was not found",
            ),
            (
                S3Error::PolicyWithoutPrincipal,
                "MalformedPolicy",
                400,
                "Missing required field Principal",
            ),
            (
                S3Error::InvalidPrincipal,
                "MalformedPolicy",
                400,
                "Invalid principal in policy",
            ),
            (
                S3Error::NotBucketOwner,
                "MethodNotAllowed",
                405,
                "The specified method is not allowed against this resource.",
            ),
            (
                S3Error::PublicPolicyBlocked {
                    caller: "arn:aws:iam::123456789012:user/lab-admin".into(),
                    bucket: "lab-bucket".into(),
                },
                "AccessDenied",
                403,
                "User: arn:aws:iam::123456789012:user/lab-admin is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::lab-bucket\" because public policies are blocked by the BlockPublicPolicy block public access setting.",
            ),
            (
                S3Error::NoSuchBucketPolicy,
                "NoSuchBucketPolicy",
                404,
                "The bucket policy does not exist",
            ),
            (
                S3Error::UnsupportedEncryption {
                    algorithm: "aws:fake".into(),
                },
                "InvalidArgument",
                400,
                "The encryption method specified is not supported: aws:fake",
            ),
            (
                S3Error::UnsupportedEncryption {
                    algorithm: "aws:fake".into(),
                },
                "InvalidArgument",
                400,
                "The encryption method specified is not supported: aws:fake",
            ),
            (
                S3Error::KmsKeyWithoutKms,
                "InvalidArgument",
                400,
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
            ),
            (
                S3Error::Kms(KmsError::Disabled {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                }),
                "KMS.DisabledException",
                400,
                "arn:aws:kms:us-east-1:123456789012:key/k1 is disabled.",
            ),
            (
                S3Error::Kms(KmsError::PendingDeletion {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                }),
                "KMS.KMSInvalidStateException",
                400,
                "arn:aws:kms:us-east-1:123456789012:key/k1 is pending deletion.",
            ),
            (
                S3Error::Kms(KmsError::KeyNotFound {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                }),
                "KMS.NotFoundException",
                400,
                "Key 'arn:aws:kms:us-east-1:123456789012:key/k1' does not exist",
            ),
            (
                S3Error::NoSuchKey,
                "NoSuchKey",
                404,
                "The specified key does not exist.",
            ),
            (
                S3Error::SigV4Required,
                "InvalidArgument",
                400,
                "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.",
            ),
            (
                S3Error::KeyTooLong,
                "KeyTooLongError",
                400,
                "Object keys must be 1 to 1024 bytes long.",
            ),
            (
                S3Error::BadEncryptionContext,
                "InvalidArgument",
                400,
                "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
            ),
            (
                S3Error::InvalidRange,
                "InvalidRange",
                416,
                "The requested range is not satisfiable",
            ),
            (
                S3Error::MalformedXml,
                "MalformedXML",
                400,
                "The XML you provided was not well-formed or did not validate against our published schema",
            ),
            (
                S3Error::UnsupportedSseAlgorithm {
                    algorithm: "aws:fake".into(),
                },
                "MalformedXML",
                400,
                "Unsupported SSEAlgorithm aws:fake: use AES256, aws:kms or aws:kms:dsse",
            ),
            (
                S3Error::KmsKeyNotApplicable,
                "InvalidArgument",
                400,
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
            ),
            (
                S3Error::NoSuchUpload,
                "NoSuchUpload",
                404,
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
            ),
            (
                S3Error::InvalidPartNumber { max: 10_000 },
                "InvalidArgument",
                400,
                "Part number must be an integer between 1 and 10000, inclusive",
            ),
            (
                S3Error::InvalidPartOrder,
                "InvalidPartOrder",
                400,
                "The list of parts was not in ascending order. Parts must be ordered by part number.",
            ),
            (
                S3Error::InvalidPart,
                "InvalidPart",
                400,
                "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            ),
            (
                S3Error::EntityTooSmall,
                "EntityTooSmall",
                400,
                "Your proposed upload is smaller than the minimum allowed object size.",
            ),
            (
                S3Error::InvalidAccessKeyId,
                "InvalidAccessKeyId",
                403,
                "The AWS Access Key Id you provided does not exist in our records.",
            ),
            (
                S3Error::AnonymousDenied,
                "AccessDenied",
                403,
                "Access Denied",
            ),
            (
                S3Error::AccessDenied {
                    message: "User: x is not authorized".into(),
                },
                "AccessDenied",
                403,
                "User: x is not authorized",
            ),
            (
                S3Error::Kms(KmsError::InvalidCiphertext),
                "KMS.InvalidCiphertextException",
                400,
                "",
            ),
            (
                S3Error::MalformedPolicy(PolicyError::NotAnObject),
                "MalformedPolicy",
                400,
                "policy document must be a JSON object",
            ),
        ];
        for (e, code, status, message) in cases {
            let s = SimError::from(e.clone());
            assert_eq!(
                (s.code.as_str(), s.status, s.message.as_str()),
                (code, status, message),
                "{e:?}"
            );
        }
    }
}
