//! KMS's errors as data. Each variant holds what its message names; [`SimError::from`] turns it
//! into AWS's error code, HTTP status and exact message text at the service edge, and S3 reads
//! the variant (never the text) to report KMS failures its own way
//! ([`KmsError::through_s3`]).
//!
//! It does not decide when an error happens; the operations do.

use crate::sim::SimError;
use crate::sim::authz::{Denied, DeniedBy};
use crate::sim::policy::PolicyError;
use crate::sim::s3::S3Error;

/// Why a KMS call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsError {
    // ------------------------------------------------------------ NotFoundException
    /// No key with this id (or ARN) exists, or it was deleted.
    KeyNotFound { arn: String },
    /// No alias with this name exists.
    AliasNotFound { arn: String },
    /// A KMS ARN of this account and region that names neither a key nor an alias.
    InvalidArn { given: String },
    /// An alias where the operation takes only a key id or key ARN.
    AliasNotAccepted { given: String },
    /// GetKeyPolicy for a policy name other than `default`.
    NoSuchKeyPolicy { name: String },

    // ------------------------------------------------------------ key state
    /// DisabledException: the key is disabled.
    Disabled { arn: String },
    /// KMSInvalidStateException: the key is pending deletion.
    PendingDeletion { arn: String },
    /// KMSInvalidStateException: CancelKeyDeletion on a key that is not pending deletion.
    NotPendingDeletion { arn: String },

    // ------------------------------------------------------------ ciphertext
    /// InvalidCiphertextException: the blob is damaged, or its context does not match.
    InvalidCiphertext,
    /// InvalidCiphertextException: the blob names a material version the key does not have.
    MaterialMissing,
    /// IncorrectKeyException: the KeyId given is not the key the ciphertext was made with.
    IncorrectKey,
    /// InvalidKeyUsageException: an encryption algorithm symmetric keys do not have.
    UnsupportedAlgorithm { algorithm: String },

    // ------------------------------------------------------------ who may
    /// AccessDeniedException: the key policy and identity policies refuse the call.
    AccessDenied { message: String },
    /// UnrecognizedClientException: credentials of no existing user.
    UnrecognizedClient,

    // ------------------------------------------------------------ ValidationException
    /// A value outside an enum of the API model.
    NotInEnum {
        member: &'static str,
        value: String,
        allowed: &'static [&'static str],
    },
    /// A number outside the API model's range.
    OutOfRange {
        member: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },
    /// A required member left out (the model says it must not be null).
    Missing { member: &'static str },
    /// A value longer than the model allows (`value` is shown when AWS shows it).
    TooLong {
        member: &'static str,
        value: Option<String>,
        max: usize,
    },
    /// A value shorter than the model allows.
    TooShort { member: &'static str, min: usize },
    /// A value outside the model's regular expression.
    NotMatching {
        member: &'static str,
        value: String,
        pattern: &'static str,
    },
    /// A Description longer than 8192 characters.
    DescriptionTooLong,
    /// An alias name without the `alias/` prefix.
    InvalidIdentifier,
    /// An alias name with a `:` after `alias/` (the model allows it, KMS does not).
    AliasCharacters { name: String },
    /// ScheduleKeyDeletion with a window outside 7 to 30 days.
    PendingWindow { days: i64 },
    /// GenerateDataKey with neither KeySpec nor NumberOfBytes.
    DataKeySizeMissing,
    /// GenerateDataKey with both KeySpec and NumberOfBytes.
    DataKeySizeTwice,
    /// PutKeyPolicy with a PolicyName other than `default`.
    PolicyNameNotDefault,

    // ------------------------------------------------------------ other service errors
    /// NotAuthorizedException: an alias under the reserved `alias/aws/`.
    ReservedAlias { name: String },
    /// InvalidAliasNameException: `alias/` with nothing after it.
    InvalidAliasName { name: String },
    /// AlreadyExistsException: the alias name is taken.
    AliasExists { arn: String },
    /// LimitExceededException: a key already has 50 aliases.
    TooManyAliases,
    /// LimitExceededException: a key already had 25 on-demand rotations.
    TooManyRotations { arn: String },
    /// LimitExceededException: a key policy over 32768 bytes.
    KeyPolicyTooLarge,
    /// MalformedPolicyDocumentException: the policy does not parse.
    MalformedPolicy(PolicyError),
    /// MalformedPolicyDocumentException: the lockout safety check failed.
    LockoutRisk,
    /// UnsupportedOperationException: a key spec or usage keyform does not simulate.
    UnsupportedKeySpec { spec: String, usage: String },

    /// An error another layer made (parameter validation before the call, internal failures).
    Other(SimError),
}

impl KmsError {
    /// AWS's error code.
    pub fn code(&self) -> &str {
        use KmsError::*;
        match self {
            KeyNotFound { .. }
            | AliasNotFound { .. }
            | InvalidArn { .. }
            | AliasNotAccepted { .. }
            | NoSuchKeyPolicy { .. } => "NotFoundException",
            Disabled { .. } => "DisabledException",
            PendingDeletion { .. } | NotPendingDeletion { .. } => "KMSInvalidStateException",
            InvalidCiphertext | MaterialMissing => "InvalidCiphertextException",
            IncorrectKey => "IncorrectKeyException",
            UnsupportedAlgorithm { .. } => "InvalidKeyUsageException",
            AccessDenied { .. } => "AccessDeniedException",
            UnrecognizedClient => "UnrecognizedClientException",
            NotInEnum { .. }
            | OutOfRange { .. }
            | Missing { .. }
            | TooLong { .. }
            | TooShort { .. }
            | NotMatching { .. }
            | DescriptionTooLong
            | InvalidIdentifier
            | AliasCharacters { .. }
            | PendingWindow { .. }
            | DataKeySizeMissing
            | DataKeySizeTwice
            | PolicyNameNotDefault => "ValidationException",
            ReservedAlias { .. } => "NotAuthorizedException",
            InvalidAliasName { .. } => "InvalidAliasNameException",
            AliasExists { .. } => "AlreadyExistsException",
            TooManyAliases | TooManyRotations { .. } | KeyPolicyTooLarge => {
                "LimitExceededException"
            }
            MalformedPolicy(_) | LockoutRisk => "MalformedPolicyDocumentException",
            UnsupportedKeySpec { .. } => "UnsupportedOperationException",
            Other(e) => &e.code,
        }
    }

    /// AWS's message text.
    pub fn message(&self) -> String {
        use KmsError::*;
        const ONE: &str = "1 validation error detected: Value";
        match self {
            KeyNotFound { arn } => format!("Key '{arn}' does not exist"),
            AliasNotFound { arn } => format!("Alias {arn} is not found."),
            InvalidArn { given } => format!("Invalid arn {given}"),
            AliasNotAccepted { given } => format!(
                "Invalid keyId '{given}': this operation takes a key id or key ARN, not an alias"
            ),
            NoSuchKeyPolicy { name } => format!("No such policy exists: {name}"),
            Disabled { arn } => format!("{arn} is disabled."),
            PendingDeletion { arn } => format!("{arn} is pending deletion."),
            NotPendingDeletion { arn } => format!("{arn} is not pending deletion."),
            InvalidCiphertext => String::new(),
            MaterialMissing => "The ciphertext refers to key material that does not exist.".into(),
            IncorrectKey => "The key ID in the request does not identify a CMK that can perform \
                             this operation."
                .into(),
            UnsupportedAlgorithm { algorithm } => format!(
                "The encryption algorithm {algorithm} is not supported by symmetric keys; use \
                 SYMMETRIC_DEFAULT."
            ),
            AccessDenied { message } => message.clone(),
            UnrecognizedClient => crate::sim::error::INVALID_TOKEN.into(),
            NotInEnum {
                member,
                value,
                allowed,
            } => format!(
                "{ONE} '{value}' at '{member}' failed to satisfy constraint: Member must satisfy \
                 enum value set: [{}]",
                allowed.join(", ")
            ),
            OutOfRange {
                member,
                value,
                min,
                max,
            } => format!(
                "{ONE} '{value}' at '{member}' failed to satisfy constraint: Member must have \
                 value between {min} and {max}"
            ),
            Missing { member } => format!(
                "{ONE} null at '{member}' failed to satisfy constraint: Member must not be null"
            ),
            TooLong { member, value, max } => format!(
                "{ONE}{} at '{member}' failed to satisfy constraint: Member must have length \
                 less than or equal to {max}",
                shown(value.as_deref())
            ),
            TooShort { member, min } => format!(
                "{ONE} at '{member}' failed to satisfy constraint: Member must have length \
                 greater than or equal to {min}"
            ),
            NotMatching {
                member,
                value,
                pattern,
            } => format!(
                "{ONE} '{value}' at '{member}' failed to satisfy constraint: Member must satisfy \
                 regular expression pattern: {pattern}"
            ),
            DescriptionTooLong => "Description must be at most 8192 characters.".into(),
            InvalidIdentifier => "Invalid identifier".into(),
            AliasCharacters { name } => format!("{name} contains invalid characters for an alias"),
            PendingWindow { days } => {
                format!("PendingWindowInDays must be between 7 and 30 (got {days}).")
            }
            DataKeySizeMissing => "Please specify either number of bytes or key spec.".into(),
            DataKeySizeTwice => {
                "Please specify either number of bytes or key spec, not both.".into()
            }
            PolicyNameNotDefault => "PolicyName must be \"default\".".into(),
            ReservedAlias { name } => {
                format!("{name}: the alias/aws/ prefix is reserved for AWS managed keys.")
            }
            InvalidAliasName { name } => format!(
                "Alias {name} is invalid: use alias/ followed by 1-250 letters, digits, /, _ or -."
            ),
            AliasExists { arn } => format!("An alias with the name {arn} already exists"),
            TooManyAliases => "A key can have at most 50 aliases.".into(),
            TooManyRotations { arn } => {
                format!("{arn} has reached the maximum of 25 on-demand rotations.")
            }
            KeyPolicyTooLarge => "The key policy exceeds the maximum size of 32768 bytes.".into(),
            MalformedPolicy(e) => e.to_string(),
            LockoutRisk => "The new key policy will not allow you to update the key policy in \
                            the future."
                .into(),
            UnsupportedKeySpec { spec, usage } => format!(
                "keyform simulates symmetric encryption keys only (KeySpec SYMMETRIC_DEFAULT, \
                 KeyUsage ENCRYPT_DECRYPT); got {spec}/{usage}."
            ),
            Other(e) => e.message.clone(),
        }
    }

    /// The error S3 answers when a call it makes to KMS as the caller fails (aws-semantics.md
    /// §4): a denial is S3's own AccessDenied, key-state, missing-key and ciphertext failures
    /// keep KMS's code behind a `KMS.` prefix, anything else passes through unchanged.
    pub(crate) fn through_s3(self) -> S3Error {
        use KmsError::*;
        match self {
            AccessDenied { message } => S3Error::AccessDenied { message },
            e @ (KeyNotFound { .. }
            | AliasNotFound { .. }
            | InvalidArn { .. }
            | AliasNotAccepted { .. }
            | NoSuchKeyPolicy { .. }
            | Disabled { .. }
            | PendingDeletion { .. }
            | NotPendingDeletion { .. }
            | InvalidCiphertext
            | MaterialMissing) => S3Error::Kms(e),
            e @ (IncorrectKey
            | UnsupportedAlgorithm { .. }
            | UnrecognizedClient
            | NotInEnum { .. }
            | OutOfRange { .. }
            | Missing { .. }
            | TooLong { .. }
            | TooShort { .. }
            | NotMatching { .. }
            | DescriptionTooLong
            | InvalidIdentifier
            | AliasCharacters { .. }
            | PendingWindow { .. }
            | DataKeySizeMissing
            | DataKeySizeTwice
            | PolicyNameNotDefault
            | ReservedAlias { .. }
            | InvalidAliasName { .. }
            | AliasExists { .. }
            | TooManyAliases
            | TooManyRotations { .. }
            | KeyPolicyTooLarge
            | MalformedPolicy(_)
            | LockoutRisk
            | UnsupportedKeySpec { .. }
            | Other(_)) => S3Error::Other(e.into()),
        }
    }
}

/// ` 'value'` when the message shows the value, nothing when it does not.
fn shown(value: Option<&str>) -> String {
    value.map(|v| format!(" '{v}'")).unwrap_or_default()
}

impl From<KmsError> for SimError {
    fn from(e: KmsError) -> SimError {
        match e {
            KmsError::Other(e) => e,
            e => SimError::service(e.code(), 400, e.message()),
        }
    }
}

impl From<SimError> for KmsError {
    fn from(e: SimError) -> KmsError {
        KmsError::Other(e)
    }
}

impl From<Denied> for KmsError {
    fn from(d: Denied) -> KmsError {
        match d.by {
            DeniedBy::Kms => KmsError::AccessDenied { message: d.message },
            _ => KmsError::Other(d.into()),
        }
    }
}
