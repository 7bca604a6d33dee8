//! Drift: the simulated world changed behind the state's back (through `keyform sim`, as a
//! learner at the AWS CLI would) shows up in the next plan, which plans to restore it;
//! -refresh=false does not look.

use crate::support::Test;

const KEY_AND_BUCKET: &str = r#"resource "aws_kms_key" "lab" {
  description             = "drift lab key"
  deletion_window_in_days = 7
}

resource "aws_s3_bucket" "data" {
  bucket = "kf-drift-data"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.lab.arn
    }
    bucket_key_enabled = true
  }
}
"#;

fn key_id(t: &Test) -> String {
    let shown = t
        .run(&["state", "show", "aws_kms_key.lab"])
        .success()
        .stdout;
    shown
        .lines()
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix("key_id").map(|r| {
                r.trim_start_matches([' ', '='])
                    .trim_matches('"')
                    .to_string()
            })
        })
        .expect("key_id in state show")
}

#[test]
fn a_key_disabled_outside_keyform_is_reported_and_re_enabled() {
    let t = Test::new().file("main.tf", KEY_AND_BUCKET);
    t.run(&["apply", "-auto-approve"]).success();
    let id = key_id(&t);
    t.run(&["sim", "kms", "disable-key", "--key-id", &id])
        .success();
    let r = t.run(&["plan", "-detailed-exitcode"]).status(2);
    let (drift, planned) = r
        .stdout
        .split_once("─────")
        .expect("a drift section before the plan");
    assert!(
        drift.contains("Note: Objects have changed outside of keyform"),
        "{drift}"
    );
    assert!(
        drift.contains(&format!(
            "  # aws_kms_key.lab has changed
  ~ resource \"aws_kms_key\" \"lab\" {{
        id                                 = \"{id}\"
      ~ is_enabled                         = true -> false
        # (11 unchanged attributes hidden)
    }}
"
        )),
        "{drift}"
    );
    assert!(
        planned.contains("      ~ is_enabled                         = false -> true\n"),
        "{planned}"
    );
    r.stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    // Without refresh keyform does not look at the world, so it sees no drift.
    t.run(&["plan", "-refresh=false", "-detailed-exitcode"])
        .status(0)
        .stdout_lacks("changed outside of keyform")
        .stdout_has("No changes.");
    t.run(&["apply", "-auto-approve"])
        .success()
        .stdout_has("1 changed");
    t.run(&["sim", "kms", "describe-key", "--key-id", &id])
        .success()
        .stdout_has("\"Enabled\": true");
    t.run(&["plan", "-detailed-exitcode"]).status(0);
}

#[test]
fn removed_bucket_encryption_is_reported_and_restored() {
    let t = Test::new().file("main.tf", KEY_AND_BUCKET);
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&[
        "sim",
        "s3api",
        "delete-bucket-encryption",
        "--bucket",
        "kf-drift-data",
    ])
    .success();
    let r = t.run(&["plan"]).success();
    r.stdout_has("Note: Objects have changed outside of keyform")
        .stdout_has("  # aws_s3_bucket_server_side_encryption_configuration.data has changed\n")
        .stdout_has("              ~ sse_algorithm     = \"aws:kms\" -> \"AES256\"\n")
        .stdout_has("  # aws_s3_bucket_server_side_encryption_configuration.data will be updated in-place\n")
        .stdout_has("              ~ sse_algorithm     = \"AES256\" -> \"aws:kms\"\n");
    t.run(&["plan", "-refresh=false"])
        .success()
        .stdout_lacks("Objects have changed outside of keyform");
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&[
        "sim",
        "s3api",
        "get-bucket-encryption",
        "--bucket",
        "kf-drift-data",
    ])
    .success()
    .stdout_has("\"SSEAlgorithm\": \"aws:kms\"");
}

#[test]
fn a_key_scheduled_for_deletion_outside_keyform_is_planned_again() {
    let t = Test::new().file("main.tf", KEY_AND_BUCKET);
    t.run(&["apply", "-auto-approve"]).success();
    let id = key_id(&t);
    t.run(&[
        "sim",
        "kms",
        "schedule-key-deletion",
        "--key-id",
        &id,
        "--pending-window-in-days",
        "7",
    ])
    .success();
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_kms_key.lab has been deleted\n")
        .stdout_has("  # aws_kms_key.lab will be created\n");
}

#[test]
fn an_object_deleted_outside_keyform_leaves_the_state_on_the_next_apply() {
    let t = Test::new().file(
        "main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"kf-gone-a\"\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"kf-gone-b\"\n}\n",
    );
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["sim", "s3api", "delete-bucket", "--bucket", "kf-gone-b"])
        .success();
    t.write(
        "main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  bucket = \"kf-gone-a\"\n}\n",
    );
    t.run(&["plan", "-out=tfplan"])
        .success()
        .stdout_has("  # aws_s3_bucket.b has been deleted\n")
        .stdout_has("No changes.");
    // Applying the saved plan records what refresh saw.
    t.run(&["apply", "tfplan"]).success();
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_s3_bucket.a\n");
    t.run(&["plan"])
        .success()
        .stdout_lacks("has been deleted")
        .stdout_has("No changes.");
}
