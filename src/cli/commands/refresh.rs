//! `keyform refresh`: update the state from the simulated cloud (as Terraform's `refresh`, that
//! is `apply -refresh-only -auto-approve`), showing what changed outside keyform. It never
//! changes the world and records nothing in CloudTrail.

use super::{CmdResult, leave_to_exit, lock_request, print_warnings, schema_lookup};
use crate::cli::args::RefreshArgs;
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::engine;

pub(crate) fn refresh(ctx: &Ctx, a: &RefreshArgs) -> CmdResult {
    let not_here = |flag: &str| {
        Failure::msg(
            "Invalid option for refresh",
            format!(
                "keyform refresh reads every resource back and replaces nothing: {flag} belongs to plan and apply."
            ),
        )
    };
    if !a.flags.replace.is_empty() {
        return Err(not_here("-replace"));
    }
    if !a.flags.refresh {
        return Err(not_here("-refresh=false"));
    }
    let opts = super::plan::plan_options(&a.flags, false)?;
    let lock = lock_request(&a.flags, "refresh")?;
    let mut p = engine::prepare(&ctx.dir, &ctx.vars, lock)?;
    print_warnings(ctx, &p.notices, &p.loaded.cfg.sources);
    print_warnings(ctx, &p.loaded.warnings, &p.loaded.cfg.sources);
    engine::check_targets(p.loaded.module(), &opts, &p.state)?;
    let r = engine::refresh(&mut p, &opts.targets)?;
    for addr in &r.read {
        let id = p
            .state
            .resources
            .get(addr)
            .and_then(|i| i.attrs.get("id"))
            .and_then(|v| v.as_str().map(str::to_string));
        match id {
            Some(id) => println!("{addr}: Refreshing state... [id={id}]"),
            None => println!("{addr}: Refreshing state..."),
        }
    }
    if r.drift.is_empty() {
        println!(
            "\n{} The state matches the simulated cloud: nothing changed outside keyform.",
            ctx.style.bold("No changes.")
        );
    } else {
        println!(
            "\n{}\n\nkeyform detected the following changes made outside of keyform since the\nlast \"keyform apply\", and recorded them in the state:\n",
            ctx.style
                .bold("Note: Objects have changed outside of keyform")
        );
        print!(
            "{}",
            render::plan::drift_blocks(&r.drift, &schema_lookup, ctx.style)
        );
        println!(
            "This is a refresh: keyform did not change any object to undo these. Run\n\"keyform plan\" to see what apply would do about them."
        );
    }
    if !p.state.outputs.is_empty() {
        println!("\n{}\n", ctx.style.green(&ctx.style.bold("Outputs:")));
        for (k, o) in &p.state.outputs {
            println!("{}", render::state::output_line(k, &o.value, o.sensitive));
        }
    }
    let _ = r.saved;
    leave_to_exit((p.loaded, p.state));
    Ok(0)
}
