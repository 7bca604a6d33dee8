//! Input variables are collected one way for `plan`/`apply` and for `keyform test`
//! (`config::inputs`): `-var` and `-var-file` apply in the order given on the command line,
//! later winning; a run's `variables` override them. Values for undeclared variables follow
//! Terraform: an error from `-var` and a warning from a file in plan and apply, kept silently
//! (test files may use them as `var.NAME`) in `keyform test`.

use crate::support::Test;

const CONFIG: &str = r#"variable "name" {
  type    = string
  default = "default"
}

output "name" {
  value = var.name
}
"#;

const TESTS: &str = r#"run "order" {
  command = plan

  assert {
    condition     = output.name == var.expected
    error_message = "name is ${output.name}, expected ${var.expected}"
  }
}

run "run_variables_win" {
  command = plan

  variables {
    name = "run"
  }

  assert {
    condition     = output.name == "run"
    error_message = "name is ${output.name}"
  }
}
"#;

fn lab() -> Test {
    Test::new()
        .file("main.tf", CONFIG)
        .file("file.tfvars", "name = \"file\"\n")
        .file("undeclared.tfvars", "zap = \"x\"\n")
        .file("tests/order.tftest.hcl", TESTS)
}

#[test]
fn var_and_var_file_apply_in_command_line_order_for_plan_and_test() {
    let t = lab();
    t.run(&["plan", "-var", "name=cli", "-var-file=file.tfvars"])
        .success()
        .stdout_has("+ name = \"file\"")
        .stdout_lacks("\"cli\"");
    t.run(&["plan", "-var-file=file.tfvars", "-var", "name=cli"])
        .success()
        .stdout_has("+ name = \"cli\"")
        .stdout_lacks("\"file\"");
    let test = |args: &[&str]| {
        let mut all = vec!["test"];
        all.extend_from_slice(args);
        t.run(&all)
            .success()
            .stdout_has("Success! 2 passed, 0 failed.")
    };
    test(&[
        "-var",
        "name=cli",
        "-var-file=file.tfvars",
        "-var",
        "expected=file",
    ]);
    test(&[
        "-var-file=file.tfvars",
        "-var",
        "name=cli",
        "-var",
        "expected=cli",
    ]);
    test(&["-var", "expected=default"]);
}

#[test]
fn undeclared_values_are_refused_by_plan_and_kept_by_test() {
    let t = lab();
    t.run(&["plan", "-var", "zap=1"])
        .status(1)
        .stderr_has("Error: Value for undeclared variable");
    t.run(&["plan", "-var-file=undeclared.tfvars"])
        .success()
        .stderr_has("Warning: Value for undeclared variable");
    // keyform test: `expected` is declared by no variable block, and is what the asserts use.
    t.run(&[
        "test",
        "-var-file=undeclared.tfvars",
        "-var",
        "zap=1",
        "-var",
        "expected=default",
    ])
    .success()
    .stderr_lacks("undeclared")
    .stdout_has("Success! 2 passed, 0 failed.");
}
