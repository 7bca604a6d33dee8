//! Plan/apply behaviour a user relies on beyond rendering: -detailed-exitcode, saved plans
//! (stale state, edited configuration), prevent_destroy, count/for_each addresses and
//! references, and values known only after apply.

use crate::support::Test;

const BUCKET: &str = r#"resource "aws_s3_bucket" "b" {
  bucket = "kf-workflow-bucket"
}
"#;

#[test]
fn detailed_exitcode_is_0_without_changes_2_with_changes_1_on_error() {
    let t = Test::new().file("main.tf", BUCKET);
    t.run(&["plan", "-detailed-exitcode"])
        .status(2)
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");
    // Without the flag, changes are still success.
    t.run(&["plan"]).status(0);
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["plan", "-detailed-exitcode"])
        .status(0)
        .stdout_has("No changes.");
    t.write(
        "main.tf",
        &BUCKET.replace("kf-workflow-bucket", "Not A Bucket"),
    );
    t.run(&["plan", "-detailed-exitcode"])
        .status(1)
        .stderr_has("Error: Invalid value");
    t.write("main.tf", BUCKET);
    t.run(&["plan", "-detailed-exitcode", "-var", "nope=1"])
        .status(1)
        .stderr_has("Error: Value for undeclared variable");
}

#[test]
fn a_saved_plan_applies_exactly_and_only_once() {
    let t = Test::new().file("main.tf", BUCKET);
    t.run(&["plan", "-out=tfplan"])
        .success()
        .stdout_has("Saved the plan to: tfplan")
        .stdout_has("keyform apply \"tfplan\"");
    t.run(&["apply", "tfplan"])
        .success()
        .stdout_has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    // Applying it changed the state, so the same plan is now stale.
    t.run(&["apply", "tfplan"])
        .status(1)
        .stderr_has("Error: Saved plan is stale")
        .stderr_has("Create a new plan with keyform plan -out=tfplan.");
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_s3_bucket.b\n");
}

#[test]
fn a_saved_plan_is_refused_after_another_apply_moved_the_state() {
    let t = Test::new().file("main.tf", BUCKET);
    t.run(&["apply", "-auto-approve"]).success();
    t.write(
        "main.tf",
        &BUCKET.replace("}\n", "  force_destroy = true\n}\n"),
    );
    t.run(&["plan", "-out=tfplan"])
        .success()
        .stdout_has("~ force_destroy");
    // Someone applies something else in between.
    t.write(
        "more.tf",
        "resource \"aws_iam_user\" \"u\" {\n  name = \"between\"\n}\n",
    );
    t.run(&["apply", "-auto-approve", "-target=aws_iam_user.u"])
        .success();
    std::fs::remove_file(t.path().join("more.tf")).expect("rm more.tf");
    t.run(&["apply", "tfplan"])
        .status(1)
        .stderr_has("Error: Saved plan is stale\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created");
    // Nothing of the stale plan was applied.
    t.run(&["state", "show", "aws_s3_bucket.b"])
        .success()
        .stdout_has("force_destroy               = false");
}

#[test]
fn a_saved_plan_is_refused_after_the_configuration_changed() {
    let t = Test::new().file("main.tf", BUCKET);
    t.run(&["plan", "-out=tfplan"]).success();
    t.write(
        "main.tf",
        &BUCKET.replace("kf-workflow-bucket", "kf-workflow-other"),
    );
    t.run(&["apply", "tfplan"])
        .status(1)
        .stderr_has("Error: Saved plan does not match the configuration")
        .stderr_has("Create a new plan with keyform plan -out=tfplan.");
    t.run(&["state", "list"]).success().stdout_is("");
    // A variables file is not configuration: its values are in the plan.
    t.write(
        "main.tf",
        "variable \"name\" {}\n\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n}\n",
    );
    t.write("dev.tfvars", "name = \"kf-workflow-from-vars\"\n");
    t.run(&["plan", "-var-file=dev.tfvars", "-out=tfplan"])
        .success();
    std::fs::remove_file(t.path().join("dev.tfvars")).expect("rm dev.tfvars");
    t.run(&["apply", "tfplan"]).success();
    t.run(&["state", "show", "aws_s3_bucket.b"])
        .success()
        .stdout_has("bucket                      = \"kf-workflow-from-vars\"");
}

const PROTECTED: &str = r#"resource "aws_s3_bucket" "keep" {
  bucket = "kf-keep-me"

  lifecycle {
    prevent_destroy = true
  }
}
"#;

const PREVENT_DESTROY_ERROR: &str = "
Error: Instance cannot be destroyed
 --> main.tf:5:5
  |
5 |     prevent_destroy = true
  |     ^^^^^^^^^^^^^^^^^^^^^^
  with aws_s3_bucket.keep
Resource aws_s3_bucket.keep has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.
";

#[test]
fn prevent_destroy_stops_destroy_and_replacement() {
    let t = Test::new().file("main.tf", PROTECTED);
    t.run(&["apply", "-auto-approve"]).success();
    let r = t.run(&["destroy", "-auto-approve"]).status(1);
    assert_eq!(r.stderr, PREVENT_DESTROY_ERROR);
    t.run(&["plan", "-destroy"]).status(1);
    // Renaming the bucket would replace it: also refused, at plan time.
    t.write("main.tf", &PROTECTED.replace("kf-keep-me", "kf-keep-me-2"));
    let r = t.run(&["plan"]).status(1);
    assert_eq!(r.stderr, PREVENT_DESTROY_ERROR);
    t.run(&["apply", "-auto-approve"]).status(1);
    t.run(&["sim", "s3api", "head-bucket", "--bucket", "kf-keep-me"])
        .success();
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_s3_bucket.keep\n");
}

const REPEATED: &str = r#"resource "aws_iam_user" "u" {
  count = 2
  name  = "user-${count.index}"
}

resource "aws_iam_user" "named" {
  for_each = toset(["alice", "bob"])
  name     = "${each.key}-${aws_iam_user.u[0].name}"
  path     = "/team/"
}

output "first" {
  value = aws_iam_user.u[0].name
}

output "all" {
  value = aws_iam_user.u[*].name
}

output "bob_arn" {
  value = aws_iam_user.named["bob"].arn
}

output "named" {
  value = [for k, u in aws_iam_user.named : "${k}=${u.name}"]
}
"#;

#[test]
fn count_and_for_each_instances_are_addressed_and_referenced() {
    let t = Test::new().file("main.tf", REPEATED);
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_iam_user.u[0] will be created\n")
        .stdout_has("  # aws_iam_user.u[1] will be created\n")
        .stdout_has("  # aws_iam_user.named[\"alice\"] will be created\n")
        .stdout_has("  # aws_iam_user.named[\"bob\"] will be created\n")
        // u[0].name is known at plan time, so the reference is too.
        .stdout_has("      + name          = \"bob-user-0\"\n")
        .stdout_has("  + all     = [\n      + \"user-0\",\n      + \"user-1\",\n    ]\n")
        .stdout_has("  + bob_arn = (known after apply)\n");
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["state", "list"]).success().stdout_is(
        "aws_iam_user.named[\"alice\"]\naws_iam_user.named[\"bob\"]\naws_iam_user.u[0]\naws_iam_user.u[1]\n",
    );
    t.run(&["output", "-json", "all"])
        .success()
        .stdout_is("[\"user-0\",\"user-1\"]\n");
    t.run(&["output", "-raw", "bob_arn"])
        .success()
        .stdout_is("arn:aws:iam::123456789012:user/team/bob-user-0");
    t.run(&["output", "-json", "named"])
        .success()
        .stdout_is("[\"alice=alice-user-0\",\"bob=bob-user-0\"]\n");
    t.run(&["state", "show", "aws_iam_user.u[1]"])
        .success()
        .stdout_has("    name          = \"user-1\"\n");
}

const POLICY: &str = r#"resource "aws_kms_key" "lab" {
  description = "lab key"
}

resource "aws_iam_policy" "use_key" {
  name = "use-lab-key"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = aws_kms_key.lab.arn
    }]
  })
}
"#;

#[test]
fn values_known_only_after_apply_propagate_and_flow_to_dependents() {
    let t = Test::new().file("main.tf", POLICY);
    // The policy names the key's ARN, which only exists after apply.
    t.run(&["plan"])
        .success()
        .stdout_has("      + policy           = (known after apply)\n");
    t.run(&["apply", "-auto-approve"]).success();
    let key_arn = t
        .run(&["state", "show", "aws_kms_key.lab"])
        .success()
        .stdout
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("arn").map(|r| {
                r.trim_start_matches([' ', '='])
                    .trim_matches('"')
                    .to_string()
            })
        })
        .expect("key arn in state");
    assert!(key_arn.starts_with("arn:aws:kms:us-east-1:123456789012:key/"));
    t.run(&["state", "show", "aws_iam_policy.use_key"])
        .success()
        .stdout_has(&key_arn);
    t.run(&["plan", "-detailed-exitcode"]).status(0);
}

#[test]
fn count_over_a_value_known_only_after_apply_is_an_error() {
    let t = Test::new().file(
        "main.tf",
        "resource \"aws_kms_key\" \"lab\" {}\n\nresource \"aws_iam_user\" \"u\" {\n  count = length(aws_kms_key.lab.arn)\n  name  = \"u${count.index}\"\n}\n",
    );
    t.run(&["plan"])
        .status(1)
        .stderr_has("Error: Invalid count argument\n --> main.tf:4:11\n")
        .stderr_has("The \"count\" value depends on resource attributes that cannot be determined until apply");
    t.run(&["apply", "-auto-approve"]).status(1);
    t.run(&["state", "list"]).success().stdout_is("");
    // validate checks the body once with count.index unknown, as terraform validate does.
    t.run(&["validate"]).success();
}

#[test]
fn cycles_name_every_address_in_them() {
    let t = Test::new().file(
        "main.tf",
        "locals {\n  a = local.b\n  b = aws_iam_user.u.name\n}\n\nresource \"aws_iam_user\" \"u\" {\n  name = local.a\n}\n",
    );
    t.run(&["plan"])
        .status(1)
        .stderr_has("Error: Cycle: aws_iam_user.u, local.a, local.b\n");
    t.run(&["graph"])
        .status(1)
        .stderr_has("Error: Cycle: aws_iam_user.u, local.a, local.b\n");
}
