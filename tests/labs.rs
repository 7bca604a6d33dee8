//! The bundled labs: each reference solution passes all its runs, each starter fails with the
//! expected messages, and grading is sharp: the solution with one goal broken (the unified diff
//! tests/fixtures/labs/<lab>/<break>/break.diff, applied to labs/<lab>/main.tf at test time, so a
//! fixture never goes stale when the solution changes) fails exactly the runs listed beside it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::Test;

fn labs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("labs")
}

fn lab_names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(labs_dir())
        .expect("labs dir")
        .flatten()
        .filter(|e| e.path().join("main.tf").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs the lab's tests against `config` (a main.tf text) beside the `modules/` of `from`
/// (the lab or its starter, for labs that have the learner write a module); returns (exit,
/// failed runs, stdout).
fn grade(lab: &str, config: &str, from: &Path) -> (i32, BTreeSet<String>, String) {
    let t = Test::new().file("main.tf", config);
    copy_modules(&from.join("modules"), &t.path().join("modules"));
    let tests = labs_dir().join(lab).join("tests");
    let json = t.run(&[
        "test",
        &format!("-test-directory={}", tests.display()),
        "-json",
    ]);
    let mut failed = BTreeSet::new();
    for line in json.stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or(serde_json::Value::Null);
        if v["type"] == "run_finished" && v["status"] != "pass" {
            let file = v["file"]
                .as_str()
                .unwrap_or("")
                .trim_start_matches("tests/");
            failed.insert(format!("{file}:{}", v["run"].as_str().unwrap_or("")));
        }
    }
    let human = t.run(&["test", &format!("-test-directory={}", tests.display())]);
    (json.code, failed, human.stdout)
}

fn copy_modules(src: &Path, dst: &Path) {
    let Ok(entries) = std::fs::read_dir(src) else {
        return;
    };
    std::fs::create_dir_all(dst).expect("mkdir modules");
    for e in entries.flatten() {
        let to = dst.join(e.file_name());
        if e.path().is_dir() {
            copy_modules(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), to).expect("copy module file");
        }
    }
}

/// The lab's solution with the fixture's break.diff applied; a diff that no longer applies
/// fails the test and names the fixture, so the fixture is updated with the solution.
fn broken_solution(lab: &str, fixture: &Path) -> String {
    let solution =
        std::fs::read_to_string(labs_dir().join(lab).join("main.tf")).expect("lab main.tf");
    let diff_path = fixture.join("break.diff");
    let diff = std::fs::read_to_string(&diff_path)
        .unwrap_or_else(|e| panic!("{}: {e}", diff_path.display()));
    let patch = diffy::Patch::from_str(&diff)
        .unwrap_or_else(|e| panic!("{}: not a unified diff: {e}", diff_path.display()));
    let broken = diffy::apply(&solution, &patch).unwrap_or_else(|e| {
        panic!(
            "{} no longer applies to labs/{lab}/main.tf ({e}): regenerate it with \
             `diff -u labs/{lab}/main.tf <broken copy>`",
            diff_path.display()
        )
    });
    assert_ne!(broken, solution, "{}: changes nothing", diff_path.display());
    broken
}

#[test]
fn every_lab_has_readme_solution_starter_and_tests() {
    let labs = lab_names();
    assert_eq!(
        labs,
        [
            "aerosecure-sse-kms",
            "cloudtrail-key-monitoring",
            "envelope-encryption-cloudtrail",
            "kms-access-control",
            "lab-key-rotation",
            "secure-bucket-module"
        ]
    );
    for lab in labs {
        let d = labs_dir().join(&lab);
        for f in ["README.md", "main.tf", "starter/main.tf"] {
            assert!(d.join(f).is_file(), "{lab} lacks {f}");
        }
        let tests: Vec<_> = std::fs::read_dir(d.join("tests"))
            .expect("tests dir")
            .flatten()
            .collect();
        assert!(
            tests
                .iter()
                .any(|e| e.file_name().to_string_lossy().ends_with(".tftest.hcl")),
            "{lab} has no tests"
        );
    }
}

#[test]
fn every_reference_solution_passes_all_its_runs() {
    for lab in lab_names() {
        let t = Test::lab(&lab);
        let r = t.run(&["test"]);
        assert_eq!(r.code, 0, "{lab} solution fails:\n{}", r.stdout);
        assert!(r.stdout.contains(", 0 failed."), "{lab}: {}", r.stdout);
        assert!(
            !t.path().join(".keyform").exists(),
            "keyform test must not create .keyform/"
        );
    }
}

#[test]
fn every_starter_fails_with_helpful_messages() {
    for lab in lab_names() {
        let starter = std::fs::read_to_string(labs_dir().join(&lab).join("starter/main.tf"))
            .expect("starter");
        let (code, failed, stdout) = grade(&lab, &starter, &labs_dir().join(&lab).join("starter"));
        assert_eq!(code, 1, "{lab} starter passes:\n{stdout}");
        assert!(!failed.is_empty());
        let expected = labs_dir()
            .join("..")
            .join("tests/fixtures/labs")
            .join(&lab)
            .join("starter_messages.txt");
        let expected = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{} missing", expected.display()));
        for line in expected.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                stdout.contains(line),
                "{lab} starter output lacks {line:?}:\n{stdout}"
            );
        }
    }
}

#[test]
fn breaking_one_goal_fails_exactly_the_runs_that_grade_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/labs");
    let mut checked = 0;
    for lab in lab_names() {
        let Ok(entries) = std::fs::read_dir(root.join(&lab)) else {
            continue;
        };
        let mut breaks: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        breaks.sort();
        for b in breaks {
            let config = broken_solution(&lab, &b);
            let expected: BTreeSet<String> = std::fs::read_to_string(b.join("failing_runs.txt"))
                .expect("failing_runs.txt")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            let (code, failed, stdout) = grade(&lab, &config, &labs_dir().join(&lab));
            assert_eq!(
                code,
                1,
                "{}: breaking this goal must fail the grade",
                b.display()
            );
            assert_eq!(
                failed,
                expected,
                "{}: wrong runs failed\n{stdout}",
                b.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} goal-breaking fixtures");
}

#[test]
fn every_bundled_lab_is_formatted_as_terraform_fmt_writes_it() {
    let r = Test::new().run(&[
        "fmt",
        "-check",
        "-recursive",
        &labs_dir().display().to_string(),
    ]);
    assert_eq!(
        r.code, 0,
        "files under labs/ need `keyform fmt -recursive labs`:\n{}{}",
        r.stdout, r.stderr
    );
}
