//! `keyform refresh`, as Terraform's: the state is brought up to date with the simulated cloud
//! and what changed outside keyform is shown; the world (CloudTrail included) is never changed.

use crate::support::Test;

const CONFIG: &str = r#"resource "aws_kms_key" "lab" {
  description             = "refresh lab key"
  deletion_window_in_days = 7
  enable_key_rotation     = true
}

resource "aws_s3_bucket" "data" {
  bucket = "kf-refresh-data"
}

output "key_arn" {
  value = aws_kms_key.lab.arn
}
"#;

/// What the simulated cloud holds (without the file's bookkeeping: its checksum and the
/// journal sequence the snapshot was taken at).
fn world_of(t: &Test) -> serde_json::Value {
    let text = std::fs::read_to_string(t.path().join(".keyform/world.json")).unwrap();
    let mut j: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut w = j["world"].take();
    if let Some(m) = w.as_object_mut() {
        m.remove("seq");
    }
    w
}

#[test]
fn refresh_records_drift_in_the_state_and_never_changes_the_world() {
    let t = Test::new().file("main.tf", CONFIG);
    t.run(&["apply", "-auto-approve"]).success();
    let arn = t.run(&["output", "-raw", "key_arn"]).success().stdout;
    t.run(&["refresh"])
        .success()
        .stdout_has("aws_kms_key.lab: Refreshing state... [id=")
        .stdout_has("aws_s3_bucket.data: Refreshing state... [id=kf-refresh-data]")
        .stdout_has("No changes. The state matches the simulated cloud");
    // A learner turns rotation off at the CLI and deletes the bucket.
    t.run(&["sim", "kms", "disable-key-rotation", "--key-id", &arn])
        .success();
    t.run(&[
        "sim",
        "s3api",
        "delete-bucket",
        "--bucket",
        "kf-refresh-data",
    ])
    .success();
    let world = world_of(&t);
    t.run(&["refresh"])
        .success()
        .stdout_has("Note: Objects have changed outside of keyform")
        .stdout_has("  # aws_kms_key.lab has changed\n")
        .stdout_has("      ~ enable_key_rotation")
        .stdout_has("true -> false")
        .stdout_has("  # aws_s3_bucket.data has been deleted\n")
        .stdout_has("keyform did not change any object to undo these")
        .stdout_has(&format!("Outputs:\n\nkey_arn = \"{arn}\""));
    // The world holds CloudTrail's events too: refresh recorded none.
    assert!(world_of(&t) == world, "refresh changed the world");
    // The state holds what refresh found: the bucket is gone, rotation is off.
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_kms_key.lab\n");
    t.run(&["state", "show", "aws_kms_key.lab"])
        .success()
        .stdout_has("enable_key_rotation                = false");
    t.run(&["refresh"]).success().stdout_has("No changes.");
    // Plan now sets out to undo the drift.
    t.run(&["plan"])
        .success()
        .stdout_has("Plan: 1 to add, 1 to change, 0 to destroy.");
}

#[test]
fn refresh_makes_new_outputs_available_and_takes_targets() {
    let t = Test::new().file("main.tf", CONFIG);
    t.run(&["apply", "-auto-approve"]).success();
    t.write(
        "main.tf",
        &format!("{CONFIG}\noutput \"bucket\" {{\n  value = aws_s3_bucket.data.bucket\n}}\n"),
    );
    t.run(&["output", "bucket"]).status(1);
    t.run(&["refresh", "-target=aws_s3_bucket.data"])
        .success()
        .stdout_has("aws_s3_bucket.data: Refreshing state...")
        .stdout_lacks("aws_kms_key.lab: Refreshing");
    t.run(&["output", "-raw", "bucket"])
        .success()
        .stdout_is("kf-refresh-data");
    t.run(&["refresh", "-replace=aws_kms_key.lab"])
        .status(1)
        .stderr_has("Error: Invalid option for refresh");
    t.run(&["refresh", "-target=aws_kms_key.nope"]).status(1);
}
