//! Hostile input: a corpus of malformed and malicious inputs (tests/fixtures/hostile/, plus a
//! few generated here because they are large), each run in the real binary under a memory and
//! CPU limit (`ulimit -v`, `ulimit -t`), each expected to exit normally with its exact exit code
//! and a clear message (or to succeed where the input is valid). Killed by a limit, a panic or
//! a stack overflow all fail the test.
//!
//! A fixture directory holds the input files plus `cmd` (the arguments, one per line),
//! `expect` (`exit N`, then lines that must appear in the output) and optionally `setup`
//! (commands run first, without limits, one per line).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::keyform_bin;

/// Address space (KiB) and CPU seconds each hostile run may use: far above what any of these
/// inputs needs when handled properly, far below what an unbounded one would take.
const MEMORY_KIB: u64 = 1_500_000;
const CPU_SECONDS: u64 = 30;

struct Case {
    name: String,
    files: Vec<(PathBuf, Vec<u8>)>,
    setup: Vec<Vec<String>>,
    args: Vec<String>,
    code: i32,
    expect: Vec<String>,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn read_files(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let rel = p.strip_prefix(root).unwrap().to_path_buf();
        if p.is_dir() {
            read_files(root, &p, out);
        } else if !["cmd", "expect", "setup"].contains(&rel.to_str().unwrap()) {
            out.push((rel, std::fs::read(&p).unwrap()));
        }
    }
}

fn fixture_cases() -> Vec<Case> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let dir = fixture_dir().join(&name);
            let text = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
            let expect = text("expect");
            let mut lines = expect.lines();
            let code = lines
                .next()
                .and_then(|l| l.strip_prefix("exit "))
                .and_then(|c| c.parse().ok())
                .unwrap_or_else(|| panic!("{name}: expect must start with `exit N`"));
            let mut files = Vec::new();
            read_files(&dir, &dir, &mut files);
            Case {
                setup: text("setup")
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.split_whitespace().map(str::to_string).collect())
                    .collect(),
                args: text("cmd").lines().map(str::to_string).collect(),
                expect: lines.map(str::to_string).collect(),
                code,
                files,
                name,
            }
        })
        .collect()
}

fn case(name: &str, files: &[(&str, String)], args: &[&str], code: i32, expect: &[&str]) -> Case {
    Case {
        name: name.to_string(),
        files: files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.clone().into_bytes()))
            .collect(),
        setup: Vec::new(),
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        expect: expect.iter().map(|s| s.to_string()).collect(),
    }
}

/// Inputs too large to keep as files.
fn generated_cases() -> Vec<Case> {
    let chain = |n: usize, f: &dyn Fn(usize) -> String| {
        let mut s = String::from("locals {\n  a0 = 0\n");
        for i in 1..n {
            s.push_str(&format!("  a{i} = {}\n", f(i)));
        }
        s.push_str(&format!(
            "}}\n\noutput \"o\" {{\n  value = local.a{}\n}}\n",
            n - 1
        ));
        s
    };
    let deep = 100_000;
    let statements: Vec<String> = (0..5000)
        .map(|i| format!(r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"kms:*","Resource":"*"}}"#))
        .collect();
    vec![
        case(
            "a chain of 20000 locals",
            &[("main.tf", chain(20_000, &|i| format!("local.a{} + 1", i - 1)))],
            &["plan"],
            0,
            &["+ o = 19999"],
        ),
        case(
            "a value nested 20000 levels through locals",
            &[("main.tf", chain(20_000, &|i| format!("[local.a{}]", i - 1)))],
            &["plan"],
            1,
            &["Error: Value too large", "nested more than 128 levels deep"],
        ),
        case(
            "a cycle through 5000 locals",
            &[(
                "main.tf",
                chain(5000, &|i| format!("local.a{} + 1", i - 1))
                    .replace("a0 = 0", "a0 = local.a4999"),
            )],
            &["validate"],
            1,
            &["Error: Cycle: local.a0, local.a1, local.a10,", "refer to each other in a loop"],
        ),
        case(
            "jsondecode of JSON nested 100000 levels",
            &[(
                "main.tf",
                format!(
                    "output \"o\" {{\n  value = jsondecode(\"{}{}\")\n}}\n",
                    "[".repeat(deep),
                    "]".repeat(deep)
                ),
            )],
            &["plan"],
            1,
            &["JSON nested more than 128 levels deep is not supported"],
        ),
        case(
            "100000 chained additions",
            &[("main.tf", format!("locals {{\n  x = 1{}\n}}\n", "+1".repeat(100_000)))],
            &["validate"],
            1,
            &["Error: Invalid HCL syntax", "at most 128 chained binary operators"],
        ),
        case(
            "a 16 MiB string literal",
            &[(
                "main.tf",
                format!(
                    "locals {{\n  x = \"{}\"\n}}\n\noutput \"o\" {{\n  value = length(local.x)\n}}\n",
                    "s".repeat(16 << 20)
                ),
            )],
            &["plan"],
            0,
            &["+ o = 16777216"],
        ),
        case(
            "a configuration file over 64 MiB",
            &[("main.tf", format!("# {}\n", "x".repeat(65 << 20)))],
            &["validate"],
            1,
            &["Error: Configuration file too large", "main.tf is 68157443 bytes"],
        ),
        case(
            "20000 duplicate attributes",
            &[("main.tf", format!("locals {{\n{}}}\n", "  x = 1\n".repeat(20_000)))],
            &["validate"],
            1,
            &["Error: Attribute redefined", "main.tf:3:3"],
        ),
        case(
            "5000 resources",
            &[(
                "main.tf",
                (0..5000)
                    .map(|i| format!("resource \"aws_iam_user\" \"u{i}\" {{\n  name = \"user-{i}\"\n}}\n\n"))
                    .collect(),
            )],
            &["validate"],
            0,
            &["Success! The configuration is valid."],
        ),
        case(
            "a key policy of 5000 statements through sim",
            &[("policy.json", format!(r#"{{"Version":"2012-10-17","Statement":[{}]}}"#, statements.join(",")))],
            &["sim", "kms", "create-key", "--policy", "file://policy.json"],
            254,
            &["LimitExceededException", "exceeds the maximum size of 32768 bytes"],
        ),
        case(
            "a -var value of 100 KiB (near the OS limit for one argument)",
            &[(
                "main.tf",
                "variable \"v\" {\n  type = string\n}\n\noutput \"o\" {\n  value = length(var.v)\n}\n".into(),
            )],
            &["plan", &format!("-var=v={}", "v".repeat(100 << 10))],
            0,
            &["+ o = 102400"],
        ),
    ]
}

/// Runs one case; returns why it failed, if it did.
fn run(c: &Case) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in &c.files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    for s in &c.setup {
        let out = Command::new(keyform_bin())
            .args(s)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        if !out.status.success() {
            return Some(format!(
                "setup {s:?} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_KIB}; ulimit -t {CPU_SECONDS}; exec \"$0\" \"$@\""
        ))
        .arg(keyform_bin())
        .args(&c.args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("KEYFORM_AS")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let shown = || text.chars().take(1500).collect::<String>();
    let Some(code) = out.status.code() else {
        return Some(format!(
            "killed by a signal (memory or CPU limit, stack overflow or abort): {:?}\n{}",
            out.status,
            shown()
        ));
    };
    if text.contains("panicked") {
        return Some(format!("panicked\n{}", shown()));
    }
    if code != c.code {
        return Some(format!("exited {code}, expected {}\n{}", c.code, shown()));
    }
    for e in &c.expect {
        if !text.contains(e.as_str()) {
            return Some(format!("output lacks {e:?}\n{}", shown()));
        }
    }
    None
}

#[test]
fn every_hostile_input_gets_a_clear_answer_within_bounded_time_and_memory() {
    let mut cases = fixture_cases();
    cases.extend(generated_cases());
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run(c).map(|why| format!("== {}: {why}", c.name)))
        .collect();
    // Object keys that look like paths never become paths.
    for escaped in ["/tmp/keyform-escaped", "/tmp/keyform-escaped-sim"] {
        assert!(!Path::new(escaped).exists(), "{escaped} was written");
    }
    eprintln!("hostile inputs tried: {}", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} hostile inputs failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
