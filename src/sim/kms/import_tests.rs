//! Imported key material end to end: PendingImport, wrapping with the public key from
//! GetParametersForImport, expiry on the world clock, re-import of the same material only,
//! token validity and replacement, DeleteImportedKeyMaterial.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use super::asym::{self, OaepHash};
use super::*;
use crate::sim::clock::{DAY, HOUR, iso8601};
use crate::sim::ids::IdGen;

fn cloud() -> Cloud {
    Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(5),
    )
    .unwrap()
}

fn call(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    c.call_json(&CallContext::lab_admin(), op, &p)
}

fn code(r: Result<Json, SimError>) -> String {
    r.unwrap_err().code
}

/// Parameters for `key`, and `material` wrapped with them (RSAES_OAEP_SHA_256, RSA_2048).
fn wrap(c: &mut Cloud, key: &str, material: &[u8]) -> (String, String) {
    let p = call(
        c,
        "kms:GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
               "WrappingKeySpec": "RSA_2048"}),
    )
    .unwrap();
    let public = B64.decode(p["PublicKey"].as_str().unwrap()).unwrap();
    let wrapped = asym::rsa_encrypt(&public, 2048, OaepHash::Sha256, material).unwrap();
    (
        p["ImportToken"].as_str().unwrap().to_string(),
        B64.encode(wrapped),
    )
}

fn import(
    c: &mut Cloud,
    key: &str,
    token: &str,
    wrapped: &str,
    valid_to: Option<i64>,
) -> Result<Json, SimError> {
    let mut p = json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped});
    match valid_to {
        Some(t) => p["ValidTo"] = json!(iso8601(t)),
        None => p["ExpirationModel"] = json!("KEY_MATERIAL_DOES_NOT_EXPIRE"),
    }
    call(c, "kms:ImportKeyMaterial", p)
}

#[test]
fn imported_material_encrypts_expires_on_the_clock_and_comes_back_only_as_itself() {
    let mut c = cloud();
    let meta = call(&mut c, "kms:CreateKey", json!({"Origin": "EXTERNAL"})).unwrap()["KeyMetadata"]
        .clone();
    assert_eq!(meta["Origin"], "EXTERNAL");
    assert_eq!(meta["KeyState"], "PendingImport");
    let key = meta["KeyId"].as_str().unwrap().to_string();
    let enc = json!({"KeyId": key, "Plaintext": "aGk="});
    let e = call(&mut c, "kms:Encrypt", enc.clone()).unwrap_err();
    assert_eq!(e.code, "KMSInvalidStateException");
    assert!(e.message.ends_with(" is pending import."), "{}", e.message);

    let material = [7u8; 32];
    let (token, wrapped) = wrap(&mut c, &key, &material);
    let now = c.world.now;
    let r = import(&mut c, &key, &token, &wrapped, Some(now + DAY)).unwrap();
    assert_eq!(r["KeyMaterialId"].as_str().unwrap().len(), 64);
    let d = call(&mut c, "kms:DescribeKey", json!({"KeyId": key})).unwrap()["KeyMetadata"].clone();
    assert_eq!(d["KeyState"], "Enabled");
    assert_eq!(d["ExpirationModel"], "KEY_MATERIAL_EXPIRES");
    assert_eq!(d["ValidTo"], json!(iso8601(now + DAY)));
    let blob = call(&mut c, "kms:Encrypt", enc.clone()).unwrap()["CiphertextBlob"].clone();

    // The clock passes ValidTo: KMS deletes the material and says so.
    c.advance_clock(DAY + HOUR);
    assert_eq!(c.key(&key).unwrap().state, KeyState::PendingImport);
    let last = c.world.cloudtrail.events.last().unwrap().json();
    assert_eq!(last["eventName"], "DeleteExpiredKeyMaterial");
    assert_eq!(
        code(call(&mut c, "kms:Decrypt", json!({"CiphertextBlob": blob}))),
        "KMSInvalidStateException"
    );

    // Other material is refused; the same material brings the old ciphertext back.
    let (token, wrapped) = wrap(&mut c, &key, &[8u8; 32]);
    assert_eq!(
        code(import(&mut c, &key, &token, &wrapped, None)),
        "IncorrectKeyMaterialException"
    );
    let (token, wrapped) = wrap(&mut c, &key, &material);
    import(&mut c, &key, &token, &wrapped, None).unwrap();
    let out = call(&mut c, "kms:Decrypt", json!({"CiphertextBlob": blob})).unwrap();
    assert_eq!(out["Plaintext"], "aGk=");

    // DeleteImportedKeyMaterial: pending import again.
    call(
        &mut c,
        "kms:DeleteImportedKeyMaterial",
        json!({"KeyId": key}),
    )
    .unwrap();
    assert_eq!(
        code(call(&mut c, "kms:Encrypt", enc)),
        "KMSInvalidStateException"
    );
    assert_eq!(
        code(call(&mut c, "kms:EnableKey", json!({"KeyId": key}))),
        "KMSInvalidStateException"
    );
}

#[test]
fn import_tokens_last_24_hours_and_a_new_one_replaces_the_old() {
    let mut c = cloud();
    let key = call(&mut c, "kms:CreateKey", json!({"Origin": "EXTERNAL"})).unwrap()["KeyMetadata"]
        ["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let material = [9u8; 32];
    let (old, old_wrapped) = wrap(&mut c, &key, &material);
    let (token, wrapped) = wrap(&mut c, &key, &material);
    assert_eq!(
        code(import(&mut c, &key, &old, &old_wrapped, None)),
        "InvalidImportTokenException"
    );
    c.advance_clock(DAY + 1);
    let events = c.world.cloudtrail.events.len();
    assert_eq!(
        code(import(&mut c, &key, &token, &wrapped, None)),
        "ExpiredImportTokenException"
    );
    assert_eq!(
        c.key(&key).unwrap().state,
        KeyState::PendingImport,
        "nothing changed"
    );
    assert_eq!(c.world.cloudtrail.events.len(), events + 1);
    let (token, wrapped) = wrap(&mut c, &key, &material);
    let now = c.world.now;
    assert_eq!(
        code(import(&mut c, &key, &token, &wrapped, Some(now - 1))),
        "ValidationException"
    );
    assert_eq!(
        code(import(
            &mut c,
            &key,
            &token,
            &wrapped,
            Some(now + 366 * DAY)
        )),
        "ValidationException"
    );
    assert_eq!(
        code(import(&mut c, &key, &token, "AAAA", None)),
        "InvalidCiphertextException"
    );
    let r = call(
        &mut c,
        "kms:ImportKeyMaterial",
        json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": wrapped}),
    );
    assert_eq!(
        code(r),
        "ValidationException",
        "KEY_MATERIAL_EXPIRES needs ValidTo"
    );
    import(&mut c, &key, &token, &wrapped, None).unwrap();
}

#[test]
fn only_external_keys_take_imports_and_only_symmetric_ones_are_external() {
    let mut c = cloud();
    let key = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let r = call(
        &mut c,
        "kms:GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_1", "WrappingKeySpec": "RSA_2048"}),
    );
    assert_eq!(code(r), "UnsupportedOperationException");
    let r = call(
        &mut c,
        "kms:CreateKey",
        json!({"Origin": "EXTERNAL", "KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}),
    );
    assert_eq!(code(r), "UnsupportedOperationException");
    let r = call(&mut c, "kms:CreateKey", json!({"Origin": "AWS_CLOUDHSM"}));
    assert_eq!(code(r), "ValidationException");
}

#[test]
fn rsa_aes_key_wrap_material_imports_and_a_damaged_wrap_is_refused() {
    let mut c = cloud();
    let key = call(&mut c, "kms:CreateKey", json!({"Origin": "EXTERNAL"})).unwrap()["KeyMetadata"]
        ["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let material = [5u8; 32];
    for (algorithm, hash, bits, spec) in [
        (
            "RSA_AES_KEY_WRAP_SHA_256",
            OaepHash::Sha256,
            3072,
            "RSA_3072",
        ),
        ("RSA_AES_KEY_WRAP_SHA_1", OaepHash::Sha1, 2048, "RSA_2048"),
    ] {
        let p = call(
            &mut c,
            "kms:GetParametersForImport",
            json!({"KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec}),
        )
        .unwrap();
        let public = B64.decode(p["PublicKey"].as_str().unwrap()).unwrap();
        let token = p["ImportToken"].as_str().unwrap().to_string();
        let aes_key = [0x33u8; 32];
        let mut blob = asym::rsa_encrypt(&public, bits, hash, &aes_key).unwrap();
        assert_eq!(blob.len(), bits / 8);
        blob.extend(super::key_wrap::wrap(&aes_key, &material).unwrap());
        let mut damaged = blob.clone();
        *damaged.last_mut().unwrap() ^= 1;
        assert_eq!(
            code(import(&mut c, &key, &token, &B64.encode(&damaged), None)),
            "InvalidCiphertextException",
            "{algorithm}"
        );
        // The RSA part alone (what RSAES_OAEP_* takes) is not a key-wrap blob.
        assert_eq!(
            code(import(
                &mut c,
                &key,
                &token,
                &B64.encode(&blob[..bits / 8]),
                None
            )),
            "InvalidCiphertextException",
            "{algorithm}"
        );
        assert_eq!(c.key(&key).unwrap().state, KeyState::PendingImport);
        import(&mut c, &key, &token, &B64.encode(&blob), None).unwrap();
        assert_eq!(c.key(&key).unwrap().state, KeyState::Enabled);
        call(
            &mut c,
            "kms:DeleteImportedKeyMaterial",
            json!({"KeyId": key}),
        )
        .unwrap();
    }
}
