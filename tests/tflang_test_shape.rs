//! `terraform test`'s full shape in `keyform test`: `plan_options` (refresh, replace, target)
//! on run blocks. Where the Terraform CLI is on the machine, the same test files run under
//! `terraform test` and every run must pass or fail as it does in keyform.

use crate::support::Test;
use crate::tflang::terraform;

/// `run "NAME"... pass` / `fail` lines (keyform adds the points in brackets).
fn run_results(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"^\s*run "([^"]+)"\.\.\. (pass|fail)"#).expect("regex");
    text.lines()
        .filter_map(|l| re.captures(l).map(|c| format!("{} {}", &c[1], &c[2])))
        .collect()
}

#[test]
fn plan_options_replace_and_target_shape_the_run() {
    let kf = Test::fixture("tflang/test_shape");
    kf.run(&["init"]).success();
    let k = kf.run(&["test", "-no-color"]).status(1);
    assert_eq!(
        run_results(&k.stdout),
        [
            "first pass",
            "replace_a pass",
            "target_b pass",
            "first pass",
            "no_replace fail"
        ]
    );
    assert!(
        k.stdout.contains("Failure! 4 passed, 1 failed."),
        "{}",
        k.stdout
    );
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn plan_options_match_terraform_test() {
    let kf = Test::fixture("tflang/test_shape");
    let tf = Test::fixture("tflang/test_shape");
    kf.run(&["init"]).success();
    terraform(tf.path(), &["init", "-no-color"]);
    let k = kf.run(&["test", "-no-color"]).status(1);
    let out = std::process::Command::new(env!("KEYFORM_TOOL_TERRAFORM"))
        .args(["test", "-no-color"])
        .current_dir(tf.path())
        .env("TF_CLI_CONFIG_FILE", tf.path().join(".empty.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("run terraform test");
    let t = String::from_utf8_lossy(&out.stdout);
    assert_eq!(run_results(&k.stdout), run_results(&t), "{t}");
}

#[test]
fn plan_options_are_checked() {
    let t = Test::new()
        .file("main.tf", "resource \"terraform_data\" \"a\" {}\n")
        .file(
            "tests/t.tftest.hcl",
            "run \"a\" {\n  plan_options {\n    mode    = refresh-only\n    replace = [\"x\"]\n    bogus   = 1\n  }\n}\n",
        );
    t.run(&["init"]).success();
    t.run(&["test", "-no-color"])
        .status(1)
        .stderr_has("refresh-only plans are not implemented")
        .stderr_has("Invalid replace address")
        .stderr_has("bogus");
}

/// `run "NAME"... STATUS` lines, keyform's `error` (a command failed without being expected)
/// counted as Terraform prints it, `fail`.
fn statuses(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"^\s*run "([^"]+)"\.\.\. (pass|fail|error)"#).expect("regex");
    text.lines()
        .filter_map(|l| {
            re.captures(l)
                .map(|c| format!("{} {}", &c[1], c[2].replace("error", "fail")))
        })
        .collect()
}

/// What each run of `tflang/expect_failures` comes to (one run per file: `terraform test`
/// skips a file's later runs after an error). Check blocks fail a run unless expected; in a
/// plan an assertion known only after apply counts as failed; an expected failure that stops
/// an apply run's plan fails the run; checks downstream of a failure are not evaluated.
const EXPECT_FAILURES: [&str; 19] = [
    "check_expected pass",
    "check_expected_but_holds fail",
    "check_plan_unexpected fail",
    "check_plan_unknown_expected pass",
    "check_plan_unknown_unexpected fail",
    "check_unexpected fail",
    "check_unexpected_after_apply fail",
    "output_apply fail",
    "output_plan pass",
    "output_plan_unknown_check fail",
    "postcondition_and_downstream_check fail",
    "postcondition_and_unexpected_check fail",
    "postcondition_apply pass",
    "postcondition_plan fail",
    "var_and_downstream_check fail",
    "var_and_postcondition fail",
    "var_apply fail",
    "var_plan pass",
    "var_unexpected fail",
];

#[test]
fn expect_failures_on_checks_variables_outputs_and_resources() {
    let kf = Test::fixture("tflang/expect_failures");
    kf.run(&["init"]).success();
    let k = kf.run(&["test", "-no-color"]).status(1);
    assert_eq!(statuses(&k.stdout), EXPECT_FAILURES, "{}", k.stdout);
    for line in [
        // A check failure is a run failure, pointing at the assertion.
        "  run \"check_unexpected_after_apply\"... fail (0/1 point)\n    main.tf:22:21: Check block assertion failed (check.small): a is not small\n",
        "  run \"check_plan_unknown_unexpected\"... fail (0/1 point)\n    main.tf:22:21: Check block assertion known after apply (check.small): The condition could not be evaluated at this time, a result will be known when this plan is applied.\n",
        "  run \"check_expected_but_holds\"... fail (0/1 point)\n    tests/check_expected_but_holds.tftest.hcl:3: expected check.small to fail an assertion, but it did not\n",
        "    tests/var_apply.tftest.hcl:3: var.n failed during the planning stage and prevented the requested apply: an expected failure, but the apply could not run, so the run fails (expect it in a run with command = plan): Invalid value for variable (var.n): n must be below 10",
        "  run \"postcondition_and_unexpected_check\"... fail (0/1 point)\n    main.tf:37:21: Check block assertion failed (check.vsmall): n is not small\n",
    ] {
        assert!(k.stdout.contains(line), "{line}\n---\n{}", k.stdout);
    }
    // Reported once, though the plan saw it too.
    assert!(
        !k.stdout.contains("n is not small\n    main.tf:37:21"),
        "{}",
        k.stdout
    );
    // Outside tests a check is a warning, and a plan says when it is known only after apply.
    kf.run(&["plan", "-no-color"])
        .success()
        .stderr_has("Warning: Check block assertion known after apply");
    let v = kf.run(&["validate", "-no-color"]).success();
    assert!(!v.stderr.contains("Check block"), "{}", v.stderr);
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn expect_failures_match_terraform_test() {
    let tf = Test::fixture("tflang/expect_failures");
    terraform(tf.path(), &["init", "-no-color"]);
    let out = std::process::Command::new(env!("KEYFORM_TOOL_TERRAFORM"))
        .args(["test", "-no-color"])
        .current_dir(tf.path())
        .env("TF_CLI_CONFIG_FILE", tf.path().join(".empty.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("run terraform test");
    let t = String::from_utf8_lossy(&out.stdout);
    assert_eq!(statuses(&t), EXPECT_FAILURES, "{t}");
}

#[test]
fn run_module_runs_another_module_with_its_own_state() {
    let kf = Test::fixture("tflang/run_module");
    kf.run(&["init"]).success();
    let k = kf.run(&["test", "-no-color"]).status(1);
    assert_eq!(
        statuses(&k.stdout),
        [
            "setup pass",
            "app pass",
            "setup_again pass",
            "app_again fail"
        ],
        "{}",
        k.stdout
    );
    assert!(
        k.stdout.contains(
            "tests/main.tftest.hcl:42: wrong on purpose: the name is known only after apply"
        ),
        "{}",
        k.stdout
    );
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn run_module_matches_terraform_test() {
    let tf = Test::fixture("tflang/run_module");
    terraform(tf.path(), &["init", "-no-color"]);
    let out = std::process::Command::new(env!("KEYFORM_TOOL_TERRAFORM"))
        .args(["test", "-no-color"])
        .current_dir(tf.path())
        .env("TF_CLI_CONFIG_FILE", tf.path().join(".empty.tfrc"))
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("run terraform test");
    let t = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        statuses(&t),
        [
            "setup pass",
            "app pass",
            "setup_again pass",
            "app_again fail"
        ],
        "{t}"
    );
}

#[test]
fn run_module_sources_are_local_paths_that_load() {
    let t = Test::new()
        .file("main.tf", "resource \"terraform_data\" \"a\" {}\n")
        .file(
            "tests/t.tftest.hcl",
            "run \"a\" {\n  module {\n    source  = \"hashicorp/setup/aws\"\n    version = \"1.0.0\"\n  }\n}\n",
        );
    t.run(&["init"]).success();
    t.run(&["test", "-no-color"])
        .status(1)
        .stderr_has("version applies to registry modules")
        .stderr_has("vendor the module into the lab directory");
    let t = Test::new()
        .file("main.tf", "resource \"terraform_data\" \"a\" {}\n")
        .file(
            "tests/t.tftest.hcl",
            "run \"a\" {\n  module {\n    source = \"./missing\"\n  }\n}\n",
        );
    t.run(&["init"]).success();
    let out = t.run(&["test", "-no-color"]).status(1);
    assert!(
        out.stdout.contains("run \"a\"... error")
            && out
                .stdout
                .contains("the module ./missing could not be loaded"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}
