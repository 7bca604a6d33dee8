//! Cryptography of the simulated KMS and S3.
//!
//! Owns: key material generation (OS RNG only), protection of key material at rest under a
//! per-world root key ([`RootKey`]), the self-describing KMS ciphertext blob ([`seal`] /
//! [`open`]), S3 object body encryption ([`encrypt_body`] / [`decrypt_body`]) and SHA-256
//! checksums. Everything is AES-256-GCM with 96-bit nonces drawn from the OS RNG.
//!
//! Does not own: key lookup, key state (enabled / pending deletion), rotation policy, grants,
//! request size limits or audit logging — callers enforce those before calling in here.
//!
//! Secrets (key material, data keys, decrypted plaintext) live in zeroize-on-drop buffers and
//! never appear in `Debug` output.
//!
//! # KMS ciphertext blob (format 1)
//!
//! ```text
//! "KFK" 0x01 | key id len (u16 BE) | key id (UTF-8) | material version (u32 BE)
//!            | nonce (12 bytes) | ciphertext | tag (16 bytes)
//! ```
//!
//! The AAD is the whole header (everything before the ciphertext) followed by
//! [`context_aad`] of the encryption context, so changing any header byte, or decrypting
//! under a different context, fails authentication.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::{AeadInOut, Aes256Gcm, KeyInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Length of all symmetric keys handled here (AES-256).
pub const KEY_LEN: usize = 32;
/// Length of an AES-GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Length of an AES-GCM authentication tag.
pub const TAG_LEN: usize = 16;

/// Magic and format version opening every KMS ciphertext blob.
const BLOB_MAGIC: [u8; 4] = *b"KFK\x01";
/// Format byte opening every wrapped (root-key protected) key material.
const WRAP_FORMAT: u8 = 1;
/// Domain separator for the wrap AAD, so a wrapped material can never be confused with any
/// other AES-GCM message under the root key.
const WRAP_DOMAIN: &[u8] = b"keyform/root-wrap/v1\0";
/// Wrapped material: format byte, nonce, encrypted key, tag.
const WRAPPED_LEN: usize = 1 + NONCE_LEN + KEY_LEN + TAG_LEN;

/// Errors from the simulated KMS/S3 cryptography.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    /// The blob is malformed, was tampered with, or the key material / encryption context
    /// / associated data does not match the one it was sealed with. Deliberately carries no
    /// detail (like KMS `InvalidCiphertextException`).
    #[error("invalid ciphertext: malformed, tampered with, or wrong key or encryption context")]
    InvalidCiphertext,
    /// The OS random number generator failed.
    #[error("OS random number generator failed: {0}")]
    Rng(String),
    /// The root key file could not be created or loaded, or is unsafe to use.
    #[error("root key {}: {message}", path.display())]
    RootKey {
        /// The root key file.
        path: PathBuf,
        /// What went wrong and, where possible, how to fix it.
        message: String,
    },
    /// Wrapped key material could not be unwrapped for this key id and version: it is corrupt,
    /// belongs to another key or version, or was wrapped under a different root key.
    #[error(
        "cannot unwrap key material for key {key_id} version {version}: it is corrupt, belongs \
         to another key, or was protected by a different root key"
    )]
    KeyUnwrap {
        /// Key id the caller asked for.
        key_id: String,
        /// Material version the caller asked for.
        version: u32,
    },
    /// A key id does not fit the blob format (at most 65535 bytes).
    #[error("key id is {len} bytes long; at most {max} bytes are supported", max = u16::MAX)]
    KeyIdTooLong {
        /// Length of the rejected key id in bytes.
        len: usize,
    },
    /// A data key passed for body encryption is not 32 bytes.
    #[error("data key is {len} bytes long; AES-256 needs exactly 32")]
    InvalidKeyLength {
        /// Length of the rejected key in bytes.
        len: usize,
    },
    /// The plaintext exceeds what AES-GCM can encrypt under one nonce (about 64 GiB).
    #[error("plaintext of {len} bytes is too large for AES-GCM")]
    PlaintextTooLarge {
        /// Length of the rejected plaintext in bytes.
        len: usize,
    },
}

/// Fills `buf` from the OS RNG.
fn fill_random(buf: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(buf).map_err(|e| CryptoError::Rng(e.to_string()))
}

fn random_nonce() -> Result<[u8; NONCE_LEN], CryptoError> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    Ok(nonce)
}

/// AES-256-GCM encryption of `input` into `out` (same length, a precondition every caller
/// meets by construction), returning the detached tag.
///
/// This and [`gcm_open`] are the only users of the generic `aes-gcm` code. Generic code is
/// compiled into the crate that instantiates it, at that crate's opt-level, so in the dev
/// profile it runs unoptimised (~7 MiB/s) despite the `aes-gcm` profile override; moving
/// these two bodies into a tiny separate crate built at opt-level 3 restores ~600 MiB/s.
fn gcm_seal(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    input: &[u8],
    out: &mut [u8],
) -> Result<[u8; TAG_LEN], CryptoError> {
    let too_large = || CryptoError::PlaintextTooLarge { len: input.len() };
    let buf = InOutBuf::new(input, out).map_err(|_| too_large())?;
    let tag = Aes256Gcm::new(key.into())
        .encrypt_inout_detached(nonce.into(), aad, buf)
        .map_err(|_| too_large())?;
    Ok(tag.into())
}

/// AES-256-GCM decryption of `input` into `out` (same length). The tag is checked before
/// anything is decrypted, so on failure `out` holds no plaintext.
fn gcm_open(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    input: &[u8],
    tag: &[u8; TAG_LEN],
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let buf = InOutBuf::new(input, out).map_err(|_| CryptoError::InvalidCiphertext)?;
    Aes256Gcm::new(key.into())
        .decrypt_inout_detached(nonce.into(), aad, buf, tag.into())
        .map_err(|_| CryptoError::InvalidCiphertext)
}

/// 256-bit symmetric key material of a KMS key version (also the root key's secret).
///
/// Heap-allocated so moves never leave copies of the key on the stack; zeroized on drop.
#[derive(Clone)]
pub struct KeyMaterial(Box<Zeroizing<[u8; KEY_LEN]>>);

impl KeyMaterial {
    /// Generates fresh key material from the OS RNG.
    pub fn generate() -> Result<Self, CryptoError> {
        let mut m = Self::zeroed();
        fill_random(m.0.as_mut_slice())?;
        Ok(m)
    }

    fn zeroed() -> Self {
        Self(Box::new(Zeroizing::new([0u8; KEY_LEN])))
    }

    fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// The raw key, for encrypting object bodies with it. Never log or store the result.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// Takes a 32-byte data key (e.g. from GenerateDataKey) as key material.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != KEY_LEN {
            return Err(CryptoError::InvalidKeyLength { len: bytes.len() });
        }
        let mut m = Self::zeroed();
        m.0.copy_from_slice(bytes);
        Ok(m)
    }
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyMaterial(<redacted>)")
    }
}

/// Per-world key that protects KMS key material at rest (in the state file).
///
/// Wrapped material is bound to its key id and version, so a wrapped blob copied to another
/// key or version fails to unwrap.
pub struct RootKey(KeyMaterial);

impl fmt::Debug for RootKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RootKey(<redacted>)")
    }
}

impl RootKey {
    /// Loads the root key at `path`, or creates it (from the OS RNG) if it does not exist.
    ///
    /// A missing parent directory is created with mode 0700. The key file is written with mode
    /// 0600 to a temporary file that is fsynced and then hard-linked into place, so a crash
    /// never leaves a half-written key and two concurrent creators agree on one key. An
    /// existing file is refused if it is not a regular file, is readable or writable by group
    /// or others, or is not exactly 32 bytes.
    pub fn load_or_create(path: &Path) -> Result<RootKey, CryptoError> {
        let err = |message: String| CryptoError::RootKey {
            path: path.to_path_buf(),
            message,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        create_private_dir(dir)
            .map_err(|e| err(format!("cannot create directory {}: {e}", dir.display())))?;
        match fs::symlink_metadata(path) {
            Ok(_) => return Self::load(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(err(format!("cannot inspect: {e}"))),
        }
        let material = KeyMaterial::generate()?;
        match Self::create(path, dir, &material) {
            Ok(()) => Ok(RootKey(material)),
            // Someone else created it between our check and our link: theirs wins.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Self::load(path),
            Err(e) => Err(err(format!("cannot create: {e}"))),
        }
    }

    /// Writes `material` to a fresh temporary file and links it to `path` without replacing
    /// an existing file.
    fn create(path: &Path, dir: &Path, material: &KeyMaterial) -> io::Result<()> {
        let suffix = hex::encode(random_bytes(8).map_err(io::Error::other)?.as_slice());
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let tmp = dir.join(format!(".{name}.{suffix}.tmp"));
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(material.0.as_slice())?;
            file.sync_all()?;
            fs::hard_link(&tmp, path)
        })();
        // The temp name is ours alone; failing to remove it only leaves a stray file.
        let _ = fs::remove_file(&tmp);
        result?;
        File::open(dir)?.sync_all()
    }

    fn load(path: &Path) -> Result<RootKey, CryptoError> {
        let err = |message: String| CryptoError::RootKey {
            path: path.to_path_buf(),
            message,
        };
        let mut file = File::open(path).map_err(|e| err(format!("cannot open: {e}")))?;
        // Checks run on the opened file (fstat), not on the path, so they describe exactly
        // what is read.
        let meta = file
            .metadata()
            .map_err(|e| err(format!("cannot inspect: {e}")))?;
        if !meta.is_file() {
            return Err(err("not a regular file".to_string()));
        }
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(err(format!(
                "permissions {mode:04o} allow access by group or others; run `chmod 600` on it \
                 (and check nobody copied it)"
            )));
        }
        if meta.len() != KEY_LEN as u64 {
            return Err(err(format!(
                "file is {} bytes, expected exactly {KEY_LEN}; it is corrupt or not a keyform \
                 root key",
                meta.len()
            )));
        }
        let mut material = KeyMaterial::zeroed();
        file.read_exact(material.0.as_mut_slice())
            .map_err(|e| err(format!("cannot read: {e}")))?;
        // Guards against the file growing between fstat and read.
        let mut extra = [0u8; 1];
        match file.read(&mut extra) {
            Ok(0) => Ok(RootKey(material)),
            Ok(_) => Err(err(format!("file is longer than {KEY_LEN} bytes"))),
            Err(e) => Err(err(format!("cannot read: {e}"))),
        }
    }

    /// Loads an existing root key (never creates one: a world whose root key is missing must
    /// not silently get a new one that opens none of its key material).
    pub fn load_existing(path: &Path) -> Result<RootKey, CryptoError> {
        Self::load(path)
    }

    /// Creates a root key that lives only in memory (for in-memory worlds and tests).
    pub fn ephemeral() -> Result<RootKey, CryptoError> {
        KeyMaterial::generate().map(RootKey)
    }

    /// Encrypts `m` under the root key for storage, bound to `key_id` and `version`.
    ///
    /// Returns standard base64 text (safe inside JSON strings).
    pub fn wrap(&self, key_id: &str, version: u32, m: &KeyMaterial) -> Result<String, CryptoError> {
        let aad = wrap_aad(key_id, version)?;
        let nonce = random_nonce()?;
        let mut out = [0u8; WRAPPED_LEN];
        out[0] = WRAP_FORMAT;
        out[1..1 + NONCE_LEN].copy_from_slice(&nonce);
        let body = &mut out[1 + NONCE_LEN..1 + NONCE_LEN + KEY_LEN];
        let tag = gcm_seal(self.0.bytes(), &nonce, &aad, m.bytes(), body)?;
        out[1 + NONCE_LEN + KEY_LEN..].copy_from_slice(&tag);
        Ok(BASE64.encode(out))
    }

    /// Decrypts material produced by [`RootKey::wrap`] for the same `key_id` and `version`.
    pub fn unwrap(
        &self,
        key_id: &str,
        version: u32,
        wrapped: &str,
    ) -> Result<KeyMaterial, CryptoError> {
        let fail = || CryptoError::KeyUnwrap {
            key_id: key_id.to_string(),
            version,
        };
        let aad = wrap_aad(key_id, version)?;
        let raw = BASE64.decode(wrapped).map_err(|_| fail())?;
        if raw.len() != WRAPPED_LEN || raw.first() != Some(&WRAP_FORMAT) {
            return Err(fail());
        }
        let (nonce, rest) = raw[1..].split_first_chunk::<NONCE_LEN>().ok_or_else(fail)?;
        let (ciphertext, tag) = rest.split_last_chunk::<TAG_LEN>().ok_or_else(fail)?;
        let mut material = KeyMaterial::zeroed();
        gcm_open(
            self.0.bytes(),
            nonce,
            &aad,
            ciphertext,
            tag,
            material.0.as_mut_slice(),
        )
        .map_err(|_| fail())?;
        Ok(material)
    }
}

pub use crate::fsutil::create_private_dir;

fn key_id_len(key_id: &str) -> Result<u16, CryptoError> {
    u16::try_from(key_id.len()).map_err(|_| CryptoError::KeyIdTooLong { len: key_id.len() })
}

fn wrap_aad(key_id: &str, version: u32) -> Result<Vec<u8>, CryptoError> {
    let len = key_id_len(key_id)?;
    let mut aad = Vec::with_capacity(WRAP_DOMAIN.len() + 1 + 2 + key_id.len() + 4);
    aad.extend_from_slice(WRAP_DOMAIN);
    aad.push(WRAP_FORMAT);
    aad.extend_from_slice(&len.to_be_bytes());
    aad.extend_from_slice(key_id.as_bytes());
    aad.extend_from_slice(&version.to_be_bytes());
    Ok(aad)
}

/// Canonical, order-independent encoding of an encryption context, used as AAD.
///
/// Pairs are encoded in key order (the map is sorted) as
/// `count (u32 BE) | { key len (u32 BE) | key | value len (u32 BE) | value }*`, which is
/// injective: two contexts encode equally exactly when they are equal. The empty context
/// encodes to four zero bytes.
pub fn context_aad(ctx: &BTreeMap<String, String>) -> Vec<u8> {
    let size: usize = 4 + ctx
        .iter()
        .map(|(k, v)| 8 + k.len() + v.len())
        .sum::<usize>();
    let mut out = Vec::with_capacity(size);
    // Lengths beyond u32 are impossible for real requests (the caller caps contexts at a few
    // KiB); saturating keeps this infallible and still never equal for distinct inputs of
    // realistic size.
    let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    out.extend_from_slice(&len32(ctx.len()));
    for (k, v) in ctx {
        out.extend_from_slice(&len32(k.len()));
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(&len32(v.len()));
        out.extend_from_slice(v.as_bytes());
    }
    out
}

/// The cleartext header of a KMS ciphertext blob: which key material decrypts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobHeader {
    /// Id of the KMS key the blob was sealed under.
    pub key_id: String,
    /// Version of that key's material (rotation generation).
    pub version: u32,
}

/// A parsed blob: header fields plus where the ciphertext starts.
struct ParsedBlob<'a> {
    header: BlobHeader,
    /// Everything before the ciphertext (authenticated as AAD).
    header_bytes: &'a [u8],
    nonce: &'a [u8; NONCE_LEN],
    ciphertext: &'a [u8],
    tag: &'a [u8; TAG_LEN],
}

fn parse_blob(blob: &[u8]) -> Result<ParsedBlob<'_>, CryptoError> {
    let bad = || CryptoError::InvalidCiphertext;
    let (magic, rest) = blob.split_first_chunk::<4>().ok_or_else(bad)?;
    if *magic != BLOB_MAGIC {
        return Err(bad());
    }
    let (len, rest) = rest.split_first_chunk::<2>().ok_or_else(bad)?;
    let len = usize::from(u16::from_be_bytes(*len));
    let (key_id, rest) = rest.split_at_checked(len).ok_or_else(bad)?;
    let key_id = std::str::from_utf8(key_id).map_err(|_| bad())?;
    let (version, rest) = rest.split_first_chunk::<4>().ok_or_else(bad)?;
    let (nonce, rest) = rest.split_first_chunk::<NONCE_LEN>().ok_or_else(bad)?;
    let (ciphertext, tag) = rest.split_last_chunk::<TAG_LEN>().ok_or_else(bad)?;
    let header_len = blob.len() - rest.len();
    Ok(ParsedBlob {
        header: BlobHeader {
            key_id: key_id.to_string(),
            version: u32::from_be_bytes(*version),
        },
        header_bytes: &blob[..header_len],
        nonce,
        ciphertext,
        tag,
    })
}

/// Reads the key id and material version from a KMS ciphertext blob without decrypting.
///
/// Cheap and total: any malformed input (including one too short to hold a tag) yields
/// [`CryptoError::InvalidCiphertext`], never a panic. A successful parse says nothing about
/// authenticity — only [`open`] checks that.
pub fn parse_blob_header(blob: &[u8]) -> Result<BlobHeader, CryptoError> {
    parse_blob(blob).map(|p| p.header)
}

/// KMS Encrypt: seals `plaintext` under `m` (the material of `key_id` at `version`), bound to
/// the encryption context `ctx`, and returns the self-describing ciphertext blob.
pub fn seal(
    m: &KeyMaterial,
    key_id: &str,
    version: u32,
    plaintext: &[u8],
    ctx: &BTreeMap<String, String>,
) -> Result<Vec<u8>, CryptoError> {
    let id_len = key_id_len(key_id)?;
    let nonce = random_nonce()?;
    let header_len = BLOB_MAGIC.len() + 2 + key_id.len() + 4 + NONCE_LEN;
    let mut blob = vec![0u8; header_len + plaintext.len() + TAG_LEN];
    let mut header = Vec::with_capacity(header_len);
    header.extend_from_slice(&BLOB_MAGIC);
    header.extend_from_slice(&id_len.to_be_bytes());
    header.extend_from_slice(key_id.as_bytes());
    header.extend_from_slice(&version.to_be_bytes());
    header.extend_from_slice(&nonce);
    blob[..header_len].copy_from_slice(&header);
    let mut aad = header;
    aad.extend_from_slice(&context_aad(ctx));
    let (body, tag_out) = blob[header_len..].split_at_mut(plaintext.len());
    let tag = gcm_seal(m.bytes(), &nonce, &aad, plaintext, body)?;
    tag_out.copy_from_slice(&tag);
    Ok(blob)
}

/// KMS Decrypt: opens a blob produced by [`seal`].
///
/// The caller first reads [`parse_blob_header`] to look up the material for the blob's key id
/// and version. Any mismatch — wrong material, different encryption context, modified blob —
/// yields [`CryptoError::InvalidCiphertext`].
pub fn open(
    m: &KeyMaterial,
    blob: &[u8],
    ctx: &BTreeMap<String, String>,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let parsed = parse_blob(blob)?;
    let mut aad = parsed.header_bytes.to_vec();
    aad.extend_from_slice(&context_aad(ctx));
    let mut plaintext = Zeroizing::new(vec![0u8; parsed.ciphertext.len()]);
    gcm_open(
        m.bytes(),
        parsed.nonce,
        &aad,
        parsed.ciphertext,
        parsed.tag,
        &mut plaintext,
    )?;
    Ok(plaintext)
}

/// `n` bytes from the OS RNG (data keys, GenerateRandom), zeroized on drop.
pub fn random_bytes(n: usize) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let mut out = Zeroizing::new(vec![0u8; n]);
    fill_random(&mut out)?;
    Ok(out)
}

fn body_key(data_key: &[u8]) -> Result<&[u8; KEY_LEN], CryptoError> {
    data_key
        .try_into()
        .map_err(|_| CryptoError::InvalidKeyLength {
            len: data_key.len(),
        })
}

/// Encrypts an S3 object body under a 32-byte data key with AES-256-GCM.
///
/// `aad` binds the body to its location (e.g. bucket, key and version id), so a body moved
/// elsewhere fails to decrypt. Output is `nonce (12) | ciphertext | tag (16)`, produced in one
/// pass into a single preallocated buffer.
pub fn encrypt_body(data_key: &[u8], plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = body_key(data_key)?;
    let nonce = random_nonce()?;
    // `vec![0; n]` is a zeroed allocation (fresh pages for large bodies), so encrypting from
    // `plaintext` straight into it reads the input exactly once.
    let mut out = vec![0u8; NONCE_LEN + plaintext.len() + TAG_LEN];
    let (nonce_out, rest) = out.split_at_mut(NONCE_LEN);
    nonce_out.copy_from_slice(&nonce);
    let (body, tag_out) = rest.split_at_mut(plaintext.len());
    let tag = gcm_seal(key, &nonce, aad, plaintext, body)?;
    tag_out.copy_from_slice(&tag);
    Ok(out)
}

/// Decrypts a body produced by [`encrypt_body`] with the same data key and `aad`.
///
/// Wrong key, wrong `aad`, truncation or any modification yields
/// [`CryptoError::InvalidCiphertext`]; a wrong-length key yields
/// [`CryptoError::InvalidKeyLength`].
pub fn decrypt_body(
    data_key: &[u8],
    sealed: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let key = body_key(data_key)?;
    let bad = || CryptoError::InvalidCiphertext;
    let (nonce, rest) = sealed.split_first_chunk::<NONCE_LEN>().ok_or_else(bad)?;
    let (ciphertext, tag) = rest.split_last_chunk::<TAG_LEN>().ok_or_else(bad)?;
    let mut plaintext = Zeroizing::new(vec![0u8; ciphertext.len()]);
    gcm_open(key, nonce, aad, ciphertext, tag, &mut plaintext)?;
    Ok(plaintext)
}

/// SHA-256 digest of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// SHA-256 digest of `bytes` as lowercase hex (64 characters).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(sha256(bytes))
}

/// MD5 digest of `bytes` as lowercase hex (32 characters): S3's ETag of a single-part upload.
/// Not used for anything that needs collision resistance.
pub fn md5_hex(bytes: &[u8]) -> String {
    hex::encode(md5::Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sample_blob() -> (KeyMaterial, Vec<u8>, BTreeMap<String, String>) {
        let m = KeyMaterial::generate().unwrap();
        let c = ctx(&[("purpose", "lab"), ("team", "blue")]);
        let blob = seal(&m, "k-1", 3, b"secret", &c).unwrap();
        (m, blob, c)
    }

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    proptest! {
        #[test]
        fn seal_open_round_trips(
            plaintext in proptest::collection::vec(any::<u8>(), 0..2048),
            c in proptest::collection::btree_map(".{0,12}", ".{0,12}", 0..6),
            key_id in "[a-zA-Z0-9:/_-]{0,80}",
            version in any::<u32>(),
        ) {
            let m = KeyMaterial::generate().unwrap();
            let blob = seal(&m, &key_id, version, &plaintext, &c).unwrap();
            prop_assert_eq!(
                parse_blob_header(&blob).unwrap(),
                BlobHeader { key_id: key_id.clone(), version }
            );
            let opened = open(&m, &blob, &c).unwrap();
            prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
        }

        #[test]
        fn body_round_trips(
            plaintext in proptest::collection::vec(any::<u8>(), 0..4096),
            aad in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let key = random_bytes(KEY_LEN).unwrap();
            let sealed = encrypt_body(&key, &plaintext, &aad).unwrap();
            prop_assert_eq!(sealed.len(), NONCE_LEN + plaintext.len() + TAG_LEN);
            let opened = decrypt_body(&key, &sealed, &aad).unwrap();
            prop_assert_eq!(opened.as_slice(), plaintext.as_slice());
        }

        #[test]
        fn context_encoding_is_injective(
            a in proptest::collection::btree_map(".{0,4}", ".{0,4}", 0..4),
            b in proptest::collection::btree_map(".{0,4}", ".{0,4}", 0..4),
        ) {
            prop_assert_eq!(context_aad(&a) == context_aad(&b), a == b);
        }

        #[test]
        fn parse_blob_header_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = parse_blob_header(&bytes);
            let mut prefixed = BLOB_MAGIC.to_vec();
            prefixed.extend_from_slice(&bytes);
            let _ = parse_blob_header(&prefixed);
        }
    }

    #[test]
    fn context_boundaries_are_unambiguous() {
        assert_ne!(
            context_aad(&ctx(&[("a", "bc")])),
            context_aad(&ctx(&[("ab", "c")]))
        );
        assert_ne!(context_aad(&ctx(&[("a", "")])), context_aad(&ctx(&[])));
    }

    #[test]
    fn open_rejects_a_different_context() {
        let (m, blob, _) = sample_blob();
        let wrong = ctx(&[("purpose", "lab"), ("team", "red")]);
        assert_eq!(open(&m, &blob, &wrong), Err(CryptoError::InvalidCiphertext));
        assert_eq!(
            open(&m, &blob, &ctx(&[])),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn open_rejects_an_extra_context_key() {
        let (m, blob, _) = sample_blob();
        let extra = ctx(&[("purpose", "lab"), ("team", "blue"), ("x", "y")]);
        assert_eq!(open(&m, &blob, &extra), Err(CryptoError::InvalidCiphertext));
    }

    #[test]
    fn context_order_does_not_matter() {
        let m = KeyMaterial::generate().unwrap();
        let mut forward = BTreeMap::new();
        forward.insert("a".to_string(), "1".to_string());
        forward.insert("z".to_string(), "2".to_string());
        let mut backward = BTreeMap::new();
        backward.insert("z".to_string(), "2".to_string());
        backward.insert("a".to_string(), "1".to_string());
        let blob = seal(&m, "k", 1, b"hello", &forward).unwrap();
        assert_eq!(open(&m, &blob, &backward).unwrap().as_slice(), b"hello");
    }

    #[test]
    fn open_rejects_other_key_material() {
        let (_, blob, c) = sample_blob();
        let other = KeyMaterial::generate().unwrap();
        assert_eq!(open(&other, &blob, &c), Err(CryptoError::InvalidCiphertext));
    }

    #[test]
    fn flipping_any_byte_is_detected() {
        let (m, blob, c) = sample_blob();
        for i in 0..blob.len() {
            for mask in [0x01u8, 0x80, 0xff] {
                let mut tampered = blob.clone();
                tampered[i] ^= mask;
                assert_eq!(
                    open(&m, &tampered, &c),
                    Err(CryptoError::InvalidCiphertext),
                    "byte {i} mask {mask:#x}"
                );
            }
        }
    }

    #[test]
    fn truncated_or_extended_blobs_are_rejected() {
        let (m, blob, c) = sample_blob();
        for len in 0..blob.len() {
            assert_eq!(
                open(&m, &blob[..len], &c),
                Err(CryptoError::InvalidCiphertext),
                "{len}"
            );
        }
        let mut longer = blob.clone();
        longer.push(0);
        assert_eq!(open(&m, &longer, &c), Err(CryptoError::InvalidCiphertext));
    }

    #[test]
    fn header_parse_rejects_blobs_without_room_for_a_tag() {
        let (_, blob, _) = sample_blob();
        // Header of "k-1": 4 magic + 2 len + 3 id + 4 version + 12 nonce.
        let header_len = 4 + 2 + 3 + 4 + NONCE_LEN;
        assert!(parse_blob_header(&blob[..header_len + TAG_LEN]).is_ok());
        assert_eq!(
            parse_blob_header(&blob[..header_len + TAG_LEN - 1]),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn header_parse_rejects_non_utf8_key_id() {
        let mut blob = BLOB_MAGIC.to_vec();
        blob.extend_from_slice(&[0, 1, 0xff]);
        blob.extend_from_slice(&[0u8; 4 + NONCE_LEN + TAG_LEN]);
        assert_eq!(
            parse_blob_header(&blob),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn sealing_twice_uses_fresh_nonces() {
        let m = KeyMaterial::generate().unwrap();
        let c = ctx(&[]);
        let a = seal(&m, "k", 1, b"same", &c).unwrap();
        let b = seal(&m, "k", 1, b"same", &c).unwrap();
        assert_ne!(a, b);
        let k = random_bytes(KEY_LEN).unwrap();
        assert_ne!(
            encrypt_body(&k, b"same", b"").unwrap(),
            encrypt_body(&k, b"same", b"").unwrap()
        );
    }

    #[test]
    fn seal_rejects_an_oversized_key_id() {
        let m = KeyMaterial::generate().unwrap();
        let id = "x".repeat(70_000);
        assert_eq!(
            seal(&m, &id, 1, b"", &ctx(&[])),
            Err(CryptoError::KeyIdTooLong { len: 70_000 })
        );
    }

    #[test]
    fn body_binds_key_and_aad() {
        let key = random_bytes(KEY_LEN).unwrap();
        let sealed = encrypt_body(&key, b"object body", b"bucket/key/v1").unwrap();
        assert_eq!(
            decrypt_body(&key, &sealed, b"bucket/key/v2"),
            Err(CryptoError::InvalidCiphertext)
        );
        let other = random_bytes(KEY_LEN).unwrap();
        assert_eq!(
            decrypt_body(&other, &sealed, b"bucket/key/v1"),
            Err(CryptoError::InvalidCiphertext)
        );
        for i in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assert_eq!(
                decrypt_body(&key, &tampered, b"bucket/key/v1"),
                Err(CryptoError::InvalidCiphertext),
                "byte {i}"
            );
        }
        for len in 0..sealed.len() {
            assert_eq!(
                decrypt_body(&key, &sealed[..len], b"bucket/key/v1"),
                Err(CryptoError::InvalidCiphertext),
                "{len}"
            );
        }
    }

    #[test]
    fn body_rejects_wrong_key_length() {
        assert_eq!(
            encrypt_body(&[0u8; 16], b"x", b""),
            Err(CryptoError::InvalidKeyLength { len: 16 })
        );
        assert_eq!(
            decrypt_body(&[0u8; 33], &[0u8; 40], b""),
            Err(CryptoError::InvalidKeyLength { len: 33 })
        );
    }

    #[test]
    fn wrap_unwrap_round_trips_and_is_json_safe() {
        let root = RootKey::ephemeral().unwrap();
        let m = KeyMaterial::generate().unwrap();
        let wrapped = root.wrap("key-1", 2, &m).unwrap();
        assert!(
            wrapped
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        );
        let back = root.unwrap("key-1", 2, &wrapped).unwrap();
        assert_eq!(back.0.as_slice(), m.0.as_slice());
    }

    #[test]
    fn unwrap_rejects_wrong_key_id_version_root_or_data() {
        let root = RootKey::ephemeral().unwrap();
        let m = KeyMaterial::generate().unwrap();
        let wrapped = root.wrap("key-1", 2, &m).unwrap();
        let unwrap_err = |id: &str, v: u32| CryptoError::KeyUnwrap {
            key_id: id.to_string(),
            version: v,
        };
        assert_eq!(
            root.unwrap("key-2", 2, &wrapped).unwrap_err(),
            unwrap_err("key-2", 2)
        );
        assert_eq!(
            root.unwrap("key-1", 3, &wrapped).unwrap_err(),
            unwrap_err("key-1", 3)
        );
        let other = RootKey::ephemeral().unwrap();
        assert_eq!(
            other.unwrap("key-1", 2, &wrapped).unwrap_err(),
            unwrap_err("key-1", 2)
        );
        assert_eq!(
            root.unwrap("key-1", 2, "not base64!").unwrap_err(),
            unwrap_err("key-1", 2)
        );
        let raw = BASE64.decode(&wrapped).unwrap();
        for i in 0..raw.len() {
            let mut tampered = raw.clone();
            tampered[i] ^= 0x01;
            let text = BASE64.encode(&tampered);
            assert!(root.unwrap("key-1", 2, &text).is_err(), "byte {i}");
        }
        let short = BASE64.encode(&raw[..raw.len() - 1]);
        assert!(root.unwrap("key-1", 2, &short).is_err());
    }

    #[test]
    fn root_key_is_created_private_and_reloads() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state").join("keys");
        let path = dir.join("root.key");
        let first = RootKey::load_or_create(&path).unwrap();
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(mode_of(&dir), 0o700);
        assert_eq!(mode_of(&tmp.path().join("state")), 0o700);
        assert_eq!(fs::metadata(&path).unwrap().len(), KEY_LEN as u64);
        // No temp file is left behind.
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);

        let m = KeyMaterial::generate().unwrap();
        let wrapped = first.wrap("key-1", 1, &m).unwrap();
        let reloaded = RootKey::load_or_create(&path).unwrap();
        assert_eq!(
            reloaded.unwrap("key-1", 1, &wrapped).unwrap().0.as_slice(),
            m.0.as_slice()
        );
    }

    #[test]
    fn root_key_refuses_group_or_world_access() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("root.key");
        fs::write(&path, [7u8; KEY_LEN]).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
            match RootKey::load_or_create(&path) {
                Err(CryptoError::RootKey { path: p, message }) => {
                    assert_eq!(p, path);
                    assert!(message.contains("chmod 600"), "{message}");
                }
                other => panic!("mode {mode:o}: expected refusal, got {other:?}"),
            }
        }
        // The file was not touched by the refusals.
        assert_eq!(fs::read(&path).unwrap(), [7u8; KEY_LEN]);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(RootKey::load_or_create(&path).is_ok());
    }

    #[test]
    fn root_key_refuses_wrong_size() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("root.key");
        for len in [0, KEY_LEN - 1, KEY_LEN + 1] {
            fs::write(&path, vec![1u8; len]).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            match RootKey::load_or_create(&path) {
                Err(CryptoError::RootKey { message, .. }) => {
                    assert!(message.contains(&format!("{len} bytes")), "{message}");
                }
                other => panic!("len {len}: expected refusal, got {other:?}"),
            }
            assert_eq!(
                fs::read(&path).unwrap().len(),
                len,
                "file must not be overwritten"
            );
        }
    }

    #[test]
    fn private_dir_is_created_0700_and_existing_dirs_are_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let nested = tmp.path().join("a").join("b").join("c");
        create_private_dir(&nested).unwrap();
        for d in [
            &tmp.path().join("a"),
            &tmp.path().join("a").join("b"),
            &nested,
        ] {
            assert_eq!(mode_of(d), 0o700, "{}", d.display());
        }
        let open = tmp.path().join("shared");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o755)).unwrap();
        create_private_dir(&open).unwrap();
        assert_eq!(mode_of(&open), 0o755);
        let file = tmp.path().join("file");
        fs::write(&file, b"x").unwrap();
        assert!(create_private_dir(&file).is_err());
        assert!(create_private_dir(&file.join("sub")).is_err());
    }

    #[test]
    fn root_key_refuses_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("root.key");
        fs::create_dir(&path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).unwrap();
        assert!(matches!(
            RootKey::load_or_create(&path),
            Err(CryptoError::RootKey { .. })
        ));
    }

    #[test]
    fn debug_never_shows_secret_bytes() {
        let m = KeyMaterial::generate().unwrap();
        assert_eq!(format!("{m:?}"), "KeyMaterial(<redacted>)");
        assert_eq!(format!("{m:#?}"), "KeyMaterial(<redacted>)");
        let root = RootKey::ephemeral().unwrap();
        assert_eq!(format!("{root:?}"), "RootKey(<redacted>)");
        assert_eq!(format!("{:?}", root.0), "KeyMaterial(<redacted>)");
    }

    #[test]
    fn random_bytes_have_requested_length_and_vary() {
        assert!(random_bytes(0).unwrap().is_empty());
        let a = random_bytes(32).unwrap();
        let b = random_bytes(32).unwrap();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        let k1 = KeyMaterial::generate().unwrap();
        let k2 = KeyMaterial::generate().unwrap();
        assert_ne!(k1.0.as_slice(), k2.0.as_slice());
    }

    #[test]
    fn sha256_matches_known_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex::encode(sha256(b"abc")), sha256_hex(b"abc"));
    }

    #[test]
    fn md5_matches_known_vectors() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            md5_hex(b"The quick brown fox jumps over the lazy dog"),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
    }
}
