//! `keyform graph`: the configuration's dependency graph in DOT.

use super::CmdResult;
use crate::cli::args::GraphArgs;
use crate::cli::{Ctx, Failure};

pub(crate) fn graph(ctx: &Ctx, _a: &GraphArgs) -> CmdResult {
    let (config, sources) = crate::engine::load_config(&ctx.dir);
    let (_, g) = config.map_err(|d| Failure::new(d, Some(sources)))?;
    print!("{}", g.to_dot());
    Ok(0)
}
