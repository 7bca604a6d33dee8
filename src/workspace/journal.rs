//! The write-ahead journal: one line per change, each with a checksum, fsynced on append.
//!
//! A torn last line (a crash mid-write) is ignored; damage anywhere else is an error naming the
//! line, because silently skipping a middle record would lose a change.

use std::io::Write;
use std::path::PathBuf;

use serde_json::{Value as Json, json};

use crate::fsutil;
use crate::sim::world::WorldDelta;
use crate::state::StateOp;
use crate::state::file as state_file;

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
}

fn checksum(line: &str) -> String {
    crate::sim::crypto::sha256_hex(line.as_bytes())[..16].to_string()
}

impl Journal {
    pub(super) fn new(path: PathBuf) -> Journal {
        Journal { path, file: None }
    }

    pub(super) fn append(&mut self, r: &Record) -> std::io::Result<()> {
        let body = json!({
            "seq": r.seq,
            "serial": r.serial,
            "state": r.state.iter().map(state_file::op_json).collect::<Vec<_>>(),
            "world": r.world,
        });
        let text = body.to_string();
        let line = format!("{text} {}\n", checksum(&text));
        if self.file.is_none() {
            let dir_existed = self.path.exists();
            self.file = Some(fsutil::open_private(&self.path, true)?);
            if !dir_existed && let Some(d) = self.path.parent() {
                fsutil::sync_dir(d)?;
            }
        }
        let f = self
            .file
            .as_mut()
            .ok_or_else(|| std::io::Error::other("journal not open"))?;
        f.write_all(line.as_bytes())?;
        f.sync_data()
    }

    pub(super) fn clear(&mut self) -> std::io::Result<()> {
        self.file = None;
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => {
                if let Some(d) = self.path.parent() {
                    fsutil::sync_dir(d)?;
                }
                Ok(())
            }
        }
    }

    /// Reads every intact record; Err names the file and what is wrong.
    pub(super) fn read(&self) -> Result<Vec<Record>, (PathBuf, String)> {
        let text = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err((self.path.clone(), e.to_string())),
        };
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut out = Vec::new();
        for (i, raw) in lines.iter().enumerate() {
            let last = i + 1 == lines.len();
            let parsed = parse_line(raw);
            match parsed {
                Ok(r) => out.push(r),
                // A crash can tear only the final append.
                Err(_) if last => break,
                Err(m) => {
                    return Err((
                        self.path.clone(),
                        format!(
                            "line {} is damaged ({m}); later changes cannot be trusted. Remove .keyform/ and re-apply, or restore state.json.backup.",
                            i + 1
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }
}

fn parse_line(raw: &str) -> Result<Record, String> {
    let line = raw.strip_suffix('\n').ok_or("incomplete line")?;
    let (text, sum) = line.rsplit_once(' ').ok_or("no checksum")?;
    if checksum(text) != sum {
        return Err("checksum mismatch".into());
    }
    let j: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let seq = j.get("seq").and_then(Json::as_u64).ok_or("no seq")?;
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
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let world = match j.get("world") {
        None | Some(Json::Null) => None,
        Some(w) => Some(serde_json::from_value(w.clone()).map_err(|e| e.to_string())?),
    };
    Ok(Record {
        seq,
        serial,
        state,
        world,
    })
}
