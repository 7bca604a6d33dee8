//! `aws_kms_alias`: a friendly name (`alias/...`) for a KMS key.
//!
//! The user's spelling of the target (key id or key ARN) is kept when it names the same key;
//! alias limits and name rules beyond the schema's are the sim's.

use serde_json::json;

use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::string;
use crate::provider::aws::common::{
    fail, keep_key_ref, key_id_of, name_prefix_from_name, pick_name, str_of, target,
};
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{AttrSchema as A, BodySchema, ResourceSchema};
use crate::sim::World;
use crate::value::{Map, Value};

const ALIAS: &str = "KMS Alias";

fn alias_name(v: &Value) -> Result<(), String> {
    let n = v.as_str().unwrap_or("");
    let rest = n.strip_prefix("alias/").ok_or_else(|| {
        format!("{v} must begin with 'alias/' and be comprised of only [a-zA-Z0-9/_-]")
    })?;
    if n.starts_with("alias/aws/") {
        return Err(format!(
            "{v} cannot begin with reserved AWS CMK prefix 'alias/aws/'"
        ));
    }
    if rest.is_empty()
        || n.len() > 256
        || !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
    {
        return Err(format!(
            "{v} must begin with 'alias/' and be comprised of only [a-zA-Z0-9/_-]"
        ));
    }
    Ok(())
}

/// `aws_kms_alias`.
pub(crate) struct Alias;

impl Resource<AwsProvider<'_>> for Alias {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_kms_alias",
            summary: "A friendly name (alias/...) for a KMS key",
            body: BodySchema::new(vec![
                A::optional_computed("name", string())
                    .force_new()
                    .validate(alias_name)
                    .conflicts_with(&["name_prefix"]),
                A::optional_computed("name_prefix", string())
                    .force_new()
                    .validate(alias_name)
                    .conflicts_with(&["name"]),
                A::required("target_key_id", string()),
                A::computed("arn", string()),
                A::computed("target_key_arn", string()),
                A::computed("id", string()),
            ])
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        ALIAS
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_alias(&aws.cloud.world, prior)
    }

    fn plan(
        &self,
        _aws: &AwsProvider<'_>,
        prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        plan_alias(prior, planned);
        Ok(PlanAdjustments::default())
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(&aws.cloud.world, planned, "name", "name_prefix", "alias/");
        let what = target(ALIAS, &name);
        let p = json!({"AliasName": name, "TargetKeyId": str_of(planned, "target_key_id")});
        aws.cloud
            .call_json(&aws.ctx, "kms:CreateAlias", &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_alias(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(ALIAS, &name);
        let old = str_of(prior, "target_key_id");
        if let Some(new) = str_of(planned, "target_key_id")
            && (old.is_none_or(|o| !same_key_ref(o, new))
                || resolves_elsewhere(&aws.cloud.world, &name, new))
        {
            let p = json!({"AliasName": name, "TargetKeyId": new});
            aws.cloud
                .call_json(&aws.ctx, "kms:UpdateAlias", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_alias(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("updating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default();
        match aws
            .cloud
            .call_json(&aws.ctx, "kms:DeleteAlias", &json!({"AliasName": name}))
        {
            Err(e) if e.code != "NotFoundException" => {
                Err(fail("deleting", &target(ALIAS, name), e))
            }
            _ => Ok(()),
        }
    }
}

fn read_alias(w: &World, prior: &Map) -> Option<Map> {
    let name = str_of(prior, "id").or_else(|| str_of(prior, "name"))?;
    let a = w.kms.aliases.get(name)?;
    let key_arn = w.kms.keys.get(&a.target_key_id).map_or_else(
        || {
            format!(
                "arn:aws:kms:{}:{}:key/{}",
                w.region, w.account_id, a.target_key_id
            )
        },
        |k| k.arn.clone(),
    );
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&a.name));
    m.insert("name".into(), Value::string(&a.name));
    m.insert("name_prefix".into(), name_prefix_from_name(&a.name));
    m.insert("arn".into(), Value::string(&a.arn));
    m.insert(
        "target_key_id".into(),
        keep_key_ref(w, prior, "target_key_id", &a.target_key_id),
    );
    m.insert("target_key_arn".into(), Value::string(key_arn));
    Some(m)
}

/// True if two `target_key_id` spellings name the same key (id vs key ARN).
fn same_key_ref(a: &str, b: &str) -> bool {
    a == b || key_id_of(a) == key_id_of(b)
}

/// Plan rules of `aws_kms_alias`: id vs ARN is no change; a new target makes the ARN unknown.
fn plan_alias(prior: Option<&Map>, planned: &mut Map) {
    let Some(prior) = prior else { return };
    match (
        str_of(prior, "target_key_id"),
        str_of(planned, "target_key_id"),
    ) {
        (Some(p), Some(n)) if same_key_ref(p, n) => {
            planned.insert("target_key_id".into(), Value::string(p));
        }
        _ => {
            planned.insert("target_key_arn".into(), Value::Unknown);
        }
    }
}

/// True if the alias currently points at another key than `wanted` (drift repaired by update).
fn resolves_elsewhere(w: &World, alias: &str, wanted: &str) -> bool {
    w.kms
        .aliases
        .get(alias)
        .is_some_and(|a| a.target_key_id != key_id_of(wanted))
}

#[cfg(test)]
mod tests {
    use super::super::testing::new_key;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::value::Value;

    #[test]
    fn alias_lifecycle_spelling_and_errors() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let k1 = new_key(&mut p, vec![]);
        let k2 = new_key(&mut p, vec![]);
        let k1_arn = k1["arn"].as_str().unwrap().to_string();
        let planned = plan_create(
            &p,
            "aws_kms_alias",
            vec![("name", s("alias/lab-key")), ("target_key_id", s(&k1_arn))],
        );
        let a = p.create("aws_kms_alias", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_kms_alias", &a);
        assert_eq!(a["id"], s("alias/lab-key"));
        assert_eq!(
            a["arn"],
            s("arn:aws:kms:us-east-1:123456789012:alias/lab-key")
        );
        assert_eq!(
            a["target_key_id"],
            s(&k1_arn),
            "the user's ARN spelling is kept"
        );
        assert_eq!(a["target_key_arn"], s(&k1_arn));
        assert_eq!(a["name_prefix"], Value::Null);
        assert_eq!(p.read("aws_kms_alias", &a).unwrap().as_ref(), Some(&a));

        // id instead of ARN for the same key: no change.
        let planned = plan_update(
            &p,
            "aws_kms_alias",
            &a,
            vec![("target_key_id", k1["id"].clone())],
        );
        assert_eq!(planned["target_key_id"], s(&k1_arn));
        assert_eq!(planned["target_key_arn"], s(&k1_arn));

        let planned = plan_update(
            &p,
            "aws_kms_alias",
            &a,
            vec![("target_key_id", k2["id"].clone())],
        );
        assert_eq!(planned["target_key_arn"], Value::Unknown);
        let a2 = p.update("aws_kms_alias", &a, &planned).unwrap();
        assert_eq!(
            p.cloud.world.kms.aliases["alias/lab-key"].target_key_id,
            k2["id"].as_str().unwrap()
        );
        assert_eq!(a2["target_key_arn"], k2["arn"]);

        let dup = plan_create(
            &p,
            "aws_kms_alias",
            vec![
                ("name", s("alias/lab-key")),
                ("target_key_id", k1["id"].clone()),
            ],
        );
        let e = p.create("aws_kms_alias", &dup).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("AlreadyExistsException"));
        assert_eq!(
            e.message,
            "creating KMS Alias (alias/lab-key): AlreadyExistsException: An alias with the name \
             arn:aws:kms:us-east-1:123456789012:alias/lab-key already exists"
        );

        let generated = plan_create(
            &p,
            "aws_kms_alias",
            vec![("target_key_id", k1["id"].clone())],
        );
        let g = p.create("aws_kms_alias", &generated).unwrap();
        let name = g["name"].as_str().unwrap();
        assert!(name.starts_with("alias/19700101000000"), "{name}");
        assert_eq!(name.len(), "alias/".len() + 26);
        assert_eq!(g["name_prefix"], s("alias/"));

        p.delete("aws_kms_alias", &a2).unwrap();
        assert!(!p.cloud.world.kms.aliases.contains_key("alias/lab-key"));
        assert_eq!(p.read("aws_kms_alias", &a2).unwrap(), None);
        p.delete("aws_kms_alias", &a2)
            .expect("deleting a missing alias succeeds");
    }
}
