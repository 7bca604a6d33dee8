//! Helpers shared by the `sim_*` tests: running `keyform sim`, reading its JSON, and applying
//! the fixture configurations under tests/fixtures/sim/.

#![allow(dead_code)]

use serde_json::Value as Json;

use crate::support::{Run, Test};

/// Exit code of a service error (the AWS CLI's).
pub(crate) const SERVICE_ERROR: i32 = 254;
/// Exit code of a usage or parameter validation error (the AWS CLI's).
pub(crate) const USAGE_ERROR: i32 = 252;

/// A test directory holding `main.tf` of fixture `name`, applied.
pub(crate) fn applied(main_tf: &str) -> Test {
    let t = Test::new().file("main.tf", main_tf);
    t.run(&["apply", "-auto-approve"])
        .success()
        .stdout_has("Apply complete!");
    t
}

/// Runs `keyform sim ARGS`.
pub(crate) fn sim(t: &Test, args: &[&str]) -> Run {
    let mut all = vec!["sim"];
    all.extend_from_slice(args);
    t.run(&all)
}

/// Runs `keyform sim ARGS`, expects success and returns its JSON output.
#[track_caller]
pub(crate) fn sim_json(t: &Test, args: &[&str]) -> Json {
    let r = sim(t, args).success();
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("sim {args:?} printed no JSON ({e}):\n{}", r.stdout))
}

/// Runs `keyform sim ARGS` and expects the AWS CLI's service error shape with `code`.
#[track_caller]
pub(crate) fn sim_fails(t: &Test, args: &[&str], code: &str) -> Run {
    let op = args.get(1).map(|w| pascal(w)).unwrap_or_default();
    sim(t, args).status(SERVICE_ERROR).stderr_has(&format!(
        "An error occurred ({code}) when calling the {op} operation: "
    ))
}

fn pascal(kebab: &str) -> String {
    kebab
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `keyform output -raw NAME`.
pub(crate) fn output(t: &Test, name: &str) -> String {
    t.run(&["output", "-raw", name]).success().stdout
}

/// A string field of a JSON value, or "".
pub(crate) fn s<'a>(v: &'a Json, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Json::as_str).unwrap_or("")
}

/// The full CloudTrail records that `sim cloudtrail lookup-events ARGS --json` returns.
pub(crate) fn lookup(t: &Test, args: &[&str]) -> Vec<Json> {
    let mut all = vec!["cloudtrail", "lookup-events"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = sim_json(t, &all);
    out["Events"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| serde_json::from_str(s(e, "/CloudTrailEvent")).expect("CloudTrailEvent is JSON"))
        .collect()
}
