//! Test-only hooks into the simulated cloud. This module exists only in debug builds
//! (`cfg(debug_assertions)`, which `cargo test` uses) or with the cargo feature `test-hooks`;
//! a release build has no code for it, so no environment variable can make a shipped keyform
//! reveal key material.
//!
//! `KEYFORM_TEST_REVEAL_KEY_MATERIAL=FILE`: just before a scheduled key deletion destroys a
//! key's material, append one line per material version to FILE (created 0600):
//! `<key id> <version> <material as lowercase hex>`. Tests use it to prove that, once the
//! deletion ran, no file under `.keyform/` holds that material in any encoding.

use std::io::Write;

use crate::sim::crypto::KeyMaterial;

/// The environment variable naming the file key material is revealed to.
pub const REVEAL_KEY_MATERIAL_ENV: &str = "KEYFORM_TEST_REVEAL_KEY_MATERIAL";

/// Appends the material of a key about to be deleted to the file the environment names, if any.
/// Failures are ignored: this is a test aid and must never change what the cloud does.
pub(crate) fn reveal_before_deletion(key_id: &str, materials: &[(u32, KeyMaterial)]) {
    let Some(path) = std::env::var_os(REVEAL_KEY_MATERIAL_ENV).filter(|p| !p.is_empty()) else {
        return;
    };
    let Ok(mut f) = crate::fsutil::open_private(std::path::Path::new(&path), true) else {
        return;
    };
    for (version, m) in materials {
        let _ = writeln!(f, "{key_id} {version} {}", hex::encode(m.expose()));
    }
}
