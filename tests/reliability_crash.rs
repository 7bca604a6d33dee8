//! Crash safety: kill apply and destroy at every point in turn (after each provider call that
//! changes the cloud, after each durable write) with `KEYFORM_CRASH_AFTER`, then recover the way
//! a user would (the stale lock is reported, `force-unlock`, plan, apply) and check that it
//! converges with nothing created twice and nothing left in the world without state.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::support::{Run, Test};

const CRASH_ENV: &str = "KEYFORM_CRASH_AFTER";
const LAB: &str = "envelope-encryption-cloudtrail";

/// Runs `args` with a crash point; true if the process was killed by it (no exit code).
fn crashed(t: &Test, args: &[&str], point: &str) -> bool {
    let r = t.run_env(args, &[(CRASH_ENV, point)]);
    match r.code {
        -1 => true,
        0 => false,
        c => panic!(
            "{args:?} with {point} exited {c} instead of crashing or succeeding\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        ),
    }
}

fn read_json(t: &Test, name: &str) -> Json {
    let text = std::fs::read_to_string(t.path().join(".keyform").join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// Everything the cloud holds that a configuration can manage, by kind.
fn world_entities(t: &Test) -> BTreeMap<&'static str, BTreeSet<String>> {
    let w = &read_json(t, "world.json")["world"];
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    let keys = w["kms"]["keys"].as_object().cloned().unwrap_or_default();
    out.insert(
        "aws_kms_key",
        keys.iter()
            .filter(|(_, k)| k["key_manager"] != "AWS" && k["state"] != "PendingDeletion")
            .map(|(id, _)| id.clone())
            .collect(),
    );
    let names = |v: &Json| -> BTreeSet<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    out.insert(
        "aws_kms_alias",
        names(&w["kms"]["aliases"])
            .into_iter()
            .filter(|a| !a.starts_with("alias/aws/"))
            .collect(),
    );
    out.insert("aws_s3_bucket", names(&w["s3"]["buckets"]));
    out.insert(
        "aws_iam_user",
        names(&w["iam"]["users"])
            .into_iter()
            .filter(|u| u != "lab-admin")
            .collect(),
    );
    out.insert("aws_cloudtrail", names(&w["cloudtrail"]["trails"]));
    out
}

/// The same kinds as the state sees them (the id each instance manages).
fn state_entities(t: &Test) -> BTreeMap<&'static str, BTreeSet<String>> {
    let s = read_json(t, "state.json");
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for kind in [
        "aws_kms_key",
        "aws_kms_alias",
        "aws_s3_bucket",
        "aws_iam_user",
        "aws_cloudtrail",
    ] {
        out.insert(kind, BTreeSet::new());
    }
    for r in s["resources"].as_array().cloned().unwrap_or_default() {
        if r["mode"] != "managed" {
            continue;
        }
        let kind = r["type"].as_str().unwrap_or_default();
        let Some(set) = out.iter_mut().find(|(k, _)| **k == kind).map(|(_, v)| v) else {
            continue;
        };
        for i in r["instances"].as_array().cloned().unwrap_or_default() {
            let a = &i["attributes"];
            let id = match kind {
                "aws_kms_key" => a["key_id"].as_str(),
                "aws_kms_alias" | "aws_iam_user" | "aws_cloudtrail" => a["name"].as_str(),
                _ => a["id"].as_str(),
            };
            set.insert(id.unwrap_or_default().to_string());
        }
    }
    out
}

/// Plan says there is nothing left to do, and state and world agree entity for entity.
#[track_caller]
fn assert_converged(t: &Test, context: &str) {
    let r = t.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(
        r.code, 0,
        "{context}: the plan after recovery is not clean\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    assert!(r.stdout.contains("No changes."), "{context}: {}", r.stdout);
    assert!(
        !t.path().join(".keyform/journal.jsonl").exists(),
        "{context}: a finished apply leaves no journal"
    );
    assert_eq!(
        world_entities(t),
        state_entities(t),
        "{context}: the world holds something the state does not (or the reverse)"
    );
}

/// After a crash: every file still loads, the stale lock is reported with the way out, and the
/// way out works.
#[track_caller]
fn recover(t: &Test, context: &str) {
    t.run(&["state", "list"]).success();
    t.run(&["show", "-json"]).success();
    let r: Run = t.run(&["plan"]);
    assert_eq!(r.code, 1, "{context}: {}", r.stderr);
    assert!(
        r.stderr.contains("lock.info was left behind by keyform")
            && r.stderr.contains("is no longer running")
            && r.stderr.contains("keyform force-unlock"),
        "{context}: the stale lock is not reported clearly:\n{}",
        r.stderr
    );
    t.run(&["force-unlock"])
        .success()
        .stdout_has("keyform state has been successfully unlocked!");
    t.run(&["plan"]).success();
}

/// Crashes `args` at every point of `kind` in turn on fresh copies made by `setup`, checking
/// recovery after each; returns how many crash points were tried.
fn crash_everywhere(
    kind: &str,
    args: &[&str],
    setup: &dyn Fn() -> Test,
    after: &dyn Fn(&Test, &str),
) -> usize {
    let mut n = 1;
    loop {
        let t = setup();
        let point = format!("{kind}:{n}");
        if !crashed(&t, args, &point) {
            return n - 1;
        }
        let context = format!("{} crashed at {point}", args[0]);
        recover(&t, &context);
        after(&t, &context);
        n += 1;
        assert!(n < 500, "{kind}: no end to the crash points");
    }
}

fn fresh_lab() -> Test {
    let t = Test::lab(LAB);
    t.run(&["init"]).success();
    t
}

fn applied_lab() -> Test {
    let t = fresh_lab();
    t.run(&["apply", "-auto-approve"]).success();
    t
}

/// The lab's own expectations on top of state/world agreement: exactly one of each thing.
#[track_caller]
fn assert_lab_world(t: &Test, context: &str) {
    let w = &read_json(t, "world.json")["world"];
    let keys: Vec<&Json> = w["kms"]["keys"]
        .as_object()
        .unwrap()
        .values()
        .filter(|k| k["description"] == "Envelope encryption key for data and CloudTrail logs")
        .collect();
    assert_eq!(keys.len(), 1, "{context}: the lab key exists once");
    let aliases = w["kms"]["aliases"].as_object().unwrap();
    assert_eq!(
        aliases["alias/envelope-lab"]["target_key_id"], keys[0]["key_id"],
        "{context}"
    );
    let e = world_entities(t);
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(
        e["aws_s3_bucket"],
        set(&["envelope-lab-cloudtrail-logs", "envelope-lab-data"]),
        "{context}"
    );
    assert_eq!(
        e["aws_iam_user"],
        set(&["analyst", "app-user", "kms-key-admin"]),
        "{context}"
    );
    assert_eq!(
        e["aws_cloudtrail"],
        set(&["envelope-lab-trail"]),
        "{context}"
    );
    // CloudTrail recorded each create once: a lost journal record lost its events with it,
    // and the recovery's creates were recorded once each.
    let events = w["cloudtrail"]["events"].as_array().unwrap();
    let count = |name: &str| {
        events
            .iter()
            .filter(|e| e["eventName"] == name && e.get("errorCode").is_none())
            .count()
    };
    assert_eq!(
        (
            count("CreateKey"),
            count("CreateAlias"),
            count("CreateBucket"),
            count("CreateUser"),
            count("CreateTrail")
        ),
        (1, 1, 2, 3, 1),
        "{context}: CloudTrail events of the creates"
    );
    // Delivered CloudTrail log files never hold an event twice (a delivery lost to a crash is
    // delivered again, once).
    let list = t
        .run(&[
            "sim",
            "s3api",
            "list-objects-v2",
            "--bucket",
            "envelope-lab-cloudtrail-logs",
        ])
        .success()
        .stdout;
    let list: Json = serde_json::from_str(&list).unwrap();
    let mut seen = BTreeSet::new();
    for (i, o) in list["Contents"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let out = t.path().join(format!("log-{i}.json.gz"));
        t.run(&[
            "sim",
            "s3api",
            "get-object",
            "--bucket",
            "envelope-lab-cloudtrail-logs",
            "--key",
            o["Key"].as_str().unwrap(),
            out.to_str().unwrap(),
        ])
        .success();
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(&out).unwrap()),
            &mut text,
        )
        .unwrap();
        let log: Json = serde_json::from_str(&text).unwrap();
        for r in log["Records"].as_array().unwrap() {
            let id = r["eventID"].as_str().unwrap().to_string();
            assert!(seen.insert(id), "{context}: an event was delivered twice");
        }
    }
    assert!(!seen.is_empty(), "{context}: the trail delivered");
    // The state holds all 14 managed resources.
    let list = t.run(&["state", "list"]).success().stdout;
    let managed = list.lines().filter(|l| !l.starts_with("data.")).count();
    assert_eq!(managed, 14, "{context}: {list}");
}

#[test]
fn apply_crashed_at_every_point_converges_without_duplicates_or_orphans() {
    let after = |t: &Test, context: &str| {
        t.run(&["apply", "-auto-approve"]).success();
        assert_converged(t, context);
        assert_lab_world(t, context);
    };
    let provider = crash_everywhere("provider", &["apply", "-auto-approve"], &fresh_lab, &after);
    let writes = crash_everywhere("write", &["apply", "-auto-approve"], &fresh_lab, &after);
    eprintln!("apply crash points tried: {provider} provider calls, {writes} durable writes");
    assert!(
        provider >= 14,
        "every one of the 14 creates is a crash point"
    );
    assert!(
        writes >= 14 + 3,
        "a record per change plus the snapshot files"
    );
}

#[test]
fn destroy_crashed_at_every_point_converges_to_nothing_managed() {
    let after = |t: &Test, context: &str| {
        t.run(&["destroy", "-auto-approve"]).success();
        let e = world_entities(t);
        assert!(
            e.values().all(BTreeSet::is_empty),
            "{context}: left in the world after destroy: {e:?}"
        );
        let list = t.run(&["state", "list"]).success().stdout;
        assert!(
            list.lines().all(|l| l.starts_with("data.")),
            "{context}: {list}"
        );
        // Exactly one key, pending deletion: destroy never made or scheduled a second one.
        let w = &read_json(t, "world.json")["world"];
        let pending: Vec<_> = w["kms"]["keys"]
            .as_object()
            .unwrap()
            .values()
            .filter(|k| k["key_manager"] != "AWS")
            .map(|k| k["state"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(pending, vec!["PendingDeletion"], "{context}");
        t.run(&["plan", "-destroy", "-detailed-exitcode"])
            .status(0)
            .stdout_has("No changes.");
    };
    let provider = crash_everywhere(
        "provider",
        &["destroy", "-auto-approve"],
        &applied_lab,
        &after,
    );
    let writes = crash_everywhere("write", &["destroy", "-auto-approve"], &applied_lab, &after);
    eprintln!("destroy crash points tried: {provider} provider calls, {writes} durable writes");
    assert!(provider >= 14);
    assert!(writes >= 14);
}

const OBJECTS: &str = r#"
resource "aws_kms_key" "k" {
  description             = "objects key"
  deletion_window_in_days = 7
}

resource "aws_s3_bucket" "b" {
  bucket = "crash-objects"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  bucket = aws_s3_bucket.b.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
  }
}

resource "aws_s3_object" "o" {
  for_each   = toset(["a", "b", "c"])
  bucket     = aws_s3_bucket.b.id
  key        = "${each.key}.txt"
  content    = "VERSION of ${each.key}"
  depends_on = [aws_s3_bucket_server_side_encryption_configuration.b]
}
"#;

fn objects_at(version: &str) -> String {
    OBJECTS.replace("VERSION", version)
}

/// Every object reads back, and with one of the two contents it may have: never an object
/// whose body is gone, never another's body.
#[track_caller]
fn assert_objects_readable(t: &Test, allowed: &[&str], context: &str) {
    for k in ["a", "b", "c"] {
        let out = t.path().join(format!("{k}.out"));
        let r = t.run(&[
            "sim",
            "s3api",
            "get-object",
            "--bucket",
            "crash-objects",
            "--key",
            &format!("{k}.txt"),
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{context}: {k}.txt unreadable: {}", r.stderr);
        let body = std::fs::read_to_string(&out).unwrap();
        assert!(
            allowed.iter().any(|v| body == format!("{v} of {k}")),
            "{context}: {k}.txt holds {body:?}"
        );
    }
}

#[test]
fn object_bodies_survive_a_crash_at_every_point_of_an_update() {
    let setup = || {
        let t = Test::new().file("main.tf", &objects_at("first"));
        t.run(&["apply", "-auto-approve"]).success();
        t.write("main.tf", &objects_at("second"));
        t
    };
    let after = |t: &Test, context: &str| {
        // Whatever the crash kept is readable: old or new, never lost.
        assert_objects_readable(t, &["first", "second"], context);
        t.run(&["apply", "-auto-approve"]).success();
        t.run(&["plan", "-detailed-exitcode"]).status(0);
        assert_objects_readable(t, &["second"], context);
        // Bodies nothing refers to any more are gone once the snapshot is saved, except the
        // ones the world backup (the previous command's world) still refers to.
        let world = read_json(t, "world.json");
        let backup = read_json(t, "world.json.backup");
        let referenced: BTreeSet<String> = [world, backup]
            .iter()
            .flat_map(|w| {
                w["world"]["s3"]["objects"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
                    .into_values()
                    .flat_map(|objs| {
                        objs.as_object()
                            .cloned()
                            .unwrap_or_default()
                            .into_values()
                            .map(|o| o["blob"].as_str().unwrap_or_default().to_string())
                    })
            })
            .collect();
        let on_disk: BTreeSet<String> = std::fs::read_dir(t.path().join(".keyform/objects"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            on_disk.is_subset(&referenced),
            "{context}: unreferenced bodies left: {:?}",
            on_disk.difference(&referenced).collect::<Vec<_>>()
        );
        assert!(
            referenced.is_subset(&on_disk),
            "{context}: bodies missing: {:?}",
            referenced.difference(&on_disk).collect::<Vec<_>>()
        );
    };
    let provider = crash_everywhere("provider", &["apply", "-auto-approve"], &setup, &after);
    let writes = crash_everywhere("write", &["apply", "-auto-approve"], &setup, &after);
    eprintln!("object update crash points tried: {provider} provider calls, {writes} writes");
    assert!(provider >= 3 && writes >= 6);
}

#[test]
fn sim_calls_crashed_at_every_write_keep_objects_readable() {
    // Overwrites and deletes by `sim` calls: the old body must stay until the world that
    // refers to it is replaced on disk.
    let setup = || {
        let t = Test::new().file("main.tf", &objects_at("first"));
        t.run(&["apply", "-auto-approve"]).success();
        t
    };
    let mut tried = 0;
    for n in 1.. {
        let t = setup();
        t.write("new.txt", "second of a");
        if !crashed(
            &t,
            &[
                "sim",
                "s3api",
                "put-object",
                "--bucket",
                "crash-objects",
                "--key",
                "a.txt",
                "--body",
                "new.txt",
            ],
            &format!("write:{n}"),
        ) {
            break;
        }
        tried += 1;
        let context = format!("put-object crashed at write:{n}");
        t.run(&["force-unlock"]).success();
        assert_objects_readable(&t, &["first", "second"], &context);
    }
    for n in 1.. {
        let t = setup();
        if !crashed(
            &t,
            &[
                "sim",
                "s3api",
                "delete-object",
                "--bucket",
                "crash-objects",
                "--key",
                "b.txt",
            ],
            &format!("write:{n}"),
        ) {
            break;
        }
        tried += 1;
        t.run(&["force-unlock"]).success();
        let r = t.run(&[
            "sim",
            "s3api",
            "get-object",
            "--bucket",
            "crash-objects",
            "--key",
            "b.txt",
            "out.txt",
        ]);
        // Either the delete did not happen (and the body is intact) or it did.
        if r.code == 0 {
            assert_eq!(t.read("out.txt"), "first of b");
        } else {
            assert!(r.stderr.contains("NoSuchKey"), "{}", r.stderr);
        }
    }
    eprintln!("sim crash points tried: {tried}");
    assert!(tried >= 2);
}

#[test]
fn init_crashed_at_every_write_leaves_a_directory_the_next_command_can_use() {
    let mut tried = 0;
    for n in 1.. {
        let t = Test::lab("aerosecure-sse-kms");
        if !crashed(&t, &["init"], &format!("write:{n}")) {
            break;
        }
        tried += 1;
        let context = format!("init crashed at write:{n}");
        // The init's lock is stale; once released, the lab applies and converges.
        t.run(&["force-unlock"]).success();
        let r = t.run(&["apply", "-auto-approve"]);
        assert_eq!(r.code, 0, "{context}: {}", r.stderr);
        assert_converged(&t, &context);
    }
    eprintln!("init crash points tried: {tried}");
    assert!(
        tried >= 3,
        "root key, world and state are each a crash point"
    );
}

#[test]
fn a_create_that_fails_part_way_keeps_what_it_made_as_tainted_never_duplicates_it() {
    // CreateKey succeeds (the lockout check is bypassed), then EnableKeyRotation is denied by
    // the key's own policy: the key exists, so it must be in the state (tainted), not left
    // unmanaged in the world for the next apply to create a second one.
    let t = Test::new().file(
        "main.tf",
        r#"
resource "aws_iam_user" "other" {
  name = "other"
}

resource "aws_kms_key" "k" {
  description                        = "locked out"
  bypass_policy_lockout_safety_check = true
  enable_key_rotation                = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = aws_iam_user.other.arn }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
"#,
    );
    t.run(&["apply", "-auto-approve"])
        .status(1)
        .stderr_has("AccessDeniedException");
    t.run(&["state", "list"])
        .success()
        .stdout_has("aws_kms_key.k");
    t.run(&["show"]).success().stdout_has("(tainted)");
    t.run(&["plan"])
        .success()
        .stdout_has("# aws_kms_key.k is tainted, so must be replaced");
    assert_eq!(world_entities(&t), state_entities(&t), "nothing unmanaged");
    // The replacement cannot destroy a key that locked its caller out: it stops there, and
    // never makes a second key.
    t.run(&["apply", "-auto-approve"]).status(1);
    let keys = t
        .run(&["sim", "kms", "list-keys"])
        .success()
        .stdout
        .matches("\"KeyId\"")
        .count();
    assert_eq!(keys, 1);
}
