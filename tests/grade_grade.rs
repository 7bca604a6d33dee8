//! `keyform grade`: a class of submissions graded in parallel into a gradebook CSV and one JUnit
//! report each, identical on re-run, each within a time limit.

use crate::grade_test::check_junit;
use crate::support::Test;

#[test]
fn grades_a_class_into_a_gradebook_and_junit_reports() {
    let t = Test::fixture("grade");
    t.run(&["grade", "-lab=lab", "-out=grades", "submissions"])
        .success()
        .stdout_has("broken: 2/3\ngood: 3/3\nsyntax: 0/3\n")
        .stdout_has("Graded 3 submissions");
    let csv = t.read("grades/gradebook.csv");
    assert_eq!(
        csv,
        "submission,score,total,failed_runs\nbroken,2,3,provision\ngood,3,3,\nsyntax,0,3,provision;uploads_use_the_lab_key\n"
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
    let reports: Vec<String> = ["gradebook.csv", "good.xml", "broken.xml", "syntax.xml"]
        .iter()
        .map(|f| t.read(&format!("grades/{f}")))
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
    for (f, before) in ["gradebook.csv", "good.xml", "broken.xml", "syntax.xml"]
        .iter()
        .zip(&reports)
    {
        assert_eq!(
            &t.read(&format!("grades/{f}")),
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
    .stdout_has("broken: 0/303 (timed out after 1ms)\ngood: 0/303 (timed out after 1ms)\n");
    let csv = t.read("out/gradebook.csv");
    let good = csv.lines().nth(2).unwrap_or_default();
    assert!(
        good.starts_with("good,0,303,provision;uploads_use_the_lab_key;r0;r1;"),
        "{csv}"
    );
    assert_eq!(
        check_junit(&t.read("out/good.xml"))[0].1,
        "error: timed out after 1ms"
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
        (f[1].parse().unwrap(), f[2].parse().unwrap())
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
