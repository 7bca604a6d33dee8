//! Embeds the bundled labs (README, starter and tests, never the reference `main.tf`) into the
//! binary, so `keyform lab start NAME` works from an installed keyform; and probes for the
//! outside programs some integration tests drive (see `probe_tools`).

use std::fmt::Write as _;
use std::path::Path;

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            collect(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.push((rel, p.to_string_lossy().into_owned()));
        }
    }
}

/// An outside program (or prepared environment) that some integration tests need.
struct Tool {
    /// `cfg(kf_NAME)` is set when it is present; tests carry
    /// `#[cfg_attr(not(kf_NAME), ignore = "skipped: ...")]`, so a missing tool makes them
    /// *ignored*, with the reason, never passed.
    cfg: &'static str,
    /// What to install, for the message.
    hint: &'static str,
    /// The program (absolute path or a name found on PATH) and the arguments that must exit 0.
    found: Option<String>,
}

fn runs(program: &str, args: &[&str]) -> bool {
    std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn first_that_runs(candidates: &[String], args: &[&str]) -> Option<String> {
    candidates
        .iter()
        .find(|c| !c.is_empty() && runs(c, args))
        .cloned()
}

/// A program name's absolute path on PATH (the name itself when it has a `/` or is not found).
fn on_path(name: &str) -> String {
    if name.contains('/') {
        return name.to_string();
    }
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|f| f.is_file())
        })
        .map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned())
}

/// The packages tests/clients/js/package.json pins, each of which the JS SDK tests load.
const JS_PACKAGES: [&str; 7] = [
    "@aws-sdk/client-cloudtrail",
    "@aws-sdk/client-iam",
    "@aws-sdk/client-kms",
    "@aws-sdk/client-s3",
    "@aws-sdk/client-sts",
    "@aws-sdk/lib-storage",
    "@aws-sdk/s3-request-presigner",
];

/// Finds the programs the client, browser and interop tests need. Each is reported to the
/// tests as `cfg(kf_*)` plus `KEYFORM_TOOL_*` (its path). With `KEYFORM_REQUIRE_TOOLS=1` (what
/// `.ci/run` sets after installing them) a missing one fails the build, so CI can never count
/// a skipped test as run.
fn probe_tools() {
    for v in ["KEYFORM_PYTHON", "KEYFORM_REQUIRE_TOOLS", "PATH"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    // Installing a tool changes one of these; the install scripts also touch the stamp.
    let stamp = Path::new("target/tools.stamp");
    if !stamp.exists() {
        let _ = std::fs::create_dir_all("target");
        let _ = std::fs::write(stamp, b"");
    }
    println!("cargo:rerun-if-changed=target/tools.stamp");
    let root = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let venv_python = format!("{root}/target/ci-venv/bin/python");
    let pythons = [
        std::env::var("KEYFORM_PYTHON").unwrap_or_default(),
        venv_python,
        "python3".to_string(),
    ];
    let moto_python = format!("{root}/target/moto-venv/bin/python");
    let moto_ready = std::fs::read_dir(format!("{root}/target/moto-suite"))
        .map(|d| {
            d.flatten().any(|e| {
                e.file_name().to_string_lossy().starts_with("moto-")
                    && e.path()
                        .join("tests/test_s3/test_s3_encryption.py")
                        .exists()
            })
        })
        .unwrap_or(false);
    // The browser tests drive Chromium through chromedriver (WebDriver); both must run.
    let chromium = first_that_runs(
        &[
            "chromium".into(),
            "chromium-browser".into(),
            "google-chrome".into(),
        ],
        &["--version"],
    );
    let chromedriver = first_that_runs(&["chromedriver".into()], &["--version"]);
    // The JS SDK tests run node on the packages `.ci/install-node` put under target/js-clients.
    let js_modules = format!("{root}/target/js-clients");
    let js_probe = format!(
        "for (const p of {JS_PACKAGES:?}) require(require('path').join({js_modules:?}, 'node_modules', p))"
    );
    let node = first_that_runs(&["node".into()], &["-e", &js_probe]).map(|n| on_path(&n));
    // The AWS SDK for Rust client `.ci/install-rust-sdk` builds (tests/clients/rust-sdk).
    let rust_sdk = format!("{root}/target/rust-sdk/debug/keyform-rust-sdk-story");
    let tools = [
        Tool {
            cfg: "boto3",
            hint: "a Python with boto3, botocore and awscli (.ci/install-clients, or set KEYFORM_PYTHON)",
            found: first_that_runs(&pythons, &["-c", "import boto3, botocore, awscli"]),
        },
        Tool {
            cfg: "moto",
            hint: "moto's test suite (scripts/moto-suite.sh --setup)",
            found: (moto_ready
                && runs(
                    &moto_python,
                    &["-c", "import moto, pytest, freezegun, boto3"],
                ))
            .then_some(moto_python),
        },
        Tool {
            cfg: "terraform",
            hint: "the terraform CLI on PATH",
            found: first_that_runs(&["terraform".into()], &["version"]),
        },
        Tool {
            cfg: "openssl",
            hint: "the openssl CLI on PATH",
            found: first_that_runs(&["openssl".into()], &["version"]),
        },
        Tool {
            cfg: "js_sdk",
            hint: "node 20+ with the AWS SDK for JavaScript v3 (.ci/install-node)",
            found: node,
        },
        Tool {
            cfg: "rust_sdk",
            hint: "the AWS SDK for Rust client (.ci/install-rust-sdk)",
            found: Path::new(&rust_sdk).is_file().then_some(rust_sdk),
        },
        Tool {
            cfg: "chromium",
            hint: "Chromium and its WebDriver (.ci/install-browser: Debian's chromium and chromium-driver)",
            found: chromium.as_ref().and(chromedriver),
        },
    ];
    // chromedriver wants the browser's absolute path.
    println!(
        "cargo::rustc-env=KEYFORM_TOOL_CHROMIUM_BROWSER={}",
        chromium.as_deref().map(on_path).unwrap_or_default()
    );
    println!("cargo::rustc-env=KEYFORM_TOOL_JS_SDK_MODULES={js_modules}");
    let mut missing = Vec::new();
    for t in &tools {
        println!("cargo::rustc-check-cfg=cfg(kf_{})", t.cfg);
        let var = format!("KEYFORM_TOOL_{}", t.cfg.to_uppercase());
        match &t.found {
            Some(path) => {
                println!("cargo::rustc-cfg=kf_{}", t.cfg);
                println!("cargo::rustc-env={var}={path}");
            }
            None => {
                println!("cargo::rustc-env={var}=");
                missing.push(t.hint);
            }
        }
    }
    if std::env::var("KEYFORM_REQUIRE_TOOLS").is_ok_and(|v| v == "1") && !missing.is_empty() {
        panic!(
            "KEYFORM_REQUIRE_TOOLS=1 but these are missing, so their tests would be skipped: {}",
            missing.join("; ")
        );
    }
}

fn main() {
    probe_tools();
    let labs = Path::new("labs");
    println!("cargo:rerun-if-changed=labs");
    let mut code = String::from(
        "/// (lab name, [(relative path, contents)]) of every bundled lab.\npub(crate) static LABS: &[(&str, &[(&str, &str)])] = &[\n",
    );
    let mut names: Vec<_> = std::fs::read_dir(labs)
        .map(|r| r.flatten().filter(|e| e.path().is_dir()).collect())
        .unwrap_or_default();
    // A lab is a directory with a reference solution (labs/ci holds the CI workflow).
    names.retain(|e| e.path().join("main.tf").is_file());
    names.sort_by_key(|e| e.file_name());
    for lab in names {
        let lab_dir = lab.path();
        let name = lab.file_name().to_string_lossy().into_owned();
        let mut files = Vec::new();
        let readme = lab_dir.join("README.md");
        if readme.is_file() {
            files.push((
                "README.md".to_string(),
                readme.to_string_lossy().into_owned(),
            ));
        }
        // The starter becomes the learner's working directory; tests come along to grade it.
        let mut starter = Vec::new();
        collect(
            &lab_dir.join("starter"),
            &lab_dir.join("starter"),
            &mut starter,
        );
        files.extend(starter);
        let mut tests = Vec::new();
        collect(&lab_dir.join("tests"), &lab_dir.join("tests"), &mut tests);
        files.extend(tests.into_iter().map(|(r, p)| (format!("tests/{r}"), p)));
        let _ = writeln!(code, "    ({name:?}, &[");
        for (rel, path) in files {
            let abs = std::fs::canonicalize(&path)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or(path);
            let _ = writeln!(code, "        ({rel:?}, include_str!({abs:?})),");
        }
        code.push_str("    ]),\n");
    }
    code.push_str("];\n");
    let out =
        std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("labs.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo:warning=could not write {}: {e}", out.display());
    }
}
