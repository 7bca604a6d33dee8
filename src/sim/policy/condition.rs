//! Condition operators: the operator table (every IAM family, IfExists and the set
//! qualifiers), compiling a Condition block's values once at parse time, and deciding whether a
//! condition holds for a request.
//!
//! Date values are read with the `time` crate: ISO 8601 dates and date-times, or epoch
//! seconds, as AWS accepts for the Date operators. It does not match principals, actions or
//! resources (see `evaluate`), nor expand wildcards (see `pattern`).

use std::net::IpAddr;

use serde_json::Value;
use time::format_description::BorrowedFormatItem as Item;
use time::macros::format_description;
use time::parsing::Parsed;
use time::{Date, PrimitiveDateTime, Time, UtcOffset};

use super::model::{RequestContext, Values, lookup};
use super::parse::{Location, PolicyError, invalid};
use super::pattern::{Part, Pattern, Unresolved, compile_pattern};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
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
    pub(super) fn negated(self) -> bool {
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
pub(super) enum SetQualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone)]
pub(super) struct Condition {
    /// Operator as written, e.g. `ForAnyValue:StringLikeIfExists`.
    pub(super) op_name: String,
    pub(super) op: Op,
    pub(super) set: SetQualifier,
    pub(super) if_exists: bool,
    pub(super) key: String,
    /// Policy values as written, for trace text.
    pub(super) raw: Vec<String>,
    pub(super) values: CondValues,
}

#[derive(Debug, Clone)]
pub(super) enum CondValues {
    Strings(Vec<Pattern>),
    Numbers(Vec<f64>),
    /// Milliseconds since the Unix epoch.
    Dates(Vec<i64>),
    Bools(Vec<bool>),
    Cidrs(Vec<Cidr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Cidr {
    pub(super) v6: bool,
    pub(super) network: u128,
    pub(super) prefix: u8,
}

impl Condition {
    pub(super) fn pins_fixed_value(&self) -> bool {
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

pub(super) fn parse_conditions(
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
    pub(super) fn contains(&self, ip: IpAddr) -> bool {
        let (v6, bits, max) = ip_bits(ip);
        v6 == self.v6 && bits & prefix_mask(self.prefix, max) == self.network
    }
}

/// `2024-01-31`: a date alone means its midnight, UTC.
const DATE: &[Item<'_>] = format_description!("[year]-[month]-[day]");
/// `T12:00`, `T12:00:00` or `T12:00:00.123456`, after `T`, `t` or a space. Seconds may be 60
/// (a leap second); more fraction digits than a millisecond are read and dropped.
const TIME: &[Item<'_>] = &[
    Item::First(&[
        Item::StringLiteral("T"),
        Item::StringLiteral("t"),
        Item::StringLiteral(" "),
    ]),
    Item::Compound(format_description!("[hour]:[minute]")),
    Item::Optional(&Item::Compound(format_description!(
        ":[second][optional [.[subsecond digits:1+]]]"
    ))),
];
/// `Z`, `z`, `+05:30` or `-0800`; no zone at all means UTC.
const ZONE: &[Item<'_>] = &[Item::Optional(&Item::First(&[
    Item::StringLiteral("Z"),
    Item::StringLiteral("z"),
    Item::Compound(format_description!(
        "[offset_hour sign:mandatory][optional [:]][offset_minute]"
    )),
]))];

/// Milliseconds since the Unix epoch from ISO 8601 (`2024-01-31`, `2024-01-31T12:00:00Z`,
/// fractional seconds, `+hh:mm` offsets) or from epoch seconds, as the Date operators take them.
fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().ok()?.checked_mul(1000);
    }
    // Policies write years as four digits; `time` would also take a signed year.
    if !s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut parsed = Parsed::new();
    let rest = parsed.parse_items(s.as_bytes(), DATE).ok()?;
    let date = Date::try_from(parsed).ok()?;
    if rest.is_empty() {
        return Some(date.midnight().assume_utc().unix_timestamp() * 1000);
    }
    let rest = parsed.parse_items(rest, TIME).ok()?;
    // `time` reads 32 fraction digits at most; the rest cannot change the millisecond.
    let rest = match parsed.subsecond() {
        Some(_) => &rest[rest.iter().take_while(|b| b.is_ascii_digit()).count()..],
        None => rest,
    };
    let rest = parsed.parse_items(rest, ZONE).ok()?;
    if !rest.is_empty() {
        return None;
    }
    // A leap second is the first instant of the next minute.
    let leap = parsed.second() == Some(60);
    if leap {
        parsed.set_second(59)?;
    }
    let time = Time::try_from(parsed).ok()?;
    let offset = match parsed.offset_hour() {
        Some(_) => UtcOffset::try_from(parsed).ok()?.whole_seconds(),
        None => 0,
    };
    let local = PrimitiveDateTime::new(date, time).assume_utc();
    let millis = local.unix_timestamp() * 1000 + i64::from(time.millisecond());
    Some(millis + if leap { 1000 } else { 0 } - i64::from(offset) * 1000)
}

pub(super) fn condition_holds<'s>(
    c: &'s Condition,
    ctx: &RequestContext,
) -> Result<bool, Unresolved<'s>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::policy::test_support::*;
    use crate::sim::policy::*;
    use serde_json::json;

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

    /// The forms the hand-written reader took, with the values it gave, read by `time` now.
    /// Offsets that are not ISO 8601 (`+0:530`, minutes over 59, hours over 25) are refused.
    #[test]
    fn date_values_are_read_as_before() {
        let cases: &[(&str, Option<i64>)] = &[
            ("2020-01-01", Some(1577836800000)),
            ("2020-01-01T00:00:00Z", Some(1577836800000)),
            ("2020-01-01T01:00:00+00:30", Some(1577838600000)),
            ("1577836800", Some(1577836800000)),
            ("2019-12-31", Some(1577750400000)),
            ("2020-01-01T00:00:00.000Z", Some(1577836800000)),
            ("2020-01-02", Some(1577923200000)),
            ("2020-01-01T00:00:00.5Z", Some(1577836800500)),
            ("2026-01-01T00:00:00Z", Some(1767225600000)),
            ("2019-12-31T23:59:59Z", Some(1577836799000)),
            (" 2024-02-29T12:34:56.789123Z ", Some(1709210096789)),
            ("2024-02-30", None),
            ("2023-02-29", None),
            ("2024-01-31t12:00z", Some(1706702400000)),
            ("2024-01-31 12:00", Some(1706702400000)),
            ("2024-01-31T12:00-08:00", Some(1706731200000)),
            ("2024-01-31T12:00:00-0800", Some(1706731200000)),
            ("2016-12-31T23:59:60Z", Some(1483228800000)),
            ("1969-12-31T23:59:59.5004Z", Some(-500)),
            ("0000-01-01", Some(-62167219200000)),
            ("0000-03-01T00:00:00+01:00", Some(-62162038800000)),
            ("9999-12-31T23:59:59.999Z", Some(253402300799999)),
            ("2024-13-01", None),
            ("2024-01-32", None),
            ("2024-01-31T24:00", None),
            ("2024-01-31T12:60", None),
            ("2024-01-31T12:00:61", None),
            ("2024-01-31T12:00:00.", None),
            ("2024-01-31T12", None),
            ("+2024-01-31", None),
            ("2024-1-31", None),
            ("20240131", Some(20240131000)),
            ("2024-01-31T12:00:00+05", None),
            ("2024-01-31T12:00:00+05:30", Some(1706682600000)),
            ("2024-01-31T12:00:00.1234567890123Z", Some(1706702400123)),
            (
                "2024-01-31T12:00:00.123456789012345678901234567890123456Z",
                Some(1706702400123),
            ),
            ("", None),
            ("abc", None),
            ("2024-01-31X", None),
            ("2024-01-31T12:00:00ZZ", None),
            ("0", Some(0)),
            ("-5", None),
            ("2024-01-31T12:00:00 Z", None),
            ("2024-01-31T12:00:00-00:00", Some(1706702400000)),
            ("1900-02-29", None),
            ("2000-02-29", Some(951782400000)),
            ("2024-01-31T12:00:00.5+01:00", Some(1706698800500)),
            ("2024-01-31T12:00:60.250-01:30", Some(1706707860250)),
            ("99999999999999999999", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), *want, "{text:?}");
        }
        for refused in [
            "2024-01-31T12:00:00+0:530",
            "2024-01-31T12:00:00+26:00",
            "2024-01-31T12:00:00+05:75",
        ] {
            assert_eq!(parse_date(refused), None, "{refused:?}");
        }
    }
}
