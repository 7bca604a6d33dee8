//! `keyform lab list` and `keyform lab start NAME [DIR]`: the labs bundled in the binary
//! (README, starter configuration and tests; reference solutions are not shipped).

use std::path::{Path, PathBuf};

use crate::cli::{Ctx, Failure};

include!(concat!(env!("OUT_DIR"), "/labs.rs"));

/// The first heading of a lab's README, as its one-line summary.
fn summary(files: &[(&str, &str)]) -> String {
    files
        .iter()
        .find(|(p, _)| *p == "README.md")
        .and_then(|(_, t)| t.lines().find(|l| l.starts_with("# ")))
        .map(|l| {
            l.trim_start_matches("# ")
                .trim_start_matches("Lab: ")
                .to_string()
        })
        .unwrap_or_default()
}

pub(crate) fn list() -> Result<u8, Failure> {
    let width = LABS.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, files) in LABS {
        println!("{name:width$}  {}", summary(files));
    }
    println!("\nStart one with: keyform lab start NAME [DIR]");
    Ok(0)
}

pub(crate) fn start(ctx: &Ctx, name: &str, dir: Option<&Path>) -> Result<u8, Failure> {
    let Some((_, files)) = LABS.iter().find(|(n, _)| *n == name) else {
        let names: Vec<&str> = LABS.iter().map(|(n, _)| *n).collect();
        return Err(Failure::msg(
            "Unknown lab",
            format!(
                "There is no bundled lab named {name:?}.{} Available: {}.",
                crate::diag::suggestion(name, names.iter().copied()),
                names.join(", ")
            ),
        ));
    };
    let target: PathBuf = match dir {
        Some(d) if d.is_absolute() => d.to_path_buf(),
        Some(d) => ctx.dir.join(d),
        None => ctx.dir.join(name),
    };
    if target.exists()
        && std::fs::read_dir(&target)
            .map(|mut r| r.next().is_some())
            .unwrap_or(true)
    {
        return Err(Failure::msg(
            "Directory not empty",
            format!(
                "{} already exists and is not empty; choose another directory so nothing of yours is overwritten.",
                target.display()
            ),
        ));
    }
    for (rel, text) in *files {
        let p = target.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                Failure::msg(
                    "Failed to create directory",
                    format!("{}: {e}", parent.display()),
                )
            })?;
        }
        std::fs::write(&p, text)
            .map_err(|e| Failure::msg("Failed to write file", format!("{}: {e}", p.display())))?;
    }
    println!(
        "Started lab {name} in {}.\n\nNext steps:\n  cd {}\n  (read README.md, complete the TODOs in main.tf)\n  keyform apply -auto-approve\n  keyform test          # grades your work with the lab's tests",
        target.display(),
        target.display()
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_labs_never_ship_the_reference_solution() {
        assert!(!LABS.is_empty());
        for (name, files) in LABS {
            assert!(
                files.iter().any(|(p, _)| *p == "README.md"),
                "{name} has no README"
            );
            assert!(
                files.iter().any(|(p, _)| *p == "main.tf"),
                "{name} has no starter main.tf"
            );
            let reference =
                std::fs::read_to_string(format!("labs/{name}/main.tf")).unwrap_or_default();
            assert!(
                files.iter().all(|(_, t)| *t != reference),
                "{name} ships its reference solution"
            );
        }
    }
}
