//! Durable file operations shared by the state store, the world store and the blob store.
//!
//! Imports nothing else from the crate.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

/// Creates `dir` and any missing ancestors with mode 0700 (owner only) and fsyncs each parent
/// that gained an entry, so the new directories survive a crash. An existing directory is left
/// as it is (its permissions are not changed), which makes this cheap to call before every
/// write.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    // The parents of the directories about to be created, innermost first.
    let mut parents = Vec::new();
    let mut cur = dir;
    while let Some(parent) = cur.parent() {
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if parent == cur {
            break;
        }
        parents.push(parent);
        if parent.exists() {
            break;
        }
        cur = parent;
    }
    DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    for parent in parents {
        File::open(parent)?.sync_all()?;
    }
    Ok(())
}

/// Opens a file for writing with mode 0600 (on creation).
pub fn open_private(path: &Path, append: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Writes `bytes` to `path` atomically: temp file in the same directory, fsync, rename, fsync dir.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    {
        let mut f = open_private(&tmp, false)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(dir)
}

/// Fsyncs a directory so a rename or create in it is durable.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()?;
    }
    let _ = dir;
    Ok(())
}

/// The field [`seal_json`] adds to a JSON document.
pub const CHECKSUM_FIELD: &str = "keyform_checksum";

fn json_digest(j: &serde_json::Value) -> String {
    object_digest(j.as_object().into_iter().flatten())
}

/// SHA-256 of the compact text of an object made of `entries` (serde_json's maps are sorted, so
/// that text is canonical: the digest survives reformatting, pretty or not, but no change of
/// any value). Streamed into the hasher: a large state is never copied to compute it.
fn object_digest<'a>(entries: impl Iterator<Item = (&'a String, &'a serde_json::Value)>) -> String {
    use sha2::Digest;
    struct Hashing(sha2::Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.update(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(sha2::Sha256::new());
    let mut first = true;
    let _ = std::io::Write::write_all(&mut h, b"{");
    for (k, v) in entries {
        if !first {
            let _ = std::io::Write::write_all(&mut h, b",");
        }
        first = false;
        let _ = serde_json::to_writer(&mut h, k);
        let _ = std::io::Write::write_all(&mut h, b":");
        let _ = serde_json::to_writer(&mut h, v);
    }
    let _ = std::io::Write::write_all(&mut h, b"}");
    hex::encode(h.0.finalize())
}

/// Adds a SHA-256 checksum of the document's content, so a bit flip that still leaves valid
/// JSON (a changed letter in a name) is detected on load rather than believed.
pub fn seal_json(j: &mut serde_json::Value) {
    if let Some(m) = j.as_object_mut() {
        m.remove(CHECKSUM_FIELD);
        let sum = json_digest(j);
        if let Some(m) = j.as_object_mut() {
            m.insert(CHECKSUM_FIELD.into(), serde_json::Value::String(sum));
        }
    }
}

/// Checks a document sealed by [`seal_json`]: None if it carries no checksum (written before
/// checksums existed), else whether the content still matches it.
pub fn verify_json(j: &serde_json::Value) -> Option<bool> {
    let m = j.as_object()?;
    let sum = m.get(CHECKSUM_FIELD)?;
    let digest = object_digest(m.iter().filter(|(k, _)| k.as_str() != CHECKSUM_FIELD));
    Some(sum.as_str() == Some(digest.as_str()))
}
