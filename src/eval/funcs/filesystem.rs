//! File functions (Terraform's `lang/funcs/filesystem.go`): `file`, `fileexists`, `filebase64`,
//! `filesha256`, confined to the configuration directory (after resolving `..` and symlinks)
//! and to files of at most [`MAX_FILE_SIZE`] bytes.

use std::io::Read as _;
use std::path::{Component, PathBuf};

use base64::Engine as _;
use sha2::Digest as _;

use super::*;

/// Largest file `file()` and friends will read.
pub(super) const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Resolves `raw` against the configuration directory and checks it stays inside it.
/// Returns the canonical path if the file exists, None if it does not.
pub(super) fn confined_path(c: &Call<'_>) -> Result<(String, Option<PathBuf>), FuncError> {
    let raw = c.string(0)?;
    let base = c.ctx.base_dir.canonicalize().map_err(|e| {
        c.fail(format!(
            "cannot resolve the configuration directory {}: {e}",
            quoted(&c.ctx.base_dir.display().to_string())
        ))
    })?;
    let joined = base.join(&raw);
    let outside = || {
        c.bad(
            0,
            format!("{} is outside the configuration directory", quoted(&raw)),
        )
    };
    // `..` and symlinks are only resolved by the OS: check the canonical form of the path,
    // or, for a path that does not exist, of its deepest existing ancestor.
    let mut probe: &Path = &joined;
    let mut exists = true;
    loop {
        match probe.canonicalize() {
            Ok(real) => {
                if !real.starts_with(&base) {
                    return Err(outside());
                }
                // A missing path must not climb out lexically either ("sub/../../x").
                if !exists && !lexically_normal(&joined).starts_with(&base) {
                    return Err(outside());
                }
                return Ok((raw, exists.then_some(real)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match probe.parent() {
                Some(parent) => {
                    probe = parent;
                    exists = false;
                }
                None => return Err(outside()),
            },
            Err(e) => return Err(c.fail(format!("cannot access {}: {e}", quoted(&raw)))),
        }
    }
}

/// The path with `.` and `..` removed textually.
pub(super) fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Reads a file inside the configuration directory, with Terraform's error wording.
pub(super) fn read_confined(c: &Call<'_>) -> Result<(String, Vec<u8>), FuncError> {
    let (raw, path) = confined_path(c)?;
    let Some(path) = path else {
        return Err(c.bad(
            0,
            format!(
                "no file exists at {}; this function works only with files that are \
                 distributed as part of the configuration source code, so if this file will \
                 be created by a resource in this configuration you must instead obtain this \
                 result from an attribute of that resource",
                quoted(&raw)
            ),
        ));
    };
    let meta = path
        .metadata()
        .map_err(|e| c.fail(format!("cannot read {}: {e}", quoted(&raw))))?;
    check_regular(c, &raw, &meta)?;
    let too_big = || {
        c.bad(
            0,
            format!(
                "{} is larger than the {} MiB limit",
                quoted(&raw),
                MAX_FILE_SIZE / (1024 * 1024)
            ),
        )
    };
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_FILE_SIZE + 1).read_to_end(&mut bytes))
        .map_err(|e| c.fail(format!("failed to read file {}: {e}", quoted(&raw))))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_big());
    }
    Ok((raw, bytes))
}

pub(super) fn check_regular(
    c: &Call<'_>,
    raw: &str,
    meta: &std::fs::Metadata,
) -> Result<(), FuncError> {
    if meta.is_dir() {
        return Err(c.bad(0, format!("{} is a directory, not a file", quoted(raw))));
    }
    if !meta.is_file() {
        return Err(c.bad(0, format!("{} is not a regular file", quoted(raw))));
    }
    Ok(())
}

pub(super) fn f_file(c: &Call<'_>) -> Result<Value, FuncError> {
    let (raw, bytes) = read_confined(c)?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        c.fail(format!(
            "contents of {} are not valid UTF-8; use the filebase64 function to obtain the \
             Base64 encoded contents or the filesha256 function to obtain a hash instead",
            quoted(&raw)
        ))
    })
}

pub(super) fn f_filebase64(c: &Call<'_>) -> Result<Value, FuncError> {
    let (_, bytes) = read_confined(c)?;
    Ok(Value::String(base64_engine().encode(bytes)))
}

pub(super) fn f_filesha256(c: &Call<'_>) -> Result<Value, FuncError> {
    let (_, bytes) = read_confined(c)?;
    Ok(Value::String(hex::encode(sha2::Sha256::digest(&bytes))))
}

pub(super) fn f_fileexists(c: &Call<'_>) -> Result<Value, FuncError> {
    let (raw, path) = confined_path(c)?;
    let Some(path) = path else {
        return Ok(Value::Bool(false));
    };
    let meta = path
        .metadata()
        .map_err(|e| c.fail(format!("failed to stat {}: {e}", quoted(&raw))))?;
    check_regular(c, &raw, &meta)?;
    Ok(Value::Bool(true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::funcs::testing::*;

    #[test]
    fn file_reads_inside_the_configuration_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/policy.json"), "{\"a\":1}\n").unwrap();
        std::fs::write(dir.path().join("bin"), [0xff, 0xfe, 0x00]).unwrap();
        let run = |name: &str, arg: &str| run_in(dir.path(), name, &[arg]);
        assert_eq!(
            run("file", r#""sub/policy.json""#),
            Ok(v(r#""{\"a\":1}\n""#))
        );
        assert_eq!(
            run("file", r#""./sub/../sub/policy.json""#),
            Ok(v(r#""{\"a\":1}\n""#))
        );
        let inside_abs = serde_json::to_string(&dir.path().join("sub/policy.json")).unwrap();
        assert_eq!(run("file", &inside_abs), Ok(v(r#""{\"a\":1}\n""#)));
        assert_eq!(
            run("fileexists", r#""sub/policy.json""#),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            run("fileexists", r#""sub/nope.txt""#),
            Ok(Value::Bool(false))
        );
        assert_eq!(run("filebase64", r#""bin""#), Ok(v(r#""//4A""#)));
        assert_eq!(
            run("filesha256", r#""sub/policy.json""#),
            Ok(ok("sha256", &[r#""{\"a\":1}\n""#]))
        );

        let e = run("file", r#""sub/missing.txt""#).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "Invalid value for \"path\" parameter: no file exists at \"sub/missing.txt\""
            ),
            "{e}"
        );
        let e = run("file", r#""bin""#).unwrap_err().to_string();
        assert!(
            e.contains("not valid UTF-8") && e.contains("filebase64"),
            "{e}"
        );
        let e = run("file", r#""sub""#).unwrap_err().to_string();
        assert!(e.contains("\"sub\" is a directory, not a file"), "{e}");
        assert!(run("fileexists", r#""sub""#).is_err());
    }

    #[test]
    fn file_refuses_paths_outside_the_configuration_directory() {
        let outer = tempfile::tempdir().unwrap();
        let base = outer.path().join("config");
        std::fs::create_dir(&base).unwrap();
        std::fs::write(outer.path().join("secret.txt"), "secret").unwrap();
        let secret_abs = serde_json::to_string(&outer.path().join("secret.txt")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outer.path().join("secret.txt"), base.join("link.txt"))
                .unwrap();
            std::os::unix::fs::symlink(outer.path(), base.join("up")).unwrap();
        }
        let cases: Vec<&str> = vec![
            r#""../secret.txt""#,
            r#""sub/../../secret.txt""#,
            r#""../missing.txt""#,
            &secret_abs,
            r#""/etc/hostname""#,
            #[cfg(unix)]
            r#""link.txt""#,
            #[cfg(unix)]
            r#""up/secret.txt""#,
            #[cfg(unix)]
            r#""up/missing.txt""#,
        ];
        for path in cases {
            for func in ["file", "fileexists", "filebase64"] {
                let e = run_in(&base, func, &[path]).unwrap_err();
                let FuncError::InvalidArgument {
                    index: 0,
                    ref message,
                    ..
                } = e
                else {
                    panic!("{func}({path}): unexpected {e:?}");
                };
                assert!(
                    message.ends_with("is outside the configuration directory"),
                    "{message}"
                );
                assert!(
                    e.to_string()
                        .starts_with("Invalid value for \"path\" parameter: "),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn file_enforces_the_size_cap() {
        let dir = tempfile::tempdir().unwrap();
        let big = std::fs::File::create(dir.path().join("big.txt")).unwrap();
        big.set_len(MAX_FILE_SIZE + 1).unwrap();
        let e = run_in(dir.path(), "file", &[r#""big.txt""#])
            .unwrap_err()
            .to_string();
        assert!(e.contains("larger than the 16 MiB limit"), "{e}");
    }
}
