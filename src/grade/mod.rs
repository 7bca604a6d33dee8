//! `keyform test`: runs a lab's `*.tftest.hcl` files against a configuration, each file in its own
//! fresh in-memory world and state, and reports per-run pass/fail and a score.
//!
//! - `file`: parsing and strict validation of test files.
//! - `run`: executing runs (command, actions, asserts) through the library API: `engine` (load,
//!   plan, apply, destroy; input variables through `config::inputs`, as `plan` does) and `sim`.
//!   The working directory's `.keyform/` is never read or written.
//! - `report`: results, JUnit XML and the gradebook CSV.
//!
//! Reproducibility: every world starts at [`T0`] and draws identifiers from a generator seeded by
//! the test file's name, so reports are byte-identical on re-run (key material still comes from
//! the OS RNG, and never appears in a report).

pub mod check;
pub mod class;
pub mod file;
pub mod report;
pub mod run;
pub mod scaffold;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::config::Config;
use crate::config::inputs::{self, Request, Undeclared, VarArg};
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::graph::Graph;
use crate::plan::RawVar;

pub use file::TestFile;
pub use report::Report;
pub use run::Observer;

/// When every test world starts: 2026-01-01T00:00:00Z.
pub const T0: crate::sim::clock::Millis = 1_767_225_600_000;

/// What `keyform test` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The configuration under test (the working directory, after -chdir).
    pub dir: PathBuf,
    /// `-test-directory`, relative to `dir` unless absolute. When given, only the test files in
    /// it run (a submission's own test files must not add to its score).
    pub test_dir: Option<PathBuf>,
    /// `-filter`: run only these test files (by the name reports show, or by file name).
    pub filters: Vec<String>,
    /// `-var NAME=VALUE` and `-var-file` (relative to `dir` unless absolute), in the order given.
    pub vars: Vec<VarArg>,
}

/// Loaded test files and the configuration they test.
pub struct Session {
    pub dir: PathBuf,
    /// Every file read: the configuration's, then the test files and variable files.
    pub sources: SourceMap,
    config: Result<(Config, Graph), Diagnostics>,
    /// The configurations `run { module { source = ... } }` blocks name, by source.
    modules: BTreeMap<String, Result<(Config, Graph), Diagnostics>>,
    pub files: Vec<TestFile>,
    inputs: BTreeMap<String, RawVar>,
}

impl Session {
    /// Finds and validates the test files and loads the configuration. Problems with the test
    /// files or the command line are errors; a configuration that does not load is not: every
    /// run then reports it (the student's mistake still gets a report and a score).
    pub fn open(opts: &Options) -> Result<Session, (Diagnostics, SourceMap)> {
        let (config, mut sources) = crate::engine::load_config(&opts.dir);
        let found = match discover(&opts.dir, opts.test_dir.as_deref()) {
            Ok(f) => f,
            Err(d) => return Err((d.into(), sources)),
        };
        let found = filter(found, &opts.filters).map_err(|d| (d.into(), sources.clone()))?;
        let mut diags = Diagnostics::new();
        let mut files = Vec::new();
        for (path, name) in found {
            match file::load(&mut sources, &path, name) {
                Ok(f) => files.push(f),
                Err(d) => diags.extend(d),
            }
        }
        // Test files may refer to variables the configuration does not declare (`var.NAME`), so
        // values for them are kept, as `terraform test` does.
        let collected = {
            let declared = config.as_ref().ok().map(|(c, _)| &c.variables);
            let req = Request::new(&opts.dir, declared, &opts.vars, Undeclared::Keep);
            inputs::collect(&req, &mut sources)
        };
        let config_diags = collected.from_dir;
        diags.extend(collected.from_args);
        let inputs = collected.values;
        // A bad terraform.tfvars belongs to the configuration under test: its runs report it.
        let config = match config {
            _ if !config_diags.has_errors() => config,
            Ok(_) => Err(config_diags),
            Err(mut d) => {
                d.extend(config_diags);
                Err(d)
            }
        };
        if diags.has_errors() {
            return Err((diags, sources));
        }
        let mut modules = BTreeMap::new();
        for m in files
            .iter()
            .flat_map(|f| &f.runs)
            .filter_map(|r| r.module.as_ref())
        {
            if !modules.contains_key(&m.source) {
                let dir = opts.dir.join(&m.source);
                let loaded = crate::engine::load_config_into(&dir, &mut sources);
                modules.insert(m.source.clone(), loaded);
            }
        }
        Ok(Session {
            dir: opts.dir.clone(),
            sources,
            config,
            modules,
            files,
            inputs,
        })
    }

    /// The configuration's errors, if it could not be loaded.
    pub fn config_error(&self) -> Option<&Diagnostics> {
        self.config.as_ref().err()
    }

    /// Runs every test file in order, telling `obs` as runs start and finish.
    pub fn run(&self, obs: &mut dyn Observer) -> Report {
        let mut report = Report::default();
        for f in &self.files {
            report.files.push(run::run_file(self, f, obs));
        }
        report
    }
}

/// How a test directory is named in reports: as given when it is a plain relative path, else by
/// its last component (`tests`), so reports do not depend on where a lab is checked out.
fn shown_dir(given: &Path) -> String {
    let plain = given.is_relative()
        && given
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if plain {
        let s: Vec<String> = given
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        return s.join("/");
    }
    given
        .file_name()
        .map_or_else(|| "tests".into(), |n| n.to_string_lossy().into_owned())
}

/// The test files to run, with the names reports show, in order: the working directory's, then
/// those in `tests/`; or only those in the given test directory.
pub fn discover(dir: &Path, test_dir: Option<&Path>) -> Result<Vec<(PathBuf, String)>, Diagnostic> {
    const SUFFIX: &str = ".tftest.hcl";
    let named = |files: Vec<PathBuf>, prefix: &str| -> Vec<(PathBuf, String)> {
        files
            .into_iter()
            .map(|p| {
                let file = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let name = if prefix.is_empty() {
                    file
                } else {
                    format!("{prefix}/{file}")
                };
                (p, name)
            })
            .collect()
    };
    let found = match test_dir {
        Some(given) => {
            let path = if given.is_absolute() {
                given.to_path_buf()
            } else {
                dir.join(given)
            };
            if !path.is_dir() {
                return Err(Diagnostic::error(
                    "Test directory not found",
                    format!(
                        "-test-directory={}: {} is not a directory. The test directory is taken relative to the working directory (-chdir).",
                        given.display(),
                        path.display()
                    ),
                ));
            }
            named(crate::parse::list_files(&path, SUFFIX)?, &shown_dir(given))
        }
        None => {
            let mut v = named(crate::parse::list_files(dir, SUFFIX)?, "");
            let tests = dir.join("tests");
            if tests.is_dir() {
                v.extend(named(crate::parse::list_files(&tests, SUFFIX)?, "tests"));
            }
            v
        }
    };
    if found.is_empty() {
        let place = match test_dir {
            Some(t) => format!("in {}", t.display()),
            None => format!("in {} or its tests/ directory", dir.display()),
        };
        return Err(Diagnostic::error(
            "No test files",
            format!(
                "There are no *.tftest.hcl files {place}. Give a lab's tests with -test-directory=DIR."
            ),
        ));
    }
    Ok(found)
}

fn filter(
    found: Vec<(PathBuf, String)>,
    filters: &[String],
) -> Result<Vec<(PathBuf, String)>, Diagnostic> {
    if filters.is_empty() {
        return Ok(found);
    }
    let base = |s: &str| s.rsplit(['/', '\\']).next().unwrap_or(s).to_string();
    let mut out = Vec::new();
    for (p, name) in &found {
        if filters.iter().any(|f| *f == *name || base(f) == base(name)) {
            out.push((p.clone(), name.clone()));
        }
    }
    for f in filters {
        if !found.iter().any(|(_, n)| *f == *n || base(f) == base(n)) {
            let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
            return Err(Diagnostic::error(
                "Test file not found",
                format!(
                    "-filter={f} matches no test file.{} Test files: {}.",
                    crate::diag::suggestion(f, names.iter().copied()),
                    names.join(", ")
                ),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_directories_are_named_portably() {
        assert_eq!(shown_dir(Path::new("tests")), "tests");
        assert_eq!(shown_dir(Path::new("./lab/tests")), "lab/tests");
        assert_eq!(shown_dir(Path::new("../../labs/x/tests")), "tests");
        assert_eq!(shown_dir(Path::new("/srv/labs/x/checks")), "checks");
    }

    #[test]
    fn discovery_takes_the_working_directory_then_tests() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("tests")).unwrap();
        for f in ["b.tftest.hcl", "a.tftest.hcl", "tests/c.tftest.hcl", "x.tf"] {
            std::fs::write(d.path().join(f), "").unwrap();
        }
        let names: Vec<String> = discover(d.path(), None)
            .unwrap()
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(
            names,
            ["a.tftest.hcl", "b.tftest.hcl", "tests/c.tftest.hcl"]
        );
        // A given test directory replaces both.
        let names: Vec<String> = discover(d.path(), Some(Path::new("tests")))
            .unwrap()
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(names, ["tests/c.tftest.hcl"]);
        let e = discover(d.path(), Some(Path::new("nope"))).unwrap_err();
        assert_eq!(e.summary, "Test directory not found");
    }

    #[test]
    fn filters_must_match_a_file() {
        let found = vec![
            (
                PathBuf::from("t/a.tftest.hcl"),
                "tests/a.tftest.hcl".to_string(),
            ),
            (
                PathBuf::from("t/b.tftest.hcl"),
                "tests/b.tftest.hcl".to_string(),
            ),
        ];
        let kept = filter(found.clone(), &["tests/b.tftest.hcl".into()]).unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].1, "tests/b.tftest.hcl");
        let e = filter(found, &["tests/c.tftest.hcl".into()]).unwrap_err();
        assert_eq!(
            e.detail,
            "-filter=tests/c.tftest.hcl matches no test file. Did you mean \"tests/a.tftest.hcl\"? Test files: tests/a.tftest.hcl, tests/b.tftest.hcl."
        );
    }
}
