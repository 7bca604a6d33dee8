//! Real clients against `keyform serve`: boto3 and the AWS CLI v1 tell the seed stories over
//! HTTP (tests/clients/seed_stories.py). Runs with the Python build.rs found (`$KEYFORM_PYTHON`,
//! the venv `.ci/install-clients` builds with pinned boto3 + awscli, or a `python3` that has
//! them); without one the test is ignored, saying why.

use std::path::Path;
use std::process::Command;

use crate::support::Test;
use crate::support::wire::Served;

#[test]
#[cfg_attr(
    not(kf_boto3),
    ignore = "skipped: no Python with boto3 and awscli (run .ci/install-clients, or set KEYFORM_PYTHON)"
)]
fn boto3_and_the_aws_cli_tell_the_seed_stories_over_http() {
    let py = env!("KEYFORM_TOOL_BOTO3");
    let t = Test::new();
    let s = Served::start(&t, &[]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/seed_stories.py");
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
        "seed stories failed with {py}:\n{stdout}\n{stderr}"
    );
}
