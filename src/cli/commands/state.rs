//! `keyform state list | show | rm`: inspect the state, or forget instances without destroying
//! them.

use super::{CmdResult, sensitive_of};
use crate::addr::{InstanceAddr, InstanceKey, TargetAddr};
use crate::cli::args::StateCommand;
use crate::cli::render;
use crate::cli::{Ctx, Failure};
use crate::engine;
use crate::state::ResourceInstance;

fn parse_target(s: &str) -> Result<TargetAddr, Failure> {
    s.parse::<TargetAddr>().map_err(|e| {
        Failure::msg(
            "Invalid address",
            format!("{e}. Use an address like aws_kms_key.lab or aws_iam_user.u[\"bob\"]."),
        )
    })
}

fn parse_targets(addresses: &[String]) -> Result<Vec<TargetAddr>, Failure> {
    addresses.iter().map(|s| parse_target(s)).collect()
}

pub(crate) fn state(ctx: &Ctx, c: &StateCommand) -> CmdResult {
    match c {
        StateCommand::List { addresses } => {
            let (_, state, _) = engine::read_state(&ctx.dir)?;
            let filters = parse_targets(addresses)?;
            for addr in state.resources.keys() {
                if filters.is_empty() || filters.iter().any(|f| f.matches(addr)) {
                    println!("{addr}");
                }
            }
            Ok(0)
        }
        StateCommand::Show { address } => {
            let (_, state, _) = engine::read_state(&ctx.dir)?;
            let t = parse_target(address)?;
            let matches: Vec<(&InstanceAddr, &ResourceInstance)> = state
                .resources
                .iter()
                .filter(|(a, _)| t.matches(a))
                .collect();
            match matches.as_slice() {
                [(a, r)] if t.key.is_some() || a.key == InstanceKey::None => {
                    print!("{}", render::state::instance(a, r, &sensitive_of(a)));
                    Ok(0)
                }
                [] => Err(Failure::msg(
                    "No instance found for the given address",
                    format!(
                        "This command requires that the address references one specific instance. {address} is not in the state; see keyform state list."
                    ),
                )),
                _ => Err(Failure::msg(
                    "Multiple instances found for the given address",
                    format!(
                        "{address} matches {} instances: give an instance key, like {address}[0].",
                        matches.len()
                    ),
                )),
            }
        }
        StateCommand::Rm { addresses, dry_run } => {
            let targets = parse_targets(addresses)?;
            let removal = engine::state_rm(&ctx.dir, &targets)?;
            if removal.gone.is_empty() {
                return Err(Failure::msg(
                    "Invalid target address",
                    format!(
                        "No matching objects found. To view the available instances, use \"keyform state list\". Given: {}.",
                        render::state::addr_list(addresses)
                    ),
                ));
            }
            for a in &removal.gone {
                println!("{} {a}", if *dry_run { "Would remove" } else { "Removed" });
            }
            if *dry_run {
                return Ok(0);
            }
            let n = removal.gone.len();
            removal.commit()?;
            println!(
                "Successfully removed {n} resource instance(s). They still exist in the simulated cloud; keyform no longer manages them."
            );
            Ok(0)
        }
    }
}
