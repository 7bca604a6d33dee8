//! Lock contention: while another process holds the state lock, plan fails fast naming the
//! holder; with -lock-timeout it waits for the lock instead.

use std::io::Write;
use std::time::Duration;

use crate::support::Test;

const USER: &str = "resource \"aws_iam_user\" \"u\" {\n  name = \"locked\"\n}\n";

/// Takes `.keyform/lock` the way a running keyform apply does, with a note saying who holds it.
fn hold_lock(t: &Test) -> std::fs::File {
    let dir = t.path().join(".keyform");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .expect("open lock");
    f.lock().expect("take the lock");
    let mut info = std::fs::File::create(dir.join("lock.info")).expect("lock.info");
    info.write_all(
        br#"{"pid":4242,"operation":"apply","who":"tester","created":"2026-01-01T00:00:00Z"}"#,
    )
    .expect("write lock.info");
    f
}

#[test]
fn a_held_lock_fails_fast_naming_the_holder() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["init"]).success();
    let _held = hold_lock(&t);
    let r = t.run(&["plan"]).status(1);
    assert_eq!(
        r.stderr,
        "\nError: Error acquiring the state lock\nThe state in .keyform is locked by keyform apply (process 4242, tester) since 2026-01-01T00:00:00Z. keyform takes this lock so that two commands never change the same state at once. Wait for that command to finish, or retry with -lock-timeout=DURATION (like -lock-timeout=30s) to wait for it. If no keyform process is running any more, release the lock with keyform force-unlock.\n"
    );
    t.run(&["apply", "-auto-approve"])
        .status(1)
        .stderr_has("Error: Error acquiring the state lock");
    t.run(&["state", "rm", "aws_iam_user.u"])
        .status(1)
        .stderr_has("Error: Error acquiring the state lock");
    // Nothing was applied while the lock was held.
    t.run(&["state", "list"]).success().stdout_is("");
    // -lock=false plans without it (read-only use of the state).
    t.run(&["plan", "-lock=false"]).success();
}

#[test]
fn lock_timeout_waits_for_the_holder_to_finish() {
    let t = Test::new().file("main.tf", USER);
    t.run(&["init"]).success();
    let held = hold_lock(&t);
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });
    t.run(&["apply", "-auto-approve", "-lock-timeout=60s"])
        .success()
        .stdout_has("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    release.join().expect("release thread");
    t.run(&["plan", "-lock-timeout=bogus"])
        .status(1)
        .stderr_has("Error: Invalid -lock-timeout");
}
