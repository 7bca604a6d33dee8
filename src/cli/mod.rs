//! The command line: parse arguments, run a command, render its results, choose the exit code.
//! Only this module prints; nothing imports it.

pub mod args;
mod commands;
mod grade;
mod lab;
pub mod render;
mod serve;
mod sim;
mod test;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::inputs::VarArg;
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use args::Command;
use render::Style;

/// A command that failed: what to print and the exit code.
pub(crate) struct Failure {
    pub diags: Diagnostics,
    pub sources: Option<SourceMap>,
    pub code: u8,
}

impl Failure {
    pub(crate) fn new(diags: Diagnostics, sources: Option<SourceMap>) -> Failure {
        Failure {
            diags,
            sources,
            code: 1,
        }
    }

    pub(crate) fn msg(summary: &str, detail: impl Into<String>) -> Failure {
        Failure::new(Diagnostic::error(summary, detail).into(), None)
    }

    /// The same failure about `subject` (the flag or address it concerns).
    pub(crate) fn with_subject(mut self, s: String) -> Failure {
        for d in &mut self.diags.0 {
            d.subject = Some(s.clone());
        }
        self
    }
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Failure {
        Failure::new(d, None)
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Failure {
        Failure::new(d.into(), None)
    }
}

impl From<crate::engine::Error> for Failure {
    fn from(e: crate::engine::Error) -> Failure {
        Failure::new(e.diags, e.sources)
    }
}

/// What every command gets.
pub(crate) struct Ctx {
    pub dir: PathBuf,
    pub style: Style,
    /// The subcommand's `-var` and `-var-file` options, in the order they were given.
    pub vars: Vec<VarArg>,
}

/// Makes a closed stdout (`keyform plan | head`) end the process quietly with exit 1 instead
/// of a panic and a backtrace: `println!` panics on EPIPE, and Rust ignores SIGPIPE. Everything
/// durable is written before the final messages are printed, so stopping there loses nothing.
fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(1);
        }
        default(info);
    }));
}

/// Runs keyform with these arguments (the first is the program name).
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    exit_quietly_on_broken_pipe();
    let args = args::normalize(args);
    let (cli, vars) = match args::parse(args) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            let _ = e.print();
            return match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ExitCode::SUCCESS,
                _ => ExitCode::from(1),
            };
        }
    };
    let stdout_tty = std::io::stdout().is_terminal();
    let color = !cli.no_color && std::env::var_os("NO_COLOR").is_none() && stdout_tty;
    let dir = cli.chdir.clone().unwrap_or_else(|| PathBuf::from("."));
    if !dir.is_dir() {
        eprintln!(
            "Error: Invalid -chdir option\n\nThe directory {} does not exist or is not a directory.",
            dir.display()
        );
        return ExitCode::from(1);
    }
    let ctx = Ctx {
        dir,
        style: Style { color },
        vars,
    };
    let result = match cli.command {
        Command::Init(a) => commands::init(&ctx, &a),
        Command::Validate(a) => commands::validate(&ctx, &a),
        Command::Fmt(a) => commands::fmt(&ctx, &a),
        Command::Plan(a) => commands::plan(&ctx, &a),
        Command::Apply(a) => commands::apply(&ctx, &a),
        Command::Destroy(a) => commands::destroy(&ctx, &a),
        Command::Refresh(a) => commands::refresh(&ctx, &a),
        Command::Show(a) => commands::show(&ctx, &a),
        Command::State(a) => commands::state(&ctx, &a),
        Command::Output(a) => commands::output(&ctx, &a),
        Command::Graph(a) => commands::graph(&ctx, &a),
        Command::ForceUnlock(a) => commands::force_unlock(&ctx, &a),
        Command::Serve(a) => serve::serve(&ctx, &a),
        Command::Console(a) => serve::console(&ctx, &a),
        Command::Test(a) => test::test(&ctx, &a),
        Command::Grade(a) => grade::grade(&ctx, &a),
        Command::Lab(args::LabCommand::List) => lab::list(),
        Command::Lab(args::LabCommand::Start { name, dir }) => {
            lab::start(&ctx, &name, dir.as_deref())
        }
        Command::Lab(args::LabCommand::Show { lab }) => lab::show(&ctx, &lab),
        Command::Lab(args::LabCommand::New { name, dir }) => lab::new(&ctx, &name, dir.as_deref()),
        Command::Lab(args::LabCommand::Check { dir }) => lab::check(&ctx, &dir),
        Command::Lab(args::LabCommand::Guide) => lab::guide(),
        Command::Sim { args } => return ExitCode::from(sim::run(&ctx, &args)),
        Command::Version => {
            println!(
                "keyform v{}\non {}_{}\n+ simulated provider registry.terraform.io/hashicorp/aws",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            );
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            let sources = f.sources.unwrap_or_default();
            let text = render::diag::render_all(
                f.diags.iter(),
                &sources,
                Style {
                    color: color && std::io::stderr().is_terminal(),
                },
            );
            eprint!("\n{text}");
            ExitCode::from(f.code)
        }
    }
}
