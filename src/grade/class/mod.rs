//! Grading a class: the gradebook of many submissions graded with one lab's tests. Why each
//! submission scored what it did (its status), every check's result, the class summary (per
//! check, how many passed), shards of a class graded apart and merged, and the gradebook's
//! forms: CSV for spreadsheets, HTML for people (`html`), JSON for `grade merge`.
//!
//! Everything here is deterministic: the same results make the same bytes.

mod html;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::grade::report::{Status, csv_field};

pub use html::html;

/// One graded check: a run of the lab's tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The test file's report name (`tests/main.tftest.hcl`).
    pub file: String,
    pub run: String,
    /// How the gradebook names it: the run's name, or `file:run` when several files share it.
    pub label: String,
    pub points: u32,
}

impl Check {
    /// The lab's checks, labelled: by run name, or `file:run` where two files share a name.
    pub fn labelled(runs: &[(String, String, u32)]) -> Vec<Check> {
        runs.iter()
            .map(|(file, run, points)| {
                let shared = runs.iter().filter(|(_, r, _)| r == run).count() > 1;
                Check {
                    file: file.clone(),
                    run: run.clone(),
                    label: if shared {
                        format!("{file}:{run}")
                    } else {
                        run.clone()
                    },
                    points: *points,
                }
            })
            .collect()
    }
}

/// Why a submission scored what it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// The lab's tests ran on it.
    Graded,
    /// No `.tf` files anywhere in it.
    NoConfiguration,
    /// Its configuration does not load: every check errors (the detail is its first error).
    ConfigurationError,
    /// Its `.tf` files are in a subdirectory (an unzipped folder, a copied lab directory), not
    /// at its top: it is not graded, the detail names where they are.
    NestedSolutionDirectory,
    /// Grading it took longer than `-timeout`.
    TimedOut,
    /// `keyform test` could not run on it (it crashed or printed no result).
    CouldNotRun,
}

impl SubmissionStatus {
    pub fn label(self) -> &'static str {
        match self {
            SubmissionStatus::Graded => "graded",
            SubmissionStatus::NoConfiguration => "no configuration",
            SubmissionStatus::ConfigurationError => "configuration error",
            SubmissionStatus::NestedSolutionDirectory => "nested solution directory",
            SubmissionStatus::TimedOut => "timed out",
            SubmissionStatus::CouldNotRun => "could not run",
        }
    }
}

/// One check's result for one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    #[serde(with = "status_name")]
    pub status: Status,
    /// For a check not graded, what it needs (`needs aws_kms_key.lab`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
}

impl CheckResult {
    /// The gradebook's cell: `pass`, `fail`, `error`, or `not graded: needs ...`.
    pub fn cell(&self) -> String {
        match (&self.status, &self.needs) {
            (Status::NotGraded, Some(n)) => format!("not graded: {n}"),
            (s, _) => s.label().to_string(),
        }
    }
}

mod status_name {
    use crate::grade::report::Status;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.as_str())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        let s = String::deserialize(d)?;
        Status::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown status {s:?}")))
    }
}

/// One submission's line in the gradebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    pub name: String,
    pub status: SubmissionStatus,
    /// What the status needs said: the first configuration error, where a nested solution
    /// is, the time limit; empty when graded.
    pub detail: String,
    pub score: u64,
    pub total: u64,
    /// One per check of the gradebook, in its order.
    pub checks: Vec<CheckResult>,
}

impl Submission {
    /// A submission no check could run on: every check errors (or is not graded when nothing
    /// was there to grade), scoring 0.
    pub fn ungraded(
        name: &str,
        status: SubmissionStatus,
        detail: String,
        checks: &[Check],
    ) -> Submission {
        let each = match status {
            SubmissionStatus::NoConfiguration | SubmissionStatus::NestedSolutionDirectory => {
                CheckResult {
                    status: Status::NotGraded,
                    needs: None,
                }
            }
            _ => CheckResult {
                status: Status::Error,
                needs: None,
            },
        };
        Submission {
            name: name.to_string(),
            status,
            detail,
            score: 0,
            total: checks.iter().map(|c| u64::from(c.points)).sum(),
            checks: checks.iter().map(|_| each.clone()).collect(),
        }
    }

    /// The score as a whole percentage of the total, rounded down (100 when there is nothing
    /// to earn).
    pub fn percent(&self) -> u64 {
        (self.score * 100).checked_div(self.total).unwrap_or(100)
    }
}

/// `-shard=I/N`: this job grades the I-th of N shares of the class (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with 1 <= I <= N.
    pub fn parse(s: &str) -> Option<Shard> {
        let (i, n) = s.split_once('/')?;
        let (index, count) = (i.trim().parse().ok()?, n.trim().parse().ok()?);
        (1..=count)
            .contains(&index)
            .then_some(Shard { index, count })
    }

    /// Whether the `i`-th submission (0-based, in name order) is this shard's: every N-th,
    /// so shards stay even however the names fall.
    pub fn takes(&self, i: usize) -> bool {
        i % self.count == self.index - 1
    }
}

/// The gradebook of a class (or of one shard of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gradebook {
    /// The lab that graded it, as given to `-lab`.
    pub lab: String,
    pub checks: Vec<Check>,
    /// Sorted by name.
    pub submissions: Vec<Submission>,
    /// The shards merged into it (none: the whole class was graded at once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<Shard>,
}

/// Per check: how the class did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    pub label: String,
    pub points: u32,
    pub passed: usize,
    pub failed: usize,
    pub not_graded: usize,
}

/// Why shards do not merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeError {
    /// Nothing to merge.
    Empty,
    /// Two gradebooks were graded with different labs or checks.
    DifferentLabs { first: String, other: String },
    /// A submission appears in two gradebooks.
    Duplicate(String),
    /// Shards of N were given but some are missing (or one is given twice).
    Shards {
        count: usize,
        missing: Vec<usize>,
        repeated: Vec<usize>,
    },
}

impl Gradebook {
    pub fn new(lab: String, checks: Vec<Check>, mut submissions: Vec<Submission>) -> Gradebook {
        submissions.sort_by(|a, b| a.name.cmp(&b.name));
        Gradebook {
            lab,
            checks,
            submissions,
            shards: Vec::new(),
        }
    }

    /// The gradebook CSV: `submission,status,detail,score,total,failed_runs`, then one column
    /// per check holding its result; failed runs are separated by `;`.
    pub fn csv(&self) -> String {
        let mut out = String::from("submission,status,detail,score,total,failed_runs");
        for c in &self.checks {
            out.push(',');
            out.push_str(&csv_field(&c.label));
        }
        out.push('\n');
        for s in &self.submissions {
            let failed: Vec<&str> = self
                .checks
                .iter()
                .zip(&s.checks)
                .filter(|(_, r)| r.status != Status::Pass)
                .map(|(c, _)| c.label.as_str())
                .collect();
            let _ = write!(
                out,
                "{},{},{},{},{},{}",
                csv_field(&s.name),
                s.status.label(),
                csv_field(&s.detail),
                s.score,
                s.total,
                csv_field(&failed.join(";"))
            );
            for r in &s.checks {
                out.push(',');
                out.push_str(&csv_field(&r.cell()));
            }
            out.push('\n');
        }
        out
    }

    /// Per check, how many submissions passed, failed (or errored) and were not graded.
    pub fn summary(&self) -> Vec<CheckSummary> {
        self.checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut s = CheckSummary {
                    label: c.label.clone(),
                    points: c.points,
                    passed: 0,
                    failed: 0,
                    not_graded: 0,
                };
                for r in self.submissions.iter().filter_map(|x| x.checks.get(i)) {
                    match r.status {
                        Status::Pass => s.passed += 1,
                        Status::Fail | Status::Error => s.failed += 1,
                        Status::NotGraded => s.not_graded += 1,
                    }
                }
                s
            })
            .collect()
    }

    /// The class summary CSV: one line per check.
    pub fn summary_csv(&self) -> String {
        let mut out = String::from("check,points,passed,failed,not_graded,submissions\n");
        for s in self.summary() {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{}",
                csv_field(&s.label),
                s.points,
                s.passed,
                s.failed,
                s.not_graded,
                self.submissions.len()
            );
        }
        out
    }

    /// The gradebook as `grade merge` reads it back.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    pub fn from_json(text: &str) -> Result<Gradebook, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    /// Submissions scoring under `percent` of their total (`-fail-under`).
    pub fn under(&self, percent: u64) -> Vec<&Submission> {
        self.submissions
            .iter()
            .filter(|s| s.percent() < percent)
            .collect()
    }

    /// Merges shards (or any gradebooks of the same lab) into one. When shards are named,
    /// every one of 1..=N must be there exactly once.
    pub fn merge(books: Vec<(Gradebook, Option<Shard>)>) -> Result<Gradebook, MergeError> {
        let mut iter = books.into_iter();
        let (first, shard) = iter.next().ok_or(MergeError::Empty)?;
        let mut out = first;
        let mut shards: Vec<Shard> = out.shards.drain(..).chain(shard).collect();
        for (b, shard) in iter {
            if b.lab != out.lab || b.checks != out.checks {
                return Err(MergeError::DifferentLabs {
                    first: out.lab.clone(),
                    other: b.lab,
                });
            }
            for s in b.submissions {
                if out.submissions.iter().any(|x| x.name == s.name) {
                    return Err(MergeError::Duplicate(s.name));
                }
                out.submissions.push(s);
            }
            shards.extend(b.shards);
            shards.extend(shard);
        }
        if let Some(count) = shards.first().map(|s| s.count) {
            let mut missing = Vec::new();
            let mut repeated = Vec::new();
            for i in 1..=count {
                match shards
                    .iter()
                    .filter(|s| s.count == count && s.index == i)
                    .count()
                {
                    0 => missing.push(i),
                    1 => {}
                    _ => repeated.push(i),
                }
            }
            if !missing.is_empty()
                || !repeated.is_empty()
                || shards.iter().any(|s| s.count != count)
            {
                return Err(MergeError::Shards {
                    count,
                    missing,
                    repeated,
                });
            }
        }
        out.submissions.sort_by(|a, b| a.name.cmp(&b.name));
        shards.sort_by_key(|s| s.index);
        out.shards = shards;
        Ok(out)
    }
}

/// Where a submission's configuration is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// `.tf` files at its top.
    Top,
    /// None at its top, but in this subdirectory (the first, in name order, up to three levels
    /// down).
    Nested(PathBuf),
    /// No `.tf` file at all.
    Nothing,
}

/// Where `dir`'s configuration is. Hidden directories (`.git`, `.keyform`) are not looked in.
pub fn locate(dir: &Path) -> Located {
    fn has_tf(d: &Path) -> bool {
        std::fs::read_dir(d).is_ok_and(|r| {
            r.filter_map(Result::ok)
                .any(|e| e.path().is_file() && e.file_name().to_string_lossy().ends_with(".tf"))
        })
    }
    fn subdirs(d: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(d)
            .map(|r| {
                r.filter_map(Result::ok)
                    .filter(|e| {
                        e.path().is_dir() && !e.file_name().to_string_lossy().starts_with('.')
                    })
                    .map(|e| e.path())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }
    if has_tf(dir) {
        return Located::Top;
    }
    let mut level = subdirs(dir);
    for _ in 0..3 {
        if let Some(found) = level.iter().find(|d| has_tf(d)) {
            let rel = found.strip_prefix(dir).unwrap_or(found).to_path_buf();
            return Located::Nested(rel);
        }
        level = level.iter().flat_map(|d| subdirs(d)).collect();
    }
    Located::Nothing
}

#[cfg(test)]
mod tests;
