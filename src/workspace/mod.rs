//! Where a working directory's world lives: `.keyform/` with the state (+ backup), the world
//! snapshot, the write-ahead journal, the root key, object bodies and the lock.
//!
//! During apply every change is one journal record carrying both the state change and the world
//! change, fsynced before the next change starts; at the end both snapshots are written
//! atomically and the journal is emptied. Loading replays the journal over the snapshots, so a
//! crash at any point leaves state and world consistent with each other.

mod journal;
mod lock;

pub use lock::{LockError, LockInfo};

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value as Json, json};

use crate::fsutil;
use crate::sim::blobs::DirBlobs;
use crate::sim::crypto::RootKey;
use crate::sim::ids::IdGen;
use crate::sim::world::{WORLD_FORMAT_VERSION, World, WorldDelta};
use crate::sim::{Cloud, clock};
use crate::state::file as state_file;
use crate::state::{State, StateOp};

/// Name of the directory in each working directory.
pub const DIR_NAME: &str = ".keyform";

/// A problem with the files under `.keyform/`; messages name the file and the way out.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error(transparent)]
    Lock(#[from] LockError),
}

impl WorkspaceError {
    fn file(path: &Path, message: impl Into<String>) -> WorkspaceError {
        WorkspaceError::File {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// The `.keyform/` directory of one working directory.
pub struct Workspace {
    pub dir: PathBuf,
    lock: Option<lock::LockGuard>,
    journal: journal::Journal,
    /// Sequence number of the last journal record folded into or appended after the snapshots.
    seq: u64,
}

impl Workspace {
    /// The workspace of `work_dir` (nothing is read or created yet).
    pub fn at(work_dir: &Path) -> Workspace {
        let dir = work_dir.join(DIR_NAME);
        Workspace {
            journal: journal::Journal::new(dir.join("journal.jsonl")),
            dir,
            lock: None,
            seq: 0,
        }
    }

    pub fn exists(&self) -> bool {
        self.world_path().exists()
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    pub fn backup_path(&self) -> PathBuf {
        self.dir.join("state.json.backup")
    }

    pub fn world_path(&self) -> PathBuf {
        self.dir.join("world.json")
    }

    fn io_err(&self, path: &Path, e: std::io::Error) -> WorkspaceError {
        WorkspaceError::file(path, format!("{e}"))
    }

    /// Creates `.keyform/` with a fresh world if there is none. Returns false if it existed.
    pub fn init(&mut self, account_id: &str, region: &str) -> Result<bool, WorkspaceError> {
        fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
        let gi = self.dir.join(".gitignore");
        if !gi.exists() {
            std::fs::write(&gi, "*\n").map_err(|e| self.io_err(&gi, e))?;
        }
        RootKey::load_or_create(&self.dir.join("root.key"))
            .map_err(|e| WorkspaceError::file(&self.dir.join("root.key"), e.to_string()))?;
        if self.exists() {
            return Ok(false);
        }
        let world = World::new(account_id, region, clock::wall_clock_now(), IdGen::random());
        let root = self.root_key()?;
        let mut cloud = Cloud::new(
            world,
            root,
            Box::new(DirBlobs::new(self.dir.join("objects"))),
        );
        cloud.bootstrap();
        let lineage = uuid::Uuid::new_v4().to_string();
        self.snapshot(&State::new(lineage), &mut cloud)?;
        Ok(true)
    }

    fn root_key(&self) -> Result<RootKey, WorkspaceError> {
        let p = self.dir.join("root.key");
        RootKey::load_or_create(&p).map_err(|e| WorkspaceError::file(&p, e.to_string()))
    }

    /// Takes the lock, waiting up to `timeout`.
    pub fn lock(&mut self, operation: &str, timeout: Duration) -> Result<(), WorkspaceError> {
        if self.lock.is_none() {
            fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
            self.lock = Some(lock::LockGuard::acquire(&self.dir, operation, timeout)?);
        }
        Ok(())
    }

    /// Loads state and world: snapshots, then the journal replayed over them.
    pub fn load(&mut self) -> Result<(State, Cloud), WorkspaceError> {
        let (mut state, state_seq) = self.load_state_snapshot()?;
        let (mut world, world_seq) = self.load_world_snapshot()?;
        let records = self
            .journal
            .read()
            .map_err(|(p, m)| WorkspaceError::file(&p, m))?;
        let mut seq = state_seq.max(world_seq);
        for r in records {
            if r.seq > state_seq {
                for op in &r.state {
                    state.apply_op(op);
                }
                state.serial = state.serial.max(r.serial);
            }
            if r.seq > world_seq
                && let Some(d) = &r.world
            {
                world.apply_delta(d).map_err(|e| {
                    WorkspaceError::file(
                        &self.journal.path,
                        format!(
                            "journal record {} does not fit the world: {e}. {}",
                            r.seq, RECOVER_WORLD
                        ),
                    )
                })?;
            }
            seq = seq.max(r.seq);
        }
        self.seq = seq;
        let root = self.root_key()?;
        let mut cloud = Cloud::new(
            world,
            root,
            Box::new(DirBlobs::new(self.dir.join("objects"))),
        );
        cloud.bootstrap();
        Ok((state, cloud))
    }

    fn load_state_snapshot(&self) -> Result<(State, u64), WorkspaceError> {
        let p = self.state_path();
        let text = match std::fs::read_to_string(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(WorkspaceError::file(
                    &p,
                    "missing. Run `keyform init` to create the working directory's world, or restore state.json from state.json.backup.",
                ));
            }
            Err(e) => return Err(self.io_err(&p, e)),
        };
        let j: Json = serde_json::from_str(&text).map_err(|e| {
            WorkspaceError::file(&p, format!("is damaged (not valid JSON: {e}). Restore the previous state with `cp {} {}`, or remove .keyform/ to start over.", self.backup_path().display(), p.display()))
        })?;
        let s = state_file::from_json(&j).map_err(|e| match e {
            state_file::StateFileError::TooNew { .. } => WorkspaceError::file(&p, e.to_string()),
            _ => WorkspaceError::file(
                &p,
                format!(
                    "is damaged ({e}). Restore the previous state with `cp {} {}`.",
                    self.backup_path().display(),
                    p.display()
                ),
            ),
        })?;
        Ok((s, j.get("journal_seq").and_then(Json::as_u64).unwrap_or(0)))
    }

    fn load_world_snapshot(&self) -> Result<(World, u64), WorkspaceError> {
        let p = self.world_path();
        let text = std::fs::read_to_string(&p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                WorkspaceError::file(
                    &p,
                    "missing. Run `keyform init` to create the simulated world.",
                )
            } else {
                self.io_err(&p, e)
            }
        })?;
        let j: Json = serde_json::from_str(&text).map_err(|e| {
            WorkspaceError::file(
                &p,
                format!("is damaged (not valid JSON: {e}). {RECOVER_WORLD}"),
            )
        })?;
        let format = j.get("keyform_format").and_then(Json::as_u64).unwrap_or(0);
        if format > u64::from(WORLD_FORMAT_VERSION) {
            return Err(WorkspaceError::file(
                &p,
                format!(
                    "was written by a newer keyform (format {format}, this keyform reads up to {WORLD_FORMAT_VERSION}); upgrade keyform"
                ),
            ));
        }
        let world: World = serde_json::from_value(j.get("world").cloned().unwrap_or(Json::Null))
            .map_err(|e| WorkspaceError::file(&p, format!("is damaged ({e}). {RECOVER_WORLD}")))?;
        Ok((
            world,
            j.get("journal_seq").and_then(Json::as_u64).unwrap_or(0),
        ))
    }

    /// Durably records one change (state ops and the world's delta) before the next starts.
    pub fn commit(
        &mut self,
        state: &mut State,
        ops: Vec<StateOp>,
        world: Option<WorldDelta>,
    ) -> Result<(), WorkspaceError> {
        if ops.is_empty() && world.is_none() {
            return Ok(());
        }
        for op in &ops {
            state.apply_op(op);
        }
        state.serial += 1;
        self.seq += 1;
        let rec = journal::Record {
            seq: self.seq,
            serial: state.serial,
            state: ops,
            world,
        };
        self.journal.append(&rec).map_err(|e| {
            WorkspaceError::file(
                &self.journal.path,
                format!("could not write the journal: {e}"),
            )
        })
    }

    /// Durably records a change of the world alone (`serve`'s requests): the state and its
    /// serial stay as they are.
    pub fn commit_world(&mut self, state: &State, world: WorldDelta) -> Result<(), WorkspaceError> {
        self.seq += 1;
        let rec = journal::Record {
            seq: self.seq,
            serial: state.serial,
            state: Vec::new(),
            world: Some(world),
        };
        self.journal.append(&rec).map_err(|e| {
            WorkspaceError::file(
                &self.journal.path,
                format!("could not write the journal: {e}"),
            )
        })
    }

    /// Writes state and world snapshots atomically, keeps the previous state as a backup, and
    /// empties the journal (so nothing a deleted key left in it survives).
    pub fn snapshot(&mut self, state: &State, cloud: &mut Cloud) -> Result<(), WorkspaceError> {
        fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
        let _ = cloud.take_delta();
        let mut sj = state_file::to_json(state);
        sj["journal_seq"] = json!(self.seq);
        let state_text = serde_json::to_string_pretty(&sj)
            .map_err(|e| WorkspaceError::file(&self.state_path(), e.to_string()))?;
        let world_json = json!({
            "keyform_format": WORLD_FORMAT_VERSION,
            "journal_seq": self.seq,
            "world": serde_json::to_value(&cloud.world).map_err(|e| WorkspaceError::file(&self.world_path(), e.to_string()))?,
        });
        let world_text = serde_json::to_string(&world_json)
            .map_err(|e| WorkspaceError::file(&self.world_path(), e.to_string()))?;
        let sp = self.state_path();
        if let Ok(old) = std::fs::read(&sp)
            && old != state_text.as_bytes()
        {
            fsutil::atomic_write(&self.backup_path(), &old)
                .map_err(|e| self.io_err(&self.backup_path(), e))?;
        }
        fsutil::atomic_write(&sp, state_text.as_bytes()).map_err(|e| self.io_err(&sp, e))?;
        let wp = self.world_path();
        fsutil::atomic_write(&wp, world_text.as_bytes()).map_err(|e| self.io_err(&wp, e))?;
        self.journal.clear().map_err(|e| {
            WorkspaceError::file(
                &self.journal.path,
                format!("could not empty the journal: {e}"),
            )
        })?;
        cloud.material_destroyed = false;
        Ok(())
    }
}

const RECOVER_WORLD: &str = "The simulated world cannot be recovered from this file; remove .keyform/ and run `keyform init` and `keyform apply` to rebuild it.";
