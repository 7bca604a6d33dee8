//! `keyform grade`: a class of submissions graded in parallel into a gradebook CSV and one JUnit
//! report each, identical on re-run, each within a time limit.

use crate::grade_test::{check_junit, timeless};
use crate::support::Test;

#[test]
fn grades_a_class_into_a_gradebook_and_junit_reports() {
    let t = Test::fixture("grade");
    t.run(&["grade", "-lab=lab", "-out=grades", "submissions"])
        .success()
        .stdout_has("broken: 2/3\ngood: 3/3\nsyntax: 0/3 (configuration error: main.tf:")
        .stdout_has("Graded 3 submissions");
    let csv = t.read("grades/gradebook.csv");
    let syntax = csv.lines().nth(3).unwrap_or_default();
    assert!(
        syntax.starts_with("syntax,configuration error,main.tf:")
            && syntax.ends_with(",0,3,provision;uploads_use_the_lab_key,error,error"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().take(3).collect::<Vec<_>>(),
        [
            "submission,status,detail,score,total,failed_runs,provision,uploads_use_the_lab_key",
            "broken,graded,,2,3,provision,fail,pass",
            "good,graded,,3,3,,pass,pass"
        ]
    );
    assert_eq!(
        check_junit(&t.read("grades/good.xml")),
        [
            ("provision".to_string(), "pass".to_string()),
            ("uploads_use_the_lab_key".to_string(), "pass".to_string())
        ]
    );
    assert_eq!(
        check_junit(&t.read("grades/broken.xml"))[0].1,
        "failure: rotation must be enabled on the lab key"
    );
    assert!(
        check_junit(&t.read("grades/syntax.xml"))
            .iter()
            .all(|(_, o)| o.starts_with("error: the configuration could not be loaded"))
    );
    let files = [
        "gradebook.csv",
        "summary.csv",
        "report.html",
        "gradebook.json",
        "good.xml",
        "broken.xml",
        "syntax.xml",
    ];
    let reports: Vec<String> = files
        .iter()
        .map(|f| timeless(&t.read(&format!("grades/{f}"))))
        .collect();
    // One worker or many, the reports are the same bytes.
    t.run(&[
        "grade",
        "-lab=lab",
        "-out=grades",
        "-parallelism=1",
        "submissions",
    ])
    .success();
    for (f, before) in files.iter().zip(&reports) {
        assert_eq!(
            &timeless(&t.read(&format!("grades/{f}"))),
            before,
            "{f} changed on re-run"
        );
    }
    // Grading never leaves a world behind in a submission.
    for s in ["good", "broken", "syntax"] {
        assert!(
            !t.path()
                .join("submissions")
                .join(s)
                .join(".keyform")
                .exists()
        );
    }
}

#[test]
fn a_submission_over_the_time_limit_is_an_error_not_a_hang() {
    let t = Test::fixture("grade");
    // Enough runs that no submission can finish within the limit.
    let mut tests = t.read("lab/tests/main.tftest.hcl");
    for i in 0..300 {
        tests.push_str(&format!("run \"r{i}\" {{\n  command = plan\n}}\n"));
    }
    t.write("lab/tests/main.tftest.hcl", &tests);
    t.run(&[
        "grade",
        "-lab=lab",
        "-out=out",
        "-timeout=1ms",
        "submissions",
    ])
    .success()
    .stdout_has("broken: 0/303 (timed out: -timeout=1ms)\ngood: 0/303 (timed out: -timeout=1ms)\n");
    let csv = t.read("out/gradebook.csv");
    let good = csv.lines().nth(2).unwrap_or_default();
    assert!(
        good.starts_with(
            "good,timed out,-timeout=1ms,0,303,provision;uploads_use_the_lab_key;r0;r1;"
        ),
        "{csv}"
    );
    assert_eq!(
        check_junit(&t.read("out/good.xml"))[0].1,
        "error: timed out: -timeout=1ms"
    );
}

#[test]
fn grade_usage_errors() {
    let t = Test::fixture("grade");
    t.run(&["grade", "-lab=submissions", "submissions"])
        .status(1)
        .stderr_has("Error: Invalid -lab");
    t.run(&["grade", "-lab=lab", "-timeout=soon", "submissions"])
        .status(1)
        .stderr_has("Error: Invalid -timeout");
    t.run(&["grade", "-lab=lab", "lab/tests"])
        .status(1)
        .stderr_has("Error: No submissions");
}

#[test]
fn grade_takes_a_bundled_lab_by_name() {
    let t = Test::new();
    let solution = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/labs/kms-access-control/main.tf"
    ))
    .unwrap();
    t.write("class/alice/main.tf", &solution);
    t.run(&["lab", "start", "kms-access-control", "class/bob"])
        .success();
    t.run(&["grade", "-lab=kms-access-control", "-out=grades", "class"])
        .success()
        .stdout_has("Graded 2 submissions");
    let csv = t.read("grades/gradebook.csv");
    let score = |who: &str| -> (u32, u32) {
        let row = csv.lines().find(|l| l.starts_with(who)).expect(who);
        let f: Vec<&str> = row.split(',').collect();
        (f[3].parse().unwrap(), f[4].parse().unwrap())
    };
    let (alice, total) = score("alice,");
    assert_eq!(
        alice, total,
        "the reference solution scores full marks:\n{csv}"
    );
    assert_eq!(score("bob,").0, 0, "an untouched starter scores 0:\n{csv}");
    // What graded the class is kept beside the gradebook.
    assert!(
        t.path()
            .join("grades/lab/kms-access-control/tests/access_control.tftest.hcl")
            .is_file()
    );
    t.run(&["grade", "-lab=kms-acces-control", "class"])
        .status(1)
        .stderr_has("or a bundled lab (see keyform lab list)");
}

/// A class with every kind of submission: graded, a nested solution, nothing, and one missing
/// the premise of a check.
fn class() -> Test {
    let t = Test::fixture("grade");
    let good = t.read("submissions/good/main.tf");
    t.write("submissions/nested/lab-1/main.tf", &good);
    t.write("submissions/empty/README.md", "I could not finish.\n");
    // No KMS key at all: the check that reads it is not graded; what needs it says so once.
    let nokey = good
        .split("resource \"aws_kms_key\" \"lab\"")
        .next()
        .unwrap_or_default()
        .to_string();
    t.write("submissions/nokey/main.tf", &nokey);
    t
}

#[test]
fn the_gradebook_says_why_each_submission_scored_what_it_did() {
    let t = class();
    let out = t
        .run(&["grade", "-lab=lab", "-out=grades", "submissions"])
        .success();
    let out = out
        .stdout_has("empty: 0/3 (no configuration: no .tf files in it)\n")
        .stdout_has(
            "nested: 0/3 (nested solution directory: its .tf files are in lab-1/, not at its top: move them up to be graded)\n",
        )
        .stdout_has("\nClass summary (6 submissions):\n  provision                1/6 passed, 3 not graded\n  uploads_use_the_lab_key  2/6 passed, 2 not graded\n");
    drop(out);
    let csv = t.read("grades/gradebook.csv");
    let row = |who: &str| -> String {
        csv.lines()
            .find(|l| l.starts_with(&format!("{who},")))
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        row("empty"),
        "empty,no configuration,no .tf files in it,0,3,provision;uploads_use_the_lab_key,not graded,not graded"
    );
    assert!(
        row("nested").starts_with("nested,nested solution directory,\"its .tf files are in lab-1/")
    );
    assert_eq!(
        row("nokey"),
        "nokey,graded,,0,3,provision;uploads_use_the_lab_key,not graded: needs aws_kms_key.lab,fail"
    );
    assert_eq!(
        t.read("grades/summary.csv"),
        "check,points,passed,failed,not_graded,submissions\nprovision,1,1,2,3,6\nuploads_use_the_lab_key,2,2,2,2,6\n"
    );
    let html = t.read("grades/report.html");
    assert!(html.contains("<h2>Class summary</h2>"));
    assert_eq!(html.matches("class=\"bar\"").count(), 2);
    assert!(html.contains("title=\"needs aws_kms_key.lab\">– not graded</td>"));
    // The JUnit report skips what was not graded, and says why.
    assert_eq!(
        check_junit(&t.read("grades/nokey.xml"))[0],
        (
            "provision".to_string(),
            "not graded: needs aws_kms_key.lab".to_string()
        )
    );
    assert!(
        check_junit(&t.read("grades/empty.xml"))
            .iter()
            .all(|(_, o)| o == "not graded: no configuration: no .tf files in it")
    );
}

#[test]
fn fail_under_fails_ci_when_a_submission_scores_below_it() {
    let t = Test::fixture("grade");
    // broken scores 2/3 (66%), syntax 0/3.
    t.run(&[
        "grade",
        "-lab=lab",
        "-out=g",
        "-fail-under=60",
        "submissions",
    ])
    .status(1)
    .stdout_has("Failure! 1 submission under -fail-under=60%: syntax (0%)");
    std::fs::remove_dir_all(t.path().join("submissions/syntax")).unwrap();
    t.run(&[
        "grade",
        "-lab=lab",
        "-out=g",
        "-fail-under=60",
        "submissions",
    ])
    .success();
    t.run(&[
        "grade",
        "-lab=lab",
        "-out=g",
        "-fail-under=67",
        "submissions",
    ])
    .status(1)
    .stdout_has("under -fail-under=67%: broken (66%)");
    t.run(&["grade", "-lab=lab", "-fail-under=101", "submissions"])
        .status(1)
        .stderr_has("-fail-under");
}

#[test]
fn shards_graded_apart_merge_into_the_class_gradebook() {
    let t = class();
    t.run(&["grade", "-lab=lab", "-out=whole", "submissions"])
        .success();
    for i in 1..=3 {
        let shard = format!("-shard={i}/3");
        let out = format!("-out=part{i}");
        t.run(&["grade", "-lab=lab", &out, &shard, "submissions"])
            .success()
            .stdout_has("Class summary (2 submissions)");
    }
    t.run(&["grade", "merge", "-out=merged", "part3", "part1", "part2"])
        .success()
        .stdout_has("Class summary (6 submissions)");
    for f in ["gradebook.csv", "summary.csv", "report.html"] {
        assert_eq!(
            t.read(&format!("merged/{f}")),
            t.read(&format!("whole/{f}")),
            "{f}"
        );
    }
    // Every submission's JUnit report is beside the merged gradebook.
    for s in ["broken", "empty", "good", "nested", "nokey", "syntax"] {
        assert_eq!(
            timeless(&t.read(&format!("merged/{s}.xml"))),
            timeless(&t.read(&format!("whole/{s}.xml"))),
            "{s}"
        );
    }
    t.run(&["grade", "merge", "-out=m", "part1", "part2"])
        .status(1)
        .stderr_has("Error: Incomplete shards")
        .stderr_has("missing shard 3 of 3");
    t.run(&["grade", "merge", "-out=m", "part1", "part1", "part2"])
        .status(1)
        .stderr_has("Error: Submission graded twice");
    t.run(&["grade", "merge", "-out=m", "nowhere"])
        .status(1)
        .stderr_has("Error: Cannot read a gradebook");
    t.run(&["grade", "-lab=lab", "-shard=4/3", "submissions"])
        .status(1)
        .stderr_has("Error: Invalid -shard");
}

/// labs/ci/grade-submission.yml's keyform commands, run as the workflow runs them (each shard of
/// the matrix, then the merge) on a class: they work as shipped.
#[test]
fn the_class_workflow_grades_shards_and_merges_them_as_shipped() {
    let yml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/labs/ci/grade-submission.yml"
    ))
    .unwrap();
    assert!(!yml.contains("your-org"), "no placeholder to edit");
    let env = |name: &str| -> String {
        let line = yml
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name}:")))
            .unwrap_or_else(|| panic!("env {name}"));
        let v = line.split_once(':').unwrap().1;
        v.split('#').next().unwrap().trim().to_string()
    };
    let shards: usize = env("SHARDS").parse().unwrap();
    let matrix: Vec<usize> = (1..=shards).collect();
    assert!(
        yml.contains(&format!("shard: {matrix:?}")),
        "the matrix lists shards 1..={shards}"
    );
    let commands: Vec<&str> = yml
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("bin/keyform "))
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    let t = class();
    let args = |cmd: &str, shard: usize| -> Vec<String> {
        let parts: Vec<String> = (1..=shards).map(|i| format!("grades-{i}")).collect();
        cmd.replace("${{ matrix.shard }}", &shard.to_string())
            .replace("$SHARDS", &shards.to_string())
            .replace("\"$LAB\"", "lab")
            .replace("\"$SUBMISSIONS\"", "submissions")
            .replace("\"$FAIL_UNDER\"", &env("FAIL_UNDER"))
            .replace("grades-*", &parts.join(" "))
            .split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    for shard in 1..=shards {
        let a = args(commands[0], shard);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        t.run(&a).success();
    }
    let a = args(commands[1], 0);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    t.run(&a)
        .success()
        .stdout_has("Class summary (6 submissions)");
    for f in ["gradebook.csv", "summary.csv", "report.html", "good.xml"] {
        assert!(t.path().join("grades").join(f).is_file(), "{f}");
    }
}
