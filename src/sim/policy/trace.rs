//! Trace text: what one statement did for one request ([`StatementTrace`]) and, for `sim
//! explain`, why a statement did not apply, with long lists shortened.
//!
//! It decides nothing; `evaluate` hands it the first element that did not match.

use std::fmt;

use super::ANONYMOUS_CALLER;
use super::evaluate::Mismatch;
use super::model::{
    Caller, Effect, PolicyKind, PrincipalMatch, PrincipalSpec, RequestContext, Statement, Values,
    lookup,
};

/// How many list entries trace text shows before summarising the rest.
const TRACE_LIST_LIMIT: usize = 10;

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

pub(super) fn describe_mismatch(m: &Mismatch<'_>, st: &Statement, ctx: &RequestContext) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::policy::test_support::*;
    use crate::sim::policy::*;
    use serde_json::json;

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
}
