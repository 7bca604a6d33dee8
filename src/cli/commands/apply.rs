//! `keyform apply` (from the configuration or a saved plan) and `keyform destroy`: plan, ask
//! for approval, apply with progress, then report what changed and the outputs.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use super::plan::plan_options;
use super::{CmdResult, leave_to_exit, lock_request, print_plan, print_warnings, rel};
use crate::cli::args::{ApplyArgs, DestroyArgs, PlanFlags};
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::engine::{self, Prepared};
use crate::plan::{Plan, PlanMode};

pub(crate) fn apply(ctx: &Ctx, a: &ApplyArgs) -> CmdResult {
    if let Some(pf) = &a.plan_file {
        return apply_saved(ctx, a, pf);
    }
    run_apply(ctx, &a.flags, a.auto_approve, false)
}

pub(crate) fn destroy(ctx: &Ctx, a: &DestroyArgs) -> CmdResult {
    run_apply(ctx, &a.flags, a.auto_approve, true)
}

/// Asks on the terminal; only `yes` approves.
fn confirm(ctx: &Ctx, destroy: bool) -> Result<bool, Failure> {
    let what = if destroy { "destroy" } else { "apply" };
    if !std::io::stdin().is_terminal() {
        return Err(Failure::msg(
            "No terminal to ask for approval",
            format!(
                "keyform {what} needs your approval, but standard input is not a terminal. Run it in a terminal, or add -auto-approve to approve without asking."
            ),
        ));
    }
    let verb = if destroy {
        "Do you really want to destroy all resources?"
    } else {
        "Do you want to perform these actions?"
    };
    print!(
        "\n{}\n  keyform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  {} ",
        ctx.style.bold(verb),
        ctx.style.bold("Enter a value:")
    );
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::msg("Failed to read input", e.to_string()))?;
    Ok(line.trim() == "yes")
}

fn run_apply(ctx: &Ctx, flags: &PlanFlags, auto_approve: bool, destroy: bool) -> CmdResult {
    let opts = plan_options(flags, destroy)?;
    let op = if destroy { "destroy" } else { "apply" };
    let lock = lock_request(flags, op)?;
    let mut p = engine::prepare(&ctx.dir, &ctx.vars, lock)?;
    print_warnings(ctx, &p.notices, &p.loaded.cfg.sources);
    let l = &p.loaded;
    engine::check_targets(l.module(), &opts, &p.state)?;
    let planned = engine::plan(l.module(), &p.state, &mut p.cloud, &opts)
        .map_err(|d| Failure::new(d, Some(l.cfg.sources.clone())))?;
    print_warnings(ctx, &l.warnings, &l.cfg.sources);
    print_warnings(ctx, &planned.warnings, &l.cfg.sources);
    print_plan(ctx, &planned);
    if planned.has_changes() && !auto_approve && !confirm(ctx, destroy)? {
        return Err(Failure::msg(
            if destroy {
                "Destroy cancelled"
            } else {
                "Apply cancelled"
            },
            "Only 'yes' approves; nothing was changed.",
        ));
    }
    let result = execute(ctx, &mut p, &planned, destroy);
    leave_to_exit((p.loaded, planned, p.state));
    result
}

fn apply_saved(ctx: &Ctx, a: &ApplyArgs, given: &Path) -> CmdResult {
    let saved = engine::read_plan(&rel(ctx, given))?;
    let lock = lock_request(&a.flags, "apply")?;
    let mut p = engine::prepare_saved(&ctx.dir, &ctx.vars, &saved, given, lock)?;
    print_warnings(ctx, &p.notices, &p.loaded.cfg.sources);
    let destroy = saved.mode == PlanMode::Destroy;
    execute(ctx, &mut p, &saved, destroy)
}

/// Applies with progress on stdout, then reports what changed and the outputs.
fn execute(ctx: &Ctx, p: &mut Prepared, planned: &Plan, destroy: bool) -> CmdResult {
    let total = planned.effective().count();
    let mut progress = render::progress::Progress::new(
        total,
        std::io::stderr().is_terminal(),
        Box::new(std::io::stdout()),
    );
    let outcome = engine::apply_in_workspace(
        p.loaded.module(),
        planned,
        &mut p.ws,
        &mut p.state,
        &mut p.cloud,
        &mut progress,
    );
    let sources = &p.loaded.cfg.sources;
    if outcome.diags.has_errors() {
        return Err(Failure::new(outcome.diags, Some(sources.clone())));
    }
    print_warnings(ctx, &outcome.diags, sources);
    let head = if destroy {
        "Destroy complete!"
    } else {
        "Apply complete!"
    };
    if destroy {
        println!(
            "\n{} Resources: {} destroyed.",
            ctx.style.green(&ctx.style.bold(head)),
            outcome.destroyed
        );
    } else {
        let imported = if outcome.imported > 0 {
            format!("{} imported, ", outcome.imported)
        } else {
            String::new()
        };
        println!(
            "\n{} Resources: {imported}{} added, {} changed, {} destroyed.",
            ctx.style.green(&ctx.style.bold(head)),
            outcome.added,
            outcome.changed,
            outcome.destroyed
        );
    }
    if !destroy && !p.state.outputs.is_empty() {
        println!("\n{}\n", ctx.style.green(&ctx.style.bold("Outputs:")));
        for (k, o) in &p.state.outputs {
            println!("{}", render::state::output_line(k, &o.value, o.sensitive));
        }
    }
    Ok(0)
}
