//! Evaluation: matching each statement against a request (principal, action, resource,
//! conditions), the per-statement trace of an [`Evaluation`], and the two decision procedures of
//! one account: [`decide_standard`] (S3, IAM) and [`decide_kms`] (the key policy is mandatory),
//! plus AWS's AccessDenied sentence ([`denial_message`]).
//!
//! It does not collect the policies that apply to a call (the services and `authz` do) nor
//! render why a statement was skipped (see `trace`).

use super::ANONYMOUS_CALLER;
use super::condition::{Condition, condition_holds};
use super::model::{
    Caller, Effect, PolicyKind, PolicySource, PrincipalBlock, PrincipalEntry, PrincipalMatch,
    PrincipalSpec, PrincipalType, RequestContext, Statement, arn_parts, is_account_root, lookup,
};
use super::pattern::action_matches;
use super::trace::{StatementTrace, describe_mismatch};

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

/// Why a statement did not apply; rendered to text only for the trace.
pub(super) enum Mismatch<'s> {
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

/// Whether a NotPrincipal block leaves the caller out of its statement. AWS evaluates a caller
/// as the chain of identities it acts for and the statement applies unless every link is
/// named: the account root is its account (`ACCT` or `arn:aws:iam::ACCT:root`); a user is its
/// account and its user ARN; a role session is its account, its role's ARN and its exact
/// session ARN (no wildcard names all sessions). So an account in NotPrincipal exempts only
/// its root, and a user or session listed without its account (or role) is not exempt.
/// `*` exempts everyone; a service is exempt when its service principal is listed.
fn not_principal_exempts(spec: &PrincipalSpec, caller: &Caller) -> bool {
    let entries = match spec {
        PrincipalSpec::Any => return true,
        PrincipalSpec::List(entries) => entries,
    };
    let aws = || entries.iter().filter(|e| e.kind == PrincipalType::Aws);
    if aws().any(|e| e.value == "*") {
        return true;
    }
    match caller {
        Caller::Anonymous => false,
        Caller::Service(name) => entries
            .iter()
            .any(|e| e.kind == PrincipalType::Service && e.value.eq_ignore_ascii_case(name)),
        Caller::Principal { arn, account } => {
            let account_named = aws().any(|e| {
                e.value == *account
                    || matches!(arn_parts(&e.value),
                        Some([_, _, "iam", "", acct, "root"]) if acct == account)
            });
            if !account_named {
                return false;
            }
            if is_account_root(arn, account) {
                return true;
            }
            if !aws().any(|e| e.value == *arn) {
                return false;
            }
            match arn_parts(arn) {
                Some([_, part, "sts", "", acct, session]) => {
                    let Some(role) = session
                        .strip_prefix("assumed-role/")
                        .and_then(|r| r.split('/').next())
                    else {
                        // A federated user session: its account and its own ARN.
                        return true;
                    };
                    aws().any(|e| {
                        matches!(arn_parts(&e.value),
                            Some([_, p, "iam", "", a, r]) if p == part && a == acct
                                && r.strip_prefix("role/")
                                    .and_then(|r| r.rsplit('/').next()) == Some(role))
                    })
                }
                _ => true,
            }
        }
    }
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
                if not_principal_exempts(spec, &ctx.caller) {
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

/// S3/IAM decision: any matching Deny wins; else, in one account, an identity-policy Allow, or a
/// resource-policy Allow naming the caller (not merely its account), allows; else implicit deny.
/// The account root needs no identity policy. A caller of another account than the request's
/// `aws:ResourceAccount` needs both an identity-policy Allow and a resource-policy Allow. Policies in `identity` count as identity-based and
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
    let resource_account = lookup(ctx, "aws:ResourceAccount").single();
    let decision = if let Some(kind) = eval.explicit_deny() {
        Decision::ExplicitDeny { kind }
    } else if let Some(d) = cross_account_decision(ctx, resource_account, &eval) {
        d
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
/// which needs no identity policy. Unsigned (anonymous) calls are never allowed. A caller of
/// another account needs both the key policy and an identity policy of its own account to
/// allow. `key_policy` counts as resource-based and `identity` as identity-based whatever their
/// `kind` says.
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
    let key_account = arn_parts(account_root_arn).map(|p| p[4]);
    let decision = if let Some(kind) = eval.explicit_deny() {
        Decision::ExplicitDeny { kind }
    } else if let Some(d) = cross_account_decision(ctx, key_account, &eval) {
        d
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

/// The decision for a signed caller of another account than the resource's (`None` when the
/// caller is of the resource's account, or is anonymous or a service): AWS allows such a
/// request only when both sides do, the caller's account through an identity-based policy (its
/// root needs none) and the resource's through its resource-based policy, naming the caller or
/// its account. Explicit denies were looked at before.
fn cross_account_decision(
    ctx: &RequestContext,
    resource_account: Option<&str>,
    eval: &Evaluation,
) -> Option<Decision> {
    let Caller::Principal { account, .. } = &ctx.caller else {
        return None;
    };
    let resource_account = resource_account?;
    if resource_account == account {
        return None;
    }
    let resource_ok = eval.resource_allows(PrincipalMatch::Direct)
        || eval.resource_allows(PrincipalMatch::Account);
    let identity_ok = caller_is_root(&ctx.caller) || eval.identity_allows();
    Some(match (identity_ok, resource_ok) {
        (true, true) => Decision::Allow,
        (_, false) => Decision::ImplicitDeny {
            missing: PolicyKind::Resource,
        },
        (false, true) => Decision::ImplicitDeny {
            missing: PolicyKind::Identity,
        },
    })
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::sim::policy::test_support::*;
    use crate::sim::policy::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

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
        assert_eq!(
            resource_match(not_bob, &bob),
            Some(PrincipalMatch::Direct),
            "bob listed without his account is not exempt"
        );
        let not_bob_and_account = json!({"Effect": "Deny", "NotPrincipal": {"AWS": [
            format!("arn:aws:iam::{ACCT}:user/bob"), ROOT]}, "Action": "*", "Resource": "*"});
        assert_eq!(resource_match(not_bob_and_account, &bob), None);
    }

    /// Every principal form against NotPrincipal lists, as the IAM reference's NotPrincipal page
    /// describes them: the caller is exempt only when its account, and for a session its role
    /// and session, are all listed.
    #[test]
    fn not_principal_exempts_only_callers_whose_whole_chain_is_listed() {
        let role = format!("arn:aws:iam::{ACCT}:role/team/Admin");
        let session_arn = format!("arn:aws:sts::{ACCT}:assumed-role/Admin/alice-session");
        let other_session = format!("arn:aws:sts::{ACCT}:assumed-role/Admin/other");
        let bob_arn = format!("arn:aws:iam::{ACCT}:user/bob");
        let session = Caller::Principal {
            arn: session_arn.clone(),
            account: ACCT.into(),
        };
        let trail = Caller::Service("cloudtrail.amazonaws.com".into());
        let callers: [(&str, Caller); 5] = [
            ("root", root()),
            ("bob", user("bob")),
            ("session", session),
            ("anonymous", Caller::Anonymous),
            ("cloudtrail", trail),
        ];
        let other_account = "arn:aws:iam::210987654321:root";
        // (NotPrincipal value, the callers it exempts)
        let cases: Vec<(Value, &[&str])> = vec![
            (json!({"AWS": ROOT}), &["root"]),
            (json!({"AWS": ACCT}), &["root"]),
            (json!({"AWS": other_account}), &[]),
            (json!({"AWS": bob_arn}), &[]),
            (json!({"AWS": [bob_arn, ROOT]}), &["root", "bob"]),
            (json!({"AWS": [bob_arn, ACCT]}), &["root", "bob"]),
            (json!({"AWS": [role, ROOT]}), &["root"]),
            (json!({"AWS": [session_arn, ROOT]}), &["root"]),
            (json!({"AWS": [session_arn, role]}), &[]),
            (
                json!({"AWS": [session_arn, role, ROOT]}),
                &["root", "session"],
            ),
            (json!({"AWS": [other_session, role, ROOT]}), &["root"]),
            (
                json!({"AWS": "*"}),
                &["root", "bob", "session", "anonymous", "cloudtrail"],
            ),
            (
                json!("*"),
                &["root", "bob", "session", "anonymous", "cloudtrail"],
            ),
            (
                json!({"Service": "cloudtrail.amazonaws.com"}),
                &["cloudtrail"],
            ),
            (
                json!({"Service": "s3.amazonaws.com", "AWS": ROOT}),
                &["root"],
            ),
        ];
        // No wildcard names "every session of a role": such a document is refused.
        let all_sessions = json!({"Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": [
            format!("arn:aws:sts::{ACCT}:assumed-role/Admin/*"), role, ROOT]},
            "Action": "*", "Resource": "*"}});
        assert!(PolicyDocument::from_value(all_sessions).is_err());
        for (np, exempt) in &cases {
            let st = json!({"Effect": "Deny", "NotPrincipal": np, "Action": "*", "Resource": "*"});
            for (name, caller) in &callers {
                let ctx = RequestContext::new(caller.clone(), "s3:GetObject", "*");
                let applies = resource_match(st.clone(), &ctx).is_some();
                assert_eq!(
                    applies,
                    !exempt.contains(name),
                    "NotPrincipal {np} against {name}"
                );
            }
        }
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
}
