//! The spine end to end on the bundled AeroSecure lab: init, plan, apply, re-plan, update,
//! replace, destroy.

use crate::support::Test;

#[test]
fn aerosecure_lab_goes_through_the_whole_lifecycle() {
    let t = Test::lab("aerosecure-sse-kms");
    t.run(&["init"])
        .success()
        .stdout_has("keyform has been successfully initialized!");
    t.run(&["plan"])
        .success()
        .stdout_has("Plan: 5 to add, 0 to change, 0 to destroy.");
    t.run(&["apply", "-auto-approve"])
        .success()
        .stdout_has("Apply complete! Resources: 5 added, 0 changed, 0 destroyed.");
    t.run(&["plan", "-detailed-exitcode"])
        .status(0)
        .stdout_has("No changes. Your infrastructure matches the configuration.");
    let main = t.read("main.tf").replace(
        "enable_key_rotation     = true",
        "enable_key_rotation     = false",
    );
    t.write("main.tf", &main);
    t.run(&["plan", "-detailed-exitcode"])
        .status(2)
        .stdout_has("~ enable_key_rotation")
        .stdout_has("Plan: 0 to add, 1 to change, 0 to destroy.");
    t.run(&["apply", "-auto-approve"])
        .success()
        .stdout_has("0 added, 1 changed, 0 destroyed");
    t.run(&["plan", "-var", "bucket_name=aerosecure-renamed"])
        .success()
        .stdout_has("# aws_s3_bucket.sensitive must be replaced")
        .stdout_has("# forces replacement");
    t.run(&["destroy", "-auto-approve"])
        .success()
        .stdout_has("will be scheduled for deletion in 7 days")
        .stdout_has("Destroy complete! Resources: 5 destroyed.");
}

#[test]
fn plan_in_a_directory_without_configuration_says_so_and_leaves_nothing_behind() {
    let t = Test::new();
    t.run(&["plan"])
        .status(1)
        .stderr_has("No configuration files")
        .stderr_has(&format!("There are no .tf files in {}", t.path().display()));
    assert!(
        !t.path().join(".keyform").exists(),
        "a failed plan in an empty directory must not create .keyform/"
    );
    // An existing workspace is kept as it was.
    std::fs::create_dir(t.path().join(".keyform")).unwrap();
    t.run(&["plan"]).status(1);
    assert!(t.path().join(".keyform").is_dir());
}

#[test]
fn a_mistyped_target_gets_the_nearest_address() {
    let t = Test::lab("aerosecure-sse-kms");
    t.run(&["plan", "-target=aws_kms_key.aerosecur"])
        .status(1)
        .stderr_has("Reference to undeclared resource")
        .stderr_has("Did you mean \"aws_kms_key.aerosecure\"?");
}
