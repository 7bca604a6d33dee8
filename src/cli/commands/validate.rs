//! `keyform validate`: check the configuration without touching state or the simulated cloud.

use super::{CmdResult, print_warnings};
use crate::cli::args::ValidateArgs;
use crate::cli::render;
use crate::cli::{Ctx, Failure};

pub(crate) fn validate(ctx: &Ctx, a: &ValidateArgs) -> CmdResult {
    let result = crate::engine::validate(&ctx.dir);
    if a.json {
        let (diags, sources) = match &result {
            Ok((d, s)) => (d.clone(), s.clone()),
            Err(e) => (e.diags.clone(), e.sources.clone().unwrap_or_default()),
        };
        println!("{}", render::json::validate_output(&diags, &sources));
        return Ok(u8::from(diags.has_errors()));
    }
    let (warnings, sources) = result.map_err(Failure::from)?;
    print_warnings(ctx, &warnings, &sources);
    println!(
        "{}",
        ctx.style.green(&format!(
            "{} The configuration is valid.",
            ctx.style.bold("Success!")
        ))
    );
    Ok(0)
}
