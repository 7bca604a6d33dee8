//! `aws_kms_key`: a customer managed KMS key (symmetric, AES-256-GCM).
//!
//! Writes go through the sim's KMS operations as lab-admin, in the order the Terraform provider
//! makes them (enable before other changes, disable last). Reads look at the world directly and
//! record nothing. Key states and the policy lockout check are the sim's.

use serde_json::{Value as Json, json};

use super::{key_already_going, key_policy_json};
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{string, with_tags};
use crate::provider::aws::common::{
    bool_of, carry, cloud_tags, fail, int_of, keep_policy, key_id_of, str_of, string_map, target,
    val,
};
use crate::provider::{PlanAdjustments, ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::sim::world::KeyState;
use crate::value::{Map, Value};

const KEY: &str = "KMS Key";

/// AWS's default pending window when `deletion_window_in_days` is unset.
const DEFAULT_DELETION_WINDOW: i64 = 30;

const KEY_SPECS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
    "ML_DSA_44",
    "ML_DSA_65",
    "ML_DSA_87",
    "ECC_NIST_EDWARDS25519",
];

/// The key specs the simulation has (the rest of the model's are refused as not simulated).
const SIMULATED_SPECS: &[&str] = &[
    "SYMMETRIC_DEFAULT",
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
];

fn key_spec(v: &Value) -> Result<(), String> {
    check::one_of(v, KEY_SPECS)?;
    if !v.as_str().is_some_and(|s| SIMULATED_SPECS.contains(&s)) {
        return Err(format!(
            "{v} is a valid AWS key spec, but keyform does not simulate it (it simulates {}); it is not supported by keyform",
            SIMULATED_SPECS.join(", ")
        ));
    }
    Ok(())
}

fn key_usage(v: &Value) -> Result<(), String> {
    check::one_of(
        v,
        &[
            "ENCRYPT_DECRYPT",
            "SIGN_VERIFY",
            "GENERATE_VERIFY_MAC",
            "KEY_AGREEMENT",
        ],
    )?;
    if v.as_str() == Some("KEY_AGREEMENT") {
        return Err(format!(
            "{v} is a valid AWS key usage, but keyform does not simulate key agreement keys"
        ));
    }
    Ok(())
}

/// `aws_kms_key`.
pub(crate) struct Key;

impl Resource<AwsProvider<'_>> for Key {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_kms_key",
            summary: "A customer managed KMS key (symmetric AES-256-GCM, RSA, ECC or HMAC)",
            body: BodySchema::new(with_tags(vec![
                A::optional_computed("description", string())
                    .validate(|v| check::len_between(v, 0, 8192)),
                A::optional("key_usage", string())
                    .default("ENCRYPT_DECRYPT")
                    .force_new()
                    .validate(key_usage),
                A::optional("customer_master_key_spec", string())
                    .default("SYMMETRIC_DEFAULT")
                    .force_new()
                    .validate(key_spec),
                A::optional_computed("policy", T::Json).validate(key_policy_json),
                A::optional("bypass_policy_lockout_safety_check", T::Bool).default(false),
                A::optional("deletion_window_in_days", T::Number)
                    .validate(|v| check::int_between(v, 7, 30)),
                A::optional("is_enabled", T::Bool).default(true),
                A::optional("enable_key_rotation", T::Bool).default(false),
                A::optional_computed("rotation_period_in_days", T::Number)
                    .validate(|v| check::int_between(v, 90, 2560))
                    .required_with(&["enable_key_rotation"]),
                A::optional_computed("multi_region", T::Bool).force_new(),
                A::computed("arn", string()),
                A::computed("key_id", string()),
                A::computed("id", string()),
            ]))
            .unsupported(&["custom_key_store_id", "xks_key_id", "region"]),
        }
    }

    fn noun(&self) -> &'static str {
        KEY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_key(&aws.cloud.world, prior)
    }

    fn plan(
        &self,
        _aws: &AwsProvider<'_>,
        _prior: Option<&Map>,
        planned: &mut Map,
    ) -> Result<PlanAdjustments, ProviderError> {
        plan_key(planned);
        Ok(PlanAdjustments::default())
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let mut p = json!({
            "KeyUsage": str_of(planned, "key_usage").unwrap_or("ENCRYPT_DECRYPT"),
            "KeySpec": str_of(planned, "customer_master_key_spec").unwrap_or("SYMMETRIC_DEFAULT"),
            "BypassPolicyLockoutSafetyCheck":
                bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false),
        });
        if let Some(d) = str_of(planned, "description") {
            p["Description"] = json!(d);
        }
        if let Some(pol) = str_of(planned, "policy") {
            p["Policy"] = json!(pol);
        }
        if let Some(mr) = bool_of(planned, "multi_region") {
            p["MultiRegion"] = json!(mr);
        }
        let tags = string_map(val(planned, "tags"));
        if !tags.is_empty() {
            p["Tags"] = tag_list(&tags);
        }
        let r = aws
            .cloud
            .call_json(&aws.ctx, "kms:CreateKey", &p)
            .map_err(|e| fail("creating", KEY, e))?;
        let id = r
            .pointer("/KeyMetadata/KeyId")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let what = target(KEY, &id);
        // The key exists from here on: if a later step fails, it is kept as a partial state.
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        aws.created = Some(seed);
        if bool_of(planned, "enable_key_rotation") == Some(true) {
            set_rotation(aws, &id, true, int_of(planned, "rotation_period_in_days"))?;
        }
        if bool_of(planned, "is_enabled") == Some(false) {
            aws.cloud
                .call_json(&aws.ctx, "kms:DisableKey", &json!({"KeyId": id}))
                .map_err(|e| fail("disabling", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        read_key(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("creating", &what))
    }

    fn update(
        &self,
        aws: &mut AwsProvider<'_>,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(KEY, &id);
        let changed = |k: &str| val(prior, k) != val(planned, k) && !val(planned, k).is_unknown();
        let enabled = bool_of(planned, "is_enabled");
        // A disabled key accepts no other change: enable first, disable last.
        if changed("is_enabled") && enabled == Some(true) {
            aws.cloud
                .call_json(&aws.ctx, "kms:EnableKey", &json!({"KeyId": id}))
                .map_err(|e| fail("enabling", &what, e))?;
        }
        if changed("enable_key_rotation") || changed("rotation_period_in_days") {
            let on = bool_of(planned, "enable_key_rotation").unwrap_or(false);
            set_rotation(aws, &id, on, int_of(planned, "rotation_period_in_days"))?;
        }
        if changed("description") {
            let d = str_of(planned, "description").unwrap_or("");
            aws.cloud
                .call_json(
                    &aws.ctx,
                    "kms:UpdateKeyDescription",
                    &json!({"KeyId": id, "Description": d}),
                )
                .map_err(|e| fail("updating", &format!("{what} description"), e))?;
        }
        if changed("policy")
            && let Some(pol) = str_of(planned, "policy")
        {
            let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
            let p = json!({"KeyId": id, "Policy": pol, "BypassPolicyLockoutSafetyCheck": bypass});
            aws.cloud
                .call_json(&aws.ctx, "kms:PutKeyPolicy", &p)
                .map_err(|e| fail("updating", &format!("{what} policy"), e))?;
        }
        if changed("is_enabled") && enabled == Some(false) {
            aws.cloud
                .call_json(&aws.ctx, "kms:DisableKey", &json!({"KeyId": id}))
                .map_err(|e| fail("disabling", &what, e))?;
        }
        if changed("tags") {
            retag_key(aws, &id, prior, planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        read_key(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("updating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        schedule_key_deletion(aws, prior)
    }

    fn destroy_note(&self, prior: &Map) -> Option<String> {
        Some(key_destroy_note(prior))
    }
}

/// Reads a key; a key pending deletion counts as gone, as in the Terraform provider.
pub(super) fn read_key(w: &World, prior: &Map) -> Option<Map> {
    let id = str_of(prior, "id").or_else(|| str_of(prior, "key_id"))?;
    let k = w.kms.keys.get(key_id_of(id))?;
    if k.state == KeyState::PendingDeletion {
        return None;
    }
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&k.key_id));
    m.insert("key_id".into(), Value::string(&k.key_id));
    m.insert("arn".into(), Value::string(&k.arn));
    m.insert("description".into(), Value::string(&k.description));
    m.insert("key_usage".into(), Value::string(&k.key_usage));
    m.insert(
        "customer_master_key_spec".into(),
        Value::string(&k.key_spec),
    );
    m.insert("policy".into(), keep_policy(prior, "policy", &k.policy));
    m.insert(
        "bypass_policy_lockout_safety_check".into(),
        carry(
            prior,
            "bypass_policy_lockout_safety_check",
            Value::Bool(false),
        ),
    );
    m.insert(
        "deletion_window_in_days".into(),
        carry(prior, "deletion_window_in_days", Value::Null),
    );
    m.insert(
        "is_enabled".into(),
        Value::Bool(k.state == KeyState::Enabled),
    );
    m.insert(
        "enable_key_rotation".into(),
        Value::Bool(k.rotation.is_some()),
    );
    m.insert(
        "rotation_period_in_days".into(),
        k.rotation
            .map_or(Value::Null, |r| Value::from(i64::from(r.period_days))),
    );
    m.insert("multi_region".into(), Value::Bool(k.multi_region));
    cloud_tags(&mut m, prior, &k.tags);
    Some(m)
}

pub(super) fn tag_list(tags: &std::collections::BTreeMap<String, String>) -> Json {
    Json::Array(
        tags.iter()
            .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
            .collect(),
    )
}

fn set_rotation(
    aws: &mut AwsProvider<'_>,
    id: &str,
    on: bool,
    period: Option<i64>,
) -> Result<(), ProviderError> {
    let what = target(KEY, id);
    let r = if on {
        let mut p = json!({"KeyId": id});
        if let Some(days) = period {
            p["RotationPeriodInDays"] = json!(days);
        }
        aws.cloud.call_json(&aws.ctx, "kms:EnableKeyRotation", &p)
    } else {
        aws.cloud
            .call_json(&aws.ctx, "kms:DisableKeyRotation", &json!({"KeyId": id}))
    };
    r.map(|_| ())
        .map_err(|e| fail("updating", &format!("{what} rotation"), e))
}

pub(super) fn retag_key(
    aws: &mut AwsProvider<'_>,
    id: &str,
    prior: &Map,
    planned: &Map,
) -> Result<(), ProviderError> {
    let what = target(KEY, id);
    let old = string_map(val(prior, "tags"));
    let new = string_map(val(planned, "tags"));
    let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    if !removed.is_empty() {
        aws.cloud
            .call_json(
                &aws.ctx,
                "kms:UntagResource",
                &json!({"KeyId": id, "TagKeys": removed}),
            )
            .map_err(|e| fail("untagging", &what, e))?;
    }
    let upserts: std::collections::BTreeMap<String, String> = new
        .into_iter()
        .filter(|(k, v)| old.get(k) != Some(v))
        .collect();
    if !upserts.is_empty() {
        aws.cloud
            .call_json(
                &aws.ctx,
                "kms:TagResource",
                &json!({"KeyId": id, "Tags": tag_list(&upserts)}),
            )
            .map_err(|e| fail("tagging", &what, e))?;
    }
    Ok(())
}

/// What `destroy` does to a key, for the plan.
/// Destroying a key (managed or external) schedules its deletion; a key already gone or going
/// counts as destroyed.
pub(super) fn schedule_key_deletion(
    aws: &mut AwsProvider<'_>,
    prior: &Map,
) -> Result<(), ProviderError> {
    let id = str_of(prior, "id").unwrap_or_default();
    let mut p = json!({"KeyId": id});
    if let Some(days) = int_of(prior, "deletion_window_in_days") {
        p["PendingWindowInDays"] = json!(days);
    }
    match aws.cloud.call_json(&aws.ctx, "kms:ScheduleKeyDeletion", &p) {
        Err(e) if !key_already_going(&aws.cloud.world, id, &e.code) => {
            Err(fail("deleting", &target(KEY, id), e))
        }
        _ => Ok(()),
    }
}

pub(super) fn key_destroy_note(prior: &Map) -> String {
    let days = int_of(prior, "deletion_window_in_days").unwrap_or(DEFAULT_DELETION_WINDOW);
    format!(
        "will be scheduled for deletion in {days} days (KMS keeps the key PendingDeletion \
         until then; data encrypted under it becomes unreadable once deletion runs)"
    )
}

/// Plan rules of `aws_kms_key`: rotation period follows `enable_key_rotation`.
fn plan_key(planned: &mut Map) {
    match bool_of(planned, "enable_key_rotation") {
        Some(true) if val(planned, "rotation_period_in_days").is_null() => {
            planned.insert("rotation_period_in_days".into(), Value::from(365));
        }
        // KMS reports no period while rotation is off.
        Some(false) => {
            planned.insert("rotation_period_in_days".into(), Value::Null);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::new_key;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::provider::aws::common::testing::*;
    use crate::sim::clock::DAY;
    use crate::sim::world::KeyState;
    use crate::value::Value;

    #[test]
    fn key_create_read_update_delete() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let planned = plan_create(
            &p,
            "aws_kms_key",
            vec![
                ("description", s("lab key")),
                ("deletion_window_in_days", Value::from(7)),
                ("enable_key_rotation", Value::Bool(true)),
                ("tags", obj(vec![("team", s("lab"))])),
            ],
        );
        assert_eq!(planned["tags_all"], obj(vec![("team", s("lab"))]));
        let key = p.create("aws_kms_key", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_kms_key", &key);
        let id = key["id"].as_str().unwrap().to_string();
        assert_eq!(key["key_id"], s(&id));
        assert_eq!(
            key["arn"],
            s(&format!("arn:aws:kms:us-east-1:123456789012:key/{id}"))
        );
        assert_eq!(key["rotation_period_in_days"], Value::from(365));
        assert_eq!(key["is_enabled"], Value::Bool(true));
        assert_eq!(key["deletion_window_in_days"], Value::from(7));
        assert_eq!(key["multi_region"], Value::Bool(false));
        assert!(key["policy"].as_str().unwrap().contains("kms:*"));
        assert_eq!(p.cloud.world.kms.keys[&id].tags["team"], "lab");

        let before = events(&p);
        assert_eq!(p.read("aws_kms_key", &key).unwrap().as_ref(), Some(&key));
        assert_eq!(events(&p), before, "a refresh records no event");

        // Rotation changes before the disable, which comes last.
        let planned = plan_update(
            &p,
            "aws_kms_key",
            &key,
            vec![
                ("is_enabled", Value::Bool(false)),
                ("rotation_period_in_days", Value::from(180)),
                ("description", s("retired")),
            ],
        );
        let mark = events(&p);
        let key2 = p.update("aws_kms_key", &key, &planned).unwrap();
        assert_eq!(
            event_names(&p, mark),
            ["EnableKeyRotation", "UpdateKeyDescription", "DisableKey"]
        );
        assert_eq!(key2["is_enabled"], Value::Bool(false));
        assert_eq!(key2["rotation_period_in_days"], Value::from(180));
        assert_eq!(p.cloud.world.kms.keys[&id].state, KeyState::Disabled);
        assert_eq!(p.cloud.world.kms.keys[&id].description, "retired");

        // Re-enabling comes first, so the rotation change is accepted on the same apply.
        let planned = plan_update(
            &p,
            "aws_kms_key",
            &key2,
            vec![
                ("is_enabled", Value::Bool(true)),
                ("enable_key_rotation", Value::Bool(false)),
            ],
        );
        assert_eq!(planned["rotation_period_in_days"], Value::Null);
        let mark = events(&p);
        let key3 = p.update("aws_kms_key", &key2, &planned).unwrap();
        assert_eq!(event_names(&p, mark), ["EnableKey", "DisableKeyRotation"]);
        assert_eq!(key3["enable_key_rotation"], Value::Bool(false));

        assert!(
            p.destroy_note("aws_kms_key", &key3)
                .unwrap()
                .starts_with("will be scheduled for deletion in 7 days")
        );
        p.delete("aws_kms_key", &key3).unwrap();
        let k = &p.cloud.world.kms.keys[&id];
        assert_eq!(k.state, KeyState::PendingDeletion);
        assert_eq!(k.deletion_date, Some(7 * DAY));
        assert_eq!(
            p.read("aws_kms_key", &key3).unwrap(),
            None,
            "pending deletion counts as gone"
        );
        p.delete("aws_kms_key", &key3)
            .expect("deleting a key pending deletion succeeds");
    }

    #[test]
    fn key_policy_equivalence_and_default_window() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let reformatted = serde_json::to_string(
            &serde_json::from_str::<serde_json::Value>(key["policy"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let planned = plan_update(&p, "aws_kms_key", &key, vec![("policy", s(&reformatted))]);
        assert_eq!(
            planned["policy"], key["policy"],
            "equivalent JSON plans no change"
        );
        let mark = events(&p);
        p.update("aws_kms_key", &key, &planned).unwrap();
        assert_eq!(event_names(&p, mark), Vec::<String>::new());
        assert_eq!(
            p.destroy_note("aws_kms_key", &key).unwrap(),
            "will be scheduled for deletion in 30 days (KMS keeps the key PendingDeletion \
             until then; data encrypted under it becomes unreadable once deletion runs)"
        );
        p.delete("aws_kms_key", &key).unwrap();
        let id = key["id"].as_str().unwrap();
        assert_eq!(p.cloud.world.kms.keys[id].deletion_date, Some(30 * DAY));
    }
}
