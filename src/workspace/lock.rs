//! The workspace lock: an OS file lock (released by the kernel if the holder dies) plus a note
//! of who holds it, so a second process can say whom it is waiting for.

use std::fs::File;
use std::io::Write;
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

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "Error acquiring the state lock: {path} is held by {holder}. Wait for it to finish, or retry with -lock-timeout=DURATION to wait."
    )]
    Held { path: PathBuf, holder: String },
    #[error("Error acquiring the state lock: {path}: {message}")]
    Io { path: PathBuf, message: String },
}

pub(super) struct LockGuard {
    _file: File,
    info_path: PathBuf,
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
                        let holder = std::fs::read_to_string(&info_path)
                            .ok()
                            .and_then(|t| serde_json::from_str::<LockInfo>(&t).ok())
                            .map_or_else(
                                || "another keyform process".to_string(),
                                |i| i.to_string(),
                            );
                        return Err(LockError::Held { path, holder });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        let info = LockInfo {
            pid: std::process::id(),
            operation: operation.to_string(),
            who: std::env::var("USER").unwrap_or_else(|_| "unknown user".into()),
            created: crate::sim::clock::iso8601(crate::sim::clock::wall_clock_now()),
        };
        let mut f = crate::fsutil::open_private(&info_path, false).map_err(io)?;
        f.write_all(serde_json::to_string(&info).unwrap_or_default().as_bytes())
            .map_err(io)?;
        Ok(LockGuard {
            _file: file,
            info_path,
        })
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.info_path);
    }
}
