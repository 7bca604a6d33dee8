//! Parsing and validating policy documents: size limits, JSON shape, every element's syntax,
//! and the rules that depend on where a document is attached ([`PolicyDocument::validate_for`]).
//! Errors say where ([`Location`]) and why ([`PolicyError`]).
//!
//! Condition blocks are handed to `condition` and resource patterns to `pattern`, which compile
//! them once here so evaluation never parses policy text.

use std::fmt;

use serde_json::Value;
use thiserror::Error;

use super::MAX_STATEMENTS;
use super::condition::parse_conditions;
use super::model::{
    ActionBlock, Effect, PolicyDocument, PolicyKind, PolicyVersion, PrincipalBlock, PrincipalEntry,
    PrincipalSpec, PrincipalType, ResourceBlock, Statement,
};
use super::pattern::{Pattern, compile_pattern};

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
    /// An `AWS` principal value that can name no principal (a wildcard inside an ARN, a bare
    /// name): KMS and S3 answer it as an invalid principal.
    #[error("{location}: {field} value {value:?} {problem}")]
    InvalidPrincipal {
        /// Where.
        location: Location,
        /// `Principal AWS` or `NotPrincipal AWS`.
        field: String,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
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

pub(super) fn invalid(
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
    let refuse = |problem| PolicyError::InvalidPrincipal {
        location: loc(),
        field: field.to_string(),
        value: value.to_string(),
        problem,
    };
    if value.contains(['*', '?']) {
        return Err(refuse("may not contain wildcards (only \"*\" on its own)"));
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
        Err(refuse("must be \"*\", a 12-digit account id or an IAM ARN"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::policy::test_support::*;
    use serde_json::json;

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
}
