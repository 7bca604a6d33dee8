//! Where a working directory's world lives: `.keyform/` with the state (+ backup), the world
//! snapshot (+ backup), the write-ahead journal, the root key, object bodies and the lock.
//!
//! During apply every change is one journal record carrying both the state change and the world
//! change; apply's records are fsynced in groups (see `journal::GROUP_COMMIT_WINDOW`), `serve`'s
//! before each response, concurrent requests sharing one fsync. At the end both snapshots are written atomically and the
//! journal is emptied. Loading replays the journal over the snapshots, so a
//! crash at any point leaves state and world consistent with each other: a record that did not
//! reach the disk loses its state change and its world change together.
//!
//! Object bodies are written (as files under `objects/`) before the record that refers to them
//! and are never deleted before a snapshot stops referring to them: a snapshot removes every
//! body neither the world nor its backup refers to, and any temporary file a crash left behind.
//!
//! Backups: each snapshot keeps the previous `state.json` and `world.json` as a pair
//! (`*.backup`), so restoring both gives the state and world of the command before. The world
//! backup never keeps a deleted key: keys gone from the new world (and the bucket keys S3
//! derived from them) are scrubbed from it, so once a deletion is saved no file holds the
//! key's material (decisions.md, "Deletion is final").

mod journal;
pub use journal::PendingSync;
mod lock;
mod open;

pub use lock::{LockError, LockInfo, Unlocked, pid_alive};
pub use open::{LockRequest, OpenError, Opened, Taken, open, take};

use std::collections::BTreeSet;
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
    #[error("{path} {message}")]
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
    /// Bytes of the snapshots last written or read (what a snapshot costs to write again).
    snapshot_bytes: u64,
}

/// A journal smaller than this is never worth a snapshot on its own account.
const MIN_JOURNAL_BEFORE_SNAPSHOT: u64 = 4 << 20;

impl Workspace {
    /// The workspace of `work_dir` (nothing is read or created yet).
    pub fn at(work_dir: &Path) -> Workspace {
        let dir = work_dir.join(DIR_NAME);
        Workspace {
            journal: journal::Journal::new(dir.join("journal.jsonl")),
            dir,
            lock: None,
            seq: 0,
            snapshot_bytes: 0,
        }
    }

    /// True if the world has been created here.
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

    pub fn world_backup_path(&self) -> PathBuf {
        self.dir.join("world.json.backup")
    }

    pub fn journal_path(&self) -> PathBuf {
        self.journal.path.clone()
    }

    pub fn root_key_path(&self) -> PathBuf {
        self.dir.join("root.key")
    }

    fn io_err(&self, path: &Path, e: std::io::Error) -> WorkspaceError {
        WorkspaceError::file(path, format!("could not be used: {e}"))
    }

    /// Creates `.keyform/` with a fresh world if there is none. Returns false if it existed.
    ///
    /// Takes the lock for the duration unless it is already held, so two first commands in a
    /// new directory never both create a world. Refuses to create a world next to a state it
    /// would orphan (world.json deleted or lost while state.json remains).
    pub fn init(&mut self, account_id: &str, region: &str) -> Result<bool, WorkspaceError> {
        self.init_accounts(account_id, &[], region)
    }

    /// [`Workspace::init`], also creating each of `others` (accounts besides the default
    /// one) the world does not hold yet, each with its OrganizationAccountAccessRole.
    pub fn init_accounts(
        &mut self,
        account_id: &str,
        others: &[String],
        region: &str,
    ) -> Result<bool, WorkspaceError> {
        if others.iter().all(|a| a == account_id) {
            return self.init_world(account_id, region);
        }
        // One lock over creating the world and adding the accounts.
        let took = self.lock.is_none();
        if took {
            fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
            self.lock = Some(lock::LockGuard::acquire(&self.dir, "init", Duration::ZERO)?);
        }
        let r = self.init_world(account_id, region).and_then(|created| {
            let (state, mut cloud) = self.load()?;
            for a in others {
                cloud
                    .create_account(a)
                    .map_err(|e| WorkspaceError::file(&self.world_path(), e.message))?;
            }
            if cloud.is_dirty() {
                self.snapshot(&state, &mut cloud)?;
            }
            Ok(created)
        });
        if took {
            self.lock = None;
        }
        r
    }

    fn init_world(&mut self, account_id: &str, region: &str) -> Result<bool, WorkspaceError> {
        fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
        let _guard = match self.lock {
            Some(_) => None,
            None => Some(lock::LockGuard::acquire(&self.dir, "init", Duration::ZERO)?),
        };
        let gi = self.dir.join(".gitignore");
        if !gi.exists() {
            fsutil::atomic_write(&gi, b"*\n").map_err(|e| self.io_err(&gi, e))?;
            crate::sim::crash_after_write();
        }
        if self.exists() {
            // Reusing a world: say now if it cannot be used, not at the next command.
            self.load()?;
            return Ok(false);
        }
        // An empty state without a world is what a crash during init leaves: nothing to orphan.
        let empty_state = std::fs::read_to_string(self.state_path())
            .ok()
            .and_then(|t| state_file::parse(&t).ok())
            .is_some_and(|s| s.resources.is_empty() && s.outputs.is_empty());
        let journal_has_records = std::fs::metadata(self.journal_path()).is_ok_and(|m| m.len() > 0);
        let orphaned = [
            (self.state_path(), !empty_state),
            (self.journal_path(), journal_has_records),
        ]
        .into_iter()
        .find(|(p, matters)| *matters && p.exists())
        .map(|(p, _)| p);
        if let Some(p) = orphaned {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("state");
            return Err(WorkspaceError::file(
                &self.world_path(),
                format!(
                    "is missing, but {name} is still there: creating a new world would leave that state describing resources that do not exist. {}",
                    self.recover_pair_hint()
                ),
            ));
        }
        let rk = self.root_key_path();
        let root = RootKey::load_or_create(&rk).map_err(|e| {
            WorkspaceError::file(&rk, format!("could not be created: {}", root_key_why(&e)))
        })?;
        crate::sim::crash_after_write();
        let world = World::new(account_id, region, clock::wall_clock_now(), IdGen::random());
        let mut cloud = Cloud::new(world, root, Box::new(self.blob_store()));
        cloud.bootstrap();
        let lineage = uuid::Uuid::new_v4().to_string();
        self.snapshot(&State::new(lineage), &mut cloud)?;
        Ok(true)
    }

    fn blob_store(&self) -> DirBlobs {
        DirBlobs::new(self.dir.join("objects"))
    }

    /// The existing root key (a missing one is never silently replaced).
    fn root_key(&self) -> Result<RootKey, WorkspaceError> {
        let p = self.root_key_path();
        if !p.exists() {
            return Err(WorkspaceError::file(
                &p,
                format!(
                    "is missing, but world.json holds key material protected by it. {}",
                    ROOT_KEY_HINT
                ),
            ));
        }
        RootKey::load_existing(&p).map_err(|e| {
            WorkspaceError::file(
                &p,
                format!("cannot be used: {}. {ROOT_KEY_HINT}", root_key_why(&e)),
            )
        })
    }

    /// Takes the lock, waiting up to `timeout`.
    pub fn lock(&mut self, operation: &str, timeout: Duration) -> Result<(), WorkspaceError> {
        if self.lock.is_none() {
            fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
            self.lock = Some(lock::LockGuard::acquire(&self.dir, operation, timeout)?);
        }
        Ok(())
    }

    /// A notice for the user about taking the lock (a stale lock that was released), once.
    pub fn take_lock_notice(&mut self) -> Option<String> {
        self.lock.as_mut().and_then(|l| l.released_stale.take())
    }

    /// Releases a lock whose holder died (`keyform force-unlock`); refuses while it is held.
    pub fn force_unlock(&self, lock_id: Option<&str>) -> Result<Unlocked, WorkspaceError> {
        Ok(lock::force_unlock(&self.dir, lock_id)?)
    }

    /// Loads state and world: snapshots, then the journal replayed over them.
    pub fn load(&mut self) -> Result<(State, Cloud), WorkspaceError> {
        // The two snapshots are independent files, decoded side by side.
        let (state, world) = std::thread::scope(|s| {
            let world = s.spawn(|| self.load_world_snapshot());
            let state = self.load_state_snapshot();
            let world = world.join().unwrap_or_else(|_| {
                Err(WorkspaceError::file(
                    &self.world_path(),
                    "could not be read: the reading thread failed".to_string(),
                ))
            });
            (state, world)
        });
        let (mut state, state_seq) = state?;
        let (mut world, world_seq) = world?;
        let records = self.journal.read().map_err(|e| self.journal_error(e))?;
        self.snapshot_bytes = [self.state_path(), self.world_path()]
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let mut seq = state_seq.max(world_seq);
        // A replayed deletion of a key means the snapshot on disk still holds its material:
        // the next snapshot must scrub the backup it makes of it.
        let mut replayed_key_deletion = false;
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
                replayed_key_deletion |= d.upserts.iter().any(|(e, v)| {
                    matches!(e, crate::sim::world::EntityRef::KmsKey(_)) && v.is_none()
                });
                world.apply_delta(d).map_err(|e| {
                    WorkspaceError::file(
                        &self.journal.path,
                        format!(
                            "holds record {}, which does not fit the world: {e}. {}",
                            r.seq,
                            self.recover_pair_hint()
                        ),
                    )
                })?;
            }
            seq = seq.max(r.seq);
        }
        self.seq = seq;
        let root = self.root_key()?;
        self.check_root_key(&root, &world)?;
        let mut cloud = Cloud::new(world, root, Box::new(self.blob_store()));
        cloud.bootstrap();
        cloud.material_destroyed = replayed_key_deletion;
        Ok((state, cloud))
    }

    /// A root key that opens none of the world's key material is the wrong one (replaced or
    /// damaged): say so now rather than fail every KMS call. Material that fails alone is
    /// reported by the call that needs it (a damaged key store entry, never wrong plaintext).
    fn check_root_key(&self, root: &RootKey, world: &World) -> Result<(), WorkspaceError> {
        let mut tried = 0;
        for k in world.kms.keys.values() {
            for m in &k.materials {
                if root.unwrap(&k.key_id, m.version, &m.wrapped).is_ok() {
                    return Ok(());
                }
                tried += 1;
                if tried >= 16 {
                    break;
                }
            }
        }
        if tried == 0 {
            return Ok(());
        }
        Err(WorkspaceError::file(
            &self.root_key_path(),
            format!(
                "does not open the key material in world.json (authentication failed for every key tried): root.key was changed or replaced, or world.json's key store was. {ROOT_KEY_HINT}"
            ),
        ))
    }

    fn journal_error(&self, e: journal::ReadError) -> WorkspaceError {
        let p = &self.journal.path;
        match e {
            journal::ReadError::Io(m) => WorkspaceError::file(p, format!("could not be read: {m}")),
            journal::ReadError::TooNew { line, found } => WorkspaceError::file(
                p,
                format!(
                    "line {line} was written by a newer keyform (journal format {found}, this keyform reads up to {}); upgrade keyform. Nothing was changed.",
                    journal::JOURNAL_FORMAT
                ),
            ),
            journal::ReadError::Damaged {
                line,
                offset,
                records_before,
                why,
            } => WorkspaceError::file(
                p,
                format!(
                    "line {line} is damaged ({why}), and the changes after it cannot be trusted without it. The {records_before} change(s) before it are intact: keep them and drop the rest with `truncate -s {offset} {}`, then run keyform plan to see what is left to do. Or {}",
                    p.display(),
                    lowercase_first(&self.recover_pair_hint())
                ),
            ),
        }
    }

    /// How to get back to the last good pair of snapshots.
    fn recover_pair_hint(&self) -> String {
        let (sb, wb) = (self.backup_path(), self.world_backup_path());
        if sb.exists() && wb.exists() {
            let journal = if self.journal.path.exists() {
                format!(" && rm {}", self.journal.path.display())
            } else {
                String::new()
            };
            format!(
                "Restore the state and world of the previous command with `cp {} {} && cp {} {}{journal}` (what the last command changed is lost; keyform plan shows what is left to do), or remove {} to start over with an empty world.",
                sb.display(),
                self.state_path().display(),
                wb.display(),
                self.world_path().display(),
                self.dir.display()
            )
        } else {
            format!(
                "There is no backup pair (state.json.backup and world.json.backup) to restore: remove {} to start over with an empty world, then keyform apply.",
                self.dir.display()
            )
        }
    }

    fn load_state_snapshot(&self) -> Result<(State, u64), WorkspaceError> {
        let p = self.state_path();
        let bytes = match std::fs::read(&p) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(WorkspaceError::file(
                    &p,
                    format!(
                        "is missing while world.json is there. {}",
                        self.recover_pair_hint()
                    ),
                ));
            }
            Err(e) => return Err(self.io_err(&p, e)),
        };
        let damaged = |why: String| {
            WorkspaceError::file(
                &p,
                format!("is damaged ({why}). {}", self.recover_pair_hint()),
            )
        };
        let text = String::from_utf8(bytes).map_err(|e| damaged(format!("not UTF-8: {e}")))?;
        let j: Json =
            serde_json::from_str(&text).map_err(|e| damaged(format!("not valid JSON: {e}")))?;
        // A newer format first: its checksum may not be ours to check.
        if let Ok(found) = state_file::format_of(&j)
            && found > state_file::KEYFORM_FORMAT
        {
            let e = state_file::StateFileError::TooNew { found };
            return Err(WorkspaceError::file(
                &p,
                format!("was {e}. Nothing was changed."),
            ));
        }
        match fsutil::verify_json(&j) {
            Some(false) => return Err(damaged(CHECKSUM_MISMATCH.into())),
            None if state_file::format_of(&j).is_ok_and(|f| f >= 2) => {
                return Err(damaged(CHECKSUM_MISSING.into()));
            }
            _ => {}
        }
        let s = state_file::from_json(&j).map_err(|e| match e {
            state_file::StateFileError::TooNew { .. } => {
                WorkspaceError::file(&p, format!("was {e}. Nothing was changed."))
            }
            _ => damaged(e.to_string()),
        })?;
        let seq = match j.get("journal_seq") {
            None => 0,
            Some(v) => v
                .as_u64()
                .ok_or_else(|| damaged("journal_seq is not a number".into()))?,
        };
        Ok((s, seq))
    }

    fn load_world_snapshot(&self) -> Result<(World, u64), WorkspaceError> {
        let p = self.world_path();
        let bytes = std::fs::read(&p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                WorkspaceError::file(
                    &p,
                    format!(
                        "is missing. Run keyform init to create the simulated world. {}",
                        self.recover_pair_hint()
                    ),
                )
            } else {
                self.io_err(&p, e)
            }
        })?;
        parse_world(&bytes).map_err(|e| match e {
            WorldFileError::TooNew(found) => WorkspaceError::file(
                &p,
                format!(
                    "was written by a newer keyform (format {found}, this keyform reads up to {WORLD_FORMAT_VERSION}); upgrade keyform. Nothing was changed."
                ),
            ),
            WorldFileError::Damaged(why) => WorkspaceError::file(
                &p,
                format!("is damaged ({why}). {}", self.recover_pair_hint()),
            ),
        })
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
            WorkspaceError::file(&self.journal.path, format!("could not be written: {e}"))
        })
    }

    /// Group-commits journal records from now on (see [`journal::GROUP_COMMIT_WINDOW`]): for
    /// `apply`, whose records all end in one snapshot anyway. `serve` defers instead
    /// ([`Workspace::defer_journal_syncs`]), because a client that got a 200 may rely on it.
    pub fn group_commits(&mut self) {
        self.journal.group_commits();
    }

    /// Leaves the fsync of each journal record to the caller, who must run
    /// [`Workspace::pending_sync`] before it tells anyone the change happened: `serve`, whose
    /// concurrent requests then share one fsync (group commit) and are each answered only once
    /// their record is durable.
    pub fn defer_journal_syncs(&mut self) {
        self.journal.defer_syncs();
    }

    /// Whether the journal has grown as large as the snapshots (and past a floor): then a
    /// snapshot costs no more than the journal already did, so snapshotting at this point
    /// keeps both the cost per change and a load's replay bounded, however large the world.
    pub fn journal_outgrew_snapshot(&self) -> bool {
        self.journal.bytes() >= self.snapshot_bytes.max(MIN_JOURNAL_BEFORE_SNAPSHOT)
    }

    /// Journal records written by this process so far.
    pub fn journal_written(&self) -> u64 {
        self.journal.written()
    }

    /// What to fsync to make every journal record written so far durable.
    pub fn pending_sync(&self) -> Result<PendingSync, WorkspaceError> {
        self.journal.pending().map_err(|e| {
            WorkspaceError::file(&self.journal.path, format!("could not be synced: {e}"))
        })
    }

    /// Records that a [`PendingSync`] succeeded.
    pub fn journal_synced(&mut self, upto: u64) {
        self.journal.synced(upto);
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
            WorkspaceError::file(&self.journal.path, format!("could not be written: {e}"))
        })
    }

    /// Writes state and world snapshots atomically, keeps the previous pair as backups (the
    /// world's scrubbed of deleted keys), empties the journal (so nothing a deleted key left in
    /// it survives) and removes object bodies nothing refers to and leftover temporary files.
    pub fn snapshot(&mut self, state: &State, cloud: &mut Cloud) -> Result<(), WorkspaceError> {
        // If writing the snapshots fails, the journal is what keeps the changes.
        self.journal.sync().map_err(|e| {
            WorkspaceError::file(&self.journal.path, format!("could not be written: {e}"))
        })?;
        fsutil::create_private_dir(&self.dir).map_err(|e| self.io_err(&self.dir, e))?;
        let _ = cloud.take_delta();
        let mut sj = state_file::to_json(state);
        sj["journal_seq"] = json!(self.seq);
        fsutil::seal_json(&mut sj);
        let state_text = serde_json::to_string_pretty(&sj).map_err(|e| {
            WorkspaceError::file(&self.state_path(), format!("could not be encoded: {e}"))
        })?;
        let world_text = world_file_text(&cloud.world, self.seq).map_err(|e| {
            WorkspaceError::file(&self.world_path(), format!("could not be encoded: {e}"))
        })?;
        let (sp, wp) = (self.state_path(), self.world_path());
        let old_state = std::fs::read(&sp).ok();
        let old_world = std::fs::read(&wp).ok();
        let changed = old_state.as_deref() != Some(state_text.as_bytes())
            || old_world.as_deref() != Some(world_text.as_bytes());
        // The bytes of the world backup once written, for the garbage collection below.
        let mut backup_bytes: Option<Vec<u8>> = None;
        if changed && let (Some(os), Some(ow)) = (&old_state, &old_world) {
            let bp = self.backup_path();
            fsutil::atomic_write(&bp, os).map_err(|e| self.io_err(&bp, e))?;
            crate::sim::crash_after_write();
            let wbp = self.world_backup_path();
            if cloud.material_destroyed {
                // A key was deleted since that snapshot: the backup must not keep its material.
                match parse_world(ow) {
                    Ok((mut old, seq)) => {
                        scrub_deleted_keys(&mut old, &cloud.world);
                        let text = world_file_text(&old, seq).map_err(|e| {
                            WorkspaceError::file(&wbp, format!("could not be encoded: {e}"))
                        })?;
                        fsutil::atomic_write(&wbp, text.as_bytes())
                            .map_err(|e| self.io_err(&wbp, e))?;
                        crate::sim::crash_after_write();
                        backup_bytes = Some(text.into_bytes());
                    }
                    // An unreadable old world cannot be scrubbed: keep no world backup at all
                    // rather than one that might hold a deleted key's material.
                    Err(_) => remove_if_exists(&wbp).map_err(|e| self.io_err(&wbp, e))?,
                }
            } else {
                // Nothing was destroyed since: the previous snapshot is the backup as it is.
                fsutil::atomic_write(&wbp, ow).map_err(|e| self.io_err(&wbp, e))?;
                crate::sim::crash_after_write();
                backup_bytes = old_world.clone();
            }
        }
        self.snapshot_bytes = (state_text.len() + world_text.len()) as u64;
        if changed {
            fsutil::atomic_write(&sp, state_text.as_bytes()).map_err(|e| self.io_err(&sp, e))?;
            crate::sim::crash_after_write();
            fsutil::atomic_write(&wp, world_text.as_bytes()).map_err(|e| self.io_err(&wp, e))?;
            crate::sim::crash_after_write();
        }
        self.journal.clear().map_err(|e| {
            WorkspaceError::file(&self.journal.path, format!("could not be emptied: {e}"))
        })?;
        cloud.material_destroyed = false;
        if backup_bytes.is_none() {
            backup_bytes = std::fs::read(self.world_backup_path()).ok();
        }
        self.collect_garbage(&cloud.world, backup_bytes.as_deref());
        Ok(())
    }

    /// Removes object bodies neither the world nor its backup refers to (left by a crash, or
    /// by objects deleted or overwritten since), and temporary files of interrupted writes.
    /// Runs only after the snapshot is durable; failures only leave garbage behind.
    fn collect_garbage(&self, world: &World, backup: Option<&[u8]>) {
        let mut keep: BTreeSet<&str> = BTreeSet::new();
        for objs in world.s3.objects.values() {
            keep.extend(objs.values().map(|o| o.blob.as_str()));
        }
        // Noncurrent versions of versioned buckets.
        for keys in world.s3.versions.values() {
            keep.extend(
                keys.values()
                    .flatten()
                    .filter_map(|v| v.object.as_ref().map(|o| o.blob.as_str())),
            );
        }
        // Parts of multipart uploads still in progress.
        for u in world.s3.uploads.values() {
            keep.extend(u.parts.values().map(|p| p.blob.as_str()));
        }
        // Bodies the backup names are kept too, read off its text rather than by decoding a
        // large backup on every snapshot.
        keep.extend(backup.map(blob_values).into_iter().flatten());
        let objects = self.dir.join("objects");
        for dir in [&self.dir, &objects] {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name();
                let Some(name) = name.to_str() else { continue };
                let temp = name.starts_with('.') && name.contains(".tmp");
                let orphan_body = *dir == objects && !name.starts_with('.') && !keep.contains(name);
                if (temp || orphan_body) && e.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// What is wrong with a root key file, without repeating its path.
fn root_key_why(e: &crate::sim::crypto::CryptoError) -> String {
    match e {
        crate::sim::crypto::CryptoError::RootKey { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn remove_if_exists(p: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Parses journal bytes as a load would: the number of intact records, or what is wrong (for
/// fuzzing and tests; loading reads the journal through [`Workspace::load`]).
pub fn parse_journal(bytes: &[u8]) -> Result<usize, String> {
    match journal::parse(bytes) {
        Ok(records) => Ok(records.len()),
        Err(journal::ReadError::Io(m)) => Err(m),
        Err(journal::ReadError::TooNew { line, found }) => {
            Err(format!("line {line} is of newer format {found}"))
        }
        Err(journal::ReadError::Damaged { line, why, .. }) => {
            Err(format!("line {line} is damaged ({why})"))
        }
    }
}

/// Why a world file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorldFileError {
    /// Written by a newer keyform (its format version).
    TooNew(u64),
    /// Not a world file, or a damaged one.
    Damaged(String),
}

/// Every string value of a `"blob"` field in a world file's text (object bodies and upload
/// parts name their sealed body so; other `blob` fields only add names no body has).
fn blob_values(text: &[u8]) -> impl Iterator<Item = &str> {
    const KEY: &[u8] = b"\"blob\":\"";
    let mut rest = text;
    std::iter::from_fn(move || {
        let at = rest.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
        let len = rest[at..].iter().position(|&b| b == b'"')?;
        let value = std::str::from_utf8(&rest[at..at + len]).ok();
        rest = &rest[at + len..];
        Some(value)
    })
    .flatten()
}

/// Parses a world file (`world.json` or its backup): the world and its journal sequence.
pub fn parse_world(bytes: &[u8]) -> Result<(World, u64), WorldFileError> {
    let (mut world, seq) = parse_world_any(bytes)?;
    world.migrate();
    Ok((world, seq))
}

/// [`parse_world`] before migration: the world as its format holds it.
fn parse_world_any(bytes: &[u8]) -> Result<(World, u64), WorldFileError> {
    // Format 3 is one JSON object whose header fields come first and whose `world` comes last,
    // with the SHA-256 of the world's exact bytes: loading checks raw bytes and decodes
    // straight into the typed world, never through an untyped copy.
    const WORLD_KEY: &[u8] = b",\"world\":";
    if let Some(at) = bytes.windows(WORLD_KEY.len()).position(|w| w == WORLD_KEY) {
        let mut header_text = bytes[..at].to_vec();
        header_text.push(b'}');
        if let Ok(header) = serde_json::from_slice::<Json>(&header_text)
            && let Some(sum) = header.get("sha256").and_then(Json::as_str)
        {
            let format = header
                .get("keyform_format")
                .and_then(Json::as_u64)
                .ok_or_else(|| {
                    WorldFileError::Damaged("keyform_format is not a whole number".into())
                })?;
            if format > u64::from(WORLD_FORMAT_VERSION) {
                return Err(WorldFileError::TooNew(format));
            }
            // This layout (a checksummed header, the world last) began with format 3.
            if format < 3 {
                return Err(WorldFileError::Damaged(format!(
                    "keyform_format {format} does not match the file's layout (format 3 or later)"
                )));
            }
            let rest = &bytes[at + WORLD_KEY.len()..];
            let end = rest.iter().rposition(|b| *b == b'}').ok_or_else(|| {
                WorldFileError::Damaged("not valid JSON: the file ends early".into())
            })?;
            let body = &rest[..end];
            if !rest[end + 1..].iter().all(u8::is_ascii_whitespace) {
                return Err(WorldFileError::Damaged(
                    "not valid JSON: trailing characters".into(),
                ));
            }
            if sum != crate::sim::crypto::sha256_hex(body) {
                return Err(WorldFileError::Damaged(CHECKSUM_MISMATCH.into()));
            }
            let seq = header
                .get("journal_seq")
                .and_then(Json::as_u64)
                .ok_or_else(|| WorldFileError::Damaged("journal_seq is not a number".into()))?;
            let world: World = serde_json::from_slice(body)
                .map_err(|e| WorldFileError::Damaged(format!("the world does not fit: {e}")))?;
            return Ok((world, seq));
        }
    }
    parse_world_v2(bytes)
}

/// Formats 1 and 2: one JSON object with the world inside (and, in 2, a checksum field).
fn parse_world_v2(bytes: &[u8]) -> Result<(World, u64), WorldFileError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| WorldFileError::Damaged(format!("not UTF-8: {e}")))?;
    let j: Json = serde_json::from_str(text)
        .map_err(|e| WorldFileError::Damaged(format!("not valid JSON: {e}")))?;
    if !j.is_object() {
        return Err(WorldFileError::Damaged(
            "not a keyform world file: expected a JSON object".into(),
        ));
    }
    let format = match j.get("keyform_format") {
        None => {
            return Err(WorldFileError::Damaged(
                "not a keyform world file: no keyform_format".into(),
            ));
        }
        Some(v) => v.as_u64().ok_or_else(|| {
            WorldFileError::Damaged("keyform_format is not a whole number".into())
        })?,
    };
    if format > u64::from(WORLD_FORMAT_VERSION) {
        return Err(WorldFileError::TooNew(format));
    }
    match fsutil::verify_json(&j) {
        Some(false) => return Err(WorldFileError::Damaged(CHECKSUM_MISMATCH.into())),
        None if format >= 2 => return Err(WorldFileError::Damaged(CHECKSUM_MISSING.into())),
        _ => {}
    }
    let seq = match j.get("journal_seq") {
        None => 0,
        Some(v) => v
            .as_u64()
            .ok_or_else(|| WorldFileError::Damaged("journal_seq is not a number".into()))?,
    };
    let world: World = serde_json::from_value(j.get("world").cloned().unwrap_or(Json::Null))
        .map_err(|e| WorldFileError::Damaged(format!("the world does not fit: {e}")))?;
    Ok((world, seq))
}

fn world_file_text(world: &World, seq: u64) -> Result<String, String> {
    let body = serde_json::to_string(world).map_err(|e| e.to_string())?;
    Ok(format!(
        "{{\"keyform_format\":{WORLD_FORMAT_VERSION},\"journal_seq\":{seq},\"sha256\":\"{}\",\"world\":{body}}}",
        crate::sim::crypto::sha256_hex(body.as_bytes())
    ))
}

/// Drops from `old` every KMS key that `now` no longer has (deleted since), with the aliases
/// pointing at it and the S3 bucket keys derived from it: a backup never keeps what a
/// deletion destroyed.
pub fn scrub_deleted_keys(old: &mut World, now: &World) {
    let gone: Vec<(String, String)> = old
        .kms
        .keys
        .iter()
        .filter(|(id, _)| !now.kms.keys.contains_key(*id))
        .map(|(id, k)| (id.clone(), k.arn.clone()))
        .collect();
    for (id, arn) in &gone {
        old.kms.keys.remove(id);
        old.kms.aliases.retain(|_, a| &a.target_key_id != id);
        for b in old.s3.buckets.values_mut() {
            b.bucket_keys.retain(|e| &e.kms_key_arn != arn);
        }
    }
}

/// Why a file whose checksum does not match is refused.
const CHECKSUM_MISMATCH: &str = "its content no longer matches the checksum keyform saved with it: it was corrupted on disk or edited by hand";

/// Why a file of a checksummed format without its checksum is refused.
const CHECKSUM_MISSING: &str =
    "its checksum is missing (every file of this format has one): it was edited by hand or damaged";

const ROOT_KEY_HINT: &str = "Every simulated key's material and every encrypted object is protected by .keyform/root.key: put the original file back (from a copy of .keyform/), or remove .keyform/ to start over with an empty world (the simulated keys and the data they protect are then gone for good).";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn world_files_of_the_wrong_shape_or_a_newer_format_are_refused() {
        assert!(matches!(
            parse_world(b"[]"),
            Err(WorldFileError::Damaged(m)) if m.contains("JSON object")
        ));
        assert!(matches!(
            parse_world(br#"{"keyform_format": 99, "world": {}}"#),
            Err(WorldFileError::TooNew(99))
        ));
        assert!(matches!(
            parse_world(br#"{"keyform_format": 1, "world": {"account_id": 7}}"#),
            Err(WorldFileError::Damaged(m)) if m.contains("does not fit")
        ));
        assert!(matches!(
            parse_world(b"\xff\xfe"),
            Err(WorldFileError::Damaged(m)) if m.contains("UTF-8")
        ));
    }

    #[test]
    fn scrubbing_drops_deleted_keys_their_aliases_and_bucket_keys() {
        let mut c = Cloud::in_memory("123456789012", "us-east-1", 0, IdGen::seeded(1)).unwrap();
        let ctx = crate::sim::CallContext::lab_admin();
        let k = c.call(&ctx, "kms:CreateKey", &json!({}), None).unwrap();
        let id = k.fields["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        c.call(
            &ctx,
            "kms:CreateAlias",
            &json!({"AliasName": "alias/x", "TargetKeyId": id}),
            None,
        )
        .unwrap();
        let mut old = c.world.clone();
        let mut now = c.world.clone();
        now.kms.keys.remove(&id);
        scrub_deleted_keys(&mut old, &now);
        assert!(!old.kms.keys.contains_key(&id));
        assert!(!old.kms.aliases.contains_key("alias/x"));
        let mut kept = c.world.clone();
        scrub_deleted_keys(&mut kept, &c.world);
        assert!(kept.kms.keys.contains_key(&id), "live keys are kept");
    }

    #[test]
    fn an_overwritten_body_stays_while_the_backup_names_it_and_goes_after() {
        let d = tempfile::tempdir().unwrap();
        let mut ws = Workspace::at(d.path());
        ws.init("123456789012", "us-east-1").unwrap();
        let (state, mut c) = ws.load().unwrap();
        let ctx = crate::sim::CallContext::lab_admin();
        c.call(
            &ctx,
            "s3:CreateBucket",
            &json!({"Bucket": "gc-bucket"}),
            None,
        )
        .unwrap();
        let put = |c: &mut Cloud, body: &[u8]| {
            c.call(
                &ctx,
                "s3:PutObject",
                &json!({"Bucket": "gc-bucket", "Key": "k"}),
                Some(body),
            )
            .unwrap();
            c.world.s3.objects["gc-bucket"]["k"].blob.clone()
        };
        let bodies = |d: &Path| -> BTreeSet<String> {
            std::fs::read_dir(d.join(".keyform/objects"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        };
        let first = put(&mut c, b"one");
        ws.snapshot(&state, &mut c).unwrap();
        let second = put(&mut c, b"two");
        ws.snapshot(&state, &mut c).unwrap();
        // The backup is the world that still had the first body.
        assert_eq!(
            bodies(d.path()),
            BTreeSet::from([first.clone(), second.clone()])
        );
        put(&mut c, b"three");
        ws.snapshot(&state, &mut c).unwrap();
        let now = bodies(d.path());
        assert!(
            !now.contains(&first),
            "no world names the first body any more"
        );
        assert!(now.contains(&second), "the backup names the second");
    }
}
