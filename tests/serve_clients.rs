//! Real clients against `keyform serve`: boto3 and the AWS CLI v1 tell the seed stories over
//! HTTP (tests/clients/seed_stories.py). Runs with the Python build.rs found (`$KEYFORM_PYTHON`,
//! the venv `.ci/install-clients` builds with pinned boto3 + awscli, or a `python3` that has
//! them); without one the test is ignored, saying why.

#[cfg(kf_boto3)]
use std::path::Path;
#[cfg(kf_boto3)]
use std::process::Command;

#[cfg(kf_boto3)]
use crate::support::Test;
#[cfg(kf_boto3)]
use crate::support::wire::Served;

#[test]
#[cfg_attr(
    not(kf_boto3),
    ignore = "skipped: no Python with boto3 and awscli (run .ci/install-clients, or set KEYFORM_PYTHON)"
)]
fn boto3_and_the_aws_cli_tell_the_seed_stories_over_http() {
    run_script("seed_stories.py");
}

#[test]
#[cfg_attr(
    not(kf_boto3),
    ignore = "skipped: no Python with boto3 and awscli (run .ci/install-clients, or set KEYFORM_PYTHON)"
)]
fn boto3_copies_tags_lists_parts_and_checks_every_checksum_algorithm_over_http() {
    run_script("s3_copies.py");
}

#[test]
#[cfg_attr(
    not(kf_boto3),
    ignore = "skipped: no Python with boto3 and awscli (run .ci/install-clients, or set KEYFORM_PYTHON)"
)]
fn the_aws_clis_validate_logs_verifies_a_trails_digests_and_reports_tampering() {
    run_script("validate_logs.py");
}

/// Runs one client script of tests/clients against a fresh `keyform serve`; it must end with
/// "N passed, 0 failed".
#[cfg(kf_boto3)]
fn run_script(name: &str) {
    let py = env!("KEYFORM_TOOL_BOTO3");
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name);
    let out = Command::new(py)
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
        "{name} failed with {py}:\n{stdout}\n{stderr}"
    );
}
