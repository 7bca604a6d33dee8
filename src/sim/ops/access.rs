//! What AWS authorizes for an operation, as data: each [`Check`] names the IAM action, the kind
//! of resource it is evaluated on, which policies decide it, who is evaluated (the caller, the
//! caller through a service, or a service principal) and the service condition keys the request
//! carries. The handlers' preludes perform these checks in AWS's order; `ops::tests` runs every
//! operation and asserts that what was evaluated is exactly what its row says.
//!
//! Global condition keys ([`GLOBAL_KEYS`]) are put in every request by `authz`; they are not
//! repeated per row.

/// The resource a check is evaluated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Res {
    /// Actions without a resource (`kms:CreateKey`, `s3:ListAllMyBuckets`).
    Star,
    /// A KMS key's ARN (the key an alias or ciphertext names, resolved).
    Key,
    /// A KMS alias's ARN.
    Alias,
    Bucket,
    Object,
    User,
    /// An IAM managed policy's ARN.
    Policy,
    Role,
    Group,
    Trail,
}

impl Res {
    /// The kind of resource an ARN names (for the audit test and `sim explain`).
    pub fn of_arn(arn: &str) -> Option<Res> {
        if arn == "*" {
            return Some(Res::Star);
        }
        let rest = arn.strip_prefix("arn:aws:")?;
        let (service, rest) = rest.split_once(':')?;
        let resource = rest.splitn(3, ':').nth(2)?;
        Some(match service {
            "kms" if resource.starts_with("key/") => Res::Key,
            "kms" if resource.starts_with("alias/") => Res::Alias,
            "s3" if resource.contains('/') => Res::Object,
            "s3" => Res::Bucket,
            "iam" if resource.starts_with("user/") => Res::User,
            "iam" if resource.starts_with("policy/") => Res::Policy,
            "iam" if resource.starts_with("role/") => Res::Role,
            "iam" if resource.starts_with("group/") => Res::Group,
            "cloudtrail" if resource.starts_with("trail/") => Res::Trail,
            _ => return None,
        })
    }
}

/// Which policies decide a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gate {
    /// The caller's identity policies alone.
    Identity,
    /// The key policy must allow (directly, or by delegating to IAM through the account).
    KeyPolicy,
    /// Identity policies and the bucket policy.
    BucketPolicy,
    /// The role's trust policy must allow (directly, or by delegating to IAM through the
    /// account), as a key policy must.
    TrustPolicy,
}

/// Who is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum By {
    Caller,
    /// The caller, through a service acting on its behalf (`kms:ViaService`, `aws:CalledVia`).
    CallerVia(&'static str),
    /// A service principal acting as itself (CloudTrail checking it may write to a bucket).
    Service(&'static str),
}

/// One authorization AWS performs for an operation.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub action: &'static str,
    pub resource: Res,
    pub gate: Gate,
    pub by: By,
    /// Service condition keys the request carries. A key ending in `?` is there only when the
    /// request has its source (an encryption context key only with a context, `kms:RequestAlias`
    /// only when the key was named by an alias); a key ending in `:` is a prefix
    /// (`kms:EncryptionContext:`).
    pub conditions: &'static [&'static str],
    /// When the check runs, if not always ("the key the alias points to now", "with SSE-KMS").
    pub when: &'static str,
}

/// A check decided by identity policies alone.
pub const fn identity(action: &'static str, resource: Res) -> Check {
    Check {
        action,
        resource,
        gate: Gate::Identity,
        by: By::Caller,
        conditions: &[],
        when: "",
    }
}

/// A check on a KMS key, decided with its key policy.
pub const fn key(action: &'static str) -> Check {
    Check {
        action,
        resource: Res::Key,
        gate: Gate::KeyPolicy,
        by: By::Caller,
        conditions: &[],
        when: "",
    }
}

/// sts:AssumeRole on a role, decided with its trust policy.
pub const fn trust(action: &'static str) -> Check {
    Check {
        action,
        resource: Res::Role,
        gate: Gate::TrustPolicy,
        by: By::Caller,
        conditions: &[],
        when: "",
    }
}

/// A check on a bucket or an object, decided with the bucket policy.
pub const fn s3(action: &'static str, resource: Res) -> Check {
    Check {
        action,
        resource,
        gate: Gate::BucketPolicy,
        by: By::Caller,
        conditions: &[],
        when: "",
    }
}

impl Check {
    pub const fn with(self, conditions: &'static [&'static str]) -> Check {
        Check { conditions, ..self }
    }

    pub const fn when(self, when: &'static str) -> Check {
        Check { when, ..self }
    }

    pub const fn by(self, by: By) -> Check {
        Check { by, ..self }
    }
}

/// The condition keys of every check on a KMS key: what the key is, and who asks.
pub const KMS_KEY: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
];

/// The same, for operations that take a key by alias too.
pub const KMS_KEY_BY_ALIAS: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:RequestAlias?",
];

/// The condition keys of Sign and Verify.
pub const KMS_SIGN: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:RequestAlias?",
    "kms:SigningAlgorithm",
    "kms:MessageType",
];

/// The condition keys of GenerateMac and VerifyMac.
pub const KMS_MAC: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:RequestAlias?",
    "kms:MacAlgorithm",
];

/// The condition keys of a KMS cryptographic operation.
pub const KMS_CRYPTO: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:RequestAlias?",
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:?",
    "kms:EncryptionContextKeys?",
];

/// The same, through S3 (S3 asks for data keys and opens them on the caller's behalf).
pub const KMS_VIA_S3: &[&str] = &[
    "kms:CallerAccount",
    "kms:KeySpec",
    "kms:KeyUsage",
    "kms:KeyOrigin",
    "kms:ResourceAliases?",
    "kms:RequestAlias?",
    "kms:EncryptionAlgorithm",
    "kms:EncryptionContext:",
    "kms:EncryptionContextKeys",
    "kms:ViaService",
];

/// Global condition keys put in every request a user makes (the request context AWS builds).
/// `aws:SecureTransport` and `aws:CalledVia`/`aws:ViaAWSService` are added where they apply.
pub const GLOBAL_KEYS: &[&str] = &[
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SourceIp",
    "aws:UserAgent",
    "aws:RequestedRegion",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:userid",
    "aws:username",
    "aws:SecureTransport",
    "aws:ViaAWSService",
];
