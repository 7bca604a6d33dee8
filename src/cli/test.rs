//! `keyform test` and `keyform grade`: the command-line side of `grade`. Prints progress as runs
//! finish (human or JSON lines), writes JUnit reports, and for `grade` runs one `keyform test`
//! child process per submission with a time limit, then writes the gradebook.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::cli::args::{GradeArgs, TestArgs};
use crate::cli::commands::rel;
use crate::cli::render::{self, Style};
use crate::cli::{Ctx, Failure};
use crate::diag::SourceMap;
use crate::grade::file::{RunBlock, TestFile};
use crate::grade::report::{
    self, FileReport, GradeRow, Message, MessageKind, Report, RunReport, Status,
};
use crate::grade::{Observer, Options, Session};

type CmdResult = Result<u8, Failure>;

/// Human progress: each file, each run with pass/fail and points, and why a run failed.
struct Human {
    style: Style,
    verbose: bool,
}

impl Human {
    fn status(&self, s: Status) -> String {
        match s {
            Status::Pass => self.style.green("pass"),
            Status::Fail => self.style.red("fail"),
            Status::Error => self.style.red("error"),
        }
    }
}

impl Observer for Human {
    fn file_started(&mut self, file: &TestFile) {
        println!("{}... in progress", file.name);
    }

    fn run_finished(&mut self, _file: &TestFile, r: &RunReport) {
        println!(
            "  run \"{}\"... {} ({}/{} point{})",
            r.name,
            self.status(r.status),
            r.earned(),
            r.points,
            if r.points == 1 { "" } else { "s" }
        );
        if self.verbose {
            if let Some(s) = &r.summary {
                println!("    {s}");
            }
            for a in &r.actions {
                let what = match (&a.error, a.as_expected) {
                    (None, _) => "ok".to_string(),
                    (Some(c), true) => format!("{c} (expected)"),
                    (Some(c), false) => c.clone(),
                };
                let who = if a.call == crate::grade::file::CLOCK_ADVANCE {
                    String::new()
                } else {
                    format!(" as {}", a.caller)
                };
                println!("    action \"{}\" {}{who}: {what}", a.name, a.call);
            }
        }
        // The configuration's own errors were shown once, before the runs.
        if r.messages.iter().any(|m| m.kind == MessageKind::Config) {
            println!("    the configuration could not be loaded (see the errors above)");
        }
        for m in r.messages.iter().filter(|m| m.kind != MessageKind::Config) {
            println!("    {}", m.render());
        }
    }

    fn file_finished(&mut self, f: &FileReport) {
        println!("{}... {}", f.name, self.status(f.status()));
    }
}

/// JSON lines: one event per run start and finish.
struct JsonLines;

impl Observer for JsonLines {
    fn run_started(&mut self, file: &TestFile, run: &RunBlock) {
        println!("{}", render::json::run_started(&file.name, &run.name));
    }

    fn run_finished(&mut self, file: &TestFile, r: &RunReport) {
        println!("{}", render::json::run_finished(&file.name, r));
    }
}

pub(crate) fn test(ctx: &Ctx, a: &TestArgs) -> CmdResult {
    let opts = Options {
        dir: ctx.dir.clone(),
        test_dir: a.test_directory.clone(),
        filters: a.filters.clone(),
        vars: ctx.vars.clone(),
    };
    let session = Session::open(&opts).map_err(|(d, s)| Failure::new(d, Some(s)))?;
    if let Some(errors) = session.config_error() {
        if a.json {
            for d in errors.iter() {
                println!("{}", render::json::test_diagnostic(d, &session.sources));
            }
        } else {
            eprint!(
                "\n{}\n",
                render::diag::render_all(errors.iter(), &session.sources, ctx.style)
            );
        }
    }
    let report = if a.json {
        session.run(&mut JsonLines)
    } else {
        session.run(&mut Human {
            style: ctx.style,
            verbose: a.verbose,
        })
    };
    if let Some(path) = &a.junit_xml {
        let path = rel(ctx, path);
        crate::fsutil::atomic_write(&path, report::junit_xml(&report).as_bytes()).map_err(|e| {
            Failure::msg(
                "Failed to write the JUnit report",
                format!("{}: {e}", path.display()),
            )
        })?;
    }
    if a.json {
        println!("{}", render::json::test_summary(&report));
    } else {
        let head = if report.all_passed() {
            ctx.style.green(&ctx.style.bold("Success!"))
        } else {
            ctx.style.red(&ctx.style.bold("Failure!"))
        };
        println!(
            "\n{head} {} passed, {} failed.\nScore: {}/{}",
            report.passed(),
            report.failed(),
            report.score(),
            report.total()
        );
    }
    Ok(u8::from(!report.all_passed()))
}

/// The lab directory `-lab` names: a directory, or a bundled lab's name (when no such directory
/// exists), whose tests are then written to OUT/lab/NAME/tests so the gradebook's directory
/// records exactly what graded it.
fn lab_dir(ctx: &Ctx, a: &GradeArgs) -> Result<PathBuf, Failure> {
    let given = rel(ctx, &a.lab);
    let name = a.lab.to_string_lossy();
    let Some(files) = (!given.exists())
        .then(|| super::lab::bundled(&name))
        .flatten()
    else {
        return Ok(given);
    };
    let lab = rel(ctx, &a.out).join("lab").join(name.as_ref());
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

/// What grading one submission produced.
struct Graded {
    row: GradeRow,
    /// Why the submission could not be graded normally (timeout, crash).
    note: Option<String>,
}

/// Everything the grading workers share.
struct Grader<'a> {
    exe: PathBuf,
    tests: PathBuf,
    out: PathBuf,
    timeout: Duration,
    lab: &'a [TestFile],
}

pub(crate) fn grade(ctx: &Ctx, a: &GradeArgs) -> CmdResult {
    let lab = lab_dir(ctx, a)?;
    let tests = lab.join("tests");
    if !tests.is_dir() {
        return Err(Failure::msg(
            "Invalid -lab",
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
        Failure::msg(
            "Invalid -timeout",
            format!(
                "-timeout={}: give a duration like 30s, 2m or 1h.",
                a.timeout
            ),
        )
    })?;
    if a.parallelism == Some(0) {
        return Err(Failure::msg(
            "Invalid -parallelism",
            "-parallelism must be at least 1.",
        ));
    }
    let subs_dir = rel(ctx, &a.submissions);
    let out = rel(ctx, &a.out);
    let subs = submissions(&subs_dir, &out)?;
    std::fs::create_dir_all(&out).map_err(|e| {
        Failure::msg(
            "Failed to create the output directory",
            format!("{}: {e}", out.display()),
        )
    })?;
    let exe = std::env::current_exe().map_err(|e| {
        Failure::msg(
            "Cannot find the keyform executable",
            format!("Grading runs keyform once per submission: {e}"),
        )
    })?;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let grader = Grader {
        exe,
        tests: abs(&tests),
        out: abs(&out),
        timeout,
        lab: &lab_files,
    };
    let workers = a
        .parallelism
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, subs.len().max(1));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Graded>>> = Mutex::new((0..subs.len()).map(|_| None).collect());
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
    let graded: Vec<Graded> = done
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    for g in &graded {
        let note = g
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        println!(
            "{}: {}/{}{note}",
            g.row.submission, g.row.score, g.row.total
        );
    }
    let rows: Vec<GradeRow> = graded.into_iter().map(|g| g.row).collect();
    let csv = out.join("gradebook.csv");
    crate::fsutil::atomic_write(&csv, report::gradebook_csv(&rows).as_bytes()).map_err(|e| {
        Failure::msg(
            "Failed to write the gradebook",
            format!("{}: {e}", csv.display()),
        )
    })?;
    println!(
        "\nGraded {} submission{}: {}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        csv.display()
    );
    Ok(0)
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
    failed: Vec<(String, String)>,
}

fn parse_child(stdout: &str) -> Option<ChildResult> {
    let mut failed = Vec::new();
    let mut summary = None;
    for line in stdout.lines() {
        let Ok(j) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        match j["type"].as_str() {
            Some("run_finished") if j["status"] != "pass" => failed.push((
                j["file"].as_str().unwrap_or_default().to_string(),
                j["run"].as_str().unwrap_or_default().to_string(),
            )),
            Some("summary") => {
                summary = Some((j["score"].as_u64()?, j["total"].as_u64()?));
            }
            _ => {}
        }
    }
    summary.map(|(score, total)| ChildResult {
        score,
        total,
        failed,
    })
}

impl Grader<'_> {
    /// How a failed run is named in the gradebook: by its name, or `file:run` when several test
    /// files have a run of that name.
    fn run_label(&self, file: &str, run: &str) -> String {
        let same = self
            .lab
            .iter()
            .filter(|f| f.runs.iter().any(|r| r.name == run))
            .count();
        if same > 1 {
            format!("{file}:{run}")
        } else {
            run.to_string()
        }
    }

    fn grade_one(&self, name: &str, dir: &Path) -> Graded {
        let junit = self.out.join(format!("{name}.xml"));
        let result = self.run_child(dir, &junit);
        match result {
            Ok(c) => Graded {
                row: GradeRow {
                    submission: name.to_string(),
                    score: c.score,
                    total: c.total,
                    failed_runs: c.failed.iter().map(|(f, r)| self.run_label(f, r)).collect(),
                },
                note: None,
            },
            Err(why) => {
                // Every run errors; the report says why, so CI shows it.
                let report = Report {
                    files: self
                        .lab
                        .iter()
                        .map(|f| FileReport {
                            name: f.name.clone(),
                            runs: f
                                .runs
                                .iter()
                                .map(|r| RunReport {
                                    name: r.name.clone(),
                                    command: r.command,
                                    status: Status::Error,
                                    points: r.points,
                                    messages: vec![Message {
                                        kind: MessageKind::Command,
                                        location: None,
                                        text: why.clone(),
                                    }],
                                    summary: None,
                                    actions: Vec::new(),
                                })
                                .collect(),
                        })
                        .collect(),
                };
                let _ = crate::fsutil::atomic_write(&junit, report::junit_xml(&report).as_bytes());
                let failed_runs = self
                    .lab
                    .iter()
                    .flat_map(|f| f.runs.iter().map(|r| self.run_label(&f.name, &r.name)))
                    .collect();
                Graded {
                    row: GradeRow {
                        submission: name.to_string(),
                        score: 0,
                        total: report.total(),
                        failed_runs,
                    },
                    note: Some(why),
                }
            }
        }
    }

    /// Runs `keyform -chdir=DIR test` in a child process, killed at the time limit.
    fn run_child(&self, dir: &Path, junit: &Path) -> Result<ChildResult, String> {
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
            .map_err(|e| format!("could not start keyform test: {e}"))?;
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
                Err(e) => return Err(format!("could not wait for keyform test: {e}")),
            }
        };
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        let Some(status) = status else {
            return Err(format!("timed out after {}", show_timeout(self.timeout)));
        };
        match (status.code(), parse_child(&stdout)) {
            (Some(0 | 1), Some(c)) => Ok(c),
            _ => {
                let first = stderr
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty())
                    .unwrap_or("no output");
                Err(format!("keyform test could not run ({status}): {first}"))
            }
        }
    }
}
