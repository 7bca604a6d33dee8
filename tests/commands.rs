//! Every command from the binary on a small fixture: init, validate, fmt, plan, apply (approved
//! and refused), destroy, show (human, state JSON, plan JSON), state list/show/rm, output, graph,
//! -chdir with relative paths, and --help on every command.

use crate::support::Test;

const USER: &str = r#"variable "user_name" {
  type    = string
  default = "ops"
}

resource "aws_iam_user" "ops" {
  name = var.user_name
  path = "/lab/"
}

output "user_name" {
  value = aws_iam_user.ops.name
}

output "paths" {
  value = [aws_iam_user.ops.path, "/"]
}
"#;

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

#[test]
fn init_creates_the_world_once_and_checks_the_account_id() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["init"])
        .success()
        .stdout_has("(account 123456789012, region us-east-1)")
        .stdout_has("keyform has been successfully initialized!");
    // .keyform/ never ends up in a lab's repository.
    assert_eq!(t.read(".keyform/.gitignore").trim(), "*");
    t.run(&["init"])
        .success()
        .stdout_has("Reusing the existing simulated world");
    t.run(&["init", "-account-id=1234"])
        .status(1)
        .stderr_has("Error: Invalid -account-id")
        .stderr_has("\"1234\" is not an AWS account id: use 12 digits, like 123456789012.");
}

#[test]
fn validate_checks_without_touching_state() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["validate"])
        .success()
        .stdout_is("Success! The configuration is valid.\n");
    let v = json(&t.run(&["validate", "-json"]).success().stdout);
    assert_eq!(v["valid"], true);
    assert_eq!(v["error_count"], 0);
    assert!(
        !t.path().join(".keyform").exists(),
        "validate created .keyform/"
    );
    t.write(
        "main.tf",
        &USER.replace("path = \"/lab/\"", "path = \"lab\""),
    );
    let v = json(&t.run(&["validate", "-json"]).status(1).stdout);
    assert_eq!(v["valid"], false);
    assert_eq!(v["diagnostics"][0]["range"]["filename"], "main.tf");
    assert_eq!(v["diagnostics"][0]["range"]["start"]["line"], 8);
}

#[test]
fn fmt_checks_lists_diffs_and_rewrites_recursively() {
    let messy = "resource \"aws_iam_user\" \"u\" {\nname = \"a\"\n  path= \"/\"\n}\n";
    let tidy = "resource \"aws_iam_user\" \"u\" {\n  name = \"a\"\n  path = \"/\"\n}\n";
    let t = Test::new()
        .file("main.tf", messy)
        .file("modules/extra.tf", messy)
        .file("ok.tf", tidy);
    // -check: lists what needs formatting, changes nothing, exits 3.
    t.run(&["fmt", "-check"]).status(3).stdout_is("main.tf\n");
    assert_eq!(t.read("main.tf"), messy);
    t.run(&["fmt", "--check", "--recursive"])
        .status(3)
        .stdout_is("main.tf\nmodules/extra.tf\n");
    t.run(&["fmt", "-check", "-diff"]).status(3).stdout_is(
        "main.tf\n--- old/main.tf\n+++ new/main.tf\n@@ -1,4 +1,4 @@\n resource \"aws_iam_user\" \"u\" {\n-name = \"a\"\n-  path= \"/\"\n+  name = \"a\"\n+  path = \"/\"\n }\n",
    );
    t.run(&["fmt", "-recursive"])
        .success()
        .stdout_is("main.tf\nmodules/extra.tf\n");
    assert_eq!(t.read("main.tf"), tidy);
    assert_eq!(t.read("modules/extra.tf"), tidy);
    t.run(&["fmt", "-check", "-recursive"])
        .success()
        .stdout_is("");
}

#[test]
fn apply_without_approval_and_without_a_terminal_refuses_and_changes_nothing() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["apply"])
        .status(1)
        .stdout_has("# aws_iam_user.ops will be created")
        .stderr_has(
            "Error: No terminal to ask for approval\nkeyform apply needs your approval, but standard input is not a terminal. Run it in a terminal, or add -auto-approve to approve without asking.\n",
        );
    t.run(&["state", "list"]).success().stdout_is("");
    t.run(&["sim", "iam", "get-user", "--user-name", "ops"])
        .status(254)
        .stderr_has("NoSuchEntity");
}

#[test]
fn apply_and_destroy_with_auto_approve_in_either_flag_form() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["apply", "--auto-approve"])
        .success()
        .stdout_has("aws_iam_user.ops: Creating...")
        .stdout_has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.")
        .stdout_has("\nOutputs:\n\npaths = [\n  \"/lab/\",\n  \"/\",\n]\nuser_name = \"ops\"\n");
    t.run(&["sim", "iam", "get-user", "--user-name", "ops"])
        .success()
        .stdout_has("\"Path\": \"/lab/\"");
    // destroy asks too; without a terminal nothing is destroyed.
    t.run(&["destroy"])
        .status(1)
        .stderr_has("keyform destroy needs your approval");
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_iam_user.ops\n");
    t.run(&["destroy", "-auto-approve"])
        .success()
        .stdout_has("# aws_iam_user.ops will be destroyed")
        .stdout_has("Destroy complete! Resources: 1 destroyed.");
    t.run(&["state", "list"]).success().stdout_is("");
    t.run(&["sim", "iam", "get-user", "--user-name", "ops"])
        .status(254);
}

#[test]
fn show_prints_state_for_people_and_terraform_json_for_tools() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["show"])
        .success()
        .stdout_is("The state file is empty. No resources are represented.\n");
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["show"])
        .success()
        .stdout_has("# aws_iam_user.ops:\nresource \"aws_iam_user\" \"ops\" {\n")
        .stdout_has("    name          = \"ops\"\n    path          = \"/lab/\"\n")
        .stdout_has("\nOutputs:\n\npaths = [\n  \"/lab/\",\n  \"/\",\n]\nuser_name = \"ops\"\n");
    let s = json(&t.run(&["show", "-json"]).success().stdout);
    assert_eq!(s["format_version"], "1.0");
    let r = &s["values"]["root_module"]["resources"][0];
    assert_eq!(r["address"], "aws_iam_user.ops");
    assert_eq!(r["mode"], "managed");
    assert_eq!(r["type"], "aws_iam_user");
    assert_eq!(r["values"]["name"], "ops");
    assert_eq!(r["values"]["arn"], "arn:aws:iam::123456789012:user/lab/ops");
    assert_eq!(s["values"]["outputs"]["user_name"]["value"], "ops");
}

#[test]
fn show_json_of_a_saved_plan_follows_terraforms_plan_format() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["plan", "-out=create.tfplan"]).success();
    let p = json(&t.run(&["show", "-json", "create.tfplan"]).success().stdout);
    assert_eq!(p["format_version"], "1.2");
    assert_eq!(p["variables"]["user_name"]["value"], "ops");
    let rc = &p["resource_changes"][0];
    assert_eq!(rc["address"], "aws_iam_user.ops");
    assert_eq!(rc["type"], "aws_iam_user");
    assert_eq!(rc["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(rc["change"]["before"], serde_json::Value::Null);
    assert_eq!(rc["change"]["after"]["name"], "ops");
    assert_eq!(rc["change"]["after"]["path"], "/lab/");
    // Values known only after apply are null in `after` and true in `after_unknown`.
    assert_eq!(rc["change"]["after"]["arn"], serde_json::Value::Null);
    assert_eq!(rc["change"]["after_unknown"]["arn"], true);
    assert_eq!(rc["change"]["after_unknown"]["unique_id"], true);
    assert!(rc["change"]["after_unknown"].get("name").is_none());
    assert_eq!(
        p["output_changes"]["user_name"]["actions"],
        serde_json::json!(["create"])
    );
    // The human form of the same file is the plan as `plan` printed it.
    t.run(&["show", "create.tfplan"])
        .success()
        .stdout_has("# aws_iam_user.ops will be created")
        .stdout_has("Plan: 1 to add, 0 to change, 0 to destroy.");

    t.run(&["apply", "create.tfplan"]).success();
    t.write("main.tf", &USER.replace("\"/lab/\"", "\"/ops/\""));
    t.run(&["plan", "-out=update.tfplan"]).success();
    let p = json(&t.run(&["show", "-json", "update.tfplan"]).success().stdout);
    let rc = &p["resource_changes"][0];
    assert_eq!(rc["change"]["actions"], serde_json::json!(["update"]));
    assert_eq!(rc["change"]["before"]["path"], "/lab/");
    assert_eq!(rc["change"]["after"]["path"], "/ops/");
    assert_eq!(rc["change"]["before"]["name"], "ops");

    t.write(
        "main.tf",
        &USER.replace("default = \"ops\"", "default = \"ops2\""),
    );
    t.run(&["plan", "-out=rename.tfplan"]).success();
    let p = json(&t.run(&["show", "-json", "rename.tfplan"]).success().stdout);
    let rc = &p["resource_changes"][0];
    assert_eq!(rc["change"]["actions"], serde_json::json!(["update"]));
    assert_eq!(rc["change"]["after"]["name"], "ops2");
}

#[test]
fn state_list_show_and_rm() {
    let t = Test::new().file("main.tf", USER).file(
        "more.tf",
        "resource \"aws_iam_user\" \"team\" {\n  for_each = toset([\"bob\", \"eve\"])\n  name     = each.key\n}\n",
    );
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_iam_user.ops\naws_iam_user.team[\"bob\"]\naws_iam_user.team[\"eve\"]\n");
    t.run(&["state", "list", "aws_iam_user.team"])
        .success()
        .stdout_is("aws_iam_user.team[\"bob\"]\naws_iam_user.team[\"eve\"]\n");
    t.run(&["state", "show", "aws_iam_user.team[\"eve\"]"])
        .success()
        .stdout_has("# aws_iam_user.team[\"eve\"]:\nresource \"aws_iam_user\" \"team\" {\n")
        .stdout_has("    arn           = \"arn:aws:iam::123456789012:user/eve\"\n");
    t.run(&["state", "show", "aws_iam_user.team"])
        .status(1)
        .stderr_has("Error: Multiple instances found for the given address");
    t.run(&["state", "show", "aws_iam_user.nobody"])
        .status(1)
        .stderr_has("Error: No instance found for the given address");
    t.run(&["state", "rm", "aws_iam_user.team[\"bob\"]"])
        .success()
        .stdout_has("Removed aws_iam_user.team[\"bob\"]");
    t.run(&["state", "list"])
        .success()
        .stdout_is("aws_iam_user.ops\naws_iam_user.team[\"eve\"]\n");
    // Forgotten, not destroyed: the user still exists, and keyform would create it again.
    t.run(&["sim", "iam", "get-user", "--user-name", "bob"])
        .success();
    t.run(&["plan"])
        .success()
        .stdout_has("# aws_iam_user.team[\"bob\"] will be created");
    t.run(&["state", "rm", "aws_iam_user.nobody"])
        .status(1)
        .stderr_has("Error: Invalid target address");
}

#[test]
fn output_by_name_as_json_and_raw() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["output"])
        .success()
        .stdout_is("paths = [\n  \"/lab/\",\n  \"/\",\n]\nuser_name = \"ops\"\n");
    t.run(&["output", "user_name"])
        .success()
        .stdout_is("\"ops\"\n");
    t.run(&["output", "-raw", "user_name"])
        .success()
        .stdout_is("ops");
    t.run(&["output", "-json", "paths"])
        .success()
        .stdout_is("[\"/lab/\",\"/\"]\n");
    let all = json(&t.run(&["output", "-json"]).success().stdout);
    assert_eq!(all["user_name"]["value"], "ops");
    assert_eq!(all["user_name"]["sensitive"], false);
    assert_eq!(all["paths"]["value"], serde_json::json!(["/lab/", "/"]));
    t.run(&["output", "-raw", "paths"])
        .status(1)
        .stderr_has("Error: Unsupported value for raw output");
    t.run(&["output", "user"])
        .status(1)
        .stderr_has("Error: Output not found")
        .stderr_has("Did you mean \"user_name\"?");
}

#[test]
fn graph_prints_the_dependency_graph_as_dot() {
    let t = Test::new().file("main.tf", USER);
    let r = t.run(&["graph"]).success();
    assert!(r.stdout.starts_with("digraph {\n"), "{}", r.stdout);
    r.stdout_has(
        "\t\t\"[root] aws_iam_user.ops\" [label = \"aws_iam_user.ops\", shape = \"box\"]\n",
    )
    .stdout_has("\t\t\"[root] aws_iam_user.ops\" -> \"[root] var.user_name\"\n")
    .stdout_has("\t\t\"[root] output.user_name\" -> \"[root] aws_iam_user.ops\"\n");
    assert!(
        !t.path().join(".keyform").exists(),
        "graph created .keyform/"
    );
}

#[test]
fn chdir_takes_relative_var_files_and_plan_files_relative_to_the_directory() {
    let t = Test::new()
        .file("lab/main.tf", USER)
        .file("lab/dev.tfvars", "user_name = \"carol\"\n");
    t.run(&["-chdir=lab", "plan", "-var-file=dev.tfvars", "-out=tfplan"])
        .success()
        .stdout_has("+ name          = \"carol\"")
        .stdout_has("Saved the plan to: tfplan");
    assert!(t.path().join("lab/tfplan").is_file());
    assert!(!t.path().join("tfplan").exists());
    // The plan remembers the variables: apply is not given the var file again.
    t.run(&["-chdir=lab", "apply", "tfplan"])
        .success()
        .stdout_has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    t.run(&["--chdir", "lab", "output", "-raw", "user_name"])
        .success()
        .stdout_is("carol");
    assert!(t.path().join("lab/.keyform").is_dir());
    assert!(!t.path().join(".keyform").exists());
    t.run(&["-chdir=nowhere", "plan"])
        .status(1)
        .stderr_has("Invalid -chdir option");
}

#[test]
fn every_command_has_help_with_an_example() {
    let t = Test::new();
    let commands: &[&[&str]] = &[
        &["init"],
        &["validate"],
        &["fmt"],
        &["plan"],
        &["apply"],
        &["destroy"],
        &["show"],
        &["state"],
        &["state", "list"],
        &["state", "show"],
        &["state", "rm"],
        &["output"],
        &["graph"],
        &["force-unlock"],
        &["version"],
    ];
    for cmd in commands {
        for flag in ["--help", "-help"] {
            let mut args = cmd.to_vec();
            args.push(flag);
            let r = t.run(&args);
            assert_eq!(r.code, 0, "keyform {} exited {}", args.join(" "), r.code);
            assert!(
                r.stdout.contains("Example") && r.stdout.contains("keyform "),
                "keyform {} has no example:\n{}",
                args.join(" "),
                r.stdout
            );
        }
    }
}

#[test]
fn unknown_flags_are_usage_errors_with_exit_1() {
    Test::new()
        .file("main.tf", USER)
        .run(&["plan", "-auto-aprove"])
        .status(1)
        .stderr_has("unexpected argument '--auto-aprove' found");
}
