//! The policy document model and the request model: what a parsed document holds (statements
//! with their principal, action, resource and condition blocks), who calls and with which
//! condition keys ([`RequestContext`]), and the document's JSON forms (canonical text, serde).
//!
//! It does not parse (see `parse`), match or decide (see `evaluate`); it only holds data and
//! answers questions that need no request, such as [`PolicyDocument::is_public`].

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::condition::Condition;
use super::pattern::Pattern;

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

/// A parsed policy document. Keeps the JSON it was parsed from so callers can store and show it.
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    pub(super) version: PolicyVersion,
    pub(super) id: Option<String>,
    pub(super) statements: Vec<Statement>,
    pub(super) json: Value,
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
    pub(super) sid: Option<String>,
    pub(super) effect: Effect,
    pub(super) principal: Option<PrincipalBlock>,
    pub(super) action: ActionBlock,
    pub(super) resource: Option<ResourceBlock>,
    pub(super) conditions: Vec<Condition>,
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

#[derive(Debug, Clone)]
pub(super) struct PrincipalBlock {
    pub(super) negated: bool,
    pub(super) spec: PrincipalSpec,
}

#[derive(Debug, Clone)]
pub(super) enum PrincipalSpec {
    /// `"Principal": "*"`.
    Any,
    List(Vec<PrincipalEntry>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PrincipalType {
    Aws,
    Service,
    Federated,
    CanonicalUser,
}

impl PrincipalType {
    pub(super) fn name(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct PrincipalEntry {
    pub(super) kind: PrincipalType,
    pub(super) value: String,
}

#[derive(Debug, Clone)]
pub(super) struct ActionBlock {
    pub(super) negated: bool,
    pub(super) patterns: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct ResourceBlock {
    pub(super) negated: bool,
    pub(super) patterns: Vec<Pattern>,
}

impl PolicyDocument {
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

/// The values of one condition key in a request.
#[derive(Clone, Copy)]
pub(super) enum Values<'a> {
    Missing,
    Many(&'a [String]),
    One(&'a str),
}

impl<'a> Values<'a> {
    pub(super) fn iter(self) -> impl Iterator<Item = &'a str> {
        let (many, one): (&'a [String], Option<&'a str>) = match self {
            Values::Missing => (&[], None),
            Values::Many(v) => (v, None),
            Values::One(s) => (&[], Some(s)),
        };
        many.iter().map(String::as_str).chain(one)
    }

    pub(super) fn single(self) -> Option<&'a str> {
        match self {
            Values::One(s) => Some(s),
            Values::Many([only]) => Some(only.as_str()),
            _ => None,
        }
    }
}

/// Parts of an ARN `arn:partition:service:region:account:resource`.
pub(super) fn arn_parts(arn: &str) -> Option<[&str; 6]> {
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

pub(super) fn is_account_root(arn: &str, account: &str) -> bool {
    matches!(arn_parts(arn), Some([_, _, "iam", "", acct, "root"]) if acct == account)
}

pub(super) fn lookup<'a>(ctx: &'a RequestContext, key: &str) -> Values<'a> {
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
        Value::String(s) => crate::text::json_quote_plain(s, out),
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
        crate::text::json_quote_plain(k, out);
        out.push(':');
        write_canonical(v, out);
    }
    out.push('}');
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::policy::test_support::*;
    use serde_json::{Value, json};

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
}
