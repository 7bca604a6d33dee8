//! IAM's (and STS's) errors as data. Each variant holds what its message names;
//! [`SimError::from`] turns it into AWS's error code, HTTP status and exact message text at the
//! service edge.
//!
//! It does not decide when an error happens; the operations do.

use super::{
    MANAGED_POLICY_MAX_CHARS, MAX_ATTACHED_PER_USER, MAX_POLICY_VERSIONS,
    USER_INLINE_POLICIES_MAX_CHARS,
};
use crate::sim::SimError;
use crate::sim::policy::PolicyError;

/// Why an IAM or STS call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamError {
    // ------------------------------------------------------------ NoSuchEntity
    /// No user with this name.
    NoSuchUser { name: String },
    /// No managed policy with this ARN (or it cannot be attached).
    NoSuchPolicy { arn: String },
    /// GetPolicyVersion of a version the policy does not have.
    NoSuchVersion { arn: String, version: String },
    /// DeletePolicyVersion of a version the policy does not have.
    NoSuchVersionToDelete { arn: String, version: String },
    /// No inline policy with this name on the user.
    NoSuchUserPolicy { name: String },
    /// DetachUserPolicy of a policy the user does not have attached.
    PolicyNotAttached { arn: String },
    /// No access key with this id on the user.
    NoSuchAccessKey { id: String },
    /// No role with this name.
    NoSuchRole { name: String },
    /// No group with this name.
    NoSuchGroup { name: String },
    /// No inline policy with this name on the role.
    NoSuchRolePolicy { name: String },
    /// No inline policy with this name on the group.
    NoSuchGroupPolicy { name: String },
    /// RemoveUserFromGroup of a user who is not a member.
    NotAMember { user: String, group: String },

    // ------------------------------------------------------------ input
    /// ValidationError: a user or policy name outside IAM's characters or length.
    InvalidName { member: &'static str, max: usize },
    /// ValidationError: a path that does not begin and end with `/`, or is too long.
    InvalidPath { path: String },
    /// ValidationError: a call by a non-user that names no user.
    UserNameRequired,
    /// ValidationError: an access key status other than Active or Inactive.
    InvalidStatus { status: String },
    /// ValidationError: a member outside its enum (`scope`, `entityFilter`).
    NotInEnum {
        member: &'static str,
        value: String,
        allowed: &'static [&'static str],
    },
    /// InvalidInput: an ARN that is not a policy ARN.
    InvalidArn { arn: String },
    /// MalformedPolicyDocument: the document does not parse or is not an identity policy.
    MalformedPolicy(PolicyError),
    /// MalformedPolicyDocument: a policy names a principal that does not exist or cannot be one.
    InvalidPrincipal { principal: String },
    /// MalformedPolicyDocument: a trust policy statement with a field trust policies refuse.
    ProhibitedField { field: &'static str },
    /// ValidationError: a number outside its member's range (`durationSeconds`,
    /// `maxSessionDuration`).
    OutOfRange {
        member: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },
    /// ValidationError: AssumeRole for longer than the role's MaxSessionDuration.
    DurationExceedsMax,
    /// ValidationError: a `Marker` no page of this list gave.
    InvalidMarker,
    /// ValidationError: a role session name outside `[\w+=,.@-]{2,64}`.
    InvalidSessionName { name: String },
    /// ValidationError: a member longer than its limit (`tags`, a session tag's key or value).
    TooLong { member: String, max: usize },
    /// InvalidParameterValue: the same session tag key twice (keys are case-insensitive), or a
    /// chained session setting a transitive tag again.
    DuplicateTagKeys,
    /// InvalidParameterValue: a transitive tag key that is not among the session's tags.
    TransitiveKeyNotTagged { key: String },

    // ------------------------------------------------------------ conflicts and quotas
    /// EntityAlreadyExists: a user of that name exists.
    UserExists { name: String },
    /// EntityAlreadyExists: a policy of that name exists.
    PolicyExists { name: String },
    /// EntityAlreadyExists: a role of that name exists.
    RoleExists { name: String },
    /// EntityAlreadyExists: a group of that name exists.
    GroupExists { name: String },
    /// DeleteConflict: DeleteGroup of a group with members.
    GroupHasMembers,
    /// DeleteConflict: DeleteUser of a user still in a group.
    UserInGroups,
    /// DeleteConflict: DeleteUser of a user with policies.
    UserHasPolicies,
    /// DeleteConflict: DeleteUser of a user with access keys.
    UserHasAccessKeys,
    /// DeleteConflict: DeletePolicyVersion of the default version.
    DeleteDefaultVersion,
    /// DeleteConflict: DeletePolicy of a policy still attached.
    PolicyAttached,
    /// DeleteConflict: DeletePolicy of a policy with versions besides the default.
    PolicyHasVersions,
    /// LimitExceeded: a managed policy over 6144 characters.
    PolicyTooLarge,
    /// LimitExceeded: a user's inline policies together over 2048 characters.
    InlinePoliciesTooLarge { user: String },
    /// LimitExceeded: a sixth version of a managed policy.
    TooManyVersions,
    /// LimitExceeded: an eleventh managed policy attached to a user, group or role.
    TooManyAttached { quota: &'static str },
    /// LimitExceeded: a third access key.
    TooManyAccessKeys,

    // ------------------------------------------------------------ who may
    /// AccessDenied with AWS's denial sentence.
    AccessDenied { message: String },
    /// InvalidClientTokenId: credentials of no existing user.
    InvalidClientTokenId,
    /// MissingAuthenticationToken: an unsigned STS call.
    MissingAuthenticationToken,
    /// ExpiredToken: temporary credentials past their expiry, worded by the service called.
    ExpiredToken { service: TokenService },

    /// An error another layer made (parameter validation, internal failures).
    Other(SimError),
}

/// How a service words [`IamError::ExpiredToken`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenService {
    /// IAM and STS (query protocol): `ExpiredToken`, 403.
    Iam,
    /// S3: `ExpiredToken`, 400, "The provided token has expired.".
    S3,
    /// KMS and CloudTrail (JSON protocol): `ExpiredTokenException`, 400.
    Json,
}

impl IamError {
    /// AWS's error code.
    pub fn code(&self) -> &str {
        use IamError::*;
        match self {
            NoSuchUser { .. }
            | NoSuchPolicy { .. }
            | NoSuchVersion { .. }
            | NoSuchVersionToDelete { .. }
            | NoSuchUserPolicy { .. }
            | PolicyNotAttached { .. }
            | NoSuchAccessKey { .. }
            | NoSuchRole { .. }
            | NoSuchGroup { .. }
            | NoSuchRolePolicy { .. }
            | NoSuchGroupPolicy { .. }
            | NotAMember { .. } => "NoSuchEntity",
            InvalidName { .. }
            | InvalidPath { .. }
            | UserNameRequired
            | InvalidStatus { .. }
            | NotInEnum { .. }
            | OutOfRange { .. }
            | DurationExceedsMax
            | InvalidMarker
            | InvalidSessionName { .. }
            | TooLong { .. } => "ValidationError",
            DuplicateTagKeys | TransitiveKeyNotTagged { .. } => "InvalidParameterValue",
            InvalidArn { .. } => "InvalidInput",
            MalformedPolicy(_) | InvalidPrincipal { .. } | ProhibitedField { .. } => {
                "MalformedPolicyDocument"
            }
            UserExists { .. } | PolicyExists { .. } | RoleExists { .. } | GroupExists { .. } => {
                "EntityAlreadyExists"
            }
            UserHasPolicies | UserHasAccessKeys | DeleteDefaultVersion | PolicyAttached
            | PolicyHasVersions | GroupHasMembers | UserInGroups => "DeleteConflict",
            PolicyTooLarge
            | InlinePoliciesTooLarge { .. }
            | TooManyVersions
            | TooManyAttached { .. }
            | TooManyAccessKeys => "LimitExceeded",
            ExpiredToken {
                service: TokenService::Json,
            } => "ExpiredTokenException",
            ExpiredToken { .. } => "ExpiredToken",
            AccessDenied { .. } => "AccessDenied",
            InvalidClientTokenId => "InvalidClientTokenId",
            MissingAuthenticationToken => "MissingAuthenticationToken",
            Other(e) => &e.code,
        }
    }

    /// The HTTP status IAM answers with.
    pub fn status(&self) -> u16 {
        use IamError::*;
        match self {
            NoSuchUser { .. }
            | NoSuchPolicy { .. }
            | NoSuchVersion { .. }
            | NoSuchVersionToDelete { .. }
            | NoSuchUserPolicy { .. }
            | PolicyNotAttached { .. }
            | NoSuchAccessKey { .. }
            | NoSuchRole { .. }
            | NoSuchGroup { .. }
            | NoSuchRolePolicy { .. }
            | NoSuchGroupPolicy { .. }
            | NotAMember { .. } => 404,
            UserExists { .. }
            | PolicyExists { .. }
            | RoleExists { .. }
            | GroupExists { .. }
            | GroupHasMembers
            | UserInGroups
            | UserHasPolicies
            | UserHasAccessKeys
            | DeleteDefaultVersion
            | PolicyAttached
            | PolicyHasVersions
            | PolicyTooLarge
            | InlinePoliciesTooLarge { .. }
            | TooManyVersions
            | TooManyAttached { .. }
            | TooManyAccessKeys => 409,
            AccessDenied { .. } | InvalidClientTokenId | MissingAuthenticationToken => 403,
            ExpiredToken {
                service: TokenService::Iam,
            } => 403,
            ExpiredToken { .. } => 400,
            OutOfRange { .. }
            | DurationExceedsMax
            | InvalidMarker
            | InvalidSessionName { .. }
            | TooLong { .. }
            | DuplicateTagKeys
            | TransitiveKeyNotTagged { .. }
            | InvalidPrincipal { .. }
            | ProhibitedField { .. } => 400,
            InvalidName { .. }
            | InvalidPath { .. }
            | UserNameRequired
            | InvalidStatus { .. }
            | NotInEnum { .. }
            | InvalidArn { .. }
            | MalformedPolicy(_) => 400,
            Other(e) => e.status,
        }
    }

    /// AWS's message text.
    pub fn message(&self) -> String {
        use IamError::*;
        match self {
            NoSuchUser { name } => format!("The user with name {name} cannot be found."),
            NoSuchPolicy { arn } => format!("Policy {arn} does not exist or is not attachable."),
            NoSuchVersion { arn, version } => {
                format!("Policy {arn} version {version} does not exist or is not attachable.")
            }
            NoSuchVersionToDelete { arn, version } => {
                format!("Policy {arn} version {version} does not exist.")
            }
            NoSuchUserPolicy { name } => {
                format!("The user policy with name {name} cannot be found.")
            }
            PolicyNotAttached { arn } => format!("Policy {arn} was not found."),
            NoSuchAccessKey { id } => format!("The Access Key with id {id} cannot be found."),
            NoSuchRole { name } => format!("The role with name {name} cannot be found."),
            NoSuchGroup { name } => format!("The group with name {name} cannot be found."),
            NoSuchRolePolicy { name } => {
                format!("The role policy with name {name} cannot be found.")
            }
            NoSuchGroupPolicy { name } => {
                format!("The group policy with name {name} cannot be found.")
            }
            NotAMember { user, group } => {
                format!("The user with name {user} cannot be found in group {group}.")
            }
            InvalidPrincipal { principal } => format!("Invalid principal in policy: {principal}"),
            ProhibitedField { field } => format!("Has prohibited field {field}"),
            OutOfRange {
                member,
                value,
                min,
                max,
            } => {
                let bound = if value < min {
                    format!("greater than or equal to {min}")
                } else {
                    format!("less than or equal to {max}")
                };
                format!(
                    "1 validation error detected: Value '{value}' at '{member}' failed to \
                     satisfy constraint: Member must have value {bound}"
                )
            }
            InvalidMarker => "Invalid Marker.".to_string(),
            DurationExceedsMax => "The requested DurationSeconds exceeds the MaxSessionDuration \
                                   set for this role."
                .into(),
            TooLong { member, max } => format!(
                "1 validation error detected: Value at '{member}' failed to satisfy constraint: \
                 Member must have length less than or equal to {max}"
            ),
            DuplicateTagKeys => "Duplicate tag keys found. Please note that Tag keys are case \
                                 insensitive."
                .into(),
            TransitiveKeyNotTagged { key } => format!(
                "The specified transitive tag key must be included in the requested tags: {key}"
            ),
            InvalidSessionName { name } => format!(
                "1 validation error detected: Value '{name}' at 'roleSessionName' failed to \
                 satisfy constraint: Member must satisfy regular expression pattern: \
                 [\\w+=,.@-]* and have length between 2 and 64"
            ),
            RoleExists { name } => format!("Role with name {name} already exists."),
            GroupExists { name } => format!("Group with name {name} already exists."),
            GroupHasMembers => "Cannot delete entity, must remove users from group first.".into(),
            UserInGroups => "Cannot delete entity, must remove user from all groups first.".into(),
            InvalidName { member, max } => format!(
                "The specified value for {member} is invalid. It must contain only alphanumeric \
                 characters and/or the following: +=,.@_- and be 1 to {max} characters long."
            ),
            InvalidPath { path } => format!(
                "The specified value for path is invalid: {path}. It must begin and end with / \
                 and be at most 512 characters."
            ),
            UserNameRequired => {
                "Must specify userName when calling with non-User credentials".into()
            }
            InvalidStatus { status } => format!(
                "1 validation error detected: Value '{status}' at 'status' failed to satisfy \
                 constraint: Member must satisfy enum value set: [Active, Inactive]"
            ),
            NotInEnum {
                member,
                value,
                allowed,
            } => format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy \
                 constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
            InvalidArn { arn } => format!("ARN {arn} is not valid."),
            MalformedPolicy(e) => e.to_string(),
            UserExists { name } => format!("User with name {name} already exists."),
            PolicyExists { name } => {
                format!("A policy called {name} already exists. Duplicate names are not allowed.")
            }
            UserHasPolicies => "Cannot delete entity, must delete policies first.".into(),
            UserHasAccessKeys => "Cannot delete entity, must delete access keys first.".into(),
            DeleteDefaultVersion => {
                "Cannot delete a policy version that is the default version.".into()
            }
            PolicyAttached => "Cannot delete a policy attached to entities.".into(),
            PolicyHasVersions => "This policy has more than one version. Before you delete a \
                                  policy, you must delete the policy's versions. The default \
                                  version is deleted with the policy."
                .into(),
            PolicyTooLarge => {
                format!("Cannot exceed quota for PolicySize: {MANAGED_POLICY_MAX_CHARS}")
            }
            InlinePoliciesTooLarge { user } => format!(
                "Maximum policy size of {USER_INLINE_POLICIES_MAX_CHARS} bytes exceeded for user \
                 {user}"
            ),
            TooManyVersions => format!(
                "A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you \
                 create a new version, you must delete an existing version."
            ),
            TooManyAttached { quota } => {
                format!("Cannot exceed quota for {quota}: {MAX_ATTACHED_PER_USER}")
            }
            TooManyAccessKeys => "Cannot exceed quota for AccessKeysPerUser: 2".into(),
            AccessDenied { message } => message.clone(),
            InvalidClientTokenId => crate::sim::error::INVALID_TOKEN.into(),
            MissingAuthenticationToken => "Request is missing Authentication Token".into(),
            ExpiredToken {
                service: TokenService::S3,
            } => "The provided token has expired.".into(),
            ExpiredToken { .. } => "The security token included in the request is expired".into(),
            Other(e) => e.message.clone(),
        }
    }
}

impl From<IamError> for SimError {
    fn from(e: IamError) -> SimError {
        match e {
            IamError::Other(e) => e,
            e => SimError::service(e.code(), e.status(), e.message()),
        }
    }
}

impl From<SimError> for IamError {
    fn from(e: SimError) -> IamError {
        IamError::Other(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant becomes the code, HTTP status and message text the service answered
    /// with before errors were data (the expected texts are the old call sites' own).
    #[test]
    fn variants_keep_awss_code_status_and_message() {
        let cases: Vec<(IamError, &str, u16, &str)> = vec![
            (
                IamError::NoSuchUser { name: "bob".into() },
                "NoSuchEntity",
                404,
                "The user with name bob cannot be found.",
            ),
            (
                IamError::NoSuchPolicy {
                    arn: "arn:aws:iam::123456789012:policy/p".into(),
                },
                "NoSuchEntity",
                404,
                "Policy arn:aws:iam::123456789012:policy/p does not exist or is not attachable.",
            ),
            (
                IamError::NoSuchVersion {
                    arn: "arn:aws:iam::123456789012:policy/p".into(),
                    version: "v9".into(),
                },
                "NoSuchEntity",
                404,
                "Policy arn:aws:iam::123456789012:policy/p version v9 does not exist or is not attachable.",
            ),
            (
                IamError::NoSuchVersionToDelete {
                    arn: "arn:aws:iam::123456789012:policy/p".into(),
                    version: "v9".into(),
                },
                "NoSuchEntity",
                404,
                "Policy arn:aws:iam::123456789012:policy/p version v9 does not exist.",
            ),
            (
                IamError::NoSuchUserPolicy {
                    name: "inline".into(),
                },
                "NoSuchEntity",
                404,
                "The user policy with name inline cannot be found.",
            ),
            (
                IamError::PolicyNotAttached {
                    arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess".into(),
                },
                "NoSuchEntity",
                404,
                "Policy arn:aws:iam::aws:policy/AmazonS3FullAccess was not found.",
            ),
            (
                IamError::NoSuchAccessKey {
                    id: "AKIAEXAMPLE".into(),
                },
                "NoSuchEntity",
                404,
                "The Access Key with id AKIAEXAMPLE cannot be found.",
            ),
            (
                IamError::InvalidName {
                    member: "userName",
                    max: 64,
                },
                "ValidationError",
                400,
                "The specified value for userName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_- and be 1 to 64 characters long.",
            ),
            (
                IamError::InvalidPath { path: "x".into() },
                "ValidationError",
                400,
                "The specified value for path is invalid: x. It must begin and end with / and be at most 512 characters.",
            ),
            (
                IamError::UserNameRequired,
                "ValidationError",
                400,
                "Must specify userName when calling with non-User credentials",
            ),
            (
                IamError::InvalidStatus {
                    status: "Gone".into(),
                },
                "ValidationError",
                400,
                "1 validation error detected: Value 'Gone' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
            ),
            (
                IamError::InvalidArn { arn: "nope".into() },
                "InvalidInput",
                400,
                "ARN nope is not valid.",
            ),
            (
                IamError::UserExists { name: "bob".into() },
                "EntityAlreadyExists",
                409,
                "User with name bob already exists.",
            ),
            (
                IamError::PolicyExists { name: "p".into() },
                "EntityAlreadyExists",
                409,
                "A policy called p already exists. Duplicate names are not allowed.",
            ),
            (
                IamError::UserHasPolicies,
                "DeleteConflict",
                409,
                "Cannot delete entity, must delete policies first.",
            ),
            (
                IamError::UserHasAccessKeys,
                "DeleteConflict",
                409,
                "Cannot delete entity, must delete access keys first.",
            ),
            (
                IamError::DeleteDefaultVersion,
                "DeleteConflict",
                409,
                "Cannot delete a policy version that is the default version.",
            ),
            (
                IamError::PolicyAttached,
                "DeleteConflict",
                409,
                "Cannot delete a policy attached to entities.",
            ),
            (
                IamError::PolicyHasVersions,
                "DeleteConflict",
                409,
                "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
            ),
            (
                IamError::PolicyTooLarge,
                "LimitExceeded",
                409,
                "Cannot exceed quota for PolicySize: 6144",
            ),
            (
                IamError::InlinePoliciesTooLarge { user: "bob".into() },
                "LimitExceeded",
                409,
                "Maximum policy size of 2048 bytes exceeded for user bob",
            ),
            (
                IamError::TooManyVersions,
                "LimitExceeded",
                409,
                "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
            ),
            (
                IamError::TooManyAttached {
                    quota: "PoliciesPerUser",
                },
                "LimitExceeded",
                409,
                "Cannot exceed quota for PoliciesPerUser: 10",
            ),
            (
                IamError::TooManyAccessKeys,
                "LimitExceeded",
                409,
                "Cannot exceed quota for AccessKeysPerUser: 2",
            ),
            (
                IamError::MissingAuthenticationToken,
                "MissingAuthenticationToken",
                403,
                "Request is missing Authentication Token",
            ),
            (
                IamError::InvalidClientTokenId,
                "InvalidClientTokenId",
                403,
                "The security token included in the request is invalid.",
            ),
            (
                IamError::AccessDenied {
                    message: "User: x is not authorized".into(),
                },
                "AccessDenied",
                403,
                "User: x is not authorized",
            ),
            (
                IamError::MalformedPolicy(PolicyError::NotAnObject),
                "MalformedPolicyDocument",
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
