//! `aws_kms_grant` end to end: apply, a no-op plan, the grant letting its grantee use the key at
//! once (and nothing else), drift when it is revoked out of band, destroy revoking it.

use crate::support::Test;

const CONFIG: &str = r#"resource "aws_iam_user" "app" {
  name = "app"
}

resource "aws_kms_key" "k" {
  description = "grant lab"
}

resource "aws_kms_grant" "app" {
  name              = "app-describe"
  key_id            = aws_kms_key.k.key_id
  grantee_principal = aws_iam_user.app.arn
  operations        = ["DescribeKey", "Decrypt"]

  constraints {
    encryption_context_subset = {
      app = "lab"
    }
  }
}

output "key" {
  value = aws_kms_key.k.key_id
}

output "grant" {
  value = aws_kms_grant.app.grant_id
}
"#;

#[test]
fn a_grant_round_trips_lets_its_grantee_in_and_is_revoked_on_destroy() {
    let t = Test::new().file("main.tf", CONFIG);
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_kms_grant.app will be created\n")
        .stdout_has("      + grant_token       = (sensitive value)\n");
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["plan", "-detailed-exitcode"])
        .success()
        .stdout_has("No changes.");
    let key = t.run(&["output", "-raw", "key"]).success().stdout;
    let grant = t.run(&["output", "-raw", "grant"]).success().stdout;
    // The grantee, with no policy of its own, may describe the key, and only through the grant.
    t.run(&[
        "sim",
        "kms",
        "describe-key",
        "--key-id",
        &key,
        "--as",
        "app",
    ])
    .success();
    t.run(&["sim", "kms", "list-aliases", "--as", "app"])
        .status(254)
        .stderr_has("AccessDenied");
    t.run(&["sim", "kms", "list-grants", "--key-id", &key])
        .success()
        .stdout_has(&format!("\"GrantId\": \"{grant}\""))
        .stdout_has("\"app\": \"lab\"");
    t.run(&[
        "sim",
        "kms",
        "revoke-grant",
        "--key-id",
        &key,
        "--grant-id",
        &grant,
    ])
    .success();
    t.run(&[
        "sim",
        "kms",
        "describe-key",
        "--key-id",
        &key,
        "--as",
        "app",
    ])
    .status(254)
    .stderr_has("AccessDenied");
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_kms_grant.app will be created\n");
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["destroy", "-auto-approve"]).success();
    t.run(&["sim", "kms", "list-grants", "--key-id", &key])
        .success()
        .stdout_has("\"Grants\": []");
}
