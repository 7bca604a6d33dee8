//! The `keyform` binary: all work happens in `keyform::cli::run`.

// keyform allocates many small values (configuration, attribute maps, JSON); mimalloc is
// markedly faster than the system allocator for that pattern.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    keyform::allocator::tune_mimalloc();
    keyform::cli::run(std::env::args_os())
}
