//! `aws_kms_ciphertext` end to end: the plaintext shown only as `(sensitive value)`, the
//! ciphertext made at apply decrypting with its context through `sim`, a no-op plan, and
//! replacement when the plaintext changes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::sim_common::sim_json;
use crate::support::Test;

fn config(secret: &str) -> String {
    format!(
        r#"resource "aws_kms_key" "k" {{
  description             = "ciphertext lab"
  deletion_window_in_days = 7
}}

resource "aws_kms_ciphertext" "db" {{
  key_id    = aws_kms_key.k.key_id
  plaintext = "{secret}"
  context = {{
    app = "lab"
  }}
}}

output "blob" {{
  value = aws_kms_ciphertext.db.ciphertext_blob
}}
"#
    )
}

#[test]
fn a_ciphertext_is_made_at_apply_and_decrypts_with_its_context() {
    let t = Test::new().file("main.tf", &config("hunter2-db-password"));
    let plan = t
        .run(&["plan"])
        .success()
        .stdout_has("  # aws_kms_ciphertext.db will be created\n")
        .stdout_has("      + plaintext       = (sensitive value)\n");
    assert!(!plan.stdout.contains("hunter2"));
    let applied = t.run(&["apply", "-auto-approve"]).success();
    assert!(!applied.stdout.contains("hunter2"));
    t.run(&["plan", "-detailed-exitcode"])
        .success()
        .stdout_has("No changes.");
    let blob = t.run(&["output", "-raw", "blob"]).success().stdout;
    let out = sim_json(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--encryption-context",
            "app=lab",
            "--query",
            "Plaintext",
        ],
    );
    assert_eq!(out, serde_json::json!(B64.encode("hunter2-db-password")));
    t.write("main.tf", &config("another-password"));
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_kms_ciphertext.db must be replaced\n");
    t.run(&["apply", "-auto-approve"]).success();
    assert_ne!(t.run(&["output", "-raw", "blob"]).success().stdout, blob);
    t.run(&["destroy", "-auto-approve"]).success();
}
