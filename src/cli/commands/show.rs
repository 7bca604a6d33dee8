//! `keyform show`: the current state or a saved plan, human or Terraform's JSON.

use super::{CmdResult, print_plan, rel, sensitive_of};
use crate::cli::Ctx;
use crate::cli::args::ShowArgs;
use crate::cli::render;
use crate::engine;

pub(crate) fn show(ctx: &Ctx, a: &ShowArgs) -> CmdResult {
    if let Some(path) = &a.path {
        let p = engine::read_plan(&rel(ctx, path))?;
        if a.json {
            let prior = engine::prior_state(&ctx.dir, &p);
            println!("{}", render::json::plan_json(&p, &prior));
        } else {
            print_plan(ctx, &p);
        }
        return Ok(0);
    }
    let state = engine::current_state(&ctx.dir)?;
    if a.json {
        println!("{}", render::json::state_json(&state));
        return Ok(0);
    }
    if state.resources.is_empty() && state.outputs.is_empty() {
        println!("The state file is empty. No resources are represented.");
        return Ok(0);
    }
    for (addr, r) in &state.resources {
        println!("{}", render::state::instance(addr, r, &sensitive_of(addr)));
    }
    if !state.outputs.is_empty() {
        println!("\nOutputs:\n");
        for (k, o) in &state.outputs {
            println!("{}", render::state::output_line(k, &o.value, o.sensitive));
        }
    }
    Ok(0)
}
