//! `aws_kms_key`, `aws_kms_alias` and `aws_kms_key_policy` on the simulated KMS.
//!
//! Writes go through the sim's KMS operations as lab-admin, in the order the Terraform provider
//! makes them (enable before other changes, disable last). Reads look at the world directly and
//! record nothing. KMS business rules (states, lockout check, alias limits) are the sim's.

use serde_json::{Value as Json, json};

use super::AwsProvider;
use super::common::{
    bool_of, carry, cloud_tags, fail, int_of, keep_key_ref, keep_policy, key_id_of,
    name_prefix_from_name, nonempty_str, pick_name, str_of, string_map, target, val,
};
use crate::provider::ProviderError;
use crate::sim::World;
use crate::sim::world::KeyState;
use crate::value::{Map, Value};

const KEY: &str = "KMS Key";
const ALIAS: &str = "KMS Alias";
const KEY_POLICY: &str = "KMS Key Policy";

/// AWS's default pending window when `deletion_window_in_days` is unset.
const DEFAULT_DELETION_WINDOW: i64 = 30;

/// True for errors that mean "already gone or going" when destroying a key.
fn key_already_going(code: &str, message: &str) -> bool {
    code == "NotFoundException"
        || (code == "KMSInvalidStateException" && message.contains("pending deletion"))
}

/// The default key policy the Terraform provider restores when `aws_kms_key_policy` is destroyed.
fn default_key_policy(w: &World) -> String {
    format!(
        r#"{{
	"Id": "default",
	"Version": "2012-10-17",
	"Statement": [
		{{
			"Sid": "Enable IAM User Permissions",
			"Effect": "Allow",
			"Principal": {{
				"AWS": "arn:aws:iam::{}:root"
			}},
			"Action": "kms:*",
			"Resource": "*"
		}}
	]
}}"#,
        w.account_id
    )
}

// ------------------------------------------------------------------ aws_kms_key

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

fn tag_list(tags: &std::collections::BTreeMap<String, String>) -> Json {
    Json::Array(
        tags.iter()
            .map(|(k, v)| json!({"TagKey": k, "TagValue": v}))
            .collect(),
    )
}

impl AwsProvider<'_> {
    pub(super) fn create_key(&mut self, planned: &Map) -> Result<Map, ProviderError> {
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
        let r = self
            .cloud
            .kms_create_key(&self.ctx, &p)
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
        self.created = Some(seed);
        if bool_of(planned, "enable_key_rotation") == Some(true) {
            self.set_rotation(&id, true, int_of(planned, "rotation_period_in_days"))?;
        }
        if bool_of(planned, "is_enabled") == Some(false) {
            self.cloud
                .kms_disable_key(&self.ctx, &json!({"KeyId": id}))
                .map_err(|e| fail("disabling", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        read_key(&self.cloud.world, &seed).ok_or_else(|| gone_after("creating", &what))
    }

    fn set_rotation(
        &mut self,
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
            self.cloud.kms_enable_key_rotation(&self.ctx, &p)
        } else {
            self.cloud
                .kms_disable_key_rotation(&self.ctx, &json!({"KeyId": id}))
        };
        r.map(|_| ())
            .map_err(|e| fail("updating", &format!("{what} rotation"), e))
    }

    pub(super) fn update_key(&mut self, prior: &Map, planned: &Map) -> Result<Map, ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(KEY, &id);
        let changed = |k: &str| val(prior, k) != val(planned, k) && !val(planned, k).is_unknown();
        let enabled = bool_of(planned, "is_enabled");
        // A disabled key accepts no other change: enable first, disable last.
        if changed("is_enabled") && enabled == Some(true) {
            self.cloud
                .kms_enable_key(&self.ctx, &json!({"KeyId": id}))
                .map_err(|e| fail("enabling", &what, e))?;
        }
        if changed("enable_key_rotation") || changed("rotation_period_in_days") {
            let on = bool_of(planned, "enable_key_rotation").unwrap_or(false);
            self.set_rotation(&id, on, int_of(planned, "rotation_period_in_days"))?;
        }
        if changed("description") {
            let d = str_of(planned, "description").unwrap_or("");
            self.cloud
                .kms_update_key_description(&self.ctx, &json!({"KeyId": id, "Description": d}))
                .map_err(|e| fail("updating", &format!("{what} description"), e))?;
        }
        if changed("policy")
            && let Some(pol) = str_of(planned, "policy")
        {
            let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
            let p = json!({"KeyId": id, "Policy": pol, "BypassPolicyLockoutSafetyCheck": bypass});
            self.cloud
                .kms_put_key_policy(&self.ctx, &p)
                .map_err(|e| fail("updating", &format!("{what} policy"), e))?;
        }
        if changed("is_enabled") && enabled == Some(false) {
            self.cloud
                .kms_disable_key(&self.ctx, &json!({"KeyId": id}))
                .map_err(|e| fail("disabling", &what, e))?;
        }
        if changed("tags") {
            self.retag_key(&id, prior, planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        read_key(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    fn retag_key(&mut self, id: &str, prior: &Map, planned: &Map) -> Result<(), ProviderError> {
        let what = target(KEY, id);
        let old = string_map(val(prior, "tags"));
        let new = string_map(val(planned, "tags"));
        let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
        if !removed.is_empty() {
            self.cloud
                .kms_untag_resource(&self.ctx, &json!({"KeyId": id, "TagKeys": removed}))
                .map_err(|e| fail("untagging", &what, e))?;
        }
        let upserts: std::collections::BTreeMap<String, String> = new
            .into_iter()
            .filter(|(k, v)| old.get(k) != Some(v))
            .collect();
        if !upserts.is_empty() {
            self.cloud
                .kms_tag_resource(&self.ctx, &json!({"KeyId": id, "Tags": tag_list(&upserts)}))
                .map_err(|e| fail("tagging", &what, e))?;
        }
        Ok(())
    }

    pub(super) fn delete_key(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let id = str_of(prior, "id").unwrap_or_default();
        let mut p = json!({"KeyId": id});
        if let Some(days) = int_of(prior, "deletion_window_in_days") {
            p["PendingWindowInDays"] = json!(days);
        }
        match self.cloud.kms_schedule_key_deletion(&self.ctx, &p) {
            Err(e) if !key_already_going(&e.code, &e.message) => {
                Err(fail("deleting", &target(KEY, id), e))
            }
            _ => Ok(()),
        }
    }
}

/// What `destroy` does to a key, for the plan.
pub(super) fn key_destroy_note(prior: &Map) -> String {
    let days = int_of(prior, "deletion_window_in_days").unwrap_or(DEFAULT_DELETION_WINDOW);
    format!(
        "will be scheduled for deletion in {days} days (KMS keeps the key PendingDeletion \
         until then; data encrypted under it becomes unreadable once deletion runs)"
    )
}

/// Plan rules of `aws_kms_key`: rotation period follows `enable_key_rotation`.
pub(super) fn plan_key(planned: &mut Map) {
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

fn gone_after(doing: &str, what: &str) -> ProviderError {
    ProviderError::new(format!(
        "{doing} {what}: not found in the cloud right after the call"
    ))
}

// ------------------------------------------------------------------ aws_kms_alias

pub(super) fn read_alias(w: &World, prior: &Map) -> Option<Map> {
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
pub(super) fn plan_alias(prior: Option<&Map>, planned: &mut Map) {
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

impl AwsProvider<'_> {
    pub(super) fn create_alias(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let name = pick_name(&self.cloud.world, planned, "name", "name_prefix", "alias/");
        let what = target(ALIAS, &name);
        let p = json!({"AliasName": name, "TargetKeyId": str_of(planned, "target_key_id")});
        self.cloud
            .kms_create_alias(&self.ctx, &p)
            .map_err(|e| fail("creating", &what, e))?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_alias(&self.cloud.world, &seed).ok_or_else(|| gone_after("creating", &what))
    }

    pub(super) fn update_alias(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default().to_string();
        let what = target(ALIAS, &name);
        let old = str_of(prior, "target_key_id");
        if let Some(new) = str_of(planned, "target_key_id")
            && (old.is_none_or(|o| !same_key_ref(o, new))
                || resolves_elsewhere(&self.cloud.world, &name, new))
        {
            let p = json!({"AliasName": name, "TargetKeyId": new});
            self.cloud
                .kms_update_alias(&self.ctx, &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&name));
        read_alias(&self.cloud.world, &seed).ok_or_else(|| gone_after("updating", &what))
    }

    pub(super) fn delete_alias(&mut self, prior: &Map) -> Result<(), ProviderError> {
        let name = str_of(prior, "id").unwrap_or_default();
        match self
            .cloud
            .kms_delete_alias(&self.ctx, &json!({"AliasName": name}))
        {
            Err(e) if e.code != "NotFoundException" => {
                Err(fail("deleting", &target(ALIAS, name), e))
            }
            _ => Ok(()),
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

// ------------------------------------------------------------------ aws_kms_key_policy

pub(super) fn read_key_policy(w: &World, prior: &Map) -> Option<Map> {
    let key_ref = str_of(prior, "key_id").or_else(|| str_of(prior, "id"))?;
    let k = w.kms.keys.get(key_id_of(key_ref))?;
    if k.state == KeyState::PendingDeletion {
        return None;
    }
    let mut m = Map::new();
    m.insert("key_id".into(), Value::string(key_ref));
    m.insert("id".into(), carry(prior, "id", Value::string(key_ref)));
    m.insert("policy".into(), keep_policy(prior, "policy", &k.policy));
    m.insert(
        "bypass_policy_lockout_safety_check".into(),
        carry(
            prior,
            "bypass_policy_lockout_safety_check",
            Value::Bool(false),
        ),
    );
    Some(m)
}

impl AwsProvider<'_> {
    fn put_key_policy(
        &mut self,
        doing: &str,
        key: &str,
        policy: &str,
        bypass: bool,
    ) -> Result<(), ProviderError> {
        let p = json!({"KeyId": key, "Policy": policy, "BypassPolicyLockoutSafetyCheck": bypass});
        self.cloud
            .kms_put_key_policy(&self.ctx, &p)
            .map(|_| ())
            .map_err(|e| fail(doing, &target(KEY_POLICY, key), e))
    }

    pub(super) fn create_key_policy(&mut self, planned: &Map) -> Result<Map, ProviderError> {
        let key = str_of(planned, "key_id").unwrap_or_default().to_string();
        let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
        self.put_key_policy(
            "creating",
            &key,
            str_of(planned, "policy").unwrap_or_default(),
            bypass,
        )?;
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&key));
        read_key_policy(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("creating", &target(KEY_POLICY, &key)))
    }

    pub(super) fn update_key_policy(
        &mut self,
        prior: &Map,
        planned: &Map,
    ) -> Result<Map, ProviderError> {
        let key = str_of(prior, "key_id").unwrap_or_default().to_string();
        if val(prior, "policy") != val(planned, "policy") {
            let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
            let pol = str_of(planned, "policy").unwrap_or_default().to_string();
            self.put_key_policy("updating", &key, &pol, bypass)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), carry(prior, "id", Value::string(&key)));
        read_key_policy(&self.cloud.world, &seed)
            .ok_or_else(|| gone_after("updating", &target(KEY_POLICY, &key)))
    }

    /// Restores the default key policy, unless the lockout check was bypassed (the policy may
    /// no longer let anyone put a policy): then the resource is only forgotten.
    pub(super) fn delete_key_policy(&mut self, prior: &Map) -> Result<(), ProviderError> {
        if bool_of(prior, "bypass_policy_lockout_safety_check") == Some(true) {
            return Ok(());
        }
        let key = str_of(prior, "key_id").unwrap_or_default().to_string();
        let policy = default_key_policy(&self.cloud.world);
        match self.put_key_policy("deleting", &key, &policy, false) {
            Err(e)
                if e.code
                    .as_deref()
                    .is_some_and(|c| key_already_going(c, &e.message)) =>
            {
                Ok(())
            }
            other => other,
        }
    }
}

/// The aliases data source: `data.aws_kms_alias`.
pub(super) fn read_alias_data(w: &World, config: &Map) -> Result<Map, ProviderError> {
    let name = nonempty_str(config, "name").unwrap_or_default();
    let Some(a) = w.kms.aliases.get(name) else {
        let arn = format!("arn:aws:kms:{}:{}:{name}", w.region, w.account_id);
        return Err(ProviderError {
            code: Some("NotFoundException".into()),
            message: format!(
                "reading KMS Alias ({name}): NotFoundException: Alias {arn} is not found."
            ),
            partial: None,
        });
    };
    let key_arn = format!(
        "arn:aws:kms:{}:{}:key/{}",
        w.region, w.account_id, a.target_key_id
    );
    let mut m = Map::new();
    m.insert("name".into(), Value::string(&a.name));
    m.insert("id".into(), Value::string(&a.arn));
    m.insert("arn".into(), Value::string(&a.arn));
    m.insert("target_key_id".into(), Value::string(&a.target_key_id));
    m.insert("target_key_arn".into(), Value::string(key_arn));
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::super::common::testing::*;
    use crate::addr::Mode;
    use crate::provider::Provider;
    use crate::sim::clock::DAY;
    use crate::sim::world::KeyState;
    use crate::value::{Map, Value};

    fn new_key(p: &mut super::AwsProvider<'_>, extra: Vec<(&str, Value)>) -> Map {
        let mut cfg = vec![("description", s("lab key"))];
        cfg.extend(extra);
        let planned = plan_create(p, "aws_kms_key", cfg);
        p.create("aws_kms_key", &planned).expect("creates key")
    }

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

    #[test]
    fn key_policy_resource_restores_the_default_on_destroy() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let id = key["id"].as_str().unwrap().to_string();
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/lab-admin"},"Action":"kms:*","Resource":"*"}]}"#;
        let planned = plan_create(
            &p,
            "aws_kms_key_policy",
            vec![("key_id", key["arn"].clone()), ("policy", s(policy))],
        );
        let kp = p.create("aws_kms_key_policy", &planned).unwrap();
        assert_complete(Mode::Managed, "aws_kms_key_policy", &kp);
        assert_eq!(kp["id"], key["arn"]);
        assert_eq!(p.cloud.world.kms.keys[&id].policy, policy);
        assert_eq!(
            p.read("aws_kms_key_policy", &kp).unwrap().as_ref(),
            Some(&kp)
        );

        let with_root = policy.replace(
            r#""Resource":"*"}]"#,
            r#""Resource":"*"},{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]"#,
        );
        let planned = plan_update(
            &p,
            "aws_kms_key_policy",
            &kp,
            vec![("policy", s(&with_root))],
        );
        let kp = p.update("aws_kms_key_policy", &kp, &planned).unwrap();
        assert_eq!(kp["policy"], s(&with_root));
        assert_eq!(p.cloud.world.kms.keys[&id].policy, with_root);

        let lockout = with_root
            .replace("user/lab-admin", "user/nobody")
            .replace(":root", ":user/nobody");
        let planned = plan_update(&p, "aws_kms_key_policy", &kp, vec![("policy", s(&lockout))]);
        let e = p.update("aws_kms_key_policy", &kp, &planned).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("MalformedPolicyDocumentException"));
        assert!(e.message.starts_with(&format!(
            "updating KMS Key Policy ({}): MalformedPolicyDocumentException:",
            key["arn"].as_str().unwrap()
        )));

        p.delete("aws_kms_key_policy", &kp).unwrap();
        let restored = &p.cloud.world.kms.keys[&id].policy;
        assert!(
            restored.contains("\"Id\": \"default\"")
                && restored.contains("arn:aws:iam::123456789012:root")
        );

        let mut bypass = kp.clone();
        bypass.insert(
            "bypass_policy_lockout_safety_check".into(),
            Value::Bool(true),
        );
        let mark = events(&p);
        p.delete("aws_kms_key_policy", &bypass).unwrap();
        assert_eq!(events(&p), mark, "with bypass, destroy only forgets");
    }

    #[test]
    fn alias_data_source_reads_the_world() {
        let mut c = cloud();
        let mut p = provider(&mut c);
        let key = new_key(&mut p, vec![]);
        let planned = plan_create(
            &p,
            "aws_kms_alias",
            vec![
                ("name", s("alias/lab")),
                ("target_key_id", key["id"].clone()),
            ],
        );
        p.create("aws_kms_alias", &planned).unwrap();
        let cfg = map(vec![("name", s("alias/lab"))]);
        let d = p.read_data("aws_kms_alias", &cfg).unwrap();
        assert_complete(Mode::Data, "aws_kms_alias", &d);
        assert_eq!(d["target_key_id"], key["id"]);
        assert_eq!(d["target_key_arn"], key["arn"]);
        assert_eq!(d["id"], s("arn:aws:kms:us-east-1:123456789012:alias/lab"));
        let e = p
            .read_data("aws_kms_alias", &map(vec![("name", s("alias/missing"))]))
            .unwrap_err();
        assert_eq!(e.code.as_deref(), Some("NotFoundException"));
    }
}
