//! Hash functions (Terraform's `lang/funcs/crypto.go`): `sha256`, `sha512`, `base64sha256`,
//! `base64sha512`. keyform has no MD5/SHA-1 (`md5`, `sha1` are listed as unsupported) and no
//! non-deterministic ones (`bcrypt`, `uuid`). File hashes are in [`super::filesystem`].

use base64::Engine as _;
use sha2::Digest as _;

use super::*;

pub(super) fn f_sha256(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::String(hex::encode(sha2::Sha256::digest(
        c.string(0)?.as_bytes(),
    ))))
}

pub(super) fn f_sha512(c: &Call<'_>) -> Result<Value, FuncError> {
    Ok(Value::String(hex::encode(sha2::Sha512::digest(
        c.string(0)?.as_bytes(),
    ))))
}

pub(super) fn f_base64sha256(c: &Call<'_>) -> Result<Value, FuncError> {
    let digest = sha2::Sha256::digest(c.string(0)?.as_bytes());
    Ok(Value::String(base64_engine().encode(digest)))
}

pub(super) fn f_base64sha512(c: &Call<'_>) -> Result<Value, FuncError> {
    let digest = sha2::Sha512::digest(c.string(0)?.as_bytes());
    Ok(Value::String(base64_engine().encode(digest)))
}
