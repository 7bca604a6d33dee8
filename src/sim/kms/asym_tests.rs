//! Asymmetric and HMAC keys end to end through `Cloud::call`: what each spec offers, signing
//! and verifying, RSA encryption, MACs, and AWS's refusals (which change nothing).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::json;

use super::*;
use crate::sim::ids::IdGen;

fn cloud() -> Cloud {
    Cloud::in_memory(
        "123456789012",
        "us-east-1",
        1_767_225_600_000,
        IdGen::seeded(11),
    )
    .unwrap()
}

fn call(c: &mut Cloud, op: &str, p: Json) -> Result<Json, SimError> {
    c.call(&CallContext::lab_admin(), op, &p, None)
        .map(|r| r.fields)
}

fn err(r: Result<Json, SimError>) -> (String, String) {
    let e = r.unwrap_err();
    (e.code, e.message)
}

fn key(c: &mut Cloud, spec: &str, usage: &str) -> String {
    let r = call(
        c,
        "kms:CreateKey",
        json!({"KeySpec": spec, "KeyUsage": usage}),
    )
    .unwrap();
    r["KeyMetadata"]["KeyId"].as_str().unwrap().to_string()
}

/// The world as JSON, to show a refused call changed nothing.
fn snapshot(c: &Cloud) -> String {
    serde_json::to_string(&c.world.kms.keys).unwrap()
}

#[test]
fn each_spec_offers_awss_algorithms_and_only_its_usages() {
    let mut c = cloud();
    let cases = [
        (
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_256"]),
        ),
        (
            "ECC_NIST_P384",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_384"]),
        ),
        (
            "ECC_NIST_P521",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_512"]),
        ),
        (
            "ECC_SECG_P256K1",
            "SIGN_VERIFY",
            "SigningAlgorithms",
            json!(["ECDSA_SHA_256"]),
        ),
        (
            "RSA_2048",
            "ENCRYPT_DECRYPT",
            "EncryptionAlgorithms",
            json!(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]),
        ),
        (
            "HMAC_384",
            "GENERATE_VERIFY_MAC",
            "MacAlgorithms",
            json!(["HMAC_SHA_384"]),
        ),
    ];
    for (spec, usage, field, want) in cases {
        let id = key(&mut c, spec, usage);
        let m = &call(&mut c, "kms:DescribeKey", json!({"KeyId": id})).unwrap()["KeyMetadata"];
        assert_eq!(m[field], want, "{spec}");
        assert_eq!(
            (m["KeySpec"].as_str(), m["KeyUsage"].as_str()),
            (Some(spec), Some(usage))
        );
        if field != "EncryptionAlgorithms" {
            assert!(m.get("EncryptionAlgorithms").is_none(), "{spec}: {m}");
        }
    }
    let before = snapshot(&c);
    for (spec, usage) in [
        ("HMAC_224", None),
        ("ECC_NIST_P256", Some("ENCRYPT_DECRYPT")),
        ("SYMMETRIC_DEFAULT", Some("SIGN_VERIFY")),
        ("RSA_2048", Some("GENERATE_VERIFY_MAC")),
    ] {
        let mut p = json!({"KeySpec": spec});
        if let Some(u) = usage {
            p["KeyUsage"] = json!(u);
        }
        let (code, msg) = err(call(&mut c, "kms:CreateKey", p));
        assert_eq!(code, "ValidationException");
        let u = usage.unwrap_or("ENCRYPT_DECRYPT");
        assert_eq!(
            msg,
            format!("KeyUsage {u} is not compatible with KeySpec {spec}")
        );
    }
    assert_eq!(snapshot(&c), before, "a refused CreateKey creates nothing");
}

#[test]
fn signatures_verify_for_raw_and_digest_messages_and_a_changed_message_does_not() {
    let mut c = cloud();
    let id = key(&mut c, "ECC_NIST_P384", "SIGN_VERIFY");
    let msg = B64.encode(b"release-1.0.tar.gz");
    let sig = call(
        &mut c,
        "kms:Sign",
        json!({"KeyId": id, "Message": msg, "SigningAlgorithm": "ECDSA_SHA_384"}),
    )
    .unwrap()["Signature"]
        .clone();
    let verify = |c: &mut Cloud, m: &str, t: &str| {
        call(
            c,
            "kms:Verify",
            json!({"KeyId": id, "Message": m, "MessageType": t, "Signature": sig,
                   "SigningAlgorithm": "ECDSA_SHA_384"}),
        )
    };
    assert_eq!(verify(&mut c, &msg, "RAW").unwrap()["SignatureValid"], true);
    // The same signature over the SHA-384 digest of the message, sent as DIGEST.
    let digest = B64.encode(asym::digest(keyspec::Hash::Sha384, b"release-1.0.tar.gz"));
    assert_eq!(
        verify(&mut c, &digest, "DIGEST").unwrap()["SignatureValid"],
        true
    );
    let (code, msg2) = err(verify(&mut c, &B64.encode(b"release-1.1.tar.gz"), "RAW"));
    assert_eq!(
        (code.as_str(), msg2.as_str()),
        ("KMSInvalidSignatureException", "")
    );
    // A digest of the wrong length.
    let (code, m) = err(verify(&mut c, &B64.encode([0u8; 32]), "DIGEST"));
    assert_eq!(code, "ValidationException");
    assert_eq!(m, "Digest is invalid length for algorithm ECDSA_SHA_384.");
}

#[test]
fn rsa_keys_sign_with_pss_and_pkcs1_and_refuse_what_aws_refuses() {
    let mut c = cloud();
    let id = key(&mut c, "RSA_2048", "SIGN_VERIFY");
    let msg = B64.encode(b"artifact");
    for alg in ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_512"] {
        let sig = call(
            &mut c,
            "kms:Sign",
            json!({"KeyId": id, "Message": msg, "SigningAlgorithm": alg}),
        )
        .unwrap()["Signature"]
            .clone();
        let r = call(
            &mut c,
            "kms:Verify",
            json!({"KeyId": id, "Message": msg, "Signature": sig, "SigningAlgorithm": alg}),
        )
        .unwrap();
        assert_eq!(r["SignatureValid"], true, "{alg}");
    }
    let before = snapshot(&c);
    let sign = |c: &mut Cloud, p: Json| err(call(c, "kms:Sign", p));
    let (code, m) = sign(
        &mut c,
        json!({"KeyId": id, "Message": msg, "SigningAlgorithm": "ECDSA_SHA_256"}),
    );
    assert_eq!(code, "InvalidKeyUsageException");
    assert_eq!(
        m,
        "Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048."
    );
    let (code, m) = sign(
        &mut c,
        json!({"KeyId": id, "Message": B64.encode(vec![0u8; 4097]),
               "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
    );
    assert_eq!(code, "ValidationException");
    assert!(
        m.ends_with("Member must have length less than or equal to 4096"),
        "{m}"
    );
    let sym = call(&mut c, "kms:CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"].clone();
    let before_sym = snapshot(&c);
    let (code, _) = sign(
        &mut c,
        json!({"KeyId": sym, "Message": msg, "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
    );
    assert_eq!(code, "InvalidKeyUsageException");
    for op in ["kms:EnableKeyRotation", "kms:RotateKeyOnDemand"] {
        let (code, _) = err(call(&mut c, op, json!({"KeyId": id})));
        assert_eq!(code, "UnsupportedOperationException", "{op}");
    }
    let (code, _) = err(call(
        &mut c,
        "kms:GenerateDataKey",
        json!({"KeyId": id, "KeySpec": "AES_256"}),
    ));
    assert_eq!(code, "InvalidKeyUsageException");
    let (code, _) = err(call(&mut c, "kms:GetPublicKey", json!({"KeyId": sym})));
    assert_eq!(code, "UnsupportedOperationException");
    assert_ne!(before, before_sym);
    assert_eq!(snapshot(&c), before_sym, "refusals change nothing");
}

#[test]
fn rsa_encryption_round_trips_within_awss_limits() {
    let mut c = cloud();
    let id = key(&mut c, "RSA_2048", "ENCRYPT_DECRYPT");
    let enc = |c: &mut Cloud, n: usize, alg: &str| {
        call(
            c,
            "kms:Encrypt",
            json!({"KeyId": id, "Plaintext": B64.encode(vec![b'x'; n]),
                   "EncryptionAlgorithm": alg}),
        )
    };
    for (alg, max) in [("RSAES_OAEP_SHA_1", 214), ("RSAES_OAEP_SHA_256", 190)] {
        let r = enc(&mut c, max, alg).unwrap();
        assert_eq!(r["EncryptionAlgorithm"], alg);
        let blob = r["CiphertextBlob"].clone();
        let d = call(
            &mut c,
            "kms:Decrypt",
            json!({"KeyId": id, "CiphertextBlob": blob, "EncryptionAlgorithm": alg}),
        )
        .unwrap();
        assert_eq!(d["Plaintext"], B64.encode(vec![b'x'; max]));
        let (code, m) = err(enc(&mut c, max + 1, alg));
        assert_eq!(code, "ValidationException");
        assert_eq!(
            m,
            format!("Plaintext is too long for {alg} with a RSA_2048 key: at most {max} bytes.")
        );
        // Without the key id the ciphertext names no key.
        let (code, _) = err(call(
            &mut c,
            "kms:Decrypt",
            json!({"CiphertextBlob": blob, "EncryptionAlgorithm": alg}),
        ));
        assert_eq!(code, "InvalidKeyUsageException");
        let (code, _) = err(call(&mut c, "kms:Decrypt", json!({"CiphertextBlob": blob})));
        assert_eq!(code, "InvalidCiphertextException");
    }
    let (code, m) = err(enc(&mut c, 10, "SYMMETRIC_DEFAULT"));
    assert_eq!(code, "InvalidKeyUsageException");
    assert_eq!(
        m,
        "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."
    );
    let (code, _) = err(call(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": id, "Plaintext": "aGk=", "EncryptionAlgorithm": "RSAES_OAEP_SHA_1",
               "EncryptionContext": {"a": "b"}}),
    ));
    assert_eq!(code, "ValidationException");
}

#[test]
fn hmac_keys_make_and_check_macs() {
    let mut c = cloud();
    let id = key(&mut c, "HMAC_512", "GENERATE_VERIFY_MAC");
    let msg = B64.encode(b"token");
    let r = call(
        &mut c,
        "kms:GenerateMac",
        json!({"KeyId": id, "Message": msg, "MacAlgorithm": "HMAC_SHA_512"}),
    )
    .unwrap();
    let mac = r["Mac"].as_str().unwrap().to_string();
    assert_eq!(B64.decode(&mac).unwrap().len(), 64);
    let verify = |c: &mut Cloud, m: &str, mac: &str| {
        call(
            c,
            "kms:VerifyMac",
            json!({"KeyId": id, "Message": m, "Mac": mac, "MacAlgorithm": "HMAC_SHA_512"}),
        )
    };
    assert_eq!(verify(&mut c, &msg, &mac).unwrap()["MacValid"], true);
    let (code, m) = err(verify(&mut c, &B64.encode(b"tokem"), &mac));
    assert_eq!((code.as_str(), m.as_str()), ("KMSInvalidMacException", ""));
    let (code, _) = err(call(
        &mut c,
        "kms:GenerateMac",
        json!({"KeyId": id, "Message": msg, "MacAlgorithm": "HMAC_SHA_256"}),
    ));
    assert_eq!(code, "InvalidKeyUsageException");
    let (code, _) = err(call(
        &mut c,
        "kms:Encrypt",
        json!({"KeyId": id, "Plaintext": msg}),
    ));
    assert_eq!(code, "InvalidKeyUsageException");
    // The HMAC key itself is never in the world in the clear.
    let k = &c.world.kms.keys[&id];
    let secret = c.key_secret(k).unwrap();
    assert!(!snapshot(&c).contains(&B64.encode(&*secret)));
}
