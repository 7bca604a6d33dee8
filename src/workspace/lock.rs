//! The workspace lock: an OS file lock on `.keyform/lock` (released by the kernel if the holder
//! dies) plus `.keyform/lock.info` naming the holder, so a second process can say whom it is
//! waiting for.
//!
//! A holder removes `lock.info` before it releases the OS lock, so finding `lock.info` while the
//! OS lock is free means its holder ended without finishing (killed, crashed, power cut). What
//! happens next depends on what the holder was doing. An apply or destroy that stopped half way
//! left the infrastructure half changed: that stale lock is an error, with `keyform
//! force-unlock` as the way out, so the user learns of it before going on (the finished part is
//! safe in the journal and is recovered either way). Every other command leaves nothing half
//! done (a plan changes nothing; `sim`, `state rm` and `init` save in one atomic step; `serve`
//! saves every request and is normally stopped by a signal): its stale lock is released and
//! reported as a notice.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Who holds the lock.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LockInfo {
    pub pid: u32,
    pub operation: String,
    pub who: String,
    pub created: String,
}

impl std::fmt::Display for LockInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "keyform {} (process {}, {}) since {}",
            self.operation, self.pid, self.who, self.created
        )
    }
}

/// Why the lock could not be taken or released.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "Error acquiring the state lock: {path} is held by {holder}. Wait for it to finish, or retry with -lock-timeout=DURATION to wait."
    )]
    Held { path: PathBuf, holder: String },
    #[error(
        "{path} was left behind by {holder}, which {fate}: that command stopped before it finished (killed or crashed), so its lock was never released. Its finished changes are kept (keyform journals each change as it happens) and the next command recovers them. If no keyform is running in this directory any more, release the lock with keyform force-unlock, then run keyform plan to see what is left to do."
    )]
    Stale {
        path: PathBuf,
        holder: String,
        /// "is no longer running" or "no longer holds it".
        fate: String,
    },
    #[error(
        "{path} is held by {holder}, which is still running. force-unlock only clears a lock whose holder has died; wait for that command to finish."
    )]
    StillHeld { path: PathBuf, holder: String },
    #[error(
        "The lock id {given:?} does not match the lock in {path} (its id is {id}, held by {holder}). Run keyform force-unlock {id} to release it."
    )]
    WrongId {
        path: PathBuf,
        given: String,
        id: u32,
        holder: String,
    },
    #[error("Error acquiring the state lock: {path}: {message}")]
    Io { path: PathBuf, message: String },
}

/// The holder of the lock; dropping it releases the lock.
pub(super) struct LockGuard {
    _file: File,
    info_path: PathBuf,
    /// Set when a stale lock of a command that leaves nothing half done was released.
    pub(super) released_stale: Option<String>,
}

/// Operations whose interruption leaves changes half made: their stale locks need force-unlock.
const HALF_DONE_IF_INTERRUPTED: &[&str] = &["apply", "destroy"];

/// True if a process with this id exists (Linux: /proc/PID). Where /proc is absent, None.
pub fn pid_alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// The holder named by `lock.info`: Some(described holder) if the file exists.
fn read_holder(info_path: &Path) -> Option<(Option<LockInfo>, String)> {
    let text = std::fs::read_to_string(info_path).ok()?;
    let info = serde_json::from_str::<LockInfo>(&text).ok();
    let desc = info.as_ref().map_or_else(
        || "a keyform process that left an unreadable lock.info".to_string(),
        LockInfo::to_string,
    );
    Some((info, desc))
}

/// How a stale holder ended, for the message.
fn fate(info: Option<&LockInfo>) -> String {
    match info.map(|i| (i.pid, pid_alive(i.pid))) {
        Some((_, Some(false))) => "is no longer running".into(),
        _ => "no longer holds it".into(),
    }
}

impl LockGuard {
    pub(super) fn acquire(
        dir: &Path,
        operation: &str,
        timeout: Duration,
    ) -> Result<LockGuard, LockError> {
        let path = dir.join("lock");
        let info_path = dir.join("lock.info");
        let io = |e: std::io::Error| LockError::Io {
            path: path.clone(),
            message: e.to_string(),
        };
        let file = crate::fsutil::open_private(&path, true).map_err(io)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= timeout {
                        return Err(LockError::Held {
                            path,
                            holder: holder_of_held(&info_path),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let mut released_stale = None;
        if let Some((info, holder)) = read_holder(&info_path) {
            // We hold the OS lock, so whoever wrote lock.info does not: it died holding it.
            let fate = fate(info.as_ref());
            let half_done = info
                .as_ref()
                .is_none_or(|i| HALF_DONE_IF_INTERRUPTED.contains(&i.operation.as_str()));
            if half_done {
                return Err(LockError::Stale {
                    path: info_path,
                    fate,
                    holder,
                });
            }
            released_stale = Some(format!(
                "The lock left by {holder}, which {fate}, was released: that command leaves nothing half done."
            ));
        }
        let info = LockInfo {
            pid: std::process::id(),
            operation: operation.to_string(),
            who: std::env::var("USER").unwrap_or_else(|_| "unknown user".into()),
            created: crate::sim::clock::iso8601(crate::sim::clock::wall_clock_now()),
        };
        let text = serde_json::to_string(&info).unwrap_or_default();
        // Written whole (temp file + rename) so a reader never sees half a holder.
        crate::fsutil::atomic_write(&info_path, text.as_bytes()).map_err(io)?;
        crate::sim::pause_after_lock();
        Ok(LockGuard {
            _file: file,
            info_path,
            released_stale,
        })
    }
}

/// Who holds a lock we could not take. The holder writes lock.info just after taking the lock,
/// so a missing note is worth a few short waits.
fn holder_of_held(info_path: &Path) -> String {
    for _ in 0..10 {
        if let Some((_, h)) = read_holder(info_path) {
            return h;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    "another keyform process".to_string()
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Before the OS lock is released (the file closes after this), so a lock.info seen
        // while the OS lock is free is always stale.
        let _ = std::fs::remove_file(&self.info_path);
    }
}

/// What `force-unlock` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Unlocked {
    /// There was no lock.info: nothing to do.
    NothingHeld,
    /// The stale lock.info of this holder was removed.
    Released(String),
}

/// Removes a stale lock.info. Refuses while a live process holds the OS lock: that lock is
/// released when its holder ends, and removing its note would only hide who holds it.
pub(super) fn force_unlock(dir: &Path, lock_id: Option<&str>) -> Result<Unlocked, LockError> {
    let path = dir.join("lock");
    let info_path = dir.join("lock.info");
    let io = |e: std::io::Error| LockError::Io {
        path: path.clone(),
        message: e.to_string(),
    };
    if !dir.is_dir() {
        return Ok(Unlocked::NothingHeld);
    }
    let file = crate::fsutil::open_private(&path, true).map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(LockError::StillHeld {
                path,
                holder: holder_of_held(&info_path),
            });
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
    }
    let Some((info, holder)) = read_holder(&info_path) else {
        return Ok(Unlocked::NothingHeld);
    };
    if let (Some(id), Some(info)) = (lock_id, &info)
        && id != info.pid.to_string()
    {
        return Err(LockError::WrongId {
            path: info_path,
            given: id.to_string(),
            id: info.pid,
            holder,
        });
    }
    std::fs::remove_file(&info_path).map_err(io)?;
    crate::fsutil::sync_dir(dir).map_err(io)?;
    Ok(Unlocked::Released(holder))
}
