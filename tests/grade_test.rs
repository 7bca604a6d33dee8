//! `keyform test` on small fixture labs (tests/fixtures/grade): scores, assert and action
//! messages, actions feeding actions, the clock, JUnit and JSON reports, and the user's own
//! `.keyform/` left alone.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::Test;

/// One element of a parsed XML document.
#[derive(Debug)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub(crate) fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map_or("", String::as_str)
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// No raw `<`, and every `&` starts one of XML's five entities.
fn check_escaped(s: &str) {
    assert!(!s.contains('<'), "unescaped < in {s:?}");
    for (i, _) in s.match_indices('&') {
        let rest = &s[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "unescaped & in {s:?}"
        );
    }
}

/// A small strict XML reader (declaration, elements, attributes, text): enough to check that a
/// JUnit report is well-formed and to read it back. Panics on malformed input.
pub(crate) fn parse_xml(doc: &str) -> Element {
    let rest = doc
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attrs: BTreeMap::new(),
        children: Vec::new(),
        text: String::new(),
    }];
    let mut s = rest;
    while !s.is_empty() {
        if let Some(after) = s.strip_prefix("</") {
            let end = after.find('>').expect("closing tag ends");
            let name = &after[..end];
            let done = stack.pop().expect("open element");
            assert_eq!(done.name, name, "mismatched closing tag");
            stack.last_mut().expect("parent").children.push(done);
            s = &after[end + 1..];
        } else if let Some(after) = s.strip_prefix('<') {
            let end = after.find('>').expect("tag ends");
            let tag = &after[..end];
            let (tag, empty) = match tag.strip_suffix('/') {
                Some(t) => (t, true),
                None => (tag, false),
            };
            let (name, mut attrs_text) = tag.split_once(' ').unwrap_or((tag, ""));
            let mut attrs = BTreeMap::new();
            loop {
                attrs_text = attrs_text.trim_start();
                if attrs_text.is_empty() {
                    break;
                }
                let (k, v) = attrs_text.split_once("=\"").expect("attribute value");
                let close = v.find('"').expect("attribute closes");
                check_escaped(&v[..close]);
                assert!(
                    attrs
                        .insert(k.trim().to_string(), unescape(&v[..close]))
                        .is_none(),
                    "duplicate attribute {k}"
                );
                attrs_text = &v[close + 1..];
            }
            let el = Element {
                name: name.to_string(),
                attrs,
                children: Vec::new(),
                text: String::new(),
            };
            if empty {
                stack.last_mut().expect("parent").children.push(el);
            } else {
                stack.push(el);
            }
            s = &after[end + 1..];
        } else {
            let end = s.find('<').unwrap_or(s.len());
            let text = &s[..end];
            check_escaped(text);
            stack
                .last_mut()
                .expect("element")
                .text
                .push_str(&unescape(text));
            s = &s[end..];
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut root = stack.pop().expect("root");
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.remove(0)
}

/// Checks the JUnit schema's required elements and attributes and that the counts add up;
/// returns (testcase name, outcome) pairs.
pub(crate) fn check_junit(doc: &str) -> Vec<(String, String)> {
    let root = parse_xml(doc);
    assert_eq!(root.name, "testsuites");
    let mut out = Vec::new();
    for suite in root.all("testsuite") {
        for a in ["name", "tests", "failures", "errors"] {
            assert!(suite.attrs.contains_key(a), "testsuite lacks {a}");
        }
        let cases: Vec<&Element> = suite.all("testcase").collect();
        assert_eq!(suite.attr("tests"), cases.len().to_string());
        let mut failures = 0;
        let mut errors = 0;
        let mut skipped = 0;
        let seconds = |t: &str| {
            let (s, ms) = t.split_once('.').expect("time in seconds");
            assert!(
                s.parse::<u64>().is_ok() && ms.len() == 3 && ms.parse::<u64>().is_ok(),
                "time={t:?}"
            );
        };
        seconds(suite.attr("time"));
        for c in cases {
            assert!(c.attrs.contains_key("name") && c.attrs.contains_key("classname"));
            seconds(c.attr("time"));
            assert_eq!(c.attr("classname"), suite.attr("name"));
            let outcome = match c.children.first() {
                None => "pass".to_string(),
                Some(e) if e.name == "failure" => {
                    failures += 1;
                    format!("failure: {}", e.attr("message"))
                }
                Some(e) if e.name == "error" => {
                    errors += 1;
                    format!("error: {}", e.attr("message"))
                }
                Some(e) if e.name == "skipped" => {
                    skipped += 1;
                    e.attr("message").to_string()
                }
                Some(e) => panic!("unexpected element {}", e.name),
            };
            out.push((c.attr("name").to_string(), outcome));
        }
        assert_eq!(suite.attr("failures"), failures.to_string());
        assert_eq!(suite.attr("errors"), errors.to_string());
        assert_eq!(suite.attr("skipped"), skipped.to_string());
    }
    out
}

/// A JUnit report without its `time` attributes (the one part that differs between runs).
pub(crate) fn timeless(doc: &str) -> String {
    regex::Regex::new(r#" time="[0-9]+\.[0-9]{3}""#)
        .unwrap()
        .replace_all(doc, "")
        .into_owned()
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            for (k, v) in snapshot(&p) {
                out.insert(format!("{}/{k}", e.file_name().to_string_lossy()), v);
            }
        } else {
            out.insert(
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            );
        }
    }
    out
}

#[test]
fn a_passing_lab_scores_full_marks() {
    let t = Test::fixture("grade/lab");
    t.run(&["test"])
        .success()
        .stdout_has("tests/main.tftest.hcl... in progress")
        .stdout_has("  run \"provision\"... pass (1/1 point)")
        .stdout_has("  run \"uploads_use_the_lab_key\"... pass (2/2 points)")
        .stdout_has("Success! 2 passed, 0 failed.\nScore: 3/3");
    assert!(
        !t.path().join(".keyform").exists(),
        "keyform test must not create a world in the working directory"
    );
}

#[test]
fn a_failing_assert_names_its_message_and_line() {
    let t = Test::fixture("grade");
    t.run(&[
        "-chdir=submissions/broken",
        "test",
        "-test-directory=../../lab/tests",
    ])
    .status(1)
    .stdout_has("  run \"provision\"... fail (0/1 point)\n    tests/main.tftest.hcl:7: rotation must be enabled on the lab key")
    .stdout_has("  run \"uploads_use_the_lab_key\"... pass (2/2 points)")
    .stdout_has("Failure! 1 passed, 1 failed.\nScore: 2/3");
}

#[test]
fn expect_error_passes_on_the_expected_code_and_fails_on_success() {
    let t = Test::fixture("grade/lab");
    // Granting the reader kms:Decrypt makes the denial the test expects disappear.
    t.run(&["test", "-var", "reader_can_decrypt=true"])
        .status(1)
        .stdout_has("    tests/main.tftest.hcl:21: action \"admin_reads\" (s3:GetObject as S3-Admin-User): expected AccessDenied, got success")
        .stdout_has("Score: 1/3");
    t.write("grant.tfvars", "reader_can_decrypt = true\n");
    t.run(&["test", "-var-file=grant.tfvars"])
        .status(1)
        .stdout_has("expected AccessDenied, got success");
    // An action without expect_error must succeed; a denial is reported with AWS's message.
    t.write(
        "tests/denied.tftest.hcl",
        r#"run "provision" {}

run "reader_reads" {
  command = none

  action "upload" {
    call   = "s3:PutObject"
    params = { Bucket = var.bucket_name, Key = "a.txt", Body = "x" }
  }

  action "read" {
    call   = "s3:GetObject"
    as     = "S3-Admin-User"
    params = { Bucket = var.bucket_name, Key = "a.txt" }
  }

  action "wrong_code" {
    call         = "s3:GetObject"
    as           = "S3-Admin-User"
    params       = { Bucket = var.bucket_name, Key = "a.txt" }
    expect_error = "NoSuchKey"
  }

  assert {
    condition     = action.read.error == "AccessDenied"
    error_message = "the reader has no key rights"
  }
}
"#,
    );
    let r = t
        .run(&["test", "-filter=tests/denied.tftest.hcl"])
        .status(1)
        .stdout_has("  run \"reader_reads\"... fail (0/1 point)")
        .stdout_has("    tests/denied.tftest.hcl:11: action \"read\" (s3:GetObject as S3-Admin-User): expected success, got AccessDenied: ")
        .stdout_has("    tests/denied.tftest.hcl:17: action \"wrong_code\" (s3:GetObject as S3-Admin-User): expected NoSuchKey, got AccessDenied: ")
        .stdout_lacks("the reader has no key rights")
        .stdout_has("Score: 1/2");
    assert!(r.stdout.contains("kms:Decrypt"), "{}", r.stdout);
}

#[test]
fn actions_use_earlier_actions_results_and_the_clock() {
    let t = Test::fixture("grade");
    t.run(&[
        "-chdir=lab",
        "test",
        "-test-directory=../scenarios",
        "-filter=envelope.tftest.hcl",
        "-filter=clock.tftest.hcl",
        "-verbose",
    ])
    .success()
    .stdout_has("scenarios/clock.tftest.hcl... pass")
    .stdout_has("scenarios/envelope.tftest.hcl... pass")
    .stdout_has("    action \"dec\" kms:Decrypt as lab-admin: ok")
    .stdout_has("    action \"one_week_later\" clock:Advance: ok")
    .stdout_has("    action \"read_after_deletion\" s3:GetObject as lab-admin: KMS.NotFoundException (expected)")
    .stdout_lacks("top secret")
    .stdout_has("Score: 4/4");
}

#[test]
fn plans_expected_failures_run_outputs_and_destroy() {
    let t = Test::fixture("grade");
    t.run(&[
        "-chdir=lab",
        "test",
        "-test-directory=../scenarios",
        "-filter=lifecycle.tftest.hcl",
    ])
    .success()
    .stdout_has("  run \"short_names_are_rejected\"... pass")
    .stdout_has("  run \"destroy_schedules_deletion\"... pass")
    .stdout_has("Score: 4/4");
}

#[test]
fn unexpected_and_missing_failures_fail_the_run_and_later_runs_go_on() {
    let t = Test::fixture("grade/lab").file(
        "tests/main.tftest.hcl",
        r#"run "bad_name" {
  variables {
    bucket_name = "x"
  }
}

run "no_failure" {
  command         = plan
  expect_failures = [var.bucket_name]
}

run "still_runs" {
  assert {
    condition     = aws_s3_bucket.data.bucket == "grade-fixture-bucket"
    error_message = "the failed run left nothing behind"
  }
}
"#,
    );
    t.run(&["test"])
        .status(1)
        .stdout_has("  run \"bad_name\"... error (0/1 point)\n    main.tf:8:1: apply failed: Invalid value for variable (var.bucket_name): Bucket names have at least 3 characters.")
        .stdout_has("  run \"no_failure\"... fail (0/1 point)\n    tests/main.tftest.hcl:9: expected var.bucket_name to fail its validation, but it did not")
        .stdout_has("  run \"still_runs\"... pass (1/1 point)")
        .stdout_has("Failure! 1 passed, 2 failed.\nScore: 1/3");
}

#[test]
fn junit_and_json_reports_are_complete_and_identical_on_rerun() {
    let t = Test::fixture("grade");
    let args = [
        "-chdir=submissions/broken",
        "test",
        "-test-directory=../../lab/tests",
        "-junit-xml=report.xml",
        "-json",
    ];
    let first = t.run(&args).status(1);
    let xml = t.read("submissions/broken/report.xml");
    assert_eq!(
        check_junit(&xml),
        [
            (
                "provision".to_string(),
                "failure: rotation must be enabled on the lab key".to_string()
            ),
            ("uploads_use_the_lab_key".to_string(), "pass".to_string()),
        ]
    );
    let lines: Vec<serde_json::Value> = first
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["type"], "run_started");
    assert_eq!(lines[1]["type"], "run_finished");
    assert_eq!(lines[1]["status"], "fail");
    assert_eq!(
        lines[1]["messages"][0],
        "tests/main.tftest.hcl:7: rotation must be enabled on the lab key"
    );
    assert_eq!(
        lines[4],
        serde_json::json!({"type": "summary", "status": "fail", "passed": 1, "failed": 1, "not_graded": 0, "score": 2, "total": 3})
    );
    let second = t.run(&args).status(1);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(
        timeless(&xml),
        timeless(&t.read("submissions/broken/report.xml"))
    );
}

#[test]
fn a_configuration_that_does_not_load_errors_every_run() {
    let t = Test::fixture("grade");
    t.run(&[
        "-chdir=submissions/syntax",
        "test",
        "-test-directory=../../lab/tests",
        "-junit-xml=r.xml",
    ])
    .status(1)
    .stderr_has("Error: Unclosed configuration block")
    .stderr_has("--> main.tf:2:44")
    .stdout_has("  run \"provision\"... error (0/1 point)\n    the configuration could not be loaded (see the errors above)")
    .stdout_has("Score: 0/3");
    let cases = check_junit(&t.read("submissions/syntax/r.xml"));
    assert!(
        cases.iter().all(|(_, o)| o.starts_with(
            "error: the configuration could not be loaded: Unclosed configuration block"
        )),
        "{cases:?}"
    );
}

#[test]
fn invalid_test_files_and_usage_are_errors() {
    let t = Test::fixture("grade/lab").file(
        "tests/main.tftest.hcl",
        "run \"a\" {\n  action \"x\" {\n    call = \"s3:GetObjekt\"\n  }\n}\n",
    );
    t.run(&["test"])
        .status(1)
        .stderr_has("Error: Unknown operation")
        .stderr_has("--> tests/main.tftest.hcl:3:12")
        .stderr_has("Did you mean \"s3:GetObject\"?");
    t.run(&["test", "-test-directory=nowhere"])
        .status(1)
        .stderr_has("Error: Test directory not found");
    Test::new()
        .file("main.tf", "")
        .run(&["test"])
        .status(1)
        .stderr_has("Error: No test files");
}

#[test]
fn the_users_own_world_is_untouched() {
    let t = Test::fixture("grade/lab");
    t.run(&["apply", "-auto-approve"]).success();
    let before = snapshot(&t.path().join(".keyform"));
    t.run(&["test"]).success().stdout_has("Score: 3/3");
    assert_eq!(before, snapshot(&t.path().join(".keyform")));
    // The applied world is still there: its bucket holds no test upload.
    t.run(&[
        "sim",
        "s3api",
        "list-objects-v2",
        "--bucket",
        "grade-fixture-bucket",
    ])
    .success()
    .stdout_lacks("test.txt");
}

#[test]
fn a_missing_premise_is_not_graded_instead_of_cascading() {
    let t = Test::fixture("grade");
    let good = t.read("submissions/good/main.tf");
    let nokey = good
        .split("resource \"aws_kms_key\" \"lab\"")
        .next()
        .unwrap_or_default()
        .to_string();
    t.write("submissions/nokey/main.tf", &nokey);
    t.run(&[
        "-chdir=submissions/nokey",
        "test",
        "-test-directory=../../lab/tests",
    ])
    .status(1)
    .stdout_has("  run \"provision\"... not graded (0/1 point)\n    tests/main.tftest.hcl:7: not graded: needs aws_kms_key.lab\n")
    .stdout_has("Failure! 0 passed, 1 failed, 1 not graded.")
    // The evaluator's own words never reach the student.
    .stdout_lacks("undeclared");
    // A condition that evaluates to false is a failure, whatever it reads.
    t.run(&[
        "-chdir=submissions/broken",
        "test",
        "-test-directory=../../lab/tests",
    ])
    .status(1)
    .stdout_lacks("not graded");
}
