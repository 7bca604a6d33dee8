//! Opening a working directory's `.keyform/` for one command: take the lock (when asked), load
//! state and world, and create them on first use.
//!
//! Owns the order of those steps (the lock is taken before a world is created, so two first
//! commands never both create one). Does not own what the configuration asks of the world (its
//! region is checked by `engine`) nor how failures are worded for the user (`engine` turns an
//! [`OpenError`] into a diagnostic).

use std::path::Path;
use std::time::Duration;

use super::{Workspace, WorkspaceError};
use crate::sim::Cloud;
use crate::state::State;

/// The lock a command takes: its name (shown to whoever finds the lock held) and how long to
/// wait for it.
#[derive(Debug, Clone, Copy)]
pub struct LockRequest<'a> {
    pub operation: &'a str,
    pub timeout: Duration,
}

/// Which step of opening failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The lock is held by another command, or could not be taken.
    #[error(transparent)]
    Lock(WorkspaceError),
    /// State or world could not be loaded.
    #[error(transparent)]
    Load(WorkspaceError),
    /// A new world could not be created.
    #[error(transparent)]
    Create(WorkspaceError),
}

/// A workspace taken (locked, if asked) and, when its world already existed, loaded. Needs
/// nothing from the configuration, so it can run while the configuration loads.
pub struct Taken {
    ws: Workspace,
    loaded: Option<(State, Cloud)>,
    /// A stale lock that was released to take this one: a notice for the user.
    pub lock_notice: Option<String>,
}

/// A workspace ready for a command: locked if asked, with its state and world.
pub struct Opened {
    pub ws: Workspace,
    pub state: State,
    pub cloud: Cloud,
    /// A stale lock that was released to take this one: a notice for the user.
    pub lock_notice: Option<String>,
}

/// Takes the lock and loads state and world if the workspace exists.
pub fn take(dir: &Path, lock: Option<LockRequest<'_>>) -> Result<Taken, OpenError> {
    let mut ws = Workspace::at(dir);
    // Locked before the world is created, so two first commands never both create one.
    let mut lock_notice = None;
    if let Some(l) = lock {
        ws.lock(l.operation, l.timeout).map_err(OpenError::Lock)?;
        lock_notice = ws.take_lock_notice();
    }
    let loaded = if ws.exists() {
        Some(ws.load().map_err(OpenError::Load)?)
    } else {
        None
    };
    Ok(Taken {
        ws,
        loaded,
        lock_notice,
    })
}

impl Taken {
    /// Creates the world, in `region_if_new`, when there was none, and loads it.
    pub fn finish(self, region_if_new: &str) -> Result<Opened, OpenError> {
        let Taken {
            mut ws,
            loaded,
            lock_notice,
        } = self;
        let (state, cloud) = match loaded {
            Some(l) => l,
            None => {
                ws.init(crate::sim::DEFAULT_ACCOUNT, region_if_new)
                    .map_err(OpenError::Create)?;
                ws.load().map_err(OpenError::Load)?
            }
        };
        Ok(Opened {
            ws,
            state,
            cloud,
            lock_notice,
        })
    }
}

/// Opens the workspace of `dir`: lock, load, and create the world on first use.
pub fn open(
    dir: &Path,
    lock: Option<LockRequest<'_>>,
    region_if_new: &str,
) -> Result<Opened, OpenError> {
    take(dir, lock)?.finish(region_if_new)
}
