//! Asymmetric KMS keys against OpenSSL: signatures keyform makes verify with `openssl dgst
//! -verify` using the public key GetPublicKey returns, and data OpenSSL encrypts to that public
//! key (RSAES-OAEP) decrypts in keyform.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::sim_common::{s, sim_json};
use crate::support::Test;

fn openssl(dir: &Path, args: &[&str]) -> std::process::Output {
    let bin = env!("KEYFORM_TOOL_OPENSSL");
    Command::new(bin)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl {args:?}: {e}"))
}

/// Creates a key and writes its public key (DER, from GetPublicKey) to `<name>.der`.
fn key_with_public(t: &Test, spec: &str, usage: &str, name: &str) -> String {
    let k = sim_json(
        t,
        &[
            "kms",
            "create-key",
            "--key-spec",
            spec,
            "--key-usage",
            usage,
        ],
    );
    let id = s(&k, "/KeyMetadata/KeyId").to_string();
    let p = sim_json(t, &["kms", "get-public-key", "--key-id", &id]);
    assert_eq!(s(&p, "/KeySpec"), spec);
    let der = B64.decode(s(&p, "/PublicKey")).unwrap();
    std::fs::write(t.path().join(format!("{name}.der")), der).unwrap();
    id
}

#[test]
#[cfg_attr(not(kf_openssl), ignore = "skipped: no openssl CLI on PATH")]
fn openssl_verifies_keyforms_signatures_with_the_public_key_from_get_public_key() {
    let t = Test::new().file("release.txt", "keyform 1.0.0 release artifact\n");
    let cases = [
        ("ECC_NIST_P256", "ECDSA_SHA_256", "-sha256", &[][..]),
        ("ECC_NIST_P384", "ECDSA_SHA_384", "-sha384", &[]),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256", "-sha256", &[]),
        ("RSA_2048", "RSASSA_PKCS1_V1_5_SHA_256", "-sha256", &[]),
        (
            "RSA_2048",
            "RSASSA_PSS_SHA_512",
            "-sha512",
            &[
                "-sigopt",
                "rsa_padding_mode:pss",
                "-sigopt",
                "rsa_pss_saltlen:-1",
            ],
        ),
    ];
    for (i, (spec, alg, md, opts)) in cases.iter().enumerate() {
        let name = format!("k{i}");
        let id = key_with_public(&t, spec, "SIGN_VERIFY", &name);
        let sig = sim_json(
            &t,
            &[
                "kms",
                "sign",
                "--key-id",
                &id,
                "--message",
                "keyform 1.0.0 release artifact\n",
                "--signing-algorithm",
                alg,
            ],
        );
        let bytes = B64.decode(s(&sig, "/Signature")).unwrap();
        std::fs::write(t.path().join(format!("{name}.sig")), bytes).unwrap();
        let pubkey = format!("{name}.der");
        let sigfile = format!("{name}.sig");
        let mut args = vec!["dgst", md, "-verify", &pubkey, "-keyform", "DER"];
        args.extend_from_slice(opts);
        args.extend_from_slice(&["-signature", &sigfile, "release.txt"]);
        let out = openssl(t.path(), &args);
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("Verified OK"),
            "{spec} {alg}: openssl did not verify: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // A changed artifact fails with the same signature.
        t.write("tampered.txt", "keyform 1.0.1 release artifact\n");
        let mut args = vec!["dgst", md, "-verify", &pubkey, "-keyform", "DER"];
        args.extend_from_slice(opts);
        args.extend_from_slice(&["-signature", &sigfile, "tampered.txt"]);
        assert!(
            !openssl(t.path(), &args).status.success(),
            "{spec}: tampered verified"
        );
    }
}

#[test]
#[cfg_attr(not(kf_openssl), ignore = "skipped: no openssl CLI on PATH")]
fn what_openssl_encrypts_to_the_public_key_decrypts_in_keyform() {
    let t = Test::new().file("secret.txt", "wrapped by openssl");
    let id = key_with_public(&t, "RSA_2048", "ENCRYPT_DECRYPT", "rsa");
    for (alg, md) in [
        ("RSAES_OAEP_SHA_256", "sha256"),
        ("RSAES_OAEP_SHA_1", "sha1"),
    ] {
        let (pad, oaep_md, mgf) = (
            "rsa_padding_mode:oaep".to_string(),
            format!("rsa_oaep_md:{md}"),
            format!("rsa_mgf1_md:{md}"),
        );
        let out = openssl(
            t.path(),
            &[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-keyform",
                "DER",
                "-inkey",
                "rsa.der",
                "-in",
                "secret.txt",
                "-out",
                "secret.bin",
                "-pkeyopt",
                &pad,
                "-pkeyopt",
                &oaep_md,
                "-pkeyopt",
                &mgf,
            ],
        );
        assert!(
            out.status.success(),
            "openssl pkeyutl: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let blob = B64.encode(std::fs::read(t.path().join("secret.bin")).unwrap());
        let d = sim_json(
            &t,
            &[
                "kms",
                "decrypt",
                "--key-id",
                &id,
                "--ciphertext-blob",
                &blob,
                "--encryption-algorithm",
                alg,
            ],
        );
        let pt = B64.decode(s(&d, "/Plaintext")).unwrap();
        assert_eq!(pt, b"wrapped by openssl", "{alg}: {d}");
        assert_eq!(s(&d, "/EncryptionAlgorithm"), alg);
    }
}
