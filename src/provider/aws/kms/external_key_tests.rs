//! `aws_kms_external_key`: the provider's own import (GetParametersForImport, OAEP-wrapped
//! material, ImportKeyMaterial), expiry on the world clock read back as drift and mended by the
//! next apply, enabled/disabled around PendingImport, and errors that never quote the material.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use crate::addr::Mode;
use crate::provider::Provider;
use crate::provider::aws::common::testing::*;
use crate::sim::CallContext;
use crate::sim::clock::{DAY, HOUR, iso8601};
use crate::sim::world::KeyState;
use crate::value::Value;

const KIND: &str = "aws_kms_external_key";

fn material(byte: u8) -> String {
    B64.encode([byte; 32])
}

#[test]
fn external_key_imports_its_material_expires_and_is_mended_by_the_next_apply() {
    let mut c = cloud();
    let mut p = provider(&mut c);
    let valid_to = iso8601(p.cloud.world.now + 2 * DAY);
    let planned = plan_create(
        &p,
        KIND,
        vec![
            ("description", s("byok")),
            ("key_material_base64", s(&material(7))),
            ("valid_to", s(&valid_to)),
            ("tags", obj(vec![("team", s("lab"))])),
        ],
    );
    assert_eq!(planned["enabled"], Value::Unknown);
    let mark = events(&p);
    let key = p.create(KIND, &planned).unwrap();
    assert_complete(Mode::Managed, KIND, &key);
    assert_eq!(
        event_names(&p, mark),
        ["CreateKey", "GetParametersForImport", "ImportKeyMaterial"]
    );
    let id = key["id"].as_str().unwrap().to_string();
    assert_eq!(
        key["arn"],
        s(&format!("arn:aws:kms:us-east-1:123456789012:key/{id}"))
    );
    assert_eq!(key["key_state"], s("Enabled"));
    assert_eq!(key["enabled"], Value::Bool(true));
    assert_eq!(key["expiration_model"], s("KEY_MATERIAL_EXPIRES"));
    assert_eq!(key["valid_to"], s(&valid_to));
    assert_eq!(key["key_usage"], s("ENCRYPT_DECRYPT"));
    assert_eq!(key["deletion_window_in_days"], Value::from(30));
    assert_eq!(key["key_material_base64"], s(&material(7)));
    assert_eq!(p.cloud.world.kms.keys[&id].origin(), "EXTERNAL");
    assert_eq!(p.read(KIND, &key).unwrap().as_ref(), Some(&key));

    // The imported material is the key's: what it encrypts, it decrypts.
    let admin = CallContext::lab_admin();
    let blob = p
        .cloud
        .call_json(
            &admin,
            "kms:Encrypt",
            &json!({"KeyId": id, "Plaintext": "aGk="}),
        )
        .unwrap()["CiphertextBlob"]
        .clone();

    // A later valid_to imports the same material again, in place.
    let later = iso8601(p.cloud.world.now + 3 * DAY);
    let planned = plan_update(&p, KIND, &key, vec![("valid_to", s(&later))]);
    let mark = events(&p);
    let key = p.update(KIND, &key, &planned).unwrap();
    assert_eq!(
        event_names(&p, mark),
        ["GetParametersForImport", "ImportKeyMaterial"]
    );
    assert_eq!(key["valid_to"], s(&later));

    // The clock passes valid_to: KMS deletes the material; the refresh sees it.
    p.cloud.advance_clock(3 * DAY + HOUR);
    let drifted = p.read(KIND, &key).unwrap().unwrap();
    assert_eq!(drifted["key_state"], s("PendingImport"));
    assert_eq!(drifted["enabled"], Value::Bool(false));
    assert_eq!(drifted["valid_to"], Value::Null);
    assert_eq!(drifted["expiration_model"], Value::Null);

    // The next apply (valid_to moved on, as a lab would) imports the material again and the
    // old ciphertext decrypts.
    let again = iso8601(p.cloud.world.now + DAY);
    let planned = plan_update(&p, KIND, &drifted, vec![("valid_to", s(&again))]);
    let key = p.update(KIND, &drifted, &planned).unwrap();
    assert_eq!(key["key_state"], s("Enabled"));
    let out = p
        .cloud
        .call_json(&admin, "kms:Decrypt", &json!({"CiphertextBlob": blob}))
        .unwrap();
    assert_eq!(out["Plaintext"], "aGk=");

    // Without valid_to the material does not expire; disabling comes last.
    let planned = plan_update(
        &p,
        KIND,
        &key,
        vec![("valid_to", Value::Null), ("enabled", Value::Bool(false))],
    );
    let mark = events(&p);
    let key = p.update(KIND, &key, &planned).unwrap();
    assert_eq!(
        event_names(&p, mark),
        ["GetParametersForImport", "ImportKeyMaterial", "DisableKey"]
    );
    assert_eq!(key["expiration_model"], s("KEY_MATERIAL_DOES_NOT_EXPIRE"));
    assert_eq!(key["key_state"], s("Disabled"));

    assert!(
        p.destroy_note(KIND, &key)
            .unwrap()
            .starts_with("will be scheduled for deletion in 30 days")
    );
    p.delete(KIND, &key).unwrap();
    assert_eq!(p.cloud.world.kms.keys[&id].state, KeyState::PendingDeletion);
    assert_eq!(p.read(KIND, &key).unwrap(), None);
    p.delete(KIND, &key)
        .expect("deleting a key pending deletion succeeds");
}

#[test]
fn external_key_without_material_waits_for_import_and_stays_disabled() {
    let mut c = cloud();
    let mut p = provider(&mut c);
    let planned = plan_create(
        &p,
        KIND,
        vec![
            ("enabled", Value::Bool(false)),
            ("deletion_window_in_days", Value::from(7)),
        ],
    );
    let mark = events(&p);
    let key = p.create(KIND, &planned).unwrap();
    assert_eq!(event_names(&p, mark), ["CreateKey"]);
    assert_complete(Mode::Managed, KIND, &key);
    assert_eq!(key["key_state"], s("PendingImport"));
    assert_eq!(key["enabled"], Value::Bool(false));
    assert_eq!(key["description"], Value::Null);
    assert_eq!(key["key_material_base64"], Value::Null);
    assert_eq!(p.read(KIND, &key).unwrap().as_ref(), Some(&key));

    // Asking to enable a key pending import changes nothing (as in the Terraform provider).
    let planned = plan_update(&p, KIND, &key, vec![("enabled", Value::Bool(true))]);
    let mark = events(&p);
    let after = p.update(KIND, &key, &planned).unwrap();
    assert_eq!(event_names(&p, mark), Vec::<String>::new());
    assert_eq!(after["enabled"], Value::Bool(false));
    p.delete(KIND, &after).unwrap();
    let id = key["id"].as_str().unwrap();
    assert_eq!(p.cloud.world.kms.keys[id].deletion_date, Some(7 * DAY));
}

#[test]
fn bad_material_fails_without_quoting_it_and_keeps_the_key_as_partial() {
    let mut c = cloud();
    let mut p = provider(&mut c);
    // Not base64: the error names the argument, never its value.
    let secret = "c2VjcmV0LW1hdGVyaWFs!!";
    let planned = plan_create(&p, KIND, vec![("key_material_base64", s(secret))]);
    let e = p.create(KIND, &planned).unwrap_err();
    assert!(
        e.message.contains("Base64 decoding key material"),
        "{}",
        e.message
    );
    assert!(!e.message.contains("c2VjcmV0"), "{}", e.message);
    let partial = e.partial.expect("the created key is kept as partial");
    assert_eq!(partial["key_state"], s("PendingImport"));

    // 16 bytes is not 256-bit material: KMS refuses it.
    let short = B64.encode([9u8; 16]);
    let planned = plan_create(&p, KIND, vec![("key_material_base64", s(&short))]);
    let e = p.create(KIND, &planned).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("IncorrectKeyMaterialException"));
    assert!(!e.message.contains(&short), "{}", e.message);

    // A valid_to in the past is KMS's ValidTo error.
    let past = iso8601(p.cloud.world.now - HOUR);
    let planned = plan_create(
        &p,
        KIND,
        vec![
            ("key_material_base64", s(&material(1))),
            ("valid_to", s(&past)),
        ],
    );
    let e = p.create(KIND, &planned).unwrap_err();
    assert_eq!(e.code.as_deref(), Some("ValidationException"), "{e:?}");
}
