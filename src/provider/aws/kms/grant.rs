//! `aws_kms_grant`: a grant on a KMS key (operations for a grantee, optional encryption context
//! constraints). Every argument forces replacement, as in the Terraform provider; the id is
//! `<key_id>:<grant_id>`. Destroying revokes the grant, or retires it with `retire_on_delete`.
//!
//! The grant token is kept in state (sensitive), as Terraform keeps it: it is not a credential,
//! only the grant's name for RetireGrant.

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{set_of_strings, string};
use crate::provider::aws::common::{
    blocks, bool_of, carry, fail, keep_key_ref, map_value, object_set, opt_string, resolve_key,
    str_of, string_map, string_set, strings, target,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BlockSchema as B, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const GRANT: &str = "KMS Grant";

/// Grant operations the Terraform provider accepts.
const OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "Sign",
    "Verify",
    "GetPublicKey",
    "CreateGrant",
    "RetireGrant",
    "DescribeKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateMac",
    "VerifyMac",
    "DeriveSharedSecret",
];

fn operations(v: &Value) -> Result<(), String> {
    for o in strings(v) {
        if !OPERATIONS.contains(&o.as_str()) {
            return Err(format!(
                "expected operations to be one of [{}], got {o}",
                OPERATIONS.join(" ")
            ));
        }
    }
    Ok(())
}

fn grant_name(v: &Value) -> Result<(), String> {
    let n = v.as_str().unwrap_or_default();
    if n.is_empty()
        || n.len() > 256
        || !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
    {
        return Err(format!(
            "{v} must be 1 to 256 characters of [a-zA-Z0-9:/_-]"
        ));
    }
    Ok(())
}

/// `aws_kms_grant`.
pub(crate) struct Grant;

impl Resource<AwsProvider<'_>> for Grant {
    fn schema(&self) -> ResourceSchema {
        let context = || T::Map(Box::new(T::String));
        ResourceSchema {
            kind: "aws_kms_grant",
            summary: "A grant on a KMS key: operations for a grantee, optionally constrained",
            body: BodySchema::new(vec![
                A::optional("name", string())
                    .force_new()
                    .validate(grant_name),
                A::required("key_id", string()).force_new(),
                A::required("grantee_principal", string()).force_new(),
                A::required("operations", set_of_strings())
                    .force_new()
                    .validate(operations),
                A::optional("retiring_principal", string()).force_new(),
                A::optional("grant_creation_tokens", set_of_strings()).force_new(),
                A::optional("retire_on_delete", T::Bool)
                    .force_new()
                    .default(false),
                A::computed("grant_id", string()),
                A::computed("grant_token", string()).sensitive(),
                A::computed("id", string()),
            ])
            .blocks(vec![
                B::set(
                    "constraints",
                    0,
                    usize::MAX,
                    BodySchema::new(vec![
                        A::optional("encryption_context_equals", context()),
                        A::optional("encryption_context_subset", context()),
                    ]),
                )
                .force_new(),
            ])
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        GRANT
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_grant(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let key = str_of(planned, "key_id").unwrap_or_default().to_string();
        let what = target(GRANT, &key);
        let mut p = json!({
            "KeyId": key,
            "GranteePrincipal": str_of(planned, "grantee_principal"),
            "Operations": strings(planned.get("operations").unwrap_or(&Value::Null)),
        });
        if let Some(n) = str_of(planned, "name") {
            p["Name"] = json!(n);
        }
        if let Some(r) = str_of(planned, "retiring_principal") {
            p["RetiringPrincipal"] = json!(r);
        }
        let mut constraints = serde_json::Map::new();
        for c in blocks(planned, "constraints") {
            for (attr, member) in [
                ("encryption_context_equals", "EncryptionContextEquals"),
                ("encryption_context_subset", "EncryptionContextSubset"),
            ] {
                let m = string_map(c.get(attr).unwrap_or(&Value::Null));
                if c.get(attr).is_some_and(|v| !v.is_null()) {
                    constraints.insert(member.into(), json!(m));
                }
            }
        }
        if !constraints.is_empty() {
            p["Constraints"] = Json::Object(constraints);
        }
        let r = aws
            .cloud
            .call_json(&aws.ctx, "kms:CreateGrant", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let grant_id = r["GrantId"].as_str().unwrap_or_default();
        let key_id = resolve_key(&aws.cloud.world, &key)
            .unwrap_or(&key)
            .to_string();
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(format!("{key_id}:{grant_id}")));
        seed.insert("grant_token".into(), opt_string(r["GrantToken"].as_str()));
        self.read_back(aws, "creating", &key, &seed)
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default();
        let Some((key, grant)) = id.split_once(':') else {
            return Ok(());
        };
        let p = json!({"KeyId": key, "GrantId": grant});
        let op = if bool_of(prior, "retire_on_delete") == Some(true) {
            "kms:RetireGrant"
        } else {
            "kms:RevokeGrant"
        };
        match aws.cloud.call_json(&aws.ctx, op, &p) {
            Err(e) if e.code != "NotFoundException" => Err(fail("deleting", &target(GRANT, id), e)),
            _ => Ok(()),
        }
    }
}

fn read_grant(w: &World, prior: &Map) -> Option<Map> {
    let id = str_of(prior, "id")?;
    let (key_id, grant_id) = id.split_once(':')?;
    let k = w.kms.keys.get(key_id)?;
    let g = k.grants.iter().find(|g| g.grant_id == grant_id)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::string(id));
    m.insert("grant_id".into(), Value::string(&g.grant_id));
    m.insert("key_id".into(), keep_key_ref(w, prior, "key_id", key_id));
    m.insert("name".into(), opt_string(g.name.as_deref()));
    m.insert("grantee_principal".into(), Value::string(&g.grantee));
    m.insert(
        "retiring_principal".into(),
        opt_string(g.retiring.as_deref()),
    );
    m.insert(
        "operations".into(),
        string_set(g.operations.iter().cloned()),
    );
    let mut constraints = Vec::new();
    if g.context_equals.is_some() || g.context_subset.is_some() {
        let as_value =
            |c: &Option<BTreeMap<String, String>>| c.as_ref().map_or(Value::Null, map_value);
        let mut c = Map::new();
        c.insert(
            "encryption_context_equals".into(),
            as_value(&g.context_equals),
        );
        c.insert(
            "encryption_context_subset".into(),
            as_value(&g.context_subset),
        );
        constraints.push(c);
    }
    m.insert("constraints".into(), object_set(constraints));
    for (k, default) in [
        ("grant_creation_tokens", Value::Null),
        ("retire_on_delete", Value::Bool(false)),
        ("grant_token", Value::Null),
    ] {
        m.insert(k.into(), carry(prior, k, default));
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::super::testing::new_key;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn grant_lifecycle_constraints_drift_and_errors() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let key_arn = key["arn"].as_str().unwrap().to_string();
        let key_id = key["id"].as_str().unwrap().to_string();
        let subset = obj(vec![("app", s("lab"))]);
        let planned = plan_create(
            &p,
            "aws_kms_grant",
            vec![
                ("name", s("app-decrypt")),
                ("key_id", s(&key_arn)),
                ("grantee_principal", s("arn:aws:iam::123456789012:root")),
                ("operations", Value::List(vec![s("Encrypt"), s("Decrypt")])),
                (
                    "constraints",
                    Value::List(vec![obj(vec![("encryption_context_subset", subset)])]),
                ),
            ],
        );
        let g = p.create("aws_kms_grant", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_kms_grant", &g);
        let grant_id = g["grant_id"].as_str().unwrap().to_string();
        assert_eq!(g["id"], s(&format!("{key_id}:{grant_id}")));
        assert_eq!(g["key_id"], s(&key_arn), "the user's ARN spelling is kept");
        assert_eq!(
            g["operations"],
            Value::List(vec![s("Decrypt"), s("Encrypt")])
        );
        assert!(g["grant_token"].as_str().is_some());
        assert_eq!(p.read("aws_kms_grant", &g).unwrap().as_ref(), Some(&g));
        let grants = &p.cloud.world.kms.keys[&key_id].grants;
        assert_eq!(grants[0].context_subset.as_ref().unwrap()["app"], "lab");

        // Revoked out of band: the refresh finds it gone.
        p.cloud
            .call_json(
                &crate::sim::CallContext::lab_admin(),
                "kms:RevokeGrant",
                &serde_json::json!({"KeyId": key_id, "GrantId": grant_id}),
            )
            .unwrap();
        assert_eq!(p.read("aws_kms_grant", &g).unwrap(), None);
        p.delete("aws_kms_grant", &g)
            .expect("deleting a missing grant succeeds");

        // Recreated, then destroyed: revoked.
        let g = p.create("aws_kms_grant", &planned).unwrap();
        p.delete("aws_kms_grant", &g).unwrap();
        assert!(p.cloud.world.kms.keys[&key_id].grants.is_empty());

        let bad = plan_create(
            &p,
            "aws_kms_grant",
            vec![
                ("key_id", s(&key_id)),
                (
                    "grantee_principal",
                    s("arn:aws:iam::123456789012:role/missing"),
                ),
                ("operations", Value::List(vec![s("Decrypt")])),
            ],
        );
        let e = p.create("aws_kms_grant", &bad).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("InvalidArnException"));
    }
}
