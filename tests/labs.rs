//! The bundled labs: each reference solution passes all its runs, each starter fails with the
//! expected messages, and grading is sharp: the solution with one goal broken (the unified diff
//! tests/fixtures/labs/<lab>/<break>/break.diff, applied to labs/<lab>/main.tf and its module
//! files at test time, so a fixture never goes stale when the solution changes) fails exactly
//! the runs listed beside it.

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
    grade_files(lab, &[("main.tf".to_string(), config.to_string())], from)
}

/// Grades `from`'s modules with `files` (paths in the lab) written over them.
fn grade_files(
    lab: &str,
    files: &[(String, String)],
    from: &Path,
) -> (i32, BTreeSet<String>, String) {
    let t = Test::new();
    copy_modules(&from.join("modules"), &t.path().join("modules"));
    for (path, text) in files {
        t.write(path, text);
    }
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

/// The lab's solution with the fixture's break.diff applied: (path in the lab, broken text)
/// for each file the diff patches (`--- labs/<lab>/main.tf`, `--- labs/<lab>/modules/x/main.tf`,
/// one unified diff after the other). A diff that no longer applies fails the test and names
/// the fixture, so the fixture is updated with the solution.
fn broken_solution(lab: &str, fixture: &Path) -> Vec<(String, String)> {
    let diff_path = fixture.join("break.diff");
    let diff = std::fs::read_to_string(&diff_path)
        .unwrap_or_else(|e| panic!("{}: {e}", diff_path.display()));
    let mut chunks: Vec<String> = Vec::new();
    for line in diff.split_inclusive('\n') {
        if line.starts_with("--- ") || chunks.is_empty() {
            chunks.push(String::new());
        }
        if let Some(c) = chunks.last_mut() {
            c.push_str(line);
        }
    }
    let prefix = format!("labs/{lab}/");
    let mut out = Vec::new();
    for chunk in chunks {
        let target = chunk
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("--- "))
            .map(|p| p.split('\t').next().unwrap_or(p).trim())
            .and_then(|p| p.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| {
                panic!(
                    "{}: each file's diff must start with --- {prefix}<path>",
                    diff_path.display()
                )
            })
            .to_string();
        let solution = std::fs::read_to_string(labs_dir().join(lab).join(&target))
            .unwrap_or_else(|e| panic!("{}: labs/{lab}/{target}: {e}", diff_path.display()));
        let patch = diffy::Patch::from_str(&chunk)
            .unwrap_or_else(|e| panic!("{}: not a unified diff: {e}", diff_path.display()));
        let broken = diffy::apply(&solution, &patch).unwrap_or_else(|e| {
            panic!(
                "{} no longer applies to labs/{lab}/{target} ({e}): regenerate it with \
                 `diff -u labs/{lab}/{target} <broken copy>`",
                diff_path.display()
            )
        });
        assert_ne!(broken, solution, "{}: changes nothing", diff_path.display());
        out.push((target, broken));
    }
    assert!(!out.is_empty(), "{}: patches no file", diff_path.display());
    out
}

#[test]
fn every_lab_has_readme_solution_starter_and_tests() {
    let labs = lab_names();
    assert_eq!(
        labs,
        [
            "aerosecure-sse-kms",
            "app-role-encryption-context",
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
            let files = broken_solution(&lab, &b);
            let expected: BTreeSet<String> = std::fs::read_to_string(b.join("failing_runs.txt"))
                .expect("failing_runs.txt")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            let mut files = files;
            if !files.iter().any(|(p, _)| p == "main.tf") {
                let main = std::fs::read_to_string(labs_dir().join(&lab).join("main.tf"))
                    .expect("lab main.tf");
                files.push(("main.tf".to_string(), main));
            }
            let (code, failed, stdout) = grade_files(&lab, &files, &labs_dir().join(&lab));
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

#[test]
fn every_lab_grades_sharply_by_lab_check() {
    for lab in lab_names() {
        let r = Test::new().run(&["lab", "check", &labs_dir().join(&lab).display().to_string()]);
        assert_eq!(r.code, 0, "{lab}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains("starter scores 0"), "{lab}: {}", r.stdout);
    }
}

#[test]
fn lab_check_names_a_graded_run_the_starter_passes() {
    let t = Test::new();
    t.run(&["lab", "new", "sharp-lab"]).success();
    // A starter that already meets goal 1 earns its point: the check must say which run.
    let starter = t.read("sharp-lab/starter/main.tf").replace(
        "  # TODO (goal 1): turn on automatic rotation.",
        "  enable_key_rotation = true",
    );
    t.write("sharp-lab/starter/main.tf", &starter);
    t.run(&["lab", "check", "sharp-lab"]).status(1).stdout_has(
        "the untouched starter earns 1 point(s) in tests/lab.tftest.hcl run \"rotation_is_on\"",
    );
}

#[test]
fn a_new_lab_passes_lab_check_and_is_formatted() {
    let t = Test::new();
    t.run(&["lab", "new", "my-kms-lab"])
        .success()
        .stdout_has("tests/lab.tftest.hcl");
    for f in [
        "README.md",
        "main.tf",
        "starter/main.tf",
        "tests/lab.tftest.hcl",
    ] {
        assert!(t.path().join("my-kms-lab").join(f).is_file(), "{f}");
    }
    t.run(&["lab", "check", "my-kms-lab"])
        .success()
        .stdout_has("solution: 3 passed, 0 failed, score 3/3")
        .stdout_has("score 0/3");
    t.run(&["fmt", "-check", "-recursive", "my-kms-lab"])
        .success();
    // Nothing of the trainer's is overwritten, and names must be directory- and alias-safe.
    t.run(&["lab", "new", "my-kms-lab"])
        .status(1)
        .stderr_has("Directory not empty");
    t.run(&["lab", "new", "My Lab"])
        .status(1)
        .stderr_has("Invalid lab name");
}

#[test]
fn lab_show_and_guide_print_from_the_binary() {
    let t = Test::new();
    t.run(&["lab", "show", "kms-access-control"])
        .success()
        .stdout_has("# Lab: KMS access control");
    t.run(&["lab", "show", "kms-acces-control"])
        .status(1)
        .stderr_has("Did you mean \"kms-access-control\"?");
    t.run(&["lab", "guide"])
        .success()
        .stdout_has("## Writing a lab")
        .stdout_has("expect_error");
}

/// The ```sh steps of a lab README as one bash script: the learner's completed work (the
/// reference solution) replaces the starter right after `keyform lab start`, and a step whose
/// comment says `# fails: CODE` must fail with that AWS error code.
fn readme_script(lab: &str) -> String {
    let readme = std::fs::read_to_string(labs_dir().join(lab).join("README.md")).unwrap();
    let mut steps = Vec::new();
    let mut inside = false;
    for line in readme.lines() {
        match line.trim_start() {
            l if l.starts_with("```sh") => inside = true,
            l if l.starts_with("```") => inside = false,
            l if inside && !l.is_empty() && !l.starts_with('#') => steps.push(l.to_string()),
            _ => {}
        }
    }
    assert!(!steps.is_empty(), "{lab}'s README has no ```sh steps");
    let solution = labs_dir().join(lab).join("main.tf");
    let mut script = String::from("set -u\n");
    for step in steps {
        let (command, comment) = match step.split_once(" #") {
            Some((c, rest)) => (c.trim().to_string(), rest.trim().to_string()),
            None => (step.trim().to_string(), String::new()),
        };
        let quoted = command.replace('\'', r"'\''");
        match comment.strip_prefix("fails:") {
            Some(rest) => {
                let code = rest.split_whitespace().next().expect("fails: CODE");
                script.push_str(&format!(
                    "if out=$( {command} 2>&1 ); then echo 'README step should fail with {code}: {quoted}'; exit 1; fi\n\
                     case \"$out\" in *'({code})'*) ;; *) echo 'README step did not fail with {code}: {quoted}'; echo \"$out\"; exit 1;; esac\n"
                ));
            }
            None => script.push_str(&format!(
                "{command} >/dev/null || {{ echo 'README step failed: {quoted}'; exit 1; }}\n"
            )),
        }
        if command.starts_with("keyform lab start") {
            script.push_str(&format!("cp '{}' main.tf\n", solution.display()));
            // A lab whose learner writes a module: the completed module too.
            let modules = labs_dir().join(lab).join("modules");
            if modules.is_dir() {
                script.push_str(&format!("cp -r '{}' .\n", modules.display()));
            }
        }
    }
    script
}

#[test]
fn every_lab_readme_runs_as_written() {
    let bin = Path::new(env!("CARGO_BIN_EXE_keyform")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for lab in lab_names() {
        let t = Test::new();
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(readme_script(&lab))
            .current_dir(t.path())
            .env("PATH", &path)
            .env_remove("KEYFORM_AS")
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{lab}'s README steps do not run as written:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
