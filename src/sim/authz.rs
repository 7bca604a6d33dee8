//! Authorization of every simulated call: one place maps a call to the policies that decide it
//! (identity policies of the caller, the key policy, the bucket policy) and to AWS's error shape.
//!
//! Which checks each operation performs is declared in the operation table (`ops`, with an
//! audit test holding the handlers to it); the handlers' preludes name each check's resource
//! and operation keys through [`Access`]. Here the whole request context is built (global keys,
//! caller keys, then the operation's, values as sent) and evaluated; the evaluation itself is
//! `policy`'s.

use std::sync::Arc;

use crate::sim::cloudtrail::CloudTrailError;
use crate::sim::iam::IamError;
use crate::sim::kms::KmsError;
use crate::sim::policy::{
    self, Caller, Decision, PolicyDocument, PolicyKind, PolicySource, RequestContext,
    StatementTrace,
};
use crate::sim::s3::S3Error;
use crate::sim::{CallContext, Cloud, Principal, SimError};

/// Which resource policy, if any, takes part in the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourcePolicy {
    /// Identity policies alone decide (IAM, CloudTrail, account-level KMS calls).
    None,
    /// The key policy is mandatory (KMS key operations).
    Key(String),
    /// The bucket policy takes part (S3).
    Bucket(String),
    /// The role's trust policy is mandatory (sts:AssumeRole), by role ARN (the role may be
    /// another account's).
    Trust(String),
}

/// One authorization question: may the caller perform `action` on `resource`?
#[derive(Debug, Clone)]
pub struct Access {
    pub action: String,
    pub resource: String,
    pub policy: ResourcePolicy,
    pub conditions: Vec<(String, String)>,
}

impl Access {
    /// A call decided by identity policies only.
    pub fn iam_only(action: &str, resource: &str) -> Access {
        Access {
            action: action.into(),
            resource: resource.into(),
            policy: ResourcePolicy::None,
            conditions: Vec::new(),
        }
    }

    /// A KMS call on a key: the key policy must allow.
    pub fn kms(
        action: &str,
        key_arn: &str,
        key_id: &str,
        conditions: &[(String, String)],
    ) -> Access {
        Access {
            action: action.into(),
            resource: key_arn.into(),
            policy: ResourcePolicy::Key(key_id.into()),
            conditions: conditions.to_vec(),
        }
    }

    /// An S3 call on a bucket or object of `bucket`.
    pub fn s3(
        action: &str,
        resource: &str,
        bucket: &str,
        conditions: &[(String, String)],
    ) -> Access {
        Access {
            action: action.into(),
            resource: resource.into(),
            policy: ResourcePolicy::Bucket(bucket.into()),
            conditions: conditions.to_vec(),
        }
    }
}

/// A refused authorization: AWS's denial sentence, and the service whose action was refused,
/// which words the error (KMS and CloudTrail answer AccessDeniedException, S3 and IAM
/// AccessDenied, and S3 tells anonymous callers no more than "Access Denied").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub by: DeniedBy,
    pub message: String,
}

/// The service whose action an authorization refused, from the action's namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeniedBy {
    Kms,
    CloudTrail,
    S3 {
        anonymous: bool,
    },
    /// IAM and STS (and any other namespace): AccessDenied.
    Iam,
}

impl From<Denied> for SimError {
    fn from(d: Denied) -> SimError {
        match d.by {
            DeniedBy::Kms => KmsError::AccessDenied { message: d.message }.into(),
            DeniedBy::CloudTrail => CloudTrailError::AccessDenied { message: d.message }.into(),
            DeniedBy::S3 { anonymous: true } => S3Error::AnonymousDenied.into(),
            DeniedBy::S3 { anonymous: false } => {
                S3Error::AccessDenied { message: d.message }.into()
            }
            DeniedBy::Iam => IamError::AccessDenied { message: d.message }.into(),
        }
    }
}

/// The outcome of evaluating an [`Access`], with every statement considered.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub request: RequestContext,
    pub decision: Decision,
    pub traces: Vec<StatementTrace>,
    pub message: String,
}

impl Cloud {
    fn parsed(&mut self, json: &str) -> Option<Arc<PolicyDocument>> {
        if let Some(d) = self.policy_cache.get(json) {
            return Some(d.clone());
        }
        let doc = Arc::new(PolicyDocument::parse(json).ok()?);
        if self.policy_cache.len() > 10_000 {
            self.policy_cache.clear();
        }
        self.policy_cache.insert(json.to_string(), doc.clone());
        Some(doc)
    }

    fn caller(&self, p: &Principal) -> Caller {
        match p {
            Principal::User(_) | Principal::Root | Principal::Session(_) => Caller::Principal {
                arn: self.principal_arn(p),
                account: self.world.account_id.clone(),
            },
            Principal::Anonymous => Caller::Anonymous,
            Principal::Service(s) => Caller::Service(s.clone()),
        }
    }

    /// The caller's identity policies, labelled for traces: a user's inline and attached
    /// managed policies and those of its groups; a role session's role's. The root user has none.
    fn identity_policies(&mut self, p: &Principal) -> Vec<(String, Arc<PolicyDocument>)> {
        let iam = &self.world.iam;
        let (inline, attached): (Vec<(String, String)>, Vec<String>) = match p {
            Principal::User(name) => {
                let Some(user) = iam.users.get(name) else {
                    return Vec::new();
                };
                let mut inline: Vec<(String, String)> = user
                    .inline_policies
                    .iter()
                    .map(|(n, d)| (format!("inline policy \"{n}\" of user {name}"), d.clone()))
                    .collect();
                let mut attached: Vec<String> = user.attached_policies.iter().cloned().collect();
                for g in iam.groups_of(name) {
                    inline.extend(g.inline_policies.iter().map(|(n, d)| {
                        (
                            format!("inline policy \"{n}\" of group {}", g.name),
                            d.clone(),
                        )
                    }));
                    attached.extend(g.attached_policies.iter().cloned());
                }
                (inline, attached)
            }
            Principal::Session(id) => {
                let Some(role) = iam
                    .sessions
                    .get(id)
                    .and_then(|s| iam.roles.get(&s.role_name))
                else {
                    return Vec::new();
                };
                let inline = role
                    .inline_policies
                    .iter()
                    .map(|(n, d)| {
                        (
                            format!("inline policy \"{n}\" of role {}", role.name),
                            d.clone(),
                        )
                    })
                    .collect();
                (inline, role.attached_policies.iter().cloned().collect())
            }
            _ => return Vec::new(),
        };
        let mut out = Vec::new();
        for (label, doc) in inline {
            if let Some(d) = self.parsed(&doc) {
                out.push((label, d));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for arn in attached {
            if seen.insert(arn.clone())
                && let Some(x) = self.managed_document(&arn)
            {
                out.push(x);
            }
        }
        out
    }

    /// An AWS or customer managed policy's default document, labelled for traces.
    fn managed_document(&mut self, arn: &str) -> Option<(String, Arc<PolicyDocument>)> {
        if let Some(d) = policy::managed_policy(arn) {
            let short = arn.rsplit('/').next().unwrap_or(arn).to_string();
            return Some((format!("AWS managed policy {short}"), Arc::new(d.clone())));
        }
        let doc = self
            .world
            .iam
            .policies
            .get(arn)
            .and_then(|m| m.default_version())
            .map(|v| v.document.clone())?;
        let d = self.parsed(&doc)?;
        Some((format!("managed policy {arn}"), d))
    }

    /// A role session's session policies (inline and managed), if it was given any.
    fn session_policies(&mut self, p: &Principal) -> Option<Vec<(String, Arc<PolicyDocument>)>> {
        let Principal::Session(id) = p else {
            return None;
        };
        let s = self.world.iam.sessions.get(id)?;
        if s.policy.is_none() && s.policy_arns.is_empty() {
            return None;
        }
        let (inline, arns) = (s.policy.clone(), s.policy_arns.clone());
        let mut out = Vec::new();
        if let Some(d) = inline.and_then(|t| self.parsed(&t)) {
            out.push(("session policy".to_string(), d));
        }
        for arn in arns {
            if let Some((label, d)) = self.managed_document(&arn) {
                out.push((format!("session policy: {label}"), d));
            }
        }
        Some(out)
    }

    /// Evaluates an access without failing: the decision and every statement considered.
    pub fn explain_access(&mut self, ctx: &CallContext, a: &Access) -> Explanation {
        self.evaluate_access(ctx, a, true)
    }

    /// The whole request context AWS builds for a call: the global keys that follow from the
    /// caller, the time, the network and the region, then the operation's own keys and those
    /// a service adds to its own calls. Values are the caller's, as sent: nothing here
    /// rewrites them (an encryption context value `{region}` stays `{region}`).
    pub(crate) fn request_conditions(
        &self,
        ctx: &CallContext,
        a: &Access,
    ) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut conds: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        let mut put = |k: &str, v: String| {
            let e = conds.entry(k.to_string()).or_default();
            if !e.contains(&v) {
                e.push(v);
            }
        };
        let now = self.world.now;
        put("aws:CurrentTime", crate::sim::clock::iso8601(now));
        put("aws:EpochTime", (now.div_euclid(1000)).to_string());
        // A service calling on the caller's behalf does not carry the caller's network address.
        if ctx.invoked_by.is_none() && ctx.source_ip.parse::<std::net::IpAddr>().is_ok() {
            put("aws:SourceIp", ctx.source_ip.clone());
        }
        put("aws:UserAgent", ctx.user_agent.clone());
        // IAM and STS are global: AWS reports their calls in us-east-1.
        let region = match a.action.split(':').next() {
            Some("iam" | "sts") => "us-east-1".to_string(),
            _ => self.world.region.clone(),
        };
        put("aws:RequestedRegion", region);
        match &ctx.principal {
            Principal::Root => {
                put("aws:PrincipalArn", self.world.root_arn());
                put("aws:PrincipalAccount", self.world.account_id.clone());
                put("aws:PrincipalType", "Account".into());
                put("aws:PrincipalIsAWSService", "false".into());
                put("aws:userid", self.world.account_id.clone());
                if a.action.starts_with("kms:") {
                    put("kms:CallerAccount", self.world.account_id.clone());
                }
            }
            Principal::Session(id) => {
                // A session's aws:PrincipalArn is its role's ARN; it has no aws:username.
                if let Some(s) = self.world.iam.sessions.get(id) {
                    put("aws:PrincipalArn", s.role_arn.clone());
                    put("aws:userid", s.user_id());
                    // The role's tags, with session tags of the same key in their place.
                    let role_tags = self.world.iam.roles.get(&s.role_name).map(|r| &r.tags);
                    let mut tags = role_tags.cloned().unwrap_or_default();
                    tags.retain(|k, _| !s.tags.keys().any(|t| t.eq_ignore_ascii_case(k)));
                    for (k, v) in tags.iter().chain(&s.tags) {
                        put(&format!("aws:PrincipalTag/{k}"), v.clone());
                    }
                }
                put("aws:PrincipalAccount", self.world.account_id.clone());
                put("aws:PrincipalType", "AssumedRole".into());
                put("aws:PrincipalIsAWSService", "false".into());
                if a.action.starts_with("kms:") {
                    put("kms:CallerAccount", self.world.account_id.clone());
                }
            }
            Principal::User(name) => {
                put("aws:PrincipalArn", self.principal_arn(&ctx.principal));
                put("aws:PrincipalAccount", self.world.account_id.clone());
                put("aws:PrincipalType", "User".into());
                put("aws:PrincipalIsAWSService", "false".into());
                put("aws:username", name.clone());
                if let Some(u) = self.world.iam.users.get(name) {
                    put("aws:userid", u.user_id.clone());
                    for (k, v) in &u.tags {
                        put(&format!("aws:PrincipalTag/{k}"), v.clone());
                    }
                }
                if a.action.starts_with("kms:") {
                    put("kms:CallerAccount", self.world.account_id.clone());
                }
            }
            Principal::Service(s) => {
                put("aws:PrincipalServiceName", s.clone());
                put("aws:PrincipalIsAWSService", "true".into());
            }
            Principal::Anonymous => put("aws:PrincipalType", "Anonymous".into()),
        }
        if a.resource != "*" && a.resource.starts_with("arn:aws:") {
            put("aws:ResourceAccount", self.resource_account(a));
        }
        if !matches!(ctx.principal, Principal::Anonymous) {
            put("aws:SecureTransport", ctx.secure_transport.to_string());
        }
        put("aws:ViaAWSService", ctx.invoked_by.is_some().to_string());
        if let Some(s) = &ctx.invoked_by {
            put("aws:CalledVia", s.clone());
        }
        for (k, v) in a.conditions.iter().chain(&ctx.conditions) {
            put(k, v.clone());
        }
        conds
    }

    /// The account owning an access's resource: a key's, a bucket's owner, a role's; else the
    /// account its ARN names, else the caller's.
    pub(crate) fn resource_account(&self, a: &Access) -> String {
        let named = match &a.policy {
            ResourcePolicy::Key(id) => self.world.kms.keys.get(id).map(|k| k.account()),
            ResourcePolicy::Bucket(b) => self.world.bucket_owner(b),
            ResourcePolicy::Trust(arn) => crate::sim::World::arn_account(arn),
            ResourcePolicy::None => crate::sim::World::arn_account(&a.resource),
        };
        named
            .filter(|n| !n.is_empty())
            .unwrap_or(&self.world.account_id)
            .to_string()
    }

    /// A resource policy without which nothing is allowed (a key policy, a role's trust
    /// policy), decided the KMS way; `holder` is the resource's ARN and policy text, `None`
    /// when the resource is gone.
    fn decide_mandatory(
        &mut self,
        req: &RequestContext,
        identity: &[PolicySource<'_>],
        holder: Option<(String, String)>,
        what: &str,
    ) -> (Decision, Vec<StatementTrace>) {
        let doc = holder.as_ref().and_then(|(_, p)| self.parsed(p));
        match (holder, doc) {
            (Some((arn, _)), Some(doc)) => {
                let src = PolicySource {
                    label: format!("{what} of {arn}"),
                    kind: PolicyKind::Resource,
                    doc: &doc,
                };
                // The resource's account's root: naming it delegates to that account's IAM.
                let root = crate::sim::World::arn_account(&arn).map_or_else(
                    || self.world.root_arn(),
                    |a| format!("arn:aws:iam::{a}:root"),
                );
                policy::decide_kms(req, &src, identity, &root)
            }
            _ => (
                Decision::ImplicitDeny {
                    missing: PolicyKind::Resource,
                },
                Vec::new(),
            ),
        }
    }

    /// Evaluates an access; `explain` adds why each statement did not apply (costly, and only
    /// `sim explain` shows it).
    fn evaluate_access(&mut self, ctx: &CallContext, a: &Access, explain: bool) -> Explanation {
        let mut req = RequestContext::new(self.caller(&ctx.principal), &a.action, &a.resource);
        req.explain = explain;
        req.conditions = self.request_conditions(ctx, a);
        let ids = self.identity_policies(&ctx.principal);
        let identity: Vec<PolicySource<'_>> = ids
            .iter()
            .map(|(l, d)| PolicySource {
                label: l.clone(),
                kind: PolicyKind::Identity,
                doc: d,
            })
            .collect();
        let (decision, traces) = match &a.policy {
            ResourcePolicy::None => policy::decide_standard(&req, &identity, &[]),
            ResourcePolicy::Key(id) => {
                let holder = self
                    .world
                    .kms
                    .keys
                    .get(id)
                    .map(|k| (k.arn.clone(), k.policy.clone()));
                self.decide_mandatory(&req, &identity, holder, "key policy")
            }
            ResourcePolicy::Bucket(b) => {
                let text = self.world.s3.buckets.get(b).and_then(|x| x.policy.clone());
                let doc = text.as_deref().and_then(|p| self.parsed(p));
                let resource: Vec<PolicySource<'_>> = doc
                    .as_ref()
                    .map(|d| {
                        vec![PolicySource {
                            label: format!("bucket policy of {b}"),
                            kind: PolicyKind::Resource,
                            doc: d,
                        }]
                    })
                    .unwrap_or_default();
                let (d, t) = policy::decide_standard(&req, &identity, &resource);
                // The bucket owner's root user may always read, set and delete its bucket's
                // policy, so a deny-all bucket policy is never a permanent lock.
                let owner_root_policy_op = matches!(ctx.principal, Principal::Root)
                    && self.world.bucket_owner(b) == Some(self.world.account_id.as_str())
                    && matches!(
                        a.action.as_str(),
                        "s3:GetBucketPolicy" | "s3:PutBucketPolicy" | "s3:DeleteBucketPolicy"
                    );
                (
                    if owner_root_policy_op {
                        Decision::Allow
                    } else {
                        d
                    },
                    t,
                )
            }
            ResourcePolicy::Trust(role_arn) => {
                let holder = crate::sim::World::arn_account(role_arn)
                    .and_then(|acct| self.world.iam_of(acct))
                    .and_then(|iam| iam.roles.values().find(|r| r.arn == *role_arn))
                    .map(|r| (r.arn.clone(), r.assume_role_policy.clone()));
                // The trust policy is mandatory, as a key policy is: naming the caller lets it
                // in; naming its account delegates to its identity policies.
                self.decide_mandatory(&req, &identity, holder, "trust policy")
            }
        };
        let (decision, traces, session_refusal) =
            self.apply_session_policies(ctx, &req, decision, traces);
        let mut message = policy::denial_message(&req, &decision);
        if let Some(explicit) = session_refusal {
            let why = if explicit {
                "with an explicit deny in a session policy".to_string()
            } else {
                format!("because no session policy allows the {} action", a.action)
            };
            message = format!(
                "User: {} is not authorized to perform: {} on resource: {} {why}",
                self.principal_arn(&ctx.principal),
                a.action,
                a.resource
            );
        }
        Explanation {
            request: req,
            decision,
            traces,
            message,
        }
    }

    /// A role session with session policies can do only what both its role's policies (or a
    /// resource policy) and its session policies allow; an explicit deny in a session policy
    /// refuses. Returns the refusal's wording when the session policies refused.
    fn apply_session_policies(
        &mut self,
        ctx: &CallContext,
        req: &RequestContext,
        decision: Decision,
        mut traces: Vec<StatementTrace>,
    ) -> (Decision, Vec<StatementTrace>, Option<bool>) {
        let Some(docs) = self.session_policies(&ctx.principal) else {
            return (decision, traces, None);
        };
        let sources: Vec<PolicySource<'_>> = docs
            .iter()
            .map(|(l, d)| PolicySource {
                label: l.clone(),
                kind: PolicyKind::Identity,
                doc: d,
            })
            .collect();
        let (d, t) = policy::decide_standard(req, &sources, &[]);
        traces.extend(t);
        match (decision, d) {
            (Decision::Allow, Decision::ExplicitDeny { .. }) => (
                Decision::ExplicitDeny {
                    kind: PolicyKind::Identity,
                },
                traces,
                Some(true),
            ),
            (Decision::Allow, Decision::ImplicitDeny { .. }) => (
                Decision::ImplicitDeny {
                    missing: PolicyKind::Identity,
                },
                traces,
                Some(false),
            ),
            (other, _) => (other, traces, None),
        }
    }

    /// Whether a service's own check passes (CloudTrail may write to a bucket, encrypt with a
    /// key): recorded for `sim explain` like any other decision; the service words the failure.
    pub(crate) fn allows(&mut self, ctx: &CallContext, a: &Access) -> bool {
        let explain = self.explain_log.is_some();
        let e = self.evaluate_access(ctx, a, explain);
        let allowed = e.decision.is_allowed();
        if let Some(log) = &mut self.explain_log {
            log.push(e);
        }
        allowed
    }

    /// Evaluates an access and records it for `sim explain`, returning the whole outcome (KMS
    /// reads the decision to let a grant allow what no policy refused explicitly).
    pub(crate) fn decide_logged(&mut self, ctx: &CallContext, a: &Access) -> Explanation {
        let explain = self.explain_log.is_some();
        let e = self.evaluate_access(ctx, a, explain);
        if let Some(log) = &mut self.explain_log {
            log.push(e.clone());
        }
        e
    }

    /// Allows or refuses a call; a refusal is worded by the service the action belongs to
    /// (see [`Denied`]).
    pub(crate) fn authorize(&mut self, ctx: &CallContext, a: &Access) -> Result<(), Denied> {
        let explain = self.explain_log.is_some();
        let e = self.evaluate_access(ctx, a, explain);
        if let Some(log) = &mut self.explain_log {
            log.push(e.clone());
        }
        if e.decision.is_allowed() {
            return Ok(());
        }
        let by = match a.action.split(':').next().unwrap_or("") {
            "kms" => DeniedBy::Kms,
            "cloudtrail" => DeniedBy::CloudTrail,
            "s3" => DeniedBy::S3 {
                anonymous: matches!(ctx.principal, Principal::Anonymous),
            },
            _ => DeniedBy::Iam,
        };
        Err(Denied {
            by,
            message: e.message,
        })
    }

    /// The lockout safety check: would this key policy still let the caller manage the key?
    pub(crate) fn key_policy_lets_caller_manage(
        &mut self,
        ctx: &CallContext,
        doc: &PolicyDocument,
        key_arn: &str,
    ) -> bool {
        // The same request context the PutKeyPolicy call itself was authorized with, so a
        // policy that keys on it (aws:SourceIp, kms:CallerAccount) is judged as it will be.
        let mut req = RequestContext::new(self.caller(&ctx.principal), "kms:PutKeyPolicy", key_arn);
        let id = key_arn.rsplit('/').next().unwrap_or_default();
        let access = Access::kms(
            "kms:PutKeyPolicy",
            key_arn,
            id,
            &self.kms_key_conditions(id, None),
        );
        req.conditions = self.request_conditions(ctx, &access);
        let ids = self.identity_policies(&ctx.principal);
        let identity: Vec<PolicySource<'_>> = ids
            .iter()
            .map(|(l, d)| PolicySource {
                label: l.clone(),
                kind: PolicyKind::Identity,
                doc: d,
            })
            .collect();
        let src = PolicySource {
            label: "new key policy".into(),
            kind: PolicyKind::Resource,
            doc,
        };
        let root = crate::sim::World::arn_account(key_arn).map_or_else(
            || self.world.root_arn(),
            |a| format!("arn:aws:iam::{a}:root"),
        );
        policy::decide_kms(&req, &src, &identity, &root)
            .0
            .is_allowed()
    }
}
