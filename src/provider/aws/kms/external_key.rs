//! `aws_kms_external_key`: a customer managed KMS key of origin EXTERNAL, whose key material
//! the configuration supplies (`key_material_base64`, 256 bits, base64).
//!
//! As the Terraform provider does, the provider imports the material itself: it asks
//! GetParametersForImport for an RSA_2048 wrapping key with RSAES_OAEP_SHA_256, wraps the
//! material with it and calls ImportKeyMaterial, with `valid_to` (RFC 3339) as the material's
//! expiry (`KEY_MATERIAL_EXPIRES`) or none (`KEY_MATERIAL_DOES_NOT_EXPIRE`). A change of
//! `valid_to` imports the same material again; a change of the material replaces the key (KMS
//! never takes other material for a key).
//!
//! The material is a secret. State keeps `key_material_base64` exactly as Terraform keeps it
//! (a sensitive argument: shown as `(sensitive value)` in plans), and nothing else derived from
//! it; no message of this file quotes it, nor any part of it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use rsa::Oaep;
use rsa::pkcs8::DecodePublicKey;
use serde_json::{Value as Json, json};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::key::{key_destroy_note, retag_key, schedule_key_deletion, tag_list};
use super::key_policy_json;
use crate::provider::aws::AwsProvider;
use crate::provider::aws::attrs::{string, with_tags};
use crate::provider::aws::common::{
    bool_of, carry, cloud_tags, fail, invalid, keep_policy, key_id_of, opt_string, str_of,
    string_map, target, val,
};
use crate::provider::{ProviderError, Resource};
use crate::schema::{AttrSchema as A, AttrType as T, BodySchema, ResourceSchema, check};
use crate::sim::World;
use crate::sim::clock::{iso8601, parse_iso8601};
use crate::sim::world::KeyState;
use crate::value::{Map, Value};

const KEY: &str = "KMS External Key";

/// The Terraform provider's default pending window for this type.
const DEFAULT_DELETION_WINDOW: i64 = 30;

/// What the Terraform provider asks GetParametersForImport for.
const WRAPPING_ALGORITHM: &str = "RSAES_OAEP_SHA_256";
const WRAPPING_KEY_SPEC: &str = "RSA_2048";

fn rfc3339(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if parse_iso8601(s).is_some() => Ok(()),
        _ => Err(format!(
            "{v} is not a valid RFC 3339 time (for example \"2026-12-31T23:59:59Z\")"
        )),
    }
}

fn key_spec(v: &Value) -> Result<(), String> {
    if v.as_str() == Some("SYMMETRIC_DEFAULT") {
        return Ok(());
    }
    Err(format!(
        "{v}: keyform imports symmetric key material only (key_spec SYMMETRIC_DEFAULT); \
         importing asymmetric or HMAC material is not supported by keyform"
    ))
}

/// `aws_kms_external_key`.
pub(crate) struct ExternalKey;

impl Resource<AwsProvider<'_>> for ExternalKey {
    fn schema(&self) -> ResourceSchema {
        ResourceSchema {
            kind: "aws_kms_external_key",
            summary: "A KMS key of origin EXTERNAL with key material the configuration supplies",
            body: BodySchema::new(with_tags(vec![
                A::optional("bypass_policy_lockout_safety_check", T::Bool).default(false),
                A::optional("deletion_window_in_days", T::Number)
                    .default(DEFAULT_DELETION_WINDOW)
                    .validate(|v| check::int_between(v, 7, 30)),
                A::optional("description", string()).validate(|v| check::len_between(v, 0, 8192)),
                A::optional_computed("enabled", T::Bool),
                A::computed("expiration_model", string()),
                A::optional("key_material_base64", string())
                    .force_new()
                    .sensitive(),
                A::optional("key_spec", string())
                    .default("SYMMETRIC_DEFAULT")
                    .force_new()
                    .validate(key_spec),
                A::computed("key_state", string()),
                A::optional("key_usage", string())
                    .default("ENCRYPT_DECRYPT")
                    .force_new()
                    .validate(|v| check::one_of(v, &["ENCRYPT_DECRYPT"])),
                A::optional_computed("multi_region", T::Bool).force_new(),
                A::optional_computed("policy", T::Json).validate(key_policy_json),
                A::optional("valid_to", string()).validate(rfc3339),
                A::computed("arn", string()),
                A::computed("id", string()),
            ]))
            .unsupported(&["region"]),
        }
    }

    fn noun(&self) -> &'static str {
        KEY
    }

    fn read(&self, aws: &AwsProvider<'_>, prior: &Map) -> Option<Map> {
        read_external_key(&aws.cloud.world, prior)
    }

    fn create(&self, aws: &mut AwsProvider<'_>, planned: &Map) -> Result<Map, ProviderError> {
        let mut p = json!({
            "Origin": "EXTERNAL",
            "KeyUsage": str_of(planned, "key_usage").unwrap_or("ENCRYPT_DECRYPT"),
            "KeySpec": str_of(planned, "key_spec").unwrap_or("SYMMETRIC_DEFAULT"),
            "BypassPolicyLockoutSafetyCheck":
                bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false),
        });
        if let Some(d) = str_of(planned, "description").filter(|d| !d.is_empty()) {
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
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        // The key exists from here on: if a later step fails, it is kept as a partial state.
        aws.created = Some(seed.clone());
        if let Some(material) = str_of(planned, "key_material_base64").filter(|m| !m.is_empty()) {
            import_material(aws, &id, material, str_of(planned, "valid_to"))?;
            // A key can be disabled only once it has material (else it is pending import).
            if bool_of(planned, "enabled") == Some(false) {
                aws.cloud
                    .call_json(&aws.ctx, "kms:DisableKey", &json!({"KeyId": id}))
                    .map_err(|e| fail("creating", &what, e))?;
            }
        }
        read_external_key(&aws.cloud.world, &seed)
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
        let enabled = bool_of(planned, "enabled");
        // A key pending import can be neither enabled nor disabled; the Terraform provider
        // leaves `enabled` alone then.
        let importable = str_of(prior, "key_state") != Some(KeyState::PendingImport.as_str());
        if changed("enabled") && enabled == Some(true) && importable {
            aws.cloud
                .call_json(&aws.ctx, "kms:EnableKey", &json!({"KeyId": id}))
                .map_err(|e| fail("updating", &what, e))?;
        }
        if changed("description") {
            let d = str_of(planned, "description").unwrap_or("");
            aws.cloud
                .call_json(
                    &aws.ctx,
                    "kms:UpdateKeyDescription",
                    &json!({"KeyId": id, "Description": d}),
                )
                .map_err(|e| fail("updating", &what, e))?;
        }
        if changed("policy")
            && let Some(pol) = str_of(planned, "policy")
        {
            let bypass = bool_of(planned, "bypass_policy_lockout_safety_check").unwrap_or(false);
            let p = json!({"KeyId": id, "Policy": pol, "BypassPolicyLockoutSafetyCheck": bypass});
            aws.cloud
                .call_json(&aws.ctx, "kms:PutKeyPolicy", &p)
                .map_err(|e| fail("updating", &what, e))?;
        }
        if changed("valid_to") {
            let material = str_of(planned, "key_material_base64").unwrap_or("");
            import_material(aws, &id, material, str_of(planned, "valid_to"))?;
        }
        if changed("enabled") && enabled == Some(false) && importable {
            aws.cloud
                .call_json(&aws.ctx, "kms:DisableKey", &json!({"KeyId": id}))
                .map_err(|e| fail("updating", &what, e))?;
        }
        if changed("tags") {
            retag_key(aws, &id, prior, planned)?;
        }
        let mut seed = planned.clone();
        seed.insert("id".into(), Value::string(&id));
        read_external_key(&aws.cloud.world, &seed)
            .ok_or_else(|| ProviderError::gone_after("updating", &what))
    }

    fn delete(&self, aws: &mut AwsProvider<'_>, prior: &Map) -> Result<(), ProviderError> {
        schedule_key_deletion(aws, prior)
    }

    fn destroy_note(&self, prior: &Map) -> Option<String> {
        Some(key_destroy_note(prior))
    }
}

/// Imports `material_b64` into key `id` as the Terraform provider does: fresh import
/// parameters, the material wrapped with RSAES-OAEP SHA-256 under their public key, and
/// ImportKeyMaterial with the expiry `valid_to` gives. Errors never quote the material.
fn import_material(
    aws: &mut AwsProvider<'_>,
    id: &str,
    material_b64: &str,
    valid_to: Option<&str>,
) -> Result<(), ProviderError> {
    let doing = format!("importing {} material", target(KEY, id));
    let params = aws
        .cloud
        .call_json(
            &aws.ctx,
            "kms:GetParametersForImport",
            &json!({"KeyId": id, "WrappingAlgorithm": WRAPPING_ALGORITHM,
                    "WrappingKeySpec": WRAPPING_KEY_SPEC}),
        )
        .map_err(|e| ProviderError {
            message: format!(
                "{doing}: getting parameters for import: {}: {}",
                e.code, e.message
            ),
            code: Some(e.code),
            partial: None,
        })?;
    let material = Zeroizing::new(B64.decode(material_b64).map_err(|_| {
        invalid(format!(
            "{doing}: Base64 decoding key material: key_material_base64 is not valid base64"
        ))
    })?);
    let public = params["PublicKey"]
        .as_str()
        .and_then(|p| B64.decode(p).ok())
        .and_then(|der| rsa::PublicKey::from_public_key_der(&der).ok())
        .ok_or_else(|| {
            invalid(format!(
                "{doing}: parsing public key: not an RSA public key"
            ))
        })?;
    let wrapped = public
        .encrypt(&mut getrandom::SysRng, Oaep::<Sha256>::new(), &material)
        .map_err(|_| {
            invalid(format!(
                "{doing}: encrypting key material: the material is longer than RSAES_OAEP_SHA_256 \
                 with an RSA_2048 key takes"
            ))
        })?;
    let mut p = json!({
        "KeyId": id,
        "ImportToken": params["ImportToken"],
        "EncryptedKeyMaterial": B64.encode(wrapped),
        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
    });
    if let Some(t) = valid_to.filter(|t| !t.is_empty()) {
        let at = parse_iso8601(t)
            .ok_or_else(|| invalid(format!("{doing}: parsing valid_to timestamp {t:?}")))?;
        p["ExpirationModel"] = json!("KEY_MATERIAL_EXPIRES");
        p["ValidTo"] = json!(iso8601(at));
    }
    aws.cloud
        .call_json(&aws.ctx, "kms:ImportKeyMaterial", &p)
        .map(|_| ())
        .map_err(|e| ProviderError {
            message: format!("{doing}: {}: {}", e.code, e.message),
            code: Some(e.code),
            partial: None,
        })
}

/// `2026-01-01T00:00:00Z`: the RFC 3339 form the Terraform provider writes `valid_to` in
/// (whole seconds, UTC).
fn rfc3339_seconds(t: crate::sim::clock::Millis) -> String {
    iso8601(t - t.rem_euclid(1000))
}

/// Reads an external key; one pending deletion counts as gone, as in the Terraform provider.
fn read_external_key(w: &World, prior: &Map) -> Option<Map> {
    let id = str_of(prior, "id")?;
    let k = w.kms.keys.get(key_id_of(id))?;
    if k.state == KeyState::PendingDeletion {
        return None;
    }
    let import = k.import.as_ref();
    let mut m = Map::new();
    m.insert("id".into(), Value::string(&k.key_id));
    m.insert("arn".into(), Value::string(&k.arn));
    // An unset description reads back as "" from KMS; the Terraform SDK treats the two alike.
    m.insert(
        "description".into(),
        if k.description.is_empty() && val(prior, "description").is_null() {
            Value::Null
        } else {
            Value::string(&k.description)
        },
    );
    m.insert("enabled".into(), Value::Bool(k.state == KeyState::Enabled));
    m.insert(
        "expiration_model".into(),
        opt_string(import.and_then(|i| i.expiration_model.as_deref())),
    );
    m.insert("key_state".into(), Value::string(k.state.as_str()));
    m.insert("key_usage".into(), Value::string(&k.key_usage));
    m.insert("key_spec".into(), Value::string(&k.key_spec));
    m.insert("multi_region".into(), Value::Bool(k.multi_region));
    m.insert("policy".into(), keep_policy(prior, "policy", &k.policy));
    m.insert(
        "valid_to".into(),
        import
            .and_then(|i| i.valid_to)
            .map_or(Value::Null, |t| Value::string(rfc3339_seconds(t))),
    );
    for (k, default) in [
        ("bypass_policy_lockout_safety_check", Value::Bool(false)),
        (
            "deletion_window_in_days",
            Value::from(DEFAULT_DELETION_WINDOW),
        ),
        ("key_material_base64", Value::Null),
    ] {
        m.insert(k.into(), carry(prior, k, default));
    }
    cloud_tags(&mut m, prior, &k.tags);
    Some(m)
}

#[cfg(test)]
#[path = "external_key_tests.rs"]
mod tests;
