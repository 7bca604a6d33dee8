//! CloudTrail's errors as data. Each variant holds what its message names; [`SimError::from`]
//! turns it into AWS's error code, HTTP status (always 400, as CloudTrail answers) and exact
//! message text at the service edge.
//!
//! It does not decide when an error happens; the operations do.

use crate::sim::SimError;

/// Why a CloudTrail call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudTrailError {
    /// TrailNotFoundException.
    TrailNotFound { name: String },
    /// TrailAlreadyExistsException.
    TrailExists { name: String, account: String },
    /// InvalidTrailNameException: `why` names the rule the name breaks.
    InvalidTrailName { why: String },
    /// InvalidS3PrefixException: a key prefix over 2000 characters.
    PrefixTooLong,
    /// S3BucketDoesNotExistException.
    BucketDoesNotExist { bucket: String },
    /// InsufficientS3BucketPolicyException: the bucket policy does not let CloudTrail write.
    InsufficientBucketPolicy { bucket: String, account: String },
    /// KmsKeyNotFoundException: the trail's KMS key does not resolve.
    KmsKeyNotFound { key: String },
    /// InsufficientEncryptionPolicyException: the key policy does not let CloudTrail encrypt.
    InsufficientEncryptionPolicy { key: String },
    /// InvalidEventSelectorsException: more than five selectors.
    TooManyEventSelectors,
    /// InvalidEventSelectorsException: a ReadWriteType other than All, ReadOnly, WriteOnly.
    InvalidReadWriteType { value: String },
    /// InvalidLookupAttributesException: more than one lookup attribute.
    OneLookupAttribute,
    /// InvalidLookupAttributesException: an attribute key LookupEvents does not have.
    InvalidLookupAttribute { key: String },
    /// InvalidEventSelectorsException: an advanced event selector AWS refuses (`why`).
    InvalidAdvancedSelector { why: String },
    /// InvalidEventSelectorsException: neither or both of EventSelectors and
    /// AdvancedEventSelectors.
    SelectorKinds,
    /// InsufficientSnsTopicPolicyException: the topic does not exist (no SNS in keyform).
    SnsTopic { topic: String },
    /// InvalidCloudWatchLogsLogGroupArnException: the log group does not exist (no
    /// CloudWatch Logs in keyform).
    LogGroup { arn: String },
    /// InvalidParameterCombinationException: a CloudWatch Logs role without a log group.
    LogsRoleWithoutGroup,
    /// OrganizationsNotInUseException: IsOrganizationTrail in an account outside any
    /// organization (every keyform world's).
    NoOrganization,
    /// InvalidTagParameterException: a tag without a key, or a key or value too long.
    InvalidTag { why: String },
    /// TagsLimitExceededException: more than 50 tags.
    TooManyTags,
    /// InvalidTimeRangeException: ListPublicKeys' StartTime after its EndTime.
    InvalidTimeRange,
    /// InvalidTokenException: a NextToken this service never handed out.
    InvalidToken,
    /// AccessDeniedException with AWS's denial sentence.
    AccessDenied { message: String },
    /// UnrecognizedClientException: credentials of no existing user.
    UnrecognizedClient,
    /// An error another layer made (parameter validation, internal failures).
    Other(SimError),
}

impl CloudTrailError {
    /// AWS's error code.
    pub fn code(&self) -> &str {
        use CloudTrailError::*;
        match self {
            TrailNotFound { .. } => "TrailNotFoundException",
            TrailExists { .. } => "TrailAlreadyExistsException",
            InvalidTrailName { .. } => "InvalidTrailNameException",
            PrefixTooLong => "InvalidS3PrefixException",
            BucketDoesNotExist { .. } => "S3BucketDoesNotExistException",
            InsufficientBucketPolicy { .. } => "InsufficientS3BucketPolicyException",
            KmsKeyNotFound { .. } => "KmsKeyNotFoundException",
            InsufficientEncryptionPolicy { .. } => "InsufficientEncryptionPolicyException",
            TooManyEventSelectors | InvalidReadWriteType { .. } => "InvalidEventSelectorsException",
            OneLookupAttribute | InvalidLookupAttribute { .. } => {
                "InvalidLookupAttributesException"
            }
            InvalidAdvancedSelector { .. } | SelectorKinds => "InvalidEventSelectorsException",
            SnsTopic { .. } => "InsufficientSnsTopicPolicyException",
            LogGroup { .. } => "InvalidCloudWatchLogsLogGroupArnException",
            LogsRoleWithoutGroup => "InvalidParameterCombinationException",
            NoOrganization => "OrganizationsNotInUseException",
            InvalidTag { .. } => "InvalidTagParameterException",
            TooManyTags => "TagsLimitExceededException",
            InvalidTimeRange => "InvalidTimeRangeException",
            InvalidToken => "InvalidTokenException",
            AccessDenied { .. } => "AccessDeniedException",
            UnrecognizedClient => "UnrecognizedClientException",
            Other(e) => &e.code,
        }
    }

    /// AWS's message text.
    pub fn message(&self) -> String {
        use CloudTrailError::*;
        match self {
            TrailNotFound { name } => format!("Unknown trail: {name} for the user"),
            TrailExists { name, account } => {
                format!("Trail {name} already exists for customer: {account}")
            }
            InvalidTrailName { why } => why.clone(),
            PrefixTooLong => "S3 key prefix must be at most 2000 characters.".into(),
            BucketDoesNotExist { bucket } => format!("S3 bucket {bucket} does not exist."),
            InsufficientBucketPolicy { bucket, account } => format!(
                "Incorrect S3 bucket policy is detected for bucket: {bucket}. The policy must \
                 allow cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject \
                 on its AWSLogs/{account}/* prefix."
            ),
            KmsKeyNotFound { key } => format!("KMS key {key} does not exist."),
            InsufficientEncryptionPolicy { key } => format!(
                "Insufficient permissions to access the KMS key {key}: its key policy must allow \
                 cloudtrail.amazonaws.com kms:GenerateDataKey* for this trail."
            ),
            TooManyEventSelectors => "A trail can have at most 5 event selectors.".into(),
            InvalidReadWriteType { value } => format!("Invalid ReadWriteType {value}"),
            OneLookupAttribute => "You can specify only one lookup attribute.".into(),
            InvalidLookupAttribute { key } => format!("Invalid attribute key {key}."),
            InvalidAdvancedSelector { why } => why.clone(),
            SelectorKinds => {
                "Specify either EventSelectors or AdvancedEventSelectors, not both.".into()
            }
            SnsTopic { topic } => {
                format!("SNS Topic {topic} does not exist or the topic policy is incorrect!")
            }
            LogGroup { arn } => format!(
                "Access denied. Verify in IAM that the role has adequate permissions: the log group {arn} does not exist (keyform simulates no CloudWatch Logs)."
            ),
            LogsRoleWithoutGroup => "You must specify a log group and a role ARN.".into(),
            NoOrganization => "This account is not a member of an organization.".into(),
            InvalidTag { why } => why.clone(),
            TooManyTags => "A trail can have at most 50 tags.".into(),
            InvalidTimeRange => "Start time must be before end time.".into(),
            InvalidToken => "The NextToken is invalid.".into(),
            AccessDenied { message } => message.clone(),
            UnrecognizedClient => crate::sim::error::INVALID_TOKEN.into(),
            Other(e) => e.message.clone(),
        }
    }
}

impl From<CloudTrailError> for SimError {
    fn from(e: CloudTrailError) -> SimError {
        match e {
            CloudTrailError::Other(e) => e,
            e => SimError::service(e.code(), 400, e.message()),
        }
    }
}

impl From<SimError> for CloudTrailError {
    fn from(e: SimError) -> CloudTrailError {
        CloudTrailError::Other(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant becomes the code, HTTP status and message text the service answered
    /// with before errors were data (the expected texts are the old call sites' own).
    #[test]
    fn variants_keep_awss_code_status_and_message() {
        let cases: Vec<(CloudTrailError, &str, u16, &str)> = vec![
            (
                CloudTrailError::TrailNotFound { name: "t".into() },
                "TrailNotFoundException",
                400,
                "Unknown trail: t for the user",
            ),
            (
                CloudTrailError::TooManyEventSelectors,
                "InvalidEventSelectorsException",
                400,
                "A trail can have at most 5 event selectors.",
            ),
            (
                CloudTrailError::InvalidReadWriteType {
                    value: "Some".into(),
                },
                "InvalidEventSelectorsException",
                400,
                "Invalid ReadWriteType Some",
            ),
            (
                CloudTrailError::BucketDoesNotExist {
                    bucket: "logs".into(),
                },
                "S3BucketDoesNotExistException",
                400,
                "S3 bucket logs does not exist.",
            ),
            (
                CloudTrailError::InsufficientBucketPolicy {
                    bucket: "logs".into(),
                    account: "123456789012".into(),
                },
                "InsufficientS3BucketPolicyException",
                400,
                "Incorrect S3 bucket policy is detected for bucket: logs. The policy must allow cloudtrail.amazonaws.com s3:GetBucketAcl on the bucket and s3:PutObject on its AWSLogs/123456789012/* prefix.",
            ),
            (
                CloudTrailError::TrailExists {
                    name: "t".into(),
                    account: "123456789012".into(),
                },
                "TrailAlreadyExistsException",
                400,
                "Trail t already exists for customer: 123456789012",
            ),
            (
                CloudTrailError::PrefixTooLong,
                "InvalidS3PrefixException",
                400,
                "S3 key prefix must be at most 2000 characters.",
            ),
            (
                CloudTrailError::KmsKeyNotFound {
                    key: "alias/none".into(),
                },
                "KmsKeyNotFoundException",
                400,
                "KMS key alias/none does not exist.",
            ),
            (
                CloudTrailError::OneLookupAttribute,
                "InvalidLookupAttributesException",
                400,
                "You can specify only one lookup attribute.",
            ),
            (
                CloudTrailError::InvalidLookupAttribute { key: "Foo".into() },
                "InvalidLookupAttributesException",
                400,
                "Invalid attribute key Foo.",
            ),
            (
                CloudTrailError::InvalidTrailName {
                    why: "Trail name must not be formatted as an IP address".into(),
                },
                "InvalidTrailNameException",
                400,
                "Trail name must not be formatted as an IP address",
            ),
            (
                CloudTrailError::UnrecognizedClient,
                "UnrecognizedClientException",
                400,
                "The security token included in the request is invalid.",
            ),
            (
                CloudTrailError::AccessDenied {
                    message: "User: x is not authorized".into(),
                },
                "AccessDeniedException",
                400,
                "User: x is not authorized",
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
