//! moto's own KMS and S3-encryption test modules (moto 5.2.5, from its source distribution,
//! never committed) in server mode against `keyform serve -auth=lenient`: every failing test
//! must be on scripts/moto-allowlist.txt with the AWS fact that justifies keyform's answer, and
//! every line of the list must still match a failure.
//!
//! Runs when the venv and the tests that `scripts/moto-suite.sh --setup` prepares are under
//! target/ (`.ci/install-clients` prepares them; build.rs looks); otherwise it is ignored,
//! saying why. The comparison with moto's own server is in `scripts/moto-suite.sh`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::Test;
use crate::support::wire::Served;

/// How long the whole suite may take against a debug build before the test gives up.
const DEADLINE: Duration = Duration::from_secs(600);

/// The extracted moto source tree that `scripts/moto-suite.sh --setup` left under target/.
fn suite(root: &Path) -> PathBuf {
    std::fs::read_dir(root.join("target/moto-suite"))
        .expect("build.rs found target/moto-suite")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("moto-"))
                && p.join("tests/test_s3/test_s3_encryption.py").exists()
        })
        .expect("build.rs found moto's tests")
}

#[test]
#[cfg_attr(
    not(kf_moto),
    ignore = "skipped: moto's tests are not prepared (run scripts/moto-suite.sh --setup)"
)]
fn motos_kms_and_s3_encryption_tests_pass_against_serve_or_are_allow_listed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let py = env!("KEYFORM_TOOL_MOTO");
    let suite = suite(root);
    let t = Test::new();
    let s = Served::start(&t, &["-auth=lenient"]);
    let mut child = Command::new(py)
        .arg(root.join("tests/clients/moto_suite.py"))
        .arg("--suite")
        .arg(&suite)
        .arg("--endpoint")
        .arg(format!("http://{}", s.addr))
        .arg("--label")
        .arg("keyform")
        .arg("--allowlist")
        .arg(root.join("scripts/moto-allowlist.txt"))
        .arg("--report")
        .arg(t.path().join("outcomes.json"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the moto suite");
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for the moto suite") {
            break st;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("moto's tests did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    eprintln!("{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        status.success() && last.starts_with("keyform: ") && last.ends_with(" 0 unexpected)"),
        "moto's tests against keyform serve: a failure off the allow-list, or a stale allow-list line:\n{stdout}\n{stderr}"
    );
}
