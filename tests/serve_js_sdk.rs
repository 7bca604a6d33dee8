//! The AWS SDK for JavaScript v3 (the packages pinned in tests/clients/js/package.json, which
//! `.ci/install-node` installs under target/js-clients) against `keyform serve`: the seed stories
//! as an application tells them (tests/clients/js/sdk_stories.cjs), and keyform's accepted
//! parameters against the SDK's own service models (tests/clients/js/conformance.cjs). Without
//! node or the packages the tests are ignored, saying why.

#[cfg(kf_js_sdk)]
use std::collections::BTreeMap;
#[cfg(kf_js_sdk)]
use std::path::Path;
#[cfg(kf_js_sdk)]
use std::process::{Command, Output};

#[cfg(kf_js_sdk)]
use crate::support::Test;
#[cfg(kf_js_sdk)]
use crate::support::wire::Served;

/// Runs `node tests/clients/js/<script> <args>` in `t`'s directory, signed as lab-admin of `s`
/// when there is a server.
#[cfg(kf_js_sdk)]
fn node(t: &Test, s: Option<&Served>, script: &str, args: &[&str]) -> Output {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients/js")
        .join(script);
    let mut cmd = Command::new(env!("KEYFORM_TOOL_JS_SDK"));
    cmd.arg(&path)
        .args(args)
        .current_dir(t.path())
        .env("KEYFORM_JS_MODULES", env!("KEYFORM_TOOL_JS_SDK_MODULES"))
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy");
    if let Some(s) = s {
        cmd.env("AWS_ENDPOINT_URL", format!("http://{}", s.addr))
            .env("AWS_ACCESS_KEY_ID", &s.admin.id)
            .env("AWS_SECRET_ACCESS_KEY", &s.admin.secret)
            .env("AWS_DEFAULT_REGION", &s.region);
    }
    cmd.output().expect("run node")
}

#[cfg(kf_js_sdk)]
fn passed(out: &Output, what: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}");
    assert!(
        out.status.success() && stdout.contains(" passed, 0 failed"),
        "{what} failed:\n{stdout}\n{stderr}"
    );
}

#[test]
#[cfg_attr(
    not(kf_js_sdk),
    ignore = "skipped: no node 20+ with the AWS SDK for JavaScript v3 (run .ci/install-node)"
)]
fn the_js_sdk_v3_tells_the_seed_stories_with_default_checksums_and_lib_storage() {
    #[cfg(kf_js_sdk)]
    {
        let t = Test::new();
        let s = Served::start(&t, &[]);
        passed(
            &node(&t, Some(&s), "sdk_stories.cjs", &[]),
            "the JS SDK story",
        );
    }
}

#[test]
#[cfg_attr(
    not(kf_js_sdk),
    ignore = "skipped: no node 20+ with the AWS SDK for JavaScript v3 (run .ci/install-node)"
)]
fn every_served_operation_matches_the_js_sdks_service_models() {
    #[cfg(kf_js_sdk)]
    {
        let ops: BTreeMap<&str, Vec<&str>> = keyform::sim::ops::operation_names()
            .into_iter()
            .map(|op| {
                (
                    op,
                    keyform::sim::ops::parameter_names(op).unwrap_or_default(),
                )
            })
            .collect();
        let t = Test::new();
        t.write(
            "ops.json",
            &serde_json::to_string_pretty(&ops).expect("ops as JSON"),
        );
        passed(
            &node(&t, None, "conformance.cjs", &["ops.json"]),
            "keyform's parameters against the JS SDK's models",
        );
    }
}
