//! Terraform 1.11's own S3 state backend (aws-sdk-go-v2, no provider download) against
//! `keyform serve`: state encrypted with a customer KMS key, locked with `use_lockfile` (an
//! `If-None-Match: *` PutObject of `<key>.tflock`), so a second run is refused while the lock
//! is held; a user without kms:Decrypt cannot read the state.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::json;

use crate::support::Test;
use crate::support::wire::{Creds, Served};

fn terraform(dir: &Path, s: &Served, args: &[&str]) -> Output {
    let rc = dir.join(".empty.tfrc");
    std::fs::write(&rc, "").expect("write tfrc");
    Command::new(env!("KEYFORM_TOOL_TERRAFORM"))
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", &rc)
        .env("CHECKPOINT_DISABLE", "1")
        .env("AWS_ACCESS_KEY_ID", &s.admin.id)
        .env("AWS_SECRET_ACCESS_KEY", &s.admin.secret)
        .env("AWS_REGION", &s.region)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("TF_IN_AUTOMATION")
        .output()
        .expect("run terraform")
}

fn ok(out: Output, what: &str) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "terraform {what} failed:\n{text}");
    text
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn terraforms_s3_backend_keeps_kms_encrypted_locked_state_in_serve() {
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let admin = s.client(Some(&s.admin));
    let r = admin.kms("CreateKey", json!({"Description": "terraform state"}));
    assert_eq!(r.status, 200, "{}", r.text());
    let key_arn = r.json()["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    assert_eq!(admin.s3("PUT", "/tf-state", "", &[], b"").status, 200);

    let dir = t.path().join("tf");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        format!(
            r#"terraform {{
  backend "s3" {{
    bucket                      = "tf-state"
    key                         = "lab/terraform.tfstate"
    region                      = "{region}"
    endpoints                   = {{ s3 = "http://{addr}" }}
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    encrypt                     = true
    kms_key_id                  = "{key_arn}"
    use_lockfile                = true
  }}
}}

resource "terraform_data" "greeting" {{
  input = "hello from the s3 backend"
}}

output "greeting" {{
  value = terraform_data.greeting.output
}}
"#,
            region = s.region,
            addr = s.addr,
        ),
    )
    .unwrap();

    ok(
        terraform(&dir, &s, &["init", "-no-color", "-input=false"]),
        "init",
    );
    let plan = ok(
        terraform(&dir, &s, &["plan", "-no-color", "-input=false"]),
        "plan",
    );
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    let apply = ok(
        terraform(
            &dir,
            &s,
            &["apply", "-auto-approve", "-no-color", "-input=false"],
        ),
        "apply",
    );
    assert!(
        apply.contains("Apply complete! Resources: 1 added"),
        "{apply}"
    );

    // The state is in the bucket, SSE-KMS under the configured key; the lock is gone.
    let state = "/tf-state/lab/terraform.tfstate";
    let h = admin.s3("HEAD", state, "", &[], b"");
    assert_eq!(h.status, 200);
    assert_eq!(h.header("x-amz-server-side-encryption"), Some("aws:kms"));
    assert_eq!(
        h.header("x-amz-server-side-encryption-aws-kms-key-id"),
        Some(key_arn.as_str())
    );
    let g = admin.s3("GET", state, "", &[], b"");
    assert!(
        g.text().contains("hello from the s3 backend"),
        "{}",
        g.text()
    );
    assert_eq!(
        admin
            .s3("HEAD", &format!("{state}.tflock"), "", &[], b"")
            .status,
        404
    );

    // Someone else holds the lock (written as Terraform writes it: If-None-Match: *).
    let lock = json!({"ID": "5b9d4a4e-0000-4000-8000-000000000001", "Operation": "OperationTypeApply",
        "Info": "", "Who": "trainer@laptop", "Version": "1.11.4", "Created": "2026-01-01T00:00:00Z",
        "Path": "tf-state/lab/terraform.tfstate"});
    let held = admin.s3(
        "PUT",
        &format!("{state}.tflock"),
        "",
        &[("if-none-match", "*")],
        lock.to_string().as_bytes(),
    );
    assert_eq!(held.status, 200, "{}", held.text());
    let refused = terraform(
        &dir,
        &s,
        &["plan", "-no-color", "-input=false", "-lock-timeout=0s"],
    );
    let text = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert!(!refused.status.success());
    assert!(text.contains("Error acquiring the state lock"), "{text}");
    assert!(
        text.contains("trainer@laptop"),
        "the holder is named: {text}"
    );
    // The refused run left the holder's lock alone.
    assert_eq!(
        admin
            .s3("GET", &format!("{state}.tflock"), "", &[], b"")
            .json()["Who"],
        "trainer@laptop"
    );
    assert_eq!(
        admin
            .s3("DELETE", &format!("{state}.tflock"), "", &[], b"")
            .status,
        204
    );

    // A user with S3 but no kms:Decrypt cannot read the state.
    assert_eq!(
        admin
            .query("iam", "CreateUser", &[("UserName", "auditor")])
            .status,
        200
    );
    let a = admin.query(
        "iam",
        "AttachUserPolicy",
        &[
            ("UserName", "auditor"),
            ("PolicyArn", "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.text());
    let ak = admin
        .query("iam", "CreateAccessKey", &[("UserName", "auditor")])
        .text();
    let between = |a: &str, b: &str| {
        ak.split(a)
            .nth(1)
            .and_then(|r| r.split(b).next())
            .unwrap_or("")
            .to_string()
    };
    let auditor = Creds {
        id: between("<AccessKeyId>", "</AccessKeyId>"),
        secret: between("<SecretAccessKey>", "</SecretAccessKey>"),
    };
    let denied = s.client(Some(&auditor)).s3("GET", state, "", &[], b"");
    assert_eq!(
        (denied.status, denied.xml_code()),
        (403, "AccessDenied".into())
    );
    assert!(!denied.text().contains("hello from the s3 backend"));

    let destroy = ok(
        terraform(
            &dir,
            &s,
            &["destroy", "-auto-approve", "-no-color", "-input=false"],
        ),
        "destroy",
    );
    assert!(
        destroy.contains("Destroy complete! Resources: 1 destroyed"),
        "{destroy}"
    );
    let g = admin.s3("GET", state, "", &[], b"");
    assert!(
        !g.text().contains("hello from the s3 backend"),
        "{}",
        g.text()
    );
}
