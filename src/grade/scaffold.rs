//! `keyform lab new NAME`: lays out a new lab (README, reference solution, starter, tests) that
//! passes `keyform lab check` as written, for a trainer to grow into their own.

use std::path::{Path, PathBuf};

/// The files of a new lab: (path inside the lab, template); `{{name}}` becomes the lab's name.
const FILES: &[(&str, &str)] = &[
    ("README.md", include_str!("scaffold/README.md")),
    ("main.tf", include_str!("scaffold/main.tf")),
    ("starter/main.tf", include_str!("scaffold/starter.tf")),
    (
        "tests/lab.tftest.hcl",
        include_str!("scaffold/lab.tftest.hcl"),
    ),
];

/// Why a lab could not be laid out.
#[derive(Debug)]
pub enum ScaffoldError {
    /// The name is not lowercase letters, digits and dashes (it becomes a directory and an alias).
    InvalidName(String),
    /// The directory exists and holds files: nothing is overwritten.
    NotEmpty(PathBuf),
    Io(PathBuf, std::io::Error),
}

/// Lab names become directory names and KMS alias names (`alias/NAME`).
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Writes the new lab `name` into `dir` (which must not exist or be empty); returns the files
/// written, relative to `dir`.
pub fn new_lab(name: &str, dir: &Path) -> Result<Vec<&'static str>, ScaffoldError> {
    if !valid_name(name) {
        return Err(ScaffoldError::InvalidName(name.to_string()));
    }
    if std::fs::read_dir(dir).is_ok_and(|mut r| r.next().is_some()) {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    for (rel, template) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ScaffoldError::Io(parent.into(), e))?;
        }
        crate::fsutil::atomic_write(&path, template.replace("{{name}}", name).as_bytes())
            .map_err(|e| ScaffoldError::Io(path.clone(), e))?;
    }
    Ok(FILES.iter().map(|(rel, _)| *rel).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_directory_and_alias_safe() {
        for ok in ["kms-lab", "a", "lab2-rotation"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Lab",
            "2lab",
            "my lab",
            "../x",
            "a/b",
            "lab_1",
            &"a".repeat(65),
        ] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }
}
