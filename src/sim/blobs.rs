//! Where sealed S3 object bodies live: files under `.keyform/objects/` (0600), or memory for
//! test worlds. Bodies arrive here already encrypted; this layer never sees plaintext.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// Storage of opaque sealed blobs by id.
pub trait BlobStore: Send {
    /// Stores a sealed body (taken by value: bodies can be large, so no copy is made).
    fn put(&mut self, id: &str, bytes: Vec<u8>) -> std::io::Result<()>;
    /// The sealed body, borrowed when the store holds it in memory.
    fn get(&self, id: &str) -> std::io::Result<Cow<'_, [u8]>>;
    fn delete(&mut self, id: &str) -> std::io::Result<()>;

    /// The store this one wraps, if it is an overlay (see [`Overlay`]).
    fn into_inner(self: Box<Self>) -> Option<Box<dyn BlobStore>> {
        None
    }
}

/// Reads through to another store but keeps writes and deletes to itself: used to evaluate a
/// call without any lasting effect (`sim explain`).
pub struct Overlay {
    inner: Box<dyn BlobStore>,
    written: HashMap<String, Vec<u8>>,
    deleted: std::collections::HashSet<String>,
}

impl Overlay {
    pub fn new(inner: Box<dyn BlobStore>) -> Overlay {
        Overlay {
            inner,
            written: HashMap::new(),
            deleted: Default::default(),
        }
    }
}

impl BlobStore for Overlay {
    fn put(&mut self, id: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.deleted.remove(id);
        self.written.insert(id.to_string(), bytes);
        Ok(())
    }

    fn get(&self, id: &str) -> std::io::Result<Cow<'_, [u8]>> {
        if self.deleted.contains(id) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("blob {id} missing"),
            ));
        }
        match self.written.get(id) {
            Some(b) => Ok(Cow::Borrowed(b)),
            None => self.inner.get(id),
        }
    }

    fn delete(&mut self, id: &str) -> std::io::Result<()> {
        self.written.remove(id);
        self.deleted.insert(id.to_string());
        Ok(())
    }

    fn into_inner(self: Box<Self>) -> Option<Box<dyn BlobStore>> {
        Some(self.inner)
    }
}

/// Blobs in memory.
#[derive(Default)]
pub struct MemoryBlobs(HashMap<String, Vec<u8>>);

impl BlobStore for MemoryBlobs {
    fn put(&mut self, id: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.insert(id.to_string(), bytes);
        Ok(())
    }

    fn get(&self, id: &str) -> std::io::Result<Cow<'_, [u8]>> {
        self.0
            .get(id)
            .map(|b| Cow::Borrowed(b.as_slice()))
            .ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, format!("blob {id} missing"))
            })
    }

    fn delete(&mut self, id: &str) -> std::io::Result<()> {
        self.0.remove(id);
        Ok(())
    }
}

/// Blobs as files in a directory created 0700, each file 0600 and fsynced before use.
pub struct DirBlobs {
    dir: PathBuf,
}

impl DirBlobs {
    pub fn new(dir: PathBuf) -> DirBlobs {
        DirBlobs { dir }
    }

    fn path(&self, id: &str) -> std::io::Result<PathBuf> {
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "invalid blob id",
            ));
        }
        Ok(self.dir.join(id))
    }
}

impl BlobStore for DirBlobs {
    fn put(&mut self, id: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        crate::fsutil::create_private_dir(&self.dir)?;
        let path = self.path(id)?;
        crate::fsutil::atomic_write(&path, &bytes)?;
        Ok(())
    }

    fn get(&self, id: &str) -> std::io::Result<Cow<'_, [u8]>> {
        std::fs::read(self.path(id)?).map(Cow::Owned)
    }

    fn delete(&mut self, id: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(id)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
