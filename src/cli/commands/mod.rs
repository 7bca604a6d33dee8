//! One file per Terraform-style command. Each parses what its flags mean, calls the engine, and
//! renders the result; what is shared between them (paths relative to -chdir, the lock flags,
//! warnings and plans on the terminal) is here.

mod apply;
mod fmt;
mod force_unlock;
mod graph;
mod init;
mod output;
mod plan;
mod refresh;
mod show;
mod state;
mod validate;

pub(crate) use apply::{apply, destroy};
pub(crate) use fmt::fmt;
pub(crate) use force_unlock::force_unlock;
pub(crate) use graph::graph;
pub(crate) use init::init;
pub(crate) use output::output;
pub(crate) use plan::plan;
pub(crate) use refresh::refresh;
pub(crate) use show::show;
pub(crate) use state::state;
pub(crate) use validate::validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::addr::{InstanceAddr, Mode};
use crate::cli::args::PlanFlags;
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::config::SchemaSource;
use crate::diag::{Diagnostic, Diagnostics, SourceMap};
use crate::plan::Plan;
use crate::schema::ResourceSchema;
use crate::workspace::LockRequest;

type CmdResult = Result<u8, Failure>;

fn schema_lookup(mode: Mode, kind: &str) -> Option<&'static ResourceSchema> {
    crate::engine::schemas().resource_schema(mode, kind)
}

/// The attributes of an instance's type that are shown as `(sensitive value)`.
fn sensitive_of(addr: &InstanceAddr) -> Vec<&'static str> {
    schema_lookup(addr.resource.mode, &addr.resource.kind)
        .map(|s| {
            s.body
                .attrs
                .iter()
                .filter(|a| a.sensitive)
                .map(|a| a.name)
                .collect()
        })
        .unwrap_or_default()
}

/// Paths given to subcommands are relative to -chdir.
pub(crate) fn rel(ctx: &Ctx, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        ctx.dir.join(p)
    }
}

/// Prints a plan to stdout as it is rendered.
fn print_plan(ctx: &Ctx, p: &Plan) {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`keyform plan | head`) is not an error of the plan.
    let _ = render::plan::render_to(p, &schema_lookup, ctx.style, &mut w).and_then(|()| w.flush());
}

fn print_warnings(ctx: &Ctx, d: &Diagnostics, sources: &SourceMap) {
    let warnings: Vec<&Diagnostic> = d.iter().filter(|x| !x.is_error()).collect();
    if !warnings.is_empty() {
        eprint!(
            "\n{}",
            render::diag::render_all(warnings, sources, ctx.style)
        );
    }
}

/// `-lock-timeout`.
fn lock_timeout(flags: &PlanFlags) -> Result<Duration, Failure> {
    crate::sim::clock::parse_duration(&flags.lock_timeout)
        .map(|ms| Duration::from_millis(ms as u64))
        .map_err(|e| Failure::msg("Invalid -lock-timeout", format!("{e}.")))
}

/// The lock `op` takes, unless `-lock=false`.
fn lock_request<'a>(flags: &PlanFlags, op: &'a str) -> Result<Option<LockRequest<'a>>, Failure> {
    let timeout = lock_timeout(flags)?;
    Ok(flags.lock.then_some(LockRequest {
        operation: op,
        timeout,
    }))
}

/// Hands plain data (configuration, plan, state) to process exit instead of dropping it:
/// freeing a 100,000-resource configuration piece by piece takes longer than the OS takes to
/// reclaim the whole address space. Only for values whose drop does nothing but free memory.
fn leave_to_exit<T>(v: T) {
    std::mem::forget(v);
}
