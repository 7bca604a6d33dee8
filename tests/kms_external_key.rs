//! `aws_kms_external_key` end to end: plan (the material shown only as `(sensitive value)`),
//! apply importing the material, a no-op plan, the key encrypting, expiry on the world clock
//! found by the refresh and mended by the next apply, destroy scheduling deletion. The material
//! appears in no plan, show or log output; state keeps it as Terraform keeps it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;

use crate::sim_common::{s, sim_json};
use crate::support::Test;

const CONFIG: &str = r#"variable "material" {
  type      = string
  sensitive = true
}

variable "valid_to" {
  type = string
}

resource "aws_kms_external_key" "byok" {
  description         = "bring your own key"
  key_material_base64 = var.material
  valid_to            = var.valid_to
}

output "key" {
  value = aws_kms_external_key.byok.id
}
"#;

/// One attribute line of a plan, aligned as the plan aligns this type's attributes (the
/// longest name is `bypass_policy_lockout_safety_check`).
fn attr(sign: &str, name: &str, value: &str) -> String {
    format!("      {sign} {name:34} = {value}\n")
}

/// The world's clock plus `days`, in RFC 3339 (whole seconds).
fn world_time_plus(t: &Test, days: i64) -> String {
    let now = t.run(&["sim", "clock"]).success().stdout;
    let now =
        time::OffsetDateTime::parse(now.trim(), &time::format_description::well_known::Rfc3339)
            .unwrap();
    let at = (now + time::Duration::days(days))
        .replace_nanosecond(0)
        .unwrap();
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[test]
fn an_external_key_imports_its_material_expires_on_the_clock_and_is_mended_by_apply() {
    let material = B64.encode([0x5Au8; 32]);
    let t = Test::new().file("main.tf", CONFIG);
    let vars = |valid_to: &str| {
        vec![
            format!("-var=material={material}"),
            format!("-var=valid_to={valid_to}"),
        ]
    };
    let run = |cmd: &[&str], v: &[String]| {
        let mut args: Vec<&str> = cmd.to_vec();
        args.extend(v.iter().map(String::as_str));
        t.run(&args)
    };
    let first = world_time_plus(&t, 2);
    let plan = run(&["plan"], &vars(&first))
        .success()
        .stdout_has("  # aws_kms_external_key.byok will be created\n")
        .stdout_has(&attr("+", "key_material_base64", "(sensitive value)"))
        .stdout_has(&attr("+", "valid_to", &format!("\"{first}\"")));
    assert!(!plan.stdout.contains(&material));
    let applied = run(&["apply", "-auto-approve"], &vars(&first)).success();
    assert!(!applied.stdout.contains(&material) && !applied.stderr.contains(&material));
    run(&["plan", "-detailed-exitcode"], &vars(&first))
        .success()
        .stdout_has("No changes.");
    let shown = t
        .run(&["state", "show", "aws_kms_external_key.byok"])
        .success();
    assert!(!shown.stdout.contains(&material), "{}", shown.stdout);
    shown
        .stdout_has(&format!("{:34} = \"Enabled\"", "key_state"))
        .stdout_has(&format!(
            "{:34} = \"KEY_MATERIAL_EXPIRES\"",
            "expiration_model"
        ));
    // State keeps the material, as Terraform's does (a sensitive argument).
    assert!(t.read(".keyform/state.json").contains(&material));

    let key = t.run(&["output", "-raw", "key"]).success().stdout;
    let d = sim_json(&t, &["kms", "describe-key", "--key-id", &key]);
    assert_eq!(s(&d, "/KeyMetadata/Origin"), "EXTERNAL");
    let blob = sim_json(
        &t,
        &["kms", "encrypt", "--key-id", &key, "--plaintext", "byok"],
    );
    let blob = s(&blob, "/CiphertextBlob").to_string();

    // Two days on, KMS deletes the expired material; the refresh finds it gone, and the next
    // apply with a later valid_to imports the same material again.
    t.run(&["sim", "clock", "advance", "3d"]).success();
    let later = world_time_plus(&t, 30);
    run(&["plan"], &vars(&later))
        .success()
        .stdout_has("  # aws_kms_external_key.byok will be updated in-place\n")
        .stdout_has(&attr("+", "valid_to", &format!("\"{later}\"")));
    run(&["apply", "-auto-approve"], &vars(&later)).success();
    let out = sim_json(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            &blob,
            "--query",
            "Plaintext",
        ],
    );
    assert_eq!(out, serde_json::json!(B64.encode("byok")));

    run(&["destroy", "-auto-approve"], &vars(&later))
        .success()
        .stdout_has("will be scheduled for deletion in 30 days");
    let d = sim_json(&t, &["kms", "describe-key", "--key-id", &key]);
    assert_eq!(s(&d, "/KeyMetadata/KeyState"), "PendingDeletion");
    let events = t
        .run(&["sim", "cloudtrail", "lookup-events", "--json"])
        .success()
        .stdout;
    assert!(!events.contains(&material));
}
