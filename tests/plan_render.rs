//! Plan output for each action kind, asserted on the exact rendered text so rendering
//! regressions are caught: create (+), update in place (~), replace (-/+ and, with
//! create_before_destroy, +/-), destroy (-), read (<=) and no-op ("No changes.").

use crate::support::Test;

const FIRST: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket = "kf-render-logs"
}

resource "aws_s3_bucket" "data" {
  bucket = "kf-render-data"
}

resource "aws_s3_bucket" "cbd" {
  bucket = "kf-render-cbd"

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_s3_bucket" "old" {
  bucket = "kf-render-old"
}
"#;

/// logs: force_destroy changes (in place); data: renamed (replace); cbd: renamed with
/// create_before_destroy; old: removed; read_data: a data source over a not-yet-known ARN.
const SECOND: &str = r#"resource "aws_s3_bucket" "logs" {
  bucket        = "kf-render-logs"
  force_destroy = true
}

resource "aws_s3_bucket" "data" {
  bucket = "kf-render-data-v2"
}

resource "aws_s3_bucket" "cbd" {
  bucket = "kf-render-cbd-v2"

  lifecycle {
    create_before_destroy = true
  }
}

data "aws_iam_policy_document" "read_data" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.data.arn}/*"]
  }
}
"#;

const ALL_KINDS: &str = r#"
keyform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  ~ update in-place
  - destroy
-/+ destroy and then create replacement
+/- create replacement and then destroy
 <= read (data resources)

keyform will perform the following actions:

  # aws_s3_bucket.cbd must be replaced
+/- resource "aws_s3_bucket" "cbd" {
      ~ arn                         = "arn:aws:s3:::kf-render-cbd" -> (known after apply)
      ~ bucket                      = "kf-render-cbd" -> "kf-render-cbd-v2" # forces replacement
      ~ bucket_domain_name          = "kf-render-cbd.s3.amazonaws.com" -> (known after apply)
      + bucket_prefix               = (known after apply)
      ~ bucket_regional_domain_name = "kf-render-cbd.s3.us-east-1.amazonaws.com" -> (known after apply)
      ~ hosted_zone_id              = "Z3AQBSTGFYJSTF" -> (known after apply)
      ~ id                          = "kf-render-cbd" -> (known after apply)
      ~ region                      = "us-east-1" -> (known after apply)
        # (2 unchanged attributes hidden)
    }

  # aws_s3_bucket.data must be replaced
-/+ resource "aws_s3_bucket" "data" {
      ~ arn                         = "arn:aws:s3:::kf-render-data" -> (known after apply)
      ~ bucket                      = "kf-render-data" -> "kf-render-data-v2" # forces replacement
      ~ bucket_domain_name          = "kf-render-data.s3.amazonaws.com" -> (known after apply)
      + bucket_prefix               = (known after apply)
      ~ bucket_regional_domain_name = "kf-render-data.s3.us-east-1.amazonaws.com" -> (known after apply)
      ~ hosted_zone_id              = "Z3AQBSTGFYJSTF" -> (known after apply)
      ~ id                          = "kf-render-data" -> (known after apply)
      ~ region                      = "us-east-1" -> (known after apply)
        # (2 unchanged attributes hidden)
    }

  # aws_s3_bucket.logs will be updated in-place
  ~ resource "aws_s3_bucket" "logs" {
      ~ force_destroy               = false -> true
        id                          = "kf-render-logs"
        # (7 unchanged attributes hidden)
    }

  # aws_s3_bucket.old will be destroyed
  # (because aws_s3_bucket.old is not in configuration)
  - resource "aws_s3_bucket" "old" {
      - arn                         = "arn:aws:s3:::kf-render-old" -> null
      - bucket                      = "kf-render-old" -> null
      - bucket_domain_name          = "kf-render-old.s3.amazonaws.com" -> null
      - bucket_regional_domain_name = "kf-render-old.s3.us-east-1.amazonaws.com" -> null
      - force_destroy               = false -> null
      - hosted_zone_id              = "Z3AQBSTGFYJSTF" -> null
      - id                          = "kf-render-old" -> null
      - region                      = "us-east-1" -> null
      - tags_all                    = {} -> null
    }

  # data.aws_iam_policy_document.read_data will be read during apply
  # (config refers to values not yet known)
 <= data "aws_iam_policy_document" "read_data" {
      + id            = (known after apply)
      + json          = (known after apply)
      + minified_json = (known after apply)
      + version       = "2012-10-17"

      + statement {
          + actions   = [
              + "s3:GetObject",
            ]
          + effect    = "Allow"
          + resources = [
              + (known after apply),
            ]
        }
    }

Plan: 2 to add, 1 to change, 3 to destroy.

─────────────────────────────────────────────────────────────────────────────

Note: You didn't use the -out option to save this plan, so keyform can't
guarantee to take exactly these actions if you run "keyform apply" now.
"#;

#[test]
fn plan_renders_every_action_kind_exactly() {
    let t = Test::new().file("main.tf", FIRST);
    t.run(&["apply", "-auto-approve"]).success();
    t.write("main.tf", SECOND);
    t.run(&["plan"]).success().stdout_is(ALL_KINDS);
}

const CREATE: &str = r#"
keyform used the selected providers to generate the following execution
plan. Resource actions are indicated with the following symbols:
  + create

keyform will perform the following actions:

  # aws_iam_user.ops will be created
  + resource "aws_iam_user" "ops" {
      + arn           = (known after apply)
      + force_destroy = false
      + id            = (known after apply)
      + name          = "ops"
      + path          = "/lab/"
      + tags_all      = {}
      + unique_id     = (known after apply)
    }

Plan: 1 to add, 0 to change, 0 to destroy.

─────────────────────────────────────────────────────────────────────────────

Note: You didn't use the -out option to save this plan, so keyform can't
guarantee to take exactly these actions if you run "keyform apply" now.
"#;

#[test]
fn plan_renders_a_create_exactly() {
    let t = Test::new().file(
        "main.tf",
        "resource \"aws_iam_user\" \"ops\" {\n  name = \"ops\"\n  path = \"/lab/\"\n}\n",
    );
    t.run(&["plan"]).success().stdout_is(CREATE);
}

#[test]
fn a_plan_with_nothing_to_do_says_no_changes() {
    let t = Test::new().file(
        "main.tf",
        "resource \"aws_iam_user\" \"ops\" {\n  name = \"ops\"\n}\n",
    );
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["plan"]).success().stdout_is(
        "\nNo changes. Your infrastructure matches the configuration.\n\n\
         keyform has compared your real infrastructure against your configuration\n\
         and found no differences, so no changes are needed.\n",
    );
    t.run(&["destroy", "-auto-approve"]).success();
    t.run(&["plan", "-destroy"]).success().stdout_is(
        "\nNo changes. No objects need to be destroyed.\n\n\
         Either you have not created any objects yet or the existing objects were\n\
         already deleted outside of keyform.\n",
    );
}

#[test]
fn an_update_shows_the_changed_attribute_and_counts_the_unchanged_ones() {
    let t = Test::new().file("main.tf", FIRST);
    t.run(&["apply", "-auto-approve"]).success();
    t.write(
        "main.tf",
        &FIRST.replace(
            "bucket = \"kf-render-logs\"",
            "bucket        = \"kf-render-logs\"\n  force_destroy = true",
        ),
    );
    let r = t.run(&["plan"]).success();
    assert_eq!(
        r.block("aws_s3_bucket.logs"),
        "  # aws_s3_bucket.logs will be updated in-place
  ~ resource \"aws_s3_bucket\" \"logs\" {
      ~ force_destroy               = false -> true
        id                          = \"kf-render-logs\"
        # (7 unchanged attributes hidden)
    }
"
    );
    r.stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
}

#[test]
fn replacement_destroys_first_unless_create_before_destroy() {
    let t = Test::new().file("main.tf", FIRST);
    t.run(&["apply", "-auto-approve"]).success();
    t.write("main.tf", SECOND);
    let r = t.run(&["apply", "-auto-approve"]).success();
    let pos = |s: &str| {
        r.stdout
            .find(s)
            .unwrap_or_else(|| panic!("apply output lacks {s:?}:\n{}", r.stdout))
    };
    // -/+: the old bucket goes before the new one is created.
    assert!(pos("aws_s3_bucket.data: Destroying...") < pos("aws_s3_bucket.data: Creating..."));
    // +/-: the replacement exists before the old one goes.
    assert!(pos("aws_s3_bucket.cbd: Creating...") < pos("aws_s3_bucket.cbd: Destroying..."));
    r.stdout_has("Apply complete! Resources: 2 added, 1 changed, 3 destroyed.");
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_s3_bucket.cbd\naws_s3_bucket.data\naws_s3_bucket.logs\n");
    t.run(&["plan", "-detailed-exitcode"]).status(0);
}

const COUNTED: &str = r#"resource "aws_s3_bucket" "b" {
  count  = 3
  bucket = "kf-count-${count.index}"
}

resource "aws_iam_user" "u" {
  for_each = toset(["alice", "bob"])
  name     = each.key
}

output "first_bucket" {
  value = aws_s3_bucket.b[0].bucket
}

output "bucket_arns" {
  value = aws_s3_bucket.b[*].arn
}

output "bob" {
  value = aws_iam_user.u["bob"].name
}
"#;

#[test]
fn shrinking_count_and_for_each_destroys_the_right_instances() {
    let t = Test::new().file("main.tf", COUNTED);
    t.run(&["apply", "-auto-approve"]).success();
    t.write(
        "main.tf",
        &COUNTED
            .replace("count  = 3", "count  = 2")
            .replace("[\"alice\", \"bob\"]", "[\"bob\"]"),
    );
    let r = t.run(&["plan"]).success();
    assert_eq!(
        r.block("aws_s3_bucket.b[2]"),
        "  # aws_s3_bucket.b[2] will be destroyed
  # (because index [2] is out of range for count)
  - resource \"aws_s3_bucket\" \"b\" {
      - arn                         = \"arn:aws:s3:::kf-count-2\" -> null
      - bucket                      = \"kf-count-2\" -> null
      - bucket_domain_name          = \"kf-count-2.s3.amazonaws.com\" -> null
      - bucket_regional_domain_name = \"kf-count-2.s3.us-east-1.amazonaws.com\" -> null
      - force_destroy               = false -> null
      - hosted_zone_id              = \"Z3AQBSTGFYJSTF\" -> null
      - id                          = \"kf-count-2\" -> null
      - region                      = \"us-east-1\" -> null
      - tags_all                    = {} -> null
    }
"
    );
    assert!(
        r.block("aws_iam_user.u[\"alice\"]").starts_with(
            "  # aws_iam_user.u[\"alice\"] will be destroyed\n  # (because key [\"alice\"] is not in for_each map)\n"
        )
    );
    let r = r
        .stdout_lacks("aws_s3_bucket.b[0] will")
        .stdout_lacks("aws_s3_bucket.b[1] will")
        .stdout_has("Plan: 0 to add, 0 to change, 2 to destroy.");
    // A list output changed in place: element by element, with context.
    assert!(
        r.stdout.contains(
            "Changes to Outputs:
  ~ bucket_arns = [
        # (1 unchanged element hidden)
        \"arn:aws:s3:::kf-count-1\",
      - \"arn:aws:s3:::kf-count-2\",
    ]
"
        ),
        "{}",
        r.stdout
    );
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_iam_user.u[\"bob\"]\naws_s3_bucket.b[0]\naws_s3_bucket.b[1]\n");
}
