//! The write-ahead journal: one line per change, each with a checksum, fsynced on append (or, in
//! group-commit mode, with the first append a group-commit window after the last fsync, on
//! `sync` and on drop; or, deferred, by whoever answers for the record: see [`PendingSync`]).
//!
//! A damaged last line is a record torn by a crash while it was being written: it is dropped
//! (its state change and world change together, so they stay consistent) and cut off before the
//! next append, so it never ends up in the middle. Damage anywhere else is an error naming the
//! line and the byte offset to truncate at, because silently skipping a middle record would
//! lose a change and everything after it would no longer fit.

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value as Json, json};

use crate::fsutil;
use crate::sim::world::WorldDelta;
use crate::state::StateOp;
use crate::state::file as state_file;

/// Format version of journal records; newer ones are refused.
pub(super) const JOURNAL_FORMAT: u64 = 1;

/// One journaled change.
#[derive(Debug)]
pub(super) struct Record {
    pub seq: u64,
    pub serial: u64,
    pub state: Vec<StateOp>,
    pub world: Option<WorldDelta>,
}

pub(super) struct Journal {
    pub path: PathBuf,
    file: Option<std::fs::File>,
    grouped: bool,
    /// Appends never fsync: the caller makes records durable through [`Journal::pending`]
    /// before it tells anyone they happened (serve's group commit).
    deferred: bool,
    /// When records were last made durable, and whether any were written since.
    last_sync: std::time::Instant,
    unsynced: bool,
    /// Records appended over the journal's life (clearing keeps counting), and how many of
    /// them are known durable.
    written: u64,
    durable: u64,
    /// Size of the journal file (what a load would replay).
    bytes: u64,
}

/// Records not yet durable, and the file to fsync them with (a handle of its own, so the
/// fsync can run while others append).
#[derive(Debug)]
pub struct PendingSync {
    /// Every record up to this count is durable once [`PendingSync::run`] succeeds.
    pub upto: u64,
    file: Option<std::fs::File>,
}

impl PendingSync {
    /// Makes the records durable (no file: they already are).
    pub fn run(&self) -> std::io::Result<u64> {
        if let Some(f) = &self.file {
            f.sync_data()?;
        }
        Ok(self.upto)
    }
}

/// In group-commit mode, the first append this long after the last fsync fsyncs every record
/// written since. A power loss before that loses those records' state and world changes
/// together, so the two stay consistent; nothing outside keyform saw them happen.
pub(super) const GROUP_COMMIT_WINDOW: std::time::Duration = std::time::Duration::from_millis(50);

/// Why the journal could not be read.
pub(super) enum ReadError {
    Io(String),
    /// A record in the middle is damaged: 1-based line, byte offset where it starts, why.
    Damaged {
        line: usize,
        offset: usize,
        records_before: usize,
        why: String,
    },
    /// A record was written by a newer keyform.
    TooNew {
        line: usize,
        found: u64,
    },
}

fn checksum(line: &str) -> String {
    crate::sim::crypto::sha256_hex(line.as_bytes())[..16].to_string()
}

/// The lines of `bytes`: (start offset, line without its newline, had a newline).
fn lines(bytes: &[u8]) -> Vec<(usize, &[u8], bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => {
                out.push((start, &bytes[start..start + i], true));
                start += i + 1;
            }
            None => {
                out.push((start, &bytes[start..], false));
                break;
            }
        }
    }
    out
}

impl Journal {
    pub(super) fn new(path: PathBuf) -> Journal {
        Journal {
            path,
            file: None,
            grouped: false,
            deferred: false,
            last_sync: std::time::Instant::now(),
            unsynced: false,
            written: 0,
            durable: 0,
            bytes: 0,
        }
    }

    /// Leaves every fsync of appended records to the caller (see [`Journal::pending`]).
    pub(super) fn defer_syncs(&mut self) {
        self.deferred = true;
    }

    /// Bytes in the journal file (once opened for appending).
    pub(super) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Records appended so far (a count over the journal's life).
    pub(super) fn written(&self) -> u64 {
        self.written
    }

    /// What must be fsynced for every record appended so far to be durable.
    pub(super) fn pending(&self) -> std::io::Result<PendingSync> {
        let file = match &self.file {
            Some(f) if self.durable < self.written => Some(f.try_clone()?),
            _ => None,
        };
        Ok(PendingSync {
            upto: self.written,
            file,
        })
    }

    /// Records that a [`PendingSync`] made everything up to `upto` durable.
    pub(super) fn synced(&mut self, upto: u64) {
        if upto > self.durable {
            self.durable = upto;
        }
        if self.durable >= self.written {
            self.unsynced = false;
        }
    }

    /// Switches to group commit: records are fsynced together once per window instead of one
    /// by one (a large apply writes thousands).
    pub(super) fn group_commits(&mut self) {
        self.grouped = true;
    }

    /// Makes every record written so far durable.
    pub(super) fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced
            && let Some(f) = &self.file
        {
            f.sync_data()?;
        }
        self.unsynced = false;
        self.durable = self.written;
        self.last_sync = std::time::Instant::now();
        Ok(())
    }

    /// Opens the journal for appending, first cutting off a torn last record (one without its
    /// newline), so new records never follow garbage.
    fn open(&mut self) -> std::io::Result<&mut std::fs::File> {
        if self.file.is_none() {
            let existed = self.path.exists();
            let f = fsutil::open_private(&self.path, true)?;
            if existed {
                let bytes = std::fs::read(&self.path)?;
                let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                if keep < bytes.len() {
                    f.set_len(keep as u64)?;
                    f.sync_all()?;
                }
                self.bytes = keep as u64;
            } else if let Some(d) = self.path.parent() {
                fsutil::sync_dir(d)?;
            }
            self.file = Some(f);
        }
        self.file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("journal not open"))
    }

    pub(super) fn append(&mut self, r: &Record) -> std::io::Result<()> {
        let body = json!({
            "v": JOURNAL_FORMAT,
            "seq": r.seq,
            "serial": r.serial,
            "state": r.state.iter().map(state_file::op_json).collect::<Vec<_>>(),
            "world": r.world,
        });
        let text = body.to_string();
        let line = format!("{text} {}\n", checksum(&text));
        let f = self.open()?;
        f.write_all(line.as_bytes())?;
        self.unsynced = true;
        self.written += 1;
        self.bytes += line.len() as u64;
        if self.deferred {
            // The caller fsyncs (PendingSync) before anyone learns of the record.
        } else if !self.grouped || self.last_sync.elapsed() >= GROUP_COMMIT_WINDOW {
            self.sync()?;
        }
        crate::sim::crash_after_write();
        Ok(())
    }

    /// Empties the journal; callers have made its records durable elsewhere (the snapshot).
    pub(super) fn clear(&mut self) -> std::io::Result<()> {
        self.file = None;
        self.unsynced = false;
        self.durable = self.written;
        self.bytes = 0;
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            Err(_) => Ok(()),
            Ok(()) => {
                if let Some(d) = self.path.parent() {
                    fsutil::sync_dir(d)?;
                }
                crate::sim::crash_after_write();
                Ok(())
            }
        }
    }

    /// Reads every intact record.
    pub(super) fn read(&self) -> Result<Vec<Record>, ReadError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(ReadError::Io(e.to_string())),
        };
        parse(&bytes)
    }
}

impl Drop for Journal {
    /// An error path that never reaches a snapshot still leaves its records durable.
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

/// The intact records of journal bytes.
pub(super) fn parse(bytes: &[u8]) -> Result<Vec<Record>, ReadError> {
    let all = lines(bytes);
    let mut out = Vec::new();
    for (i, (offset, raw, had_newline)) in all.iter().enumerate() {
        let last = i + 1 == all.len();
        match parse_line(raw, *had_newline) {
            Ok(r) => out.push(r),
            Err(LineError::TooNew(found)) => {
                return Err(ReadError::TooNew { line: i + 1, found });
            }
            // A crash can tear only the final append.
            Err(LineError::Damaged(_)) if last => break,
            Err(LineError::Damaged(why)) => {
                return Err(ReadError::Damaged {
                    line: i + 1,
                    offset: *offset,
                    records_before: out.len(),
                    why,
                });
            }
        }
    }
    Ok(out)
}

enum LineError {
    Damaged(String),
    TooNew(u64),
}

fn parse_line(raw: &[u8], had_newline: bool) -> Result<Record, LineError> {
    let bad = |m: &str| LineError::Damaged(m.to_string());
    if !had_newline {
        return Err(bad("incomplete line"));
    }
    let line = std::str::from_utf8(raw).map_err(|_| bad("not UTF-8"))?;
    let (text, sum) = line.rsplit_once(' ').ok_or_else(|| bad("no checksum"))?;
    if checksum(text) != sum {
        return Err(bad("checksum mismatch"));
    }
    let j: Json = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
    let v = j.get("v").and_then(Json::as_u64).unwrap_or(1);
    if v > JOURNAL_FORMAT {
        return Err(LineError::TooNew(v));
    }
    let seq = j
        .get("seq")
        .and_then(Json::as_u64)
        .ok_or_else(|| bad("no seq"))?;
    let serial = j.get("serial").and_then(Json::as_u64).unwrap_or(0);
    let state = j
        .get("state")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .map(state_file::op_from_json)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()
        .map_err(|e| bad(&e.to_string()))?
        .unwrap_or_default();
    let world = match j.get("world") {
        None | Some(Json::Null) => None,
        Some(w) => Some(serde_json::from_value(w.clone()).map_err(|e| bad(&e.to_string()))?),
    };
    Ok(Record {
        seq,
        serial,
        state,
        world,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64) -> Record {
        Record {
            seq,
            serial: seq,
            state: Vec::new(),
            world: None,
        }
    }

    #[test]
    fn a_torn_tail_is_dropped_and_cut_off_before_the_next_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::new(path.clone());
        j.append(&rec(1)).unwrap();
        drop(j);
        // A crash mid-append: half a record, no newline.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"v\":1,\"seq\":2,\"ser").unwrap();
        drop(f);
        let j = Journal::new(path.clone());
        assert_eq!(j.read().ok().unwrap().len(), 1);
        let mut j = Journal::new(path.clone());
        j.append(&rec(3)).unwrap();
        let seqs: Vec<u64> = j.read().ok().unwrap().iter().map(|r| r.seq).collect();
        assert_eq!(
            seqs,
            vec![1, 3],
            "the torn record must not end up in the middle"
        );
    }

    #[test]
    fn damage_in_the_middle_names_the_line_and_offset_and_newer_records_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = Journal::new(path.clone());
        for s in 1..=3 {
            j.append(&rec(s)).unwrap();
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        bytes[second + 3] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        match Journal::new(path.clone()).read() {
            Err(ReadError::Damaged {
                line,
                offset,
                records_before,
                ..
            }) => assert_eq!((line, offset, records_before), (2, second, 1)),
            _ => panic!("expected damage"),
        }
        let text = r#"{"v":9,"seq":1}"#;
        std::fs::write(&path, format!("{text} {}\n", checksum(text))).unwrap();
        assert!(matches!(
            Journal::new(path).read(),
            Err(ReadError::TooNew { line: 1, found: 9 })
        ));
    }
}
