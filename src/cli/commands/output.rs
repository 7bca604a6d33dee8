//! `keyform output`: output values from the state (all, one, `-raw` or `-json`).

use super::CmdResult;
use crate::cli::args::OutputArgs;
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::diag::{Diagnostic, SourceMap};

pub(crate) fn output(ctx: &Ctx, a: &OutputArgs) -> CmdResult {
    let state = crate::engine::current_state(&ctx.dir)?;
    if let Some(name) = &a.name {
        let Some(o) = state.outputs.get(name) else {
            return Err(Failure::msg(
                "Output not found",
                format!(
                    "The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `keyform apply`, since the state won't be updated with new output variables until that command is run.{}",
                    crate::diag::suggestion(name, state.outputs.keys().map(String::as_str))
                ),
            ));
        };
        if a.raw {
            let Some(s) = render::state::raw(&o.value) else {
                return Err(Failure::msg(
                    "Unsupported value for raw output",
                    format!(
                        "The -raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is {}. Use the -json option for machine-readable output.",
                        o.value.type_name()
                    ),
                ));
            };
            print!("{s}");
        } else if a.json {
            println!("{}", render::json::value(&o.value));
        } else {
            println!("{}", render::state::plain_value(&o.value, 0, 2));
        }
        return Ok(0);
    }
    if a.json {
        println!("{}", render::json::outputs(&state));
        return Ok(0);
    }
    if state.outputs.is_empty() {
        eprintln!(
            "{}",
            render::diag::render(
                &Diagnostic::warning(
                    "No outputs found",
                    "The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `keyform refresh` for it to become available. If you are using interpolation, please verify the interpolated value is not empty. You can use the `keyform console` command to assist."
                ),
                &SourceMap::new(),
                ctx.style
            )
        );
        return Ok(0);
    }
    for (k, o) in &state.outputs {
        println!("{}", render::state::output_line(k, &o.value, o.sensitive));
    }
    Ok(0)
}
