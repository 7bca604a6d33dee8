//! Malformed configurations, each asserted on its exact rendered message.
//!
//! Every directory under `tests/fixtures/invalid/` holds a `main.tf` and the `expected.txt`
//! standard error of keyform on it: summary, `--> main.tf:LINE:COL`, the source line, the caret
//! line and the detail. By default both `keyform validate` and `keyform plan` must print exactly
//! that and exit 1 (bad configuration is caught before anything is applied); an `args` file (one
//! argument per line) runs that command line instead. Run with `KEYFORM_BLESS=1` to rewrite the
//! expected files after an intended wording change, then review the diff.

use std::path::Path;

use crate::support::{Test, fixtures_dir};

fn command_lines(dir: &Path) -> Vec<Vec<String>> {
    match std::fs::read_to_string(dir.join("args")) {
        Ok(text) => vec![text.lines().map(str::to_string).collect()],
        Err(_) => vec![vec!["validate".into()], vec!["plan".into()]],
    }
}

#[test]
fn every_malformed_configuration_gets_its_exact_message_and_exit_1() {
    let root = fixtures_dir().join("invalid");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/fixtures/invalid")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 20,
        "expected at least 20 malformed configurations, found {}",
        cases.len()
    );
    let bless = std::env::var_os("KEYFORM_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        let t = Test::fixture(&format!("invalid/{name}"));
        let expected_path = case.join("expected.txt");
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        for args in command_lines(case) {
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = t.run(&argv);
            if bless && r.code == 1 {
                std::fs::write(&expected_path, &r.stderr).expect("bless expected.txt");
                continue;
            }
            if r.code != 1 || r.stderr != expected {
                failures.push(format!(
                    "== {name}: keyform {} exited {}\n--- expected stderr\n{expected}--- actual stderr\n{}--- stdout\n{}",
                    args.join(" "),
                    r.code,
                    r.stderr,
                    r.stdout
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
