//! Several accounts in one world through the binary: `init -account-id` creating them, `sim
//! --account` acting in one (as its OrganizationAccountAccessRole, a user, root), and a key
//! shared across accounts, decided by both the key policy and the caller's identity policy.

use crate::sim_common::*;
use crate::support::Test;

const A: &str = "111111111111";
const B: &str = "222222222222";

fn two_accounts() -> Test {
    let t = Test::new();
    t.run(&["init", &format!("-account-id={A},{B}")])
        .success()
        .stdout_has(&format!("accounts {A}, {B}"));
    t
}

#[test]
fn init_creates_accounts_and_sim_account_acts_in_them() {
    let t = two_accounts();
    let me = sim_json(&t, &["sts", "get-caller-identity", "--account", B]);
    assert_eq!(s(&me, "/Account"), B);
    assert_eq!(
        s(&me, "/Arn"),
        format!("arn:aws:sts::{B}:assumed-role/OrganizationAccountAccessRole/lab-admin")
    );
    let me = sim_json(&t, &["sts", "get-caller-identity"]);
    assert_eq!(s(&me, "/Account"), A);
    let root = sim_json(
        &t,
        &["sts", "get-caller-identity", "--account", B, "--as", "root"],
    );
    assert_eq!(s(&root, "/Arn"), format!("arn:aws:iam::{B}:root"));
    // Running init again keeps the world and its accounts; it may add one more.
    t.run(&["init", &format!("-account-id={A},333333333333")])
        .success()
        .stdout_has("Reusing the existing simulated world");
    sim_json(
        &t,
        &["sts", "get-caller-identity", "--account", "333333333333"],
    );
    // Unknown accounts and users of an account are usage errors naming what exists.
    sim(
        &t,
        &["sts", "get-caller-identity", "--account", "444444444444"],
    )
    .status(USAGE_ERROR)
    .stderr_has("this world has no account 444444444444");
    sim(
        &t,
        &["sts", "get-caller-identity", "--account", B, "--as", "bob"],
    )
    .status(USAGE_ERROR)
    .stderr_has(&format!(
        "there is no IAM user named \"bob\" in account {B}"
    ));
    t.run(&["init", "-account-id=12345"])
        .status(1)
        .stderr_has("is not an AWS account id");
}

#[test]
fn a_partner_account_uses_a_shared_key_only_with_its_own_identity_policy() {
    let t = two_accounts();
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{A}:root")}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{B}:root")}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}
    ]})
    .to_string();
    let key = sim_json(&t, &["kms", "create-key", "--policy", &policy]);
    let arn = s(&key, "/KeyMetadata/Arn").to_string();
    sim_json(
        &t,
        &["iam", "create-user", "--user-name", "bob", "--account", B],
    );
    let enc = [
        "kms",
        "encrypt",
        "--key-id",
        &arn,
        "--plaintext",
        "hi",
        "--account",
        B,
        "--as",
        "bob",
    ];
    sim_fails(&t, &enc, "AccessDeniedException");
    let allow = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": arn}]})
    .to_string();
    // PutUserPolicy answers nothing, as the AWS CLI prints nothing.
    sim(
        &t,
        &[
            "iam",
            "put-user-policy",
            "--user-name",
            "bob",
            "--policy-name",
            "use-shared-key",
            "--policy-document",
            &allow,
            "--account",
            B,
        ],
    )
    .success();
    let out = sim_json(&t, &enc);
    assert_eq!(s(&out, "/KeyId"), arn);
}
