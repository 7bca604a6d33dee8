//! Concurrency: two commands on one directory. While one holds the lock the other fails fast
//! naming it (or waits with -lock-timeout); a lock left by a process that died is reported with
//! `keyform force-unlock` as the way out, and force-unlock never releases a live holder's lock.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Test, keyform_bin};

const PAUSE_ENV: &str = "KEYFORM_TEST_PAUSE_AFTER_LOCK";

const USERS: &str = r#"
resource "aws_iam_user" "u" {
  for_each = toset(["ann", "bob", "cy"])
  name     = each.key
}
"#;

/// A keyform command running in the background that holds the lock until `go` exists.
struct Holder {
    child: Child,
    go: PathBuf,
}

impl Holder {
    fn start(t: &Test, args: &[&str]) -> Holder {
        let go = t.path().join("go");
        let child = Command::new(keyform_bin())
            .args(args)
            .current_dir(t.path())
            .env("NO_COLOR", "1")
            .env(PAUSE_ENV, &go)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn keyform");
        let info = t.path().join(".keyform/lock.info");
        let start = Instant::now();
        while !info.exists() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the holder never took the lock"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        Holder { child, go }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn still_running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }

    /// Lets it go on and waits for it: (exit code, stdout).
    fn finish(self) -> (i32, String) {
        std::fs::write(&self.go, "").expect("write go");
        let out = self.child.wait_with_output().expect("wait");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}

fn lock_info(t: &Test) -> Option<serde_json::Value> {
    std::fs::read_to_string(t.path().join(".keyform/lock.info"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
}

#[test]
fn of_two_applies_at_once_one_proceeds_and_the_other_fails_fast_naming_it() {
    let t = Test::new().file("main.tf", USERS);
    t.run(&["init"]).success();
    let mut first = Holder::start(&t, &["apply", "-auto-approve"]);
    let second = t.run(&["apply", "-auto-approve"]);
    assert!(
        first.still_running(),
        "the second apply returned only after the first finished: it did not fail fast"
    );
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(
        second.stderr.contains("Error acquiring the state lock")
            && second
                .stderr
                .contains(&format!("keyform apply (process {}", first.pid())),
        "the lock error names the holder:\n{}",
        second.stderr
    );
    assert!(second.stdout.is_empty(), "the loser changed nothing");
    let (code, out) = first.finish();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Apply complete! Resources: 3 added"), "{out}");
    // Exactly one of each user: the second apply created nothing.
    let users = t
        .run(&["sim", "iam", "list-users"])
        .success()
        .stdout
        .matches("\"UserName\"")
        .count();
    assert_eq!(users, 4, "lab-admin and the three users, once each");
    assert!(
        lock_info(&t).is_none(),
        "a finished holder removes its note"
    );
}

#[test]
fn lock_timeout_waits_for_the_holder_then_proceeds() {
    let t = Test::new().file("main.tf", USERS);
    t.run(&["init"]).success();
    let first = Holder::start(&t, &["apply", "-auto-approve"]);
    let waiter = Command::new(keyform_bin())
        .args(["apply", "-auto-approve", "-lock-timeout=60s"])
        .current_dir(t.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn waiter");
    std::thread::sleep(Duration::from_millis(300));
    let (code, _) = first.finish();
    assert_eq!(code, 0);
    let out = waiter.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It waited, then planned against what the first apply did.
    assert!(
        stdout.contains("No changes."),
        "the waiter saw the first apply's result:\n{stdout}"
    );
    // Without -lock-timeout the same contention fails; a bad duration is refused.
    t.run(&["plan", "-lock-timeout=soon"])
        .status(1)
        .stderr_has("Invalid -lock-timeout");
}

#[test]
fn force_unlock_refuses_to_release_a_live_holder() {
    let t = Test::new().file("main.tf", USERS);
    t.run(&["init"]).success();
    let mut holder = Holder::start(&t, &["plan"]);
    t.run(&["force-unlock", "-force"])
        .status(1)
        .stderr_has("Failed to unlock state")
        .stderr_has(&format!("keyform plan (process {}", holder.pid()))
        .stderr_has("which is still running");
    assert!(holder.still_running());
    assert!(lock_info(&t).is_some(), "the live holder's note is kept");
    let (code, _) = holder.finish();
    assert_eq!(code, 0);
    t.run(&["force-unlock"])
        .success()
        .stdout_has("No lock is held");
}

/// A lock.info naming a process that does not exist, as a crashed command leaves it.
fn leave_stale_lock(dir: &Path, pid: u32) {
    std::fs::write(
        dir.join(".keyform/lock.info"),
        format!(
            r#"{{"pid":{pid},"operation":"apply","who":"tester","created":"2026-01-01T00:00:00Z"}}"#
        ),
    )
    .expect("write lock.info");
}

/// A process id that is not running now (checked through /proc).
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().expect("spawn true");
    let pid = child.id();
    child.wait().expect("wait");
    assert!(!Path::new(&format!("/proc/{pid}")).exists());
    pid
}

#[test]
fn a_stale_lock_is_reported_with_force_unlock_as_the_way_out() {
    let t = Test::new().file("main.tf", USERS);
    t.run(&["apply", "-auto-approve"]).success();
    let pid = dead_pid();
    leave_stale_lock(t.path(), pid);
    for args in [
        &["plan"][..],
        &["apply", "-auto-approve"],
        &["destroy", "-auto-approve"],
        &["state", "rm", "aws_iam_user.u"],
    ] {
        t.run(args)
            .status(1)
            .stderr_has("Error acquiring the state lock")
            .stderr_has(&format!(
                "lock.info was left behind by keyform apply (process {pid}, tester) since 2026-01-01T00:00:00Z, which is no longer running"
            ))
            .stderr_has("release the lock with keyform force-unlock");
    }
    let r = t
        .run(&["sim", "iam", "list-users"])
        .status(255)
        .stderr_has("is no longer running");
    assert!(r.stdout.is_empty());
    // Reading the state needs no lock.
    t.run(&["state", "list"]).success();
    // A lock id that is not this lock's is refused; the right one (or none) releases it.
    t.run(&["force-unlock", "-force", "12"])
        .status(1)
        .stderr_has(&format!("its id is {pid}"));
    t.run(&["force-unlock", "-force", &pid.to_string()])
        .success()
        .stdout_has("successfully unlocked")
        .stdout_has(&format!("process {pid}"));
    t.run(&["plan", "-detailed-exitcode"]).status(0);
    // An unreadable note is stale all the same.
    std::fs::write(t.path().join(".keyform/lock.info"), "{garbage").unwrap();
    t.run(&["plan"])
        .status(1)
        .stderr_has("unreadable lock.info")
        .stderr_has("keyform force-unlock");
    t.run(&["force-unlock"]).success();
    t.run(&["plan"]).success();
}

#[test]
fn the_first_command_in_a_new_directory_creates_one_world_even_when_raced() {
    // Two first applies at once: one creates the world and applies, the other is refused
    // by the lock before it creates anything (it must never create a second world or root key).
    let t = Test::new().file("main.tf", USERS);
    let first = Holder::start(&t, &["apply", "-auto-approve"]);
    let root = std::fs::read(t.path().join(".keyform/root.key")).ok();
    t.run(&["apply", "-auto-approve"])
        .status(1)
        .stderr_has("Error acquiring the state lock");
    let (code, out) = first.finish();
    assert_eq!(code, 0, "{out}");
    if let Some(root) = root {
        assert_eq!(
            std::fs::read(t.path().join(".keyform/root.key")).unwrap(),
            root,
            "the root key was never replaced"
        );
    }
    t.run(&["plan", "-detailed-exitcode"]).status(0);
}

#[test]
fn a_stale_lock_of_a_command_that_leaves_nothing_half_done_is_released_with_a_notice() {
    let t = Test::new().file("main.tf", USERS);
    t.run(&["apply", "-auto-approve"]).success();
    for op in ["plan", "serve", "sim", "init", "state rm"] {
        let pid = dead_pid();
        std::fs::write(
            t.path().join(".keyform/lock.info"),
            format!(
                r#"{{"pid":{pid},"operation":"{op}","who":"tester","created":"2026-01-01T00:00:00Z"}}"#
            ),
        )
        .unwrap();
        let r = if op == "sim" {
            t.run(&["sim", "iam", "list-users"]).success()
        } else {
            t.run(&["plan", "-detailed-exitcode"]).status(0)
        };
        let stderr = r.stderr;
        assert!(
            stderr.contains(&format!(
                "The lock left by keyform {op} (process {pid}, tester) since 2026-01-01T00:00:00Z, which is no longer running, was released"
            )),
            "{op}: {stderr}"
        );
        assert!(lock_info(&t).is_none(), "{op}: released");
    }
}
