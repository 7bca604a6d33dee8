//! The AWS SDK for Rust (tests/clients/rust-sdk: its own crate, pinned by its Cargo.lock, built
//! by `.ci/install-rust-sdk` into target/rust-sdk) tells the seed stories against `keyform
//! serve`: KMS, S3 with its default CRC32 checksums and a composite-checksum multipart upload,
//! a user without kms:Decrypt refused, CloudTrail's record. Without the built client the test
//! is ignored, saying why.

#[cfg(kf_rust_sdk)]
use std::process::Command;

#[cfg(kf_rust_sdk)]
use crate::support::Test;
#[cfg(kf_rust_sdk)]
use crate::support::wire::Served;

#[test]
#[cfg_attr(
    not(kf_rust_sdk),
    ignore = "skipped: the AWS SDK for Rust client is not built (run .ci/install-rust-sdk)"
)]
fn the_rust_sdk_tells_the_seed_stories_with_default_checksums() {
    #[cfg(kf_rust_sdk)]
    {
        let t = Test::new();
        let s = Served::start(&t, &[]);
        let admin = s.client(Some(&s.admin));
        // A user with S3 full access and nothing else (made over the wire, as lab-admin).
        assert_eq!(
            admin
                .query("iam", "CreateUser", &[("UserName", "rust-s3-user")])
                .status,
            200
        );
        let a = admin.query(
            "iam",
            "AttachUserPolicy",
            &[
                ("UserName", "rust-s3-user"),
                ("PolicyArn", "arn:aws:iam::aws:policy/AmazonS3FullAccess"),
            ],
        );
        assert_eq!(a.status, 200, "{}", a.text());
        let ak = admin
            .query("iam", "CreateAccessKey", &[("UserName", "rust-s3-user")])
            .text();
        let between = |a: &str, b: &str| {
            ak.split(a)
                .nth(1)
                .and_then(|r| r.split(b).next())
                .unwrap_or("")
                .to_string()
        };
        let (id, secret) = (
            between("<AccessKeyId>", "</AccessKeyId>"),
            between("<SecretAccessKey>", "</SecretAccessKey>"),
        );
        assert!(!id.is_empty() && !secret.is_empty(), "{ak}");
        let out = Command::new(env!("KEYFORM_TOOL_RUST_SDK"))
            .current_dir(t.path())
            .env("AWS_ENDPOINT_URL", format!("http://{}", s.addr))
            .env("AWS_ACCESS_KEY_ID", &s.admin.id)
            .env("AWS_SECRET_ACCESS_KEY", &s.admin.secret)
            .env("AWS_DEFAULT_REGION", &s.region)
            .env("KEYFORM_S3_USER_ID", &id)
            .env("KEYFORM_S3_USER_SECRET", &secret)
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .output()
            .expect("run the Rust SDK client");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprintln!("{stdout}");
        assert!(
            out.status.success() && stdout.contains(" passed, 0 failed"),
            "the Rust SDK story failed:\n{stdout}\n{stderr}"
        );
    }
}
