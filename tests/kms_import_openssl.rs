//! Importing key material wrapped by OpenSSL exactly as the KMS Developer Guide's "Encrypt key
//! material" steps do it (`openssl rand`, `openssl pkeyutl -encrypt` with OAEP SHA-256 for
//! RSAES_OAEP_SHA_256; plus `openssl enc -id-aes256-wrap-pad -iv A65959A6` for
//! RSA_AES_KEY_WRAP_SHA_256), through `sim` and through `serve`. The material KMS unwrapped is
//! the material OpenSSL wrapped: the key takes it again under the other algorithm and refuses
//! any other, and what it encrypts before decrypts after.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value as Json, json};

use crate::sim_common::s;
use crate::support::Test;
use crate::support::wire::Served;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("KEYFORM_TOOL_OPENSSL"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("openssl {args:?}: {e}"));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const OAEP_SHA256: [&str; 6] = [
    "-pkeyopt",
    "rsa_padding_mode:oaep",
    "-pkeyopt",
    "rsa_oaep_md:sha256",
    "-pkeyopt",
    "rsa_mgf1_md:sha256",
];

/// Writes `WrappingPublicKey.bin` (the DER public key GetParametersForImport returned, base64)
/// and wraps `PlaintextKeyMaterial.bin` with it into `EncryptedKeyMaterial.bin`, by the
/// documented commands for `algorithm`.
fn wrap_with_openssl(dir: &Path, public_b64: &str, algorithm: &str) -> Vec<u8> {
    std::fs::write(
        dir.join("WrappingPublicKey.bin"),
        B64.decode(public_b64).unwrap(),
    )
    .unwrap();
    let pkeyutl = |input: &str, output: &str| {
        let mut args = vec![
            "pkeyutl",
            "-encrypt",
            "-in",
            input,
            "-out",
            output,
            "-inkey",
            "WrappingPublicKey.bin",
            "-keyform",
            "DER",
            "-pubin",
        ];
        args.extend(OAEP_SHA256);
        openssl(dir, &args);
    };
    match algorithm {
        "RSAES_OAEP_SHA_256" => pkeyutl("PlaintextKeyMaterial.bin", "EncryptedKeyMaterial.bin"),
        "RSA_AES_KEY_WRAP_SHA_256" => {
            openssl(dir, &["rand", "-out", "aes-key.bin", "32"]);
            let aes_hex = hex::encode(std::fs::read(dir.join("aes-key.bin")).unwrap());
            openssl(
                dir,
                &[
                    "enc",
                    "-id-aes256-wrap-pad",
                    "-K",
                    &aes_hex,
                    "-iv",
                    "A65959A6",
                    "-in",
                    "PlaintextKeyMaterial.bin",
                    "-out",
                    "key-material-wrapped.bin",
                ],
            );
            pkeyutl("aes-key.bin", "aes-key-wrapped.bin");
            let mut blob = std::fs::read(dir.join("aes-key-wrapped.bin")).unwrap();
            blob.extend(std::fs::read(dir.join("key-material-wrapped.bin")).unwrap());
            std::fs::write(dir.join("EncryptedKeyMaterial.bin"), &blob).unwrap();
        }
        other => panic!("no documented procedure for {other}"),
    }
    std::fs::read(dir.join("EncryptedKeyMaterial.bin")).unwrap()
}

/// The steps of the procedure, each one KMS call, so the same story runs through `sim` and
/// through `serve`.
trait Kms {
    fn dir(&self) -> &Path;
    fn call(&self, op: &str, params: Json) -> Result<Json, String>;
}

struct ViaSim<'a>(&'a Test);

impl Kms for ViaSim<'_> {
    fn dir(&self) -> &Path {
        self.0.path()
    }
    fn call(&self, op: &str, params: Json) -> Result<Json, String> {
        // Blobs go in as files, the AWS CLI's way (fileb://).
        let mut args = vec!["kms".to_string(), cli_name(op)];
        for (k, v) in params.as_object().unwrap() {
            let (flag, value) = match (k.as_str(), v.as_str()) {
                // Content parameters take text in sim (the AWS CLI v2's raw-in-base64-out).
                ("Plaintext", Some(b)) => (
                    cli_name(k),
                    String::from_utf8(B64.decode(b).unwrap()).unwrap(),
                ),
                ("EncryptedKeyMaterial", Some(b)) => {
                    std::fs::write(self.0.path().join("blob.bin"), B64.decode(b).unwrap()).unwrap();
                    (cli_name(k), "fileb://blob.bin".into())
                }
                (_, Some(x)) => (cli_name(k), x.to_string()),
                _ => (cli_name(k), v.to_string()),
            };
            args.push(format!("--{flag}"));
            args.push(value);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut all = vec!["sim"];
        all.extend(&args);
        let r = self.0.run(&all);
        if r.code == 0 {
            Ok(serde_json::from_str(&r.stdout).unwrap_or(Json::Null))
        } else {
            Err(r.stderr)
        }
    }
}

struct ViaServe<'a> {
    t: &'a Test,
    s: Served,
}

impl Kms for ViaServe<'_> {
    fn dir(&self) -> &Path {
        self.t.path()
    }
    fn call(&self, op: &str, params: Json) -> Result<Json, String> {
        let r = self.s.client(Some(&self.s.admin)).kms(op, params);
        let j = r.json();
        if r.status == 200 {
            Ok(j)
        } else {
            Err(j.to_string())
        }
    }
}

/// `GetParametersForImport` -> `get-parameters-for-import`.
fn cli_name(op: &str) -> String {
    let mut out = String::new();
    for (i, ch) in op.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(ch.to_ascii_lowercase());
    }
    out
}

fn import_with(k: &dyn Kms, key: &str, algorithm: &str, spec: &str) -> Result<Json, String> {
    let p = k
        .call(
            "GetParametersForImport",
            json!({"KeyId": key, "WrappingAlgorithm": algorithm, "WrappingKeySpec": spec}),
        )
        .unwrap();
    let blob = wrap_with_openssl(k.dir(), s(&p, "/PublicKey"), algorithm);
    k.call(
        "ImportKeyMaterial",
        json!({
            "KeyId": key,
            "ImportToken": s(&p, "/ImportToken"),
            "EncryptedKeyMaterial": B64.encode(blob),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
    )
}

/// The whole story on one front end.
fn the_documented_procedure(k: &dyn Kms) {
    let key = k.call("CreateKey", json!({"Origin": "EXTERNAL"})).unwrap();
    assert_eq!(s(&key, "/KeyMetadata/KeyState"), "PendingImport");
    let key = s(&key, "/KeyMetadata/KeyId").to_string();
    openssl(k.dir(), &["rand", "-out", "PlaintextKeyMaterial.bin", "32"]);

    import_with(k, &key, "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096").unwrap();
    let d = k.call("DescribeKey", json!({"KeyId": key})).unwrap();
    assert_eq!(s(&d, "/KeyMetadata/KeyState"), "Enabled");
    assert_eq!(
        s(&d, "/KeyMetadata/ExpirationModel"),
        "KEY_MATERIAL_DOES_NOT_EXPIRE"
    );
    let blob = k
        .call(
            "Encrypt",
            json!({"KeyId": key, "Plaintext": B64.encode("byok")}),
        )
        .unwrap();
    let blob = s(&blob, "/CiphertextBlob").to_string();

    // Deleted, then the same bytes wrapped the other documented way: KMS takes them back
    // (it takes no other material for this key), and the ciphertext decrypts again.
    k.call("DeleteImportedKeyMaterial", json!({"KeyId": key}))
        .unwrap();
    import_with(k, &key, "RSAES_OAEP_SHA_256", "RSA_2048").unwrap();
    let out = k.call("Decrypt", json!({"CiphertextBlob": blob})).unwrap();
    assert_eq!(B64.decode(s(&out, "/Plaintext")).unwrap(), b"byok");

    openssl(k.dir(), &["rand", "-out", "PlaintextKeyMaterial.bin", "32"]);
    let e = import_with(k, &key, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072").unwrap_err();
    assert!(e.contains("IncorrectKeyMaterialException"), "{e}");
}

#[test]
#[cfg_attr(not(kf_openssl), ignore = "skipped: no openssl CLI on PATH")]
fn material_wrapped_by_openssl_as_documented_imports_through_sim() {
    let t = Test::new();
    the_documented_procedure(&ViaSim(&t));
}

#[test]
#[cfg_attr(not(kf_openssl), ignore = "skipped: no openssl CLI on PATH")]
fn material_wrapped_by_openssl_as_documented_imports_through_serve() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    the_documented_procedure(&ViaServe { t: &t, s });
}
