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
