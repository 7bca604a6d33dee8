//! `keyform test`: the command-line side of `grade`. Prints progress as runs finish (human or
//! JSON lines) and writes the JUnit report. (`keyform grade`, which runs this once per
//! submission, is `cli::grade`.)

use crate::cli::args::TestArgs;
use crate::cli::commands::rel;
use crate::cli::render::{self, Style};
use crate::cli::{Ctx, Failure};
use crate::grade::file::{RunBlock, TestFile};
use crate::grade::report::{self, FileReport, MessageKind, RunReport, Status};
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
            Status::NotGraded => self.style.yellow("not graded"),
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
        let not_graded = match report.not_graded() {
            0 => String::new(),
            n => format!(", {n} not graded"),
        };
        println!(
            "\n{head} {} passed, {} failed{not_graded}.\nScore: {}/{}",
            report.passed(),
            report.failed(),
            report.score(),
            report.total()
        );
    }
    Ok(u8::from(!report.all_passed()))
}
