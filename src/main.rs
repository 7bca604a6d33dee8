//! The `keyform` binary: all work happens in `keyform::cli::run`.

fn main() -> std::process::ExitCode {
    keyform::cli::run(std::env::args_os())
}
