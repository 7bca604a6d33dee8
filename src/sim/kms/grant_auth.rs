//! How a grant takes part in authorizing a call on a key (KMS Developer Guide, "Grants in
//! KMS"): when no key policy or IAM policy allows the call and none denies it explicitly, a
//! grant on the key for the caller that lists the operation allows it, if the request's
//! encryption context meets the grant's constraints (for the operations that take one). The
//! event of a call a grant allowed names the grant (`additionalEventData.grantId`).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::KmsError;
use super::grants::token_grant_id;
use crate::sim::authz::Access;
use crate::sim::policy::Decision;
use crate::sim::world::KmsGrant;
use crate::sim::{CallContext, Cloud, Principal, Touched};

/// Grant operations whose requests carry an encryption context (with a symmetric key), the
/// only ones a grant's encryption context constraints apply to.
const CONTEXT_OPERATIONS: &[&str] = &[
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
];

/// The encryption context of a request, from its `kms:EncryptionContext:` condition keys.
fn request_context(conditions: &[(String, String)]) -> BTreeMap<String, String> {
    conditions
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("kms:EncryptionContext:")
                .map(|k| (k.to_string(), v.clone()))
        })
        .collect()
}

/// Most grant tokens one request carries, and the longest token (API model).
const MAX_GRANT_TOKENS: usize = 10;
const MAX_GRANT_TOKEN_LEN: usize = 8192;

/// Reads a request's `GrantTokens` (the operations that take them): at most 10, each 1 to 8192
/// characters (ValidationException) and a token KMS issued (InvalidGrantTokenException). The
/// grants they name are noted on the call; when a grant decides, those are tried first, so a
/// grant is usable through its token as in AWS (where the token bridges eventual
/// consistency; a keyform world is consistent at once, so the grant also works without it).
pub(super) fn present_grant_tokens(p: &Json, t: &mut Touched) -> Result<(), KmsError> {
    let Some(tokens) = p.get("GrantTokens").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let tokens = tokens.as_array().ok_or(KmsError::InvalidGrantToken)?;
    if tokens.len() > MAX_GRANT_TOKENS {
        return Err(KmsError::TooLong {
            member: "grantTokens",
            value: None,
            max: MAX_GRANT_TOKENS,
        });
    }
    for tok in tokens {
        let tok = tok.as_str().ok_or(KmsError::InvalidGrantToken)?;
        if tok.is_empty() {
            return Err(KmsError::TooShort {
                member: "grantTokens.member",
                min: 1,
            });
        }
        if tok.chars().count() > MAX_GRANT_TOKEN_LEN {
            return Err(KmsError::TooLong {
                member: "grantTokens.member",
                value: None,
                max: MAX_GRANT_TOKEN_LEN,
            });
        }
        t.grant_tokens.push(token_grant_id(tok)?);
    }
    Ok(())
}

/// Whether `context` meets a grant's constraints: keys compare without case, values with it.
pub(super) fn constraints_met(g: &KmsGrant, context: &BTreeMap<String, String>) -> bool {
    let lower = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
        m.iter()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect()
    };
    let have = lower(context);
    if let Some(eq) = &g.context_equals
        && lower(eq) != have
    {
        return false;
    }
    if let Some(sub) = &g.context_subset
        && !lower(sub).iter().all(|(k, v)| have.get(k) == Some(v))
    {
        return false;
    }
    true
}

impl Cloud {
    /// Whether a grant's grantee is the caller: a user or the account by ARN, a role session
    /// by its session ARN or its role's ARN, a service by its service principal (with the
    /// grant's SourceArn constraint met).
    pub(super) fn grantee_is_caller(&self, ctx: &CallContext, g: &KmsGrant) -> bool {
        self.principal_is(ctx, &g.grantee)
            && match (&ctx.principal, &g.source_arn) {
                (Principal::Service(_), Some(arn)) => ctx
                    .conditions
                    .iter()
                    .any(|(k, v)| k == "aws:SourceArn" && v == arn),
                (_, Some(_)) => false,
                _ => true,
            }
    }

    /// Whether `arn` (a grantee or retiring principal) names the caller.
    pub(super) fn principal_is(&self, ctx: &CallContext, arn: &str) -> bool {
        match &ctx.principal {
            Principal::Session(id) => {
                arn == self.principal_arn(&ctx.principal)
                    || self
                        .world
                        .iam
                        .sessions
                        .get(id)
                        .is_some_and(|s| s.role_arn == arn)
            }
            Principal::Anonymous => false,
            p => arn == self.principal_arn(p),
        }
    }

    /// The grant on key `id` that allows `action` for the caller with this request, if any.
    /// The grants named by the request's tokens (`presented`) come first.
    pub(super) fn grant_allowing(
        &self,
        ctx: &CallContext,
        id: &str,
        action: &str,
        conditions: &[(String, String)],
        presented: &[String],
    ) -> Option<KmsGrant> {
        let operation = action.strip_prefix("kms:")?;
        let k = self.world.kms.keys.get(id)?;
        let context = request_context(conditions);
        let applies = k.key_spec == "SYMMETRIC_DEFAULT" && CONTEXT_OPERATIONS.contains(&operation);
        let allows = |g: &&KmsGrant| {
            g.operations.iter().any(|o| o == operation)
                && self.grantee_is_caller(ctx, g)
                && (!applies || constraints_met(g, &context))
        };
        k.grants
            .iter()
            .filter(|g| presented.contains(&g.grant_id))
            .find(allows)
            .or_else(|| k.grants.iter().find(allows))
            .cloned()
    }

    /// Authorizes a call on key `id`: its key policy with the caller's IAM policies, and then
    /// its grants when no policy denied explicitly. Returns the grant that allowed the call.
    pub(super) fn authorize_key(
        &mut self,
        ctx: &CallContext,
        t: &mut Touched,
        id: &str,
        a: &Access,
    ) -> Result<Option<KmsGrant>, KmsError> {
        let e = self.decide_logged(ctx, a);
        if e.decision.is_allowed() {
            return Ok(None);
        }
        if !matches!(e.decision, Decision::ExplicitDeny { .. })
            && let Some(g) = self.grant_allowing(ctx, id, &a.action, &a.conditions, &t.grant_tokens)
        {
            t.additional = Some(json!({"grantId": g.grant_id}));
            return Ok(Some(g));
        }
        Err(KmsError::AccessDenied { message: e.message })
    }
}
