//! `aws_iam_user_login_profile` end to end: the generated password is in state only (shown by
//! a sensitive output with `-raw`), the world holds a hash, drift is seen, destroy removes it.

use crate::support::Test;

const CONFIG: &str = r#"resource "aws_iam_user" "u" {
  name = "S3-Admin-User"
}

resource "aws_iam_user_login_profile" "u" {
  user                    = aws_iam_user.u.name
  password_length         = 24
  password_reset_required = false
}

output "password" {
  value     = aws_iam_user_login_profile.u.password
  sensitive = true
}
"#;

#[test]
fn a_login_profile_round_trips_and_its_password_stays_in_state() {
    let t = Test::new().file("main.tf", CONFIG);
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_iam_user_login_profile.u will be created\n")
        .stdout_has("      + password                = (sensitive value)\n");
    t.run(&["apply", "-auto-approve"]).success();
    let pw = t.run(&["output", "-raw", "password"]).success().stdout;
    assert_eq!(pw.chars().count(), 24, "{pw:?}");
    assert!(t.read(".keyform/state.json").contains(&pw));
    assert!(
        !t.read(".keyform/world.json").contains(&pw),
        "the world keeps the password"
    );
    t.run(&["plan", "-detailed-exitcode"])
        .success()
        .stdout_has("No changes.");
    t.run(&[
        "sim",
        "iam",
        "get-login-profile",
        "--user-name",
        "S3-Admin-User",
    ])
    .success()
    .stdout_has("\"PasswordResetRequired\": false");
    t.run(&[
        "sim",
        "iam",
        "delete-login-profile",
        "--user-name",
        "S3-Admin-User",
    ])
    .success();
    t.run(&["plan"])
        .success()
        .stdout_has("  # aws_iam_user_login_profile.u will be created\n");
    t.run(&["apply", "-auto-approve"]).success();
    let pw2 = t.run(&["output", "-raw", "password"]).success().stdout;
    assert_ne!(pw, pw2, "a new profile gets a new password");
    t.run(&["destroy", "-auto-approve"]).success();
    t.run(&["sim", "iam", "list-users"])
        .success()
        .stdout_lacks("S3-Admin-User");
}

#[test]
fn pgp_keys_are_not_simulated() {
    let t = Test::new().file(
        "main.tf",
        "resource \"aws_iam_user_login_profile\" \"u\" {\n  user    = \"x\"\n  pgp_key = \"keybase:x\"\n}\n",
    );
    t.run(&["validate"]).status(1).stderr_has("pgp_key");
}
