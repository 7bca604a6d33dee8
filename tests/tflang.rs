//! The Terraform language beyond single-directory configurations: modules with local sources
//! and Terraform's built-in `terraform_data`. Where the Terraform CLI is on the machine, the
//! same configuration is planned and applied by both, and keyform's plan text and state JSON
//! must be Terraform's (product name, generated ids and refresh progress lines aside).

use std::path::Path;
use std::process::Command;

use crate::support::Test;

/// Runs the Terraform CLI offline in `dir` (no checkpoint call, an empty CLI configuration).
pub(crate) fn terraform(dir: &Path, args: &[&str]) -> String {
    let rc = dir.join(".empty.tfrc");
    std::fs::write(&rc, "").expect("write tfrc");
    let out = Command::new(env!("KEYFORM_TOOL_TERRAFORM"))
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", &rc)
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_IN_AUTOMATION")
        .output()
        .expect("run terraform");
    assert!(
        out.status.success(),
        "terraform {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Plan text with what may differ removed: the product name, UUIDs, refresh progress lines.
pub(crate) fn normalize(text: &str) -> String {
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    let text = text
        .replace("Terraform", "keyform")
        .replace("terraform apply", "keyform apply");
    let text = uuid.replace_all(&text, "UUID");
    text.lines()
        .filter(|l| !l.contains(": Refreshing state..."))
        .collect::<Vec<_>>()
        .join("\n")
        .trim_start()
        .to_string()
}

/// A state file's resources as Terraform shapes them, values that are generated masked.
pub(crate) fn state_shape(j: &serde_json::Value) -> serde_json::Value {
    let mut resources = j["resources"].clone();
    for r in resources.as_array_mut().into_iter().flatten() {
        for i in r["instances"].as_array_mut().into_iter().flatten() {
            for key in ["id", "output"] {
                i["attributes"][key] = serde_json::json!("MASKED");
            }
            if let Some(o) = i.as_object_mut() {
                o.retain(|k, _| {
                    ["attributes", "dependencies", "index_key", "status"].contains(&k.as_str())
                });
            }
        }
    }
    resources
}

fn both(fixture: &str) -> (Test, Test) {
    let kf = Test::fixture(fixture);
    let tf = Test::fixture(fixture);
    (kf, tf)
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn module_plans_and_state_match_terraform() {
    let (kf, tf) = both("tflang/modules");
    kf.run(&["init"]).success();
    terraform(tf.path(), &["init", "-no-color"]);

    let k = kf.run(&["plan", "-no-color"]).success();
    let t = terraform(tf.path(), &["plan", "-no-color"]);
    assert_eq!(normalize(&k.stdout), normalize(&t));

    kf.run(&["apply", "-auto-approve", "-no-color"]).success();
    terraform(tf.path(), &["apply", "-auto-approve", "-no-color"]);
    let ks: serde_json::Value =
        serde_json::from_str(&kf.read(".keyform/state.json")).expect("keyform state");
    let ts: serde_json::Value =
        serde_json::from_str(&tf.read("terraform.tfstate")).expect("terraform state");
    assert_eq!(state_shape(&ks), state_shape(&ts));
    let outputs = |s: &serde_json::Value| {
        let mut o = s["outputs"].clone();
        o["inner"]["value"] = serde_json::json!("MASKED");
        o
    };
    assert_eq!(outputs(&ks), outputs(&ts));

    // A changed root variable flows through two module levels as in-place updates.
    let k = kf
        .run(&["plan", "-no-color", "-var", "greeting=howdy"])
        .success();
    let t = terraform(tf.path(), &["plan", "-no-color", "-var", "greeting=howdy"]);
    assert_eq!(normalize(&k.stdout), normalize(&t));
}

#[test]
fn module_addresses_work_in_state_commands() {
    let t = Test::fixture("tflang/modules");
    t.run(&["init"]).success();
    t.run(&["apply", "-auto-approve"]).success();
    t.run(&["state", "list"]).stdout_is(
        "terraform_data.root\nmodule.box.terraform_data.this\nmodule.box.module.inner.terraform_data.leaf\n",
    );
    t.run(&["state", "show", "module.box.terraform_data.this"])
        .success()
        .stdout_has("# module.box.terraform_data.this:")
        .stdout_has("input  = \"hello-a,b\"");
    t.run(&[
        "plan",
        "-replace",
        "module.box.module.inner.terraform_data.leaf",
    ])
    .success()
    .stdout_has("# module.box.module.inner.terraform_data.leaf will be replaced, as requested");
    t.run(&["state", "rm", "module.box.terraform_data.this"])
        .success();
    t.run(&["plan"])
        .success()
        .stdout_has("# module.box.terraform_data.this will be created");
}

#[test]
fn module_errors_name_the_place() {
    Test::new()
        .file(
            "main.tf",
            "module \"k\" {\n  source = \"hashicorp/kms/aws\"\n}\n",
        )
        .run(&["validate"])
        .status(1)
        .stderr_has("Module source not available in keyform")
        .stderr_has("--> main.tf:2:12");
    let t = Test::new()
        .file(
            "main.tf",
            "module \"k\" {\n  source = \"./m\"\n  colour = 1\n}\n\noutput \"o\" {\n  value = module.k.nope\n}\n",
        )
        .file("m/main.tf", "variable \"size\" {\n  type = number\n}\n\noutput \"ok\" {\n  value = var.size\n}\n");
    t.run(&["validate"])
        .status(1)
        .stderr_has("An argument named \"colour\" is not expected here.")
        .stderr_has("The argument \"size\" is required, but no definition was found.");
    t.write(
        "main.tf",
        "module \"k\" {\n  source = \"./m\"\n  size   = 1\n}\n\noutput \"o\" {\n  value = module.k.nope\n}\n",
    );
    t.run(&["validate"])
        .status(1)
        .stderr_has("This object does not have an attribute named \"nope\".")
        .stderr_has("--> main.tf:7:");
    t.write(
        "main.tf",
        "module \"k\" {\n  source = \"./m\"\n  size   = \"big\"\n}\n",
    );
    t.run(&["plan"])
        .status(1)
        .stderr_has("Invalid value for input variable");
}

#[test]
fn module_variable_validation_fails_the_plan() {
    let t = Test::fixture("tflang/modules");
    t.run(&["init"]).success();
    t.run(&["plan", "-var", "greeting=hi"])
        .status(1)
        .stderr_has("The value must be at least three characters.")
        .stderr_has("modules/box/main.tf");
}

#[test]
fn terraform_data_replaces_on_trigger_change_and_keeps_output() {
    let t = Test::new().file(
        "main.tf",
        "resource \"terraform_data\" \"d\" {\n  input            = \"v1\"\n  triggers_replace = \"a\"\n}\n\noutput \"o\" {\n  value = terraform_data.d.output\n}\n",
    );
    t.run(&["init"]).success();
    t.run(&["apply", "-auto-approve"])
        .success()
        .stdout_has("o = \"v1\"");
    t.write(
        "main.tf",
        "resource \"terraform_data\" \"d\" {\n  input            = \"v1\"\n  triggers_replace = \"b\"\n}\n\noutput \"o\" {\n  value = terraform_data.d.output\n}\n",
    );
    t.run(&["plan"])
        .success()
        .stdout_has("# terraform_data.d must be replaced")
        .stdout_has("~ triggers_replace = \"a\" -> \"b\" # forces replacement");
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn module_count_and_for_each_match_terraform() {
    let (kf, tf) = both("tflang/module_repetition");
    kf.run(&["init"]).success();
    terraform(tf.path(), &["init", "-no-color"]);
    let k = kf.run(&["plan", "-no-color"]).success();
    let t = terraform(tf.path(), &["plan", "-no-color"]);
    assert_eq!(normalize(&k.stdout), normalize(&t));
    kf.run(&["apply", "-auto-approve"]).success();
    terraform(tf.path(), &["apply", "-auto-approve", "-no-color"]);
    let ks: serde_json::Value =
        serde_json::from_str(&kf.read(".keyform/state.json")).expect("keyform state");
    let ts: serde_json::Value =
        serde_json::from_str(&tf.read("terraform.tfstate")).expect("terraform state");
    assert_eq!(state_shape(&ks), state_shape(&ts));
    // Fewer instances: whole module instances go, with Terraform's reason.
    let args = ["plan", "-no-color", "-var", "n=1", "-var", "names=[\"b\"]"];
    let k = kf.run(&args).success();
    let t = terraform(tf.path(), &args);
    assert_eq!(normalize(&k.stdout), normalize(&t));
    assert!(
        k.stdout
            .contains("# (because module.counted[1] is not in configuration)")
    );
}

/// The plan's actions and summary: from the legend to the "Plan:" line (warnings are placed
/// elsewhere by the two tools).
fn actions(text: &str) -> String {
    let t = normalize(text);
    let start = t.find("keyform used the selected providers").unwrap_or(0);
    let end = t[start..].find("\nPlan:").map_or(t.len(), |i| {
        start
            + i
            + t[start + i + 1..]
                .find('\n')
                .map_or(t.len() - start - i, |j| j + 1)
    });
    t[start..end].to_string()
}

#[test]
#[cfg_attr(not(kf_terraform), ignore = "skipped: needs the terraform CLI on PATH")]
fn moved_and_removed_blocks_match_terraform() {
    let (kf, tf) = both("tflang/refactor");
    kf.run(&["init"]).success();
    terraform(tf.path(), &["init", "-no-color"]);
    kf.run(&["apply", "-auto-approve"]).success();
    terraform(tf.path(), &["apply", "-auto-approve", "-no-color"]);
    let next = kf.read("main.tf.next");
    kf.write("main.tf", &next);
    tf.write("main.tf", &next);
    terraform(tf.path(), &["init", "-no-color"]);
    let k = kf.run(&["plan", "-no-color"]).success();
    let t = terraform(tf.path(), &["plan", "-no-color"]);
    assert_eq!(actions(&k.stdout), actions(&t));
    assert!(
        k.stdout
            .contains("# terraform_data.a has moved to terraform_data.b")
    );
    assert!(
        format!("{}{}", k.stdout, k.stderr)
            .contains("Some objects will no longer be managed by keyform")
    );
    kf.run(&["apply", "-auto-approve"]).success();
    terraform(tf.path(), &["apply", "-auto-approve", "-no-color"]);
    kf.run(&["state", "list"])
        .stdout_is("terraform_data.b\nmodule.n.terraform_data.this\n");
    let ks: serde_json::Value =
        serde_json::from_str(&kf.read(".keyform/state.json")).expect("keyform state");
    let ts: serde_json::Value =
        serde_json::from_str(&tf.read("terraform.tfstate")).expect("terraform state");
    assert_eq!(state_shape(&ks), state_shape(&ts));
    kf.run(&["plan"]).success().stdout_has("No changes.");
}

#[test]
fn moved_blocks_are_checked() {
    Test::new()
        .file(
            "main.tf",
            "resource \"terraform_data\" \"b\" {}\n\nmoved {\n  from = terraform_data.a\n  to   = aws_kms_key.b\n}\n",
        )
        .run(&["validate"])
        .status(1)
        .stderr_has("Invalid \"moved\" addresses")
        .stderr_has("--> main.tf:3:1");
    Test::new()
        .file(
            "main.tf",
            "resource \"terraform_data\" \"a\" {}\n\nremoved {\n  from = terraform_data.a\n}\n",
        )
        .run(&["validate"])
        .status(1)
        .stderr_has("Removed resource block still exists");
}

#[test]
fn failed_check_assertions_are_warnings() {
    let t = Test::new().file(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  input = \"x\"\n}\n\ncheck \"value\" {\n  assert {\n    condition     = terraform_data.a.output == \"z\"\n    error_message = \"The value is not z.\"\n  }\n}\n",
    );
    t.run(&["init"]).success();
    // Unknown until apply: nothing to report at plan time.
    t.run(&["plan"])
        .success()
        .stderr_lacks("Check block assertion failed");
    let r = t.run(&["apply", "-auto-approve"]).success();
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("Warning: Check block assertion failed"),
        "{all}"
    );
    assert!(all.contains("The value is not z."), "{all}");
    let r = t.run(&["plan"]).success();
    assert!(format!("{}{}", r.stdout, r.stderr).contains("The value is not z."));
}

#[test]
fn terraform_block_settings_are_checked() {
    let t = Test::new().file(
        "main.tf",
        "terraform {\n  required_version = \">= 1.5, < 2.0\"\n\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n    }\n  }\n}\n\nresource \"terraform_data\" \"w\" {\n  input = terraform.workspace\n}\n",
    );
    t.run(&["validate"]).success();
    t.write(
        "main.tf",
        "terraform {\n  required_version = \"~> 1.12.0\"\n}\n",
    );
    t.run(&["validate"])
        .status(1)
        .stderr_has("Unsupported Terraform Core version")
        .stderr_has("--> main.tf:2:22");
    t.write(
        "main.tf",
        "terraform {\n  required_providers {\n    random = {\n      source = \"hashicorp/random\"\n    }\n  }\n}\n",
    );
    t.run(&["validate"])
        .status(1)
        .stderr_has("Provider not available in keyform")
        .stderr_has("hashicorp/random");
}
