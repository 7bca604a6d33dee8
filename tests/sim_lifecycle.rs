//! Key lifecycle on the simulated clock through the binary: scheduled deletion (pending,
//! cancelled, carried out for good), automatic rotation, and ciphertext integrity.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use keyform::sim::crypto::parse_blob_header;

use crate::sim_common::*;
use crate::support::Test;

const KEY_USERS: &str = include_str!("fixtures/sim/key-users/main.tf");
const BUCKET: &str = "kms-demo-encrypted-bucket";
const ENV_REVEAL: &str = "KEYFORM_TEST_REVEAL_KEY_MATERIAL";

/// The seed 001 world with one SSE-KMS object and one KMS ciphertext of "hello".
fn with_data() -> (Test, String, String) {
    let t = applied(KEY_USERS);
    t.write("doc.txt", "top secret\n");
    sim(
        &t,
        &[
            "s3api",
            "put-object",
            "--bucket",
            BUCKET,
            "--key",
            "doc.txt",
            "--body",
            "doc.txt",
        ],
    )
    .success();
    let key_arn = output(&t, "key_arn");
    let enc = sim_json(
        &t,
        &[
            "kms",
            "encrypt",
            "--key-id",
            &key_arn,
            "--plaintext",
            "hello",
        ],
    );
    assert_eq!(s(&enc, "/KeyId"), key_arn);
    (t, key_arn, s(&enc, "/CiphertextBlob").to_string())
}

fn key_state(t: &Test, key: &str) -> String {
    let d = sim_json(t, &["kms", "describe-key", "--key-id", key]);
    s(&d, "/KeyMetadata/KeyState").to_string()
}

fn get_doc(t: &Test) -> crate::support::Run {
    sim(
        t,
        &[
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            "doc.txt",
            "out.txt",
        ],
    )
}

#[test]
fn a_pending_deletion_blocks_use_and_cancelling_leaves_the_key_disabled() {
    let (t, key_arn, blob) = with_data();
    let r = sim_json(
        &t,
        &[
            "kms",
            "schedule-key-deletion",
            "--key-id",
            &key_arn,
            "--pending-window-in-days",
            "7",
        ],
    );
    assert_eq!(s(&r, "/KeyState"), "PendingDeletion");
    assert_eq!(r["PendingWindowInDays"], 7);
    sim(&t, &["clock", "advance", "6d"]).success();
    let d = sim_json(&t, &["kms", "describe-key", "--key-id", &key_arn]);
    assert_eq!(s(&d, "/KeyMetadata/KeyState"), "PendingDeletion");
    assert_eq!(d["KeyMetadata"]["Enabled"], false);
    assert_eq!(s(&d, "/KeyMetadata/DeletionDate"), s(&r, "/DeletionDate"));
    sim_fails(
        &t,
        &["kms", "decrypt", "--ciphertext-blob", &blob],
        "KMSInvalidStateException",
    )
    .stderr_has(&format!("{key_arn} is pending deletion."));
    sim_fails(
        &t,
        &["kms", "encrypt", "--key-id", &key_arn, "--plaintext", "x"],
        "KMSInvalidStateException",
    );
    get_doc(&t).status(SERVICE_ERROR).stderr_has(
        "An error occurred (KMS.KMSInvalidStateException) when calling the GetObject operation:",
    );

    let c = sim_json(&t, &["kms", "cancel-key-deletion", "--key-id", &key_arn]);
    assert_eq!(s(&c, "/KeyId"), key_arn);
    assert_eq!(key_state(&t, &key_arn), "Disabled");
    // Cancelling does not re-enable: the data stays unreadable until EnableKey.
    get_doc(&t).status(SERVICE_ERROR).stderr_has(
        "An error occurred (KMS.DisabledException) when calling the GetObject operation:",
    );
    sim_fails(
        &t,
        &["kms", "decrypt", "--ciphertext-blob", &blob],
        "DisabledException",
    )
    .stderr_has(&format!("{key_arn} is disabled."));
    // Time passing after the cancel deletes nothing.
    sim(&t, &["clock", "advance", "30d"]).success();
    sim(&t, &["kms", "enable-key", "--key-id", &key_arn]).success();
    get_doc(&t).success();
    assert_eq!(t.read("out.txt"), "top secret\n");
    let p = sim_json(&t, &["kms", "decrypt", "--ciphertext-blob", &blob]);
    assert_eq!(s(&p, "/Plaintext"), B64.encode("hello"));
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Files under `.keyform/` containing any of `needles`.
fn files_holding(t: &Test, needles: &[Vec<u8>]) -> Vec<String> {
    files_under(&t.path().join(".keyform"))
        .into_iter()
        .filter(|f| {
            let bytes = std::fs::read(f).unwrap();
            needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
        })
        .map(|f| f.display().to_string())
        .collect()
}

/// The wrapped (root-key encrypted) material versions of a key as world.json stores them.
fn wrapped_material(t: &Test, key_id: &str) -> Vec<String> {
    let w: serde_json::Value =
        serde_json::from_str(&t.read(".keyform/world.json")).expect("world.json");
    w["world"]["kms"]["keys"][key_id]["materials"]
        .as_array()
        .map(|a| a.iter().map(|m| s(m, "/wrapped").to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn after_the_window_the_key_is_gone_the_data_is_lost_and_no_file_keeps_its_material() {
    let (t, key_arn, blob) = with_data();
    let key_id = output(&t, "key_id");
    // A second material version, so every version's destruction is checked.
    sim(&t, &["kms", "rotate-key-on-demand", "--key-id", &key_id]).success();
    let wrapped = wrapped_material(&t, &key_id);
    assert_eq!(wrapped.len(), 2);
    let wrapped_needles: Vec<Vec<u8>> = wrapped.iter().map(|w| w.as_bytes().to_vec()).collect();
    assert!(
        !files_holding(&t, &wrapped_needles).is_empty(),
        "the check must see the wrapped material while the key exists"
    );

    sim(
        &t,
        &[
            "kms",
            "schedule-key-deletion",
            "--key-id",
            &key_id,
            "--pending-window-in-days",
            "7",
        ],
    )
    .success();
    let reveal = t.path().join("revealed-material.txt");
    let reveal_s = reveal.to_str().unwrap();
    t.run_env(
        &["sim", "clock", "advance", "6d"],
        &[(ENV_REVEAL, reveal_s)],
    )
    .success()
    .stdout_lacks("deleted key");
    assert!(
        !reveal.exists(),
        "nothing is revealed before the deletion runs"
    );
    t.run_env(
        &["sim", "clock", "advance", "1d1s"],
        &[(ENV_REVEAL, reveal_s)],
    )
    .success()
    .stdout_has(&format!(
        "deleted key {key_arn}: its key material is destroyed"
    ));

    let revealed = std::fs::read_to_string(&reveal).unwrap();
    let lines: Vec<&str> = revealed.lines().collect();
    assert_eq!(lines.len(), 2, "{revealed}");
    let mut needles = wrapped_needles.clone();
    for (i, line) in lines.iter().enumerate() {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts[..2], [key_id.as_str(), &(i + 1).to_string()]);
        let raw = hex::decode(parts[2]).unwrap();
        assert_eq!(raw.len(), 32);
        needles.push(raw.clone());
        needles.push(hex::encode(&raw).into_bytes());
        needles.push(hex::encode_upper(&raw).into_bytes());
        needles.push(B64.encode(&raw).into_bytes());
        needles.push(B64URL.encode(&raw).into_bytes());
    }
    assert_eq!(files_holding(&t, &needles), Vec::<String>::new());

    // The key is gone for good, and so is everything it protected.
    sim_fails(
        &t,
        &["kms", "describe-key", "--key-id", &key_arn],
        "NotFoundException",
    );
    sim_fails(
        &t,
        &["kms", "decrypt", "--ciphertext-blob", &blob],
        "NotFoundException",
    );
    get_doc(&t).status(SERVICE_ERROR).stderr_has(
        "An error occurred (KMS.NotFoundException) when calling the GetObject operation:",
    );
    sim(&t, &["clock", "advance", "365d"]).success();
    get_doc(&t)
        .status(SERVICE_ERROR)
        .stderr_has("KMS.NotFoundException");
    sim_fails(
        &t,
        &["kms", "cancel-key-deletion", "--key-id", &key_id],
        "NotFoundException",
    );
    // The alias went with the key.
    let aliases = sim_json(&t, &["kms", "list-aliases"]);
    assert!(
        !aliases.to_string().contains("my-s3-encryption-key"),
        "{aliases}"
    );
    assert_eq!(files_holding(&t, &needles), Vec::<String>::new());
}

#[test]
fn automatic_rotation_on_the_clock_adds_a_material_version_and_old_ciphertexts_still_decrypt() {
    let (t, _, _) = with_data();
    let key_id = output(&t, "key_id");
    sim(
        &t,
        &[
            "kms",
            "enable-key-rotation",
            "--key-id",
            &key_id,
            "--rotation-period-in-days",
            "90",
        ],
    )
    .success();
    let st = sim_json(&t, &["kms", "get-key-rotation-status", "--key-id", &key_id]);
    assert_eq!(st["KeyRotationEnabled"], true);
    assert_eq!(st["RotationPeriodInDays"], 90);
    let ctx = "purpose=rotation-test";
    let encrypt = |text: &str| {
        let e = sim_json(
            &t,
            &[
                "kms",
                "encrypt",
                "--key-id",
                "alias/my-s3-encryption-key",
                "--plaintext",
                text,
                "--encryption-context",
                ctx,
            ],
        );
        B64.decode(s(&e, "/CiphertextBlob")).unwrap()
    };
    let before = encrypt("before rotation");
    sim(&t, &["clock", "advance", "91d"])
        .success()
        .stdout_has("(automatic)");
    let after = encrypt("after rotation");
    let (hb, ha) = (
        parse_blob_header(&before).unwrap(),
        parse_blob_header(&after).unwrap(),
    );
    assert_eq!(
        (hb.key_id.as_str(), ha.key_id.as_str()),
        (key_id.as_str(), key_id.as_str())
    );
    assert_eq!((hb.version, ha.version), (1, 2));
    let rotations = sim_json(&t, &["kms", "list-key-rotations", "--key-id", &key_id]);
    let list = rotations["Rotations"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{rotations}");
    assert_eq!(s(&list[0], "/RotationType"), "AUTOMATIC");
    for (blob, text) in [(&before, "before rotation"), (&after, "after rotation")] {
        let d = sim_json(
            &t,
            &[
                "kms",
                "decrypt",
                "--ciphertext-blob",
                &B64.encode(blob),
                "--encryption-context",
                ctx,
            ],
        );
        assert_eq!(B64.decode(s(&d, "/Plaintext")).unwrap(), text.as_bytes());
    }
    // The next rotation is one period later.
    let st = sim_json(&t, &["kms", "get-key-rotation-status", "--key-id", &key_id]);
    let next = keyform::sim::clock::parse_iso8601(s(&st, "/NextRotationDate")).unwrap();
    let rotated = keyform::sim::clock::parse_iso8601(s(&list[0], "/RotationDate")).unwrap();
    assert_eq!(next - rotated, 90 * keyform::sim::clock::DAY);
}

#[test]
fn a_different_context_or_a_flipped_byte_is_an_invalid_ciphertext() {
    let (t, key_arn, _) = with_data();
    let e = sim_json(
        &t,
        &[
            "kms",
            "encrypt",
            "--key-id",
            &key_arn,
            "--plaintext",
            "bound",
            "--encryption-context",
            "dept=finance,app=lab",
        ],
    );
    let blob = s(&e, "/CiphertextBlob").to_string();
    // Same pairs in another order: fine.
    sim(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--encryption-context",
            "app=lab,dept=finance",
        ],
    )
    .success();
    for other in [
        "dept=finance",
        "dept=finance,app=other",
        "dept=finance,app=lab,x=y",
    ] {
        sim_fails(
            &t,
            &[
                "kms",
                "decrypt",
                "--ciphertext-blob",
                &blob,
                "--encryption-context",
                other,
            ],
            "InvalidCiphertextException",
        );
    }
    sim_fails(
        &t,
        &["kms", "decrypt", "--ciphertext-blob", &blob],
        "InvalidCiphertextException",
    );
    let raw = B64.decode(&blob).unwrap();
    let header_len = 4 + 2 + 36 + 4 + 12;
    for i in [header_len - 1, header_len + 2, raw.len() - 1] {
        let mut flipped = raw.clone();
        flipped[i] ^= 0x01;
        sim_fails(
            &t,
            &[
                "kms",
                "decrypt",
                "--ciphertext-blob",
                &B64.encode(&flipped),
                "--encryption-context",
                "dept=finance,app=lab",
            ],
            "InvalidCiphertextException",
        );
    }
    // Garbage is an invalid ciphertext too, not a crash.
    sim_fails(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &B64.encode(b"not a blob"),
        ],
        "InvalidCiphertextException",
    );
}
