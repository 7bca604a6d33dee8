//! Test-only hooks. This module exists only in debug builds (`cfg(debug_assertions)`, which
//! `cargo test` uses) or with the cargo feature `test-hooks`; a release build has no code for
//! it, so no environment variable can make a shipped keyform reveal a secret, crash on purpose
//! or stall.
//!
//! `KEYFORM_TEST_REVEAL_KEY_MATERIAL=FILE`: just before a scheduled key deletion destroys a
//! key's material, append one line per material version to FILE (created 0600):
//! `<key id> <version> <material as lowercase hex>`. Tests use it to prove that, once the
//! deletion ran, no file under `.keyform/` holds that material in any encoding. Every other
//! secret the cloud makes is appended too, as `secret <what> <hex>`: key material when a key is
//! created or rotated, data keys (GenerateDataKey's plaintext, S3's per-object and bucket keys,
//! S3-managed keys), so a test can scan every file and output for any of them.
//!
//! `KEYFORM_CRASH_AFTER=provider:N` or `write:N`: abort the process (`std::process::abort`, no
//! destructors, no flushing: as close to a power cut as a test can get) right after the Nth
//! provider call that changes the cloud (create, update, delete) or right after the Nth durable
//! write (a journal record, an object body, a snapshot file, the journal being emptied).
//!
//! `KEYFORM_TEST_PAUSE_AFTER_LOCK=FILE`: once a command holds the workspace lock, wait (at most
//! 60 s) until FILE exists, so a test can start a second command while the first is known to
//! hold the lock.

use std::io::Write;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::sim::crypto::KeyMaterial;

/// The environment variable naming the file key material is revealed to.
pub const REVEAL_KEY_MATERIAL_ENV: &str = "KEYFORM_TEST_REVEAL_KEY_MATERIAL";
/// The environment variable choosing a crash point: `provider:N` or `write:N`.
pub const CRASH_AFTER_ENV: &str = "KEYFORM_CRASH_AFTER";
/// The environment variable naming the file a lock holder waits for.
pub const PAUSE_AFTER_LOCK_ENV: &str = "KEYFORM_TEST_PAUSE_AFTER_LOCK";

fn append_reveal(lines: &[String]) {
    let Some(path) = std::env::var_os(REVEAL_KEY_MATERIAL_ENV).filter(|p| !p.is_empty()) else {
        return;
    };
    let Ok(mut f) = crate::fsutil::open_private(std::path::Path::new(&path), true) else {
        return;
    };
    for l in lines {
        let _ = writeln!(f, "{l}");
    }
}

/// Appends the material of a key about to be deleted to the file the environment names, if any.
/// Failures are ignored: this is a test aid and must never change what the cloud does.
pub(crate) fn reveal_before_deletion(key_id: &str, materials: &[(u32, KeyMaterial)]) {
    let lines: Vec<String> = materials
        .iter()
        .map(|(version, m)| format!("{key_id} {version} {}", hex::encode(m.expose())))
        .collect();
    append_reveal(&lines);
}

/// Appends a freshly made secret (`what` says which kind) to the file the environment names.
pub(crate) fn reveal_secret(what: &str, bytes: &[u8]) {
    append_reveal(&[format!("secret {what} {}", hex::encode(bytes))]);
}

/// Which kind of step a crash point counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashKind {
    /// A provider call that changes the cloud.
    Provider,
    /// A durable write to `.keyform/` (or a saved plan).
    Write,
}

fn crash_target() -> Option<(CrashKind, u64)> {
    static TARGET: OnceLock<Option<(CrashKind, u64)>> = OnceLock::new();
    *TARGET.get_or_init(|| {
        let v = std::env::var(CRASH_AFTER_ENV).ok()?;
        let (kind, n) = v.split_once(':')?;
        let kind = match kind {
            "provider" => CrashKind::Provider,
            "write" => CrashKind::Write,
            _ => return None,
        };
        Some((kind, n.parse().ok()?))
    })
}

/// Counts one step of `kind` and aborts the process if it is the one the environment names.
pub(crate) fn crash_point(kind: CrashKind) {
    static PROVIDER: AtomicU64 = AtomicU64::new(0);
    static WRITE: AtomicU64 = AtomicU64::new(0);
    let Some((target, n)) = crash_target() else {
        return;
    };
    if target != kind {
        return;
    }
    let counter = match kind {
        CrashKind::Provider => &PROVIDER,
        CrashKind::Write => &WRITE,
    };
    if counter.fetch_add(1, Ordering::SeqCst) + 1 == n {
        std::process::abort();
    }
}

/// Waits for the file the environment names (at most 60 s), holding whatever the caller holds.
pub(crate) fn pause_after_lock() {
    let Some(path) = std::env::var_os(PAUSE_AFTER_LOCK_ENV).filter(|p| !p.is_empty()) else {
        return;
    };
    let start = std::time::Instant::now();
    while !std::path::Path::new(&path).exists()
        && start.elapsed() < std::time::Duration::from_secs(60)
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
