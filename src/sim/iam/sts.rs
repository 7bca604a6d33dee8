//! STS: AssumeRole (the trust policy and the caller's own permission, session names, durations,
//! session policies, ExternalId) and GetCallerIdentity; the temporary credentials a session
//! signs with (`ASIA...` + a session token) and their lookup for a request signer.
//!
//! Authorizing a session's requests against its role's policies and its session policies is
//! `authz`'s; refusing expired credentials is `Cloud::run`'s.

use serde_json::{Value as Json, json};

use super::session_tags::SessionTags;
use super::{IamError, check_identity_policy};
use crate::sim::authz::{Access, ResourcePolicy};
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, RoleSession};
use crate::sim::{
    CallContext, Cloud, LAB_ADMIN, Op, Principal, SimError, opt_int, opt_str, req_str,
};

/// The name `--as` and test actions give the account root user.
pub const ROOT_CALLER: &str = "root";

/// Shortest session AssumeRole hands out, and the default, in seconds.
pub(super) const SESSION_MIN: i64 = 900;
pub(super) const SESSION_DEFAULT: i64 = 3600;
/// The longest a session started by a role session may last (role chaining).
pub(super) const CHAINED_MAX: i64 = 3600;
/// Session policies (inline), characters.
const SESSION_POLICY_MAX: usize = 2048;

fn sts_op(name: &'static str, params: &Json, read_only: bool) -> Op {
    let mut p = params.clone();
    // Session policies and tokens are the caller's; CloudTrail records neither in full.
    if let Json::Object(m) = &mut p {
        m.remove("Policy");
    }
    Op {
        service: "sts",
        name,
        params: p,
        read_only,
        data_event: false,
    }
}

/// A role session's temporary credentials as a request signer presents them.
pub struct SessionKeyInfo {
    /// The secret access key; never log or store it.
    pub secret: zeroize::Zeroizing<String>,
    pub token_sha256: String,
    pub expires: crate::sim::clock::Millis,
}

impl std::fmt::Debug for SessionKeyInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SessionKeyInfo(expires {})", self.expires)
    }
}

impl Cloud {
    pub fn sts_assume_role(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let role_arn = req_str(p, "RoleArn")?.to_string();
        let session = req_str(p, "RoleSessionName")?.to_string();
        let duration = opt_int(p, "DurationSeconds")?;
        let external_id = opt_str(p, "ExternalId")?.map(str::to_string);
        let policy = opt_str(p, "Policy")?.map(str::to_string);
        let policy_arns: Vec<String> = match p.get("PolicyArns") {
            Some(Json::Array(a)) => a
                .iter()
                .map(|x| req_str(x, "arn").map(str::to_string))
                .collect::<Result<_, _>>()?,
            _ => Vec::new(),
        };
        let mut tags = SessionTags::from_request(p)?;
        self.run(ctx, sts_op("AssumeRole", p, true), |c, t| {
            if matches!(ctx.principal, Principal::Root) {
                return Err(IamError::AccessDenied {
                    message: "Roles may not be assumed by root accounts.".into(),
                }
                .into());
            }
            if !valid_session_name(&session) {
                return Err(IamError::InvalidSessionName {
                    name: session.clone(),
                }
                .into());
            }
            // The role may be another account's (its ARN names it).
            let role_account = crate::sim::World::arn_account(&role_arn)
                .unwrap_or(&c.world.account_id)
                .to_string();
            let role = c
                .world
                .iam_of(&role_account)
                .and_then(|iam| iam.roles.values().find(|r| r.arn == role_arn))
                .cloned();
            t.resources
                .push(("AWS::IAM::Role".into(), role_arn.clone()));
            let mut conds = vec![("sts:RoleSessionName".to_string(), session.clone())];
            if let Some(x) = &external_id {
                conds.push(("sts:ExternalId".into(), x.clone()));
            }
            let access = Access {
                action: "sts:AssumeRole".into(),
                resource: role_arn.clone(),
                policy: ResourcePolicy::Trust(role_arn.clone()),
                conditions: conds,
            };
            // A role that does not exist is refused like one that does not trust the caller.
            c.authorize(ctx, &access)?;
            if let Principal::Session(id) = &ctx.principal
                && let Some(caller) = c.world.iam.sessions.get(id)
            {
                let (inherited, transitive) =
                    (caller.tags.clone(), caller.transitive_tag_keys.clone());
                tags.inherit(&inherited, &transitive)?;
            }
            // Passing session tags is sts:TagSession, decided like AssumeRole itself.
            if !tags.tags.is_empty() {
                c.authorize(
                    ctx,
                    &Access {
                        action: "sts:TagSession".into(),
                        conditions: tags.conditions(),
                        ..access.clone()
                    },
                )?;
            }
            let Some(role) = role else {
                return Err(IamError::NoSuchRole {
                    name: role_arn.clone(),
                }
                .into());
            };
            let chained = matches!(ctx.principal, Principal::Session(_));
            let max = if chained {
                CHAINED_MAX
            } else {
                role.max_session_duration
            };
            let secs = duration.unwrap_or(SESSION_DEFAULT.min(max));
            if secs < SESSION_MIN {
                return Err(IamError::OutOfRange {
                    member: "durationSeconds",
                    value: secs,
                    min: SESSION_MIN,
                    max: 43200,
                }
                .into());
            }
            if secs > max {
                return Err(IamError::DurationExceedsMax.into());
            }
            if let Some(doc) = &policy {
                if doc.chars().filter(|c| !c.is_whitespace()).count() > SESSION_POLICY_MAX {
                    return Err(IamError::PolicyTooLarge.into());
                }
                check_identity_policy(doc)?;
            }
            for arn in &policy_arns {
                // Customer managed session policies are the role's account's.
                if crate::sim::policy::managed_policy(arn).is_none()
                    && !c
                        .world
                        .iam_of(&role_account)
                        .is_some_and(|iam| iam.policies.contains_key(arn))
                {
                    return Err(IamError::NoSuchPolicy { arn: arn.clone() }.into());
                }
            }
            c.drop_expired_sessions();
            let id = format!(
                "ASIA{}",
                c.world.ids.chars(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
            );
            let secret_bytes = crate::sim::crypto::random_bytes(30)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let secret = super::access_keys::secret_text(&secret_bytes[..30]);
            let token_bytes = crate::sim::crypto::random_bytes(96)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let token = format!(
                "FwoGZXIvYXdzE{}",
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    &token_bytes[..]
                )
            );
            let material = crate::sim::crypto::KeyMaterial::from_slice(&{
                let mut k = [0u8; 32];
                k[..30].copy_from_slice(&secret_bytes);
                k
            })
            .map_err(|e| SimError::internal(e.to_string()))?;
            let wrapped = c
                .root
                .wrap(&format!("sts/{id}"), 1, &material)
                .map_err(|e| SimError::internal(e.to_string()))?;
            let now = c.world.now;
            let s = RoleSession {
                access_key_id: id.clone(),
                wrapped_secret: wrapped,
                token_sha256: crate::sim::crypto::sha256_hex(token.as_bytes()),
                role_name: role.name.clone(),
                role_id: role.role_id.clone(),
                role_arn: role.arn.clone(),
                session_name: session.clone(),
                created: now,
                expires: now + secs * 1000,
                policy,
                policy_arns,
                source_arn: c.principal_arn(&ctx.principal),
                tags: std::mem::take(&mut tags.tags),
                transitive_tag_keys: std::mem::take(&mut tags.transitive),
            };
            let out = json!({
                "Credentials": {"AccessKeyId": id, "SecretAccessKey": secret,
                    "SessionToken": token, "Expiration": iso8601(s.expires)},
                "AssumedRoleUser": {"AssumedRoleId": s.user_id(), "Arn": s.arn(&role_account)},
            });
            // CloudTrail shows who got which session, never the secret or the token.
            t.response = Some(json!({
                "credentials": {"accessKeyId": id, "expiration": iso8601(s.expires)},
                "assumedRoleUser": {"assumedRoleId": s.user_id(), "arn": s.arn(&role_account)},
            }));
            // The session is a principal of the role's account.
            if let Some(iam) = c.world.iam_of_mut(&role_account) {
                iam.sessions.insert(id.clone(), s);
            }
            c.touch_in(&role_account, EntityRef::Session(id));
            Ok(out)
        })
    }

    /// Sessions past their expiry are useless: forgetting them keeps the world small.
    fn drop_expired_sessions(&mut self) {
        let now = self.world.now;
        let stale: Vec<String> = self
            .world
            .iam
            .sessions
            .values()
            .filter(|s| s.expires <= now)
            .map(|s| s.access_key_id.clone())
            .collect();
        for id in stale {
            self.world.iam.sessions.remove(&id);
            self.touch(EntityRef::Session(id));
        }
    }

    /// A role session's credentials by access key id, so a server can verify SigV4 signatures
    /// made with them and the session token sent beside them.
    pub fn session_key(&self, id: &str) -> Option<SessionKeyInfo> {
        let account = self.world.session_account(id)?;
        let s = self.world.iam_of(&account)?.sessions.get(id)?;
        let m = self
            .root
            .unwrap(&format!("sts/{id}"), 1, &s.wrapped_secret)
            .ok()?;
        Some(SessionKeyInfo {
            secret: zeroize::Zeroizing::new(super::access_keys::secret_text(&m.expose()[..30])),
            token_sha256: s.token_sha256.clone(),
            expires: s.expires,
        })
    }

    /// `--as role/NAME` and test actions `as = "role/NAME"`: lab-admin assumes the role (the
    /// trust policy decides, as for any AssumeRole) and the call runs as that session.
    pub fn assume_role_as_lab_admin(&mut self, role: &str) -> Result<CallContext, SimError> {
        let arn = self
            .world
            .iam
            .roles
            .get(role)
            .map(|r| r.arn.clone())
            .ok_or_else(|| IamError::NoSuchRole { name: role.into() })?;
        self.assume_role_arn_as_lab_admin(&arn)
    }

    /// lab-admin assumes the role of `arn` (of any account): the call runs as the session,
    /// in the role's account.
    pub(crate) fn assume_role_arn_as_lab_admin(
        &mut self,
        arn: &str,
    ) -> Result<CallContext, SimError> {
        let out = self.call_json(
            &CallContext::lab_admin(),
            "sts:AssumeRole",
            &json!({"RoleArn": arn, "RoleSessionName": LAB_ADMIN}),
        )?;
        let id = out["Credentials"]["AccessKeyId"]
            .as_str()
            .unwrap_or_default();
        let ctx = CallContext::session(id);
        Ok(match self.world.session_account(id) {
            Some(a) => ctx.in_account(&a),
            None => ctx,
        })
    }

    /// The caller a name stands for in `--as NAME`, `KEYFORM_AS` and test actions' `as`:
    /// `root` is the account root user, `role/NAME` a session of that role assumed by lab-admin,
    /// anything else an IAM user.
    pub fn caller_named(&mut self, name: &str) -> Result<CallContext, SimError> {
        if name == ROOT_CALLER {
            return Ok(CallContext::root());
        }
        match name.strip_prefix("role/") {
            Some(role) => self.assume_role_as_lab_admin(role),
            None => Ok(CallContext::user(name)),
        }
    }

    /// STS GetCallerIdentity: who the caller is. Needs no permission (even an explicit Deny
    /// cannot block it); CloudTrail records it as a management event, as AWS does.
    pub fn sts_get_caller_identity(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        self.run(ctx, sts_op("GetCallerIdentity", p, true), |c, _| {
            let account = c.world.account_id.clone();
            match &ctx.principal {
                Principal::User(n) => {
                    let u = c
                        .world
                        .iam
                        .users
                        .get(n)
                        .ok_or_else(|| IamError::NoSuchUser {
                            name: n.to_string(),
                        })?;
                    Ok(json!({"UserId": u.user_id, "Account": account, "Arn": u.arn}))
                }
                Principal::Root => {
                    Ok(json!({"UserId": account, "Account": account, "Arn": c.world.root_arn()}))
                }
                Principal::Session(id) => {
                    let s = c
                        .world
                        .iam
                        .sessions
                        .get(id)
                        .ok_or(IamError::InvalidClientTokenId)?;
                    Ok(json!({"UserId": s.user_id(), "Account": account, "Arn": s.arn(&account)}))
                }
                _ => Err(IamError::MissingAuthenticationToken.into()),
            }
        })
    }
}

/// `[\w+=,.@-]{2,64}`.
fn valid_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}
