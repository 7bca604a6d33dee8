//! KMS aliases: ListAliases, Create/Update/DeleteAlias and the alias name rules, checked in
//! AWS's order.
//!
//! It does not resolve aliases given as KeyId (see `resolve_key` in this module's parent).

use serde_json::{Value as Json, json};

use super::paging::{self, Limits};
use super::{IdForms, KmsError, MAX_ALIASES_PER_KEY, kms_op};
use crate::sim::authz::Access;
use crate::sim::clock::iso8601;
use crate::sim::world::{EntityRef, KmsAlias};
use crate::sim::{CallContext, Cloud, SimError, opt_str, req_str};

/// ListAliases' `Limit`: 1 to 100, 50 when not given (API reference).
const ALIAS_LIST: Limits = Limits {
    max: 100,
    default: 50,
};

impl Cloud {
    pub fn kms_list_aliases(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let key = opt_str(p, "KeyId")?.map(str::to_string);
        let (limit, marker) = paging::params(p, ALIAS_LIST)?;
        self.run(ctx, kms_op("ListAliases", p, true), |c, _| {
            c.authorize(ctx, &Access::iam_only("kms:ListAliases", "*"))?;
            let filter = match &key {
                Some(k) => Some(c.resolve_key(k, IdForms::KeyOnly)?),
                None => None,
            };
            let order: Vec<String> = c.world.kms.aliases.keys().cloned().collect();
            let aliases: Vec<(String, Json)> = c
                .world
                .kms
                .aliases
                .values()
                .filter(|a| filter.as_ref().is_none_or(|f| &a.target_key_id == f))
                .map(|a| {
                    let entry = json!({
                        "AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.target_key_id,
                        "CreationDate": iso8601(a.created), "LastUpdatedDate": iso8601(a.updated.unwrap_or(a.created)),
                    });
                    (a.name.clone(), entry)
                })
                .collect();
            Ok(paging::page(
                &order,
                aliases,
                limit,
                marker.as_deref(),
                "Aliases",
            )?)
        })
    }

    /// The checks of an alias name, in AWS's order: the API model's constraints
    /// (ValidationException), the `alias/` prefix, the reserved `alias/aws/`, then KMS's
    /// narrower character rule (no `:`).
    fn validate_alias_name(name: &str) -> Result<(), KmsError> {
        if name.len() > 256 {
            return Err(KmsError::TooLong {
                member: "aliasName",
                value: Some(name.into()),
                max: 256,
            });
        }
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
        {
            return Err(KmsError::NotMatching {
                member: "aliasName",
                value: name.into(),
                pattern: "^[a-zA-Z0-9:/_-]+$",
            });
        }
        if !name.starts_with("alias/") {
            return Err(KmsError::InvalidIdentifier);
        }
        if name.starts_with("alias/aws/") {
            return Err(KmsError::ReservedAlias { name: name.into() });
        }
        let rest = &name["alias/".len()..];
        if rest.contains(':') {
            // The model's pattern allows `:`; KMS itself refuses it, still as a ValidationException.
            return Err(KmsError::AliasCharacters { name: name.into() });
        }
        if rest.is_empty() {
            return Err(KmsError::InvalidAliasName { name: name.into() });
        }
        Ok(())
    }

    pub fn kms_create_alias(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "AliasName")?.to_string();
        let target = req_str(p, "TargetKeyId")?.to_string();
        self.run(ctx, kms_op("CreateAlias", p, false), |c, t| {
            Cloud::validate_alias_name(&name)?;
            let alias_arn = c.alias_arn(&name);
            c.authorize(ctx, &Access::iam_only("kms:CreateAlias", &alias_arn))?;
            let id = c.kms_prelude(ctx, t, &target, IdForms::KeyOnly, "kms:CreateAlias", &[])?;
            c.require_not_pending(&id)?;
            if c.world.kms.aliases.contains_key(&name) {
                return Err(KmsError::AliasExists { arn: alias_arn }.into());
            }
            if c.world
                .kms
                .aliases
                .values()
                .filter(|a| a.target_key_id == id)
                .count()
                >= MAX_ALIASES_PER_KEY
            {
                return Err(KmsError::TooManyAliases.into());
            }
            let alias = KmsAlias {
                name: name.clone(),
                arn: alias_arn,
                target_key_id: id,
                created: c.world.now,
                updated: None,
            };
            c.world.kms.aliases.insert(name.clone(), alias);
            c.touch(EntityRef::KmsAlias(name));
            Ok(json!({}))
        })
    }

    pub fn kms_update_alias(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "AliasName")?.to_string();
        let target = req_str(p, "TargetKeyId")?.to_string();
        self.run(ctx, kms_op("UpdateAlias", p, false), |c, t| {
            Cloud::validate_alias_name(&name)?;
            let alias_arn = c.alias_arn(&name);
            // As AWS: the alias ARN is authorized before it is looked up, so a caller without
            // kms:UpdateAlias on it learns nothing of whether it exists.
            c.authorize(ctx, &Access::iam_only("kms:UpdateAlias", &alias_arn))?;
            let Some(current) = c
                .world
                .kms
                .aliases
                .get(&name)
                .map(|a| a.target_key_id.clone())
            else {
                return Err(KmsError::AliasNotFound { arn: alias_arn }.into());
            };
            // The key the alias points to now must let the caller repoint it too: rights on
            // one's own key alone must not take over an alias that others encrypt under.
            c.authorize_on_key(ctx, t, &current, "kms:UpdateAlias")?;
            let id = c.kms_prelude(ctx, t, &target, IdForms::KeyOnly, "kms:UpdateAlias", &[])?;
            c.require_not_pending(&id)?;
            let now = c.world.now;
            if let Some(a) = c.world.kms.aliases.get_mut(&name) {
                a.target_key_id = id;
                a.updated = Some(now);
            }
            c.touch(EntityRef::KmsAlias(name));
            Ok(json!({}))
        })
    }

    pub fn kms_delete_alias(&mut self, ctx: &CallContext, p: &Json) -> Result<Json, SimError> {
        let name = req_str(p, "AliasName")?.to_string();
        self.run(ctx, kms_op("DeleteAlias", p, false), |c, t| {
            Cloud::validate_alias_name(&name)?;
            let alias_arn = c.alias_arn(&name);
            // Authorized on the alias ARN before the lookup, as UpdateAlias.
            c.authorize(ctx, &Access::iam_only("kms:DeleteAlias", &alias_arn))?;
            let Some(target) = c
                .world
                .kms
                .aliases
                .get(&name)
                .map(|a| a.target_key_id.clone())
            else {
                return Err(KmsError::AliasNotFound { arn: alias_arn }.into());
            };
            c.authorize_on_key(ctx, t, &target, "kms:DeleteAlias")?;
            c.world.kms.aliases.remove(&name);
            c.touch(EntityRef::KmsAlias(name));
            Ok(json!({}))
        })
    }
}
