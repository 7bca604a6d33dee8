//! `keyform grade` and `keyform grade merge`: the command-line side of `grade::class`. Runs one
//! `keyform test` child process per submission with a time limit (several at once), reads its
//! JSON lines into the gradebook, and writes the gradebook's files; prints each submission's
//! score and the class summary.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::cli::args::{GradeArgs, GradeCommand, GradeMergeArgs};
use crate::cli::commands::rel;
use crate::cli::{Ctx, Failure};
use crate::diag::SourceMap;
use crate::grade::class::{
    Check, CheckResult, Gradebook, Located, MergeError, Shard, Submission, SubmissionStatus,
};
use crate::grade::file::TestFile;
use crate::grade::report::{self, FileReport, Message, MessageKind, Report, RunReport, Status};

type CmdResult = Result<u8, Failure>;

/// The lab directory `-lab` names: a directory, or a bundled lab's name (when no such directory
/// exists), whose tests are then written to OUT/lab/NAME/tests so the gradebook's directory
/// records exactly what graded it.
fn lab_dir(ctx: &Ctx, lab: &Path, out: &Path) -> Result<PathBuf, Failure> {
    let given = rel(ctx, lab);
    let name = lab.to_string_lossy();
    let Some(files) = (!given.exists())
        .then(|| super::lab::bundled(&name))
        .flatten()
    else {
        return Ok(given);
    };
    let lab = rel(ctx, out).join("lab").join(name.as_ref());
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with("tests/")) {
        let dest = lab.join(path);
        let written = dest
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| crate::fsutil::atomic_write(&dest, text.as_bytes()));
        written.map_err(|e| {
            Failure::msg(
                "Failed to write the bundled lab's tests",
                format!("{}: {e}", dest.display()),
            )
        })?;
    }
    Ok(lab)
}

/// Everything the grading workers share.
struct Grader<'a> {
    exe: PathBuf,
    tests: PathBuf,
    out: PathBuf,
    timeout: Duration,
    lab: &'a [TestFile],
    checks: &'a [Check],
}

fn usage(flag: &str, detail: String) -> Failure {
    Failure::msg(&format!("Invalid {flag}"), detail)
}

pub(crate) fn grade(ctx: &Ctx, a: &GradeArgs) -> CmdResult {
    if let Some(GradeCommand::Merge(m)) = &a.command {
        return merge(ctx, m);
    }
    let (Some(lab_arg), Some(subs_arg)) = (&a.lab, &a.submissions) else {
        return Err(usage(
            "grade",
            "give -lab=LAB and the submissions directory, like keyform grade -lab=labs/aerosecure-sse-kms submissions/".into(),
        ));
    };
    let shard = match &a.shard {
        None => None,
        Some(s) => Some(Shard::parse(s).ok_or_else(|| {
            usage(
                "-shard",
                format!("-shard={s}: give I/N with 1 <= I <= N, like -shard=2/4 (the second of four shares of the class)."),
            )
        })?),
    };
    let lab = lab_dir(ctx, lab_arg, &a.out)?;
    let tests = lab.join("tests");
    if !tests.is_dir() {
        return Err(usage(
            "-lab",
            format!(
                "{} has no tests/ directory: -lab names a lab directory whose tests/ holds *.tftest.hcl files, or a bundled lab (see keyform lab list).",
                lab.display()
            ),
        ));
    }
    // The lab's tests are checked once here; every submission is graded with the same files.
    let mut sources = SourceMap::new();
    let found = crate::grade::discover(&lab, Some(Path::new("tests")))
        .map_err(|d| Failure::new(d.into(), None))?;
    let mut lab_files = Vec::new();
    let mut errors = crate::diag::Diagnostics::new();
    for (path, name) in found {
        match crate::grade::file::load(&mut sources, &path, name) {
            Ok(f) => lab_files.push(f),
            Err(d) => errors.extend(d),
        }
    }
    if errors.has_errors() {
        return Err(Failure::new(errors, Some(sources)));
    }
    let timeout = parse_timeout(&a.timeout).ok_or_else(|| {
        usage(
            "-timeout",
            format!(
                "-timeout={}: give a duration like 30s, 2m or 1h.",
                a.timeout
            ),
        )
    })?;
    if a.parallelism == Some(0) {
        return Err(usage(
            "-parallelism",
            "-parallelism must be at least 1.".into(),
        ));
    }
    let subs_dir = rel(ctx, subs_arg);
    let out = rel(ctx, &a.out);
    let mut subs = submissions(&subs_dir, &out)?;
    if let Some(s) = shard {
        subs = subs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| s.takes(*i))
            .map(|(_, x)| x)
            .collect();
    }
    create_dir(&out)?;
    let exe = std::env::current_exe().map_err(|e| {
        Failure::msg(
            "Cannot find the keyform executable",
            format!("Grading runs keyform once per submission: {e}"),
        )
    })?;
    let checks = Check::labelled(
        &lab_files
            .iter()
            .flat_map(|f| {
                f.runs
                    .iter()
                    .map(|r| (f.name.clone(), r.name.clone(), r.points))
            })
            .collect::<Vec<_>>(),
    );
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let grader = Grader {
        exe,
        tests: abs(&tests),
        out: abs(&out),
        timeout,
        lab: &lab_files,
        checks: &checks,
    };
    let workers = a
        .parallelism
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, subs.len().max(1));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Submission>>> = Mutex::new((0..subs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((name, dir)) = subs.get(i) else {
                        break;
                    };
                    let g = grader.grade_one(name, dir);
                    if let Ok(mut d) = done.lock() {
                        d[i] = Some(g);
                    }
                }
            });
        }
    });
    let graded: Vec<Submission> = done
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let mut book = Gradebook::new(lab_arg.to_string_lossy().into_owned(), checks, graded);
    book.shards = shard.into_iter().collect();
    for s in &book.submissions {
        println!("{}", submission_line(s));
    }
    finish(ctx, &book, &out, a.fail_under)
}

/// `alice: 5/7`, with why when it was not graded normally.
fn submission_line(s: &Submission) -> String {
    let why = match (s.status, s.detail.as_str()) {
        (SubmissionStatus::Graded, _) => String::new(),
        (st, "") => format!(" ({})", st.label()),
        (st, d) => format!(" ({}: {d})", st.label()),
    };
    format!("{}: {}/{}{why}", s.name, s.score, s.total)
}

/// Writes the gradebook's files, prints the class summary, and applies `-fail-under`.
fn finish(ctx: &Ctx, book: &Gradebook, out: &Path, fail_under: Option<u64>) -> CmdResult {
    let files = [
        ("gradebook.csv", book.csv()),
        ("summary.csv", book.summary_csv()),
        ("report.html", crate::grade::class::html(book)),
        ("gradebook.json", book.to_json()),
    ];
    for (name, text) in &files {
        let path = out.join(name);
        crate::fsutil::atomic_write(&path, text.as_bytes()).map_err(|e| {
            Failure::msg(
                "Failed to write the gradebook",
                format!("{}: {e}", path.display()),
            )
        })?;
    }
    let n = book.submissions.len();
    println!("\nClass summary ({n} submission{}):", plural(n));
    let summary = book.summary();
    let width = summary.iter().map(|c| c.label.len()).max().unwrap_or(0);
    for c in &summary {
        let mut line = format!(
            "  {:width$}  {}/{n} passed",
            c.label,
            c.passed,
            width = width
        );
        if c.not_graded > 0 {
            line.push_str(&format!(", {} not graded", c.not_graded));
        }
        if c.points == 0 {
            line.push_str(" (setup, 0 points)");
        }
        println!("{line}");
    }
    println!(
        "\nGraded {n} submission{}: {}, {}",
        plural(n),
        out.join("gradebook.csv").display(),
        out.join("report.html").display()
    );
    let Some(percent) = fail_under else {
        return Ok(0);
    };
    let under = book.under(percent);
    if under.is_empty() {
        return Ok(0);
    }
    let names: Vec<String> = under
        .iter()
        .map(|s| format!("{} ({}%)", s.name, s.percent()))
        .collect();
    println!(
        "\n{} {} submission{} under -fail-under={percent}%: {}",
        ctx.style.red(&ctx.style.bold("Failure!")),
        under.len(),
        plural(under.len()),
        names.join(", ")
    );
    Ok(1)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn create_dir(out: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| {
        Failure::msg(
            "Failed to create the output directory",
            format!("{}: {e}", out.display()),
        )
    })
}

/// `keyform grade merge`: the shards' gradebooks (and JUnit reports) joined into one.
fn merge(ctx: &Ctx, a: &GradeMergeArgs) -> CmdResult {
    let out = rel(ctx, &a.out);
    let mut books = Vec::new();
    for d in &a.dirs {
        let dir = rel(ctx, d);
        let path = dir.join("gradebook.json");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::msg(
                "Cannot read a gradebook",
                format!(
                    "{}: {e}. Give the output directories (-out) of keyform grade runs.",
                    path.display()
                ),
            )
        })?;
        let book = Gradebook::from_json(&text).map_err(|e| {
            Failure::msg(
                "Invalid gradebook",
                format!(
                    "{}: {e}. It was not written by keyform grade (or by another version).",
                    path.display()
                ),
            )
        })?;
        books.push((dir, book));
    }
    let dirs: Vec<PathBuf> = books.iter().map(|(d, _)| d.clone()).collect();
    let merged = Gradebook::merge(books.into_iter().map(|(_, b)| (b, None)).collect())
        .map_err(|e| merge_failure(&e))?;
    create_dir(&out)?;
    // Each submission's JUnit report, beside the merged gradebook.
    let same = |a: &Path, b: &Path| {
        std::fs::canonicalize(a).ok().is_some()
            && std::fs::canonicalize(a).ok() == std::fs::canonicalize(b).ok()
    };
    for dir in dirs.iter().filter(|d| !same(d, &out)) {
        for s in &merged.submissions {
            let from = dir.join(format!("{}.xml", s.name));
            if from.is_file() {
                let to = out.join(format!("{}.xml", s.name));
                std::fs::copy(&from, &to).map_err(|e| {
                    Failure::msg(
                        "Failed to copy a JUnit report",
                        format!("{} to {}: {e}", from.display(), to.display()),
                    )
                })?;
            }
        }
    }
    for s in &merged.submissions {
        println!("{}", submission_line(s));
    }
    finish(ctx, &merged, &out, a.fail_under)
}

fn merge_failure(e: &MergeError) -> Failure {
    let list = |v: &[usize]| -> String {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match e {
        MergeError::Empty => usage(
            "grade merge",
            "give the output directories to merge.".into(),
        ),
        MergeError::DifferentLabs { first, other } => Failure::msg(
            "Gradebooks of different labs",
            format!(
                "One gradebook was graded with {first}, another with {other} (or with other tests): only shards of one lab merge."
            ),
        ),
        MergeError::Duplicate(name) => Failure::msg(
            "Submission graded twice",
            format!("{name} is in two of the gradebooks: give each shard's directory once."),
        ),
        MergeError::Shards {
            count,
            missing,
            repeated,
        } => {
            let mut parts = Vec::new();
            if !missing.is_empty() {
                parts.push(format!("missing shard {} of {count}", list(missing)));
            }
            if !repeated.is_empty() {
                parts.push(format!("shard {} given more than once", list(repeated)));
            }
            if parts.is_empty() {
                parts.push(format!(
                    "shards of different -shard=I/N counts (not all of {count})"
                ));
            }
            Failure::msg(
                "Incomplete shards",
                format!(
                    "{}: merge the output of every -shard=I/{count} run once.",
                    parts.join("; ")
                ),
            )
        }
    }
}

/// The submission directories (name, path), sorted, hidden ones and the output directory left
/// out.
fn submissions(dir: &Path, out: &Path) -> Result<Vec<(String, PathBuf)>, Failure> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::msg(
            "Cannot read the submissions directory",
            format!(
                "{}: {e}. Give a directory holding one subdirectory per submission.",
                dir.display()
            ),
        )
    })?;
    let out = std::fs::canonicalize(out).ok();
    let mut subs: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let is_out = out.is_some() && std::fs::canonicalize(&path).ok() == out;
            (!name.starts_with('.') && !is_out).then_some((name, path))
        })
        .collect();
    subs.sort();
    if subs.is_empty() {
        return Err(Failure::msg(
            "No submissions",
            format!(
                "{} has no subdirectories: put each submission in its own directory.",
                dir.display()
            ),
        ));
    }
    Ok(subs)
}

/// `-timeout`: a duration like 30s or 2m (or 500ms); must be more than zero.
fn parse_timeout(s: &str) -> Option<Duration> {
    let ms = match s.trim().strip_suffix("ms") {
        Some(n) => n.parse::<u64>().ok()?,
        None => u64::try_from(crate::sim::clock::parse_duration(s).ok()?).ok()?,
    };
    (ms > 0).then(|| Duration::from_millis(ms))
}

fn show_timeout(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        crate::sim::clock::format_duration(i64::try_from(ms).unwrap_or(i64::MAX))
    } else {
        format!("{ms}ms")
    }
}

/// What a finished `keyform test -json` child reported.
struct ChildResult {
    score: u64,
    total: u64,
    /// (file, run) -> its result.
    runs: Vec<((String, String), CheckResult)>,
    /// The configuration's first error, on one line.
    config_error: Option<String>,
}

/// A `test -json` diagnostic on one line: `main.tf:3:1: Summary: detail`.
fn diagnostic_line(j: &serde_json::Value) -> String {
    let at = j["range"]["filename"].as_str().map(|f| {
        format!(
            "{f}:{}:{}: ",
            j["range"]["start"]["line"], j["range"]["start"]["column"]
        )
    });
    let mut s = format!(
        "{}{}",
        at.unwrap_or_default(),
        j["summary"].as_str().unwrap_or_default()
    );
    if let Some(d) = j["detail"].as_str().filter(|d| !d.is_empty()) {
        s.push_str(": ");
        s.push_str(&d.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    s
}

fn parse_child(stdout: &str) -> Option<ChildResult> {
    let mut runs = Vec::new();
    let mut summary = None;
    let mut config_error = None;
    for line in stdout.lines() {
        let Ok(j) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match j["type"].as_str() {
            Some("diagnostic") if j["severity"] == "error" && config_error.is_none() => {
                config_error = Some(diagnostic_line(&j));
            }
            Some("run_finished") => {
                let key = (
                    j["file"].as_str().unwrap_or_default().to_string(),
                    j["run"].as_str().unwrap_or_default().to_string(),
                );
                let status = j["status"]
                    .as_str()
                    .and_then(Status::parse)
                    .unwrap_or(Status::Error);
                let needs = j["needs"].as_str().map(str::to_string);
                runs.push((key, CheckResult { status, needs }));
            }
            Some("summary") => {
                summary = Some((j["score"].as_u64()?, j["total"].as_u64()?));
            }
            _ => {}
        }
    }
    summary.map(|(score, total)| ChildResult {
        score,
        total,
        runs,
        config_error,
    })
}

impl Grader<'_> {
    fn grade_one(&self, name: &str, dir: &Path) -> Submission {
        let junit = self.out.join(format!("{name}.xml"));
        let ungraded = |status: SubmissionStatus, detail: String| {
            let s = Submission::ungraded(name, status, detail.clone(), self.checks);
            self.write_junit(&junit, &s, &detail);
            s
        };
        match crate::grade::class::locate(dir) {
            Located::Top => {}
            Located::Nothing => {
                return ungraded(
                    SubmissionStatus::NoConfiguration,
                    "no .tf files in it".into(),
                );
            }
            Located::Nested(sub) => {
                let sub = sub.to_string_lossy().replace('\\', "/");
                return ungraded(
                    SubmissionStatus::NestedSolutionDirectory,
                    format!(
                        "its .tf files are in {sub}/, not at its top: move them up to be graded"
                    ),
                );
            }
        }
        match self.run_child(dir, &junit) {
            Ok(c) => {
                let checks = self
                    .checks
                    .iter()
                    .map(|k| {
                        c.runs
                            .iter()
                            .find(|((f, r), _)| *f == k.file && *r == k.run)
                            .map_or(
                                CheckResult {
                                    status: Status::Error,
                                    needs: None,
                                },
                                |(_, x)| x.clone(),
                            )
                    })
                    .collect();
                let (status, detail) = match c.config_error {
                    Some(e) => (SubmissionStatus::ConfigurationError, e),
                    None => (SubmissionStatus::Graded, String::new()),
                };
                Submission {
                    name: name.to_string(),
                    status,
                    detail,
                    score: c.score,
                    total: c.total,
                    checks,
                }
            }
            Err((status, why)) => ungraded(status, why),
        }
    }

    /// The JUnit report of a submission no test ran on: every run errors (or is skipped when
    /// there was nothing to grade) with the reason, so CI shows it.
    fn write_junit(&self, junit: &Path, s: &Submission, why: &str) {
        let mut results = s.checks.iter();
        let report = Report {
            files: self
                .lab
                .iter()
                .map(|f| FileReport {
                    name: f.name.clone(),
                    runs: f
                        .runs
                        .iter()
                        .map(|r| {
                            let status = results.next().map_or(Status::Error, |c| c.status);
                            let kind = if status == Status::NotGraded {
                                MessageKind::Premise
                            } else {
                                MessageKind::Command
                            };
                            RunReport {
                                name: r.name.clone(),
                                command: r.command,
                                status,
                                points: r.points,
                                messages: vec![Message {
                                    kind,
                                    location: None,
                                    text: format!("{}: {why}", s.status.label()),
                                }],
                                summary: None,
                                actions: Vec::new(),
                                time: Duration::ZERO,
                            }
                        })
                        .collect(),
                })
                .collect(),
        };
        let _ = crate::fsutil::atomic_write(junit, report::junit_xml(&report).as_bytes());
    }

    /// Runs `keyform -chdir=DIR test` in a child process, killed at the time limit.
    fn run_child(
        &self,
        dir: &Path,
        junit: &Path,
    ) -> Result<ChildResult, (SubmissionStatus, String)> {
        let could_not = |why: String| (SubmissionStatus::CouldNotRun, why);
        let mut child = Command::new(&self.exe)
            .arg(format!("--chdir={}", dir.display()))
            .arg("test")
            .arg(format!("--test-directory={}", self.tests.display()))
            .arg("--json")
            .arg(format!("--junit-xml={}", junit.display()))
            .env("NO_COLOR", "1")
            .env_remove("KEYFORM_AS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| could_not(format!("could not start keyform test: {e}")))?;
        // Drain both pipes while waiting so a chatty child cannot block on a full pipe.
        let drain = |p: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut s = String::new();
                if let Some(mut p) = p {
                    let _ = p.read_to_string(&mut s);
                }
                s
            })
        };
        let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
        let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
        let start = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(s)) => break Some(s),
                Ok(None) if start.elapsed() >= self.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(
                    self.timeout
                        .saturating_sub(start.elapsed())
                        .clamp(Duration::from_millis(1), Duration::from_millis(10)),
                ),
                Err(e) => return Err(could_not(format!("could not wait for keyform test: {e}"))),
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        let Some(status) = status else {
            return Err((
                SubmissionStatus::TimedOut,
                format!("-timeout={}", show_timeout(self.timeout)),
            ));
        };
        match (status.code(), parse_child(&stdout)) {
            (Some(0 | 1), Some(c)) => Ok(c),
            _ => {
                let first = stderr
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or("no output");
                Err(could_not(format!("keyform test ended ({status}): {first}")))
            }
        }
    }
}
