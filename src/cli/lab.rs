//! `keyform lab list|start|show|new|check|guide`: the labs bundled in the binary (README,
//! starter configuration and tests; reference solutions are not shipped) and the trainer's side
//! of writing one (the checks themselves are `grade::check`; this file only renders).

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

/// The bundled lab `name`'s files (README, starter, tests), if there is one.
pub(crate) fn bundled(name: &str) -> Option<&'static [(&'static str, &'static str)]> {
    LABS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

pub(crate) fn show(ctx: &Ctx, lab: &str) -> Result<u8, Failure> {
    if let Some(files) = bundled(lab) {
        let readme = files
            .iter()
            .find(|(p, _)| *p == "README.md")
            .map(|(_, t)| *t);
        print!("{}", readme.unwrap_or_default());
        return Ok(0);
    }
    let path = ctx.dir.join(lab).join("README.md");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            print!("{text}");
            Ok(0)
        }
        Err(_) => {
            let names: Vec<&str> = LABS.iter().map(|(n, _)| *n).collect();
            Err(Failure::msg(
                "Unknown lab",
                format!(
                    "{lab:?} is neither a bundled lab nor a directory with a README.md.{} Bundled labs: {}.",
                    crate::diag::suggestion(lab, names.iter().copied()),
                    names.join(", ")
                ),
            ))
        }
    }
}

pub(crate) fn new(ctx: &Ctx, name: &str, dir: Option<&Path>) -> Result<u8, Failure> {
    use crate::grade::scaffold::{ScaffoldError, new_lab};
    let target = match dir {
        Some(d) => super::commands::rel(ctx, d),
        None => ctx.dir.join(name),
    };
    let written = new_lab(name, &target).map_err(|e| match e {
        ScaffoldError::InvalidName(n) => Failure::msg(
            "Invalid lab name",
            format!("{n:?}: a lab name is lowercase letters, digits and dashes, starting with a letter (it names the directory and the lab's KMS alias), e.g. my-kms-lab."),
        ),
        ScaffoldError::NotEmpty(d) => Failure::msg(
            "Directory not empty",
            format!("{} already exists and is not empty; choose another directory so nothing of yours is overwritten.", d.display()),
        ),
        ScaffoldError::Io(p, e) => Failure::msg("Failed to write file", format!("{}: {e}", p.display())),
    })?;
    println!("Created lab {name} in {}:", target.display());
    for f in written {
        println!("  {f}");
    }
    println!(
        "\nNext steps:\n  keyform lab check {}      # the solution passes, the starter scores 0\n  keyform lab guide        # how to write goals and graded checks",
        dir.map_or_else(|| name.to_string(), |d| d.display().to_string())
    );
    Ok(0)
}

pub(crate) fn check(ctx: &Ctx, dir: &Path) -> Result<u8, Failure> {
    use crate::grade::check::{Problem, check};
    let lab = super::commands::rel(ctx, dir);
    let found = check(&lab).map_err(|(d, s)| Failure::new(d, Some(s)))?;
    let style = ctx.style;
    let score = |r: &crate::grade::Report| format!("{}/{}", r.score(), r.total());
    println!(
        "solution: {} passed, {} failed, score {}",
        found.solution.passed(),
        found.solution.failed(),
        score(&found.solution)
    );
    println!(
        "starter:  {} passed, {} failed, score {}",
        found.starter.passed(),
        found.starter.failed(),
        score(&found.starter)
    );
    if found.problems.is_empty() {
        println!(
            "\n{} {} grades sharply: the solution passes every run and the starter scores 0.",
            style.green(&style.bold("Success!")),
            dir.display()
        );
        return Ok(0);
    }
    println!();
    for p in &found.problems {
        match p {
            Problem::SolutionFails {
                file,
                run,
                status,
                messages,
            } => {
                println!(
                    "{} the solution does not pass {file} run {run:?} ({}):",
                    style.red("✗"),
                    status.as_str()
                );
                for m in messages {
                    println!("    {m}");
                }
            }
            Problem::StarterEarns { file, run, points } => println!(
                "{} the untouched starter earns {points} point(s) in {file} run {run:?}: mark it `points = 0` if it is setup, or leave its goal undone in starter/main.tf.",
                style.red("✗")
            ),
        }
    }
    println!(
        "\n{} {} problem(s): the lab does not grade sharply yet.",
        style.red(&style.bold("Failure!")),
        found.problems.len()
    );
    Ok(1)
}

/// How to write a lab and its tests: labs/README.md, carried in the binary.
const GUIDE: &str = include_str!("../../labs/README.md");

pub(crate) fn guide() -> Result<u8, Failure> {
    print!("{GUIDE}");
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
