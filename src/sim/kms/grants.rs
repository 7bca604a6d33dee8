//! Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (KMS API
//! reference; how a grant allows a call is `grant_auth`).
//!
//! A grant lives with its key (it goes when the key is deleted). Grants take effect at once:
//! a keyform world is consistent after every call, so the token CreateGrant returns is never
//! needed to use a grant; it identifies the grant to RetireGrant.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{Value as Json, json};

use super::keyspec::KeyKind;
use super::paging::{self, Limits};
use super::{IdForms, KmsError, kms_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, KeyState, KmsGrant};
use crate::sim::{CallContext, Cloud, SimError, Touched, opt_str, req_str};

/// Grants a key may hold (the AWS quota "grants for a given principal per KMS key" is 50,000;
/// keyform counts all of a key's grants against it).
pub(super) const MAX_GRANTS_PER_KEY: usize = 50_000;
const GRANT_LIST: Limits = Limits {
    max: 100,
    default: 50,
};
const TOKEN_PREFIX: &str = "keyform-grant-token:";

/// The grant operations a key supports, by its kind and usage (Developer Guide, "Grant
/// operations").
fn operations_for(kind: KeyKind, usage: &str) -> &'static [&'static str] {
    const COMMON: [&str; 3] = ["DescribeKey", "CreateGrant", "RetireGrant"];
    match (kind, usage) {
        (KeyKind::Symmetric, _) => &[
            "DescribeKey",
            "CreateGrant",
            "RetireGrant",
            "Encrypt",
            "Decrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
        ],
        (KeyKind::Hmac(_), _) => &[
            "DescribeKey",
            "CreateGrant",
            "RetireGrant",
            "GenerateMac",
            "VerifyMac",
        ],
        (_, "SIGN_VERIFY") => &[
            "DescribeKey",
            "CreateGrant",
            "RetireGrant",
            "GetPublicKey",
            "Sign",
            "Verify",
        ],
        (_, "ENCRYPT_DECRYPT") => &[
            "DescribeKey",
            "CreateGrant",
            "RetireGrant",
            "GetPublicKey",
            "Encrypt",
            "Decrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
        ],
        _ => &COMMON,
    }
}

fn string_list(p: &Json, name: &str) -> Vec<String> {
    p.get(name)
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn context_map(c: &Json, name: &str) -> Option<BTreeMap<String, String>> {
    c.get(name).and_then(Json::as_object).map(|m| {
        m.iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect()
    })
}

/// A grant id: 64 hexadecimal digits, as KMS issues them.
fn well_formed_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The grant id a token names (tokens KMS issued only).
pub(super) fn token_grant_id(token: &str) -> Result<String, KmsError> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(token)
        .map_err(|_| KmsError::InvalidGrantToken)?;
    let text = String::from_utf8(raw).map_err(|_| KmsError::InvalidGrantToken)?;
    let id = text
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|r| r.split(':').next())
        .ok_or(KmsError::InvalidGrantToken)?;
    if !well_formed_id(id) {
        return Err(KmsError::InvalidGrantToken);
    }
    Ok(id.to_string())
}

impl Cloud {
    /// A grantee or retiring principal must name one: this account (its root), a user, role
    /// or role session of this account that exists, or any principal of another account.
    fn check_principal(&self, arn: &str) -> Result<(), KmsError> {
        let bad = || KmsError::GrantPrincipalInvalid { arn: arn.into() };
        let Some(rest) = arn
            .strip_prefix("arn:aws:iam::")
            .or_else(|| arn.strip_prefix("arn:aws:sts::"))
        else {
            return Err(bad());
        };
        let (account, resource) = rest.split_once(':').ok_or_else(bad)?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let sts = arn.starts_with("arn:aws:sts::");
        let kind_ok = if sts {
            resource.starts_with("assumed-role/") || resource.starts_with("federated-user/")
        } else {
            resource == "root" || resource.starts_with("user/") || resource.starts_with("role/")
        };
        if !kind_ok {
            return Err(bad());
        }
        if account != self.world.account_id || resource == "root" {
            return Ok(());
        }
        let iam = &self.world.iam;
        let exists = if let Some(r) = resource.strip_prefix("assumed-role/") {
            let role = r.split('/').next().unwrap_or_default();
            iam.roles.contains_key(role)
        } else if resource.starts_with("user/") {
            iam.users.values().any(|u| u.arn == arn)
        } else if resource.starts_with("role/") {
            iam.roles.values().any(|r| r.arn == arn)
        } else {
            true
        };
        if exists { Ok(()) } else { Err(bad()) }
    }

    fn grant_entry(&self, key_arn: &str, g: &KmsGrant) -> Json {
        let mut e = json!({
            "KeyId": key_arn,
            "GrantId": g.grant_id,
            "CreationDate": iso8601(g.created),
            "IssuingAccount": g.issuing_account,
            "Operations": g.operations,
        });
        let service = !g.grantee.starts_with("arn:");
        e[if service {
            "GranteeServicePrincipal"
        } else {
            "GranteePrincipal"
        }] = json!(g.grantee);
        if let Some(n) = &g.name {
            e["Name"] = json!(n);
        }
        if let Some(r) = &g.retiring {
            e[if r.starts_with("arn:") {
                "RetiringPrincipal"
            } else {
                "RetiringServicePrincipal"
            }] = json!(r);
        }
        let mut c = serde_json::Map::new();
        if let Some(m) = &g.context_equals {
            c.insert("EncryptionContextEquals".into(), json!(m));
        }
        if let Some(m) = &g.context_subset {
            c.insert("EncryptionContextSubset".into(), json!(m));
        }
        if let Some(a) = &g.source_arn {
            c.insert("SourceArn".into(), json!(a));
        }
        if !c.is_empty() {
            e["Constraints"] = Json::Object(c);
        }
        e
    }

    fn new_grant_token(&mut self, grant_id: &str) -> String {
        let nonce = self.world.ids.hex(32);
        base64::engine::general_purpose::STANDARD
            .encode(format!("{TOKEN_PREFIX}{grant_id}:{nonce}"))
    }

    pub fn kms_create_grant(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let operations = string_list(p, "Operations");
        let grantee = opt_str(p, "GranteePrincipal")?.map(str::to_string);
        let grantee_service = opt_str(p, "GranteeServicePrincipal")?.map(str::to_string);
        let retiring = opt_str(p, "RetiringPrincipal")?
            .or(opt_str(p, "RetiringServicePrincipal")?)
            .map(str::to_string);
        let name = opt_str(p, "Name")?.map(str::to_string);
        let constraints = p.get("Constraints").cloned().unwrap_or(Json::Null);
        let equals = context_map(&constraints, "EncryptionContextEquals");
        let subset = context_map(&constraints, "EncryptionContextSubset");
        let source_arn = constraints
            .get("SourceArn")
            .and_then(Json::as_str)
            .map(str::to_string);
        self.run(ctx, kms_op("CreateGrant", p, false), |c, t| {
            super::grant_auth::present_grant_tokens(p, t)?;
            if let Some(n) = &name
                && (n.len() > 256
                    || !n
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b":/_-".contains(&b)))
            {
                return Err(KmsError::NotMatching {
                    member: "name",
                    value: n.clone(),
                    pattern: "^[a-zA-Z0-9:/_-]+$",
                }
                .into());
            }
            let grantee = match (grantee, grantee_service) {
                (Some(g), None) => g,
                (None, Some(s)) => {
                    if source_arn.is_none() || retiring.is_none() {
                        return Err(KmsError::ServiceGrantIncomplete.into());
                    }
                    s
                }
                _ => return Err(KmsError::GranteeChoice.into()),
            };
            let mut conds: Vec<(String, String)> = operations
                .iter()
                .map(|o| ("kms:GrantOperations".to_string(), o.clone()))
                .collect();
            conds.push(("kms:GranteePrincipal".into(), grantee.clone()));
            if let Some(r) = &retiring {
                conds.push(("kms:RetiringPrincipal".into(), r.clone()));
            }
            conds.push((
                "kms:GrantIsForAWSResource".into(),
                ctx.invoked_by.is_some().to_string(),
            ));
            for (present, ty) in [
                (equals.is_some(), "EncryptionContextEquals"),
                (subset.is_some(), "EncryptionContextSubset"),
            ] {
                if present {
                    conds.push(("kms:GrantConstraintType".into(), ty.into()));
                }
            }
            let (id, parent) =
                c.kms_prelude_grant(ctx, t, &given, IdForms::KeyOnly, "kms:CreateGrant", &conds)?;
            let k = c.key(&id)?;
            match k.state {
                KeyState::Enabled => {}
                KeyState::Disabled => return Err(KmsError::Disabled { arn: k.arn.clone() }.into()),
                KeyState::PendingDeletion => {
                    return Err(KmsError::PendingDeletion { arn: k.arn.clone() }.into());
                }
                KeyState::PendingImport => {
                    return Err(KmsError::PendingImport { arn: k.arn.clone() }.into());
                }
            }
            let kind = KeyKind::of(&k.key_spec).unwrap_or(KeyKind::Symmetric);
            let allowed = operations_for(kind, &k.key_usage);
            if let Some(o) = operations.iter().find(|o| !allowed.contains(&o.as_str())) {
                return Err(KmsError::GrantOperationNotForKey {
                    operation: o.clone(),
                    arn: k.arn.clone(),
                }
                .into());
            }
            if !grantee.ends_with(".amazonaws.com") {
                c.check_principal(&grantee)?;
            }
            if let Some(r) = retiring
                .as_deref()
                .filter(|r| !r.ends_with(".amazonaws.com"))
            {
                c.check_principal(r)?;
            }
            let grant = KmsGrant {
                grant_id: String::new(),
                name,
                grantee,
                retiring,
                operations,
                context_equals: equals,
                context_subset: subset,
                source_arn,
                issuing_account: c.world.root_arn(),
                created: c.world.now,
            };
            // A grantee creating a grant through its own grant can pass on no more than it
            // holds: only its operations, under constraints at least as strict.
            if let Some(parent) = parent
                && !narrower(&grant, &parent)
            {
                return Err(KmsError::GrantWiderThanParent.into());
            }
            let same = |g: &KmsGrant| {
                g.name.is_some()
                    && KmsGrant {
                        grant_id: String::new(),
                        created: grant.created,
                        ..g.clone()
                    } == grant
            };
            let existing = k
                .grants
                .iter()
                .find(|g| same(g))
                .map(|g| g.grant_id.clone());
            let key_arn = k.arn.clone();
            let count = k.grants.len();
            let grant_id = match existing {
                Some(g) => g,
                None => {
                    if count >= MAX_GRANTS_PER_KEY {
                        return Err(KmsError::TooManyGrants { arn: key_arn }.into());
                    }
                    let grant_id = c.world.ids.hex(64);
                    let g = KmsGrant {
                        grant_id: grant_id.clone(),
                        ..grant
                    };
                    c.key_mut(&id)?.grants.push(g);
                    grant_id
                }
            };
            let token = c.new_grant_token(&grant_id);
            t.response = Some(json!({"grantId": grant_id}));
            Ok(json!({"GrantToken": token, "GrantId": grant_id}))
        })
    }

    pub fn kms_list_grants(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let (limit, marker) = paging::params(p, GRANT_LIST)?;
        let grant_id = opt_str(p, "GrantId")?.map(str::to_string);
        let grantee = opt_str(p, "GranteePrincipal")?
            .or(opt_str(p, "GranteeServicePrincipal")?)
            .map(str::to_string);
        self.run(ctx, kms_op("ListGrants", p, true), |c, t| {
            let conds = [(
                "kms:GrantIsForAWSResource".to_string(),
                ctx.invoked_by.is_some().to_string(),
            )];
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:ListGrants", &conds)?;
            let k = c.key(&id)?;
            let order: Vec<String> = k.grants.iter().map(|g| g.grant_id.clone()).collect();
            let items = k
                .grants
                .iter()
                .filter(|g| grant_id.as_ref().is_none_or(|x| *x == g.grant_id))
                .filter(|g| grantee.as_ref().is_none_or(|x| *x == g.grantee))
                .map(|g| (g.grant_id.clone(), c.grant_entry(&k.arn, g)))
                .collect();
            Ok(paging::page(
                &order,
                items,
                limit,
                marker.as_deref(),
                "Grants",
            )?)
        })
    }

    pub fn kms_list_retirable_grants(
        &mut self,
        ctx: &CallContext,
        p: &Json,
    ) -> Result<Json, SimError> {
        let (limit, marker) = paging::params(p, GRANT_LIST)?;
        let retiring = opt_str(p, "RetiringPrincipal")?
            .or(opt_str(p, "RetiringServicePrincipal")?)
            .map(str::to_string);
        self.run(ctx, kms_op("ListRetirableGrants", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("kms:ListRetirableGrants", "*"))?;
            let Some(retiring) = retiring else {
                return Err(KmsError::Missing {
                    member: "retiringPrincipal",
                }
                .into());
            };
            let all = || {
                c.world
                    .kms
                    .keys
                    .values()
                    .flat_map(|k| k.grants.iter().map(move |g| (k, g)))
            };
            let order: Vec<String> = all()
                .map(|(k, g)| format!("{}/{}", k.key_id, g.grant_id))
                .collect();
            let items = all()
                .filter(|(_, g)| g.retiring.as_deref() == Some(retiring.as_str()))
                .map(|(k, g)| {
                    (
                        format!("{}/{}", k.key_id, g.grant_id),
                        c.grant_entry(&k.arn, g),
                    )
                })
                .collect();
            Ok(paging::page(
                &order,
                items,
                limit,
                marker.as_deref(),
                "Grants",
            )?)
        })
    }

    /// The key and grant a RetireGrant names: by token, or by key and grant id.
    fn grant_to_retire(&self, p: &Json) -> Result<(String, String), KmsError> {
        let token = opt_str(p, "GrantToken")?;
        let key = opt_str(p, "KeyId")?;
        let gid = opt_str(p, "GrantId")?;
        let grant_id = match (token, gid) {
            (Some(tok), _) => token_grant_id(tok)?,
            (None, Some(g)) if key.is_some() => g.to_string(),
            _ => return Err(KmsError::RetireWhich),
        };
        let key_id = match key {
            Some(k) => self.resolve_key(k, IdForms::KeyOnly)?,
            None => self
                .world
                .kms
                .keys
                .values()
                .find(|k| k.grants.iter().any(|g| g.grant_id == grant_id))
                .map(|k| k.key_id.clone())
                .ok_or(KmsError::GrantNotFound {
                    id: grant_id.clone(),
                })?,
        };
        Ok((key_id, grant_id))
    }

    pub fn kms_retire_grant(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        self.run(ctx, kms_op("RetireGrant", p, false), |c, t| {
            let (id, grant_id) = c.grant_to_retire(p)?;
            let arn = c.key_arn(&id);
            t.resources.push(("AWS::KMS::Key".into(), arn.clone()));
            let g = c
                .key(&id)?
                .grants
                .iter()
                .find(|g| g.grant_id == grant_id)
                .cloned();
            // The retiring principal, and the grantee of a grant that allows RetireGrant, may
            // retire it; anyone else needs kms:RetireGrant from the key policy.
            let by_grant = g.as_ref().is_some_and(|g| {
                g.retiring
                    .as_deref()
                    .is_some_and(|r| c.principal_is(ctx, r))
                    || (g.operations.iter().any(|o| o == "RetireGrant")
                        && c.grantee_is_caller(ctx, g))
            });
            if !by_grant {
                let conds = c.kms_key_conditions(&id, None);
                c.authorize_key(
                    ctx,
                    t,
                    &id,
                    &Access::kms("kms:RetireGrant", &arn, &id, &conds),
                )?;
            }
            remove_grant(c, t, &id, &grant_id)?;
            Ok(json!({}))
        })
    }

    pub fn kms_revoke_grant(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let given = req_str(p, "KeyId")?.to_string();
        let grant_id = req_str(p, "GrantId")?.to_string();
        self.run(ctx, kms_op("RevokeGrant", p, false), |c, t| {
            let conds = [(
                "kms:GrantIsForAWSResource".to_string(),
                ctx.invoked_by.is_some().to_string(),
            )];
            let id = c.kms_prelude(ctx, t, &given, IdForms::KeyOnly, "kms:RevokeGrant", &conds)?;
            remove_grant(c, t, &id, &grant_id)?;
            Ok(json!({}))
        })
    }
}

/// Whether `child` allows no more than `parent`: a subset of its operations, and its
/// encryption context constraints at least as strict.
fn narrower(child: &KmsGrant, parent: &KmsGrant) -> bool {
    if !child
        .operations
        .iter()
        .all(|o| parent.operations.contains(o))
    {
        return false;
    }
    let strict = |want: &BTreeMap<String, String>| {
        let all = |m: &Option<BTreeMap<String, String>>| {
            m.as_ref()
                .is_some_and(|m| want.iter().all(|(k, v)| m.get(k) == Some(v)))
        };
        all(&child.context_equals) || all(&child.context_subset)
    };
    parent
        .context_equals
        .as_ref()
        .is_none_or(|e| child.context_equals.as_ref() == Some(e))
        && parent.context_subset.as_ref().is_none_or(strict)
}

fn remove_grant(c: &mut Cloud, _t: &mut Touched, id: &str, grant_id: &str) -> Result<(), KmsError> {
    if !well_formed_id(grant_id) {
        return Err(KmsError::InvalidGrantId);
    }
    let k = c.key_mut(id)?;
    let before = k.grants.len();
    k.grants.retain(|g| g.grant_id != grant_id);
    if k.grants.len() == before {
        return Err(KmsError::GrantNotFound {
            id: grant_id.into(),
        });
    }
    c.touch(EntityRef::KmsKey(id.to_string()));
    Ok(())
}
