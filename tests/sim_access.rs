//! Seeds 001 and 004 through the binary: S3 rights without key rights are not enough to read an
//! SSE-KMS object, the key policy decides, and `sim explain` shows why.

use crate::sim_common::*;
use crate::support::Test;

const KEY_USERS: &str = include_str!("fixtures/sim/key-users/main.tf");
const BUCKET: &str = "kms-demo-encrypted-bucket";
const OBJECT: &str = "encryption-test-file.txt";
const BODY: &str = "kms encryption test file\n";

/// Applies the seed 001 fixture and uploads the test file as lab-admin.
fn seed_001() -> Test {
    let t = applied(KEY_USERS);
    t.write("encryption-test-file.txt", BODY);
    let put = sim_json(
        &t,
        &[
            "s3api",
            "put-object",
            "--bucket",
            BUCKET,
            "--key",
            OBJECT,
            "--body",
            OBJECT,
        ],
    );
    assert_eq!(s(&put, "/ServerSideEncryption"), "aws:kms");
    assert_eq!(s(&put, "/SSEKMSKeyId"), output(&t, "key_arn"));
    t
}

fn get_as(t: &Test, user: &str, out: &str) -> crate::support::Run {
    sim(
        t,
        &[
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            OBJECT,
            out,
            "--as",
            user,
        ],
    )
}

#[test]
fn seed_001_s3_admin_is_denied_and_the_key_user_reads_the_exact_bytes() {
    let t = seed_001();
    let key_arn = output(&t, "key_arn");
    get_as(&t, "S3-Admin-User", "denied.txt")
        .status(SERVICE_ERROR)
        .stderr_has(&format!(
            "An error occurred (AccessDenied) when calling the GetObject operation: User: \
             arn:aws:iam::123456789012:user/S3-Admin-User is not authorized to perform: \
             kms:Decrypt on resource: {key_arn} because no identity-based policy allows the \
             kms:Decrypt action"
        ));
    assert!(
        !t.path().join("denied.txt").exists(),
        "a denied GetObject must not write its outfile"
    );
    let r = get_as(&t, "S3-KMS-Admin-User", "granted.txt").success();
    let fields: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(s(&fields, "/ServerSideEncryption"), "aws:kms");
    assert_eq!(s(&fields, "/SSEKMSKeyId"), key_arn);
    assert_eq!(fields["ContentLength"], BODY.len());
    assert_eq!(
        std::fs::read(t.path().join("granted.txt")).unwrap(),
        BODY.as_bytes()
    );
    // The S3 admin may still see that the object exists: HeadObject needs no key.
    sim(
        &t,
        &[
            "s3api",
            "head-object",
            "--bucket",
            BUCKET,
            "--key",
            OBJECT,
            "--as",
            "S3-Admin-User",
        ],
    )
    .success()
    .stdout_has("\"ServerSideEncryption\": \"aws:kms\"");
}

#[test]
fn seed_004_removing_the_key_user_denies_again_and_re_adding_allows() {
    let t = seed_001();
    get_as(&t, "S3-KMS-Admin-User", "1.txt").success();

    // Re-apply with the key user removed from the key policy.
    t.run(&["apply", "-auto-approve", "-var", "key_users=[]"])
        .success()
        .stdout_has("1 changed");
    get_as(&t, "S3-KMS-Admin-User", "2.txt")
        .status(SERVICE_ERROR)
        .stderr_has("(AccessDenied) when calling the GetObject operation: User: arn:aws:iam::123456789012:user/S3-KMS-Admin-User is not authorized to perform: kms:Decrypt");

    // Re-adding the key user (back to the configured default) allows again.
    t.run(&["apply", "-auto-approve"]).success();
    get_as(&t, "S3-KMS-Admin-User", "3.txt").success();
    assert_eq!(
        std::fs::read_to_string(t.path().join("3.txt")).unwrap(),
        BODY
    );

    // The same story with the KMS API directly: put-key-policy without, then with, the user.
    let key_id = output(&t, "key_id");
    let policy = sim_json(&t, &["kms", "get-key-policy", "--key-id", &key_id]);
    let with_user = s(&policy, "/Policy").to_string();
    let mut doc: serde_json::Value = serde_json::from_str(&with_user).unwrap();
    let statements = doc["Statement"].as_array_mut().unwrap();
    assert_eq!(statements.len(), 2, "{with_user}");
    statements.retain(|st| st["Sid"] != "AllowUseOfTheKey");
    let without_user = doc.to_string();
    sim(
        &t,
        &[
            "kms",
            "put-key-policy",
            "--key-id",
            &key_id,
            "--policy",
            &without_user,
        ],
    )
    .success();
    get_as(&t, "S3-KMS-Admin-User", "4.txt")
        .status(SERVICE_ERROR)
        .stderr_has("(AccessDenied)");
    sim(
        &t,
        &[
            "kms",
            "put-key-policy",
            "--key-id",
            &key_id,
            "--policy",
            &with_user,
        ],
    )
    .success();
    get_as(&t, "S3-KMS-Admin-User", "5.txt").success();
    assert_eq!(
        std::fs::read_to_string(t.path().join("5.txt")).unwrap(),
        BODY
    );
}

#[test]
fn explain_shows_the_statements_considered_and_the_deny_with_its_reason() {
    let t = seed_001();
    let key_arn = output(&t, "key_arn");
    let r = sim(
        &t,
        &[
            "explain",
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            OBJECT,
            "--as",
            "S3-Admin-User",
        ],
    )
    .success();
    let out = &r.stdout;
    // First S3 authorises the GetObject itself...
    assert!(
        out.contains(&format!(
            "Request: s3:GetObject on arn:aws:s3:::{BUCKET}/{OBJECT}\n  caller: arn:aws:iam::123456789012:user/S3-Admin-User"
        )),
        "{out}"
    );
    assert!(
        out.contains("[match] AWS managed policy AmazonS3FullAccess statement 1 [Allow applies]"),
        "{out}"
    );
    // ...then KMS decides Decrypt on S3's behalf, statement by statement.
    assert!(
        out.contains(&format!("Request: kms:Decrypt on {key_arn}")),
        "{out}"
    );
    assert!(
        out.contains("context kms:ViaService = s3.us-east-1.amazonaws.com"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "context kms:EncryptionContext:aws:s3:arn = arn:aws:s3:::{BUCKET}/{OBJECT}"
        )),
        "{out}"
    );
    assert!(
        out.contains("(Sid \"EnableIAMUserPermissions\") [Allow applies]: matched"),
        "{out}"
    );
    assert!(
        out.contains("(Sid \"AllowUseOfTheKey\") [Allow skipped]: principal arn:aws:iam::123456789012:user/S3-Admin-User not in"),
        "{out}"
    );
    assert!(
        out.contains("[no match] AWS managed policy AmazonS3FullAccess statement 1 [Allow skipped]: action kms:Decrypt not in"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "decision: DENY (User: arn:aws:iam::123456789012:user/S3-Admin-User is not authorized to perform: kms:Decrypt on resource: {key_arn} because no identity-based policy allows the kms:Decrypt action)"
        )),
        "{out}"
    );
    assert!(
        out.contains("Result: the call would fail with AccessDenied"),
        "{out}"
    );
    // The key user's explanation allows; explaining performs nothing and records nothing.
    sim(
        &t,
        &[
            "explain",
            "s3api",
            "get-object",
            "--bucket",
            BUCKET,
            "--key",
            OBJECT,
            "--as",
            "S3-KMS-Admin-User",
        ],
    )
    .success()
    .stdout_has("(Sid \"AllowUseOfTheKey\") [Allow applies]: matched")
    // Every key of each evaluated request context is shown, the caller's and S3's on its behalf.
    .stdout_has("context aws:SourceIp = 127.0.0.1")
    .stdout_has("context aws:username = S3-KMS-Admin-User")
    .stdout_has("context aws:CalledVia = s3.amazonaws.com")
    .stdout_has("context kms:CallerAccount = 123456789012")
    .stdout_has("context kms:EncryptionContext:aws:s3:arn = arn:aws:s3:::")
    .stdout_lacks("DENY")
    .stdout_has("Result: the call would succeed.");
    let decrypts = lookup(&t, &["--event-name", "Decrypt"]);
    assert!(decrypts.is_empty(), "explain recorded {decrypts:?}");
}

#[test]
fn calling_as_a_user_that_does_not_exist_is_a_usage_error_naming_the_users() {
    let t = seed_001();
    sim(&t, &["s3api", "list-buckets", "--as", "S3-Admn-User"])
        .status(USAGE_ERROR)
        .stderr_has("there is no IAM user named \"S3-Admn-User\" in this world (from --as).")
        .stderr_has("Did you mean \"S3-Admin-User\"?")
        .stderr_has("Users: S3-Admin-User, S3-KMS-Admin-User, lab-admin.");
    let r = t
        .run_env(&["sim", "kms", "list-keys"], &[("KEYFORM_AS", "nobody")])
        .status(USAGE_ERROR);
    assert!(
        r.stderr
            .contains("(from the KEYFORM_AS environment variable)"),
        "{}",
        r.stderr
    );
    sim(&t, &["explain", "kms", "list-keys", "--as", "nobody"])
        .status(USAGE_ERROR)
        .stderr_has("no IAM user named \"nobody\"");
    // KEYFORM_AS naming a real user works.
    t.run_env(
        &["sim", "s3api", "list-buckets"],
        &[("KEYFORM_AS", "S3-Admin-User")],
    )
    .success()
    .stdout_has(BUCKET);
}

#[test]
fn unknown_options_are_usage_errors_and_query_and_output_shape_the_answer() {
    let t = applied(KEY_USERS);
    let key_id = output(&t, "key_id");
    // A mistyped option must not be ignored (this one would schedule a 30-day deletion).
    sim(
        &t,
        &[
            "kms",
            "schedule-key-deletion",
            "--key-id",
            &key_id,
            "--pending-window-days",
            "7",
        ],
    )
    .status(USAGE_ERROR)
    .stderr_has(
        "Unknown options: --pending-window-days. Did you mean \"--pending-window-in-days\"?",
    );
    let d = sim_json(&t, &["kms", "describe-key", "--key-id", &key_id]);
    assert_eq!(s(&d, "/KeyMetadata/KeyState"), "Enabled");
    // Parameter validation errors are 252 too.
    sim(&t, &["kms", "schedule-key-deletion"])
        .status(USAGE_ERROR)
        .stderr_has("Missing required parameter in input: \"KeyId\"");
    sim(&t, &["kms", "list-keys", "--region", "eu-west-1"])
        .status(USAGE_ERROR)
        .stderr_has("this world is in us-east-1");
    // --query/--output text, as learners pipe them into base64 -d.
    let blob = sim(
        &t,
        &[
            "kms",
            "encrypt",
            "--key-id",
            "alias/my-s3-encryption-key",
            "--plaintext",
            "hi",
            "--query",
            "CiphertextBlob",
            "--output",
            "text",
        ],
    )
    .success()
    .stdout;
    let blob = blob.trim_end_matches('\n');
    assert!(!blob.contains('"') && !blob.is_empty(), "{blob}");
    sim(
        &t,
        &[
            "kms",
            "decrypt",
            "--ciphertext-blob",
            blob,
            "--query",
            "Plaintext",
            "--output",
            "text",
        ],
    )
    .success()
    .stdout_has("aGk=\n");
    sim(
        &t,
        &[
            "kms",
            "describe-key",
            "--key-id",
            &key_id,
            "--query",
            "KeyMetadata.KeyManager",
        ],
    )
    .success()
    .stdout_has("\"CUSTOMER\"");
}
