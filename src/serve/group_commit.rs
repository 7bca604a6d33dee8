//! Group commit of serve's journal: a request is answered only once its journal record is
//! durable, and requests that finish while an fsync is running share the next one.
//!
//! Records are appended under the world's lock (cheap, no fsync). Then each request waits
//! here: the first to find no fsync running becomes the leader, takes a handle on everything
//! written so far and fsyncs it on a blocking thread, while the runtime goes on handling other
//! requests; the rest wait for the leader's result and, if it did not cover their record,
//! lead the next round. One fsync thus serves every request that arrived during the previous
//! one, whatever the number of connections.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::watch;

use super::{Service, WireError};

/// Durability shared by every connection of one server.
pub(super) struct GroupCommit {
    /// Records durable so far (a count over the journal's life).
    durable: watch::Sender<u64>,
    /// Whether a leader's fsync is running.
    syncing: AtomicBool,
}

impl GroupCommit {
    pub(super) fn new() -> GroupCommit {
        GroupCommit {
            durable: watch::Sender::new(0),
            syncing: AtomicBool::new(false),
        }
    }

    /// Returns once every record up to `upto` is durable, or why it cannot be made so.
    pub(super) async fn wait(&self, upto: u64, service: &Mutex<Service>) -> Result<(), WireError> {
        let mut seen = self.durable.subscribe();
        loop {
            if *seen.borrow_and_update() >= upto {
                return Ok(());
            }
            if self.syncing.swap(true, Ordering::AcqRel) {
                // A leader is at work; its result (or failure) wakes us to look again.
                if seen.changed().await.is_err() {
                    return Err(lost());
                }
                continue;
            }
            let result = self.lead(service).await;
            self.syncing.store(false, Ordering::Release);
            // Always notify, so waiters whose records this round missed lead the next one.
            self.durable.send_modify(|d| {
                if let Ok(n) = result {
                    *d = (*d).max(n);
                }
            });
            result?;
        }
    }

    /// One round: fsync everything written so far; returns how many records are durable.
    async fn lead(&self, service: &Mutex<Service>) -> Result<u64, WireError> {
        let pending = service.lock().map_err(|_| lost())?.pending_sync()?;
        let done = tokio::task::spawn_blocking(move || pending.run())
            .await
            .map_err(|_| lost())?
            .map_err(|e| {
                WireError::new(
                    "InternalError",
                    500,
                    format!(
                        "keyform could not save the world: the journal could not be synced: {e}"
                    ),
                )
            })?;
        if let Ok(mut s) = service.lock() {
            s.journal_synced(done);
        }
        Ok(done)
    }
}

fn lost() -> WireError {
    WireError::new(
        "InternalError",
        500,
        "keyform serve lost track of the journal's durability; restart it",
    )
}
