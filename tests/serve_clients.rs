//! Real clients against `keyform serve`: boto3 and the AWS CLI v1 tell the seed stories over
//! HTTP (tests/clients/seed_stories.py). Runs with `$KEYFORM_PYTHON` (the venv `.ci/run`
//! builds with pinned boto3 + awscli) or a `python3` that has boto3; otherwise it says it
//! skipped, since the Rust client tests in serve_wire.rs cover the same stories.

use std::path::Path;
use std::process::Command;

use crate::support::Test;
use crate::support::wire::Served;

/// A Python interpreter with boto3, if there is one.
fn python() -> Option<String> {
    let candidates: Vec<String> = match std::env::var("KEYFORM_PYTHON") {
        Ok(p) if !p.is_empty() => vec![p],
        _ => vec!["python3".into()],
    };
    candidates.into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import boto3"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

#[test]
fn boto3_and_the_aws_cli_tell_the_seed_stories_over_http() {
    let Some(py) = python() else {
        eprintln!(
            "skipped: no Python with boto3 (set KEYFORM_PYTHON, or run .ci/install-clients); serve_wire covers these stories from Rust"
        );
        return;
    };
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/seed_stories.py");
    let out = Command::new(&py)
        .arg(&script)
        .current_dir(t.path())
        .env("AWS_ENDPOINT_URL", format!("http://{}", s.addr))
        .env("AWS_ACCESS_KEY_ID", &s.admin.id)
        .env("AWS_SECRET_ACCESS_KEY", &s.admin.secret)
        .env("AWS_DEFAULT_REGION", &s.region)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "seed stories failed with {py}:\n{stdout}\n{stderr}"
    );
}
