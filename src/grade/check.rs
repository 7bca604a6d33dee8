//! `keyform lab check`: a lab grades sharply when its reference solution passes every run and
//! its untouched starter earns no point. A graded run that passes on the starter measures
//! something the learner did not do (AWS's own behaviour, or a goal the starter already meets):
//! it should be a setup run (`points = 0`) or the starter should leave its goal undone.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::grade::report::{Report, Status};
use crate::grade::run::Quiet;
use crate::grade::{Options, Session};

/// Why a lab does not grade sharply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The reference solution does not pass this run.
    SolutionFails {
        file: String,
        run: String,
        status: Status,
        messages: Vec<String>,
    },
    /// The untouched starter earns this run's points.
    StarterEarns {
        file: String,
        run: String,
        points: u32,
    },
}

/// What checking a lab found.
#[derive(Debug)]
pub struct LabCheck {
    pub solution: Report,
    pub starter: Report,
    pub problems: Vec<Problem>,
}

/// The parts every lab has: a reference solution, a starter and tests.
pub struct LabLayout {
    pub solution: PathBuf,
    pub starter: PathBuf,
    pub tests: PathBuf,
}

impl LabLayout {
    /// The layout of `lab`, or what is missing from it.
    pub fn of(lab: &Path) -> Result<LabLayout, Diagnostic> {
        let l = LabLayout {
            solution: lab.to_path_buf(),
            starter: lab.join("starter"),
            tests: lab.join("tests"),
        };
        let missing: Vec<&str> = [
            (
                "main.tf (the reference solution)",
                l.solution.join("main.tf"),
            ),
            ("starter/main.tf", l.starter.join("main.tf")),
            ("tests/", l.tests.clone()),
        ]
        .into_iter()
        .filter(|(_, p)| !p.exists())
        .map(|(what, _)| what)
        .collect();
        if missing.is_empty() {
            return Ok(l);
        }
        Err(Diagnostic::error(
            "Not a lab directory",
            format!(
                "{} lacks {}. A lab directory holds main.tf (the reference solution), starter/main.tf and tests/*.tftest.hcl; `keyform lab new NAME` lays one out.",
                lab.display(),
                missing.join(", ")
            ),
        ))
    }
}

/// Grades the lab's solution and its starter with the lab's tests, each in fresh worlds.
pub fn check(lab: &Path) -> Result<LabCheck, (Diagnostics, SourceMap)> {
    let layout = LabLayout::of(lab).map_err(|d| (d.into(), SourceMap::new()))?;
    let tests = std::path::absolute(&layout.tests).unwrap_or(layout.tests.clone());
    let grade = |dir: &Path| -> Result<Report, (Diagnostics, SourceMap)> {
        let session = Session::open(&Options {
            dir: dir.to_path_buf(),
            test_dir: Some(tests.clone()),
            ..Options::default()
        })?;
        Ok(session.run(&mut Quiet))
    };
    let solution = grade(&layout.solution)?;
    let starter = grade(&layout.starter)?;
    let mut problems = Vec::new();
    for f in &solution.files {
        for r in f.runs.iter().filter(|r| r.status != Status::Pass) {
            problems.push(Problem::SolutionFails {
                file: f.name.clone(),
                run: r.name.clone(),
                status: r.status,
                messages: r.messages.iter().map(|m| m.render()).collect(),
            });
        }
    }
    for f in &starter.files {
        for r in f.runs.iter().filter(|r| r.earned() > 0) {
            problems.push(Problem::StarterEarns {
                file: f.name.clone(),
                run: r.name.clone(),
                points: r.points,
            });
        }
    }
    Ok(LabCheck {
        solution,
        starter,
        problems,
    })
}
