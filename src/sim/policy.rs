//! IAM policy language of the simulated cloud: parsing, matching and single-account evaluation.
//!
//! This module owns the policy document model ([`PolicyDocument`]), the request model the
//! services hand in ([`RequestContext`]), statement matching (Action/NotAction,
//! Resource/NotResource, Principal/NotPrincipal, Condition with every IAM operator family, policy
//! variables), evaluation with a per-statement trace ([`evaluate`]) and the two decision
//! procedures AWS uses in one account: the standard one for S3/IAM ([`decide_standard`]) and the
//! KMS one where the key policy is mandatory ([`decide_kms`]). It also renders AWS's
//! `AccessDenied` message text ([`denial_message`]).
//!
//! The AWS managed policies the account offers (AdministratorAccess, AmazonS3FullAccess,
//! AmazonS3ReadOnlyAccess, AWSKeyManagementServicePowerUser) live here too, as the real
//! documents of their default versions ([`managed_policy`], [`managed_policy_info`]).
//!
//! It does not know which policies apply to a call (the services collect identity policies,
//! bucket and key policies), nor how an API operation maps to an IAM action, resource and
//! condition keys (the authorisation table does that), nor which error code a service answers
//! with. Anything that can be decided without looking at a request (document shape, operator
//! names, CIDR and number syntax) is checked once at parse time, so evaluation does no parsing
//! and allocates only for trace text and policy variables.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::OnceLock;

use serde_json::{Map, Value};
use thiserror::Error;

/// Most statements a document may hold; bounds work done on hostile input.
pub const MAX_STATEMENTS: usize = 10_000;

/// How an anonymous caller is named in [`denial_message`].
pub const ANONYMOUS_CALLER: &str = "Anonymous";

/// The message S3 gives anonymous callers instead of the IAM-style sentence.
pub const S3_ACCESS_DENIED: &str = "Access Denied";

/// How many list entries trace text shows before summarising the rest.
const TRACE_LIST_LIMIT: usize = 10;

// ---------------------------------------------------------------------------------------------
// Public model
// ---------------------------------------------------------------------------------------------

/// Effect of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        })
    }
}

/// Whether a policy is attached to an identity or to a resource (bucket policy, key policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Inline or managed policy of a user, group or role; has no Principal element.
    Identity,
    /// Bucket policy, key policy, trust policy; names principals.
    Resource,
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PolicyKind::Identity => "identity-based",
            PolicyKind::Resource => "resource-based",
        })
    }
}

/// Policy language version. `2008-10-17` (also the default when Version is absent) has no policy
/// variables: `${...}` is literal text there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyVersion {
    /// `"2012-10-17"`.
    V2012_10_17,
    /// `"2008-10-17"` or no Version element.
    V2008_10_17,
}

/// Size limit applied to the JSON text before parsing. Services have different limits and IAM
/// does not count whitespace, so the caller picks one of the constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimit {
    /// Most characters allowed.
    pub max_chars: usize,
    /// Whether whitespace is left out of the count (IAM does this, KMS and S3 do not).
    pub ignore_whitespace: bool,
}

impl SizeLimit {
    /// KMS key policy: 32768 characters.
    pub const KMS_KEY_POLICY: SizeLimit = SizeLimit {
        max_chars: 32_768,
        ignore_whitespace: false,
    };
    /// S3 bucket policy: 20 KB.
    pub const S3_BUCKET_POLICY: SizeLimit = SizeLimit {
        max_chars: 20_480,
        ignore_whitespace: false,
    };
    /// IAM customer managed policy: 6144 characters, whitespace not counted.
    pub const IAM_MANAGED_POLICY: SizeLimit = SizeLimit {
        max_chars: 6_144,
        ignore_whitespace: true,
    };
    /// IAM inline user policies: 2048 characters for all of a user's inline policies together,
    /// whitespace not counted (the aggregate is the caller's to check).
    pub const IAM_INLINE_USER_POLICY: SizeLimit = SizeLimit {
        max_chars: 2_048,
        ignore_whitespace: true,
    };
    /// What [`PolicyDocument::parse`] uses: no service limit, only a bound against hostile input.
    pub const DEFAULT: SizeLimit = SizeLimit {
        max_chars: 1_048_576,
        ignore_whitespace: false,
    };
}

/// Where in a document a parse or validation error was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The top-level object.
    Document,
    /// A statement, numbered from 1 in document order.
    Statement {
        /// 1-based position in the Statement list.
        number: usize,
        /// Its Sid, when it has one.
        sid: Option<String>,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Document => f.write_str("policy"),
            Location::Statement {
                number,
                sid: Some(sid),
            } => {
                write!(f, "Statement {number} (Sid {sid:?})")
            }
            Location::Statement { number, sid: None } => write!(f, "Statement {number}"),
        }
    }
}

/// Why a policy document was refused (MalformedPolicyDocument and size-limit errors).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PolicyError {
    /// The text is longer than the limit in force.
    #[error("policy document exceeds {limit} characters (got {actual})")]
    TooLarge {
        /// The limit in force.
        limit: usize,
        /// Characters counted.
        actual: usize,
    },
    /// The text is not JSON (or nests deeper than the JSON parser allows).
    #[error("policy document is not valid JSON: {message}")]
    InvalidJson {
        /// The JSON parser's message, with line and column.
        message: String,
    },
    /// The JSON is not an object.
    #[error("policy document must be a JSON object")]
    NotAnObject,
    /// More statements than [`MAX_STATEMENTS`].
    #[error("policy document has more than {limit} statements")]
    TooManyStatements {
        /// The limit.
        limit: usize,
    },
    /// Version is not one of the two policy language versions.
    #[error("invalid Version {found:?}: expected \"2012-10-17\" or \"2008-10-17\"")]
    InvalidVersion {
        /// What the document said.
        found: String,
    },
    /// A required element is absent.
    #[error("{location}: missing required field {field}")]
    MissingField {
        /// Where.
        location: Location,
        /// Element name(s), e.g. `Effect` or `Action or NotAction`.
        field: &'static str,
    },
    /// An element the policy language does not have (names are case-sensitive).
    #[error("{location}: unknown field {field:?}")]
    UnknownField {
        /// Where.
        location: Location,
        /// The unexpected element name.
        field: String,
    },
    /// Two elements that exclude each other are both present.
    #[error("{location}: {first} and {second} cannot both be given")]
    Conflict {
        /// Where.
        location: Location,
        /// First element name.
        first: &'static str,
        /// Second element name.
        second: &'static str,
    },
    /// An element has the wrong type or an invalid value.
    #[error("{location}: {field} {problem}")]
    InvalidField {
        /// Where.
        location: Location,
        /// Element name, e.g. `Effect`, `Action`, `Condition StringEquals "aws:SourceArn"`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A condition operator IAM does not have.
    #[error("{location}: unknown condition operator {operator:?}")]
    UnknownOperator {
        /// Where.
        location: Location,
        /// The operator as written.
        operator: String,
    },
    /// A Principal element in a policy kind that forbids it (identity-based policies).
    #[error("{location}: {field} is not allowed in an identity-based policy")]
    PrincipalNotAllowed {
        /// Where.
        location: Location,
        /// `Principal` or `NotPrincipal`.
        field: &'static str,
    },
}

/// A parsed policy document. Keeps the JSON it was parsed from so callers can store and show it.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    version: PolicyVersion,
    id: Option<String>,
    statements: Vec<Statement>,
    json: Value,
}

impl PartialEq for PolicyDocument {
    /// Two documents are equal when their JSON is equal (key order ignored).
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json
    }
}

/// One statement of a document.
#[derive(Debug, Clone)]
pub struct Statement {
    sid: Option<String>,
    effect: Effect,
    principal: Option<PrincipalBlock>,
    action: ActionBlock,
    resource: Option<ResourceBlock>,
    conditions: Vec<Condition>,
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A signed request by an IAM principal (user, assumed role or the account root).
    Principal {
        /// e.g. `arn:aws:iam::123456789012:user/S3-Admin-User`.
        arn: String,
        /// 12-digit account id of the principal.
        account: String,
    },
    /// An unsigned request.
    Anonymous,
    /// An AWS service acting as itself, e.g. `cloudtrail.amazonaws.com`.
    Service(String),
}

/// Everything a policy can look at about one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// Who calls.
    pub caller: Caller,
    /// IAM action, e.g. `kms:Decrypt`.
    pub action: String,
    /// Resource ARN, or `*` for actions without a resource.
    pub resource: String,
    /// Condition keys and their values (names are matched case-insensitively), e.g.
    /// `kms:EncryptionContext:aws:s3:arn`, `kms:ViaService`, `aws:SecureTransport`. A key with an
    /// empty list counts as absent. `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:username`,
    /// `aws:PrincipalType`, `aws:PrincipalServiceName` and `aws:PrincipalIsAWSService` are derived
    /// from the caller when not given.
    pub conditions: BTreeMap<String, Vec<String>>,
    /// Whether traces should say why each statement did not apply (`sim explain`). Decisions
    /// are the same either way; without it, evaluation allocates no explanations.
    pub explain: bool,
}

impl RequestContext {
    /// A context without condition keys.
    pub fn new(caller: Caller, action: impl Into<String>, resource: impl Into<String>) -> Self {
        RequestContext {
            caller,
            action: action.into(),
            resource: resource.into(),
            conditions: BTreeMap::new(),
            explain: true,
        }
    }

    /// Adds (or replaces) a condition key.
    #[must_use]
    pub fn with_condition<I, S>(mut self, key: impl Into<String>, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.conditions
            .insert(key.into(), values.into_iter().map(Into::into).collect());
        self
    }
}

/// A policy taking part in a decision, with the label traces and messages use.
#[derive(Debug, Clone)]
pub struct PolicySource<'a> {
    /// e.g. `inline policy "S3Access" of user S3-Admin-User`, `managed policy AmazonS3FullAccess`,
    /// `key policy of arn:aws:kms:...`.
    pub label: String,
    /// Identity or resource policy.
    pub kind: PolicyKind,
    /// The document.
    pub doc: &'a PolicyDocument,
}

/// How a resource-policy statement's Principal matched the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalMatch {
    /// The caller itself is named: its ARN, `*`, a service principal, or an exclusion by
    /// NotPrincipal that leaves the caller in.
    Direct,
    /// Only the caller's account is named (`123456789012` or `arn:aws:iam::123456789012:root`):
    /// the permission is delegated to the account, and an identity policy must also allow.
    Account,
}

/// What one statement did for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementTrace {
    /// Label of the policy the statement belongs to.
    pub source: String,
    /// Kind of that policy.
    pub kind: PolicyKind,
    /// 0-based position in the policy's Statement list.
    pub index: usize,
    /// The statement's Sid.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
    /// Whether the statement applies to the request.
    pub matched: bool,
    /// For matched resource-policy statements, how the principal matched.
    pub principal_match: Option<PrincipalMatch>,
    /// `matched`, or the first element that did not match, e.g.
    /// `action kms:Decrypt not in [s3:*]`.
    pub reason: String,
}

impl fmt::Display for StatementTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.matched { "applies" } else { "skipped" };
        write!(f, "{} statement {}", self.source, self.index + 1)?;
        if let Some(sid) = &self.sid {
            write!(f, " (Sid {sid:?})")?;
        }
        write!(f, " [{} {verdict}]: {}", self.effect, self.reason)
    }
}

/// Traces of every statement of every policy evaluated for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// One entry per statement, in source order then statement order.
    pub traces: Vec<StatementTrace>,
}

impl Evaluation {
    /// Matched statements of one kind and effect.
    pub fn matched(
        &self,
        kind: PolicyKind,
        effect: Effect,
    ) -> impl Iterator<Item = &StatementTrace> {
        self.traces
            .iter()
            .filter(move |t| t.matched && t.kind == kind && t.effect == effect)
    }

    /// Kind of the first matched Deny statement, if any.
    pub fn explicit_deny(&self) -> Option<PolicyKind> {
        self.traces
            .iter()
            .find(|t| t.matched && t.effect == Effect::Deny)
            .map(|t| t.kind)
    }

    /// Whether some identity-policy Allow statement matched.
    pub fn identity_allows(&self) -> bool {
        self.matched(PolicyKind::Identity, Effect::Allow)
            .next()
            .is_some()
    }

    /// Whether some resource-policy Allow statement matched with the given principal match.
    pub fn resource_allows(&self, via: PrincipalMatch) -> bool {
        self.matched(PolicyKind::Resource, Effect::Allow)
            .any(|t| t.principal_match == Some(via))
    }
}

/// Outcome of an authorisation decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// A Deny statement of this kind of policy matched.
    ExplicitDeny {
        /// Kind of the policy holding the first matching Deny.
        kind: PolicyKind,
    },
    /// Nothing allowed the request; `missing` is the kind of policy that would have had to.
    ImplicitDeny {
        /// The kind of policy whose Allow is missing.
        missing: PolicyKind,
    },
}

impl Decision {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow)
    }
}

// ---------------------------------------------------------------------------------------------
// Internal statement model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PrincipalBlock {
    negated: bool,
    spec: PrincipalSpec,
}

#[derive(Debug, Clone)]
enum PrincipalSpec {
    /// `"Principal": "*"`.
    Any,
    List(Vec<PrincipalEntry>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    fn name(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

#[derive(Debug, Clone)]
struct PrincipalEntry {
    kind: PrincipalType,
    value: String,
}

#[derive(Debug, Clone)]
struct ActionBlock {
    negated: bool,
    patterns: Vec<String>,
}

#[derive(Debug, Clone)]
struct ResourceBlock {
    negated: bool,
    patterns: Vec<Pattern>,
}

/// A Resource or condition value, with its policy variables pre-split.
#[derive(Debug, Clone)]
struct Pattern {
    raw: String,
    /// `None` when the value has no policy variables (the common, allocation-free case).
    parts: Option<Vec<Part>>,
}

#[derive(Debug, Clone)]
enum Part {
    /// Policy text; `*` and `?` in it are wildcards for the Like operators.
    Text(String),
    /// `${key}` or `${key, 'default'}`.
    Var {
        key: String,
        default: Option<String>,
    },
    /// `${*}`, `${?}`, `${$}`: a literal character, never a wildcard.
    Literal(char),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const OPERATORS: &[(&str, Op)] = &[
    ("StringEquals", Op::StringEquals),
    ("StringNotEquals", Op::StringNotEquals),
    ("StringEqualsIgnoreCase", Op::StringEqualsIgnoreCase),
    ("StringNotEqualsIgnoreCase", Op::StringNotEqualsIgnoreCase),
    ("StringLike", Op::StringLike),
    ("StringNotLike", Op::StringNotLike),
    ("NumericEquals", Op::NumericEquals),
    ("NumericNotEquals", Op::NumericNotEquals),
    ("NumericLessThan", Op::NumericLessThan),
    ("NumericLessThanEquals", Op::NumericLessThanEquals),
    ("NumericGreaterThan", Op::NumericGreaterThan),
    ("NumericGreaterThanEquals", Op::NumericGreaterThanEquals),
    ("DateEquals", Op::DateEquals),
    ("DateNotEquals", Op::DateNotEquals),
    ("DateLessThan", Op::DateLessThan),
    ("DateLessThanEquals", Op::DateLessThanEquals),
    ("DateGreaterThan", Op::DateGreaterThan),
    ("DateGreaterThanEquals", Op::DateGreaterThanEquals),
    ("Bool", Op::Bool),
    ("BinaryEquals", Op::BinaryEquals),
    ("IpAddress", Op::IpAddress),
    ("NotIpAddress", Op::NotIpAddress),
    ("ArnEquals", Op::ArnEquals),
    ("ArnLike", Op::ArnLike),
    ("ArnNotEquals", Op::ArnNotEquals),
    ("ArnNotLike", Op::ArnNotLike),
    ("Null", Op::Null),
];

impl Op {
    /// Negated operators are true when the request value matches none of the policy values,
    /// and true when the key is absent.
    fn negated(self) -> bool {
        matches!(
            self,
            Op::StringNotEquals
                | Op::StringNotEqualsIgnoreCase
                | Op::StringNotLike
                | Op::NumericNotEquals
                | Op::DateNotEquals
                | Op::NotIpAddress
                | Op::ArnNotEquals
                | Op::ArnNotLike
        )
    }

    fn family(self) -> Family {
        match self {
            Op::StringEquals
            | Op::StringNotEquals
            | Op::StringEqualsIgnoreCase
            | Op::StringNotEqualsIgnoreCase
            | Op::StringLike
            | Op::StringNotLike
            | Op::BinaryEquals
            | Op::ArnEquals
            | Op::ArnLike
            | Op::ArnNotEquals
            | Op::ArnNotLike => Family::String,
            Op::NumericEquals
            | Op::NumericNotEquals
            | Op::NumericLessThan
            | Op::NumericLessThanEquals
            | Op::NumericGreaterThan
            | Op::NumericGreaterThanEquals => Family::Numeric,
            Op::DateEquals
            | Op::DateNotEquals
            | Op::DateLessThan
            | Op::DateLessThanEquals
            | Op::DateGreaterThan
            | Op::DateGreaterThanEquals => Family::Date,
            Op::Bool | Op::Null => Family::Bool,
            Op::IpAddress | Op::NotIpAddress => Family::Ip,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Ip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone)]
struct Condition {
    /// Operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    op_name: String,
    op: Op,
    set: SetQualifier,
    if_exists: bool,
    key: String,
    /// Policy values as written, for trace text.
    raw: Vec<String>,
    values: CondValues,
}

#[derive(Debug, Clone)]
enum CondValues {
    Strings(Vec<Pattern>),
    Numbers(Vec<f64>),
    /// Milliseconds since the Unix epoch.
    Dates(Vec<i64>),
    Bools(Vec<bool>),
    Cidrs(Vec<Cidr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    v6: bool,
    network: u128,
    prefix: u8,
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

impl PolicyDocument {
    /// Parses a policy document with only the hostile-input bound ([`SizeLimit::DEFAULT`]).
    pub fn parse(json: &str) -> Result<Self, PolicyError> {
        Self::parse_with_limit(json, SizeLimit::DEFAULT)
    }

    /// Parses a policy document refusing texts over `limit`.
    pub fn parse_with_limit(json: &str, limit: SizeLimit) -> Result<Self, PolicyError> {
        // Byte length bounds the character count, so most documents skip the count.
        if json.len() > limit.max_chars {
            let actual = if limit.ignore_whitespace {
                json.chars().filter(|c| !c.is_whitespace()).count()
            } else {
                json.chars().count()
            };
            if actual > limit.max_chars {
                return Err(PolicyError::TooLarge {
                    limit: limit.max_chars,
                    actual,
                });
            }
        }
        // serde_json refuses nesting deeper than 128 levels, so deep input cannot exhaust the
        // stack here.
        let value: Value = serde_json::from_str(json).map_err(|e| PolicyError::InvalidJson {
            message: e.to_string(),
        })?;
        Self::from_value(value)
    }

    /// Builds a document from already-parsed JSON (no size limit is applied).
    pub fn from_value(json: Value) -> Result<Self, PolicyError> {
        let Value::Object(map) = &json else {
            return Err(PolicyError::NotAnObject);
        };
        for key in map.keys() {
            if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
                return Err(PolicyError::UnknownField {
                    location: Location::Document,
                    field: key.clone(),
                });
            }
        }
        let version = match map.get("Version") {
            None => PolicyVersion::V2008_10_17,
            Some(Value::String(s)) if s == "2012-10-17" => PolicyVersion::V2012_10_17,
            Some(Value::String(s)) if s == "2008-10-17" => PolicyVersion::V2008_10_17,
            Some(Value::String(s)) => return Err(PolicyError::InvalidVersion { found: s.clone() }),
            Some(other) => {
                return Err(PolicyError::InvalidVersion {
                    found: other.to_string(),
                });
            }
        };
        let id = match map.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return Err(PolicyError::InvalidField {
                    location: Location::Document,
                    field: "Id".into(),
                    problem: "must be a string".into(),
                });
            }
        };
        let raw_statements: &[Value] = match map.get("Statement") {
            None => {
                return Err(PolicyError::MissingField {
                    location: Location::Document,
                    field: "Statement",
                });
            }
            Some(Value::Array(items)) => items,
            Some(single @ Value::Object(_)) => std::slice::from_ref(single),
            Some(_) => {
                return Err(PolicyError::InvalidField {
                    location: Location::Document,
                    field: "Statement".into(),
                    problem: "must be an object or an array of objects".into(),
                });
            }
        };
        if raw_statements.is_empty() {
            return Err(PolicyError::InvalidField {
                location: Location::Document,
                field: "Statement".into(),
                problem: "must contain at least one statement".into(),
            });
        }
        if raw_statements.len() > MAX_STATEMENTS {
            return Err(PolicyError::TooManyStatements {
                limit: MAX_STATEMENTS,
            });
        }
        let variables = version == PolicyVersion::V2012_10_17;
        let statements = raw_statements
            .iter()
            .enumerate()
            .map(|(i, v)| parse_statement(v, i + 1, variables))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(PolicyDocument {
            version,
            id,
            statements,
            json,
        })
    }

    /// The language version.
    pub fn version(&self) -> PolicyVersion {
        self.version
    }

    /// The document's Id element.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The JSON the document was parsed from.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// Compact JSON with object keys sorted at every level and arrays left as written
    /// (a one-element array stays an array): equal strings mean equal documents.
    pub fn normalized_json(&self) -> String {
        let mut out = String::new();
        write_canonical(&self.json, &mut out);
        out
    }

    /// Checks the rules that depend on where the document is attached. Identity-based policies
    /// must not name principals, need Resource or NotResource in every statement and (as IAM
    /// requires) alphanumeric, unique Sids. Resource-based policies need a Principal or
    /// NotPrincipal in every statement.
    pub fn validate_for(&self, kind: PolicyKind) -> Result<(), PolicyError> {
        for (i, st) in self.statements.iter().enumerate() {
            let location = || Location::Statement {
                number: i + 1,
                sid: st.sid.clone(),
            };
            match kind {
                PolicyKind::Identity => {
                    if let Some(p) = &st.principal {
                        let field = if p.negated {
                            "NotPrincipal"
                        } else {
                            "Principal"
                        };
                        return Err(PolicyError::PrincipalNotAllowed {
                            location: location(),
                            field,
                        });
                    }
                    if st.resource.is_none() {
                        return Err(PolicyError::MissingField {
                            location: location(),
                            field: "Resource or NotResource",
                        });
                    }
                    if let Some(sid) = &st.sid {
                        if !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                            return Err(PolicyError::InvalidField {
                                location: location(),
                                field: "Sid".into(),
                                problem: "must contain only letters and digits in an \
                                          identity-based policy"
                                    .into(),
                            });
                        }
                        if self.statements[..i]
                            .iter()
                            .any(|o| o.sid.as_deref() == Some(sid))
                        {
                            return Err(PolicyError::InvalidField {
                                location: location(),
                                field: "Sid".into(),
                                problem: format!("{sid:?} is used by more than one statement"),
                            });
                        }
                    }
                }
                PolicyKind::Resource => {
                    if st.principal.is_none() {
                        return Err(PolicyError::MissingField {
                            location: location(),
                            field: "Principal or NotPrincipal",
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether S3 would call this bucket policy public: some Allow statement is open to every
    /// principal (`*`, `{"AWS": "*"}` or NotPrincipal) and no condition pins it to fixed values of
    /// aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
    /// aws:SourceAccount, s3:x-amz-server-side-encryption-aws-kms-key-id or aws:userid.
    /// A pinning condition must use a positive string/ARN/IP operator without IfExists or
    /// ForAllValues, with values free of wildcards and variables; an IPv4 CIDR shorter than /8
    /// (IPv6 /32) does not pin.
    pub fn is_public(&self) -> bool {
        self.statements
            .iter()
            .any(|st| st.effect == Effect::Allow && st.open_to_everyone())
    }
}

impl Statement {
    /// The Sid, if any.
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// Allow or Deny.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the statement has a Principal or NotPrincipal element.
    pub fn has_principal(&self) -> bool {
        self.principal.is_some()
    }

    fn open_to_everyone(&self) -> bool {
        let wildcard = match &self.principal {
            None => false,
            Some(PrincipalBlock { negated: true, .. }) => true,
            Some(PrincipalBlock {
                spec: PrincipalSpec::Any,
                ..
            }) => true,
            Some(PrincipalBlock {
                spec: PrincipalSpec::List(entries),
                ..
            }) => entries.iter().any(|e| e.value == "*"),
        };
        wildcard && !self.conditions.iter().any(Condition::pins_fixed_value)
    }
}

impl Condition {
    fn pins_fixed_value(&self) -> bool {
        const PINNING_KEYS: &[&str] = &[
            "aws:SourceIp",
            "aws:SourceArn",
            "aws:SourceVpc",
            "aws:SourceVpce",
            "aws:SourceOwner",
            "aws:SourceAccount",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
            "aws:userid",
        ];
        if self.if_exists || self.set == SetQualifier::ForAllValues {
            return false;
        }
        if !PINNING_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&self.key))
        {
            return false;
        }
        match (&self.values, self.op) {
            (
                CondValues::Strings(pats),
                Op::StringEquals
                | Op::StringEqualsIgnoreCase
                | Op::StringLike
                | Op::ArnEquals
                | Op::ArnLike,
            ) => pats
                .iter()
                .all(|p| p.parts.is_none() && !p.raw.contains(['*', '?'])),
            (CondValues::Cidrs(cidrs), Op::IpAddress) => {
                cidrs.iter().all(|c| c.prefix >= if c.v6 { 32 } else { 8 })
            }
            _ => false,
        }
    }
}

fn parse_statement(v: &Value, number: usize, variables: bool) -> Result<Statement, PolicyError> {
    let Value::Object(m) = v else {
        return Err(PolicyError::InvalidField {
            location: Location::Statement { number, sid: None },
            field: "Statement".into(),
            problem: "must be a JSON object".into(),
        });
    };
    let sid = match m.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(PolicyError::InvalidField {
                location: Location::Statement { number, sid: None },
                field: "Sid".into(),
                problem: "must be a string".into(),
            });
        }
    };
    let loc = || Location::Statement {
        number,
        sid: sid.clone(),
    };
    for key in m.keys() {
        if !matches!(
            key.as_str(),
            "Sid"
                | "Effect"
                | "Principal"
                | "NotPrincipal"
                | "Action"
                | "NotAction"
                | "Resource"
                | "NotResource"
                | "Condition"
        ) {
            return Err(PolicyError::UnknownField {
                location: loc(),
                field: key.clone(),
            });
        }
    }
    let effect = match m.get("Effect") {
        None => {
            return Err(PolicyError::MissingField {
                location: loc(),
                field: "Effect",
            });
        }
        Some(Value::String(s)) if s == "Allow" => Effect::Allow,
        Some(Value::String(s)) if s == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::InvalidField {
                location: loc(),
                field: "Effect".into(),
                problem: format!("must be \"Allow\" or \"Deny\", got {other}"),
            });
        }
    };
    let principal = match (m.get("Principal"), m.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::Conflict {
                location: loc(),
                first: "Principal",
                second: "NotPrincipal",
            });
        }
        (Some(p), None) => Some(PrincipalBlock {
            negated: false,
            spec: parse_principal(p, "Principal", &loc)?,
        }),
        (None, Some(p)) => Some(PrincipalBlock {
            negated: true,
            spec: parse_principal(p, "NotPrincipal", &loc)?,
        }),
        (None, None) => None,
    };
    let action = match (m.get("Action"), m.get("NotAction")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::Conflict {
                location: loc(),
                first: "Action",
                second: "NotAction",
            });
        }
        (None, None) => {
            return Err(PolicyError::MissingField {
                location: loc(),
                field: "Action or NotAction",
            });
        }
        (Some(a), None) => ActionBlock {
            negated: false,
            patterns: parse_actions(a, "Action", &loc)?,
        },
        (None, Some(a)) => ActionBlock {
            negated: true,
            patterns: parse_actions(a, "NotAction", &loc)?,
        },
    };
    let resource = match (m.get("Resource"), m.get("NotResource")) {
        (Some(_), Some(_)) => {
            return Err(PolicyError::Conflict {
                location: loc(),
                first: "Resource",
                second: "NotResource",
            });
        }
        (None, None) => None,
        (Some(r), None) => Some(ResourceBlock {
            negated: false,
            patterns: parse_resources(r, "Resource", variables, &loc)?,
        }),
        (None, Some(r)) => Some(ResourceBlock {
            negated: true,
            patterns: parse_resources(r, "NotResource", variables, &loc)?,
        }),
    };
    let conditions = match m.get("Condition") {
        None => Vec::new(),
        Some(c) => parse_conditions(c, variables, &loc)?,
    };
    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

fn invalid(
    loc: &dyn Fn() -> Location,
    field: impl Into<String>,
    problem: impl Into<String>,
) -> PolicyError {
    PolicyError::InvalidField {
        location: loc(),
        field: field.into(),
        problem: problem.into(),
    }
}

/// A string or a non-empty array of strings.
fn string_list(
    v: &Value,
    field: &str,
    loc: &dyn Fn() -> Location,
) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if items.is_empty() => Err(invalid(loc, field, "must not be empty")),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(invalid(
                    loc,
                    field,
                    "must be a string or an array of strings",
                )),
            })
            .collect(),
        _ => Err(invalid(
            loc,
            field,
            "must be a string or an array of strings",
        )),
    }
}

fn parse_actions(
    v: &Value,
    field: &str,
    loc: &dyn Fn() -> Location,
) -> Result<Vec<String>, PolicyError> {
    let actions = string_list(v, field, loc)?;
    for a in &actions {
        if a == "*" {
            continue;
        }
        let valid = match a.split_once(':') {
            Some((service, name)) => {
                !service.is_empty()
                    && service
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !name.is_empty()
                    && !name.contains(':')
            }
            None => false,
        };
        if !valid {
            return Err(invalid(
                loc,
                field,
                format!("value {a:?} must be \"*\" or of the form \"service:ActionName\""),
            ));
        }
    }
    Ok(actions)
}

fn parse_resources(
    v: &Value,
    field: &str,
    variables: bool,
    loc: &dyn Fn() -> Location,
) -> Result<Vec<Pattern>, PolicyError> {
    let resources = string_list(v, field, loc)?;
    resources
        .iter()
        .map(|r| {
            let arn_like = r.starts_with("arn:") && (r.split(':').count() >= 6 || r.ends_with('*'));
            if r == "*" || arn_like {
                Ok(compile_pattern(r, variables))
            } else {
                Err(invalid(
                    loc,
                    field,
                    format!(
                        "value {r:?} must be \"*\" or an ARN \
                         (arn:partition:service:region:account:resource)"
                    ),
                ))
            }
        })
        .collect()
}

fn parse_principal(
    v: &Value,
    field: &str,
    loc: &dyn Fn() -> Location,
) -> Result<PrincipalSpec, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(PrincipalSpec::Any),
        Value::Object(m) if !m.is_empty() => {
            let mut entries = Vec::new();
            for (type_name, values) in m {
                let kind = match type_name.as_str() {
                    "AWS" => PrincipalType::Aws,
                    "Service" => PrincipalType::Service,
                    "Federated" => PrincipalType::Federated,
                    "CanonicalUser" => PrincipalType::CanonicalUser,
                    other => {
                        return Err(invalid(
                            loc,
                            field,
                            format!("has unknown principal type {other:?}"),
                        ));
                    }
                };
                let sub = format!("{field} {type_name}");
                for value in string_list(values, &sub, loc)? {
                    if kind == PrincipalType::Aws {
                        check_aws_principal(&value, &sub, loc)?;
                    } else if value.is_empty() {
                        return Err(invalid(loc, sub, "must not contain an empty string"));
                    }
                    entries.push(PrincipalEntry { kind, value });
                }
            }
            Ok(PrincipalSpec::List(entries))
        }
        _ => Err(invalid(
            loc,
            field,
            "must be \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}",
        )),
    }
}

fn check_aws_principal(
    value: &str,
    field: &str,
    loc: &dyn Fn() -> Location,
) -> Result<(), PolicyError> {
    if value == "*" {
        return Ok(());
    }
    if value.contains(['*', '?']) {
        return Err(invalid(
            loc,
            field,
            format!("value {value:?} may not contain wildcards (only \"*\" on its own)"),
        ));
    }
    let account_id = value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit());
    // Unique ids (AIDA..., AROA...) are what AWS shows once a named principal is deleted.
    let unique_id = value.len() >= 16
        && value.starts_with('A')
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let arn = value.starts_with("arn:") && value.split(':').count() >= 6;
    if account_id || unique_id || arn {
        Ok(())
    } else {
        Err(invalid(
            loc,
            field,
            format!("value {value:?} must be \"*\", a 12-digit account id or an IAM ARN"),
        ))
    }
}

fn parse_operator(name: &str) -> Option<(Op, SetQualifier, bool)> {
    let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
        (SetQualifier::ForAnyValue, rest)
    } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
        (SetQualifier::ForAllValues, rest)
    } else {
        (SetQualifier::None, name)
    };
    let (base, if_exists) = match rest.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (rest, false),
    };
    OPERATORS
        .iter()
        .find(|(n, _)| *n == base)
        .map(|&(_, op)| (op, set, if_exists))
}

fn parse_conditions(
    v: &Value,
    variables: bool,
    loc: &dyn Fn() -> Location,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = v else {
        return Err(invalid(
            loc,
            "Condition",
            "must be an object of condition operators",
        ));
    };
    let mut out = Vec::new();
    for (op_name, block) in ops {
        let Some((op, set, if_exists)) = parse_operator(op_name) else {
            return Err(PolicyError::UnknownOperator {
                location: loc(),
                operator: op_name.clone(),
            });
        };
        if op == Op::Null && (if_exists || set != SetQualifier::None) {
            return Err(invalid(
                loc,
                format!("Condition {op_name}"),
                "is not allowed: Null takes neither IfExists nor a set qualifier",
            ));
        }
        let Value::Object(keys) = block else {
            return Err(invalid(
                loc,
                format!("Condition {op_name}"),
                "must map condition keys to values",
            ));
        };
        if keys.is_empty() {
            return Err(invalid(
                loc,
                format!("Condition {op_name}"),
                "must name a condition key",
            ));
        }
        for (key, values) in keys {
            if key.is_empty() {
                return Err(invalid(
                    loc,
                    format!("Condition {op_name}"),
                    "has an empty key",
                ));
            }
            let field = format!("Condition {op_name} {key:?}");
            let raw = condition_values(values, &field, loc)?;
            let values = compile_values(op, &raw, variables)
                .map_err(|problem| invalid(loc, field.as_str(), problem))?;
            out.push(Condition {
                op_name: op_name.clone(),
                op,
                set,
                if_exists,
                key: key.clone(),
                raw,
                values,
            });
        }
    }
    Ok(out)
}

/// A condition value: string, bool or number, or a non-empty array of them, as strings.
fn condition_values(
    v: &Value,
    field: &str,
    loc: &dyn Fn() -> Location,
) -> Result<Vec<String>, PolicyError> {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    const SHAPE: &str = "must be a string, boolean or number, or an array of them";
    match v {
        Value::Array(items) if items.is_empty() => Err(invalid(loc, field, "must not be empty")),
        Value::Array(items) => items
            .iter()
            .map(|i| scalar(i).ok_or_else(|| invalid(loc, field, SHAPE)))
            .collect(),
        other => scalar(other)
            .map(|s| vec![s])
            .ok_or_else(|| invalid(loc, field, SHAPE)),
    }
}

fn compile_values(op: Op, raw: &[String], variables: bool) -> Result<CondValues, String> {
    Ok(match op.family() {
        Family::String => {
            CondValues::Strings(raw.iter().map(|r| compile_pattern(r, variables)).collect())
        }
        Family::Numeric => CondValues::Numbers(
            raw.iter()
                .map(|r| parse_number(r).ok_or_else(|| format!("value {r:?} is not a number")))
                .collect::<Result<_, _>>()?,
        ),
        Family::Date => CondValues::Dates(
            raw.iter()
                .map(|r| {
                    parse_date(r).ok_or_else(|| {
                        format!("value {r:?} is not a date (ISO 8601 or epoch seconds)")
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Family::Bool => CondValues::Bools(
            raw.iter()
                .map(|r| parse_bool(r).ok_or_else(|| format!("value {r:?} must be true or false")))
                .collect::<Result<_, _>>()?,
        ),
        Family::Ip => CondValues::Cidrs(
            raw.iter()
                .map(|r| {
                    parse_cidr(r).ok_or_else(|| format!("value {r:?} is not an IP address or CIDR"))
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn compile_pattern(raw: &str, variables: bool) -> Pattern {
    if !variables || !raw.contains("${") {
        return Pattern {
            raw: raw.to_owned(),
            parts: None,
        };
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = raw;
    while let Some(pos) = rest.find("${") {
        text.push_str(&rest[..pos]);
        let after = &rest[pos + 2..];
        let Some(end) = after.find('}') else {
            text.push_str(&rest[pos..]);
            rest = "";
            break;
        };
        let inner = &after[..end];
        match parse_variable(inner) {
            Some(part) => {
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(part);
            }
            // Not a well-formed variable: keep it as text, as written.
            None => text.push_str(&rest[pos..pos + 2 + end + 1]),
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Pattern {
        raw: raw.to_owned(),
        parts: Some(parts),
    }
}

fn parse_variable(inner: &str) -> Option<Part> {
    let inner = inner.trim();
    match inner {
        "*" => return Some(Part::Literal('*')),
        "?" => return Some(Part::Literal('?')),
        "$" => return Some(Part::Literal('$')),
        _ => {}
    }
    let (key, default) = match inner.split_once(',') {
        Some((key, default)) => {
            let default = default.trim();
            let quoted = default.len() >= 2 && default.starts_with('\'') && default.ends_with('\'');
            if !quoted {
                return None;
            }
            (
                key.trim(),
                Some(default[1..default.len() - 1].replace("''", "'")),
            )
        }
        None => (inner, None),
    };
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    Some(Part::Var {
        key: key.to_owned(),
        default,
    })
}

fn parse_number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_cidr(s: &str) -> Option<Cidr> {
    let (addr, prefix) = match s.trim().split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (s.trim(), None),
    };
    let ip: IpAddr = addr.parse().ok()?;
    let (v6, bits, max) = ip_bits(ip);
    let prefix = prefix.unwrap_or(max);
    if prefix > max {
        return None;
    }
    Some(Cidr {
        v6,
        network: bits & prefix_mask(prefix, max),
        prefix,
    })
}

fn ip_bits(ip: IpAddr) -> (bool, u128, u8) {
    match ip {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (true, u128::from(v6), 128),
    }
}

fn prefix_mask(prefix: u8, max: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        let full: u128 = if max == 32 {
            u128::from(u32::MAX)
        } else {
            u128::MAX
        };
        (full << (max - prefix)) & full
    }
}

impl Cidr {
    fn contains(&self, ip: IpAddr) -> bool {
        let (v6, bits, max) = ip_bits(ip);
        v6 == self.v6 && bits & prefix_mask(self.prefix, max) == self.network
    }
}

/// Milliseconds since the Unix epoch from ISO 8601 (`2024-01-31`, `2024-01-31T12:00:00Z`,
/// fractional seconds, `+hh:mm` offsets) or from epoch seconds.
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&month) || !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    if b.len() == 10 {
        return Some(millis);
    }
    if !matches!(b[10], b'T' | b't' | b' ') || b.len() < 16 || b[13] != b':' {
        return None;
    }
    let (hour, minute) = (num(11, 2)?, num(14, 2)?);
    let mut pos = 16;
    let mut second = 0;
    let mut fraction_ms = 0;
    if b.get(pos) == Some(&b':') {
        second = num(pos + 1, 2)?;
        pos += 3;
        if b.get(pos) == Some(&b'.') {
            let start = pos + 1;
            let mut end = start;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
            if end == start {
                return None;
            }
            let digits = &s[start..end.min(start + 3)];
            fraction_ms = digits.parse::<i64>().ok()? * 10_i64.pow(3 - digits.len() as u32);
            pos = end;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    millis += ((hour * 60 + minute) * 60 + second) * 1000 + fraction_ms;
    let offset_minutes = match &s[pos..] {
        "" | "Z" | "z" => 0,
        zone => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            sign * (h * 60 + m)
        }
    };
    Some(millis - offset_minutes * 60_000)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

// ---------------------------------------------------------------------------------------------
// Wildcard matching
// ---------------------------------------------------------------------------------------------

/// One element of a compiled wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// `*`: any run of characters, `/` and `:` included.
    Star,
    /// `?`: exactly one character.
    Quest,
    Byte(u8),
}

/// A wildcard pattern: raw policy text (where `*`/`?` are wildcards) or tokens produced by
/// policy-variable substitution (where substituted text is always literal).
trait PatSeq {
    fn tok(&self, i: usize) -> Tok;
}

impl PatSeq for [u8] {
    fn tok(&self, i: usize) -> Tok {
        match self[i] {
            b'*' => Tok::Star,
            b'?' => Tok::Quest,
            b => Tok::Byte(b),
        }
    }
}

impl PatSeq for [Tok] {
    fn tok(&self, i: usize) -> Tok {
        self[i]
    }
}

fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Classic two-pointer wildcard match of `pat[start..end]` against all of `text`: remembers only
/// the last `*`, so it never recurses and runs in O(pattern × text) at worst. `?` consumes one
/// UTF-8 character. `fold` compares ASCII letters case-insensitively.
fn glob_range<P: PatSeq + ?Sized>(
    pat: &P,
    start: usize,
    end: usize,
    text: &[u8],
    fold: bool,
) -> bool {
    let (mut p, mut t) = (start, 0);
    let mut resume: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < end {
            match pat.tok(p) {
                Tok::Star => {
                    p += 1;
                    resume = Some((p, t));
                    continue;
                }
                Tok::Quest => {
                    p += 1;
                    t = (t + utf8_len(text[t])).min(text.len());
                    continue;
                }
                Tok::Byte(b) => {
                    let same = if fold {
                        b.eq_ignore_ascii_case(&text[t])
                    } else {
                        b == text[t]
                    };
                    if same {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        // Mismatch: let the last `*` swallow one more character and retry after it.
        let Some((star_p, star_t)) = resume else {
            return false;
        };
        let next_t = (star_t + utf8_len(text[star_t])).min(text.len());
        resume = Some((star_p, next_t));
        p = star_p;
        t = next_t;
    }
    while p < end && pat.tok(p) == Tok::Star {
        p += 1;
    }
    p == end
}

/// ArnLike/ArnEquals: both sides split into the six colon-separated ARN parts (the last part
/// keeps any further colons) and each part matched on its own, case-sensitively.
fn arn_match<P: PatSeq + ?Sized>(pat: &P, pat_len: usize, text: &str) -> bool {
    let Some(pat_bounds) = arn_bounds(pat_len, |i| pat.tok(i) == Tok::Byte(b':')) else {
        return false;
    };
    let tb = text.as_bytes();
    let Some(text_bounds) = arn_bounds(tb.len(), |i| tb[i] == b':') else {
        return false;
    };
    (0..6).all(|k| {
        let (ps, pe) = (pat_bounds[k], pat_bounds[k + 1] - usize::from(k < 5));
        let (ts, te) = (text_bounds[k], text_bounds[k + 1] - usize::from(k < 5));
        glob_range(pat, ps, pe, &tb[ts..te], false)
    })
}

/// Start offsets of the six ARN parts, then the total length. Part `k < 5` ends at the colon
/// just before start `k + 1`; the last part runs to the end, colons included.
fn arn_bounds(len: usize, is_colon: impl Fn(usize) -> bool) -> Option<[usize; 7]> {
    let mut bounds = [0usize; 7];
    let mut found = 0;
    for i in 0..len {
        if is_colon(i) {
            found += 1;
            bounds[found] = i + 1;
            if found == 5 {
                break;
            }
        }
    }
    if found < 5 {
        return None;
    }
    bounds[6] = len;
    Some(bounds)
}

/// A pattern ready to match: borrowed policy text or substituted tokens.
enum Glob<'a> {
    Raw(&'a [u8]),
    Toks(Vec<Tok>),
}

impl Glob<'_> {
    fn matches(&self, text: &str, fold: bool) -> bool {
        match self {
            Glob::Raw(p) => glob_range(*p, 0, p.len(), text.as_bytes(), fold),
            Glob::Toks(t) => glob_range(t.as_slice(), 0, t.len(), text.as_bytes(), fold),
        }
    }

    fn matches_arn(&self, text: &str) -> bool {
        match self {
            Glob::Raw(p) => arn_match(*p, p.len(), text),
            Glob::Toks(t) => arn_match(t.as_slice(), t.len(), text),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Request values and policy variables
// ---------------------------------------------------------------------------------------------

/// The values of one condition key in a request.
#[derive(Clone, Copy)]
enum Values<'a> {
    Missing,
    Many(&'a [String]),
    One(&'a str),
}

impl<'a> Values<'a> {
    fn iter(self) -> impl Iterator<Item = &'a str> {
        let (many, one): (&'a [String], Option<&'a str>) = match self {
            Values::Missing => (&[], None),
            Values::Many(v) => (v, None),
            Values::One(s) => (&[], Some(s)),
        };
        many.iter().map(String::as_str).chain(one)
    }

    fn single(self) -> Option<&'a str> {
        match self {
            Values::One(s) => Some(s),
            Values::Many([only]) => Some(only.as_str()),
            _ => None,
        }
    }
}

/// Parts of an ARN `arn:partition:service:region:account:resource`.
fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    let mut it = arn.splitn(6, ':');
    let parts = [
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    ];
    (parts[0] == "arn").then_some(parts)
}

fn is_account_root(arn: &str, account: &str) -> bool {
    matches!(arn_parts(arn), Some([_, _, "iam", "", acct, "root"]) if acct == account)
}

fn lookup<'a>(ctx: &'a RequestContext, key: &str) -> Values<'a> {
    let found = ctx.conditions.get(key).or_else(|| {
        ctx.conditions
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    });
    if let Some(values) = found {
        return if values.is_empty() {
            Values::Missing
        } else {
            Values::Many(values)
        };
    }
    derived_value(&ctx.caller, key).map_or(Values::Missing, Values::One)
}

/// Global condition keys that follow from the caller alone.
fn derived_value<'a>(caller: &'a Caller, key: &str) -> Option<&'a str> {
    let is = |name: &str| key.eq_ignore_ascii_case(name);
    match caller {
        Caller::Principal { arn, account } => {
            let resource = arn_parts(arn).map(|p| p[5]);
            if is("aws:PrincipalArn") {
                Some(arn)
            } else if is("aws:PrincipalAccount") {
                Some(account)
            } else if is("aws:PrincipalIsAWSService") {
                Some("false")
            } else if is("aws:username") {
                resource
                    .filter(|r| r.starts_with("user/"))
                    .and_then(|r| r.rsplit('/').next())
            } else if is("aws:PrincipalType") {
                Some(match resource {
                    Some("root") => "Account",
                    Some(r) if r.starts_with("assumed-role/") => "AssumedRole",
                    Some(r) if r.starts_with("federated-user/") => "FederatedUser",
                    _ => "User",
                })
            } else {
                None
            }
        }
        Caller::Service(name) => {
            if is("aws:PrincipalServiceName") {
                Some(name)
            } else if is("aws:PrincipalIsAWSService") {
                Some("true")
            } else {
                None
            }
        }
        Caller::Anonymous => is("aws:PrincipalType").then_some("Anonymous"),
    }
}

/// A policy variable that has no value in the request and no default: AWS then treats the
/// statement as not applying.
struct Unresolved<'p>(&'p str);

impl Pattern {
    /// The value of a variable: the request's single value for the key, else the default.
    fn variable<'a>(
        key: &str,
        default: &'a Option<String>,
        ctx: &'a RequestContext,
    ) -> Option<&'a str> {
        lookup(ctx, key).single().or(default.as_deref())
    }

    /// The value with variables substituted, wildcards kept as plain characters.
    fn literal<'p>(&'p self, ctx: &RequestContext) -> Result<Cow<'p, str>, Unresolved<'p>> {
        let Some(parts) = &self.parts else {
            return Ok(Cow::Borrowed(&self.raw));
        };
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Literal(c) => out.push(*c),
                Part::Var { key, default } => {
                    out.push_str(Self::variable(key, default, ctx).ok_or(Unresolved(key))?)
                }
            }
        }
        Ok(Cow::Owned(out))
    }

    /// The value as a wildcard pattern; substituted text never acts as a wildcard.
    fn glob<'p>(&'p self, ctx: &RequestContext) -> Result<Glob<'p>, Unresolved<'p>> {
        let Some(parts) = &self.parts else {
            return Ok(Glob::Raw(self.raw.as_bytes()));
        };
        let mut toks = Vec::new();
        for part in parts {
            match part {
                Part::Text(t) => {
                    let bytes = t.as_bytes();
                    toks.extend((0..bytes.len()).map(|i| bytes.tok(i)));
                }
                Part::Literal(c) => {
                    let mut buf = [0u8; 4];
                    toks.extend(c.encode_utf8(&mut buf).bytes().map(Tok::Byte));
                }
                Part::Var { key, default } => {
                    let value = Self::variable(key, default, ctx).ok_or(Unresolved(key))?;
                    toks.extend(value.bytes().map(Tok::Byte));
                }
            }
        }
        Ok(Glob::Toks(toks))
    }
}

// ---------------------------------------------------------------------------------------------
// Statement matching
// ---------------------------------------------------------------------------------------------

/// Why a statement did not apply; rendered to text only for the trace.
enum Mismatch<'s> {
    Action,
    NotAction,
    Resource,
    NotResource,
    NoPrincipal,
    Principal,
    NotPrincipal,
    IdentityNotApplicable,
    Condition(&'s Condition),
    Unresolved(&'s str),
}

fn match_principal_entry(entry: &PrincipalEntry, caller: &Caller) -> Option<PrincipalMatch> {
    match (entry.kind, caller) {
        (PrincipalType::Aws, _) if entry.value == "*" => Some(PrincipalMatch::Direct),
        (PrincipalType::Aws, Caller::Principal { arn, account }) => {
            let value = entry.value.as_str();
            if value == arn {
                return Some(PrincipalMatch::Direct);
            }
            let named_account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
                Some(value)
            } else {
                match arn_parts(value) {
                    Some([_, _, "iam", "", acct, "root"]) => Some(acct),
                    _ => None,
                }
            };
            if let Some(acct) = named_account {
                if acct != account {
                    return None;
                }
                // The root user is the account itself, not a delegate of it.
                return Some(if is_account_root(arn, account) {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::Account
                });
            }
            // A role ARN names every session of that role.
            match (arn_parts(value), arn_parts(arn)) {
                (
                    Some([_, part, "iam", "", acct, role]),
                    Some([_, cpart, "sts", "", cacct, session]),
                ) if part == cpart && acct == cacct => {
                    let role_name = role.strip_prefix("role/")?.rsplit('/').next()?;
                    let session_role = session.strip_prefix("assumed-role/")?.split('/').next()?;
                    (role_name == session_role).then_some(PrincipalMatch::Direct)
                }
                _ => None,
            }
        }
        (PrincipalType::Service, Caller::Service(name))
            if entry.value == "*" || entry.value.eq_ignore_ascii_case(name) =>
        {
            Some(PrincipalMatch::Direct)
        }
        _ => None,
    }
}

fn match_principal_spec(spec: &PrincipalSpec, caller: &Caller) -> Option<PrincipalMatch> {
    match spec {
        PrincipalSpec::Any => Some(PrincipalMatch::Direct),
        PrincipalSpec::List(entries) => {
            let mut best = None;
            for e in entries {
                match match_principal_entry(e, caller) {
                    Some(PrincipalMatch::Direct) => return Some(PrincipalMatch::Direct),
                    Some(PrincipalMatch::Account) => best = Some(PrincipalMatch::Account),
                    None => {}
                }
            }
            best
        }
    }
}

fn action_matches(pattern: &str, action: &str) -> bool {
    let p = pattern.as_bytes();
    glob_range(p, 0, p.len(), action.as_bytes(), true)
}

fn match_statement<'s>(
    st: &'s Statement,
    kind: PolicyKind,
    ctx: &RequestContext,
) -> Result<Option<PrincipalMatch>, Mismatch<'s>> {
    if kind == PolicyKind::Identity && !matches!(ctx.caller, Caller::Principal { .. }) {
        return Err(Mismatch::IdentityNotApplicable);
    }
    let hit = st
        .action
        .patterns
        .iter()
        .any(|p| action_matches(p, &ctx.action));
    match (st.action.negated, hit) {
        (false, false) => return Err(Mismatch::Action),
        (true, true) => return Err(Mismatch::NotAction),
        _ => {}
    }
    if let Some(block) = &st.resource {
        let mut hit = false;
        for p in &block.patterns {
            if p.glob(ctx)
                .map_err(|u| Mismatch::Unresolved(u.0))?
                .matches(&ctx.resource, false)
            {
                hit = true;
                break;
            }
        }
        match (block.negated, hit) {
            (false, false) => return Err(Mismatch::Resource),
            (true, true) => return Err(Mismatch::NotResource),
            _ => {}
        }
    }
    let principal = match kind {
        // IAM refuses identity policies that name principals; if one slips through, the
        // Principal element is meaningless there.
        PolicyKind::Identity => None,
        PolicyKind::Resource => match &st.principal {
            None => return Err(Mismatch::NoPrincipal),
            Some(PrincipalBlock {
                negated: false,
                spec,
            }) => Some(match_principal_spec(spec, &ctx.caller).ok_or(Mismatch::Principal)?),
            Some(PrincipalBlock {
                negated: true,
                spec,
            }) => {
                if match_principal_spec(spec, &ctx.caller).is_some() {
                    return Err(Mismatch::NotPrincipal);
                }
                Some(PrincipalMatch::Direct)
            }
        },
    };
    for c in &st.conditions {
        if !condition_holds(c, ctx).map_err(|u| Mismatch::Unresolved(u.0))? {
            return Err(Mismatch::Condition(c));
        }
    }
    Ok(principal)
}

// ---------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------

fn condition_holds<'s>(c: &'s Condition, ctx: &RequestContext) -> Result<bool, Unresolved<'s>> {
    // An unresolvable variable invalidates the statement even when the key is absent.
    if let CondValues::Strings(pats) = &c.values {
        for part in pats.iter().filter_map(|p| p.parts.as_deref()).flatten() {
            if let Part::Var { key, default: None } = part
                && lookup(ctx, key).single().is_none()
            {
                return Err(Unresolved(key));
            }
        }
    }
    let values = lookup(ctx, &c.key);
    if c.op == Op::Null {
        let CondValues::Bools(wanted) = &c.values else {
            return Ok(false);
        };
        let absent = matches!(values, Values::Missing);
        return Ok(wanted.contains(&absent));
    }
    if matches!(values, Values::Missing) {
        return Ok(c.if_exists
            || match c.set {
                SetQualifier::ForAllValues => true,
                SetQualifier::ForAnyValue => false,
                SetQualifier::None => c.op.negated(),
            });
    }
    let all = match c.set {
        SetQualifier::ForAllValues => true,
        SetQualifier::ForAnyValue => false,
        // Without a qualifier a multivalued key behaves like ForAnyValue for positive operators
        // and must miss every policy value for negated ones.
        SetQualifier::None => c.op.negated(),
    };
    for v in values.iter() {
        let ok = value_satisfies(c, v, ctx)?;
        if all && !ok {
            return Ok(false);
        }
        if !all && ok {
            return Ok(true);
        }
    }
    Ok(all)
}

/// Whether one request value satisfies the operator against the policy values (OR over policy
/// values, NOR for negated operators). Request values that cannot be read as the operator's type
/// (a non-number for Numeric*, ...) satisfy nothing.
fn value_satisfies<'s>(
    c: &'s Condition,
    v: &str,
    ctx: &RequestContext,
) -> Result<bool, Unresolved<'s>> {
    let hit = match &c.values {
        CondValues::Strings(pats) => {
            let mut hit = false;
            for p in pats {
                if string_hit(c.op, p, v, ctx)? {
                    hit = true;
                    break;
                }
            }
            hit
        }
        CondValues::Numbers(ns) => {
            let Some(x) = parse_number(v) else {
                return Ok(false);
            };
            ns.iter().any(|&n| ordered_hit(c.op, x.partial_cmp(&n)))
        }
        CondValues::Dates(ds) => {
            let Some(x) = parse_date(v) else {
                return Ok(false);
            };
            ds.iter().any(|&d| ordered_hit(c.op, Some(x.cmp(&d))))
        }
        CondValues::Bools(bs) => {
            let Some(x) = parse_bool(v) else {
                return Ok(false);
            };
            bs.contains(&x)
        }
        CondValues::Cidrs(cidrs) => {
            let Ok(ip) = v.trim().parse::<IpAddr>() else {
                return Ok(false);
            };
            cidrs.iter().any(|cidr| cidr.contains(ip))
        }
    };
    Ok(hit != c.op.negated())
}

fn ordered_hit(op: Op, ord: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let Some(ord) = ord else {
        return false;
    };
    match op {
        Op::NumericEquals | Op::NumericNotEquals | Op::DateEquals | Op::DateNotEquals => {
            ord == Equal
        }
        Op::NumericLessThan | Op::DateLessThan => ord == Less,
        Op::NumericLessThanEquals | Op::DateLessThanEquals => ord != Greater,
        Op::NumericGreaterThan | Op::DateGreaterThan => ord == Greater,
        Op::NumericGreaterThanEquals | Op::DateGreaterThanEquals => ord != Less,
        _ => false,
    }
}

/// Positive comparison of one request value with one policy value (negation is applied by the
/// caller).
fn string_hit<'s>(
    op: Op,
    p: &'s Pattern,
    v: &str,
    ctx: &RequestContext,
) -> Result<bool, Unresolved<'s>> {
    Ok(match op {
        Op::StringEquals | Op::StringNotEquals | Op::BinaryEquals => p.literal(ctx)?.as_ref() == v,
        Op::StringEqualsIgnoreCase | Op::StringNotEqualsIgnoreCase => {
            let lit = p.literal(ctx)?;
            lit.chars()
                .flat_map(char::to_lowercase)
                .eq(v.chars().flat_map(char::to_lowercase))
        }
        Op::StringLike | Op::StringNotLike => p.glob(ctx)?.matches(v, false),
        Op::ArnEquals | Op::ArnLike | Op::ArnNotEquals | Op::ArnNotLike => {
            p.glob(ctx)?.matches_arn(v)
        }
        _ => false,
    })
}

// ---------------------------------------------------------------------------------------------
// Evaluation and decisions
// ---------------------------------------------------------------------------------------------

/// Evaluates every statement of every source against the request, each source as its own kind.
pub fn evaluate(ctx: &RequestContext, sources: &[PolicySource<'_>]) -> Evaluation {
    let mut traces = Vec::new();
    for source in sources {
        trace_source(ctx, source, source.kind, &mut traces);
    }
    Evaluation { traces }
}

fn trace_source(
    ctx: &RequestContext,
    source: &PolicySource<'_>,
    kind: PolicyKind,
    traces: &mut Vec<StatementTrace>,
) {
    traces.reserve(source.doc.statements.len());
    for (index, st) in source.doc.statements.iter().enumerate() {
        let (matched, principal_match, reason) = match match_statement(st, kind, ctx) {
            Ok(Some(PrincipalMatch::Account)) => {
                let reason = match st.effect {
                    Effect::Allow => {
                        "matched (Principal names the caller's account: an identity-based \
                         policy must also allow)"
                    }
                    Effect::Deny => "matched (Principal names the caller's account)",
                };
                (true, Some(PrincipalMatch::Account), reason.to_owned())
            }
            Ok(pm) => (true, pm, "matched".to_owned()),
            Err(_) if !ctx.explain => (false, None, String::new()),
            Err(m) => (false, None, describe_mismatch(&m, st, ctx)),
        };
        traces.push(StatementTrace {
            source: source.label.clone(),
            kind,
            index,
            sid: st.sid.clone(),
            effect: st.effect,
            matched,
            principal_match,
            reason,
        });
    }
}

/// S3/IAM decision in one account: any matching Deny wins; else an identity-policy Allow, or a
/// resource-policy Allow naming the caller (not merely its account), allows; else implicit deny.
/// The account root needs no identity policy. Policies in `identity` count as identity-based and
/// those in `resource` as resource-based whatever their `kind` says.
pub fn decide_standard(
    ctx: &RequestContext,
    identity: &[PolicySource<'_>],
    resource: &[PolicySource<'_>],
) -> (Decision, Vec<StatementTrace>) {
    let mut traces = Vec::new();
    for s in identity {
        trace_source(ctx, s, PolicyKind::Identity, &mut traces);
    }
    for s in resource {
        trace_source(ctx, s, PolicyKind::Resource, &mut traces);
    }
    let eval = Evaluation { traces };
    let decision = if let Some(kind) = eval.explicit_deny() {
        Decision::ExplicitDeny { kind }
    } else if caller_is_root(&ctx.caller)
        || eval.identity_allows()
        || eval.resource_allows(PrincipalMatch::Direct)
    {
        Decision::Allow
    } else {
        let missing = match ctx.caller {
            Caller::Principal { .. } => PolicyKind::Identity,
            // Only resource policies can let anonymous callers and services in.
            Caller::Anonymous | Caller::Service(_) => PolicyKind::Resource,
        };
        Decision::ImplicitDeny { missing }
    };
    (decision, eval.traces)
}

/// KMS decision: the key policy is mandatory. Allowed iff nothing denies and either the key
/// policy allows the caller directly, or it allows the caller's account (`arn:aws:iam::ACCT:root`
/// or `ACCT`) and an identity policy allows too. `account_root_arn` is the key account's root,
/// which needs no identity policy. Unsigned (anonymous) calls are never allowed. `key_policy`
/// counts as resource-based and `identity` as identity-based whatever their `kind` says.
pub fn decide_kms(
    ctx: &RequestContext,
    key_policy: &PolicySource<'_>,
    identity: &[PolicySource<'_>],
    account_root_arn: &str,
) -> (Decision, Vec<StatementTrace>) {
    let mut traces = Vec::new();
    trace_source(ctx, key_policy, PolicyKind::Resource, &mut traces);
    for s in identity {
        trace_source(ctx, s, PolicyKind::Identity, &mut traces);
    }
    let eval = Evaluation { traces };
    let is_root = matches!(&ctx.caller, Caller::Principal { arn, .. } if arn == account_root_arn);
    let decision = if let Some(kind) = eval.explicit_deny() {
        Decision::ExplicitDeny { kind }
    } else if matches!(ctx.caller, Caller::Anonymous) {
        Decision::ImplicitDeny {
            missing: PolicyKind::Resource,
        }
    } else if eval.resource_allows(PrincipalMatch::Direct) {
        Decision::Allow
    } else if eval.resource_allows(PrincipalMatch::Account) {
        if is_root || eval.identity_allows() {
            Decision::Allow
        } else {
            Decision::ImplicitDeny {
                missing: PolicyKind::Identity,
            }
        }
    } else {
        Decision::ImplicitDeny {
            missing: PolicyKind::Resource,
        }
    };
    (decision, eval.traces)
}

fn caller_is_root(caller: &Caller) -> bool {
    matches!(caller, Caller::Principal { arn, account } if is_account_root(arn, account))
}

/// AWS's AccessDenied sentence for a refused request, e.g. `User: arn:aws:iam::123456789012:user/
/// S3-Admin-User is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:... because
/// no identity-based policy allows the kms:Decrypt action`. Anonymous callers are named
/// [`ANONYMOUS_CALLER`] (S3 answers them with [`S3_ACCESS_DENIED`] instead; the caller chooses).
/// Returns an empty string for [`Decision::Allow`].
pub fn denial_message(ctx: &RequestContext, decision: &Decision) -> String {
    let who = match &ctx.caller {
        Caller::Principal { arn, .. } => arn.as_str(),
        Caller::Anonymous => ANONYMOUS_CALLER,
        Caller::Service(name) => name.as_str(),
    };
    let head = format!(
        "User: {who} is not authorized to perform: {} on resource: {}",
        ctx.action, ctx.resource
    );
    match decision {
        Decision::Allow => String::new(),
        Decision::ExplicitDeny {
            kind: PolicyKind::Identity,
        } => {
            format!("{head} with an explicit deny in an identity-based policy")
        }
        Decision::ExplicitDeny {
            kind: PolicyKind::Resource,
        } => {
            format!("{head} with an explicit deny in a resource-based policy")
        }
        Decision::ImplicitDeny { missing } => {
            format!(
                "{head} because no {missing} policy allows the {} action",
                ctx.action
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Trace text
// ---------------------------------------------------------------------------------------------

fn list_text<'a>(items: impl ExactSizeIterator<Item = &'a str>, quote: bool) -> String {
    let total = items.len();
    let mut out = String::from("[");
    for (i, item) in items.take(TRACE_LIST_LIMIT).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if quote {
            out.push_str(&format!("{item:?}"));
        } else {
            out.push_str(item);
        }
    }
    if total > TRACE_LIST_LIMIT {
        out.push_str(&format!(", ... {} more", total - TRACE_LIST_LIMIT));
    }
    out.push(']');
    out
}

fn principal_text(spec: &PrincipalSpec) -> String {
    match spec {
        PrincipalSpec::Any => "\"*\"".to_owned(),
        PrincipalSpec::List(entries) => {
            let rendered: Vec<String> = entries
                .iter()
                .map(|e| format!("{} {}", e.kind.name(), e.value))
                .collect();
            list_text(rendered.iter().map(String::as_str), false)
        }
    }
}

fn caller_text(caller: &Caller) -> &str {
    match caller {
        Caller::Principal { arn, .. } => arn,
        Caller::Anonymous => ANONYMOUS_CALLER,
        Caller::Service(name) => name,
    }
}

fn describe_mismatch(m: &Mismatch<'_>, st: &Statement, ctx: &RequestContext) -> String {
    let actions = || list_text(st.action.patterns.iter().map(String::as_str), false);
    let resources = || match &st.resource {
        Some(r) => list_text(r.patterns.iter().map(|p| p.raw.as_str()), false),
        None => "[]".to_owned(),
    };
    let principals = || match &st.principal {
        Some(p) => principal_text(&p.spec),
        None => "[]".to_owned(),
    };
    match m {
        Mismatch::Action => format!("action {} not in {}", ctx.action, actions()),
        Mismatch::NotAction => format!("action {} excluded by NotAction {}", ctx.action, actions()),
        Mismatch::Resource => format!("resource {} not in {}", ctx.resource, resources()),
        Mismatch::NotResource => {
            format!(
                "resource {} excluded by NotResource {}",
                ctx.resource,
                resources()
            )
        }
        Mismatch::NoPrincipal => "statement has no Principal".to_owned(),
        Mismatch::Principal => {
            format!(
                "principal {} not in {}",
                caller_text(&ctx.caller),
                principals()
            )
        }
        Mismatch::NotPrincipal => format!(
            "principal {} excluded by NotPrincipal {}",
            caller_text(&ctx.caller),
            principals()
        ),
        Mismatch::IdentityNotApplicable => match ctx.caller {
            Caller::Service(_) => {
                "identity-based policies do not apply to service principals".to_owned()
            }
            _ => "identity-based policies do not apply to anonymous callers".to_owned(),
        },
        Mismatch::Unresolved(key) => {
            format!("policy variable ${{{key}}} has no value in this request")
        }
        Mismatch::Condition(c) => {
            let wanted = list_text(c.raw.iter().map(String::as_str), true);
            match lookup(ctx, &c.key) {
                Values::Missing => format!(
                    "condition {} {} failed: key not present in request, wanted {wanted}",
                    c.op_name, c.key
                ),
                values => {
                    let got: Vec<&str> = values.iter().collect();
                    format!(
                        "condition {} {} failed: got {}, wanted {wanted}",
                        c.op_name,
                        c.key,
                        list_text(got.into_iter(), true)
                    )
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Canonical JSON and serde
// ---------------------------------------------------------------------------------------------

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => write_object(m, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_json_string(s, out),
        // Null, booleans and numbers print the same way in every form.
        other => out.push_str(&other.to_string()),
    }
}

fn write_object(m: &Map<String, Value>, out: &mut String) {
    // Sorting here rather than relying on serde_json's map type: another crate in the build can
    // switch serde_json to insertion order (`preserve_order`).
    let mut entries: Vec<(&String, &Value)> = m.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_string(k, out);
        out.push(':');
        write_canonical(v, out);
    }
    out.push('}');
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl serde::Serialize for PolicyDocument {
    /// Serialises as the original JSON.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for PolicyDocument {
    /// Accepts the JSON of a policy document (not a string holding it) and parses it.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        PolicyDocument::from_value(value).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// AWS managed policies
// ---------------------------------------------------------------------------------------------

/// One AWS managed policy.
#[derive(Debug)]
pub struct ManagedPolicy {
    /// Policy name, e.g. `AmazonS3FullAccess`.
    pub name: &'static str,
    /// `arn:aws:iam::aws:policy/<name>`.
    pub arn: &'static str,
    /// Id of the default version, e.g. `v2`.
    pub version: &'static str,
    /// When the default version was created (ISO 8601).
    pub version_created: &'static str,
    /// The default version's document.
    pub document: PolicyDocument,
}

struct ManagedSource {
    name: &'static str,
    arn: &'static str,
    version: &'static str,
    created: &'static str,
    json: &'static str,
}

const MANAGED_SOURCES: &[ManagedSource] = &[
    ManagedSource {
        name: "AdministratorAccess",
        arn: "arn:aws:iam::aws:policy/AdministratorAccess",
        version: "v1",
        created: "2015-02-06T18:39:46+00:00",
        json: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*"
        }
    ]
}"#,
    },
    ManagedSource {
        name: "AmazonS3FullAccess",
        arn: "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        version: "v2",
        created: "2021-09-27T20:16:37+00:00",
        json: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:*",
                "s3-object-lambda:*"
            ],
            "Resource": "*"
        }
    ]
}"#,
    },
    ManagedSource {
        name: "AmazonS3ReadOnlyAccess",
        arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        version: "v3",
        created: "2023-08-10T21:31:39+00:00",
        json: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "s3:Get*",
                "s3:List*",
                "s3:Describe*",
                "s3-object-lambda:Get*",
                "s3-object-lambda:List*"
            ],
            "Resource": "*"
        }
    ]
}"#,
    },
    ManagedSource {
        name: "AWSKeyManagementServicePowerUser",
        arn: "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser",
        version: "v2",
        created: "2017-03-07T00:55:11+00:00",
        json: r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "kms:CreateAlias",
                "kms:CreateKey",
                "kms:DeleteAlias",
                "kms:Describe*",
                "kms:GenerateRandom",
                "kms:Get*",
                "kms:List*",
                "kms:TagResource",
                "kms:UntagResource",
                "iam:ListGroups",
                "iam:ListRoles",
                "iam:ListUsers"
            ],
            "Resource": "*"
        }
    ]
}"#,
    },
];

const MANAGED_ARNS: &[&str] = &[
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser",
];

fn managed_catalogue() -> &'static [ManagedPolicy] {
    static POLICIES: OnceLock<Vec<ManagedPolicy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        // The texts are constants that a unit test parses; one that failed to parse would only
        // be missing from the catalogue, never a panic.
        MANAGED_SOURCES
            .iter()
            .filter_map(|s| {
                PolicyDocument::parse(s.json)
                    .ok()
                    .map(|document| ManagedPolicy {
                        name: s.name,
                        arn: s.arn,
                        version: s.version,
                        version_created: s.created,
                        document,
                    })
            })
            .collect()
    })
}

/// The managed policy with this ARN (`arn:aws:iam::aws:policy/AmazonS3FullAccess`) or bare name
/// (`AmazonS3FullAccess`); names are case-sensitive, as in IAM.
pub fn managed_policy_info(arn_or_name: &str) -> Option<&'static ManagedPolicy> {
    managed_catalogue()
        .iter()
        .find(|p| p.arn == arn_or_name || p.name == arn_or_name)
}

/// The document of the managed policy with this ARN or name.
pub fn managed_policy(arn_or_name: &str) -> Option<&'static PolicyDocument> {
    managed_policy_info(arn_or_name).map(|p| &p.document)
}

/// ARNs of every managed policy offered, in a stable order.
pub fn managed_policy_arns() -> &'static [&'static str] {
    MANAGED_ARNS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const ACCT: &str = "123456789012";
    const ROOT: &str = "arn:aws:iam::123456789012:root";
    const USER_ARN: &str = "arn:aws:iam::123456789012:user/S3-Admin-User";
    const KEY_ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/abcd";

    fn user(name: &str) -> Caller {
        Caller::Principal {
            arn: format!("arn:aws:iam::{ACCT}:user/{name}"),
            account: ACCT.into(),
        }
    }

    fn root() -> Caller {
        Caller::Principal {
            arn: ROOT.into(),
            account: ACCT.into(),
        }
    }

    fn doc(v: Value) -> PolicyDocument {
        PolicyDocument::from_value(v).expect("test policy parses")
    }

    fn err(text: &str) -> String {
        PolicyDocument::parse(text)
            .expect_err("policy must be refused")
            .to_string()
    }

    fn source<'a>(label: &str, kind: PolicyKind, d: &'a PolicyDocument) -> PolicySource<'a> {
        PolicySource {
            label: label.into(),
            kind,
            doc: d,
        }
    }

    /// Whether a one-statement identity policy applies to the request.
    fn applies(statement: Value, ctx: &RequestContext) -> bool {
        let d = doc(json!({"Version": "2012-10-17", "Statement": statement}));
        evaluate(ctx, &[source("p", PolicyKind::Identity, &d)]).traces[0].matched
    }

    /// Whether a one-statement resource policy applies, and how its principal matched.
    fn resource_match(statement: Value, ctx: &RequestContext) -> Option<PrincipalMatch> {
        let d = doc(json!({"Version": "2012-10-17", "Statement": statement}));
        let t = &evaluate(ctx, &[source("p", PolicyKind::Resource, &d)]).traces[0];
        if t.matched { t.principal_match } else { None }
    }

    /// Whether an Allow-everything identity statement with this Condition applies.
    fn cond(condition: Value, ctx: &RequestContext) -> bool {
        applies(
            json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}),
            ctx,
        )
    }

    fn ctx_with(pairs: &[(&str, &[&str])]) -> RequestContext {
        let mut ctx = RequestContext::new(user("alice"), "s3:GetObject", "arn:aws:s3:::b/k");
        for (k, vs) in pairs {
            ctx = ctx.with_condition(*k, vs.iter().copied());
        }
        ctx
    }

    fn action_allowed(pattern: &str, action: &str) -> bool {
        let ctx = RequestContext::new(user("alice"), action, "*");
        applies(
            json!({"Effect": "Allow", "Action": pattern, "Resource": "*"}),
            &ctx,
        )
    }

    fn resource_allowed(pattern: &str, resource: &str) -> bool {
        let ctx = RequestContext::new(user("alice"), "s3:GetObject", resource);
        applies(
            json!({"Effect": "Allow", "Action": "*", "Resource": pattern}),
            &ctx,
        )
    }

    // --- parsing ----------------------------------------------------------------------------

    #[test]
    fn parses_single_statement_object_and_array_and_versions() {
        let one = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Id":"x","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        )
        .expect("object statement");
        assert_eq!(one.statements().len(), 1);
        assert_eq!(one.id(), Some("x"));
        assert_eq!(one.version(), PolicyVersion::V2012_10_17);
        let two = PolicyDocument::parse(
            r#"{"Statement":[{"Sid":"A","Effect":"Deny","Action":["s3:*"],"Resource":"*"},
                {"Effect":"Allow","NotAction":"iam:*","NotResource":["arn:aws:s3:::b"]}]}"#,
        )
        .expect("array statement");
        assert_eq!(
            two.version(),
            PolicyVersion::V2008_10_17,
            "absent Version means 2008-10-17"
        );
        assert_eq!(two.statements()[0].sid(), Some("A"));
        assert_eq!(two.statements()[0].effect(), Effect::Deny);
        assert_eq!(two.statements()[1].effect(), Effect::Allow);
    }

    #[test]
    fn parse_errors_name_the_statement_and_field() {
        assert_eq!(
            err(r#"{"Statement":[{"Effect":"Allow","Action":"*"},{"Sid":"X","Action":"*"}]}"#),
            "Statement 2 (Sid \"X\"): missing required field Effect"
        );
        assert_eq!(
            err(
                r#"{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEqualz":{"a:b":"c"}}}}"#
            ),
            "Statement 1: unknown condition operator \"StringEqualz\""
        );
        assert_eq!(
            err(r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*"}}"#),
            "Statement 1: Action and NotAction cannot both be given"
        );
        assert_eq!(
            err(r#"{"Statement":{"Effect":"Allow","Resource":"*"}}"#),
            "Statement 1: missing required field Action or NotAction"
        );
        assert_eq!(
            err(r#"{"Statement":{"Effect":"allow","Action":"*"}}"#),
            "Statement 1: Effect must be \"Allow\" or \"Deny\", got \"allow\""
        );
        assert_eq!(
            err(r#"{"Statement":{"effect":"Allow","Action":"*"}}"#),
            "Statement 1: unknown field \"effect\""
        );
        assert_eq!(
            err(r#"{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*"}}"#),
            "invalid Version \"2012-10-18\": expected \"2012-10-17\" or \"2008-10-17\""
        );
        assert_eq!(
            err(r#"{"Version":"2012-10-17"}"#),
            "policy: missing required field Statement"
        );
        assert_eq!(
            err(r#"{"Statement":[]}"#),
            "policy: Statement must contain at least one statement"
        );
        assert_eq!(err("[]"), "policy document must be a JSON object");
        assert!(err("{\"Statement\":").starts_with("policy document is not valid JSON: "));
    }

    #[test]
    fn parse_validates_element_values() {
        let e = err(r#"{"Statement":{"Effect":"Allow","Action":"s3GetObject"}}"#);
        assert_eq!(
            e,
            "Statement 1: Action value \"s3GetObject\" must be \"*\" or of the form \
             \"service:ActionName\""
        );
        let e = err(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"my-bucket"}}"#);
        assert!(
            e.starts_with("Statement 1: Resource value \"my-bucket\" must be \"*\" or an ARN"),
            "{e}"
        );
        let e = err(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"}}}"#,
        );
        assert!(e.contains("may not contain wildcards"), "{e}");
        let e = err(r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":{"Aws":"*"}}}"#);
        assert_eq!(
            e,
            "Statement 1: Principal has unknown principal type \"Aws\""
        );
        let e = err(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Principal":"arn:aws:iam::1:root"}}"#,
        );
        assert!(
            e.starts_with("Statement 1: Principal must be \"*\" or an object"),
            "{e}"
        );
        let e = err(r#"{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}"#);
        assert_eq!(e, "Statement 1: Action must not be empty");
        let cases = [
            (
                r#"{"NullIfExists":{"a:b":"true"}}"#,
                "Null takes neither IfExists",
            ),
            (
                r#"{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}"#,
                "is not an IP address or CIDR",
            ),
            (
                r#"{"NumericLessThan":{"s3:max-keys":"ten"}}"#,
                "is not a number",
            ),
            (
                r#"{"DateLessThan":{"aws:CurrentTime":"2020-13-01"}}"#,
                "is not a date",
            ),
            (
                r#"{"Bool":{"aws:SecureTransport":"yes"}}"#,
                "must be true or false",
            ),
            (
                r#"{"StringEquals":{"a:b":{"nested":1}}}"#,
                "must be a string, boolean or number",
            ),
            (r#"{"StringEquals":{"a:b":[]}}"#, "must not be empty"),
        ];
        for (condition, expected) in cases {
            let text = format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{condition}}}}}"#
            );
            let e = err(&text);
            assert!(e.contains(expected), "{condition}: {e}");
        }
    }

    #[test]
    fn size_limits_are_a_parameter() {
        let padding = " ".repeat(40_000);
        let text =
            format!(r#"{{"Statement":{{"Effect":"Allow","Action":"*","Resource":"*"}}}}{padding}"#);
        assert_eq!(
            PolicyDocument::parse_with_limit(&text, SizeLimit::KMS_KEY_POLICY),
            Err(PolicyError::TooLarge {
                limit: 32_768,
                actual: text.chars().count()
            })
        );
        assert_eq!(
            PolicyDocument::parse_with_limit(&text, SizeLimit::KMS_KEY_POLICY)
                .expect_err("too large")
                .to_string(),
            format!(
                "policy document exceeds 32768 characters (got {})",
                text.chars().count()
            )
        );
        // IAM does not count whitespace.
        assert!(PolicyDocument::parse_with_limit(&text, SizeLimit::IAM_MANAGED_POLICY).is_ok());
        assert!(PolicyDocument::parse(&text).is_ok());
    }

    #[test]
    fn hostile_input_is_bounded() {
        let statement = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;
        let many = |n: usize| format!(r#"{{"Statement":[{}]}}"#, vec![statement; n].join(","));
        assert_eq!(
            PolicyDocument::parse(&many(MAX_STATEMENTS + 1)),
            Err(PolicyError::TooManyStatements {
                limit: MAX_STATEMENTS
            })
        );
        assert_eq!(
            PolicyDocument::parse(&many(MAX_STATEMENTS)).map(|d| d.statements.len()),
            Ok(MAX_STATEMENTS)
        );
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            PolicyDocument::parse(&deep),
            Err(PolicyError::InvalidJson { .. })
        ));
        let deep_obj = format!(
            r#"{{"Statement":{{"Effect":"Allow","Action":"*","Condition":{}1{}}}}}"#,
            r#"{"a":"#.repeat(5_000),
            "}".repeat(5_000)
        );
        assert!(PolicyDocument::parse(&deep_obj).is_err());
    }

    #[test]
    fn validate_for_checks_kind_specific_rules() {
        let with_principal = doc(json!({"Statement": {"Effect": "Allow", "Principal": "*",
            "Action": "*", "Resource": "*"}}));
        assert_eq!(
            with_principal
                .validate_for(PolicyKind::Identity)
                .expect_err("refused")
                .to_string(),
            "Statement 1: Principal is not allowed in an identity-based policy"
        );
        assert!(with_principal.validate_for(PolicyKind::Resource).is_ok());
        let no_resource = doc(json!({"Statement": {"Effect": "Allow", "Action": "*"}}));
        assert_eq!(
            no_resource
                .validate_for(PolicyKind::Identity)
                .expect_err("refused")
                .to_string(),
            "Statement 1: missing required field Resource or NotResource"
        );
        let no_principal = doc(
            json!({"Statement": {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                "Action": "kms:*", "Resource": "*"}}),
        );
        assert_eq!(
            no_principal
                .validate_for(PolicyKind::Resource)
                .expect_err("refused")
                .to_string(),
            "Statement 1 (Sid \"Enable IAM User Permissions\"): missing required field \
             Principal or NotPrincipal"
        );
        let spaced_sid = doc(json!({"Statement": {"Sid": "Has Space", "Effect": "Allow",
            "Action": "*", "Resource": "*"}}));
        assert!(spaced_sid.validate_for(PolicyKind::Identity).is_err());
        let dup = doc(json!({"Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "A", "Effect": "Deny", "Action": "*", "Resource": "*"}]}));
        assert!(
            dup.validate_for(PolicyKind::Identity)
                .expect_err("duplicate")
                .to_string()
                .contains("used by more than one statement")
        );
    }

    // --- wildcard matching ------------------------------------------------------------------

    #[test]
    fn actions_match_case_insensitively_with_wildcards() {
        assert!(action_allowed("s3:GetObject", "s3:GetObject"));
        assert!(action_allowed("S3:getobject", "s3:GetObject"));
        assert!(action_allowed("s3:Get*", "s3:GetObjectVersion"));
        assert!(!action_allowed("s3:Get*", "s3:PutObject"));
        assert!(action_allowed("iam:*AccessKey*", "iam:CreateAccessKey"));
        assert!(action_allowed("iam:*AccessKey*", "iam:ListAccessKeys"));
        assert!(!action_allowed("iam:*AccessKey*", "iam:ListUsers"));
        assert!(action_allowed("*", "kms:Decrypt"));
        assert!(action_allowed("kms:*", "kms:Decrypt"));
        assert!(!action_allowed("kms:*", "s3:GetObject"));
        assert!(action_allowed("kms:?ncrypt", "kms:Encrypt"));
        assert!(!action_allowed("kms:?ncrypt", "kms:Decrypt"));
        assert!(!action_allowed("kms:Decrypt", "kms:DecryptX"));
        let ctx = RequestContext::new(user("a"), "s3:GetObject", "*");
        assert!(applies(
            json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            &ctx
        ));
        let ctx = RequestContext::new(user("a"), "iam:ListUsers", "*");
        assert!(!applies(
            json!({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
            &ctx
        ));
    }

    #[test]
    fn resources_match_case_sensitively_and_star_spans_separators() {
        assert!(resource_allowed("*", "arn:aws:s3:::bucket/a"));
        assert!(resource_allowed(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a/b/c.txt"
        ));
        assert!(!resource_allowed(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket"
        ));
        assert!(!resource_allowed(
            "arn:aws:s3:::Bucket/*",
            "arn:aws:s3:::bucket/a"
        ));
        assert!(resource_allowed(
            "arn:aws:s3:::*",
            "arn:aws:s3:::bucket/a:b"
        ));
        assert!(resource_allowed(
            "arn:aws:kms:*:123456789012:key/*",
            KEY_ARN
        ));
        assert!(!resource_allowed(
            "arn:aws:kms:*:210987654321:key/*",
            KEY_ARN
        ));
        assert!(resource_allowed(
            "arn:aws:s3:::b?cket",
            "arn:aws:s3:::bucket"
        ));
        assert!(!resource_allowed(
            "arn:aws:s3:::b?cket",
            "arn:aws:s3:::buucket"
        ));
        assert!(resource_allowed(
            "arn:aws:s3:::b/*/x/*",
            "arn:aws:s3:::b/1/2/x/3"
        ));
        assert!(!resource_allowed(
            "arn:aws:kms:us-east-1:123456789012:key/*",
            "*"
        ));
        let ctx = RequestContext::new(user("a"), "s3:GetObject", "arn:aws:s3:::secret/x");
        assert!(!applies(
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::secret/*"}),
            &ctx
        ));
        assert!(applies(
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::public/*"}),
            &ctx
        ));
    }

    #[test]
    fn glob_handles_utf8_and_pathological_patterns() {
        let p = "arn:aws:s3:::b/?.txt";
        assert!(glob_range(
            p.as_bytes(),
            0,
            p.len(),
            "arn:aws:s3:::b/é.txt".as_bytes(),
            false
        ));
        let pat = "a*a*a*a*a*a*a*a*a*b";
        let text = "a".repeat(20_000);
        let start = std::time::Instant::now();
        assert!(!glob_range(
            pat.as_bytes(),
            0,
            pat.len(),
            text.as_bytes(),
            false
        ));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(glob_range(b"".as_slice(), 0, 0, b"", false));
        assert!(!glob_range(b"".as_slice(), 0, 0, b"x", false));
        assert!(glob_range(b"**".as_slice(), 0, 2, b"", false));
    }

    /// Straightforward recursive matcher used as the reference for the fast one.
    fn naive_glob(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| naive_glob(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && naive_glob(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && naive_glob(rest, &t[1..]),
        }
    }

    proptest! {
        #[test]
        fn glob_agrees_with_reference(p in "[ab*?é:/]{0,8}", t in "[abé:/]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(
                glob_range(p.as_bytes(), 0, p.len(), t.as_bytes(), false),
                naive_glob(&pc, &tc)
            );
        }
    }

    // --- principals -------------------------------------------------------------------------

    fn allow_to(principal: Value) -> Value {
        json!({"Effect": "Allow", "Principal": principal, "Action": "*", "Resource": "*"})
    }

    #[test]
    fn principal_matching_rules() {
        let alice = RequestContext::new(user("alice"), "s3:GetObject", "arn:aws:s3:::b/k");
        let user_arn = format!("arn:aws:iam::{ACCT}:user/alice");
        assert_eq!(
            resource_match(allow_to(json!({"AWS": user_arn})), &alice),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            resource_match(allow_to(json!({"AWS": ACCT})), &alice),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            resource_match(allow_to(json!({"AWS": ROOT})), &alice),
            Some(PrincipalMatch::Account)
        );
        assert_eq!(
            resource_match(
                allow_to(json!({"AWS": "arn:aws:iam::210987654321:root"})),
                &alice
            ),
            None
        );
        assert_eq!(
            resource_match(
                allow_to(json!({"AWS": "arn:aws:iam::123456789012:user/bob"})),
                &alice
            ),
            None
        );
        assert_eq!(
            resource_match(allow_to(json!("*")), &alice),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            resource_match(allow_to(json!({"AWS": [ROOT, user_arn]})), &alice),
            Some(PrincipalMatch::Direct),
            "the direct entry wins over the account entry"
        );
        let root_ctx = RequestContext::new(root(), "kms:Decrypt", KEY_ARN);
        assert_eq!(
            resource_match(allow_to(json!({"AWS": ROOT})), &root_ctx),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            resource_match(allow_to(json!({"AWS": ACCT})), &root_ctx),
            Some(PrincipalMatch::Direct)
        );

        let anon = RequestContext::new(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            resource_match(allow_to(json!("*")), &anon),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            resource_match(allow_to(json!({"AWS": "*"})), &anon),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(resource_match(allow_to(json!({"AWS": ROOT})), &anon), None);

        let trail = RequestContext::new(
            Caller::Service("cloudtrail.amazonaws.com".into()),
            "s3:PutObject",
            "arn:aws:s3:::logs/AWSLogs/123456789012/x",
        );
        let svc = json!({"Service": "cloudtrail.amazonaws.com"});
        assert_eq!(
            resource_match(allow_to(svc.clone()), &trail),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(resource_match(allow_to(svc), &alice), None);
        assert_eq!(resource_match(allow_to(json!({"AWS": ROOT})), &trail), None);

        let session = RequestContext::new(
            Caller::Principal {
                arn: format!("arn:aws:sts::{ACCT}:assumed-role/Admin/alice-session"),
                account: ACCT.into(),
            },
            "s3:GetObject",
            "*",
        );
        let role = format!("arn:aws:iam::{ACCT}:role/team/Admin");
        assert_eq!(
            resource_match(allow_to(json!({"AWS": role})), &session),
            Some(PrincipalMatch::Direct)
        );

        let not_bob = json!({"Effect": "Deny", "NotPrincipal": {"AWS": format!("arn:aws:iam::{ACCT}:user/bob")},
            "Action": "*", "Resource": "*"});
        assert_eq!(
            resource_match(not_bob.clone(), &alice),
            Some(PrincipalMatch::Direct)
        );
        let bob = RequestContext::new(user("bob"), "s3:GetObject", "*");
        assert_eq!(resource_match(not_bob, &bob), None);
    }

    // --- conditions -------------------------------------------------------------------------

    #[test]
    fn multiple_values_or_keys_and_operators_and() {
        let c = json!({"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr"]}});
        assert!(cond(
            c.clone(),
            &ctx_with(&[("aws:PrincipalTag/department", &["hr"])])
        ));
        assert!(!cond(
            c.clone(),
            &ctx_with(&[("aws:PrincipalTag/department", &["it"])])
        ));
        assert!(
            !cond(c, &ctx_with(&[])),
            "positive operator with missing key is false"
        );
        let two_keys = json!({"StringEquals": {"a:x": "1", "a:y": "2"}});
        assert!(cond(
            two_keys.clone(),
            &ctx_with(&[("a:x", &["1"]), ("a:y", &["2"])])
        ));
        assert!(!cond(
            two_keys,
            &ctx_with(&[("a:x", &["1"]), ("a:y", &["3"])])
        ));
        let two_ops = json!({"StringEquals": {"a:x": "1"}, "StringLike": {"a:y": "2*"}});
        assert!(cond(
            two_ops.clone(),
            &ctx_with(&[("a:x", &["1"]), ("a:y", &["20"])])
        ));
        assert!(!cond(
            two_ops,
            &ctx_with(&[("a:x", &["0"]), ("a:y", &["20"])])
        ));
    }

    #[test]
    fn negated_operators_are_nor_and_true_when_key_missing() {
        let c = json!({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}});
        assert!(cond(
            c.clone(),
            &ctx_with(&[("aws:RequestedRegion", &["ap-south-1"])])
        ));
        assert!(!cond(
            c.clone(),
            &ctx_with(&[("aws:RequestedRegion", &["eu-west-1"])])
        ));
        assert!(cond(c, &ctx_with(&[])));
        let like = json!({"StringNotLike": {"s3:prefix": "private/*"}});
        assert!(cond(
            like.clone(),
            &ctx_with(&[("s3:prefix", &["public/a"])])
        ));
        assert!(!cond(like, &ctx_with(&[("s3:prefix", &["private/a"])])));
        let arn =
            json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"}});
        assert!(cond(arn, &ctx_with(&[])));
    }

    #[test]
    fn string_operator_family() {
        let ci = json!({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "Blue"}});
        assert!(cond(
            ci.clone(),
            &ctx_with(&[("aws:PrincipalTag/team", &["bLUE"])])
        ));
        assert!(!cond(
            ci,
            &ctx_with(&[("aws:PrincipalTag/team", &["green"])])
        ));
        let nci = json!({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "Blue"}});
        assert!(!cond(
            nci,
            &ctx_with(&[("aws:PrincipalTag/team", &["BLUE"])])
        ));
        let exact = json!({"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}});
        assert!(!cond(
            exact,
            &ctx_with(&[("s3:x-amz-acl", &["Bucket-Owner-Full-Control"])])
        ));
        let like = json!({"StringLike": {"aws:SourceArn": "arn:aws:*:trail/*"}});
        assert!(
            cond(
                like,
                &ctx_with(&[(
                    "aws:SourceArn",
                    &["arn:aws:cloudtrail:us-east-1:123456789012:trail/t"]
                )])
            ),
            "StringLike's * crosses colons"
        );
        let star_is_literal_in_equals = json!({"StringEquals": {"a:k": "x*"}});
        assert!(!cond(
            star_is_literal_in_equals.clone(),
            &ctx_with(&[("a:k", &["xyz"])])
        ));
        assert!(cond(
            star_is_literal_in_equals,
            &ctx_with(&[("a:k", &["x*"])])
        ));
        let binary = json!({"BinaryEquals": {"a:blob": "QmluYXJ5"}});
        assert!(cond(binary, &ctx_with(&[("a:blob", &["QmluYXJ5"])])));
    }

    #[test]
    fn condition_key_names_are_case_insensitive_values_are_not() {
        let c = json!({"Bool": {"AWS:SecureTransport": "true"}});
        assert!(cond(
            c.clone(),
            &ctx_with(&[("aws:securetransport", &["true"])])
        ));
        assert!(
            cond(c, &ctx_with(&[("aws:SecureTransport", &["TRUE"])])),
            "Bool values ignore case"
        );
        let ctx = ctx_with(&[("kms:EncryptionContext:aws:s3:arn", &["arn:aws:s3:::b/k"])]);
        assert!(cond(
            json!({"StringEquals": {"kms:encryptioncontext:aws:s3:arn": "arn:aws:s3:::b/k"}}),
            &ctx
        ));
        assert!(!cond(
            json!({"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::B/k"}}),
            &ctx
        ));
    }

    #[test]
    fn bool_and_null_and_if_exists() {
        // AWS's "deny insecure transport" statement.
        let deny_http = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let http = ctx_with(&[("aws:SecureTransport", &["false"])]);
        let https = ctx_with(&[("aws:SecureTransport", &["true"])]);
        assert!(resource_match(deny_http.clone(), &http).is_some());
        assert!(resource_match(deny_http.clone(), &https).is_none());
        assert!(
            resource_match(deny_http, &ctx_with(&[])).is_none(),
            "Bool with missing key is false"
        );
        assert!(cond(
            json!({"BoolIfExists": {"aws:SecureTransport": "false"}}),
            &ctx_with(&[])
        ));
        assert!(
            cond(json!({"Bool": {"aws:SecureTransport": false}}), &http),
            "JSON booleans accepted"
        );

        let null_true = json!({"Null": {"aws:TokenIssueTime": "true"}});
        assert!(cond(null_true.clone(), &ctx_with(&[])));
        assert!(!cond(
            null_true,
            &ctx_with(&[("aws:TokenIssueTime", &["2024-01-01T00:00:00Z"])])
        ));
        let null_false = json!({"Null": {"aws:TokenIssueTime": "false"}});
        assert!(cond(
            null_false.clone(),
            &ctx_with(&[("aws:TokenIssueTime", &["x"])])
        ));
        assert!(!cond(null_false.clone(), &ctx_with(&[])));
        assert!(
            !cond(null_false, &ctx_with(&[("aws:TokenIssueTime", &[])])),
            "empty list is absent"
        );

        let if_exists = json!({"StringEqualsIfExists": {"ec2:InstanceType": "t2.micro"}});
        assert!(cond(if_exists.clone(), &ctx_with(&[])));
        assert!(cond(
            if_exists.clone(),
            &ctx_with(&[("ec2:InstanceType", &["t2.micro"])])
        ));
        assert!(!cond(
            if_exists,
            &ctx_with(&[("ec2:InstanceType", &["m5.large"])])
        ));
    }

    #[test]
    fn arn_operators_match_each_part_separately() {
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main";
        let ctx = ctx_with(&[("aws:SourceArn", &[trail])]);
        assert!(cond(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"}}),
            &ctx
        ));
        assert!(cond(json!({"ArnEquals": {"aws:SourceArn": trail}}), &ctx));
        assert!(
            cond(
                json!({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/main"}}),
                &ctx
            ),
            "ArnEquals takes wildcards too"
        );
        assert!(
            !cond(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:*:trail/*"}}),
                &ctx
            ),
            "a * in ArnLike stays inside one ARN part"
        );
        assert!(!cond(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:210987654321:trail/*"}}),
            &ctx
        ));
        assert!(!cond(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:Trail/main"}}),
            &ctx
        ));
        assert!(cond(
            json!({"ArnNotEquals": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/other"}}),
            &ctx
        ));
        assert!(!cond(
            json!({"ArnNotLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*"}}),
            &ctx
        ));
        // The resource part keeps its own colons.
        let lambda = ctx_with(&[(
            "aws:SourceArn",
            &["arn:aws:lambda:us-east-1:123456789012:function:f:prod"],
        )]);
        assert!(cond(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:*:function:f:*"}}),
            &lambda
        ));
        assert!(!cond(
            json!({"ArnLike": {"aws:SourceArn": "arn:aws:*"}}),
            &ctx_with(&[("aws:SourceArn", &["not-an-arn"])])
        ));
    }

    #[test]
    fn numeric_date_and_ip_operators() {
        let keys = |v: &str| ctx_with(&[("s3:max-keys", &[v])]);
        let le = json!({"NumericLessThanEquals": {"s3:max-keys": "10"}});
        assert!(cond(le.clone(), &keys("10")));
        assert!(cond(le.clone(), &keys("9.5")));
        assert!(!cond(le.clone(), &keys("11")));
        assert!(
            !cond(le, &keys("ten")),
            "non-numeric request values never match"
        );
        assert!(cond(
            json!({"NumericEquals": {"s3:max-keys": 10}}),
            &keys("10.0")
        ));
        assert!(cond(
            json!({"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}),
            &keys("3")
        ));
        assert!(!cond(
            json!({"NumericNotEquals": {"s3:max-keys": ["1", "2"]}}),
            &keys("2")
        ));
        assert!(cond(
            json!({"NumericLessThan": {"s3:max-keys": "10"}}),
            &keys("9")
        ));
        assert!(!cond(
            json!({"NumericLessThan": {"s3:max-keys": "10"}}),
            &keys("10")
        ));
        assert!(cond(
            json!({"NumericGreaterThan": {"s3:max-keys": "10"}}),
            &keys("11")
        ));
        assert!(cond(
            json!({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}),
            &keys("10")
        ));

        let now = |v: &str| ctx_with(&[("aws:CurrentTime", &[v])]);
        let after = json!({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}});
        assert!(cond(after.clone(), &now("2026-01-01T00:00:00Z")));
        assert!(!cond(after.clone(), &now("2019-12-31T23:59:59Z")));
        assert!(
            cond(after, &now("2020-01-01T01:00:00+00:30")),
            "offsets are applied"
        );
        assert!(
            cond(
                json!({"DateLessThan": {"aws:CurrentTime": "1577836800"}}),
                &now("2019-12-31")
            ),
            "epoch seconds compare with ISO dates"
        );
        assert!(cond(
            json!({"DateEquals": {"aws:CurrentTime": "2020-01-01T00:00:00.000Z"}}),
            &now("1577836800")
        ));
        assert!(cond(
            json!({"DateNotEquals": {"aws:CurrentTime": "2020-01-01"}}),
            &now("2020-01-02")
        ));
        assert!(cond(
            json!({"DateLessThanEquals": {"aws:CurrentTime": "2020-01-01"}}),
            &now("2020-01-01")
        ));
        assert!(cond(
            json!({"DateGreaterThanEquals": {"aws:CurrentTime": "2020-01-01"}}),
            &now("2020-01-01T00:00:00.5Z")
        ));

        let ip = |v: &str| ctx_with(&[("aws:SourceIp", &[v])]);
        let range = json!({"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}});
        assert!(cond(range.clone(), &ip("203.0.113.77")));
        assert!(!cond(range.clone(), &ip("198.51.100.1")));
        assert!(cond(range.clone(), &ip("2001:db8:1::5")));
        assert!(!cond(range, &ip("garbage")));
        assert!(cond(
            json!({"IpAddress": {"aws:SourceIp": "198.51.100.7"}}),
            &ip("198.51.100.7")
        ));
        assert!(cond(
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
            &ip("8.8.8.8")
        ));
        assert!(cond(
            json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            &ip("198.51.100.1")
        ));
        assert!(!cond(
            json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            &ip("203.0.113.1")
        ));
    }

    #[test]
    fn set_qualifiers() {
        let tags = |v: &[&str]| ctx_with(&[("aws:TagKeys", v)]);
        let any = json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["b", "c"]}});
        assert!(cond(any.clone(), &tags(&["a", "b"])));
        assert!(!cond(any.clone(), &tags(&["a", "d"])));
        assert!(
            !cond(any, &ctx_with(&[])),
            "ForAnyValue with missing key is false"
        );
        let all = json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b", "c"]}});
        assert!(cond(all.clone(), &tags(&["a", "b"])));
        assert!(!cond(all.clone(), &tags(&["a", "d"])));
        assert!(
            cond(all, &ctx_with(&[])),
            "ForAllValues with missing key is true"
        );
        let all_not = json!({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["secret"]}});
        assert!(cond(all_not.clone(), &tags(&["a", "b"])));
        assert!(!cond(all_not, &tags(&["a", "secret"])));
        let any_not = json!({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["secret"]}});
        assert!(cond(any_not.clone(), &tags(&["a", "secret"])));
        assert!(!cond(any_not, &tags(&["secret"])));
        let any_like_if = json!({"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "team-*"}});
        assert!(cond(any_like_if.clone(), &ctx_with(&[])));
        assert!(cond(any_like_if, &tags(&["x", "team-blue"])));
        // Without a qualifier, a multivalued key matches if any value does (positive operator) and
        // only if none does (negated operator).
        assert!(cond(
            json!({"StringEquals": {"aws:TagKeys": "b"}}),
            &tags(&["a", "b"])
        ));
        assert!(!cond(
            json!({"StringNotEquals": {"aws:TagKeys": "b"}}),
            &tags(&["a", "b"])
        ));
    }

    #[test]
    fn derived_caller_keys() {
        let ctx = RequestContext::new(user("alice"), "s3:GetObject", "*");
        assert!(cond(
            json!({"StringEquals": {"aws:username": "alice"}}),
            &ctx
        ));
        assert!(cond(
            json!({"StringEquals": {"aws:PrincipalArn": format!("arn:aws:iam::{ACCT}:user/alice")}}),
            &ctx
        ));
        assert!(cond(
            json!({"StringEquals": {"aws:PrincipalAccount": ACCT}}),
            &ctx
        ));
        assert!(cond(
            json!({"StringEquals": {"aws:PrincipalType": "User"}}),
            &ctx
        ));
        let explicit = ctx.clone().with_condition("aws:username", ["bob"]);
        assert!(
            cond(json!({"StringEquals": {"aws:username": "bob"}}), &explicit),
            "given keys win"
        );
        let svc = RequestContext::new(
            Caller::Service("s3.amazonaws.com".into()),
            "kms:Decrypt",
            "*",
        );
        let d = doc(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*",
            "Resource": "*", "Condition": {"Bool": {"aws:PrincipalIsAWSService": "true"}}}}),
        );
        assert!(evaluate(&svc, &[source("p", PolicyKind::Resource, &d)]).traces[0].matched);
    }

    #[test]
    fn policy_variables() {
        let ctx = RequestContext::new(
            user("alice"),
            "s3:GetObject",
            "arn:aws:s3:::home/alice/notes.txt",
        );
        let home = json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"});
        assert!(applies(home.clone(), &ctx));
        let bob = RequestContext::new(
            user("bob"),
            "s3:GetObject",
            "arn:aws:s3:::home/alice/notes.txt",
        );
        assert!(!applies(home.clone(), &bob));
        // Version 2008-10-17 has no variables: the text is literal.
        let d = doc(json!({"Version": "2008-10-17", "Statement": home}));
        assert!(!evaluate(&ctx, &[source("p", PolicyKind::Identity, &d)]).traces[0].matched);
        let literal = RequestContext::new(
            user("a"),
            "s3:GetObject",
            "arn:aws:s3:::home/${aws:username}/x",
        );
        assert!(evaluate(&literal, &[source("p", PolicyKind::Identity, &d)]).traces[0].matched);

        let prefix = json!({"StringLike": {"s3:prefix": ["home/${aws:username}/*", "shared/*"]}});
        assert!(cond(
            prefix.clone(),
            &ctx.clone().with_condition("s3:prefix", ["home/alice/x"])
        ));
        assert!(!cond(
            prefix,
            &ctx.clone().with_condition("s3:prefix", ["home/bob/x"])
        ));

        // ${*} is a literal star, not a wildcard.
        let star = json!({"StringEquals": {"a:k": "x${*}"}});
        assert!(cond(star.clone(), &ctx_with(&[("a:k", &["x*"])])));
        let star_like = json!({"StringLike": {"a:k": "x${*}"}});
        assert!(!cond(star_like, &ctx_with(&[("a:k", &["xyz"])])));
        // Substituted values are literal too.
        let sub = json!({"StringLike": {"a:k": "${a:v}"}});
        assert!(!cond(
            sub.clone(),
            &ctx_with(&[("a:k", &["abc"]), ("a:v", &["a*"])])
        ));
        assert!(cond(sub, &ctx_with(&[("a:k", &["a*"]), ("a:v", &["a*"])])));

        let with_default = json!({"StringEquals": {"a:k": "${a:missing, 'fallback'}"}});
        assert!(cond(with_default, &ctx_with(&[("a:k", &["fallback"])])));

        // Without a value or default the statement does not apply, whatever the operator.
        let anon = RequestContext::new(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::home/x/y");
        let d = doc(
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
            "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"a:k": "${aws:username}"}}}}),
        );
        let t = &evaluate(&anon, &[source("p", PolicyKind::Resource, &d)]).traces[0];
        assert!(!t.matched);
        assert_eq!(
            t.reason,
            "policy variable ${aws:username} has no value in this request"
        );
    }

    // --- evaluation and traces --------------------------------------------------------------

    #[test]
    fn traces_explain_each_statement() {
        let s3 = managed_policy("AmazonS3FullAccess").expect("exists");
        let via = doc(json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "ViaS3", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:123456789012:key/other"},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}));
        let ctx = RequestContext::new(user("S3-Admin-User"), "kms:Decrypt", KEY_ARN)
            .with_condition("kms:ViaService", ["s3.us-east-1.amazonaws.com"]);
        let eval = evaluate(
            &ctx,
            &[
                source(
                    "managed policy AmazonS3FullAccess",
                    PolicyKind::Identity,
                    s3,
                ),
                source(
                    "inline policy \"Kms\" of user S3-Admin-User",
                    PolicyKind::Identity,
                    &via,
                ),
            ],
        );
        let reasons: Vec<&str> = eval.traces.iter().map(|t| t.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "action kms:Decrypt not in [s3:*, s3-object-lambda:*]",
                "condition StringEquals kms:ViaService failed: got [\"s3.us-east-1.amazonaws.com\"], \
                 wanted [\"ec2.us-east-1.amazonaws.com\"]",
                "resource arn:aws:kms:us-east-1:123456789012:key/abcd not in \
                 [arn:aws:kms:us-east-1:123456789012:key/other]",
                "condition StringEquals kms:CallerAccount failed: key not present in request, \
                 wanted [\"210987654321\"]",
                "matched",
            ]
        );
        assert_eq!(eval.traces[1].sid.as_deref(), Some("ViaS3"));
        assert_eq!(eval.traces[1].index, 0);
        assert_eq!(eval.traces[4].index, 3);
        assert_eq!(eval.matched(PolicyKind::Identity, Effect::Allow).count(), 1);
        assert!(eval.identity_allows());
        assert_eq!(eval.explicit_deny(), None);
        assert_eq!(
            eval.traces[1].to_string(),
            "inline policy \"Kms\" of user S3-Admin-User statement 1 (Sid \"ViaS3\") [Allow skipped]: \
             condition StringEquals kms:ViaService failed: got [\"s3.us-east-1.amazonaws.com\"], \
             wanted [\"ec2.us-east-1.amazonaws.com\"]"
        );
    }

    #[test]
    fn long_lists_are_truncated_in_traces() {
        let actions: Vec<String> = (0..50).map(|i| format!("s3:Action{i}")).collect();
        let ctx = RequestContext::new(user("a"), "kms:Decrypt", "*");
        let d = doc(json!({"Statement": {"Effect": "Allow", "Action": actions, "Resource": "*"}}));
        let t = &evaluate(&ctx, &[source("p", PolicyKind::Identity, &d)]).traces[0];
        assert!(
            t.reason.ends_with("s3:Action9, ... 40 more]"),
            "{}",
            t.reason
        );
    }

    fn identity_allow(action: &str) -> PolicyDocument {
        doc(
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": action, "Resource": "*"}}),
        )
    }

    fn identity_deny(action: &str) -> PolicyDocument {
        doc(
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": action, "Resource": "*"}}),
        )
    }

    fn default_key_policy() -> PolicyDocument {
        doc(
            json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [{
            "Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}]}),
        )
    }

    fn kms(ctx: &RequestContext, key: &PolicyDocument, identity: &[&PolicyDocument]) -> Decision {
        let key_src = source(
            &format!("key policy of {KEY_ARN}"),
            PolicyKind::Resource,
            key,
        );
        let ids: Vec<PolicySource<'_>> = identity
            .iter()
            .map(|d| source("identity", PolicyKind::Identity, d))
            .collect();
        decide_kms(ctx, &key_src, &ids, ROOT).0
    }

    fn standard(
        ctx: &RequestContext,
        identity: &[&PolicyDocument],
        resource: &[&PolicyDocument],
    ) -> Decision {
        let ids: Vec<PolicySource<'_>> = identity
            .iter()
            .map(|d| source("identity", PolicyKind::Identity, d))
            .collect();
        let res: Vec<PolicySource<'_>> = resource
            .iter()
            .map(|d| source("bucket policy", PolicyKind::Resource, d))
            .collect();
        decide_standard(ctx, &ids, &res).0
    }

    fn decrypt_ctx(caller: Caller) -> RequestContext {
        RequestContext::new(caller, "kms:Decrypt", KEY_ARN)
    }

    #[test]
    fn kms_root_delegation_needs_an_identity_allow() {
        let key = default_key_policy();
        let ctx = decrypt_ctx(user("S3-Admin-User"));
        assert_eq!(
            kms(&ctx, &key, &[&identity_allow("kms:Decrypt")]),
            Decision::Allow
        );
        assert_eq!(
            kms(&ctx, &key, &[&identity_allow("kms:*")]),
            Decision::Allow
        );
        assert_eq!(
            kms(&ctx, &key, &[]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Identity
            }
        );
        let s3 = managed_policy("AmazonS3FullAccess").expect("exists");
        assert_eq!(
            kms(&ctx, &key, &[s3]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Identity
            }
        );
        let key_src = source("key policy", PolicyKind::Resource, &key);
        let (_, traces) = decide_kms(&ctx, &key_src, &[], ROOT);
        assert_eq!(traces[0].principal_match, Some(PrincipalMatch::Account));
        assert_eq!(
            traces[0].reason,
            "matched (Principal names the caller's account: an identity-based policy must also \
             allow)"
        );
        assert_eq!(
            kms(&decrypt_ctx(root()), &key, &[]),
            Decision::Allow,
            "root needs no IAM policy"
        );
        let bare_account = doc(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": ACCT},
            "Action": "kms:*", "Resource": "*"}}),
        );
        assert_eq!(
            kms(&ctx, &bare_account, &[&identity_allow("kms:Decrypt")]),
            Decision::Allow
        );
        assert_eq!(
            kms(&ctx, &bare_account, &[]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Identity
            }
        );
    }

    #[test]
    fn kms_key_policy_alone_can_allow_a_named_user_and_iam_alone_cannot() {
        let key_user = doc(json!({"Version": "2012-10-17", "Statement": [{
            "Sid": "Allow use of the key", "Effect": "Allow",
            "Principal": {"AWS": USER_ARN},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
            "Resource": "*"}]}));
        let ctx = decrypt_ctx(user("S3-Admin-User"));
        assert_eq!(kms(&ctx, &key_user, &[]), Decision::Allow);
        let other = decrypt_ctx(user("someone-else"));
        let admin = managed_policy("AdministratorAccess").expect("exists");
        assert_eq!(
            kms(&other, &key_user, &[admin]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Resource
            },
            "without the root statement IAM allows do nothing"
        );
    }

    #[test]
    fn kms_explicit_denies_win_and_anonymous_is_never_allowed() {
        let key = default_key_policy();
        let ctx = decrypt_ctx(user("S3-Admin-User"));
        let key_user = doc(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": USER_ARN},
            "Action": "kms:*", "Resource": "*"}}),
        );
        assert_eq!(
            kms(&ctx, &key_user, &[&identity_deny("kms:Decrypt")]),
            Decision::ExplicitDeny {
                kind: PolicyKind::Identity
            }
        );
        let key_deny = doc(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringNotEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}));
        assert_eq!(
            kms(&ctx, &key_deny, &[&identity_allow("kms:*")]),
            Decision::ExplicitDeny {
                kind: PolicyKind::Resource
            }
        );
        let via_s3 = ctx
            .clone()
            .with_condition("kms:ViaService", ["s3.us-east-1.amazonaws.com"]);
        assert_eq!(
            kms(&via_s3, &key_deny, &[&identity_allow("kms:*")]),
            Decision::Allow
        );

        let public = doc(
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}}),
        );
        assert_eq!(
            kms(&decrypt_ctx(Caller::Anonymous), &public, &[]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Resource
            }
        );
        assert_eq!(
            kms(&ctx, &public, &[]),
            Decision::Allow,
            "Principal * grants every signed caller"
        );
        let _ = key;
    }

    #[test]
    fn kms_service_principal_in_key_policy() {
        let key = doc(json!({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "kms:GenerateDataKey*", "Resource": "*"}]}));
        let trail = RequestContext::new(
            Caller::Service("cloudtrail.amazonaws.com".into()),
            "kms:GenerateDataKey",
            KEY_ARN,
        );
        assert_eq!(kms(&trail, &key, &[]), Decision::Allow);
        let other = RequestContext::new(
            Caller::Service("sns.amazonaws.com".into()),
            "kms:GenerateDataKey",
            KEY_ARN,
        );
        assert_eq!(
            kms(&other, &key, &[]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Resource
            }
        );
    }

    #[test]
    fn standard_decisions() {
        let ctx = RequestContext::new(user("alice"), "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            standard(&ctx, &[&identity_allow("s3:*")], &[]),
            Decision::Allow
        );
        assert_eq!(
            standard(&ctx, &[], &[]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Identity
            }
        );
        let names_alice = doc(json!({"Statement": {"Effect": "Allow",
            "Principal": {"AWS": format!("arn:aws:iam::{ACCT}:user/alice")},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}));
        assert_eq!(standard(&ctx, &[], &[&names_alice]), Decision::Allow);
        let names_account = doc(
            json!({"Statement": {"Effect": "Allow", "Principal": {"AWS": ROOT},
            "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}}),
        );
        assert_eq!(
            standard(&ctx, &[], &[&names_account]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Identity
            },
            "naming the account delegates to IAM"
        );
        let deny_all = doc(json!({"Statement": {"Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}}));
        assert_eq!(
            standard(&ctx, &[&identity_allow("*")], &[&deny_all]),
            Decision::ExplicitDeny {
                kind: PolicyKind::Resource
            }
        );
        assert_eq!(
            standard(&ctx, &[&identity_deny("s3:Get*")], &[&names_alice]),
            Decision::ExplicitDeny {
                kind: PolicyKind::Identity
            }
        );
        let root_ctx = RequestContext::new(root(), "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(standard(&root_ctx, &[], &[]), Decision::Allow);
        let account_deny = doc(
            json!({"Statement": {"Effect": "Deny", "Principal": {"AWS": ACCT},
            "Action": "s3:*", "Resource": "*"}}),
        );
        assert_eq!(
            standard(&ctx, &[&identity_allow("*")], &[&account_deny]),
            Decision::ExplicitDeny {
                kind: PolicyKind::Resource
            },
            "a Deny naming the account applies to its users"
        );
    }

    #[test]
    fn standard_anonymous_and_service_callers() {
        let anon = RequestContext::new(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::b/k");
        let public_read = doc(json!({"Statement": {"Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}));
        assert_eq!(standard(&anon, &[], &[&public_read]), Decision::Allow);
        assert_eq!(
            standard(&anon, &[], &[]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Resource
            }
        );
        let (d, traces) = decide_standard(
            &anon,
            &[source(
                "identity",
                PolicyKind::Identity,
                &identity_deny("*"),
            )],
            &[],
        );
        assert_eq!(
            d,
            Decision::ImplicitDeny {
                missing: PolicyKind::Resource
            }
        );
        assert_eq!(
            traces[0].reason,
            "identity-based policies do not apply to anonymous callers"
        );

        let bucket_policy = doc(json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::logs"},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
             "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/AWSLogs/123456789012/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                 "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"}}}]}));
        let put = RequestContext::new(
            Caller::Service("cloudtrail.amazonaws.com".into()),
            "s3:PutObject",
            "arn:aws:s3:::logs/AWSLogs/123456789012/CloudTrail/x.json.gz",
        )
        .with_condition("s3:x-amz-acl", ["bucket-owner-full-control"])
        .with_condition(
            "aws:SourceArn",
            ["arn:aws:cloudtrail:us-east-1:123456789012:trail/main"],
        );
        assert_eq!(standard(&put, &[], &[&bucket_policy]), Decision::Allow);
        let no_acl = RequestContext {
            conditions: BTreeMap::new(),
            ..put.clone()
        };
        assert_eq!(
            standard(&no_acl, &[], &[&bucket_policy]),
            Decision::ImplicitDeny {
                missing: PolicyKind::Resource
            }
        );
        let acl = RequestContext::new(put.caller.clone(), "s3:GetBucketAcl", "arn:aws:s3:::logs");
        assert_eq!(standard(&acl, &[], &[&bucket_policy]), Decision::Allow);
    }

    #[test]
    fn denial_messages_have_aws_shape() {
        let ctx = decrypt_ctx(Caller::Principal {
            arn: USER_ARN.into(),
            account: ACCT.into(),
        });
        assert_eq!(
            denial_message(
                &ctx,
                &Decision::ImplicitDeny {
                    missing: PolicyKind::Identity
                }
            ),
            "User: arn:aws:iam::123456789012:user/S3-Admin-User is not authorized to perform: \
             kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/abcd because no \
             identity-based policy allows the kms:Decrypt action"
        );
        assert_eq!(
            denial_message(
                &ctx,
                &Decision::ImplicitDeny {
                    missing: PolicyKind::Resource
                }
            ),
            "User: arn:aws:iam::123456789012:user/S3-Admin-User is not authorized to perform: \
             kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/abcd because no \
             resource-based policy allows the kms:Decrypt action"
        );
        assert_eq!(
            denial_message(
                &ctx,
                &Decision::ExplicitDeny {
                    kind: PolicyKind::Identity
                }
            ),
            "User: arn:aws:iam::123456789012:user/S3-Admin-User is not authorized to perform: \
             kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/abcd with an explicit \
             deny in an identity-based policy"
        );
        assert_eq!(
            denial_message(
                &ctx,
                &Decision::ExplicitDeny {
                    kind: PolicyKind::Resource
                }
            ),
            "User: arn:aws:iam::123456789012:user/S3-Admin-User is not authorized to perform: \
             kms:Decrypt on resource: arn:aws:kms:us-east-1:123456789012:key/abcd with an explicit \
             deny in a resource-based policy"
        );
        let anon = RequestContext::new(Caller::Anonymous, "s3:GetObject", "arn:aws:s3:::b/k");
        assert_eq!(
            denial_message(
                &anon,
                &Decision::ImplicitDeny {
                    missing: PolicyKind::Resource
                }
            ),
            "User: Anonymous is not authorized to perform: s3:GetObject on resource: \
             arn:aws:s3:::b/k because no resource-based policy allows the s3:GetObject action"
        );
        assert_eq!(denial_message(&ctx, &Decision::Allow), "");
        // The decision procedure and the message agree end to end.
        let key = default_key_policy();
        let (d, _) = decide_kms(
            &ctx,
            &source("key policy", PolicyKind::Resource, &key),
            &[],
            ROOT,
        );
        assert!(
            denial_message(&ctx, &d)
                .ends_with("because no identity-based policy allows the kms:Decrypt action")
        );
    }

    // --- JSON forms -------------------------------------------------------------------------

    #[test]
    fn normalized_json_sorts_keys_and_keeps_arrays() {
        let a = PolicyDocument::parse(
            r#"{ "Statement": [ { "Resource": "*", "Action": ["s3:*"], "Effect": "Allow" } ],
                 "Version": "2012-10-17" }"#,
        )
        .expect("parses");
        let b = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"}]}"#,
        )
        .expect("parses");
        let c = PolicyDocument::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
        )
        .expect("parses");
        assert_eq!(
            a.normalized_json(),
            r#"{"Statement":[{"Action":["s3:*"],"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#
        );
        assert_eq!(a.normalized_json(), b.normalized_json());
        assert_ne!(
            b.normalized_json(),
            c.normalized_json(),
            "one-element arrays are kept"
        );
        assert_eq!(a, b);
        let escaped =
            doc(json!({"Statement": {"Sid": "q\"\\\n\u{1}é", "Effect": "Allow", "Action": "*"}}));
        let text = escaped.normalized_json();
        assert_eq!(
            serde_json::from_str::<Value>(&text).expect("valid JSON"),
            *escaped.json()
        );
        assert!(text.contains(r#""q\"\\\n\u0001é""#), "{text}");
    }

    #[test]
    fn serde_round_trip_keeps_the_document() {
        let d = default_key_policy();
        let text = serde_json::to_string(&d).expect("serialises");
        let back: PolicyDocument = serde_json::from_str(&text).expect("deserialises");
        assert_eq!(back, d);
        assert_eq!(back.json(), d.json());
        let bad: Result<PolicyDocument, _> =
            serde_json::from_str(r#"{"Statement":{"Action":"*"}}"#);
        assert!(
            bad.expect_err("refused")
                .to_string()
                .contains("missing required field Effect")
        );
    }

    #[test]
    fn public_policy_detection() {
        let public = |s: Value| doc(json!({"Statement": s})).is_public();
        assert!(public(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
        ));
        assert!(public(
            json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"})
        ));
        assert!(!public(
            json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
        ));
        assert!(!public(
            json!({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "s3:*", "Resource": "*"})
        ));
        assert!(!public(
            json!({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": "*"})
        ));
        assert!(!public(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCT}}})
        ));
        assert!(public(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*"}}})
        ));
        assert!(public(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "public-read"}}})
        ));
        assert!(!public(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})
        ));
        assert!(public(
            json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}})
        ));
        assert!(public(
            json!({"Effect": "Allow", "NotPrincipal": {"AWS": ROOT}, "Action": "s3:GetObject", "Resource": "*"})
        ));
    }

    // --- properties -------------------------------------------------------------------------

    const ACTIONS: &[&str] = &[
        "kms:Decrypt",
        "kms:Encrypt",
        "s3:GetObject",
        "s3:PutObject",
        "iam:ListUsers",
    ];
    const ACTION_PATTERNS: &[&str] = &[
        "*",
        "kms:*",
        "kms:Decrypt",
        "s3:Get*",
        "s3:*Object",
        "iam:List*",
        "kms:?ncrypt",
    ];
    const RESOURCES: &[&str] = &[KEY_ARN, "arn:aws:s3:::b/o", "*"];
    const RESOURCE_PATTERNS: &[&str] = &["*", "arn:aws:kms:*", "arn:aws:s3:::b/*", KEY_ARN];

    fn caller_strategy() -> impl Strategy<Value = Caller> {
        prop_oneof![
            Just(user("alice")),
            Just(user("bob")),
            Just(root()),
            Just(Caller::Anonymous),
            Just(Caller::Service("cloudtrail.amazonaws.com".into())),
        ]
    }

    fn principal_strategy() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!("*")),
            Just(json!({"AWS": ROOT})),
            Just(json!({"AWS": ACCT})),
            Just(json!({"AWS": format!("arn:aws:iam::{ACCT}:user/alice")})),
            Just(json!({"Service": "cloudtrail.amazonaws.com"})),
        ]
    }

    fn statement_strategy(with_principal: bool) -> impl Strategy<Value = Value> {
        (
            any::<bool>(),
            prop::sample::subsequence(ACTION_PATTERNS, 1..3),
            prop::sample::select(RESOURCE_PATTERNS),
            principal_strategy(),
            any::<bool>(),
        )
            .prop_map(move |(allow, actions, resource, principal, negate_action)| {
                let mut s = json!({"Effect": if allow { "Allow" } else { "Deny" }, "Resource": resource});
                s[if negate_action { "NotAction" } else { "Action" }] = json!(actions);
                if with_principal {
                    s["Principal"] = principal;
                }
                s
            })
    }

    fn policies_strategy(with_principal: bool) -> impl Strategy<Value = Vec<PolicyDocument>> {
        prop::collection::vec(
            prop::collection::vec(statement_strategy(with_principal), 1..4),
            0..3,
        )
        .prop_map(|docs| {
            docs.into_iter()
                .map(|st| doc(json!({"Version": "2012-10-17", "Statement": st})))
                .collect()
        })
    }

    #[derive(Debug)]
    struct World {
        ctx: RequestContext,
        identity: Vec<PolicyDocument>,
        resource: Vec<PolicyDocument>,
        key: PolicyDocument,
    }

    fn world_strategy() -> impl Strategy<Value = World> {
        (
            caller_strategy(),
            prop::sample::select(ACTIONS),
            prop::sample::select(RESOURCES),
            policies_strategy(false),
            policies_strategy(true),
            prop::collection::vec(statement_strategy(true), 1..4),
        )
            .prop_map(
                |(caller, action, resource, identity, resource_docs, key)| World {
                    ctx: RequestContext::new(caller, action, resource),
                    identity,
                    resource: resource_docs,
                    key: doc(json!({"Version": "2012-10-17", "Statement": key})),
                },
            )
    }

    fn decide_both(
        w: &World,
        extra_identity: Option<&PolicyDocument>,
        extra_resource: Option<&PolicyDocument>,
    ) -> (Decision, Decision) {
        let mut ids: Vec<PolicySource<'_>> = w
            .identity
            .iter()
            .map(|d| source("identity", PolicyKind::Identity, d))
            .collect();
        ids.extend(extra_identity.map(|d| source("extra identity", PolicyKind::Identity, d)));
        let mut res: Vec<PolicySource<'_>> = w
            .resource
            .iter()
            .map(|d| source("bucket", PolicyKind::Resource, d))
            .collect();
        res.extend(extra_resource.map(|d| source("extra bucket", PolicyKind::Resource, d)));
        let standard = decide_standard(&w.ctx, &ids, &res).0;
        // For KMS the extra resource statements are appended to the key policy.
        let key = match extra_resource {
            None => w.key.clone(),
            Some(extra) => {
                let mut statements = w.key.json()["Statement"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                match &extra.json()["Statement"] {
                    Value::Array(items) => statements.extend(items.iter().cloned()),
                    single => statements.push(single.clone()),
                }
                doc(json!({"Version": "2012-10-17", "Statement": statements}))
            }
        };
        let kms = decide_kms(
            &w.ctx,
            &source("key", PolicyKind::Resource, &key),
            &ids,
            ROOT,
        )
        .0;
        (standard, kms)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn matching_explicit_deny_always_denies(w in world_strategy(), in_identity in any::<bool>()) {
            let signed = matches!(w.ctx.caller, Caller::Principal { .. });
            // Identity policies do not apply to anonymous or service callers; a resource-policy
            // Deny for everyone does.
            let deny_identity = identity_deny(&w.ctx.action);
            let deny_resource = doc(json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny",
                "Principal": "*", "Action": w.ctx.action.clone(), "Resource": "*"}}));
            let (standard, kms) = if in_identity && signed {
                decide_both(&w, Some(&deny_identity), None)
            } else {
                decide_both(&w, None, Some(&deny_resource))
            };
            prop_assert!(matches!(standard, Decision::ExplicitDeny { .. }), "standard: {:?}", standard);
            prop_assert!(matches!(kms, Decision::ExplicitDeny { .. }), "kms: {:?}", kms);
        }

        #[test]
        fn non_matching_deny_changes_nothing(w in world_strategy(), in_identity in any::<bool>()) {
            let before = decide_both(&w, None, None);
            let other = ACTIONS.iter().find(|a| **a != w.ctx.action).copied().unwrap_or("ec2:RunInstances");
            let after = if in_identity {
                decide_both(&w, Some(&identity_deny(other)), None)
            } else {
                let deny = doc(json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny",
                    "Principal": "*", "Action": other, "Resource": "*"}}));
                decide_both(&w, None, Some(&deny))
            };
            prop_assert_eq!(before, after);
        }
    }

    // --- managed policies -------------------------------------------------------------------

    fn user_ctx(action: &str) -> RequestContext {
        RequestContext::new(
            Caller::Principal {
                arn: "arn:aws:iam::123456789012:user/alice".into(),
                account: "123456789012".into(),
            },
            action,
            "arn:aws:s3:::bucket/key",
        )
    }

    fn allowed_by(policy: &str, action: &str) -> bool {
        let doc = managed_policy(policy).expect("managed policy exists");
        let source = PolicySource {
            label: format!("managed policy {policy}"),
            kind: PolicyKind::Identity,
            doc,
        };
        decide_standard(&user_ctx(action), &[source], &[]).0 == Decision::Allow
    }

    #[test]
    fn every_listed_managed_arn_resolves_to_a_valid_identity_policy() {
        assert_eq!(
            managed_catalogue().len(),
            MANAGED_SOURCES.len(),
            "every managed policy text parses"
        );
        for arn in managed_policy_arns() {
            let info = managed_policy_info(arn).expect("listed ARN resolves");
            assert_eq!(info.arn, *arn);
            assert_eq!(*arn, format!("arn:aws:iam::aws:policy/{}", info.name));
            info.document
                .validate_for(PolicyKind::Identity)
                .expect("valid identity policy");
        }
        assert_eq!(managed_policy_arns().len(), MANAGED_SOURCES.len());
    }

    #[test]
    fn lookup_by_name_or_arn_and_unknown_names() {
        let by_name = managed_policy("AmazonS3FullAccess").expect("by name");
        let by_arn = managed_policy("arn:aws:iam::aws:policy/AmazonS3FullAccess").expect("by arn");
        assert!(std::ptr::eq(by_name, by_arn));
        assert!(managed_policy("amazons3fullaccess").is_none());
        assert!(managed_policy("ReadOnlyAccess").is_none());
        assert!(managed_policy("arn:aws:iam::123456789012:policy/AmazonS3FullAccess").is_none());
    }

    #[test]
    fn administrator_access_allows_everything() {
        assert!(allowed_by("AdministratorAccess", "kms:Decrypt"));
        assert!(allowed_by("AdministratorAccess", "iam:CreateUser"));
    }

    #[test]
    fn s3_policies_grant_no_kms_action() {
        for p in ["AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"] {
            assert!(
                !allowed_by(p, "kms:Decrypt"),
                "{p} must not grant kms:Decrypt"
            );
            assert!(!allowed_by(p, "kms:GenerateDataKey"), "{p}");
        }
        assert!(allowed_by("AmazonS3FullAccess", "s3:PutObject"));
        assert!(allowed_by("AmazonS3ReadOnlyAccess", "s3:GetObject"));
        assert!(allowed_by("AmazonS3ReadOnlyAccess", "s3:ListBucket"));
        assert!(!allowed_by("AmazonS3ReadOnlyAccess", "s3:PutObject"));
        assert!(!allowed_by("AmazonS3ReadOnlyAccess", "s3:DeleteObject"));
    }

    #[test]
    fn kms_power_user_has_no_crypto_or_destructive_actions() {
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "kms:CreateKey"
        ));
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "kms:DescribeKey"
        ));
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "kms:GetKeyPolicy"
        ));
        assert!(allowed_by(
            "AWSKeyManagementServicePowerUser",
            "iam:ListUsers"
        ));
        for denied in [
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
        ] {
            assert!(
                !allowed_by("AWSKeyManagementServicePowerUser", denied),
                "{denied}"
            );
        }
    }
}
