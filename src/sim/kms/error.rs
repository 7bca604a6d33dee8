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
    /// MalformedPolicyDocumentException: a principal that does not exist or cannot be one.
    InvalidPrincipal,
    /// UnsupportedOperationException: a key spec or usage keyform does not simulate.
    UnsupportedKeySpec { spec: String, usage: String },
    /// UnsupportedOperationException: rotation of a key other than a symmetric encryption key.
    RotationUnsupported { arn: String },
    /// UnsupportedOperationException: GetPublicKey of a key without a public key.
    NoPublicKey { arn: String },

    // ------------------------------------------------------------ key types
    /// ValidationException: CreateKey with a usage the key spec does not take.
    IncompatibleUsage { spec: String, usage: String },
    /// InvalidKeyUsageException: the key's usage is not the one the operation needs.
    WrongUsage {
        arn: String,
        have: String,
        need: &'static str,
    },
    /// InvalidKeyUsageException: an operation symmetric encryption keys alone take.
    NotSymmetric { arn: String, spec: String },
    /// InvalidKeyUsageException: an algorithm the key's spec does not offer.
    AlgorithmNotForKey { algorithm: String, spec: String },
    /// ValidationException: a DIGEST message of the wrong length for the algorithm.
    DigestLength { algorithm: String },
    /// ValidationException: an RSA plaintext over the algorithm's limit for the key.
    PlaintextTooLongFor {
        algorithm: String,
        spec: String,
        max: usize,
    },
    /// ValidationException: an encryption context with an asymmetric key.
    ContextWithAsymmetric,
    /// KMSInvalidSignatureException: the signature does not verify.
    InvalidSignature,
    /// KMSInvalidMacException: the MAC does not verify.
    InvalidMac,
    /// CustomKeyStoreNotFoundException: a world has no custom key stores.
    CustomKeyStoreNotFound { id: String },
    /// ValidationException: `XksKeyId` on a key whose origin is not EXTERNAL_KEY_STORE.
    XksKeyIdWithoutExternalStore,
    /// ValidationException: a `Recipient` attestation document, which only a Nitro enclave
    /// or NitroTPM signed by AWS's PKI can carry, and none exists in a keyform world.
    UnverifiableAttestation,

    // ------------------------------------------------------------ grants
    /// InvalidArnException: a grantee or retiring principal that names no principal.
    GrantPrincipalInvalid { arn: String },
    /// ValidationException: neither or both of GranteePrincipal and GranteeServicePrincipal.
    GranteeChoice,
    /// ValidationException: a grant for a service principal without a SourceArn constraint
    /// or a retiring principal.
    ServiceGrantIncomplete,
    /// ValidationException: a grant operation the key's spec and usage do not support.
    GrantOperationNotForKey { operation: String, arn: String },
    /// NotFoundException: no grant with this id on the key.
    GrantNotFound { id: String },
    /// InvalidGrantIdException: a grant id KMS never issues.
    InvalidGrantId,
    /// InvalidGrantTokenException: a grant token KMS did not issue.
    InvalidGrantToken,
    /// ValidationException: RetireGrant with neither a grant token nor a key and grant id.
    RetireWhich,
    /// AccessDeniedException: a grantee creating a grant wider than its own.
    GrantWiderThanParent,
    /// LimitExceededException: the key already has the most grants AWS allows.
    TooManyGrants { arn: String },
    /// InvalidMarkerException: a Marker a list did not return.
    InvalidMarker,

    // ------------------------------------------------------------ imported key material
    /// KMSInvalidStateException: the key of origin EXTERNAL has no key material.
    PendingImport { arn: String },
    /// UnsupportedOperationException: an import operation on a key whose origin is not EXTERNAL.
    NotExternal { arn: String },
    /// UnsupportedOperationException: a wrapping algorithm or spec keyform does not simulate.
    WrappingUnsupported { what: String },
    /// InvalidImportTokenException: a token GetParametersForImport did not give for this key,
    /// or one a later call replaced.
    InvalidImportToken,
    /// ExpiredImportTokenException: the token's 24 hours are over.
    ExpiredImportToken,
    /// IncorrectKeyMaterialException: material other than the key's own, or not 256 bits.
    IncorrectKeyMaterial,
    /// InvalidCiphertextException: the wrapped material does not open with the wrapping key.
    WrappedMaterialInvalid,
    /// ValidationException: KEY_MATERIAL_EXPIRES without ValidTo, or ValidTo without it.
    ValidToChoice,
    /// ValidationException: a ValidTo in the past or more than 365 days away.
    ValidToRange,
    /// ValidationException: an origin keyform has no key store for.
    OriginWithoutStore { origin: String },

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
            | PolicyNameNotDefault
            | XksKeyIdWithoutExternalStore
            | UnverifiableAttestation => "ValidationException",
            CustomKeyStoreNotFound { .. } => "CustomKeyStoreNotFoundException",
            ReservedAlias { .. } => "NotAuthorizedException",
            InvalidAliasName { .. } => "InvalidAliasNameException",
            AliasExists { .. } => "AlreadyExistsException",
            TooManyAliases | TooManyRotations { .. } | KeyPolicyTooLarge => {
                "LimitExceededException"
            }
            MalformedPolicy(_) | LockoutRisk | InvalidPrincipal => {
                "MalformedPolicyDocumentException"
            }
            UnsupportedKeySpec { .. } | RotationUnsupported { .. } | NoPublicKey { .. } => {
                "UnsupportedOperationException"
            }
            IncompatibleUsage { .. }
            | DigestLength { .. }
            | PlaintextTooLongFor { .. }
            | ContextWithAsymmetric => "ValidationException",
            WrongUsage { .. } | NotSymmetric { .. } | AlgorithmNotForKey { .. } => {
                "InvalidKeyUsageException"
            }
            InvalidSignature => "KMSInvalidSignatureException",
            InvalidMac => "KMSInvalidMacException",
            GrantPrincipalInvalid { .. } => "InvalidArnException",
            GranteeChoice
            | ServiceGrantIncomplete
            | GrantOperationNotForKey { .. }
            | RetireWhich => "ValidationException",
            GrantNotFound { .. } => "NotFoundException",
            InvalidGrantId => "InvalidGrantIdException",
            InvalidGrantToken => "InvalidGrantTokenException",
            GrantWiderThanParent => "AccessDeniedException",
            TooManyGrants { .. } => "LimitExceededException",
            InvalidMarker => "InvalidMarkerException",
            PendingImport { .. } => "KMSInvalidStateException",
            NotExternal { .. } | WrappingUnsupported { .. } => "UnsupportedOperationException",
            InvalidImportToken => "InvalidImportTokenException",
            ExpiredImportToken => "ExpiredImportTokenException",
            IncorrectKeyMaterial => "IncorrectKeyMaterialException",
            WrappedMaterialInvalid => "InvalidCiphertextException",
            ValidToChoice | ValidToRange | OriginWithoutStore { .. } => "ValidationException",
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
            InvalidPrincipal => {
                "Policy contains a statement with one or more invalid principals.".into()
            }
            UnsupportedKeySpec { spec, usage } => format!(
                "keyform does not simulate KeySpec {spec} with KeyUsage {usage}: it simulates \
                 SYMMETRIC_DEFAULT, RSA_2048/3072/4096, ECC_NIST_P256/P384/P521, \
                 ECC_SECG_P256K1 and HMAC_224/256/384/512 keys."
            ),
            RotationUnsupported { arn } => format!(
                "{arn} is not a symmetric encryption key: only symmetric encryption keys' \
                 material can be rotated."
            ),
            NoPublicKey { arn } => {
                format!("{arn} is not an asymmetric key: it has no public key.")
            }
            IncompatibleUsage { spec, usage } => {
                format!("KeyUsage {usage} is not compatible with KeySpec {spec}")
            }
            WrongUsage { arn, have, need } => format!(
                "{arn} key usage is {have} which is not valid for this operation: it must be \
                 {need}."
            ),
            NotSymmetric { arn, spec } => format!(
                "{arn} has KeySpec {spec}: this operation takes symmetric encryption keys \
                 (SYMMETRIC_DEFAULT) only."
            ),
            AlgorithmNotForKey { algorithm, spec } => {
                format!("Algorithm {algorithm} is incompatible with key spec {spec}.")
            }
            DigestLength { algorithm } => {
                format!("Digest is invalid length for algorithm {algorithm}.")
            }
            PlaintextTooLongFor {
                algorithm,
                spec,
                max,
            } => format!(
                "Plaintext is too long for {algorithm} with a {spec} key: at most {max} bytes."
            ),
            ContextWithAsymmetric => {
                "EncryptionContext is not supported with asymmetric keys.".into()
            }
            InvalidSignature | InvalidMac => String::new(),
            CustomKeyStoreNotFound { id } => {
                format!("Custom key store '{id}' does not exist in this account.")
            }
            XksKeyIdWithoutExternalStore => "XksKeyId is valid only for a KMS key with an Origin \
                                             of EXTERNAL_KEY_STORE."
                .into(),
            UnverifiableAttestation => "The attestation document in Recipient could not be \
                                        verified: it must be signed by an AWS Nitro enclave or \
                                        NitroTPM (keyform simulates none)."
                .into(),
            GrantPrincipalInvalid { arn } => {
                format!("ARN does not refer to a valid principal: {arn}")
            }
            GranteeChoice => {
                "Specify either GranteePrincipal or GranteeServicePrincipal, but not both.".into()
            }
            ServiceGrantIncomplete => "A grant for a service principal needs a SourceArn \
                                       constraint and a retiring principal."
                .into(),
            GrantOperationNotForKey { operation, arn } => {
                format!("Grant operation {operation} is not supported by {arn}.")
            }
            GrantNotFound { id } => format!("Grant ID {id} not found"),
            InvalidGrantId => "Invalid grant ID".into(),
            InvalidGrantToken => "Invalid grant token".into(),
            RetireWhich => "Specify a grant token, or a key ID and a grant ID.".into(),
            GrantWiderThanParent => "A grantee can create a grant only for operations and \
                                     constraints of the grant it holds."
                .into(),
            TooManyGrants { arn } => format!("The key {arn} has the maximum number of grants."),
            InvalidMarker => "Invalid marker".into(),
            PendingImport { arn } => format!("{arn} is pending import."),
            NotExternal { arn } => format!("{arn} origin is not EXTERNAL"),
            WrappingUnsupported { what } => format!("{what} is not supported by keyform"),
            InvalidImportToken => "The import token is invalid for this key.".into(),
            ExpiredImportToken => "The import token has expired.".into(),
            IncorrectKeyMaterial => "The key material is not the material of this key.".into(),
            WrappedMaterialInvalid => "The encrypted key material does not decrypt with the \
                                       wrapping key and algorithm of the import token."
                .into(),
            ValidToChoice => "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES \
                              and not allowed with KEY_MATERIAL_DOES_NOT_EXPIRE."
                .into(),
            ValidToRange => "ValidTo must be in the future and at most 365 days away.".into(),
            OriginWithoutStore { origin } => {
                format!("Origin {origin} needs a custom key store; none exists in this account.")
            }
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
            | PendingImport { .. }
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
            | CustomKeyStoreNotFound { .. }
            | XksKeyIdWithoutExternalStore
            | UnverifiableAttestation
            | ReservedAlias { .. }
            | InvalidAliasName { .. }
            | AliasExists { .. }
            | TooManyAliases
            | TooManyRotations { .. }
            | KeyPolicyTooLarge
            | MalformedPolicy(_)
            | LockoutRisk
            | InvalidPrincipal
            | UnsupportedKeySpec { .. }
            | RotationUnsupported { .. }
            | NoPublicKey { .. }
            | IncompatibleUsage { .. }
            | WrongUsage { .. }
            | NotSymmetric { .. }
            | AlgorithmNotForKey { .. }
            | DigestLength { .. }
            | PlaintextTooLongFor { .. }
            | ContextWithAsymmetric
            | InvalidSignature
            | InvalidMac
            | GrantPrincipalInvalid { .. }
            | GranteeChoice
            | ServiceGrantIncomplete
            | GrantOperationNotForKey { .. }
            | GrantNotFound { .. }
            | InvalidGrantId
            | InvalidGrantToken
            | RetireWhich
            | GrantWiderThanParent
            | TooManyGrants { .. }
            | InvalidMarker
            | NotExternal { .. }
            | WrappingUnsupported { .. }
            | InvalidImportToken
            | ExpiredImportToken
            | IncorrectKeyMaterial
            | WrappedMaterialInvalid
            | ValidToChoice
            | ValidToRange
            | OriginWithoutStore { .. }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::SimError;

    /// One of each variant, with the code, HTTP status and message text KMS answered with
    /// before errors were data (the expected texts are the old call sites' own).
    fn samples() -> Vec<(KmsError, &'static str, u16, &'static str)> {
        vec![
            (
                KmsError::NotInEnum {
                    member: "keyUsage",
                    value: "SIGN".into(),
                    allowed: &["ENCRYPT_DECRYPT", "SIGN_VERIFY"],
                },
                "ValidationException",
                400,
                "1 validation error detected: Value 'SIGN' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY]",
            ),
            (
                KmsError::InvalidArn {
                    given: "arn:aws:kms:us-east-1:123456789012:x".into(),
                },
                "NotFoundException",
                400,
                "Invalid arn arn:aws:kms:us-east-1:123456789012:x",
            ),
            (
                KmsError::KeyNotFound {
                    arn: "arn:aws:kms:eu-west-1:1:key/x".into(),
                },
                "NotFoundException",
                400,
                "Key 'arn:aws:kms:eu-west-1:1:key/x' does not exist",
            ),
            (
                KmsError::AliasNotAccepted {
                    given: "alias/a".into(),
                },
                "NotFoundException",
                400,
                "Invalid keyId 'alias/a': this operation takes a key id or key ARN, not an alias",
            ),
            (
                KmsError::AliasNotFound {
                    arn: "arn:aws:kms:us-east-1:123456789012:alias/a".into(),
                },
                "NotFoundException",
                400,
                "Alias arn:aws:kms:us-east-1:123456789012:alias/a is not found.",
            ),
            (
                KmsError::Disabled {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                },
                "DisabledException",
                400,
                "arn:aws:kms:us-east-1:123456789012:key/k1 is disabled.",
            ),
            (
                KmsError::NotPendingDeletion {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                },
                "KMSInvalidStateException",
                400,
                "arn:aws:kms:us-east-1:123456789012:key/k1 is not pending deletion.",
            ),
            (
                KmsError::MaterialMissing,
                "InvalidCiphertextException",
                400,
                "The ciphertext refers to key material that does not exist.",
            ),
            (
                KmsError::KeyPolicyTooLarge,
                "LimitExceededException",
                400,
                "The key policy exceeds the maximum size of 32768 bytes.",
            ),
            (
                KmsError::LockoutRisk,
                "MalformedPolicyDocumentException",
                400,
                "The new key policy will not allow you to update the key policy in the future.",
            ),
            (
                KmsError::InvalidPrincipal,
                "MalformedPolicyDocumentException",
                400,
                "Policy contains a statement with one or more invalid principals.",
            ),
            (
                KmsError::DescriptionTooLong,
                "ValidationException",
                400,
                "Description must be at most 8192 characters.",
            ),
            (
                KmsError::UnsupportedKeySpec {
                    spec: "SM2".into(),
                    usage: "SIGN_VERIFY".into(),
                },
                "UnsupportedOperationException",
                400,
                "keyform does not simulate KeySpec SM2 with KeyUsage SIGN_VERIFY: it simulates SYMMETRIC_DEFAULT, RSA_2048/3072/4096, ECC_NIST_P256/P384/P521, ECC_SECG_P256K1 and HMAC_224/256/384/512 keys.",
            ),
            (
                KmsError::TooLong {
                    member: "aliasName",
                    value: Some("alias/xxx".into()),
                    max: 256,
                },
                "ValidationException",
                400,
                "1 validation error detected: Value 'alias/xxx' at 'aliasName' failed to satisfy constraint: Member must have length less than or equal to 256",
            ),
            (
                KmsError::NotMatching {
                    member: "aliasName",
                    value: "alias/a!".into(),
                    pattern: "^[a-zA-Z0-9:/_-]+$",
                },
                "ValidationException",
                400,
                "1 validation error detected: Value 'alias/a!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
            ),
            (
                KmsError::InvalidIdentifier,
                "ValidationException",
                400,
                "Invalid identifier",
            ),
            (
                KmsError::ReservedAlias {
                    name: "alias/aws/s3".into(),
                },
                "NotAuthorizedException",
                400,
                "alias/aws/s3: the alias/aws/ prefix is reserved for AWS managed keys.",
            ),
            (
                KmsError::AliasCharacters {
                    name: "alias/a:b".into(),
                },
                "ValidationException",
                400,
                "alias/a:b contains invalid characters for an alias",
            ),
            (
                KmsError::InvalidAliasName {
                    name: "alias/".into(),
                },
                "InvalidAliasNameException",
                400,
                "Alias alias/ is invalid: use alias/ followed by 1-250 letters, digits, /, _ or -.",
            ),
            (
                KmsError::AliasExists {
                    arn: "arn:aws:kms:us-east-1:123456789012:alias/a".into(),
                },
                "AlreadyExistsException",
                400,
                "An alias with the name arn:aws:kms:us-east-1:123456789012:alias/a already exists",
            ),
            (
                KmsError::TooManyAliases,
                "LimitExceededException",
                400,
                "A key can have at most 50 aliases.",
            ),
            (
                KmsError::PendingWindow { days: 31 },
                "ValidationException",
                400,
                "PendingWindowInDays must be between 7 and 30 (got 31).",
            ),
            (
                KmsError::OutOfRange {
                    member: "rotationPeriodInDays",
                    value: 89,
                    min: 90,
                    max: 2560,
                },
                "ValidationException",
                400,
                "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560",
            ),
            (
                KmsError::TooManyRotations {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                },
                "LimitExceededException",
                400,
                "arn:aws:kms:us-east-1:123456789012:key/k1 has reached the maximum of 25 on-demand rotations.",
            ),
            (
                KmsError::OutOfRange {
                    member: "numberOfBytes",
                    value: 1025,
                    min: 1,
                    max: 1024,
                },
                "ValidationException",
                400,
                "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024",
            ),
            (
                KmsError::Missing {
                    member: "numberOfBytes",
                },
                "ValidationException",
                400,
                "1 validation error detected: Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null",
            ),
            (
                KmsError::NoSuchKeyPolicy {
                    name: "other".into(),
                },
                "NotFoundException",
                400,
                "No such policy exists: other",
            ),
            (
                KmsError::PolicyNameNotDefault,
                "ValidationException",
                400,
                "PolicyName must be \"default\".",
            ),
            (
                KmsError::TooShort {
                    member: "plaintext",
                    min: 1,
                },
                "ValidationException",
                400,
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
            ),
            (
                KmsError::TooLong {
                    member: "plaintext",
                    value: None,
                    max: 4096,
                },
                "ValidationException",
                400,
                "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
            ),
            (
                KmsError::InvalidCiphertext,
                "InvalidCiphertextException",
                400,
                "",
            ),
            (
                KmsError::IncorrectKey,
                "IncorrectKeyException",
                400,
                "The key ID in the request does not identify a CMK that can perform this operation.",
            ),
            (
                KmsError::NotInEnum {
                    member: "keySpec",
                    value: "AES_512".into(),
                    allowed: &["AES_256", "AES_128"],
                },
                "ValidationException",
                400,
                "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
            ),
            (
                KmsError::DataKeySizeMissing,
                "ValidationException",
                400,
                "Please specify either number of bytes or key spec.",
            ),
            (
                KmsError::DataKeySizeTwice,
                "ValidationException",
                400,
                "Please specify either number of bytes or key spec, not both.",
            ),
            (
                KmsError::UnsupportedAlgorithm {
                    algorithm: "RSAES_OAEP_SHA_256".into(),
                },
                "InvalidKeyUsageException",
                400,
                "The encryption algorithm RSAES_OAEP_SHA_256 is not supported by symmetric keys; use SYMMETRIC_DEFAULT.",
            ),
            (
                KmsError::PendingDeletion {
                    arn: "arn:aws:kms:us-east-1:123456789012:key/k1".into(),
                },
                "KMSInvalidStateException",
                400,
                "arn:aws:kms:us-east-1:123456789012:key/k1 is pending deletion.",
            ),
            (
                KmsError::UnrecognizedClient,
                "UnrecognizedClientException",
                400,
                "The security token included in the request is invalid.",
            ),
            (
                KmsError::AccessDenied {
                    message: "User: x is not authorized".into(),
                },
                "AccessDeniedException",
                400,
                "User: x is not authorized",
            ),
            (
                KmsError::IncompatibleUsage {
                    spec: "HMAC_224".into(),
                    usage: "ENCRYPT_DECRYPT".into(),
                },
                "ValidationException",
                400,
                "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec HMAC_224",
            ),
            (
                KmsError::DigestLength {
                    algorithm: "ECDSA_SHA_256".into(),
                },
                "ValidationException",
                400,
                "Digest is invalid length for algorithm ECDSA_SHA_256.",
            ),
            (
                KmsError::InvalidSignature,
                "KMSInvalidSignatureException",
                400,
                "",
            ),
            (KmsError::InvalidMac, "KMSInvalidMacException", 400, ""),
            (
                KmsError::AlgorithmNotForKey {
                    algorithm: "RSASSA_PSS_SHA_256".into(),
                    spec: "ECC_NIST_P256".into(),
                },
                "InvalidKeyUsageException",
                400,
                "Algorithm RSASSA_PSS_SHA_256 is incompatible with key spec ECC_NIST_P256.",
            ),
            (
                KmsError::MalformedPolicy(PolicyError::NotAnObject),
                "MalformedPolicyDocumentException",
                400,
                "policy document must be a JSON object",
            ),
        ]
    }

    #[test]
    fn variants_keep_awss_code_status_and_message() {
        for (e, code, status, message) in samples() {
            let s = SimError::from(e.clone());
            assert_eq!(
                (s.code.as_str(), s.status, s.message.as_str()),
                (code, status, message),
                "{e:?}"
            );
        }
    }

    /// Through S3, a denial is S3's AccessDenied and the key-state, missing-key and
    /// ciphertext failures keep KMS's code behind `KMS.`; everything else is unchanged. This
    /// is the rule S3 applied to KMS's error codes before it read the variants.
    #[test]
    fn through_s3_classifies_as_the_codes_did() {
        for (e, ..) in samples() {
            let kms = SimError::from(e.clone());
            let want = match kms.code.as_str() {
                "AccessDeniedException" => SimError::service("AccessDenied", 403, &kms.message),
                "DisabledException"
                | "KMSInvalidStateException"
                | "NotFoundException"
                | "InvalidCiphertextException" => {
                    SimError::service(&format!("KMS.{}", kms.code), 400, &kms.message)
                }
                _ => kms.clone(),
            };
            assert_eq!(SimError::from(e.clone().through_s3()), want, "{e:?}");
        }
    }
}
