//! keyform's request and response shapes against botocore's JSON service models: for every
//! operation keyform serves, the parameters it accepts are members of the model's input shape
//! and it accepts every required one; a boto3 scenario sends every accepted parameter (typed by
//! the model) to `keyform serve` and walks each raw response against the output shape (member
//! names and types); and leaving out a required member gets a 4xx naming it
//! (tests/clients/conformance.py).
//!
//! Needs a Python with boto3 (`$KEYFORM_PYTHON`, the venv `.ci/install-clients` builds, whose
//! botocore carries the models); without one the test is ignored, saying why.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::Test;
use crate::support::wire::Served;

#[test]
#[cfg_attr(
    not(kf_boto3),
    ignore = "skipped: no Python with boto3 and botocore (run .ci/install-clients, or set KEYFORM_PYTHON)"
)]
fn every_served_operation_matches_botocores_service_models() {
    let py = env!("KEYFORM_TOOL_BOTO3");
    let ops: BTreeMap<&str, Vec<&str>> = keyform::sim::ops::operation_names()
        .into_iter()
        .map(|op| {
            (
                op,
                keyform::sim::ops::parameter_names(op).unwrap_or_default(),
            )
        })
        .collect();
    // Outside us-east-1, so CreateBucketConfiguration is a valid parameter to send.
    let t = Test::new().file(
        "main.tf",
        "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n",
    );
    t.write(
        "ops.json",
        &serde_json::to_string_pretty(&ops).expect("ops as JSON"),
    );
    let s = Served::start(&t, &[]);
    assert_eq!(s.region, "eu-west-1");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/conformance.py");
    let out = Command::new(py)
        .arg(&script)
        .arg("ops.json")
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
        "keyform's shapes differ from botocore's models ({py}):\n{stdout}\n{stderr}"
    );
}
